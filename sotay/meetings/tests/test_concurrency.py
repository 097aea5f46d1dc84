"""200 members vote at once, each sending 40 duplicate requests, on PostgreSQL: totals
exact, zero doubles, every duplicate refused with the clean Vietnamese message."""

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import timezone

from sotay.accounts.models import User
from sotay.core.errors import ServiceError
from sotay.core.testing import build_world
from sotay.meetings import night, services
from sotay.meetings.models import Attendance, Ballot, Vote, VoterMark
from sotay.members.models import Member, MemberStatus, Sex

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises every write, so nothing would race",
)

VOTERS = 200
DUPLICATES = 40
THREADS = 24  # each thread holds its own connection; the server allows 100 in all


def _crowd(branch) -> list[User]:
    members = [
        Member(
            full_name=f"Đảng viên Số {i:03d}",
            birth_date=timezone.localdate().replace(year=1980),
            sex=Sex.MALE,
            status=MemberStatus.FULL,
            organization=branch,
        ).fill_derived()
        for i in range(VOTERS)
    ]
    members = Member.objects.bulk_create(members)
    return User.objects.bulk_create(
        [
            User(username=f"dv{i:03d}", full_name=m.full_name, member=m)
            for i, m in enumerate(members)
        ]
    )


def _meeting_with_crowd(ballot: str):
    """The world, its 200-member crowd all present at a started meeting of the branch,
    and a motion put to the vote."""
    w = build_world()
    crowd = _crowd(w.branch)
    now = timezone.now()
    meeting = services.schedule_meeting(
        user=w.secretary, organization=w.branch, topic="Đại hội chi bộ",
        starts_at=now, ends_at=now + timezone.timedelta(hours=3), place="Hội trường",
    )  # fmt: skip
    services.announce_meeting(user=w.secretary, meeting=meeting)
    services.start_meeting(user=w.secretary, meeting=meeting, now=now)
    Attendance.objects.filter(entry__meeting=meeting).update(status="present")
    motion = services.open_motion(
        user=w.secretary, meeting=meeting, title="Thông qua nghị quyết đại hội", ballot=ballot
    )
    return w, crowd, meeting, motion


def _run(ballot: str, door: str = "night", duplicates: int = DUPLICATES):
    w, crowd, meeting, motion = _meeting_with_crowd(ballot)
    # Each voter always sends the same choice; the intended totals are known.
    intended = {u.pk: u.pk % 3 for u in crowd}
    requests = [u for u in crowd for _ in range(duplicates)]
    random.Random(5).shuffle(requests)
    outcome = Counter()
    unexpected = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)
    per_thread = [requests[i::THREADS] for i in range(THREADS)]

    def worker(batch):
        try:
            start.wait()
            for user in batch:
                try:
                    if door == "night":  # what the views and the API call
                        night.cast_vote(
                            user=user,
                            meeting_id=meeting.pk,
                            motion_id=motion.pk,
                            choices=intended[user.pk],
                        )
                    else:
                        services.cast_vote(user=user, motion=motion, choices=intended[user.pk])
                    kind = "ok"
                except ServiceError as exc:
                    kind = "refused" if "lần hai" in exc.message else f"other: {exc.message}"
                except Exception as exc:  # anything else would be a 500
                    kind = "error"
                    with lock:
                        unexpected.append(repr(exc))
                with lock:
                    outcome[kind] += 1
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, per_thread))

    assert unexpected == []
    assert outcome == {"ok": VOTERS, "refused": VOTERS * (duplicates - 1)}
    assert services.votes_cast(motion) == VOTERS
    motion = services.close_motion(user=w.secretary, motion=motion)
    expected = Counter(intended.values())
    assert motion.frozen_votes_cast == VOTERS
    assert motion.frozen_counts == [expected[0], expected[1], expected[2]]
    return motion


@pytest.mark.django_db(transaction=True)
def test_two_hundred_open_votes_with_forty_duplicates_each():
    motion = _run(Ballot.OPEN)
    per_member = Counter(Vote.objects.filter(motion=motion).values_list("member_id", flat=True))
    assert len(per_member) == VOTERS and set(per_member.values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_two_hundred_secret_votes_with_forty_duplicates_each():
    motion = _run(Ballot.SECRET)
    marks = Counter(VoterMark.objects.filter(motion=motion).values_list("member_id", flat=True))
    assert len(marks) == VOTERS and set(marks.values()) == {1}
    assert not Vote.objects.filter(motion=motion).exists()


@pytest.mark.django_db(transaction=True)
def test_the_service_alone_also_takes_one_open_vote_each():
    """The whole way (`services.cast_vote`, what a request takes when the quick
    statement does not write) under the same crowd, 5 requests each: the unique
    constraint holds."""
    motion = _run(Ballot.OPEN, door="service", duplicates=5)
    assert Vote.objects.filter(motion=motion).count() == VOTERS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("ballot", [Ballot.OPEN, Ballot.SECRET])
def test_closing_while_members_vote_freezes_exactly_the_votes_taken(ballot):
    """The secretary closes the vote while 200 members are voting: every vote is either
    in the frozen count or refused as after the close, never taken and left out."""
    w, crowd, meeting, motion = _meeting_with_crowd(ballot)
    outcome = Counter()
    lock = threading.Lock()
    taken = threading.Event()
    start = threading.Barrier(THREADS + 1)
    per_thread = [crowd[i::THREADS] for i in range(THREADS)]

    def voter(batch):
        try:
            start.wait()
            for user in batch:
                try:
                    night.cast_vote(
                        user=user, meeting_id=meeting.pk, motion_id=motion.pk, choices=[0]
                    )
                    kind = "ok"
                    taken.set()
                except ServiceError as exc:
                    kind = "closed" if "đã kết thúc" in exc.message else exc.message
                with lock:
                    outcome[kind] += 1
        finally:
            connections.close_all()

    def closer():
        try:
            start.wait()
            taken.wait(10)
            return services.close_motion(user=w.secretary, motion=motion)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS + 1) as pool:
        closing = pool.submit(closer)
        list(pool.map(voter, per_thread))
        closed = closing.result()

    assert set(outcome) <= {"ok", "closed"} and sum(outcome.values()) == VOTERS
    assert outcome["ok"] >= 1
    assert closed.frozen_votes_cast == outcome["ok"] == services.votes_cast(motion)
    assert closed.frozen_counts[0] == outcome["ok"]
