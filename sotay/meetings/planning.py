"""Writes that prepare a meeting before it starts: editing the draft, the agenda,
materials, the monthly pattern, members' comments on the draft, the announcement's
notices, the superior committee member who follows the branch, and the (non-blocking)
preparation warnings. Same rules as services.py: keyword-only, transactional,
permission-checked, audited; refusals leave nothing changed."""

from __future__ import annotations

import calendar
import datetime as dt
import os
import zoneinfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from sotay.accounts.permissions import MEETINGS_MANAGE, ORG_MANAGE, can
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.documents import files
from sotay.documents.models import MAX_ATTACHMENT_BYTES, Document, DocumentState
from sotay.documents.queries import documents_visible_to
from sotay.documents.text import plain
from sotay.meetings.models import (
    AgendaItem,
    DraftComment,
    Liaison,
    Material,
    Meeting,
    MeetingKind,
    MeetingPattern,
    MeetingState,
)
from sotay.members.models import ACTIVE_STATUSES, Member
from sotay.organizations.models import Organization, Seat

# HD 42-HD/BTCTW (2025): papers on the app at least a day before; 90 minutes at least,
# 120 when a regular meeting is combined with a thematic topic.
MATERIALS_LEAD = dt.timedelta(days=1)
MIN_MINUTES = 90
MIN_MINUTES_COMBINED = 120
MAX_PATTERN_MONTHS = 12
MAX_COMMENT = 2000
EDITABLE = (MeetingState.DRAFT, MeetingState.ANNOUNCED)


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    text = plain(value)
    if required and not text:
        raise ServiceError(f"Vui lòng nhập {label}.", field)
    if len(text) > limit:
        raise ServiceError(f"{label[:1].upper()}{label[1:]} dài quá {limit} ký tự.", field)
    return text


def _require_manage(user, meeting: Meeting) -> None:
    from sotay.meetings.services import DENIED, may_run

    if not may_run(user, meeting):
        raise PermissionDenied(DENIED)


def _locked(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=meeting.pk)
    )


def _require_editable(meeting: Meeting) -> None:
    if meeting.state not in EDITABLE:
        raise ServiceError(
            "Cuộc họp đã bắt đầu hoặc đã kết thúc: không sửa chuẩn bị được nữa.", "state"
        )


# --- who is summoned ------------------------------------------------------------------


def summoned_members(meeting: Meeting) -> QuerySet[Member]:
    """The members a meeting summons, as they stand now: for a branch meeting its
    members (official attachment) and those temporarily attached to it; for a committee
    meeting the holders of its current seats. The roster snapshot at start and the
    announcement's notices both use this."""
    org_id = meeting.organization_id
    if meeting.kind == MeetingKind.COMMITTEE:
        today = timezone.localdate()
        seats = (
            Seat.objects.filter(organization_id=org_id, starts_on__lte=today)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
            .values("member_id")
        )
        return Member.objects.filter(pk__in=seats, status__in=ACTIVE_STATUSES)
    return Member.objects.filter(
        Q(organization_id=org_id) | Q(temp_organization_id=org_id), status__in=ACTIVE_STATUSES
    )


def current_liaison(organization, day: dt.date | None = None) -> Liaison | None:
    day = day or timezone.localdate()
    return (
        Liaison.objects.filter(organization=organization, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
        .select_related("member")
        .order_by("-starts_on")
        .first()
    )


def notify_announced(*, user, meeting: Meeting):
    """The announcement's notice: every summoned member with an active account and the
    committee member following the branch, in one set-based write."""
    from sotay.accounts.models import User
    from sotay.notifications.services import notify_users

    liaison = current_liaison(meeting.organization)
    recipients = Q(member__in=summoned_members(meeting).values("pk"))
    if liaison is not None:
        recipients |= Q(member_id=liaison.member_id)
    local = timezone.localtime(meeting.starts_at, _tz())
    where = meeting.place or "trực tuyến"
    return notify_users(
        users=User.objects.filter(recipients),
        title=f"Lịch họp: {meeting.topic}"[:200],
        body=(
            f"{meeting.organization.name} họp lúc {local:%H:%M} ngày {local:%d/%m/%Y} "
            f"tại {where}. Mời đồng chí xem chương trình, tài liệu và góp ý dự thảo."
        ),
        url=reverse("meetings:detail", args=[meeting.pk]),
        org=meeting.organization,
        sender=user if getattr(user, "pk", None) else None,
    )


# --- editing the draft --------------------------------------------------------------------


@transaction.atomic
def update_meeting(
    *,
    user,
    meeting: Meeting,
    topic: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    kind: str,
    place: str = "",
    online_link: str = "",
    with_thematic: bool = False,
    chair: Member | None = None,
    secretary: Member | None = None,
) -> Meeting:
    """Change a draft meeting (after the announcement members have been told a time:
    a change then needs a new announcement, so it is refused)."""
    from sotay.meetings import services

    meeting = _locked(meeting)
    _require_manage(user, meeting)
    if meeting.state != MeetingState.DRAFT:
        raise ServiceError("Chỉ sửa được cuộc họp đang ở dạng dự thảo.", "state")
    values = services.clean_meeting_fields(
        organization=meeting.organization,
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        place=place,
        online_link=online_link,
        chair=chair,
        secretary=secretary,
    )
    values["with_thematic"] = bool(with_thematic) and values["kind"] == MeetingKind.REGULAR
    before = {k: str(getattr(meeting, k)) for k in values}
    for name, value in values.items():
        setattr(meeting, name, value)
    meeting.save(update_fields=list(values))
    changes = {k: [before[k], str(v)] for k, v in values.items() if before[k] != str(v)}
    record(action="meetings.edit", actor=user, target=meeting, changes=changes)
    return meeting


# --- agenda -----------------------------------------------------------------------------


def _presenter(meeting: Meeting, presenter: Member | None, presenter_name: str):
    from sotay.meetings.services import _member_of

    name = _text(presenter_name, "presenter_name", "tên người trình bày", 150)
    member = _member_of(meeting.organization, presenter, "presenter", "Người trình bày")
    return member, ("" if member else name)


@transaction.atomic
def add_agenda_item(
    *,
    user,
    meeting: Meeting,
    title: str,
    presenter: Member | None = None,
    presenter_name: str = "",
) -> AgendaItem:
    """Append an item; the presenter is a member of the organisation or, for a guest,
    a name."""
    meeting = _locked(meeting)
    _require_manage(user, meeting)
    _require_editable(meeting)
    title = _text(title, "title", "nội dung chương trình", 500, required=True)
    member, name = _presenter(meeting, presenter, presenter_name)
    last = meeting.agenda.aggregate(m=Max("position"))["m"] or 0
    if last >= 50:
        raise ServiceError("Chương trình họp tối đa 50 nội dung.", "title")
    item = AgendaItem.objects.create(
        meeting=meeting, position=last + 1, title=title, presenter=member, presenter_name=name
    )
    record(action="meetings.agenda_add", actor=user, target=meeting, note=title[:200])
    return item


@transaction.atomic
def update_agenda_item(
    *,
    user,
    item: AgendaItem,
    title: str,
    presenter: Member | None = None,
    presenter_name: str = "",
) -> AgendaItem:
    meeting = _locked(item.meeting)
    _require_manage(user, meeting)
    _require_editable(meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk, meeting=meeting)
    title = _text(title, "title", "nội dung chương trình", 500, required=True)
    member, name = _presenter(meeting, presenter, presenter_name)
    before = item.title
    item.title, item.presenter, item.presenter_name = title, member, name
    item.save(update_fields=["title", "presenter", "presenter_name"])
    record(
        action="meetings.agenda_edit",
        actor=user,
        target=meeting,
        changes={"title": [before, title]},
    )
    return item


@transaction.atomic
def move_agenda_item(*, user, item: AgendaItem, offset: int) -> AgendaItem:
    """Move an item one place up (offset -1) or down (+1), swapping with its
    neighbour; at either end nothing moves."""
    meeting = _locked(item.meeting)
    _require_manage(user, meeting)
    _require_editable(meeting)
    if offset not in (-1, 1):
        raise ServiceError("Chỉ di chuyển lên hoặc xuống một bậc.", "offset")
    items = list(AgendaItem.objects.select_for_update().filter(meeting=meeting))
    index = next((i for i, a in enumerate(items) if a.pk == item.pk), None)
    if index is None:
        raise ServiceError("Không tìm thấy nội dung chương trình.", "item")
    other = index + offset
    if not 0 <= other < len(items):
        return items[index]
    a, b = items[index], items[other]
    pos_a, pos_b = a.position, b.position
    # (meeting, position) is unique: park one row on 0 while swapping.
    a.position = 0
    a.save(update_fields=["position"])
    b.position = pos_a
    b.save(update_fields=["position"])
    a.position = pos_b
    a.save(update_fields=["position"])
    record(action="meetings.agenda_move", actor=user, target=meeting, note=a.title[:200])
    return a


@transaction.atomic
def remove_agenda_item(*, user, item: AgendaItem) -> None:
    meeting = _locked(item.meeting)
    _require_manage(user, meeting)
    _require_editable(meeting)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk, meeting=meeting)
    title = item.title
    item.delete()
    for position, rest in enumerate(meeting.agenda.order_by("position"), start=1):
        if rest.position != position:
            rest.position = position
            rest.save(update_fields=["position"])
    record(action="meetings.agenda_remove", actor=user, target=meeting, note=title[:200])


# --- materials --------------------------------------------------------------------------


@transaction.atomic
def add_material_document(
    *, user, meeting: Meeting, document: Document, title: str = ""
) -> Material:
    """Link a published library document the user may read. Members see it on the
    meeting page only if the library lets them read it (checked when shown)."""
    meeting = _locked(meeting)
    _require_manage(user, meeting)
    _require_editable(meeting)
    visible = documents_visible_to(user).filter(pk=document.pk, state=DocumentState.PUBLISHED)
    if not visible.exists():
        raise ServiceError("Chỉ gắn được văn bản đã ban hành mà bạn đọc được.", "document")
    if meeting.materials.filter(document=document).exists():
        raise ServiceError("Văn bản này đã có trong tài liệu cuộc họp.", "document")
    label = (
        _text(title, "title", "tên tài liệu", 300)
        or (f"{document.symbol} · {document.title}" if document.symbol else document.title)[:300]
    )
    material = Material.objects.create(
        meeting=meeting, title=label, document=document, added_by=user
    )
    record(action="meetings.material_add", actor=user, target=meeting, note=label[:200])
    return material


@transaction.atomic
def add_material_file(
    *, user, meeting: Meeting, data: bytes, filename: str, title: str = ""
) -> Material:
    """Upload a PDF or DOCX (the type is sniffed from the bytes, the library's check;
    at most 20 MB)."""
    meeting = _locked(meeting)
    _require_manage(user, meeting)
    _require_editable(meeting)
    if not data:
        raise ServiceError("Tệp tài liệu: tệp rỗng.", "file")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ServiceError("Tệp tài liệu: dung lượng tối đa 20 MB.", "file")
    content_type = files.sniff(data)
    if content_type is None:
        raise ServiceError(
            "Tệp tài liệu: chỉ nhận tệp PDF hoặc Word (DOCX) thật; nội dung tệp này không "
            "phải PDF hay DOCX dù tên tệp là gì.",
            "file",
        )
    name = os.path.basename(plain(filename).replace("\\", "/"))[:200] or "tai-lieu"
    label = _text(title, "title", "tên tài liệu", 300) or name
    material = Material(
        meeting=meeting,
        title=label,
        original_name=name,
        content_type=content_type,
        size=len(data),
        added_by=user,
    )
    material.file.save(f"{meeting.pk}-{os.urandom(8).hex()}", ContentFile(data), save=False)
    stored = material.file.name
    try:
        material.save()
    except Exception:
        material.file.storage.delete(stored)
        raise
    record(action="meetings.material_add", actor=user, target=meeting, note=label[:200])
    return material


@transaction.atomic
def remove_material(*, user, material: Material) -> None:
    meeting = _locked(material.meeting)
    _require_manage(user, meeting)
    _require_editable(meeting)
    material = Material.objects.get(pk=material.pk, meeting=meeting)
    stored = material.file.name if material.file else ""
    title = material.title
    material.delete()
    if stored:
        storage = material.file.storage
        transaction.on_commit(lambda: storage.delete(stored))
    record(action="meetings.material_remove", actor=user, target=meeting, note=title[:200])


def published_at(material: Material, meeting: Meeting) -> dt.datetime | None:
    """When members could first read the material: the announcement, or the upload if
    it came later; None while the meeting is a draft."""
    if meeting.announced_at is None:
        return None
    return max(meeting.announced_at, material.created_at)


def warnings(meeting: Meeting, materials=None, now: dt.datetime | None = None) -> list[str]:
    """What HD 42 asks and the preparation does not meet yet. Shown, never blocking."""
    now = now or timezone.now()
    out: list[str] = []
    if meeting.state in (MeetingState.CLOSED, MeetingState.MINUTES_APPROVED):
        return out
    minutes = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    if meeting.with_thematic and minutes < MIN_MINUTES_COMBINED:
        out.append(
            gettext(
                "Thời lượng dự kiến %(minutes)s phút: sinh hoạt thường kỳ kết hợp chuyên đề "
                "cần ít nhất %(least)s phút."
            )
            % {"minutes": minutes, "least": MIN_MINUTES_COMBINED}
        )
    elif minutes < MIN_MINUTES:
        out.append(
            gettext("Thời lượng dự kiến %(minutes)s phút: sinh hoạt chi bộ cần ít nhất 90 phút.")
            % {"minutes": minutes}
        )
    materials = list(meeting.materials.all()) if materials is None else materials
    deadline = meeting.starts_at - MATERIALS_LEAD
    if not materials:
        out.append(gettext("Chưa có tài liệu: tài liệu cần đăng trước giờ họp ít nhất 1 ngày."))
    elif meeting.state == MeetingState.DRAFT:
        if now > deadline:
            out.append(
                gettext(
                    "Tài liệu chưa được công bố (cuộc họp chưa thông báo) và đã sát giờ họp: "
                    "đảng viên không có đủ 1 ngày để nghiên cứu."
                )
            )
    else:
        late = [m.title for m in materials if published_at(m, meeting) > deadline]
        if late:
            out.append(
                gettext("Tài liệu đăng muộn (chưa đủ 1 ngày trước giờ họp): %(titles)s.")
                % {"titles": "; ".join(late)}
            )
    return out


# --- comments on the draft -----------------------------------------------------------------


def may_comment(user, meeting: Meeting) -> bool:
    member = getattr(user, "member", None)
    if member is None or meeting.state not in EDITABLE:
        return False
    if meeting.state == MeetingState.DRAFT:
        return False
    if meeting.kind == MeetingKind.COMMITTEE:
        return summoned_members(meeting).filter(pk=member.pk).exists()
    return meeting.organization_id in (member.organization_id, member.temp_organization_id)


@transaction.atomic
def add_comment(*, user, meeting: Meeting, body: str) -> DraftComment:
    """A summoned member comments on the announced meeting's draft content, until it
    starts."""
    meeting = Meeting.objects.select_related("organization").get(pk=meeting.pk)
    member = getattr(user, "member", None)
    if member is None:
        raise ServiceError("Tài khoản của bạn chưa gắn với hồ sơ đảng viên.", "member")
    if meeting.state not in EDITABLE or meeting.state == MeetingState.DRAFT:
        raise ServiceError("Chỉ góp ý khi cuộc họp đã thông báo và chưa bắt đầu.", "state")
    if not may_comment(user, meeting):
        raise PermissionDenied("Chỉ đảng viên được triệu tập mới góp ý dự thảo.")
    body = _text(body, "body", "nội dung góp ý", MAX_COMMENT, required=True)
    comment = DraftComment.objects.create(
        meeting=meeting, author=user, author_name=member.full_name, body=body
    )
    record(action="meetings.comment", actor=user, target=meeting)
    return comment


# --- monthly pattern ---------------------------------------------------------------------


@transaction.atomic
def save_pattern(
    *,
    user,
    organization: Organization,
    day_of_month: int,
    start_time: dt.time,
    duration_minutes: int,
    topic: str,
    kind: str = MeetingKind.REGULAR,
    place: str = "",
    online_link: str = "",
) -> MeetingPattern:
    """Set (or replace) the branch's monthly pattern for a kind of meeting."""
    from sotay.meetings.services import clean_meeting_fields

    if not can(user, MEETINGS_MANAGE, organization):
        raise PermissionDenied("Bạn không có quyền lập lịch họp cho tổ chức này.")
    if not isinstance(day_of_month, int) or not 1 <= day_of_month <= 31:
        raise ServiceError("Ngày họp hằng tháng phải từ 1 đến 31.", "day_of_month")
    if not isinstance(start_time, dt.time):
        raise ServiceError("Giờ bắt đầu không hợp lệ.", "start_time")
    if not isinstance(duration_minutes, int) or not 30 <= duration_minutes <= 600:
        raise ServiceError("Thời lượng phải từ 30 đến 600 phút.", "duration_minutes")
    probe = timezone.now().replace(microsecond=0)
    values = clean_meeting_fields(
        organization=organization,
        topic=topic,
        starts_at=probe,
        ends_at=probe + dt.timedelta(minutes=duration_minutes),
        kind=kind,
        place=place,
        online_link=online_link,
    )
    pattern, _ = MeetingPattern.objects.update_or_create(
        organization=organization,
        kind=values["kind"],
        defaults={
            "day_of_month": day_of_month,
            "start_time": start_time.replace(second=0, microsecond=0),
            "duration_minutes": duration_minutes,
            "topic": values["topic"][:300],
            "place": values["place"],
            "online_link": values["online_link"],
            "updated_by": user,
        },
    )
    record(
        action="meetings.pattern",
        actor=user,
        target=organization,
        note=f"ngày {day_of_month} hằng tháng, {start_time:%H:%M}, {duration_minutes} phút",
    )
    return pattern


def pattern_dates(pattern: MeetingPattern, months: int, now: dt.datetime) -> list[dt.datetime]:
    """The next `months` starts of the pattern from `now` on (local time); a day past
    the month's end falls on its last day (31 → 30/04, 28 or 29/02)."""
    tz = _tz()
    local = timezone.localtime(now, tz)
    year, month = local.year, local.month
    out = []
    while len(out) < months:
        day = min(pattern.day_of_month, calendar.monthrange(year, month)[1])
        start = dt.datetime.combine(dt.date(year, month, day), pattern.start_time, tzinfo=tz)
        if start > now:
            out.append(start)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


@transaction.atomic
def draft_from_pattern(
    *, user, pattern: MeetingPattern, months: int = 3, now: dt.datetime | None = None
) -> list[Meeting]:
    """Draft the meetings of the next `months` months from the pattern. A month that
    already has a meeting of the same kind for the organisation gets none (so running
    it twice drafts nothing new)."""
    from sotay.meetings.services import schedule_meeting

    org = Organization.objects.select_for_update().get(pk=pattern.organization_id)
    if not can(user, MEETINGS_MANAGE, org):
        raise PermissionDenied("Bạn không có quyền lập lịch họp cho tổ chức này.")
    if not isinstance(months, int) or not 1 <= months <= MAX_PATTERN_MONTHS:
        raise ServiceError(f"Số tháng phải từ 1 đến {MAX_PATTERN_MONTHS}.", "months")
    tz = _tz()
    created = []
    for start in pattern_dates(pattern, months, now or timezone.now()):
        first = start.replace(day=1, hour=0, minute=0)
        nxt = (first + dt.timedelta(days=32)).replace(day=1)
        taken = Meeting.objects.filter(
            organization=org, kind=pattern.kind, starts_at__gte=first, starts_at__lt=nxt
        ).exists()
        if taken:
            continue
        local = start.astimezone(tz)
        created.append(
            schedule_meeting(
                user=user,
                organization=org,
                topic=f"{pattern.topic} tháng {local.month}/{local.year}",
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=pattern.duration_minutes),
                kind=pattern.kind,
                place=pattern.place,
                online_link=pattern.online_link,
            )
        )
    record(
        action="meetings.pattern_draft",
        actor=user,
        target=org,
        changes={"created": [m.pk for m in created]},
    )
    return created


# --- the committee member following the branch --------------------------------------------


def _holds_seat_above(member: Member, org: Organization, day: dt.date) -> bool:
    ancestors = [
        org.path[:i] for i in range(Organization.steplen, len(org.path), Organization.steplen)
    ]
    return (
        Seat.objects.filter(member=member, organization__path__in=ancestors, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
        .exists()
    )


@transaction.atomic
def assign_liaison(
    *,
    user,
    organization: Organization,
    member: Member,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
) -> Liaison:
    """Name the superior committee member who follows `organization` from `starts_on`.
    Set by the office over the branch (organizations.manage); the person must hold a
    current committee seat of an organisation above it. An open-ended assignment still
    running ends the day the new one starts; any other overlap is refused."""
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if not can(user, ORG_MANAGE, org):
        raise PermissionDenied("Bạn không có quyền phân công cấp ủy viên phụ trách chi bộ.")
    if not isinstance(starts_on, dt.date):
        raise ServiceError("Ngày bắt đầu phụ trách không hợp lệ.", "starts_on")
    if ends_on is not None and ends_on <= starts_on:
        raise ServiceError("Ngày kết thúc phải sau ngày bắt đầu.", "ends_on")
    if not _holds_seat_above(member, org, starts_on):
        raise ServiceError(
            "Người được phân công phải là cấp ủy viên cấp trên của chi bộ.", "member"
        )
    running = Liaison.objects.select_for_update().filter(organization=org)
    for other in running:
        other_end = other.ends_on or dt.date.max
        new_end = ends_on or dt.date.max
        if other.starts_on < new_end and starts_on < other_end:
            if other.ends_on is None and other.starts_on < starts_on:
                other.ends_on = starts_on
                other.save(update_fields=["ends_on"])
                continue
            raise ServiceError(
                "Chi bộ đã có cấp ủy viên phụ trách trong thời gian này.", "starts_on"
            )
    liaison = Liaison.objects.create(
        organization=org, member=member, starts_on=starts_on, ends_on=ends_on, assigned_by=user
    )
    record(
        action="meetings.liaison",
        actor=user,
        target=org,
        note=f"{member.full_name} từ {starts_on:%d/%m/%Y}",
    )
    return liaison
