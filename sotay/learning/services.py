"""Writes of study programmes: programmes and lessons (the organisation office),
lesson progress (members), reflections and their review, and what the secretary enters
for members without a device. Quizzes are in `quizzes.py`, the question import in
`imports.py`. Every function is keyword-only and transactional; a refusal is a
ServiceError with a Vietnamese message and changes nothing."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from sotay.accounts.permissions import CONTENT_PUBLISH, MEETINGS_MANAGE, can
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.richtext import is_blank, sanitize
from sotay.documents.models import AudienceLevel, DocumentState
from sotay.documents.queries import documents_visible_to
from sotay.documents.text import plain
from sotay.learning import media, progress
from sotay.learning.models import (
    Lesson,
    LessonKind,
    LessonProgress,
    OfflineStudy,
    Programme,
    ProgrammeState,
    Reflection,
    ReflectionState,
)
from sotay.learning.queries import is_assigned

DENIED = "Bạn không có quyền soạn chuyên đề học tập cho tổ chức này."
NOT_ASSIGNED = "Chuyên đề này không giao cho đồng chí."
REVIEW_DENIED = "Chỉ bí thư chi bộ của đảng viên này mới nhận xét, ghi điểm được."


def _check_publisher(actor, org) -> None:
    if org is None:
        raise ServiceError("Giao cho: hãy chọn tổ chức.", "organization")
    if not can(actor, CONTENT_PUBLISH, org):
        raise PermissionDenied(DENIED)


def _clean_programme(title, summary, opens_on, closes_on, audience_level) -> dict:
    title = plain(title)
    if not title:
        raise ServiceError("Tên chuyên đề: không được để trống.", "title")
    if len(title) > 300:
        raise ServiceError("Tên chuyên đề: dài quá 300 ký tự.", "title")
    summary = plain(summary)[:5000]
    if opens_on is None:
        raise ServiceError("Ngày bắt đầu: hãy chọn ngày.", "opens_on")
    if closes_on is None:
        raise ServiceError("Hạn hoàn thành: hãy chọn ngày.", "closes_on")
    if closes_on < opens_on:
        raise ServiceError("Hạn hoàn thành: không được trước ngày bắt đầu.", "closes_on")
    if audience_level not in AudienceLevel.values:
        audience_level = AudienceLevel.ALL
    return {
        "title": title,
        "summary": summary,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "audience_level": audience_level,
    }


@transaction.atomic
def create_programme(
    *,
    actor,
    organization,
    title: str,
    opens_on: dt.date | None,
    closes_on: dt.date | None,
    summary: str = "",
    audience_level: str = AudienceLevel.ALL,
    request=None,
) -> Programme:
    """A draft programme addressed to `organization`'s subtree; needs content.publish
    there (the organisation office)."""
    _check_publisher(actor, organization)
    values = _clean_programme(title, summary, opens_on, closes_on, audience_level)
    programme = Programme.objects.create(
        organization=organization, path=organization.path, created_by=actor, **values
    )
    record(action="learning.programme_created", actor=actor, request=request, target=programme)
    return programme


@transaction.atomic
def update_programme(
    *,
    actor,
    programme: Programme,
    title: str,
    opens_on,
    closes_on,
    summary: str = "",
    audience_level: str = AudienceLevel.ALL,
    request=None,
) -> Programme:
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_publisher(actor, programme.organization)
    values = _clean_programme(title, summary, opens_on, closes_on, audience_level)
    for name, value in values.items():
        setattr(programme, name, value)
    programme.save(update_fields=list(values))
    record(action="learning.programme_updated", actor=actor, request=request, target=programme)
    return programme


@transaction.atomic
def publish_programme(*, actor, programme: Programme, request=None) -> Programme:
    """Draft → assigned: the audience sees it from its opening date. It needs at least
    one lesson, and a quiz with enough questions for its quotas when it has one."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_publisher(actor, programme.organization)
    if programme.state != ProgrammeState.DRAFT:
        raise ServiceError("Chuyên đề đã được giao học.")
    if not programme.lessons.exists():
        raise ServiceError("Chuyên đề cần ít nhất một bài học trước khi giao học.")
    from sotay.learning.quizzes import check_bank

    quiz = getattr(programme, "quiz", None)
    if quiz is not None:
        check_bank(quiz)
    programme.state = ProgrammeState.PUBLISHED
    programme.published_at = timezone.now()
    programme.save(update_fields=["state", "published_at"])
    record(action="learning.programme_published", actor=actor, request=request, target=programme)
    return programme


@transaction.atomic
def link_document(*, actor, programme: Programme, document, request=None) -> None:
    """Link a published document the actor can read (the resolution itself)."""
    _check_publisher(actor, programme.organization)
    if document is None or not (
        documents_visible_to(actor).filter(pk=document.pk, state=DocumentState.PUBLISHED).exists()
    ):
        raise ServiceError("Văn bản: không tìm thấy văn bản đã ban hành này.", "document")
    programme.documents.add(document)
    record(
        action="learning.document_linked",
        actor=actor,
        request=request,
        target=programme,
        note=str(document)[:200],
    )


def _editable(actor, programme: Programme) -> None:
    _check_publisher(actor, programme.organization)
    if programme.state != ProgrammeState.DRAFT:
        raise ServiceError("Chuyên đề đã giao học: không thêm, bớt bài học được nữa.")


@transaction.atomic
def add_lesson(
    *,
    actor,
    programme: Programme,
    title: str,
    kind: str,
    body: str = "",
    upload=None,
    request=None,
) -> Lesson:
    """Append a lesson. A text lesson keeps sanitised rich text; a PDF, audio or video
    lesson needs a file whose bytes are of that kind (sniffed, the name is not trusted)
    and no larger than its configured limit (`media.limit_bytes`). `upload` is a Django
    UploadedFile (or any file with `name`, `size`, `read`, `seek`, `chunks`): it is
    checked from its size and first bytes, then streamed into storage."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _editable(actor, programme)
    title = plain(title)
    if not title:
        raise ServiceError("Tên bài: không được để trống.", "title")
    if len(title) > 300:
        raise ServiceError("Tên bài: dài quá 300 ký tự.", "title")
    if kind not in LessonKind.values:
        raise ServiceError("Loại bài: chọn bài đọc, PDF, bài nghe hoặc video.", "kind")
    last = programme.lessons.order_by("-position").values_list("position", flat=True).first()
    lesson = Lesson(programme=programme, position=(last or 0) + 1, title=title, kind=kind)
    if kind == LessonKind.TEXT:
        lesson.body = sanitize(body)
        if is_blank(lesson.body):
            raise ServiceError("Nội dung: bài đọc không được để trống.", "body")
        if len(lesson.body) > 500_000:
            raise ServiceError("Nội dung: dài quá 500.000 ký tự.", "body")
        lesson.save()
    else:
        _attach_file(lesson, upload)
    record(
        action="learning.lesson_added",
        actor=actor,
        request=request,
        target=programme,
        note=f"{lesson.position}. {title}"[:200],
    )
    return lesson


KIND_LABEL = {"pdf": "PDF", "audio": "MP3, M4A, OGG hoặc WAV", "video": "MP4 hoặc WebM"}


def _attach_file(lesson: Lesson, upload) -> None:
    if upload is None:
        raise ServiceError("Tệp bài học: hãy chọn tệp.", "file")
    limit = media.limit_bytes(lesson.kind)
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise ServiceError("Tệp bài học: tệp rỗng.", "file")
    if size > limit:
        raise ServiceError(
            f"Tệp bài học: dung lượng tối đa {limit // 1048576} MB "
            f"(tệp này {size / 1048576:,.0f} MB).".replace(",", "."),
            "file",
        )
    upload.seek(0)
    head = upload.read(media.SNIFF_BYTES)
    upload.seek(0)
    content_type = media.sniff_lesson(head, lesson.kind)
    if content_type is None:
        raise ServiceError(
            f"Tệp bài học: chỉ nhận tệp {KIND_LABEL[lesson.kind]} thật; nội dung tệp này "
            "không đúng loại dù tên tệp là gì.",
            "file",
        )
    lesson.original_name = os.path.basename(plain(upload.name or "").replace("\\", "/"))[:200]
    lesson.content_type = content_type
    lesson.size = size
    lesson.file.save(lesson.original_name or "tep", upload, save=False)
    stored = lesson.file.name
    try:
        lesson.save()
    except Exception:
        lesson.file.storage.delete(stored)
        raise


@transaction.atomic
def remove_lesson(*, actor, lesson: Lesson, request=None) -> None:
    programme = lesson.programme
    _editable(actor, programme)
    name = lesson.file.name if lesson.file else ""
    lesson.delete()
    if name:
        transaction.on_commit(lambda: lesson.file.storage.delete(name))
    record(action="learning.lesson_removed", actor=actor, request=request, target=programme,
           note=lesson.title[:200])  # fmt: skip


# ------------------------------------------------------------------ lesson progress


def _study_member(user, programme: Programme):
    if not is_assigned(user, programme):
        raise PermissionDenied(NOT_ASSIGNED)
    return user.member


@transaction.atomic
def open_lesson(*, user, lesson: Lesson) -> LessonProgress:
    """The member opened the lesson. A text or PDF lesson counts as finished when
    opened; audio and video when played to the end (`save_position(finished=True)`)."""
    programme = lesson.programme
    member = _study_member(user, programme)
    item, created = LessonProgress.objects.get_or_create(lesson=lesson, member_id=member.pk)
    if lesson.kind in (LessonKind.TEXT, LessonKind.PDF) and item.finished_at is None:
        item.finished_at = timezone.now()
        item.save(update_fields=["finished_at", "updated_at"])
        progress.refresh(programme, member)
    elif created:
        progress.refresh(programme, member)
    return item


@transaction.atomic
def save_position(*, user, lesson: Lesson, position, finished: bool = False) -> LessonProgress:
    """Keep the audio/video position (seconds) the player resumes from; `finished`
    when it played to the end. A negative or non-number position is refused."""
    if not lesson.is_media:
        raise ServiceError("Chỉ bài nghe và video mới lưu vị trí nghe, xem.", "position")
    try:
        seconds = float(position)
    except (TypeError, ValueError):
        raise ServiceError("Vị trí: phải là số giây.", "position") from None
    if not (0 <= seconds < 24 * 3600):
        raise ServiceError("Vị trí: phải là số giây từ 0 trở lên.", "position")
    programme = lesson.programme
    member = _study_member(user, programme)
    item, created = LessonProgress.objects.select_for_update().get_or_create(
        lesson=lesson, member_id=member.pk
    )
    item.position = round(seconds, 1)
    fields = ["position", "updated_at"]
    newly_finished = finished and item.finished_at is None
    if newly_finished:
        item.finished_at = timezone.now()
        fields.append("finished_at")
    item.save(update_fields=fields)
    if created or newly_finished:
        progress.refresh(programme, member)
    return item


# ---------------------------------------------------------------------- reflections


@transaction.atomic
def submit_reflection(
    *, user, programme: Programme, body: str = "", upload=None, request=None
) -> Reflection:
    """Write (sanitised rich text) or upload (PDF/DOCX, sniffed) a reflection. While it
    waits for review or after "needs revision" it may be replaced; an accepted one is
    final."""
    member = _study_member(user, programme)
    existing = (
        Reflection.objects.select_for_update()
        .filter(programme=programme, member_id=member.pk)
        .first()
    )
    if existing is not None and existing.state == ReflectionState.ACCEPTED:
        raise ServiceError("Bài thu hoạch đã được đánh giá đạt; không nộp lại được.")
    text = sanitize(body)
    if len(text) > 200_000:
        raise ServiceError("Bài thu hoạch: dài quá 200.000 ký tự.", "body")
    if upload is None and is_blank(text):
        raise ServiceError("Bài thu hoạch: hãy viết nội dung hoặc tải tệp lên.", "body")
    reflection = existing or Reflection(programme=programme, member_id=member.pk)
    old_file = reflection.file.name if reflection.file else ""
    reflection.body = "" if upload is not None else text
    if upload is not None:
        limit = media.limit_bytes("reflection")
        if upload.size > limit:
            raise ServiceError(f"Tệp: dung lượng tối đa {limit // 1048576} MB.", "file")
        upload.seek(0)
        head = upload.read()
        upload.seek(0)
        from sotay.documents import files

        kind = files.sniff(head)
        if kind is None:
            raise ServiceError(
                "Tệp: chỉ nhận tệp PDF hoặc Word (DOCX) thật; nội dung tệp này không phải "
                "PDF hay DOCX dù tên tệp là gì.",
                "file",
            )
        reflection.content_type = kind
        reflection.original_name = os.path.basename(plain(upload.name or "").replace("\\", "/"))[
            :200
        ]
        reflection.file.save(reflection.original_name or "tep", upload, save=False)
    else:
        reflection.file = ""
        reflection.original_name = reflection.content_type = ""
    reflection.org_path = member.org_path
    reflection.state = ReflectionState.SUBMITTED
    reflection.comment = ""
    reflection.reviewed_by = None
    reflection.reviewed_at = None
    reflection.submitted_at = timezone.now()
    reflection.save()
    if old_file and old_file != (reflection.file.name if reflection.file else ""):
        storage = Reflection._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(old_file))
    progress.refresh(programme, member)
    record(action="learning.reflection_submitted", actor=user, request=request, target=programme)
    return reflection


@transaction.atomic
def review_reflection(
    *, actor, reflection: Reflection, accepted: bool, comment: str = "", request=None
) -> Reflection:
    """The branch secretary's review: accepted, or needs revision with a comment. The
    member is notified."""
    reflection = (
        Reflection.objects.select_for_update(of=("self",))
        .select_related("member__organization", "programme")
        .get(pk=reflection.pk)
    )
    if not can(actor, MEETINGS_MANAGE, reflection.member.organization):
        raise PermissionDenied(REVIEW_DENIED)
    comment = plain(comment)[:2000]
    if not accepted and len(comment) < 5:
        raise ServiceError("Nhận xét: hãy ghi rõ cần sửa gì (ít nhất 5 ký tự).", "comment")
    reflection.state = ReflectionState.ACCEPTED if accepted else ReflectionState.REVISION
    reflection.comment = comment
    reflection.reviewed_by = actor
    reflection.reviewed_at = timezone.now()
    reflection.save(update_fields=["state", "comment", "reviewed_by", "reviewed_at"])
    programme = reflection.programme
    progress.refresh(programme, reflection.member)
    record(
        action="learning.reflection_reviewed",
        actor=actor,
        request=request,
        target=reflection.member,
        note=f"{programme.title[:150]}: {reflection.get_state_display()}",
    )
    from django.contrib.auth import get_user_model

    from sotay.notifications.services import notify_user

    account = get_user_model().objects.filter(member_id=reflection.member_id).first()
    if account is not None:
        verdict = "đạt" if accepted else "cần viết lại"
        notify_user(
            user=account,
            title=f"Bài thu hoạch “{programme.title[:120]}”: {verdict}",
            body=comment,
            url=f"/hoc-tap/{programme.pk}/thu-hoach/",
        )
    return reflection


# ---------------------------------------------------------- members without a device


def _parse_score(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        score = Decimal(str(value).replace(",", ".")).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ServiceError("Điểm bài giấy: phải là số từ 0 đến 100.", "paper_score") from None
    if not (0 <= score <= 100):
        raise ServiceError("Điểm bài giấy: phải là số từ 0 đến 100.", "paper_score")
    return score


@transaction.atomic
def record_offline_study(
    *,
    actor,
    programme: Programme,
    member,
    studied_on: dt.date | None,
    paper_score=None,
    note: str = "",
    request=None,
) -> OfflineStudy:
    """The secretary records that `member` studied the programme at the branch session
    on `studied_on` and, optionally, the score (0–100) of a paper quiz. Entering it
    again corrects it. Flagged in reports and audited with the previous values."""
    if not can(actor, MEETINGS_MANAGE, member.organization):
        raise PermissionDenied(REVIEW_DENIED)
    if programme.state != ProgrammeState.PUBLISHED or not member.org_path.startswith(
        programme.path
    ):
        raise ServiceError("Chuyên đề này không giao cho đảng viên này.")
    if studied_on is None:
        raise ServiceError("Ngày học: hãy chọn ngày học tại chi bộ.", "studied_on")
    if studied_on > timezone.localdate():
        raise ServiceError("Ngày học: không được ở tương lai.", "studied_on")
    if studied_on < programme.opens_on:
        raise ServiceError("Ngày học: trước ngày bắt đầu chuyên đề.", "studied_on")
    score = _parse_score(paper_score)
    before = OfflineStudy.objects.filter(programme=programme, member=member).first()
    entry, _ = OfflineStudy.objects.update_or_create(
        programme=programme,
        member=member,
        defaults={
            "studied_on": studied_on,
            "paper_score": score,
            "note": plain(note)[:300],
            "recorded_by": actor,
        },
    )
    progress.refresh(programme, member)
    changes = {
        "studied_on": [str(before.studied_on) if before else None, str(studied_on)],
        "paper_score": [
            str(before.paper_score) if before and before.paper_score is not None else None,
            str(score) if score is not None else None,
        ],
    }
    record(
        action="learning.offline_recorded",
        actor=actor,
        request=request,
        target=member,
        changes=changes,
        note=f"{programme.title[:150]}: học tại chi bộ, bài giấy",
    )
    return entry
