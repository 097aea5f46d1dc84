"""Lifecycle events: the one way a member's standing changes (DOMAIN §3).

`record_event` checks the event against the member's current state, appends it, applies
it to the member's derived columns (status, dates, attachments) and audits the change,
all in one transaction with the member row locked. Statuses are never typed by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import transaction
from django.utils import timezone

from sotay.accounts.permissions import MEMBERS_LIFECYCLE, can, invalidate_all
from sotay.audit.services import diff, record
from sotay.core.dates import add_months
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.members.models import EventKind, Member, MemberEvent, MemberStatus
from sotay.organizations.models import Organization

PROBATION_MONTHS = 12
LONGEST_TEMPORARY_TRANSFER_MONTHS = 24  # study; work transfers are 3 months to < 1 year
TERMINAL = (MemberStatus.REMOVED, MemberStatus.EXPELLED, MemberStatus.DECEASED)
NEEDS_DECISION = frozenset(
    {EventKind.ADMISSION, EventKind.RECOGNITION, EventKind.EXEMPTION, EventKind.TRANSFER_OUT,
     EventKind.REMOVAL, EventKind.EXPULSION}
)  # fmt: skip


@dataclasses.dataclass
class State:
    """The derived columns of a member, as a value that events transform."""

    status: str
    status_before_exemption: str | None
    joined_on: dt.date | None
    full_on: dt.date | None
    admission_decided_on: dt.date | None
    probation_ends_on: dt.date | None
    organization_id: int
    temp_organization_id: int | None
    temp_until: dt.date | None
    transit_organization_id: int | None

    @classmethod
    def of(cls, member: Member) -> State:
        before = None
        if member.status == MemberStatus.EXEMPT:
            # Admitted here and not yet recognised: probationary; otherwise (recognised, or
            # imported as full without dates) full.
            still_probationary = member.probation_ends_on is not None and member.full_on is None
            before = MemberStatus.PROBATIONARY if still_probationary else MemberStatus.FULL
        return cls(
            member.status, before, member.joined_on, member.full_on, member.admission_decided_on,
            member.probation_ends_on, member.organization_id, member.temp_organization_id,
            member.temp_until, member.transit_organization_id,
        )  # fmt: skip

    @property
    def admitted(self) -> bool:
        """A probationary record without an admission date is a person whose admission
        is being recorded; any other record is of someone already admitted."""
        return self.joined_on is not None or self.status != MemberStatus.PROBATIONARY


def _refuse(message: str, field: str | None = None):
    raise ServiceError(message, field=field)


def check(state: State, event: MemberEvent, last_effective: dt.date | None) -> None:
    """Refuse an event that does not follow from the current state."""
    kind, today = event.kind, timezone.localdate()
    if state.status in TERMINAL:
        _refuse(
            f"Đảng viên đã ở tình trạng “{MemberStatus(state.status).label}”; không thể ghi thêm sự kiện."
        )
    # A recognition takes effect at the probation end, which the decision-date rule checks.
    if kind != EventKind.RECOGNITION and event.effective_on > today:
        _refuse("Ngày hiệu lực không được sau hôm nay.", "effective_on")
    if event.decided_on and event.decided_on > today:
        _refuse("Ngày quyết định không được sau hôm nay.", "decided_on")
    if kind in NEEDS_DECISION:
        if not event.decided_on:
            _refuse("Hãy ghi ngày quyết định.", "decided_on")
        if not event.deciding_body.strip():
            _refuse("Hãy ghi cơ quan ra quyết định.", "deciding_body")
        if not event.decision_number.strip():
            _refuse("Hãy ghi số quyết định.", "decision_number")
    if kind != EventKind.RECOGNITION and last_effective and event.effective_on < last_effective:
        _refuse(
            f"Ngày hiệu lực không được trước sự kiện gần nhất ({last_effective:%d/%m/%Y}).",
            "effective_on",
        )
    active = state.status in (MemberStatus.PROBATIONARY, MemberStatus.FULL)

    if kind == EventKind.ADMISSION:
        if state.admitted:
            _refuse("Đảng viên này đã được kết nạp.")
        if event.effective_on < event.decided_on:
            _refuse("Lễ kết nạp không thể trước ngày quyết định kết nạp.", "effective_on")
    elif kind == EventKind.RECOGNITION:
        if state.joined_on is None or state.probation_ends_on is None:
            _refuse("Không thể công nhận chính thức: chưa có quyết định kết nạp.")
        if state.status != MemberStatus.PROBATIONARY:
            _refuse("Chỉ công nhận chính thức cho đảng viên dự bị.")
        if event.decided_on < state.probation_ends_on:
            _refuse(
                f"Chưa hết thời gian dự bị (đến {state.probation_ends_on:%d/%m/%Y}).", "decided_on"
            )
    elif kind == EventKind.EXEMPTION:
        if not active:
            _refuse("Chỉ miễn sinh hoạt cho đảng viên đang sinh hoạt.")
    elif kind == EventKind.EXEMPTION_END:
        if state.status != MemberStatus.EXEMPT:
            _refuse("Đảng viên không ở tình trạng miễn sinh hoạt.")
    elif kind == EventKind.TEMP_TRANSFER:
        if not active:
            _refuse("Chỉ chuyển sinh hoạt tạm thời cho đảng viên đang sinh hoạt.")
        if state.temp_organization_id or state.transit_organization_id:
            _refuse("Đảng viên đang sinh hoạt tạm thời hoặc đang chuyển sinh hoạt.")
        _check_receiving(event, state)
        if not event.until or event.until <= event.effective_on:
            _refuse("Hãy ghi ngày kết thúc sinh hoạt tạm thời, sau ngày bắt đầu.", "until")
        if event.until > add_months(event.effective_on, LONGEST_TEMPORARY_TRANSFER_MONTHS):
            _refuse("Sinh hoạt tạm thời không quá 2 năm.", "until")
    elif kind == EventKind.TEMP_RETURN:
        if not state.temp_organization_id:
            _refuse("Đảng viên không sinh hoạt tạm thời ở đâu.")
    elif kind == EventKind.TRANSFER_OUT:
        if not active and state.status != MemberStatus.EXEMPT:
            _refuse("Không thể chuyển sinh hoạt cho đảng viên này.")
        if state.transit_organization_id:
            _refuse("Đảng viên đang chờ tổ chức khác tiếp nhận.")
        if state.temp_organization_id:
            _refuse("Hãy kết thúc sinh hoạt tạm thời trước khi chuyển sinh hoạt chính thức.")
        _check_receiving(event, state)
    elif kind == EventKind.TRANSFER_IN:
        if not state.transit_organization_id:
            _refuse("Đảng viên không có giấy chuyển sinh hoạt đang chờ tiếp nhận.")
    elif kind in (EventKind.REMOVAL, EventKind.EXPULSION, EventKind.DEATH) and not state.admitted:
        _refuse("Đảng viên chưa được kết nạp.")


def _check_receiving(event: MemberEvent, state: State) -> None:
    org = event.organization
    if org is None:
        _refuse("Hãy chọn chi bộ nhận.", "organization")
    if not org.is_branch or not org.is_open:
        _refuse("Nơi nhận phải là một chi bộ đang hoạt động.", "organization")
    if org.pk == state.organization_id:
        _refuse("Nơi nhận trùng với chi bộ hiện tại.", "organization")


def step(state: State, event: MemberEvent) -> State:
    """The state after a (checked) event."""
    s = dataclasses.replace(state)
    kind = event.kind
    if kind == EventKind.ADMISSION:
        s.status = MemberStatus.PROBATIONARY
        s.joined_on = event.effective_on
        s.admission_decided_on = event.decided_on
        s.probation_ends_on = add_months(event.effective_on, PROBATION_MONTHS)
        s.full_on = None
    elif kind == EventKind.RECOGNITION:
        s.status = MemberStatus.FULL
        s.full_on = s.probation_ends_on  # however late the decision (QĐ 29 item 4.2)
    elif kind == EventKind.EXEMPTION:
        s.status_before_exemption, s.status = s.status, MemberStatus.EXEMPT
    elif kind == EventKind.EXEMPTION_END:
        s.status = s.status_before_exemption or (
            MemberStatus.FULL if s.full_on else MemberStatus.PROBATIONARY
        )
        s.status_before_exemption = None
    elif kind == EventKind.TEMP_TRANSFER:
        s.temp_organization_id, s.temp_until = event.organization_id, event.until
    elif kind == EventKind.TEMP_RETURN:
        s.temp_organization_id, s.temp_until = None, None
    elif kind == EventKind.TRANSFER_OUT:
        s.transit_organization_id = event.organization_id
    elif kind == EventKind.TRANSFER_IN:
        s.organization_id, s.transit_organization_id = s.transit_organization_id, None
    elif kind == EventKind.REMOVAL:
        s.status = MemberStatus.REMOVED
    elif kind == EventKind.EXPULSION:
        s.status = MemberStatus.EXPELLED
    elif kind == EventKind.DEATH:
        s.status = MemberStatus.DECEASED
    if s.status in TERMINAL:
        s.temp_organization_id = s.temp_until = s.transit_organization_id = None
    return s


_COLUMNS = (
    "status", "joined_on", "full_on", "admission_decided_on", "probation_ends_on",
    "organization_id", "temp_organization_id", "temp_until", "transit_organization_id",
)  # fmt: skip


@transaction.atomic
def record_event(
    *,
    actor,
    member: Member,
    kind: str,
    effective_on: dt.date | None = None,
    decided_on: dt.date | None = None,
    deciding_body: str = "",
    decision_number: str = "",
    organization: Organization | None = None,
    until: dt.date | None = None,
    note: str = "",
) -> MemberEvent:
    """Append one lifecycle event and apply it. Recognition takes its effective date from
    the probation end; acceptance of a transfer is decided by the receiving side."""
    if kind not in EventKind.values or kind == EventKind.RECORD_OPENED:
        raise ServiceError("Loại sự kiện không hợp lệ.", field="kind")
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    state = State.of(member)
    deciding_org = member.organization
    if kind == EventKind.TRANSFER_IN and member.transit_organization_id:
        deciding_org = member.transit_organization
        organization = deciding_org
    if not can(actor, MEMBERS_LIFECYCLE, deciding_org):
        raise PermissionDenied()
    if kind == EventKind.RECOGNITION and state.probation_ends_on:
        effective_on = state.probation_ends_on
    event = MemberEvent(
        member=member, kind=kind, effective_on=effective_on or timezone.localdate(), decided_on=decided_on,
        deciding_body=" ".join(deciding_body.split())[:200], decision_number=" ".join(decision_number.split())[:50],
        organization=organization, until=until, note=note.strip()[:500], recorded_by=actor,
    )  # fmt: skip
    last = member.events.order_by("-id").values_list("effective_on", flat=True).first()
    check(state, event, last)
    after = step(state, event)
    event.save()
    before_cols = {c: getattr(member, c) for c in _COLUMNS}
    for column in _COLUMNS:
        setattr(member, column, getattr(after, column))
    if member.organization_id != before_cols["organization_id"]:
        member.organization = Organization.objects.get(pk=member.organization_id)
    member.save(update_fields=[*_COLUMNS, "updated_at"])
    invalidate_all()  # status and branch decide the member's own role
    changes = diff(
        {k: str(v) if v is not None else None for k, v in before_cols.items()},
        {c: str(getattr(member, c)) if getattr(member, c) is not None else None for c in _COLUMNS},
    )
    record(action=f"members.event.{kind}", actor=actor, target=member, changes=changes,
           note=f"{event.get_kind_display()} {event.decision_number}".strip())  # fmt: skip
    return event
