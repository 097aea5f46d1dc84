"""Writes of branch meetings: scheduling, the roster snapshot, check-in, attendance,
motions and votes. Every function is keyword-only and transactional; refusals are
ServiceError / PermissionDenied with a Vietnamese message and leave nothing changed.

Who may run a meeting: holders of `meetings.manage` over its organisation, and the
members named as its chair or meeting secretary (they run the room on the night).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sotay.accounts.permissions import MEETINGS_MANAGE, can
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.documents.text import plain
from sotay.meetings import ballotbox, planning, quorum, stats
from sotay.meetings.models import (
    YES_NO_OPTIONS,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Ballot,
    BallotBox,
    CheckInMethod,
    Meeting,
    MeetingKind,
    MeetingState,
    Motion,
    MotionKind,
    MotionResult,
    MotionState,
    RosterCategory,
    RosterEntry,
    Vote,
    VoterMark,
)
from sotay.members.models import Member, MemberStatus

# Members may check in from this long before the announced start until the end.
CHECK_IN_OPENS_BEFORE = dt.timedelta(minutes=30)
# Arriving more than this after the start is "late" (unverified: make configurable).
LATE_AFTER = dt.timedelta(minutes=15)
# The QR code on the secretary's screen changes every QR_PERIOD; a code is accepted for
# its own period plus QR_GRACE (the time to scan it), so a photo of it soon stops working.
QR_PERIOD = 30
QR_GRACE = 5

DENIED = "Bạn không có quyền điều hành cuộc họp này."
NOT_ON_ROSTER = "Bạn không có tên trong danh sách triệu tập của cuộc họp này."
OTHER_BRANCH = "Cuộc họp này là của chi bộ khác, bạn không điểm danh được."
ALREADY_VOTED = "Bạn đã biểu quyết nội dung này, không được biểu quyết lần hai."


# --- helpers -------------------------------------------------------------------------


def may_run(user, meeting: Meeting) -> bool:
    """Whether the user runs this meeting: the permission over its organisation, or
    named as its chair or meeting secretary."""
    if can(user, MEETINGS_MANAGE, meeting.organization):
        return True
    member_id = getattr(user, "member_id", None)
    return member_id is not None and member_id in (meeting.chair_id, meeting.secretary_id)


def _require_run(user, meeting: Meeting) -> None:
    if not may_run(user, meeting):
        raise PermissionDenied(DENIED)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=meeting.pk)
    )


def _require_state(meeting: Meeting, *states: str, message: str) -> None:
    if meeting.state not in states:
        raise ServiceError(message, "state")


def _text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    text = plain(value)
    if required and not text:
        raise ServiceError(f"Vui lòng nhập {label}.", field)
    if len(text) > limit:
        raise ServiceError(f"{label.capitalize()} dài quá {limit} ký tự.", field)
    return text


def _member_of(org, member: Member | None, field: str, label: str) -> Member | None:
    if member is None:
        return None
    if member.organization_id != org.pk and member.temp_organization_id != org.pk:
        raise ServiceError(f"{label} phải là đảng viên sinh hoạt tại {org.name}.", field)
    return member


# --- scheduling ------------------------------------------------------------------------


def clean_meeting_fields(
    *,
    organization,
    topic: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    kind: str = MeetingKind.REGULAR,
    place: str = "",
    online_link: str = "",
    chair: Member | None = None,
    secretary: Member | None = None,
) -> dict:
    """The checked fields of a meeting (schedule and edit share them); raises on the
    first problem."""
    if kind not in MeetingKind.values:
        raise ServiceError("Loại cuộc họp không hợp lệ.", "kind")
    topic = _text(topic, "topic", "chủ đề", 500, required=True)
    place = _text(place, "place", "địa điểm", 255)
    online_link = _text(online_link, "online_link", "đường dẫn họp trực tuyến", 500)
    if online_link:
        try:
            URLValidator(schemes=["https", "http"])(online_link)
        except ValidationError:
            raise ServiceError("Đường dẫn họp trực tuyến không hợp lệ.", "online_link") from None
    if not place and not online_link:
        raise ServiceError("Vui lòng nhập địa điểm hoặc đường dẫn họp trực tuyến.", "place")
    if not isinstance(starts_at, dt.datetime) or timezone.is_naive(starts_at):
        raise ServiceError("Thời gian bắt đầu không hợp lệ.", "starts_at")
    if not isinstance(ends_at, dt.datetime) or timezone.is_naive(ends_at):
        raise ServiceError("Thời gian kết thúc không hợp lệ.", "ends_at")
    if ends_at <= starts_at:
        raise ServiceError("Thời gian kết thúc phải sau thời gian bắt đầu.", "ends_at")
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise ServiceError("Một cuộc họp không kéo dài quá 24 giờ.", "ends_at")
    return {
        "kind": kind,
        "topic": topic,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "online_link": online_link,
        "chair": _member_of(organization, chair, "chair", "Người chủ trì"),
        "secretary": _member_of(organization, secretary, "secretary", "Thư ký"),
    }


@transaction.atomic
def schedule_meeting(
    *,
    user,
    organization,
    topic: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    kind: str = MeetingKind.REGULAR,
    place: str = "",
    online_link: str = "",
    with_thematic: bool = False,
    chair: Member | None = None,
    secretary: Member | None = None,
    agenda: list[tuple[str, Member | None]] | None = None,
) -> Meeting:
    """A draft meeting with its agenda (title, presenter) in order. `with_thematic`:
    a regular meeting combined with a thematic topic (it then needs 120 minutes)."""
    if not can(user, MEETINGS_MANAGE, organization):
        raise PermissionDenied("Bạn không có quyền lập lịch họp cho tổ chức này.")
    values = clean_meeting_fields(
        organization=organization,
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=kind,
        place=place,
        online_link=online_link,
        chair=chair,
        secretary=secretary,
    )
    meeting = Meeting.objects.create(
        organization=organization,
        with_thematic=bool(with_thematic) and values["kind"] == MeetingKind.REGULAR,
        created_by=user if getattr(user, "pk", None) else None,
        **values,
    )
    for position, (title, presenter) in enumerate(agenda or [], start=1):
        AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            title=_text(title, "agenda", "nội dung chương trình", 500, required=True),
            presenter=_member_of(organization, presenter, "agenda", "Người trình bày"),
        )
    record(action="meetings.schedule", actor=user, target=meeting)
    return meeting


@transaction.atomic
def announce_meeting(*, user, meeting: Meeting) -> Meeting:
    meeting = _locked_meeting(meeting)
    _require_run(user, meeting)
    _require_state(
        meeting, MeetingState.DRAFT, message="Chỉ thông báo được cuộc họp đang ở dạng dự thảo."
    )
    meeting.state = MeetingState.ANNOUNCED
    meeting.announced_at = timezone.now()
    meeting.save(update_fields=["state", "announced_at"])
    notice = planning.notify_announced(user=user, meeting=meeting)
    record(
        action="meetings.announce",
        actor=user,
        target=meeting,
        changes={"notified": notice.recipient_count},
    )
    return meeting


def _roster_rows(meeting: Meeting) -> list[RosterEntry]:
    """Who is summoned, as they stand now. A branch meeting summons the branch's members
    (official attachment) and those temporarily attached to it; a committee meeting
    summons the holders of its current seats."""
    org = meeting.organization
    members = planning.summoned_members(meeting)
    rows = []
    for m in members.order_by("name_sort", "pk"):
        if m.organization_id != org.pk:
            category = RosterCategory.TEMP_ATTACHED
        elif m.temp_organization_id and m.temp_organization_id != org.pk:
            category = RosterCategory.TRANSFERRED_OUT
        else:
            category = _category_for_status(m.status)
        rows.append(
            RosterEntry(
                meeting=meeting,
                member=m,
                full_name=m.full_name,
                name_sort=m.name_sort,
                category=category,
                member_status=m.status,
            )
        )
    return rows


def _category_for_status(status: str) -> str:
    return {
        MemberStatus.FULL: RosterCategory.FULL,
        MemberStatus.PROBATIONARY: RosterCategory.PROBATIONARY,
        MemberStatus.EXEMPT: RosterCategory.EXEMPT,
    }[status]


@transaction.atomic
def start_meeting(*, user, meeting: Meeting, now: dt.datetime | None = None) -> Meeting:
    """Open the meeting and take the roster snapshot from the members at this moment.
    Allowed from CHECK_IN_OPENS_BEFORE the announced start until its end."""
    meeting = _locked_meeting(meeting)
    _require_run(user, meeting)
    _require_state(
        meeting, MeetingState.ANNOUNCED, message="Cuộc họp phải được thông báo trước khi bắt đầu."
    )
    now = now or timezone.now()
    if now < meeting.starts_at - CHECK_IN_OPENS_BEFORE:
        raise ServiceError(
            "Chưa đến giờ họp: chỉ bắt đầu được từ 30 phút trước giờ đã thông báo.", "starts_at"
        )
    if now > meeting.ends_at:
        raise ServiceError("Đã quá giờ kết thúc dự kiến của cuộc họp.", "ends_at")
    rows = RosterEntry.objects.bulk_create(_roster_rows(meeting))
    if connection.features.can_return_rows_from_bulk_insert:
        entries = rows
    else:
        entries = list(RosterEntry.objects.filter(meeting=meeting))
    Attendance.objects.bulk_create([Attendance(entry=e) for e in entries])
    meeting.state = MeetingState.IN_PROGRESS
    meeting.started_at = now
    meeting.save(update_fields=["state", "started_at"])
    record(
        action="meetings.start",
        actor=user,
        target=meeting,
        changes={"roster": len(entries)},
    )
    return meeting


@transaction.atomic
def close_meeting(*, user, meeting: Meeting, now: dt.datetime | None = None) -> Meeting:
    meeting = _locked_meeting(meeting)
    _require_run(user, meeting)
    _require_state(
        meeting, MeetingState.IN_PROGRESS, message="Chỉ kết thúc được cuộc họp đang diễn ra."
    )
    if meeting.motions.filter(state=MotionState.OPEN).exists():
        raise ServiceError("Còn nội dung đang biểu quyết: hãy kết thúc biểu quyết trước.", "state")
    meeting.state = MeetingState.CLOSED
    meeting.closed_at = now or timezone.now()
    meeting.save(update_fields=["state", "closed_at"])
    # Presence no longer changes once closed: count it now (one INSERT … SELECT), so the
    # first statistics read after a meeting night does not count 8,000 meetings at once.
    stats.count_attendance(Meeting.objects.filter(pk=meeting.pk))
    record(action="meetings.close", actor=user, target=meeting)
    return meeting


# --- roster and attendance -----------------------------------------------------------------


def _entry_for_update(entry: RosterEntry) -> tuple[RosterEntry, Attendance]:
    entry = RosterEntry.objects.select_related("meeting__organization").get(pk=entry.pk)
    attendance = Attendance.objects.select_for_update().get(entry=entry)
    attendance.entry = entry
    return entry, attendance


@transaction.atomic
def set_suspended(*, user, entry: RosterEntry, suspended: bool, note: str = "") -> RosterEntry:
    """Record that a summoned member is suspended, prosecuted or detained (đình chỉ sinh
    hoạt, khởi tố, truy tố, tạm giam) — the member register has no such status, so the
    convener states it for the meeting, with its basis; audited. `suspended=False`
    restores the category the member's standing gives."""
    meeting = _locked_meeting(entry.meeting)
    entry, _attendance = _entry_for_update(entry)
    _require_run(user, meeting)
    _require_state(
        meeting, MeetingState.IN_PROGRESS, message="Chỉ sửa danh sách khi cuộc họp đang diễn ra."
    )
    if meeting.motions.filter(state=MotionState.OPEN).exists():
        raise ServiceError("Không sửa danh sách khi đang biểu quyết.", "category")
    note = _text(note, "note", "căn cứ", 300, required=suspended)
    before = entry.category
    if suspended:
        if entry.category not in (
            RosterCategory.FULL,
            RosterCategory.PROBATIONARY,
            RosterCategory.EXEMPT,
        ):
            raise ServiceError(
                "Đảng viên này không thuộc diện đang sinh hoạt tại chi bộ.", "category"
            )
        entry.category = RosterCategory.SUSPENDED
    else:
        if entry.category != RosterCategory.SUSPENDED:
            return entry
        entry.category = _category_for_status(entry.member_status)
    entry.category_note = note
    entry.save(update_fields=["category", "category_note"])
    record(
        action="meetings.roster_category",
        actor=user,
        target=meeting,
        target_label=f"{meeting} – {entry.full_name}",
        changes={"category": [before, entry.category]},
        note=note,
    )
    return entry


def check_in_open(meeting: Meeting, now: dt.datetime | None = None) -> bool:
    """Whether members may check themselves in now."""
    now = now or timezone.now()
    return (
        meeting.state == MeetingState.IN_PROGRESS
        and meeting.starts_at - CHECK_IN_OPENS_BEFORE <= now <= meeting.ends_at
    )


def qr_code(meeting: Meeting, now: dt.datetime | None = None) -> str:
    """The check-in code shown on the secretary's screen now; it changes every
    QR_PERIOD seconds and is keyed by the meeting's own secret."""
    slot = int((now or timezone.now()).timestamp()) // QR_PERIOD
    return _qr_for_slot(meeting, slot)


def _qr_for_slot(meeting: Meeting, slot: int) -> str:
    msg = f"{meeting.pk}:{slot}".encode()
    return hmac.new(meeting.qr_secret.encode(), msg, hashlib.sha256).hexdigest()[:20]


def _qr_valid(meeting: Meeting, code: str, now: dt.datetime) -> bool:
    ts = int(now.timestamp())
    slots = {ts // QR_PERIOD, (ts - QR_GRACE) // QR_PERIOD}
    return any(hmac.compare_digest(_qr_for_slot(meeting, s), code or "") for s in slots)


# Scanning the code opens the check-in page; the member then taps "Có mặt". A code that
# was current when the page opened is exchanged for a ticket bound to that member and
# meeting, accepted for QR_TICKET_AGE seconds, so a slow tap still counts while a photo
# of the code (stale when opened) does not.
QR_TICKET_AGE = 120
_TICKET_SALT = "sotay.meetings.qr-ticket"


def qr_ticket(*, user, meeting: Meeting, code: str, now: dt.datetime | None = None) -> str:
    """Exchange the code scanned just now for a short-lived ticket (no write)."""
    now = now or timezone.now()
    if not _qr_valid(meeting, code, now):
        raise ServiceError("Mã QR đã hết hạn hoặc không đúng. Hãy quét mã đang hiển thị.", "code")
    return signing.dumps(
        {"m": meeting.pk, "u": user.pk, "t": int(now.timestamp())}, salt=_TICKET_SALT
    )


def ticket_valid(ticket: str, meeting_id: int, user, now: dt.datetime) -> bool:
    """Whether the ticket was issued to this user for this meeting moments ago."""
    if not ticket:
        return False
    try:
        data = signing.loads(ticket, salt=_TICKET_SALT)
    except signing.BadSignature:
        return False
    if not isinstance(data, dict) or data.get("m") != meeting_id or data.get("u") != user.pk:
        return False
    age = now.timestamp() - float(data.get("t", 0))
    return -QR_GRACE <= age <= QR_TICKET_AGE


@transaction.atomic
def check_in(
    *,
    user,
    meeting: Meeting,
    method: str = CheckInMethod.PHONE,
    code: str = "",
    ticket: str = "",
    now: dt.datetime | None = None,
) -> Attendance:
    """The signed-in member checks themself in, from the phone or by scanning the
    rotating QR code (`code`, or the `ticket` it was exchanged for on opening the
    page). Refused outside the window, off the roster, for another branch's meeting,
    with a stale code. Checking in again changes nothing."""
    now = now or timezone.now()
    member = getattr(user, "member", None)
    if member is None:
        raise ServiceError("Tài khoản của bạn chưa gắn với hồ sơ đảng viên.", "member")
    if method not in (CheckInMethod.PHONE, CheckInMethod.QR):
        raise ServiceError("Cách điểm danh không hợp lệ.", "method")
    # One statement: the member's line locked, with the meeting as it is now (its state
    # may have changed since the caller read it). The hot path of a meeting night.
    attendance = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("entry__meeting")
        .filter(entry__meeting_id=meeting.pk, entry__member=member)
        .first()
    )
    if attendance is None:
        meeting = Meeting.objects.select_related("organization").get(pk=meeting.pk)
        belongs = meeting.organization_id in (member.organization_id, member.temp_organization_id)
        if not belongs:
            raise PermissionDenied(OTHER_BRANCH)
    else:
        meeting = attendance.entry.meeting
    if meeting.state != MeetingState.IN_PROGRESS:
        raise ServiceError("Cuộc họp chưa bắt đầu hoặc đã kết thúc điểm danh.", "meeting")
    if now < meeting.starts_at - CHECK_IN_OPENS_BEFORE or now > meeting.ends_at:
        raise ServiceError(
            "Ngoài thời gian điểm danh (từ 30 phút trước giờ họp đến khi kết thúc).", "meeting"
        )
    if attendance is None:
        raise PermissionDenied(NOT_ON_ROSTER)
    if (
        method == CheckInMethod.QR
        and not _qr_valid(meeting, code, now)
        and not ticket_valid(ticket, meeting.pk, user, now)
    ):
        raise ServiceError("Mã QR đã hết hạn hoặc không đúng. Hãy quét mã đang hiển thị.", "code")
    if attendance.status != AttendanceStatus.ABSENT:
        return attendance
    attendance.status = (
        AttendanceStatus.LATE if now > meeting.starts_at + LATE_AFTER else AttendanceStatus.PRESENT
    )
    attendance.checked_in_at = now
    attendance.method = method
    attendance.by_secretary = False
    attendance.reason = ""
    attendance.reason_accepted = None
    attendance.save(
        update_fields=[
            "status", "checked_in_at", "method", "by_secretary", "reason", "reason_accepted",
        ]
    )  # fmt: skip
    return attendance


@transaction.atomic
def mark_attendance(
    *,
    user,
    entry: RosterEntry,
    status: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Attendance:
    """The secretary marks a line present / late / absent (with a reason). Every line
    marked this way is flagged `by_secretary` and audited."""
    entry, attendance = _entry_for_update(entry)
    meeting = entry.meeting
    _require_run(user, meeting)
    _require_state(
        meeting, MeetingState.IN_PROGRESS, message="Chỉ điểm danh khi cuộc họp đang diễn ra."
    )
    if status not in AttendanceStatus.values:
        raise ServiceError("Trạng thái điểm danh không hợp lệ.", "status")
    reason = _text(reason, "reason", "lý do vắng", 300)
    if status != AttendanceStatus.ABSENT and reason:
        raise ServiceError("Chỉ ghi lý do khi đảng viên vắng mặt.", "reason")
    before = {"status": attendance.status, "reason": attendance.reason}
    attendance.status = status
    attendance.reason = reason
    if status == AttendanceStatus.ABSENT:
        attendance.checked_in_at = None
        attendance.method = ""
        if before["reason"] != reason:
            attendance.reason_accepted = None
    else:
        attendance.checked_in_at = now or timezone.now()
        attendance.method = CheckInMethod.SECRETARY
        attendance.reason_accepted = None
    attendance.by_secretary = True
    attendance.marked_by = user
    attendance.save(
        update_fields=[
            "status", "reason", "reason_accepted", "checked_in_at", "method", "by_secretary",
            "marked_by",
        ]
    )  # fmt: skip
    record(
        action="meetings.mark_attendance",
        actor=user,
        target=meeting,
        target_label=f"{meeting} – {entry.full_name}",
        changes={"status": [before["status"], status], "reason": [before["reason"], reason]},
    )
    return attendance


@transaction.atomic
def decide_reason(*, user, entry: RosterEntry, accepted: bool) -> Attendance:
    """The convener accepts or rejects an absentee's reason; audited."""
    entry, attendance = _entry_for_update(entry)
    meeting = entry.meeting
    _require_run(user, meeting)
    _require_state(
        meeting,
        MeetingState.IN_PROGRESS,
        MeetingState.CLOSED,
        message="Không còn xét lý do vắng của cuộc họp này.",
    )
    if attendance.status != AttendanceStatus.ABSENT or not attendance.reason:
        raise ServiceError("Chỉ xét lý do của đảng viên vắng mặt có nêu lý do.", "reason")
    if meeting.motions.filter(state=MotionState.OPEN).exists():
        raise ServiceError("Không xét lý do vắng khi đang biểu quyết.", "reason")
    before = attendance.reason_accepted
    attendance.reason_accepted = bool(accepted)
    attendance.marked_by = user
    attendance.save(update_fields=["reason_accepted", "marked_by"])
    record(
        action="meetings.decide_reason",
        actor=user,
        target=meeting,
        target_label=f"{meeting} – {entry.full_name}",
        changes={"reason_accepted": [before, attendance.reason_accepted]},
    )
    return attendance


# --- motions ---------------------------------------------------------------------------


def roster_lines(meeting: Meeting) -> list[tuple[RosterEntry, quorum.Line]]:
    rows = Attendance.objects.filter(entry__meeting=meeting).select_related("entry")
    return [(a.entry, a.line()) for a in rows]


@transaction.atomic
def open_motion(
    *,
    user,
    meeting: Meeting,
    title: str,
    kind: str = MotionKind.RESOLUTION,
    options: list[str] | None = None,
    max_choices: int = 1,
    ballot: str = Ballot.OPEN,
    previous: Motion | None = None,
) -> Motion:
    """Put a question to the vote. Without `options` it is Tán thành / Không tán thành /
    Ý kiến khác. `previous` puts a failed motion again (next round, at most three)."""
    meeting = _locked_meeting(meeting)
    _require_run(user, meeting)
    _require_state(
        meeting, MeetingState.IN_PROGRESS, message="Chỉ biểu quyết khi cuộc họp đang diễn ra."
    )
    if kind not in MotionKind.values:
        raise ServiceError("Loại biểu quyết không hợp lệ.", "kind")
    if ballot not in Ballot.values:
        raise ServiceError("Hình thức biểu quyết không hợp lệ.", "ballot")
    title = _text(title, "title", "nội dung biểu quyết", 500, required=True)
    if options and kind != MotionKind.PERSONNEL and list(options) != YES_NO_OPTIONS:
        # A resolution passes on its "Tán thành" count; only an election has candidates.
        raise ServiceError("Chỉ biểu quyết nhân sự mới có danh sách phương án riêng.", "options")
    options = [plain(o) for o in (options or YES_NO_OPTIONS)]
    if len(options) < 2 or any(not o or len(o) > 200 for o in options):
        raise ServiceError(
            "Cần ít nhất hai phương án, mỗi phương án không quá 200 ký tự.", "options"
        )
    if len({o.casefold() for o in options}) != len(options):
        raise ServiceError("Các phương án không được trùng nhau.", "options")
    if options == YES_NO_OPTIONS:
        max_choices = 1
    if not isinstance(max_choices, int) or not 1 <= max_choices < len(options):
        raise ServiceError(
            "Số phương án được chọn phải từ 1 đến ít hơn số phương án.", "max_choices"
        )
    round_no = 1
    if previous is not None:
        previous = Motion.objects.select_for_update().get(pk=previous.pk)
        if previous.meeting_id != meeting.pk or previous.result != MotionResult.FAILED:
            raise ServiceError(
                "Chỉ biểu quyết lại được nội dung chưa thông qua của cuộc họp này.", "previous"
            )
        if Motion.objects.filter(previous=previous).exists():
            raise ServiceError("Nội dung này đã được biểu quyết lại.", "previous")
        round_no = previous.round + 1
    motion = Motion.objects.create(
        meeting=meeting,
        title=title,
        kind=kind,
        options=options,
        max_choices=max_choices,
        ballot=ballot,
        round=round_no,
        previous=previous,
    )
    if ballot == Ballot.SECRET:
        BallotBox.objects.create(motion=motion, sealed=ballotbox.empty(motion.pk, len(options)))
    record(
        action="meetings.open_motion",
        actor=user,
        target=meeting,
        target_label=f"{meeting} – {title}"[:255],
        changes={"motion": motion.pk, "ballot": ballot, "round": round_no},
    )
    return motion


def _clean_choices(motion: Motion, choices) -> list[int]:
    if isinstance(choices, int):
        choices = [choices]
    try:
        chosen = sorted({int(c) for c in choices})
    except (TypeError, ValueError):
        raise ServiceError("Phương án bầu không hợp lệ.", "choices") from None
    if not chosen:
        raise ServiceError("Vui lòng chọn một phương án.", "choices")
    if any(c < 0 or c >= len(motion.options) for c in chosen):
        raise ServiceError("Phương án bầu không hợp lệ.", "choices")
    if len(chosen) > motion.max_choices:
        raise ServiceError(f"Chỉ được chọn tối đa {motion.max_choices} phương án.", "choices")
    return chosen


def _lock_motion(motion: Motion) -> Motion:
    """The motion re-read under an exclusive lock (closing): no vote can slip in after
    the count is frozen; votes take the lock in `_locked_motion_state`."""
    return (
        Motion.objects.select_for_update(of=("self",))
        .select_related("meeting__organization")
        .get(pk=motion.pk)
    )


def _check_voter(motion: Motion, entry: RosterEntry, attendance: Attendance) -> None:
    if entry.category in (RosterCategory.PROBATIONARY,):
        raise PermissionDenied("Đảng viên dự bị không có quyền biểu quyết.")
    if entry.category not in quorum.VOTING_CATEGORIES:
        raise PermissionDenied(
            f"Đảng viên thuộc diện “{entry.get_category_display()}” không biểu quyết tại cuộc họp này."
        )
    if attendance.status == AttendanceStatus.ABSENT:
        raise ServiceError("Bạn phải điểm danh có mặt trước khi biểu quyết.", "attendance")


def _already_voted(motion: Motion, member: Member) -> bool:
    marks = VoterMark if motion.ballot == Ballot.SECRET else Vote
    return marks.objects.filter(motion_id=motion.pk, member=member).exists()


def _locked_motion_state(motion: Motion, *, exclusive: bool) -> str:
    """The motion's state now, its row locked in one statement: open-ballot votes share
    the lock (they run side by side; the unique constraint alone stops a second vote),
    secret ballots take it exclusively, as closing does (`_lock_motion`). A vote needs
    nothing else fresh from the row (options and ballot are fixed once it is open)."""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT state FROM meetings_motion WHERE id = %s FOR UPDATE"
            if exclusive
            else "SELECT state FROM meetings_motion WHERE id = %s FOR SHARE"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [motion.pk])
            return cursor.fetchone()[0]
    return Motion.objects.select_for_update().values_list("state", flat=True).get(pk=motion.pk)


def _cast(*, motion: Motion, member: Member, choices, recorded_by=None) -> None:
    """Three statements on the way in (lock + state, roster line + attendance, insert;
    a secret ballot adds the box); a member's own vote usually takes `night`'s quick
    statement instead. The unique constraints are what guarantee one vote per member."""
    already = (
        "Đảng viên này đã biểu quyết nội dung này, không được ghi lần hai."
        if recorded_by is not None
        else ALREADY_VOTED
    )
    secret = motion.ballot == Ballot.SECRET
    if secret and recorded_by is not None:
        raise ServiceError("Bỏ phiếu kín không được ghi hộ.", "ballot")
    if _locked_motion_state(motion, exclusive=secret) != MotionState.OPEN:
        if _already_voted(motion, member):
            raise ServiceError(already, "member")
        raise ServiceError("Biểu quyết đã kết thúc, không nhận thêm phiếu.", "motion")
    attendance = (
        Attendance.objects.select_related("entry")
        .filter(entry__meeting_id=motion.meeting_id, entry__member=member)
        .first()
    )
    if attendance is None:
        raise PermissionDenied(NOT_ON_ROSTER)
    _check_voter(motion, attendance.entry, attendance)
    chosen = _clean_choices(motion, choices)
    # No savepoint: a duplicate aborts this transaction, and the ServiceError raised
    # rolls it back whole (every caller runs inside @transaction.atomic).
    try:
        with transaction.atomic(savepoint=False):
            if secret:
                VoterMark.objects.create(motion=motion, member=member)
            else:
                Vote.objects.create(
                    motion=motion,
                    member=member,
                    choices=chosen,
                    by_show_of_hands=recorded_by is not None,
                    recorded_by=recorded_by,
                )
    except IntegrityError:
        raise ServiceError(already, "member") from None
    if secret:
        box = BallotBox.objects.select_for_update().get(motion=motion)
        box.sealed = ballotbox.add_ballot(motion.pk, box.sealed, chosen)
        box.save(update_fields=["sealed"])


@transaction.atomic
def cast_vote(*, user, motion: Motion, choices, member: Member | None = None) -> None:
    """The signed-in member votes. `member`, when given, must be the user's own record:
    nobody votes for another member (show of hands goes through
    `record_show_of_hands`). Nothing about the choice is audited or logged."""
    own = getattr(user, "member", None)
    if own is None:
        raise ServiceError("Tài khoản của bạn chưa gắn với hồ sơ đảng viên.", "member")
    if member is not None and member.pk != own.pk:
        raise PermissionDenied("Không được biểu quyết thay đảng viên khác.")
    _cast(motion=motion, member=own, choices=choices)


@transaction.atomic
def record_show_of_hands(*, user, motion: Motion, member: Member, choices) -> None:
    """The secretary records a vote given by show of hands for a member without a
    phone. Open ballots only; flagged on the vote and audited."""
    motion = Motion.objects.select_related("meeting__organization").get(pk=motion.pk)
    _require_run(user, motion.meeting)
    if motion.ballot != Ballot.OPEN:
        raise ServiceError("Bỏ phiếu kín không được ghi hộ.", "ballot")
    _cast(motion=motion, member=member, choices=choices, recorded_by=user)
    record(
        action="meetings.show_of_hands",
        actor=user,
        target=motion.meeting,
        target_label=f"{motion.meeting} – {member.full_name}"[:255],
        changes={
            "motion": motion.pk,
            "member": member.pk,
            "choices": _clean_choices(motion, choices),
        },
    )


def _counts(motion: Motion) -> tuple[int, list[int]]:
    """Ballots cast and the count per option."""
    if motion.ballot == Ballot.SECRET:
        vector = ballotbox.unseal(motion.pk, BallotBox.objects.get(motion=motion).sealed)
        return vector[0], vector[1:]
    counts = [0] * len(motion.options)
    cast = 0
    for choices in Vote.objects.filter(motion=motion).values_list("choices", flat=True):
        cast += 1
        for c in choices:
            counts[c] += 1
    return cast, counts


def _decide(motion: Motion, counts: list[int], denom: int) -> str:
    """The result of a yes/no motion on the "Tán thành" count; for candidates, passed
    when at least one candidate carries the threshold (the elected are those who do,
    best first, up to `max_choices`)."""
    if motion.is_yes_no:
        return quorum.outcome(counts[0], denom, motion.threshold, motion.round)
    best = max(counts, default=0)
    return quorum.outcome(best, denom, motion.threshold, motion.round)


@transaction.atomic
def close_motion(*, user, motion: Motion, now: dt.datetime | None = None) -> Motion:
    """Close the vote and freeze who could vote, the denominator, the counts and the
    result. Refused when nobody present may vote (the vote could not be valid)."""
    motion = _lock_motion(motion)
    _require_run(user, motion.meeting)
    if motion.state != MotionState.OPEN:
        raise ServiceError("Biểu quyết này đã kết thúc.", "motion")
    lines = roster_lines(motion.meeting)
    eligible = [entry.pk for entry, line in lines if quorum.may_vote(line)]
    denom = quorum.denominator(line for _e, line in lines)
    if not eligible or denom == 0:
        raise ServiceError(
            "Không có đảng viên nào đủ điều kiện biểu quyết: chưa thể kết thúc biểu quyết.",
            "motion",
        )
    cast, counts = _counts(motion)
    motion.state = MotionState.CLOSED
    motion.closed_at = now or timezone.now()
    motion.frozen_eligible = len(eligible)
    motion.frozen_eligible_ids = sorted(eligible)
    motion.frozen_denominator = denom
    motion.frozen_votes_cast = cast
    motion.frozen_counts = counts
    motion.result = _decide(motion, counts, denom)
    motion.save()
    record(
        action="meetings.close_motion",
        actor=user,
        target=motion.meeting,
        target_label=f"{motion.meeting} – {motion.title}"[:255],
        changes={
            "motion": motion.pk,
            "denominator": denom,
            "eligible": len(eligible),
            "cast": cast,
            "counts": counts,
            "result": motion.result,
        },
    )
    return motion


def votes_cast(motion: Motion) -> int:
    """How many have voted: all that is shown while the vote is open."""
    if motion.ballot == Ballot.SECRET:
        return VoterMark.objects.filter(motion=motion).count()
    return Vote.objects.filter(motion=motion).count()


def elected(motion: Motion) -> list[str]:
    """Candidates carrying the threshold, best first, up to `max_choices` (after close).
    A tie at the last seat elects nobody for that seat (a new round decides)."""
    if motion.state != MotionState.CLOSED or motion.is_yes_no:
        return []
    denom = motion.frozen_denominator or 0
    ranked = sorted(
        (
            (count, option)
            for option, count in zip(motion.options, motion.frozen_counts, strict=True)
            if quorum.passes(count, denom, motion.threshold)
        ),
        key=lambda pair: -pair[0],
    )
    seats = motion.max_choices
    if len(ranked) > seats and ranked[seats - 1][0] == ranked[seats][0]:
        tie = ranked[seats][0]
        ranked = [pair for pair in ranked if pair[0] > tie]
    return [option for _count, option in ranked[:seats]]


def with_results(motions: list[Motion]) -> list[Motion]:
    """Attach what a closed motion shows: (option, count) rows and the elected."""
    for motion in motions:
        if motion.state == MotionState.CLOSED:
            motion.result_rows = list(zip(motion.options, motion.frozen_counts, strict=False))
            motion.elected_list = elected(motion)
    return motions


def presence_summary(meeting: Meeting) -> quorum.Summary:
    return quorum.summary(line for _entry, line in roster_lines(meeting))
