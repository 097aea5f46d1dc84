"""Minutes (biên bản) of a meeting; the branch resolution drafted from it is in resolution.py.

During the meeting the meeting secretary types each speaker's remarks, the chair's
conclusions and the guests; after the close the minutes are drafted from the meeting
(DOMAIN §5: place, time, the summoned and present split full / probationary /
temporarily attached plus exempt and transferred-out counts, absentees by name with and
without reason, chair and secretary, guests, agenda, remarks, conclusions, frozen vote
results, closing time), edited as sanitised rich text, then approved.

Approval locks a version and records the SHA-256 of its body (`content_hash`); any later
change is a new version with a reason, and every version stays readable. Nothing edits
an approved version in place: `edit_minutes` refuses it.

Who may:
  * remarks, conclusions, guests, drafting and editing the draft: whoever runs the
    meeting (`services.may_run`: meetings.manage on the organisation, or the member
    named chair or meeting secretary — the secretary writes the minutes);
  * approving, starting a new version, the resolution: meetings.manage on the
    organisation (the convener's act);
  * reading approved minutes: anyone who may see the meeting (its members, the superior
    committee via reports.view); drafts only those who run it (access_minutes.py).

Every function is keyword-only and transactional; refusals are ServiceError /
PermissionDenied with a Vietnamese message and change nothing.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from sotay.accounts.permissions import MEETINGS_MANAGE, can
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.richtext import is_blank, sanitize
from sotay.documents.text import plain
from sotay.meetings import quorum
from sotay.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Ballot,
    Conclusion,
    Meeting,
    MeetingGuest,
    MeetingKind,
    MeetingState,
    Minutes,
    MinutesState,
    Motion,
    MotionResult,
    MotionState,
    Remark,
    RosterCategory,
    RosterEntry,
)
from sotay.meetings.services import elected, may_run, presence_summary
from sotay.members.models import Member

DENIED_WRITE = "Chỉ người điều hành hoặc thư ký cuộc họp được ghi biên bản."
DENIED_APPROVE = "Bạn không có quyền thông qua biên bản của tổ chức này."
LOCKED = (
    "Biên bản đã được thông qua nên không sửa được. Hãy lập phiên bản mới và ghi rõ lý do thay đổi."
)
BODY_LIMIT = 200_000
EXPECTED_CATEGORIES = frozenset(
    {RosterCategory.FULL, RosterCategory.PROBATIONARY, RosterCategory.TEMP_ATTACHED}
)
NOTE_LIMIT = 5_000


# --- helpers -------------------------------------------------------------------------------


def may_approve(user, meeting: Meeting) -> bool:
    return can(user, MEETINGS_MANAGE, meeting.organization)


def _require_write(user, meeting: Meeting) -> None:
    if not may_run(user, meeting):
        raise PermissionDenied(DENIED_WRITE)


def _locked_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=meeting.pk)
    )


def _note_text(value, field: str, label: str, limit: int = NOTE_LIMIT) -> str:
    text = plain(value)
    if not text:
        raise ServiceError(f"Vui lòng nhập {label}.", field)
    if len(text) > limit:
        raise ServiceError(
            f"{label.capitalize()} dài quá {limit:,} ký tự.".replace(",", "."), field
        )
    return text


def _require_notes_open(meeting: Meeting) -> None:
    """Remarks, conclusions and guests are written while the meeting runs and may be
    completed after the close, until minutes are approved."""
    if (
        meeting.state == MeetingState.MINUTES_APPROVED
        or meeting.minutes.filter(state=MinutesState.APPROVED).exists()
    ):
        raise ServiceError(LOCKED, "meeting")
    if meeting.state not in (MeetingState.IN_PROGRESS, MeetingState.CLOSED):
        raise ServiceError(
            "Chỉ ghi diễn biến khi cuộc họp đang diễn ra hoặc đã kết thúc.", "meeting"
        )


def _agenda_item(meeting: Meeting, item: AgendaItem | None) -> AgendaItem | None:
    if item is not None and item.meeting_id != meeting.pk:
        raise ServiceError("Nội dung chương trình không thuộc cuộc họp này.", "agenda_item")
    return item


def content_hash(body: str) -> str:
    """SHA-256 (hex) of the minutes body as stored: NFC text encoded as UTF-8."""
    return hashlib.sha256(unicodedata.normalize("NFC", body).encode("utf-8")).hexdigest()


# --- guests, remarks, conclusions ----------------------------------------------------------


@transaction.atomic
def add_guest(*, user, meeting: Meeting, full_name: str, position: str = "") -> MeetingGuest:
    meeting = _locked_meeting(meeting)
    _require_write(user, meeting)
    if meeting.state == MeetingState.MINUTES_APPROVED:
        raise ServiceError(LOCKED, "meeting")
    full_name = _note_text(full_name, "full_name", "họ và tên khách mời", 150)
    position = plain(position)
    if len(position) > 255:
        raise ServiceError("Chức vụ, đơn vị dài quá 255 ký tự.", "position")
    guest = MeetingGuest.objects.create(meeting=meeting, full_name=full_name, position=position)
    record(
        action="meetings.add_guest",
        actor=user,
        target=meeting,
        target_label=f"{meeting} – {full_name}"[:255],
    )
    return guest


@transaction.atomic
def remove_guest(*, user, guest: MeetingGuest) -> None:
    meeting = _locked_meeting(guest.meeting)
    _require_write(user, meeting)
    if meeting.state == MeetingState.MINUTES_APPROVED:
        raise ServiceError(LOCKED, "meeting")
    name = guest.full_name
    MeetingGuest.objects.filter(pk=guest.pk, meeting=meeting).delete()
    record(
        action="meetings.remove_guest",
        actor=user,
        target=meeting,
        target_label=f"{meeting} – {name}"[:255],
    )


@transaction.atomic
def add_remark(
    *,
    user,
    meeting: Meeting,
    text: str,
    speaker: Member | None = None,
    speaker_name: str = "",
    agenda_item: AgendaItem | None = None,
) -> Remark:
    """A speaker's remark. `speaker` is a member on the meeting's roster; a guest who
    speaks is named by `speaker_name` alone."""
    meeting = _locked_meeting(meeting)
    _require_write(user, meeting)
    _require_notes_open(meeting)
    text = _note_text(text, "text", "nội dung phát biểu")
    if speaker is not None:
        entry = RosterEntry.objects.filter(meeting=meeting, member=speaker).first()
        if entry is None:
            raise ServiceError(
                "Người phát biểu không có trong danh sách triệu tập; "
                "với khách mời, hãy ghi họ tên.",
                "speaker",
            )
        name = entry.full_name
    else:
        name = _note_text(speaker_name, "speaker_name", "họ tên người phát biểu", 150)
    remark = Remark.objects.create(
        meeting=meeting,
        agenda_item=_agenda_item(meeting, agenda_item),
        speaker=speaker,
        speaker_name=name,
        text=text,
        created_by=user,
    )
    record(
        action="meetings.add_remark",
        actor=user,
        target=meeting,
        target_label=f"{meeting} – {name}"[:255],
        changes={"remark": remark.pk},
    )
    return remark


@transaction.atomic
def delete_remark(*, user, remark: Remark) -> None:
    meeting = _locked_meeting(remark.meeting)
    _require_write(user, meeting)
    _require_notes_open(meeting)
    Remark.objects.filter(pk=remark.pk, meeting=meeting).delete()
    record(
        action="meetings.delete_remark",
        actor=user,
        target=meeting,
        changes={"remark": remark.pk},
        note=remark.text[:300],
    )


@transaction.atomic
def add_conclusion(
    *, user, meeting: Meeting, text: str, agenda_item: AgendaItem | None = None
) -> Conclusion:
    meeting = _locked_meeting(meeting)
    _require_write(user, meeting)
    _require_notes_open(meeting)
    conclusion = Conclusion.objects.create(
        meeting=meeting,
        agenda_item=_agenda_item(meeting, agenda_item),
        text=_note_text(text, "text", "nội dung kết luận"),
        created_by=user,
    )
    record(
        action="meetings.add_conclusion",
        actor=user,
        target=meeting,
        changes={"conclusion": conclusion.pk},
    )
    return conclusion


@transaction.atomic
def delete_conclusion(*, user, conclusion: Conclusion) -> None:
    meeting = _locked_meeting(conclusion.meeting)
    _require_write(user, meeting)
    _require_notes_open(meeting)
    Conclusion.objects.filter(pk=conclusion.pk, meeting=meeting).delete()
    record(
        action="meetings.delete_conclusion",
        actor=user,
        target=meeting,
        changes={"conclusion": conclusion.pk},
        note=conclusion.text[:300],
    )


# --- what the minutes say -----------------------------------------------------------------


@dataclass
class Absentee:
    full_name: str
    reason: str
    accepted: bool | None


@dataclass
class VoteResult:
    title: str
    round: int
    secret: bool
    eligible: int
    denominator: int
    votes_cast: int
    counts: list[tuple[str, int]]
    result: str
    elected: list[str]


@dataclass
class MinutesFacts:
    """Everything the minutes record, read from the meeting (DOMAIN §5)."""

    meeting: Meeting
    summary: quorum.Summary
    absent_with_reason: list[Absentee]
    absent_without_reason: list[Absentee]
    absent_exempt: list[str]
    chair: str
    secretary: str
    guests: list[MeetingGuest]
    agenda: list[AgendaItem]
    remarks: list[Remark]
    conclusions: list[Conclusion]
    votes: list[VoteResult] = field(default_factory=list)


def _when(value) -> str:
    if value is None:
        return "…"
    local = timezone.localtime(value)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def heading(meeting: Meeting) -> str:
    """The title line: "BIÊN BẢN HỌP CHI BỘ THÁNG 11 NĂM 2026" or the kind of meeting."""
    local = timezone.localtime(meeting.started_at or meeting.starts_at)
    unit = "CHI BỘ" if meeting.organization.is_branch else "ĐẢNG BỘ"
    when = f"THÁNG {local.month} NĂM {local.year}"
    if meeting.kind == MeetingKind.THEMATIC:
        return f"BIÊN BẢN SINH HOẠT CHUYÊN ĐỀ {unit} {when}"
    if meeting.kind == MeetingKind.EXTRAORDINARY:
        return f"BIÊN BẢN HỌP {unit} BẤT THƯỜNG {when}"
    if meeting.kind == MeetingKind.COMMITTEE:
        committee = "CHI ỦY" if meeting.organization.is_branch else "CẤP ỦY"
        return f"BIÊN BẢN HỌP {committee} {when}"
    return f"BIÊN BẢN HỌP {unit} {when}"


def _vote_results(meeting: Meeting) -> list[VoteResult]:
    out = []
    motions = Motion.objects.filter(meeting=meeting, state=MotionState.CLOSED).order_by("id")
    for m in motions:
        out.append(
            VoteResult(
                title=m.title,
                round=m.round,
                secret=m.ballot == Ballot.SECRET,
                eligible=m.frozen_eligible or 0,
                denominator=m.frozen_denominator or 0,
                votes_cast=m.frozen_votes_cast or 0,
                # Aggregates only: the frozen counts per option, never who chose what.
                counts=list(zip(m.options, m.frozen_counts, strict=True)),
                result=MotionResult(m.result).label if m.result else "",
                elected=elected(m),
            )
        )
    return out


def minutes_facts(meeting: Meeting) -> MinutesFacts:
    """Read everything once: a fixed number of queries whatever the size of the roster."""
    rows = list(
        Attendance.objects.filter(entry__meeting=meeting)
        .select_related("entry")
        .order_by("entry__name_sort", "entry_id")
    )
    # Members away on temporary transfer or suspended are not expected at the meeting:
    # they are counted in the totals, not listed as absent. Exempt members who stay away
    # are listed apart (they are excused by their exemption, not by a reason).
    absent = [
        a
        for a in rows
        if a.status == AttendanceStatus.ABSENT and a.entry.category in EXPECTED_CATEGORIES
    ]
    names = {
        m.pk: m.full_name
        for m in Member.objects.filter(pk__in=[meeting.chair_id, meeting.secretary_id])
    }
    return MinutesFacts(
        meeting=meeting,
        summary=presence_summary(meeting),
        absent_with_reason=[
            Absentee(a.entry.full_name, a.reason, a.reason_accepted) for a in absent if a.reason
        ],
        absent_without_reason=[
            Absentee(a.entry.full_name, "", None) for a in absent if not a.reason
        ],
        absent_exempt=[
            a.entry.full_name
            for a in rows
            if a.status == AttendanceStatus.ABSENT and a.entry.category == RosterCategory.EXEMPT
        ],
        chair=names.get(meeting.chair_id, ""),
        secretary=names.get(meeting.secretary_id, ""),
        guests=list(meeting.guests.all()),
        agenda=list(meeting.agenda.select_related("presenter")),
        remarks=list(meeting.remarks.select_related("agenda_item")),
        conclusions=list(meeting.conclusions.select_related("agenda_item")),
        votes=_vote_results(meeting),
    )


def draft_body(meeting: Meeting) -> str:
    """The minutes drafted from the meeting, as sanitised HTML."""
    facts = minutes_facts(meeting)
    html = render_to_string(
        "meetings/minutes_body.html",
        {
            "f": facts,
            "m": meeting,
            "start": _when(meeting.started_at or meeting.starts_at),
            "end": _when(meeting.closed_at),
        },
    )
    return sanitize(html)


# --- minutes: draft, edit, approve, new version -----------------------------------------


def _check_body(body: str) -> str:
    body = sanitize(body)
    if is_blank(body):
        raise ServiceError("Nội dung biên bản không được để trống.", "body")
    if len(body) > BODY_LIMIT:
        raise ServiceError("Nội dung biên bản quá dài.", "body")
    return body


@transaction.atomic
def draft_minutes(*, user, meeting: Meeting, redraft: bool = False) -> Minutes:
    """Version 1 of the minutes, drafted from the closed meeting. `redraft=True`
    replaces the text of a version-1 draft by a fresh one (after more remarks were
    typed); it never touches an approved version."""
    meeting = _locked_meeting(meeting)
    _require_write(user, meeting)
    if meeting.state != MeetingState.CLOSED:
        raise ServiceError(
            "Chỉ lập biên bản khi cuộc họp đã kết thúc và biên bản chưa được thông qua.",
            "meeting",
        )
    existing = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    body = draft_body(meeting)
    if existing is not None:
        if existing.state != MinutesState.DRAFT or existing.version != 1:
            raise ServiceError(LOCKED, "meeting")
        if not redraft:
            raise ServiceError("Cuộc họp đã có dự thảo biên bản.", "meeting")
        existing.body = body
        existing.save(update_fields=["body", "updated_at"])
        record(action="meetings.redraft_minutes", actor=user, target=meeting)
        return existing
    minutes = Minutes.objects.create(meeting=meeting, version=1, body=body, created_by=user)
    record(action="meetings.draft_minutes", actor=user, target=meeting, changes={"version": 1})
    return minutes


def _locked_minutes(minutes: Minutes) -> Minutes:
    return (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting__organization")
        .get(pk=minutes.pk)
    )


@transaction.atomic
def edit_minutes(*, user, minutes: Minutes, body: str) -> Minutes:
    """Save the edited text of a draft. An approved version is never edited."""
    minutes = _locked_minutes(minutes)
    _require_write(user, minutes.meeting)
    if minutes.state != MinutesState.DRAFT:
        raise ServiceError(LOCKED, "body")
    body = _check_body(body)
    if body != minutes.body:
        minutes.body = body
        minutes.save(update_fields=["body", "updated_at"])
        record(
            action="meetings.edit_minutes",
            actor=user,
            target=minutes.meeting,
            changes={"version": minutes.version},
        )
    return minutes


@transaction.atomic
def approve_minutes(*, user, minutes: Minutes) -> Minutes:
    """Lock the draft: record the SHA-256 of its body; the meeting becomes "minutes
    approved"."""
    # The meeting first, then the version: the same order as new_version, so the two
    # never wait on each other.
    meeting = _locked_meeting(minutes.meeting)
    minutes = _locked_minutes(minutes)
    if not may_approve(user, meeting):
        raise PermissionDenied(DENIED_APPROVE)
    if minutes.state != MinutesState.DRAFT:
        raise ServiceError("Phiên bản này đã được thông qua.", "minutes")
    if is_blank(minutes.body):
        raise ServiceError("Nội dung biên bản không được để trống.", "body")
    minutes.state = MinutesState.APPROVED
    minutes.content_hash = content_hash(minutes.body)
    minutes.approved_by = user
    minutes.approved_at = timezone.now()
    minutes.save(update_fields=["state", "content_hash", "approved_by", "approved_at"])
    if meeting.state == MeetingState.CLOSED:
        meeting.state = MeetingState.MINUTES_APPROVED
        meeting.save(update_fields=["state"])
    record(
        action="meetings.approve_minutes",
        actor=user,
        target=meeting,
        changes={"version": minutes.version, "sha256": minutes.content_hash},
    )
    return minutes


@transaction.atomic
def new_version(*, user, meeting: Meeting, reason: str) -> Minutes:
    """A new draft version from the latest approved one, with the reason for the
    change; the approved versions stay as they are."""
    meeting = _locked_meeting(meeting)
    if not may_approve(user, meeting):
        raise PermissionDenied(DENIED_APPROVE)
    reason = plain(reason)
    if len(reason) < 5:
        raise ServiceError("Hãy ghi rõ lý do lập phiên bản mới (ít nhất 5 ký tự).", "reason")
    if len(reason) > 500:
        raise ServiceError("Lý do dài quá 500 ký tự.", "reason")
    versions = Minutes.objects.select_for_update().filter(meeting=meeting)
    if versions.filter(state=MinutesState.DRAFT).exists():
        raise ServiceError("Đang có một phiên bản dự thảo: hãy sửa phiên bản đó.", "reason")
    latest = versions.filter(state=MinutesState.APPROVED).order_by("-version").first()
    if latest is None:
        raise ServiceError("Biên bản chưa được thông qua: hãy sửa dự thảo.", "reason")
    top = versions.aggregate(v=Max("version"))["v"]
    minutes = Minutes.objects.create(
        meeting=meeting, version=top + 1, body=latest.body, reason=reason, created_by=user
    )
    record(
        action="meetings.new_minutes_version",
        actor=user,
        target=meeting,
        changes={"version": minutes.version},
        note=reason,
    )
    return minutes


def current_minutes(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting=meeting).order_by("-version").first()


def latest_approved(meeting: Meeting) -> Minutes | None:
    return (
        Minutes.objects.filter(meeting=meeting, state=MinutesState.APPROVED)
        .order_by("-version")
        .first()
    )
