"""The screens: who may and who may not, the member's study path end to end, the
secretary's forms, uploads and Range requests."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sotay.audit.models import AuditEntry
from sotay.learning.models import (
    Attempt,
    Lesson,
    LessonProgress,
    OfflineStudy,
    ProgrammeProgress,
    Reflection,
)
from sotay.learning.testing import answer_all, build_programme, wav_bytes
from sotay.notifications.models import Receipt

pytestmark = pytest.mark.django_db


def _audio(programme):
    return programme.lessons.get(kind="audio")


def test_members_see_assigned_programmes_first_and_outsiders_get_404(world, login, programme):
    client = login(world.member)
    page = client.get(reverse("learning:programmes"))
    assert page.status_code == 200
    assert programme.title in page.content.decode()
    assert client.get(reverse("learning:detail", args=[programme.pk])).status_code == 200
    outsider = login(world.outsider)
    assert programme.title not in outsider.get(reverse("learning:programmes")).content.decode()
    assert outsider.get(reverse("learning:detail", args=[programme.pk])).status_code == 404
    lesson = programme.lessons.first()
    assert (
        outsider.get(reverse("learning:lesson", args=[programme.pk, lesson.pk])).status_code == 404
    )
    assert (
        outsider.get(
            reverse("learning:lesson_file", args=[programme.pk, _audio(programme).pk])
        ).status_code
        == 404
    )


def test_the_list_page_runs_a_fixed_number_of_queries(
    world, login, programme, django_assert_max_num_queries
):
    build_programme(world, title="Chuyên đề thứ hai")
    build_programme(world, title="Chuyên đề thứ ba", quiz=False)
    client = login(world.member)
    client.get(reverse("learning:programmes"))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("learning:programmes")).status_code == 200


def test_a_text_lesson_is_finished_when_opened(world, login, programme):
    client = login(world.member)
    lesson = programme.lessons.get(kind="text")
    page = client.get(reverse("learning:lesson", args=[programme.pk, lesson.pk]))
    assert "Quan điểm chỉ đạo" in page.content.decode()
    assert LessonProgress.objects.get(lesson=lesson, member=world.member.member).finished_at
    standing = ProgrammeProgress.objects.get(programme=programme, member=world.member.member)
    assert standing.status == "in_progress" and standing.lessons_done == 1


def test_audio_streams_with_range_requests_and_resumes(world, login, programme):
    client = login(world.member)
    lesson = _audio(programme)
    url = reverse("learning:lesson_file", args=[programme.pk, lesson.pk])
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    data = b"".join(whole.streaming_content)
    assert data.startswith(b"RIFF") and len(data) == lesson.size
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{lesson.size}"
    assert part["Content-Length"] == "100"
    assert b"".join(part.streaming_content) == data[100:200]
    # A seek to the end, and a suffix range.
    tail = client.get(url, HTTP_RANGE=f"bytes={lesson.size - 10}-")
    assert tail.status_code == 206 and b"".join(tail.streaming_content) == data[-10:]
    suffix = client.get(url, HTTP_RANGE="bytes=-5")
    assert b"".join(suffix.streaming_content) == data[-5:]
    assert client.get(url, HTTP_RANGE=f"bytes={lesson.size + 5}-").status_code == 416
    # The page carries the player and the saved position.
    position_url = reverse("learning:lesson_position", args=[programme.pk, lesson.pk])
    assert client.post(position_url, {"position": "1.5"}).json() == {
        "position": 1.5,
        "finished": False,
    }
    page = client.get(reverse("learning:lesson", args=[programme.pk, lesson.pk])).content.decode()
    assert "<audio" in page and 'data-resume="1.5"' in page
    assert client.post(position_url, {"position": "-3"}).status_code == 400
    assert client.post(position_url, {"position": "2", "finished": "1"}).json()["finished"] is True


def test_lesson_files_are_not_public(world, programme, client, settings):
    lesson = _audio(programme)
    assert not lesson.file.name.startswith(str(settings.MEDIA_ROOT))
    response = client.get(reverse("learning:lesson_file", args=[programme.pk, lesson.pk]))
    assert response.status_code == 302  # sign-in first


def test_the_quiz_pages_never_carry_answers_before_submission(world, login, programme):
    client = login(world.member)
    start = client.post(reverse("learning:quiz_start", args=[programme.pk]))
    attempt = Attempt.objects.get(member=world.member.member)
    assert start["Location"] == reverse("learning:question", args=[attempt.pk, 1])
    answers = answer_all(attempt)
    for n, item in enumerate(attempt.items.all(), start=1):
        html = client.get(reverse("learning:question", args=[attempt.pk, n])).content.decode()
        assert item.question.text in html
        assert not re.search(r"correct|đúng\"|is_correct|data-right", html)
        assert item.question.explanation not in html or not item.question.explanation
        response = client.post(
            reverse("learning:question", args=[attempt.pk, n]),
            {"question": item.question_id, "option": answers[str(item.question_id)], "go": "next"},
        )
        assert response.status_code == 302
    review = client.get(reverse("learning:review", args=[attempt.pk])).content.decode()
    assert "4/4" in review
    assert client.post(reverse("learning:review", args=[attempt.pk])).status_code == 302
    result = client.get(reverse("learning:result", args=[attempt.pk])).content.decode()
    assert "100,0%" in result and "Đạt" in result


def test_another_members_attempt_is_404(world, login, programme):
    login(world.member).post(reverse("learning:quiz_start", args=[programme.pk]))
    attempt = Attempt.objects.get(member=world.member.member)
    other = login(world.probationary)
    for name, args in (
        ("question", [attempt.pk, 1]),
        ("review", [attempt.pk]),
        ("result", [attempt.pk]),
    ):
        assert other.get(reverse(f"learning:{name}", args=args)).status_code == 404
        if name != "result":
            assert other.post(reverse(f"learning:{name}", args=args)).status_code == 404


def test_a_forged_option_is_refused_on_the_page(world, login, programme):
    client = login(world.member)
    client.post(reverse("learning:quiz_start", args=[programme.pk]))
    attempt = Attempt.objects.get(member=world.member.member)
    item = attempt.items.first()
    response = client.post(reverse("learning:question", args=[attempt.pk, 1]),
                           {"question": item.question_id, "option": ["999999"]})  # fmt: skip
    assert response.status_code == 400
    assert "Phương án không thuộc câu hỏi này" in response.content.decode()


def test_the_office_adds_lessons_and_uploads_are_checked_by_content(world, login):
    programme = build_programme(world, publish=False, quiz=False, audio=False)
    client = login(world.office)
    url = reverse("learning:lesson_add", args=[programme.pk])
    ok = client.post(url, {"title": "Bài nghe", "kind": "audio",
                           "file": SimpleUploadedFile("bai.wav", wav_bytes(0.5))})  # fmt: skip
    assert ok.status_code == 302
    assert Lesson.objects.filter(
        programme=programme, kind="audio", content_type="audio/wav"
    ).exists()
    fake = client.post(url, {"title": "Giả", "kind": "audio",
                             "file": SimpleUploadedFile("bai.mp3", b"<html>not audio</html>")}, follow=True)  # fmt: skip
    assert "không đúng loại" in fake.content.decode()
    assert not Lesson.objects.filter(title="Giả").exists()
    pdf_as_video = client.post(url, {"title": "Video", "kind": "video",
                                     "file": SimpleUploadedFile("v.mp4", b"%PDF-1.4 x")}, follow=True)  # fmt: skip
    assert "MP4 hoặc WebM" in pdf_as_video.content.decode()
    # Neither the secretary nor a member may add lessons.
    for persona in ("secretary", "member"):
        response = login(world.persona(persona)).post(
            url, {"title": "X", "kind": "text", "body": "<p>x</p>"}
        )
        assert response.status_code in (403, 404)


def test_a_2_gb_video_is_refused_before_it_is_read(world, login, settings):
    programme = build_programme(world, publish=False, quiz=False, audio=False)
    client = login(world.office)
    url = reverse("learning:lesson_add", args=[programme.pk])
    response = client.generic(
        "POST",
        url,
        data=b"--x\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(2 * 1024**3),
    )
    assert response.status_code == 413
    assert "tối đa" in response.content.decode()
    assert not Lesson.objects.filter(programme=programme, kind="video").exists()


def test_a_file_over_its_kind_limit_is_refused(world, login, settings):
    settings.SOTAY_LEARNING_MAX_AUDIO_MB = 1
    programme = build_programme(world, publish=False, quiz=False, audio=False)
    client = login(world.office)
    big = wav_bytes(70)  # 8 kHz × 2 bytes × 70 s ≈ 1.1 MB
    response = client.post(reverse("learning:lesson_add", args=[programme.pk]),
                           {"title": "Dài", "kind": "audio", "file": SimpleUploadedFile("d.wav", big)},
                           follow=True)  # fmt: skip
    assert "tối đa 1 MB" in response.content.decode()
    assert not Lesson.objects.filter(title="Dài").exists()


def test_reflection_written_reviewed_and_notified(world, login, programme):
    client = login(world.member)
    url = reverse("learning:reflection", args=[programme.pk])
    assert (
        client.post(
            url, {"body": "<p>Em đã học <script>alert(1)</script>nghiêm túc.</p>"}
        ).status_code
        == 302
    )
    reflection = Reflection.objects.get(member=world.member.member)
    assert "<script>" not in reflection.body and reflection.state == "submitted"
    member_url = reverse("learning:member", args=[programme.pk, world.member.member_id])
    # Only the branch secretary reviews: others 404 (outsider) or 404 (another branch).
    assert login(world.outsider).get(member_url).status_code == 404
    assert login(world.office).get(member_url).status_code == 404
    sec = login(world.secretary)
    assert sec.get(reverse("learning:branch", args=[programme.pk])).status_code == 200
    bad = sec.post(
        member_url, {"action": "review", "review-verdict": "revise", "review-comment": ""}
    )
    assert bad.status_code == 400
    sec.post(member_url, {"action": "review", "review-verdict": "accept", "review-comment": "Tốt"})
    reflection.refresh_from_db()
    assert reflection.state == "accepted"
    assert Receipt.objects.filter(user=world.member, notice__title__contains="đạt").exists()
    standing = ProgrammeProgress.objects.get(programme=programme, member=world.member.member)
    assert standing.status == "completed" and standing.reflection_accepted


def test_a_reflection_upload_must_be_a_real_pdf_or_docx(world, login, programme):
    client = login(world.member)
    url = reverse("learning:reflection", args=[programme.pk])
    bad = client.post(url, {"file": SimpleUploadedFile("bai.pdf", b"MZ\x90\x00 not a pdf")})
    assert bad.status_code == 400 and "PDF hoặc Word" in bad.content.decode()
    good = client.post(url, {"file": SimpleUploadedFile("bai.pdf", b"%PDF-1.4\n%%EOF")})
    assert good.status_code == 302
    assert client.get(reverse("learning:reflection_file", args=[programme.pk])).status_code == 200
    assert (
        login(world.probationary)
        .get(reverse("learning:reflection_file", args=[programme.pk]))
        .status_code
        == 404
    )


def test_the_secretary_records_branch_study_and_a_paper_score(world, login, programme):
    sec = login(world.secretary)
    url = reverse("learning:member", args=[programme.pk, world.probationary.member_id])
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    bad = sec.post(
        url, {"action": "offline", "offline-studied_on": today, "offline-paper_score": "150"}
    )
    assert bad.status_code == 400 and "0 đến 100" in bad.content.decode()
    assert not OfflineStudy.objects.exists()
    sec.post(url, {"action": "offline", "offline-studied_on": today, "offline-paper_score": "80"})
    standing = ProgrammeProgress.objects.get(programme=programme, member=world.probationary.member)
    assert standing.status == "completed" and standing.paper and standing.quiz_score == 80
    assert AuditEntry.objects.filter(action="learning.offline_recorded").exists()


def test_the_secretary_grants_an_extra_attempt(world, login, programme):
    sec = login(world.secretary)
    url = reverse("learning:member", args=[programme.pk, world.member.member_id])
    sec.post(url, {"action": "override", "override-extra_minutes": "5", "override-extra_attempts": "1",
                   "override-reason": "Đồng chí đi công tác"})  # fmt: skip
    from sotay.learning.models import QuizOverride

    assert QuizOverride.objects.get(member=world.member.member).extra_attempts == 1


def test_the_branch_report_lists_members_for_the_secretary_only(world, login, programme):
    from sotay.learning import quizzes

    attempt = quizzes.start_attempt(user=world.member, quiz=programme.quiz)
    quizzes.submit_attempt(user=world.member, attempt=attempt, answers=answer_all(attempt))
    sec = login(world.secretary)
    page = sec.get(reverse("learning:report", args=[programme.pk])).content.decode()
    assert "Nguyễn Văn An" in page and "100,0" in page
    xlsx = sec.get(reverse("learning:report_xlsx", args=[programme.pk]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    assert AuditEntry.objects.filter(action="learning.report_exported").exists()
    assert (
        login(world.member).get(reverse("learning:report", args=[programme.pk])).status_code == 403
    )
    assert (
        login(world.outsider).get(reverse("learning:report", args=[programme.pk])).status_code
        == 404
    )


def test_the_secretarys_pages_run_a_fixed_number_of_queries(
    world, login, programme, django_assert_max_num_queries
):
    from sotay.core.testing import make_member

    for i in range(6):
        make_member(world.branch, f"Đảng viên Thêm {i}")
    client = login(world.secretary)
    url = reverse("learning:branch", args=[programme.pk])
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    report = reverse("learning:report", args=[programme.pk])
    client.get(report)
    with django_assert_max_num_queries(14):
        assert client.get(report).status_code == 200


def test_a_pdf_lesson_opens_and_counts_as_studied(world, login):
    programme = build_programme(world, publish=False, quiz=False, audio=False)
    office = login(world.office)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
    office.post(reverse("learning:lesson_add", args=[programme.pk]),
                {"title": "Toàn văn Nghị quyết", "kind": "pdf", "file": SimpleUploadedFile("nq.pdf", pdf)})  # fmt: skip
    office.post(reverse("learning:publish", args=[programme.pk]))
    lesson = programme.lessons.get(kind="pdf")
    client = login(world.member)
    page = client.get(reverse("learning:lesson", args=[programme.pk, lesson.pk])).content.decode()
    assert "Mở tài liệu PDF" in page
    response = client.get(reverse("learning:lesson_file", args=[programme.pk, lesson.pk]))
    assert (
        response["Content-Type"] == "application/pdf"
        and b"".join(response.streaming_content) == pdf
    )
    assert LessonProgress.objects.get(lesson=lesson, member=world.member.member).finished_at
