"""Scheduling, roster snapshot, check-in, attendance, motions and votes."""

import datetime as dt

import pytest

from sotay.audit.models import AuditEntry
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.testing import make_member, make_user
from sotay.meetings import services
from sotay.meetings.models import (
    Attendance,
    AttendanceStatus,
    Ballot,
    CheckInMethod,
    MeetingState,
    Motion,
    MotionKind,
    MotionResult,
    RosterCategory,
    RosterEntry,
    Vote,
    VoterMark,
)

T = dt.timedelta


def entry_of(w, user):
    return RosterEntry.objects.get(meeting=w.meeting, member=user.member)


def attendance_of(w, user):
    return Attendance.objects.get(entry=entry_of(w, user))


def present(w, *users, at=None):
    for u in users:
        services.check_in(user=u, meeting=w.meeting, now=at or w.now)


# --- scheduling ------------------------------------------------------------------------


def test_only_a_meeting_manager_schedules_a_meeting(meeting_world):
    w = meeting_world
    for user in (w.member, w.probationary, w.commune_officer, w.outsider, w.office):
        with pytest.raises(PermissionDenied):
            services.schedule_meeting(
                user=user,
                organization=w.branch,
                topic="x",
                starts_at=w.now,
                ends_at=w.now + T(hours=2),
                place="Hội trường",
            )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"topic": "  "}, "topic"),
        ({"ends_offset": T(minutes=-5)}, "ends_at"),
        ({"place": "", "online_link": "không phải đường dẫn"}, "online_link"),
        ({"place": ""}, "place"),
        ({"kind": "tiec"}, "kind"),
    ],
)
def test_bad_schedule_is_refused_naming_the_field(meeting_world, change, field):
    w = meeting_world
    args = {
        "user": w.secretary,
        "organization": w.branch,
        "topic": "Họp chuyên đề",
        "starts_at": w.now,
        "ends_at": w.now + change.pop("ends_offset", T(hours=2)),
        "place": "Hội trường",
    }
    args.update(change)
    with pytest.raises(ServiceError) as err:
        services.schedule_meeting(**args)
    assert err.value.field == field


def test_a_chair_from_another_branch_is_refused(meeting_world):
    w = meeting_world
    with pytest.raises(ServiceError) as err:
        services.schedule_meeting(
            user=w.secretary,
            organization=w.branch,
            topic="Họp",
            starts_at=w.now,
            ends_at=w.now + T(hours=2),
            place="Hội trường",
            chair=w.outsider.member,
        )
    assert err.value.field == "chair"


def test_start_takes_a_roster_snapshot_with_every_category(started):
    w = started
    assert w.meeting.state == MeetingState.IN_PROGRESS
    cats = {e.member_id: e.category for e in w.meeting.roster.all()}
    assert cats[w.member.member_id] == RosterCategory.FULL
    assert cats[w.probationary.member_id] == RosterCategory.PROBATIONARY
    assert cats[w.exempt.member_id] == RosterCategory.EXEMPT
    assert cats[w.away.member_id] == RosterCategory.TRANSFERRED_OUT
    assert cats[w.guest.member_id] == RosterCategory.TEMP_ATTACHED
    assert w.outsider.member_id not in cats
    assert Attendance.objects.filter(entry__meeting=w.meeting).count() == len(cats)
    assert all(a.status == AttendanceStatus.ABSENT for a in Attendance.objects.all())
    # A member joining after the start is not on this meeting's roster.
    late_joiner = make_member(w.branch, "Tạ Văn Tài")
    assert not RosterEntry.objects.filter(meeting=w.meeting, member=late_joiner).exists()


def test_start_is_refused_too_early_and_twice(meeting_world):
    w = meeting_world
    with pytest.raises(ServiceError):
        services.start_meeting(user=w.secretary, meeting=w.meeting, now=w.now - T(minutes=25))
    assert not RosterEntry.objects.exists()
    services.start_meeting(user=w.secretary, meeting=w.meeting, now=w.now)
    with pytest.raises(ServiceError):
        services.start_meeting(user=w.secretary, meeting=w.meeting, now=w.now)


def test_a_plain_member_cannot_start_or_announce(meeting_world):
    w = meeting_world
    with pytest.raises(PermissionDenied):
        services.start_meeting(user=w.probationary, meeting=w.meeting, now=w.now)


# --- check-in ----------------------------------------------------------------------------


def test_member_checks_in_within_the_window(started):
    w = started
    a = services.check_in(user=w.member, meeting=w.meeting, now=w.now)
    assert a.status == AttendanceStatus.PRESENT and a.method == CheckInMethod.PHONE
    assert not a.by_secretary
    # Checking in again changes nothing.
    again = services.check_in(user=w.member, meeting=w.meeting, now=w.now + T(minutes=50))
    assert again.status == AttendanceStatus.PRESENT and again.checked_in_at == a.checked_in_at


def test_arriving_after_the_grace_is_late(started):
    w = started
    a = services.check_in(user=w.member, meeting=w.meeting, now=w.now + T(minutes=40))
    assert a.status == AttendanceStatus.LATE


@pytest.mark.parametrize("offset", [T(minutes=-21), T(minutes=131)])
def test_check_in_outside_the_window_is_refused(started, offset):
    w = started
    # window: starts_at − 30 min (= now − 20 min) … ends_at (= now + 130 min)
    with pytest.raises(ServiceError):
        services.check_in(user=w.member, meeting=w.meeting, now=w.now + offset)
    assert attendance_of(w, w.member).status == AttendanceStatus.ABSENT


def test_check_in_before_the_meeting_started_is_refused(meeting_world):
    w = meeting_world
    with pytest.raises(ServiceError) as err:
        services.check_in(user=w.member, meeting=w.meeting, now=w.now)
    assert "chưa bắt đầu" in err.value.message


def test_another_branch_member_cannot_check_in(started):
    w = started
    with pytest.raises(PermissionDenied) as err:
        services.check_in(user=w.outsider, meeting=w.meeting, now=w.now)
    assert "chi bộ khác" in err.value.message


def test_a_member_added_after_the_start_is_not_on_the_roster(started):
    w = started
    newcomer = make_user(make_member(w.branch, "Hà Văn Ước"))
    with pytest.raises(PermissionDenied) as err:
        services.check_in(user=newcomer, meeting=w.meeting, now=w.now)
    assert "danh sách triệu tập" in err.value.message


def test_the_qr_code_rotates_and_an_old_photo_stops_working(started):
    w = started
    code = services.qr_code(w.meeting, w.now)
    with pytest.raises(ServiceError) as err:
        services.check_in(
            user=w.member, meeting=w.meeting, method=CheckInMethod.QR, code=code,
            now=w.now + T(seconds=services.QR_PERIOD * 2 + 1),
        )  # fmt: skip
    assert err.value.field == "code"
    with pytest.raises(ServiceError):
        services.check_in(user=w.member, meeting=w.meeting, method=CheckInMethod.QR, code="x")
    a = services.check_in(
        user=w.member, meeting=w.meeting, method=CheckInMethod.QR, code=code, now=w.now
    )
    assert a.method == CheckInMethod.QR and a.status == AttendanceStatus.PRESENT


def test_secretary_marking_is_flagged_and_audited(started):
    w = started
    before = AuditEntry.objects.filter(action="meetings.mark_attendance").count()
    a = services.mark_attendance(
        user=w.secretary, entry=entry_of(w, w.pending), status=AttendanceStatus.PRESENT
    )
    assert a.by_secretary and a.method == CheckInMethod.SECRETARY and a.marked_by == w.secretary
    assert AuditEntry.objects.filter(action="meetings.mark_attendance").count() == before + 1


def test_a_member_cannot_mark_others(started):
    w = started
    with pytest.raises(PermissionDenied):
        services.mark_attendance(
            user=w.probationary, entry=entry_of(w, w.pending), status=AttendanceStatus.PRESENT
        )
    assert attendance_of(w, w.pending).status == AttendanceStatus.ABSENT


def test_absence_reason_accepted_leaves_the_denominator(started):
    w = started
    # Full members on B1's roster: member, secretary, pending (Lan); exempt absent excluded.
    assert services.presence_summary(w.meeting).denominator == 3
    services.mark_attendance(
        user=w.secretary, entry=entry_of(w, w.pending), status="absent", reason="Đi công tác"
    )
    services.decide_reason(user=w.secretary, entry=entry_of(w, w.pending), accepted=True)
    assert services.presence_summary(w.meeting).denominator == 2
    services.decide_reason(user=w.secretary, entry=entry_of(w, w.pending), accepted=False)
    assert services.presence_summary(w.meeting).denominator == 3
    assert AuditEntry.objects.filter(action="meetings.decide_reason").count() == 2


def test_a_reason_can_only_be_decided_for_an_absentee_with_a_reason(started):
    w = started
    with pytest.raises(ServiceError):
        services.decide_reason(user=w.secretary, entry=entry_of(w, w.pending), accepted=True)


def test_suspension_is_stated_with_a_basis_and_audited(started):
    w = started
    with pytest.raises(ServiceError) as err:
        services.set_suspended(user=w.secretary, entry=entry_of(w, w.pending), suspended=True)
    assert err.value.field == "note"
    services.set_suspended(
        user=w.secretary, entry=entry_of(w, w.pending), suspended=True,
        note="Quyết định tạm giam số 12/QĐ",
    )  # fmt: skip
    assert entry_of(w, w.pending).category == RosterCategory.SUSPENDED
    assert services.presence_summary(w.meeting).denominator == 2
    services.set_suspended(user=w.secretary, entry=entry_of(w, w.pending), suspended=False)
    assert entry_of(w, w.pending).category == RosterCategory.FULL
    assert AuditEntry.objects.filter(action="meetings.roster_category").count() == 2


# --- motions and votes ----------------------------------------------------------------


def open_yes_no(w, **kw):
    return services.open_motion(
        user=w.secretary, meeting=w.meeting, title="Thông qua nghị quyết tháng", **kw
    )


def test_open_vote_counts_hidden_until_close_then_frozen(started):
    w = started
    present(w, w.member, w.secretary, w.pending)
    motion = open_yes_no(w)
    services.cast_vote(user=w.member, motion=motion, choices=0)
    services.cast_vote(user=w.secretary, motion=motion, choices=[0])
    motion.refresh_from_db()
    assert services.votes_cast(motion) == 2
    assert motion.frozen_counts == [] and motion.result == MotionResult.PENDING
    motion = services.close_motion(user=w.secretary, motion=motion)
    assert motion.frozen_counts == [2, 0, 0]
    assert motion.frozen_denominator == 3 and motion.frozen_eligible == 3
    assert motion.frozen_votes_cast == 2
    assert motion.result == MotionResult.PASSED  # 2 of 3 > half


def test_voting_twice_is_refused_and_nothing_changes(started):
    w = started
    present(w, w.member)
    motion = open_yes_no(w)
    services.cast_vote(user=w.member, motion=motion, choices=0)
    with pytest.raises(ServiceError) as err:
        services.cast_vote(user=w.member, motion=motion, choices=1)
    assert "lần hai" in err.value.message
    assert list(Vote.objects.values_list("choices", flat=True)) == [[0]]


def test_voting_after_close_is_refused(started):
    w = started
    present(w, w.member, w.secretary)
    motion = open_yes_no(w)
    services.close_motion(user=w.secretary, motion=motion)
    with pytest.raises(ServiceError) as err:
        services.cast_vote(user=w.member, motion=motion, choices=0)
    assert "đã kết thúc" in err.value.message
    assert not Vote.objects.exists()


def test_voting_on_behalf_of_another_member_is_refused(started):
    w = started
    present(w, w.member, w.secretary)
    motion = open_yes_no(w)
    with pytest.raises(PermissionDenied):
        services.cast_vote(user=w.member, motion=motion, choices=0, member=w.secretary.member)
    assert not Vote.objects.exists()


@pytest.mark.parametrize("ballot", [Ballot.OPEN, Ballot.SECRET])
def test_probationary_member_cannot_vote(started, ballot):
    w = started
    present(w, w.probationary, w.member)
    motion = open_yes_no(w, ballot=ballot)
    with pytest.raises(PermissionDenied) as err:
        services.cast_vote(user=w.probationary, motion=motion, choices=0)
    assert "dự bị" in err.value.message
    assert services.votes_cast(motion) == 0


def test_temporarily_attached_and_transferred_out_members_do_not_vote(started):
    w = started
    present(w, w.guest, w.away)
    motion = open_yes_no(w)
    for user in (w.guest, w.away):
        with pytest.raises(PermissionDenied):
            services.cast_vote(user=user, motion=motion, choices=0)


def test_an_absent_member_cannot_vote(started):
    w = started
    motion = open_yes_no(w)
    with pytest.raises(ServiceError) as err:
        services.cast_vote(user=w.member, motion=motion, choices=0)
    assert err.value.field == "attendance"


def test_outsider_cannot_vote(started):
    w = started
    motion = open_yes_no(w)
    with pytest.raises(PermissionDenied):
        services.cast_vote(user=w.outsider, motion=motion, choices=0)


def test_closing_with_nobody_eligible_is_refused(started):
    w = started
    present(w, w.probationary, w.guest)
    motion = open_yes_no(w)
    with pytest.raises(ServiceError) as err:
        services.close_motion(user=w.secretary, motion=motion)
    assert "đủ điều kiện" in err.value.message
    motion.refresh_from_db()
    assert motion.state == "open" and motion.frozen_denominator is None


@pytest.mark.parametrize("choices", [[], [3], [0, 1], ["a"], None])
def test_bad_choices_are_refused(started, choices):
    w = started
    present(w, w.member)
    motion = open_yes_no(w)
    with pytest.raises(ServiceError) as err:
        services.cast_vote(user=w.member, motion=motion, choices=choices)
    assert err.value.field == "choices"
    assert services.votes_cast(motion) == 0


def test_show_of_hands_is_flagged_audited_and_open_only(started):
    w = started
    services.mark_attendance(user=w.secretary, entry=entry_of(w, w.pending), status="present")
    motion = open_yes_no(w)
    services.record_show_of_hands(
        user=w.secretary, motion=motion, member=w.pending.member, choices=0
    )
    vote = Vote.objects.get()
    assert vote.by_show_of_hands and vote.recorded_by == w.secretary
    assert AuditEntry.objects.filter(action="meetings.show_of_hands").count() == 1
    secret = open_yes_no(w, ballot=Ballot.SECRET)
    with pytest.raises(ServiceError):
        services.record_show_of_hands(
            user=w.secretary, motion=secret, member=w.pending.member, choices=0
        )
    assert services.votes_cast(secret) == 0
    with pytest.raises(PermissionDenied):
        services.record_show_of_hands(
            user=w.probationary, motion=motion, member=w.pending.member, choices=0
        )


def test_admission_needs_two_thirds_and_goes_up_after_three_rounds(started):
    w = started
    present(w, w.member, w.secretary, w.pending)
    previous = None
    for round_no in (1, 2, 3):
        motion = services.open_motion(
            user=w.secretary, meeting=w.meeting, title="Đề nghị kết nạp quần chúng Phan Văn Tú",
            kind=MotionKind.ADMISSION, ballot=Ballot.SECRET, previous=previous,
        )  # fmt: skip
        assert motion.round == round_no
        services.cast_vote(user=w.member, motion=motion, choices=0)
        services.cast_vote(user=w.secretary, motion=motion, choices=1)
        services.cast_vote(user=w.pending, motion=motion, choices=1)
        motion = services.close_motion(user=w.secretary, motion=motion)
        assert motion.frozen_counts == [1, 2, 0]
        previous = motion
    assert motion.result == MotionResult.REFERRED
    with pytest.raises(ServiceError):
        services.open_motion(
            user=w.secretary, meeting=w.meeting, title="Lần 4",
            kind=MotionKind.ADMISSION, previous=motion,
        )  # fmt: skip
    assert Motion.objects.count() == 3


def test_two_of_three_full_members_carry_an_admission(started):
    w = started
    present(w, w.member, w.secretary, w.pending)
    motion = services.open_motion(
        user=w.secretary, meeting=w.meeting, title="Công nhận đảng viên chính thức",
        kind=MotionKind.RECOGNITION,
    )  # fmt: skip
    services.cast_vote(user=w.member, motion=motion, choices=0)
    services.record_show_of_hands(
        user=w.secretary, motion=motion, member=w.pending.member, choices=0
    )
    motion = services.close_motion(user=w.secretary, motion=motion)
    assert motion.result == MotionResult.PASSED  # 2 × 3 ≥ 3 × 2


def test_candidates_choose_up_to_n(started):
    w = started
    present(w, w.member, w.secretary, w.pending, w.exempt)
    motion = services.open_motion(
        user=w.secretary, meeting=w.meeting, title="Bầu chi ủy", kind=MotionKind.PERSONNEL,
        options=["Nguyễn Văn An", "Lê Đức Cường", "Đỗ Thị Lan"], max_choices=2,
        ballot=Ballot.SECRET,
    )  # fmt: skip
    with pytest.raises(ServiceError):
        services.cast_vote(user=w.member, motion=motion, choices=[0, 1, 2])
    services.cast_vote(user=w.member, motion=motion, choices=[0, 1])
    services.cast_vote(user=w.secretary, motion=motion, choices=[0, 1])
    services.cast_vote(user=w.pending, motion=motion, choices=[0, 2])
    services.cast_vote(user=w.exempt, motion=motion, choices=[2])
    motion = services.close_motion(user=w.secretary, motion=motion)
    # The present exempt member counts: denominator 4, more than half = 3.
    assert motion.frozen_denominator == 4 and motion.frozen_votes_cast == 4
    assert motion.frozen_counts == [3, 2, 2]
    assert services.elected(motion) == ["Nguyễn Văn An"]
    assert motion.result == MotionResult.PASSED


def test_bad_motion_input_is_refused(started):
    w = started
    with pytest.raises(ServiceError) as err:
        services.open_motion(user=w.secretary, meeting=w.meeting, title="", kind="x")
    assert err.value.field == "kind"
    personnel = {"user": w.secretary, "meeting": w.meeting, "title": "Bầu", "kind": "nhan_su"}
    with pytest.raises(ServiceError) as err:
        services.open_motion(**personnel, options=["A", "a"])
    assert err.value.field == "options"
    with pytest.raises(ServiceError) as err:
        services.open_motion(**personnel, options=["A", "B"], max_choices=2)
    assert err.value.field == "max_choices"
    with pytest.raises(ServiceError) as err:
        services.open_motion(**personnel, options=["A", "<b></b>"])
    assert err.value.field == "options"
    # A resolution is decided on "Tán thành": no home-made options for it.
    with pytest.raises(ServiceError) as err:
        services.open_motion(
            user=w.secretary, meeting=w.meeting, title="Nghị quyết", options=["Có", "Không"]
        )
    assert err.value.field == "options"
    assert not Motion.objects.exists()


def test_meeting_cannot_close_with_an_open_vote(started):
    w = started
    open_yes_no(w)
    with pytest.raises(ServiceError):
        services.close_meeting(user=w.secretary, meeting=w.meeting)


def test_the_named_meeting_secretary_may_run_the_room(started):
    w = started
    # w.member is the meeting's thư ký though without the meetings.manage role.
    a = services.mark_attendance(user=w.member, entry=entry_of(w, w.pending), status="late")
    assert a.by_secretary


def test_secret_vote_leaves_a_mark_and_no_vote_row(started):
    w = started
    present(w, w.member)
    motion = open_yes_no(w, ballot=Ballot.SECRET)
    services.cast_vote(user=w.member, motion=motion, choices=1)
    assert VoterMark.objects.filter(motion=motion, member=w.member.member).exists()
    assert not Vote.objects.exists()
    assert services.votes_cast(motion) == 1


@pytest.mark.parametrize("model", [Vote, VoterMark])
def test_the_database_itself_refuses_a_second_vote_row(started, model):
    from django.db import IntegrityError, transaction

    w = started
    motion = open_yes_no(w)
    model.objects.create(motion=motion, member=w.member.member)
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(motion=motion, member=w.member.member)


def test_a_committee_meeting_summons_the_current_seat_holders(meeting_world):
    w = meeting_world
    meeting = services.schedule_meeting(
        user=w.secretary, organization=w.branch, topic="Họp chi ủy", kind="cap_uy",
        starts_at=w.now, ends_at=w.now + T(hours=2), place="Phòng họp",
    )  # fmt: skip
    services.announce_meeting(user=w.secretary, meeting=meeting)
    services.start_meeting(user=w.secretary, meeting=meeting, now=w.now)
    assert [e.member_id for e in meeting.roster.all()] == [w.secretary.member_id]


def test_closing_the_meeting_after_the_votes(started):
    w = started
    present(w, w.member)
    motion = open_yes_no(w)
    services.cast_vote(user=w.member, motion=motion, choices=0)
    services.close_motion(user=w.secretary, motion=motion)
    meeting = services.close_meeting(user=w.secretary, meeting=w.meeting)
    assert meeting.state == MeetingState.CLOSED and meeting.closed_at
    with pytest.raises(ServiceError):
        services.check_in(user=w.secretary, meeting=meeting, now=w.now)
    with pytest.raises(ServiceError):
        open_yes_no(w)
