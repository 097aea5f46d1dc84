"""The meeting night's two writes as the views and the API call them (`night`): on
PostgreSQL a member's check-in or vote in order is one statement; everything else goes
the whole way and answers as the services do, changing nothing."""

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.testing import make_member, make_user
from sotay.meetings import ballotbox, night, services
from sotay.meetings.models import (
    Attendance,
    AttendanceStatus,
    Ballot,
    BallotBox,
    CheckInMethod,
    Meeting,
    Vote,
    VoterMark,
)

pytestmark = pytest.mark.django_db
T = dt.timedelta
ON_POSTGRES = connection.vendor == "postgresql"


def attendance_of(w, user) -> Attendance:
    return Attendance.objects.get(entry__meeting=w.meeting, entry__member=user.member)


def statements(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, [q["sql"] for q in ctx.captured_queries]


def quick_statements(sqls, expected):
    """The quick path's statement count, asserted where it exists (PostgreSQL)."""
    if ON_POSTGRES:
        assert len(sqls) == expected, sqls


def move_meeting(w, *, starts, ends):
    Meeting.objects.filter(pk=w.meeting.pk).update(
        starts_at=timezone.now() + starts, ends_at=timezone.now() + ends
    )


# --- check-in ----------------------------------------------------------------------------


def test_a_member_checks_in_with_one_statement(started):
    w = started
    a, sqls = statements(lambda: night.check_in(user=w.member, meeting_id=w.meeting.pk))
    quick_statements(sqls, 1)
    row = attendance_of(w, w.member)
    assert (a.status, a.method) == (row.status, row.method) == ("present", "phone")
    assert a.checked_in_at == row.checked_in_at and row.checked_in_at is not None
    assert not row.by_secretary and row.reason == "" and row.reason_accepted is None


def test_arriving_after_the_grace_is_late(started):
    w = started
    move_meeting(w, starts=-T(minutes=20), ends=T(minutes=100))
    a = night.check_in(user=w.member, meeting_id=w.meeting.pk)
    assert a.status == attendance_of(w, w.member).status == AttendanceStatus.LATE


def test_within_the_grace_is_present(started):
    w = started
    move_meeting(w, starts=-T(minutes=14), ends=T(minutes=100))
    assert night.check_in(user=w.member, meeting_id=w.meeting.pk).status == "present"


def test_checking_in_again_changes_nothing(started):
    w = started
    first = night.check_in(user=w.member, meeting_id=w.meeting.pk)
    again = night.check_in(user=w.member, meeting_id=w.meeting.pk)
    assert again.status == "present" and again.checked_in_at == first.checked_in_at
    assert attendance_of(w, w.member).checked_in_at == first.checked_in_at


def test_a_line_the_secretary_marked_keeps_its_mark(started):
    w = started
    entry = attendance_of(w, w.member).entry
    services.mark_attendance(user=w.secretary, entry=entry, status="absent", reason="Ốm")
    services.mark_attendance(user=w.secretary, entry=entry, status="present")
    night.check_in(user=w.member, meeting_id=w.meeting.pk)
    assert attendance_of(w, w.member).by_secretary


@pytest.mark.parametrize(
    "starts,ends",
    [(T(minutes=31), T(minutes=150)), (-T(minutes=150), -T(minutes=1))],
    ids=["too-early", "after-the-end"],
)
def test_outside_the_window_is_refused_and_nothing_changes(started, starts, ends):
    w = started
    move_meeting(w, starts=starts, ends=ends)
    with pytest.raises(ServiceError) as err:
        night.check_in(user=w.member, meeting_id=w.meeting.pk)
    assert "Ngoài thời gian điểm danh" in err.value.message
    assert attendance_of(w, w.member).status == AttendanceStatus.ABSENT


def test_before_the_meeting_starts_it_is_refused(meeting_world):
    w = meeting_world
    with pytest.raises(ServiceError) as err:
        night.check_in(user=w.member, meeting_id=w.meeting.pk)
    assert "chưa bắt đầu" in err.value.message


def test_after_the_meeting_closed_it_is_refused(started):
    w = started
    Meeting.objects.filter(pk=w.meeting.pk).update(state="closed")
    with pytest.raises(ServiceError):
        night.check_in(user=w.member, meeting_id=w.meeting.pk)
    assert attendance_of(w, w.member).status == AttendanceStatus.ABSENT


def test_a_member_of_the_branch_not_on_the_roster_is_told_so(started):
    w = started
    newcomer = make_user(make_member(w.branch, "Hà Văn Ước"))
    with pytest.raises(PermissionDenied) as err:
        night.check_in(user=newcomer, meeting_id=w.meeting.pk)
    assert "danh sách triệu tập" in err.value.message


@pytest.mark.parametrize("who", ["outsider", "pending"])
def test_outside_the_scope_or_not_active_answers_404(started, who):
    w = started
    with pytest.raises(Http404):
        night.check_in(user=getattr(w, who), meeting_id=w.meeting.pk)
    if who == "pending":
        assert attendance_of(w, w.pending).status == AttendanceStatus.ABSENT


@pytest.mark.parametrize("meeting_id", [0, -1, 2**63, 10**30])
def test_ids_that_name_no_meeting_answer_404(started, meeting_id):
    with pytest.raises(Http404):
        night.check_in(user=started.member, meeting_id=meeting_id)


def test_a_fresh_qr_ticket_checks_in_with_one_statement(started):
    w = started
    ticket = services.qr_ticket(user=w.member, meeting=w.meeting, code=services.qr_code(w.meeting))
    a, sqls = statements(
        lambda: night.check_in(
            user=w.member, meeting_id=w.meeting.pk, method=CheckInMethod.QR, ticket=ticket
        )
    )
    quick_statements(sqls, 1)
    assert a.method == attendance_of(w, w.member).method == CheckInMethod.QR


@pytest.mark.parametrize("whose", ["another member's", "forged", "old"])
def test_a_ticket_that_is_not_the_members_own_and_fresh_is_refused(started, whose):
    w = started
    code = services.qr_code(w.meeting)
    if whose == "another member's":
        ticket = services.qr_ticket(user=w.secretary, meeting=w.meeting, code=code)
    elif whose == "forged":
        ticket = services.qr_ticket(user=w.member, meeting=w.meeting, code=code) + "x"
    else:
        ticket = services.qr_ticket(
            user=w.member, meeting=w.meeting, code=services.qr_code(w.meeting, w.now - T(minutes=5)),
            now=w.now - T(minutes=5),
        )  # fmt: skip
    with pytest.raises(ServiceError) as err:
        night.check_in(
            user=w.member, meeting_id=w.meeting.pk, method=CheckInMethod.QR, ticket=ticket
        )
    assert err.value.field == "code"
    assert attendance_of(w, w.member).status == AttendanceStatus.ABSENT


def test_a_scanned_code_is_checked_the_whole_way(started):
    w = started
    a = night.check_in(
        user=w.member, meeting_id=w.meeting.pk, method=CheckInMethod.QR,
        code=services.qr_code(w.meeting),
    )  # fmt: skip
    assert a.method == CheckInMethod.QR
    with pytest.raises(ServiceError):
        night.check_in(
            user=w.secretary, meeting_id=w.meeting.pk, method=CheckInMethod.QR, code="0" * 20
        )


# --- votes -------------------------------------------------------------------------------


def open_motion(w, **kw):
    return services.open_motion(
        user=w.secretary, meeting=w.meeting, title="Thông qua nghị quyết tháng", **kw
    )


def present(w, *users):
    for u in users:
        night.check_in(user=u, meeting_id=w.meeting.pk)


def vote(w, user, motion, choices):
    return night.cast_vote(user=user, meeting_id=w.meeting.pk, motion_id=motion.pk, choices=choices)


def test_an_open_vote_is_one_statement(started):
    w = started
    present(w, w.member)
    motion = open_motion(w)
    _, sqls = statements(lambda: vote(w, w.member, motion, ["1"]))
    quick_statements(sqls, 1)
    v = Vote.objects.get()
    assert (v.motion_id, v.member_id, v.choices) == (motion.pk, w.member.member_id, [1])
    assert not v.by_show_of_hands and v.recorded_by is None and v.created_at is not None


def test_a_secret_vote_leaves_a_mark_and_a_count_only(started):
    w = started
    present(w, w.member, w.secretary)
    motion = open_motion(w, ballot=Ballot.SECRET)
    vote(w, w.member, motion, [2])
    _, sqls = statements(lambda: vote(w, w.secretary, motion, 2))
    if ON_POSTGRES:  # mark, box read, box write (and the savepoint's own statements)
        assert len([s for s in sqls if "SAVEPOINT" not in s]) == 3, sqls
    assert not Vote.objects.exists()
    assert VoterMark.objects.filter(motion=motion).count() == 2
    sealed = BallotBox.objects.get(motion=motion).sealed
    assert ballotbox.unseal(motion.pk, sealed) == [2, 0, 0, 2]


def test_candidates_up_to_the_number_to_choose(started):
    w = started
    present(w, w.member)
    motion = open_motion(
        w, kind="nhan_su", options=["Ứng viên A", "Ứng viên B", "Ứng viên C"], max_choices=2
    )
    with pytest.raises(ServiceError) as err:
        vote(w, w.member, motion, [0, 1, 2])
    assert "tối đa 2" in err.value.message
    vote(w, w.member, motion, [2, 0, 2])
    assert Vote.objects.get().choices == [0, 2]


@pytest.mark.parametrize("ballot", [Ballot.OPEN, Ballot.SECRET])
def test_voting_twice_is_refused_by_the_quick_statement(started, ballot):
    w = started
    present(w, w.member)
    motion = open_motion(w, ballot=ballot)
    vote(w, w.member, motion, 0)
    with CaptureQueriesContext(connection) as ctx, pytest.raises(ServiceError) as err:
        vote(w, w.member, motion, 1)
    assert "lần hai" in err.value.message
    quick_statements([q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]], 1)
    assert services.votes_cast(motion) == 1
    if ballot == Ballot.OPEN:
        assert list(Vote.objects.values_list("choices", flat=True)) == [[0]]


@pytest.mark.parametrize(
    "choices,message",
    [(3, "không hợp lệ"), (-1, "không hợp lệ"), ("một", "không hợp lệ"), ([], "Vui lòng chọn"),
     ([0, 1], "tối đa 1"), ([10**40], "không hợp lệ"), ({"a": 1}, "không hợp lệ")],
)  # fmt: skip
def test_bad_choices_get_the_services_message_and_no_vote(started, choices, message):
    w = started
    present(w, w.member)
    motion = open_motion(w)
    with pytest.raises(ServiceError) as err:
        vote(w, w.member, motion, choices)
    assert message in err.value.message
    assert not Vote.objects.exists()


def test_who_may_not_vote_is_refused_as_by_the_service(started):
    w = started
    present(w, w.probationary, w.guest, w.away)
    for ballot in (Ballot.OPEN, Ballot.SECRET):
        motion = open_motion(w, ballot=ballot)
        for user, needle in ((w.probationary, "dự bị"), (w.guest, "không biểu quyết"),
                             (w.away, "không biểu quyết")):  # fmt: skip
            with pytest.raises(PermissionDenied) as err:
                vote(w, user, motion, 0)
            assert needle in err.value.message
        with pytest.raises(ServiceError) as err:
            vote(w, w.member, motion, 0)  # not checked in
        assert err.value.field == "attendance"
        assert services.votes_cast(motion) == 0


def test_after_close_no_vote_is_taken(started):
    w = started
    present(w, w.member, w.secretary)
    motion = open_motion(w)
    services.close_motion(user=w.secretary, motion=motion)
    with pytest.raises(ServiceError) as err:
        vote(w, w.member, motion, 0)
    assert "đã kết thúc" in err.value.message
    assert not Vote.objects.exists()


def test_a_motion_named_under_another_meeting_or_unseen_answers_404(started):
    w = started
    present(w, w.member)
    motion = open_motion(w)
    with pytest.raises(Http404):
        night.cast_vote(
            user=w.member, meeting_id=w.meeting.pk + 1000, motion_id=motion.pk, choices=0
        )
    with pytest.raises(Http404):
        vote(w, w.outsider, motion, 0)
    with pytest.raises(Http404):
        night.cast_vote(user=w.member, meeting_id=w.meeting.pk, motion_id=2**70, choices=0)
    assert not Vote.objects.exists()


def test_a_wrong_ballot_hint_costs_only_the_whole_way(started):
    w = started
    present(w, w.member, w.secretary)
    motion = open_motion(w, ballot=Ballot.SECRET)
    night._BALLOT_HINT.put(motion.pk, Ballot.OPEN)
    vote(w, w.member, motion, 1)
    assert not Vote.objects.exists() and VoterMark.objects.count() == 1
    assert night._BALLOT_HINT.get(motion.pk) == Ballot.SECRET
    _, sqls = statements(lambda: vote(w, w.secretary, motion, 0))
    if ON_POSTGRES:
        assert len([s for s in sqls if "SAVEPOINT" not in s]) == 3, sqls
    assert ballotbox.unseal(motion.pk, BallotBox.objects.get(motion=motion).sealed) == [2, 1, 1, 0]


@pytest.mark.skipif(not ON_POSTGRES, reason="prepared statements are PostgreSQL's")
def test_the_nights_statements_are_prepared_once_per_connection(started):
    # Planning cost the server more than running them (core.prepared).
    w = started
    users = [w.member, w.secretary]
    for u in users:
        night.check_in(user=u, meeting_id=w.meeting.pk)
    open_vote, secret_vote = open_motion(w), open_motion(w, ballot=Ballot.SECRET)
    for u in users:
        vote(w, u, open_vote, [0])
        vote(w, u, secret_vote, [1])
    with connection.cursor() as cur:
        cur.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        runs = cur.fetchall()

    def runs_of(part):  # one prepared statement per text, and how often it ran
        return [n for text, n in runs if part in text]

    assert runs_of("UPDATE meetings_attendance") == [2]
    # The first secret vote also tries the open ballot's statement (no ballot known yet).
    assert runs_of("INSERT INTO meetings_vote ") in ([2], [3])
    assert runs_of("INSERT INTO meetings_votermark") == [2]
    assert runs_of("SELECT sealed FROM meetings_ballotbox") == [2]
    assert runs_of("UPDATE meetings_ballotbox") == [2]
    assert Vote.objects.count() == VoterMark.objects.count() == 2
