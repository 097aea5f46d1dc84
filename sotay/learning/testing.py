"""Fixtures for learning tests, the permission matrix and e2e: a published programme
for branch B1 with a text lesson, an audio lesson (a generated WAV) and a quiz."""

from __future__ import annotations

import datetime as dt
import io
import math
import struct
import wave

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sotay.learning import quizzes, services
from sotay.learning.models import Grading, Programme, Reveal


def wav_bytes(seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A short mono 440 Hz tone, as a real WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
            for i in range(int(seconds * rate))
        )
        w.writeframes(frames)
    return out.getvalue()


def mp3_head() -> bytes:
    """The first bytes of an MP3 file: an ID3v2 tag, then MPEG-1 layer III frames."""
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 400


def upload(data: bytes, name: str, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


SINGLE = [
    ("Nghị quyết số 57-NQ/TW bàn về lĩnh vực nào?", ["Khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số", "Nông nghiệp", "Quốc phòng"], 0),
    ("Ai ban hành Nghị quyết 57-NQ/TW?", ["Bộ Chính trị", "Quốc hội", "Chính phủ"], 0),
    ("Năm ban hành Nghị quyết 57-NQ/TW?", ["2024", "2020", "2015"], 0),
    ("Chuyển đổi số lấy ai làm trung tâm?", ["Người dân và doanh nghiệp", "Cán bộ", "Máy móc"], 0),
]  # fmt: skip
MULTIPLE = [
    ("Những nội dung nào là nhiệm vụ của đảng viên khi học tập nghị quyết?", ["Nghiên cứu kỹ văn bản", "Viết bài thu hoạch", "Bỏ qua sinh hoạt chi bộ", "Liên hệ thực tiễn công tác"], {0, 1, 3}),
    ("Những điều kiện nào giúp thực hiện chuyển đổi số?", ["Hạ tầng số", "Nhân lực số", "Giấy tờ thủ công"], {0, 1}),
]  # fmt: skip


def build_programme(
    world,
    *,
    org=None,
    publish: bool = True,
    quiz: bool = True,
    audio: bool = True,
    time_limit: int = 15,
    max_attempts: int = 2,
    pass_mark: int = 60,
    grading: str = Grading.HIGHEST,
    reveal: str = Reveal.SCORE,
    title: str = "Học tập Nghị quyết 57-NQ/TW",
) -> Programme:
    actor = world.office if org is None or org.path.startswith(world.commune.path) else world.admin
    org = org or world.branch
    today = timezone.localdate()
    programme = services.create_programme(
        actor=actor,
        organization=org,
        title=title,
        summary="Đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia.",
        opens_on=today - dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=27),
    )
    services.add_lesson(
        actor=actor,
        programme=programme,
        title="Những nội dung cơ bản của Nghị quyết",
        kind="text",
        body="<h2>Quan điểm chỉ đạo</h2><p>Phát triển khoa học, công nghệ là đột phá quan trọng hàng đầu.</p>",
    )
    if audio:
        services.add_lesson(
            actor=actor,
            programme=programme,
            title="Bài nghe: tóm tắt Nghị quyết",
            kind="audio",
            upload=upload(wav_bytes(), "tom-tat.wav", "audio/wav"),
        )
    if quiz:
        for text, options, right in SINGLE:
            quizzes.add_question(
                actor=actor, programme=programme, category="Nội dung cơ bản", kind="single",
                text=text, options=[(o, i == right) for i, o in enumerate(options)],
                explanation="Theo văn bản Nghị quyết.",
            )  # fmt: skip
        for text, options, right in MULTIPLE:
            quizzes.add_question(
                actor=actor, programme=programme, category="Vận dụng", kind="multiple",
                text=text, options=[(o, i in right) for i, o in enumerate(options)],
            )  # fmt: skip
        cats = {c.name: c.pk for c in programme.categories.all()}
        quizzes.configure_quiz(
            actor=actor,
            programme=programme,
            time_limit_minutes=time_limit,
            max_attempts=max_attempts,
            pass_mark=pass_mark,
            grading=grading,
            reveal=reveal,
            quotas={cats["Nội dung cơ bản"]: 3, cats["Vận dụng"]: 1},
        )
    if publish:
        services.publish_programme(actor=actor, programme=programme)
    programme.refresh_from_db()
    return programme


def answer_all(attempt, *, right: bool = True) -> dict[str, list[int]]:
    """Answers for every drawn question: all right, or all wrong."""
    from sotay.learning.models import Option

    out = {}
    for item in attempt.items.all():
        options = Option.objects.filter(question_id=item.question_id)
        chosen = [o.pk for o in options if o.is_correct == right]
        if not right and item.question.kind == "single":
            chosen = chosen[:1]
        out[str(item.question_id)] = chosen
    return out


def learning_for_matrix(world) -> dict[str, list[int]]:
    """URL arguments for the permission matrix: a published programme of branch B1
    (text and audio lessons, a quiz), a draft of commune C1, the member's submitted
    attempt and the member's page for the secretary."""
    from sotay.learning import quizzes

    programme = build_programme(world)
    draft = build_programme(world, org=world.commune, publish=False, title="Bản nháp C1")
    text, audio = list(programme.lessons.all())
    attempt = quizzes.start_attempt(user=world.member, quiz=programme.quiz)
    quizzes.submit_attempt(user=world.member, attempt=attempt, answers={})
    return {
        "prog_branch": [programme.pk],
        "prog_draft": [draft.pk],
        "learn_lesson": [programme.pk, text.pk],
        "learn_audio": [programme.pk, audio.pk],
        "learn_member": [programme.pk, world.member.member_id],
        "learn_attempt": [attempt.pk],
    }


# Shapes of the arguments above, for tests that only reverse the URLs.
MATRIX_PLACEHOLDERS = {
    "prog_branch": [1], "prog_draft": [1], "learn_lesson": [1, 1], "learn_audio": [1, 1],
    "learn_member": [1, 1], "learn_attempt": [1],
}  # fmt: skip
