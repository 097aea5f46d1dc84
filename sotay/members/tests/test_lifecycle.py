"""Lifecycle rules: every event is checked against the member's state; statuses and
dates are derived, never typed."""

import datetime as dt

import pytest

from sotay.audit.models import AuditEntry
from sotay.core.dates import add_months, add_working_days
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.testing import make_member
from sotay.members.lifecycle import record_event
from sotay.members.models import EventKind, Member, MemberEvent, MemberStatus

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
DECISION = {"deciding_body": "Đảng ủy phường An Hòa", "decision_number": "125-QĐ/ĐU"}


def fresh(m):
    return Member.objects.get(pk=m.pk)


@pytest.fixture
def newcomer(world):
    """A person recorded before admission (no standing yet beyond the application)."""
    return make_member(
        world.branch, "Hà Thị Nhung", status=MemberStatus.PROBATIONARY, joined_on=None
    )


def admit(
    world, m, decided=TODAY - dt.timedelta(days=400), ceremony=TODAY - dt.timedelta(days=390)
):
    return record_event(
        actor=world.secretary,
        member=m,
        kind=EventKind.ADMISSION,
        decided_on=decided,
        effective_on=ceremony,
        **DECISION,
    )


def test_date_arithmetic():
    assert add_months(dt.date(2025, 3, 15), 12) == dt.date(2026, 3, 15)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)
    # Friday + 1 working day = Monday; 30 working days = 6 weeks.
    assert add_working_days(dt.date(2026, 11, 20), 1) == dt.date(2026, 11, 23)
    assert add_working_days(dt.date(2026, 11, 20), 30) == dt.date(2027, 1, 1)
    assert add_working_days(
        dt.date(2026, 11, 20), 1, frozenset({dt.date(2026, 11, 23)})
    ) == dt.date(2026, 11, 24)


def test_admission_makes_a_probationary_member_with_a_probation_end(world, newcomer):
    ceremony = TODAY - dt.timedelta(days=390)
    admit(world, newcomer, ceremony=ceremony)
    m = fresh(newcomer)
    assert m.status == MemberStatus.PROBATIONARY and m.joined_on == ceremony
    assert m.probation_ends_on == add_months(ceremony, 12)
    assert AuditEntry.objects.filter(action="members.event.ket_nap", target_id=str(m.pk)).exists()


def test_a_ceremony_before_the_decision_is_refused(world, newcomer):
    with pytest.raises(ServiceError, match="Lễ kết nạp không thể trước ngày quyết định"):
        admit(
            world,
            newcomer,
            decided=TODAY - dt.timedelta(days=10),
            ceremony=TODAY - dt.timedelta(days=20),
        )
    assert not MemberEvent.objects.exists() and fresh(newcomer).joined_on is None


def test_recognising_a_member_never_admitted_is_refused(world, newcomer):
    with pytest.raises(ServiceError, match="chưa có quyết định kết nạp"):
        record_event(
            actor=world.secretary,
            member=newcomer,
            kind=EventKind.RECOGNITION,
            decided_on=TODAY,
            **DECISION,
        )


def test_recognition_dates_full_membership_from_the_probation_end_however_late(world, newcomer):
    admit(world, newcomer)
    probation_end = fresh(newcomer).probation_ends_on
    event = record_event(
        actor=world.secretary,
        member=newcomer,
        kind=EventKind.RECOGNITION,
        decided_on=TODAY,
        **DECISION,
    )
    m = fresh(newcomer)
    assert (
        m.status == MemberStatus.FULL
        and m.full_on == probation_end
        and event.effective_on == probation_end
    )


def test_recognition_before_the_probation_ends_is_refused(world, newcomer):
    admit(
        world,
        newcomer,
        decided=TODAY - dt.timedelta(days=40),
        ceremony=TODAY - dt.timedelta(days=30),
    )
    with pytest.raises(ServiceError, match="Chưa hết thời gian dự bị"):
        record_event(
            actor=world.secretary,
            member=newcomer,
            kind=EventKind.RECOGNITION,
            decided_on=TODAY,
            **DECISION,
        )


def test_decisions_need_a_number_a_body_and_a_date(world, newcomer):
    with pytest.raises(ServiceError, match="số quyết định") as exc:
        record_event(
            actor=world.secretary,
            member=newcomer,
            kind=EventKind.ADMISSION,
            decided_on=TODAY,
            deciding_body="Đảng ủy",
        )
    assert exc.value.field == "decision_number"
    with pytest.raises(ServiceError, match="ngày quyết định"):
        record_event(actor=world.secretary, member=newcomer, kind=EventKind.ADMISSION, **DECISION)


def test_future_dates_are_refused(world, newcomer):
    with pytest.raises(ServiceError, match="sau hôm nay"):
        admit(world, newcomer, decided=TODAY, ceremony=TODAY + dt.timedelta(days=1))


def test_exemption_and_its_end_restore_the_previous_status(world):
    m = world.member.member
    record_event(
        actor=world.secretary, member=m, kind=EventKind.EXEMPTION, decided_on=TODAY, **DECISION
    )
    assert fresh(m).status == MemberStatus.EXEMPT
    with pytest.raises(ServiceError, match="đang sinh hoạt"):
        record_event(
            actor=world.secretary, member=m, kind=EventKind.EXEMPTION, decided_on=TODAY, **DECISION
        )
    record_event(actor=world.secretary, member=m, kind=EventKind.EXEMPTION_END)
    assert fresh(m).status == MemberStatus.FULL


def test_temporary_transfer_keeps_the_home_roll(world):
    m = world.member.member
    until = add_months(TODAY, 6)
    record_event(
        actor=world.secretary,
        member=m,
        kind=EventKind.TEMP_TRANSFER,
        organization=world.branch3,
        until=until,
    )
    m = fresh(m)
    assert (
        m.organization_id == world.branch.pk
        and m.temp_organization_id == world.branch3.pk
        and m.temp_until == until
    )
    with pytest.raises(ServiceError, match="kết thúc sinh hoạt tạm thời"):
        record_event(
            actor=world.secretary,
            member=m,
            kind=EventKind.TRANSFER_OUT,
            organization=world.sibling,
            decided_on=TODAY,
            **DECISION,
        )
    record_event(actor=world.secretary, member=m, kind=EventKind.TEMP_RETURN)
    assert fresh(m).temp_organization_id is None


@pytest.mark.parametrize(
    "org,until,message",
    [
        ("branch", 90, "trùng với chi bộ hiện tại"),
        ("commune", 90, "phải là một chi bộ"),
        ("branch3", -1, "sau ngày bắt đầu"),
        ("branch3", 800, "không quá 2 năm"),
    ],
)
def test_bad_temporary_transfers_are_refused(world, org, until, message):
    with pytest.raises(ServiceError, match=message):
        record_event(actor=world.secretary, member=world.member.member, kind=EventKind.TEMP_TRANSFER,
                     organization=getattr(world, org), until=TODAY + dt.timedelta(days=until))  # fmt: skip
    assert not MemberEvent.objects.exists()


def test_permanent_transfer_is_in_transit_until_the_receiver_accepts(world):
    m = world.member.member
    record_event(
        actor=world.secretary,
        member=m,
        kind=EventKind.TRANSFER_OUT,
        organization=world.branch3,
        decided_on=TODAY,
        **DECISION,
    )
    m = fresh(m)
    assert m.organization_id == world.branch.pk and m.transit_organization_id == world.branch3.pk
    # The sending secretary cannot accept on the receiver's behalf.
    with pytest.raises(PermissionDenied):
        record_event(actor=world.secretary, member=m, kind=EventKind.TRANSFER_IN)
    record_event(actor=world.admin, member=m, kind=EventKind.TRANSFER_IN)
    m = fresh(m)
    assert (
        m.organization_id == world.branch3.pk
        and m.org_path == world.branch3.path
        and m.transit_organization_id is None
    )


def test_a_deceased_member_cannot_be_transferred(world):
    m = world.member.member
    record_event(actor=world.secretary, member=m, kind=EventKind.DEATH)
    assert fresh(m).status == MemberStatus.DECEASED
    with pytest.raises(ServiceError, match="Từ trần"):
        record_event(
            actor=world.secretary,
            member=m,
            kind=EventKind.TRANSFER_OUT,
            organization=world.branch3,
            decided_on=TODAY,
            **DECISION,
        )


def test_removal_and_expulsion_are_final(world):
    m = world.member.member
    record_event(
        actor=world.secretary, member=m, kind=EventKind.REMOVAL, decided_on=TODAY, **DECISION
    )
    assert fresh(m).status == MemberStatus.REMOVED
    with pytest.raises(ServiceError, match="Xóa tên"):
        record_event(
            actor=world.secretary, member=m, kind=EventKind.EXPULSION, decided_on=TODAY, **DECISION
        )


def test_events_cannot_be_back_dated_before_the_last_one(world):
    m = world.member.member
    record_event(
        actor=world.secretary,
        member=m,
        kind=EventKind.EXEMPTION,
        decided_on=TODAY,
        effective_on=TODAY,
        **DECISION,
    )
    with pytest.raises(ServiceError, match="trước sự kiện gần nhất"):
        record_event(
            actor=world.secretary,
            member=m,
            kind=EventKind.EXEMPTION_END,
            effective_on=TODAY - dt.timedelta(days=3),
        )


def test_only_the_branch_secretary_or_office_records_events(world):
    for persona in (world.member, world.outsider, world.commune_officer, world.inspector):
        with pytest.raises(PermissionDenied):
            record_event(actor=persona, member=world.probationary.member, kind=EventKind.DEATH)
    assert not MemberEvent.objects.exists()
    record_event(actor=world.office, member=world.probationary.member, kind=EventKind.DEATH)


def test_a_member_who_is_removed_loses_their_member_role(world):
    from sotay.accounts.models import User
    from sotay.accounts.permissions import ORG_VIEW, can

    record_event(
        actor=world.secretary,
        member=world.member.member,
        kind=EventKind.REMOVAL,
        decided_on=TODAY,
        **DECISION,
    )
    user = User.objects.select_related("member").get(pk=world.member.pk)
    assert not can(user, ORG_VIEW, world.branch)


def test_admitting_someone_already_admitted_is_refused(world, newcomer):
    with pytest.raises(ServiceError, match="đã được kết nạp"):
        admit(world, world.member.member)
    admit(world, newcomer)
    with pytest.raises(ServiceError, match="đã được kết nạp"):
        admit(world, newcomer)
