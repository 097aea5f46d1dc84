"""The branch resolution (nghị quyết chi bộ) of a meeting: drafted from the meeting's
conclusions and the motions it passed, edited as plain text (the library stores plain
text), then published into the documents library for the organisation — kind Nghị quyết,
issuer and audience the organisation, symbol like `05-NQ/CB` — through
documents.services.publish_branch_resolution. Every step needs meetings.manage on the
organisation. Keyword-only, transactional; refusals change nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sotay.accounts.permissions import MEETINGS_MANAGE, can
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.meetings.minutes import _locked_meeting, _note_text
from sotay.meetings.models import (
    BranchResolution,
    Meeting,
    MeetingState,
    MotionResult,
    ResolutionState,
)

DENIED_RESOLUTION = "Bạn không có quyền ban hành nghị quyết của tổ chức này."


def _require_resolution_right(user, meeting: Meeting) -> None:
    if not can(user, MEETINGS_MANAGE, meeting.organization):
        raise PermissionDenied(DENIED_RESOLUTION)


def resolution_symbol(number: int, meeting: Meeting) -> str:
    """`05-NQ/CB` for a branch (chi bộ), `05-NQ/ĐU` for a party committee (đảng ủy)."""
    issuer = "CB" if meeting.organization.is_branch else "ĐU"
    return f"{number:02d}-NQ/{issuer}"


def _next_number(meeting: Meeting) -> int:
    year = timezone.localtime(meeting.starts_at).year
    top = BranchResolution.objects.filter(
        meeting__organization_id=meeting.organization_id, meeting__starts_at__year=year
    ).aggregate(n=Max("number"))["n"]
    return (top or 0) + 1


def draft_resolution_body(meeting: Meeting) -> str:
    """Plain text: the grounds, then one numbered article per conclusion and per motion
    the meeting passed."""
    local = timezone.localtime(meeting.started_at or meeting.starts_at)
    org = meeting.organization
    lines = [
        f"Căn cứ Điều lệ Đảng; căn cứ kết quả cuộc họp của {org.name} ngày {local:%d/%m/%Y} "
        f"về “{meeting.topic}”,",
        "",
        f"{org.name.upper()} QUYẾT NGHỊ:",
        "",
    ]
    articles = [c.text for c in meeting.conclusions.order_by("id")]
    articles += [
        f"Thông qua: {m.title}."
        for m in meeting.motions.filter(result=MotionResult.PASSED).order_by("id")
    ]
    for n, text in enumerate(articles, start=1):
        lines.append(f"{n}. {text}")
    lines += [
        "",
        "Các đồng chí đảng viên trong chi bộ có trách nhiệm thực hiện nghị quyết này.",
    ]
    return "\n".join(lines)


@transaction.atomic
def draft_resolution(*, user, meeting: Meeting) -> BranchResolution:
    meeting = _locked_meeting(meeting)
    _require_resolution_right(user, meeting)
    if meeting.state not in (MeetingState.CLOSED, MeetingState.MINUTES_APPROVED):
        raise ServiceError("Chỉ dự thảo nghị quyết khi cuộc họp đã kết thúc.", "meeting")
    if BranchResolution.objects.filter(meeting=meeting).exists():
        raise ServiceError("Cuộc họp đã có dự thảo nghị quyết.", "meeting")
    if not meeting.conclusions.exists():
        raise ServiceError(
            "Chưa có kết luận nào của cuộc họp: hãy ghi kết luận trước khi dự thảo nghị quyết.",
            "meeting",
        )
    number = _next_number(meeting)
    local = timezone.localtime(meeting.started_at or meeting.starts_at)
    resolution = BranchResolution.objects.create(
        meeting=meeting,
        number=number,
        symbol=resolution_symbol(number, meeting),
        title=f"Nghị quyết {meeting.organization.name} tháng {local.month} năm {local.year}",
        body=draft_resolution_body(meeting),
        created_by=user,
    )
    record(
        action="meetings.draft_resolution",
        actor=user,
        target=meeting,
        changes={"symbol": resolution.symbol},
    )
    return resolution


@transaction.atomic
def edit_resolution(
    *, user, resolution: BranchResolution, number: int, title: str, body: str
) -> BranchResolution:
    resolution = BranchResolution.objects.select_for_update().get(pk=resolution.pk)
    meeting = Meeting.objects.select_related("organization").get(pk=resolution.meeting_id)
    _require_resolution_right(user, meeting)
    if resolution.state != ResolutionState.DRAFT:
        raise ServiceError("Nghị quyết đã ban hành, không sửa được.", "body")
    if not isinstance(number, int) or not 1 <= number <= 99999:
        raise ServiceError("Số nghị quyết phải là số nguyên từ 1 đến 99999.", "number")
    taken = (
        BranchResolution.objects.filter(
            meeting__organization_id=meeting.organization_id,
            meeting__starts_at__year=timezone.localtime(meeting.starts_at).year,
            number=number,
        )
        .exclude(pk=resolution.pk)
        .exists()
    )
    if taken:
        raise ServiceError(f"Số {number} đã dùng cho một nghị quyết khác trong năm.", "number")
    title = _note_text(title, "title", "trích yếu", 500)
    body = _note_text(body, "body", "nội dung nghị quyết", 100_000)
    resolution.number = number
    resolution.symbol = resolution_symbol(number, meeting)
    resolution.title = title
    resolution.body = body
    resolution.save(update_fields=["number", "symbol", "title", "body", "updated_at"])
    record(
        action="meetings.edit_resolution",
        actor=user,
        target=meeting,
        changes={"symbol": resolution.symbol},
    )
    return resolution


@transaction.atomic
def publish_resolution(*, user, resolution: BranchResolution, request=None) -> BranchResolution:
    """Publish the resolution into the documents library: kind Nghị quyết, issued by
    the branch, addressed to the branch (documents.services.publish_branch_resolution)."""
    from sotay.documents.services import publish_branch_resolution

    resolution = BranchResolution.objects.select_for_update().get(pk=resolution.pk)
    meeting = Meeting.objects.select_related("organization").get(pk=resolution.meeting_id)
    _require_resolution_right(user, meeting)
    if resolution.state != ResolutionState.DRAFT:
        raise ServiceError("Nghị quyết này đã được ban hành.", "resolution")
    document = publish_branch_resolution(
        actor=user,
        organization=meeting.organization,
        symbol=resolution.symbol,
        title=resolution.title,
        body=resolution.body,
        issued_on=timezone.localdate(),
        request=request,
    )
    resolution.state = ResolutionState.PUBLISHED
    resolution.document = document
    resolution.published_at = timezone.now()
    resolution.save(update_fields=["state", "document", "published_at", "updated_at"])
    record(
        action="meetings.publish_resolution",
        actor=user,
        target=meeting,
        changes={"symbol": resolution.symbol, "document": document.pk},
    )
    return resolution
