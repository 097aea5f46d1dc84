"""Secret ballots: nobody with full access to the database can link a voter to a choice
(docs/decisions/0002-secret-ballot.md).

The core argument is indistinguishability: two ballots with the same voters voting in the
same order, where two voters swap their choices, must leave databases that differ only in
random ciphertext and transaction ids — so no reading of the database (columns, row
order, timestamps, xmin/ctid, the audit trail, row counts of every table) can tell which
voter chose what.
"""

import pytest
from django.db import connection
from django.test import override_settings

from sotay.accounts.models import AccountStatus
from sotay.audit.models import AuditEntry
from sotay.meetings import ballotbox, night, services
from sotay.meetings.models import Ballot, BallotBox, Motion, VoterMark

from .test_services import present

# Both ways a secret vote is written: the service (what the whole way runs) and
# `night.cast_vote`, what the views and the API call (one quick statement on PostgreSQL).
DOORS = pytest.mark.parametrize("door", ["service", "night"])


def cast(door: str, user, motion: Motion, choice: int) -> None:
    if door == "service":
        services.cast_vote(user=user, motion=motion, choices=choice)
    else:
        night.cast_vote(
            user=user, meeting_id=motion.meeting_id, motion_id=motion.pk, choices=choice
        )


def activate(user) -> None:
    """The world's pending registrant as an active member (only active accounts vote
    through the pages and the API)."""
    type(user).objects.filter(pk=user.pk).update(status=AccountStatus.ACTIVE)
    user.status = AccountStatus.ACTIVE


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        desc = connection.introspection.get_table_description(cursor, table)
    return {c.name for c in desc}


def _row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - table names
            counts[table] = cursor.fetchone()[0]
    return counts


def _system_columns(table: str, where: str, params) -> list[tuple]:
    """xmin and ctid of the rows (PostgreSQL), ordered physically."""
    with connection.cursor() as cursor:
        cursor.execute(
            # t.ctid: the row's physical position, not the text output column of the same
            # name (as text "(0,10)" sorts before "(0,9)").
            f"SELECT xmin::text::bigint, t.ctid::text FROM {table} AS t WHERE {where} ORDER BY t.ctid",  # noqa: S608
            params,
        )
        return cursor.fetchall()


def _visible_state(motion: Motion) -> dict:
    """Everything the database holds about a secret motion, minus the random bytes of
    the sealed box (kept as its length) and row identities."""
    marks = list(
        VoterMark.objects.filter(motion=motion).order_by("pk").values_list("member_id", flat=True)
    )
    box = BallotBox.objects.get(motion=motion)
    m = Motion.objects.filter(pk=motion.pk).values().get()
    for key in ("id", "opened_at", "closed_at", "previous_id", "title", "frozen_eligible_ids"):
        m.pop(key)
    audit = [
        (a.action, {k: v for k, v in a.changes.items() if k != "motion"})
        for a in AuditEntry.objects.filter(changes__motion=motion.pk).order_by("pk")
    ]
    state = {"marks": marks, "box_len": len(bytes(box.sealed)), "motion": m, "audit": audit}
    if connection.vendor == "postgresql":
        mark_x = [
            x for x, _ctid in _system_columns("meetings_votermark", "motion_id = %s", [motion.pk])
        ]
        box_x = [
            x for x, _ctid in _system_columns("meetings_ballotbox", "motion_id = %s", [motion.pk])
        ]
        # Only how the transaction ids relate can be compared between two runs.
        state["xmin_shape"] = {
            "marks_increasing": mark_x == sorted(mark_x),
            "box_rows": len(box_x),
            "box_newer_than_earlier_marks": all(b > x for b in box_x for x in mark_x[:-1]),
        }
    return state


def test_the_secret_tables_have_no_member_next_to_a_choice_and_no_time(db):
    assert _columns("meetings_ballotbox") == {"motion_id", "sealed"}
    assert _columns("meetings_votermark") == {"id", "motion_id", "member_id"}


@DOORS
def test_two_elections_differing_only_in_who_chose_what_look_identical(started, door):
    w = started
    activate(w.pending)
    present(w, w.member, w.secretary, w.pending, w.exempt)
    voters = [w.member, w.secretary, w.pending, w.exempt]
    world_a = [0, 1, 0, 2]  # member yes, secretary no …
    world_b = [1, 0, 0, 2]  # … and the other way round
    motions, snapshots = [], []
    for choices in (world_a, world_b):
        motion = services.open_motion(
            user=w.secretary, meeting=w.meeting, title="Nhân sự", ballot=Ballot.SECRET,
            kind="nhan_su",
        )  # fmt: skip
        seen, sealed_versions = [], []
        for user, choice in zip(voters, choices, strict=True):
            cast(door, user, motion, choice)
            seen.append(_visible_state(motion))
            sealed_versions.append(bytes(BallotBox.objects.get(motion=motion).sealed))
        # Every version of the box is fresh random bytes of the same length.
        assert len(set(sealed_versions)) == len(sealed_versions)
        assert len({len(s) for s in sealed_versions}) == 1
        motion = services.close_motion(user=w.secretary, motion=motion)
        seen.append(_visible_state(motion))
        motions.append(motion)
        snapshots.append(seen)
    # After every single vote and after the close the two worlds are indistinguishable.
    for a, b in zip(*snapshots, strict=True):
        assert a == b
    assert motions[0].frozen_counts == motions[1].frozen_counts == [2, 1, 1]


@DOORS
def test_secret_votes_add_no_row_anywhere_but_the_voter_marks(started, door):
    w = started
    activate(w.pending)
    present(w, w.member, w.secretary, w.pending)
    motion = services.open_motion(
        user=w.secretary, meeting=w.meeting, title="Nghị quyết", ballot=Ballot.SECRET
    )
    before = _row_counts()
    for user, choice in ((w.member, 0), (w.secretary, 1), (w.pending, 0)):
        cast(door, user, motion, choice)
    after = _row_counts()
    changed = {t: after[t] - before[t] for t in after if after[t] != before.get(t)}
    assert changed == {"meetings_votermark": 3}


def test_the_audit_trail_never_records_a_secret_choice(started):
    w = started
    present(w, w.member, w.secretary)
    motion = services.open_motion(
        user=w.secretary, meeting=w.meeting, title="Nghị quyết", ballot=Ballot.SECRET
    )
    services.cast_vote(user=w.member, motion=motion, choices=2)
    services.cast_vote(user=w.secretary, motion=motion, choices=0)
    services.close_motion(user=w.secretary, motion=motion)
    for entry in AuditEntry.objects.all():
        assert "choices" not in entry.changes
        assert entry.actor_id not in (w.member.pk,)  # a voter's own vote is not audited
    # The only record of the result is the aggregate frozen at close.
    closing = AuditEntry.objects.get(action="meetings.close_motion")
    assert closing.changes["counts"] == [1, 0, 1]


def test_the_box_does_not_open_without_the_key(started):
    w = started
    present(w, w.member)
    motion = services.open_motion(
        user=w.secretary, meeting=w.meeting, title="Nghị quyết", ballot=Ballot.SECRET
    )
    services.cast_vote(user=w.member, motion=motion, choices=1)
    sealed = bytes(BallotBox.objects.get(motion=motion).sealed)
    assert ballotbox.unseal(motion.pk, sealed) == [1, 0, 1, 0]
    with override_settings(SECRET_KEY="another-key-" + "x" * 40), pytest.raises(ValueError):
        ballotbox.unseal(motion.pk, sealed)
    # Nor when copied onto another motion.
    with pytest.raises(ValueError):
        ballotbox.unseal(motion.pk + 1, sealed)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="xmin and ctid exist on PostgreSQL only"
)
@DOORS
def test_xmin_of_the_ballot_box_tells_nothing_about_any_choice(started, door):
    """The box row's xmin is always the latest voter's transaction — which says who voted
    last, already visible in the voter marks, and nothing about what anyone chose: the
    previous version of the box is just as opaque as the new one."""
    w = started
    activate(w.pending)
    present(w, w.member, w.secretary, w.pending)
    motion = services.open_motion(
        user=w.secretary, meeting=w.meeting, title="Nghị quyết", ballot=Ballot.SECRET
    )
    for user, choice in ((w.member, 0), (w.secretary, 1), (w.pending, 0)):
        cast(door, user, motion, choice)
        box = _system_columns("meetings_ballotbox", "motion_id = %s", [motion.pk])
        marks = _system_columns("meetings_votermark", "motion_id = %s", [motion.pk])
        assert len(box) == 1
        # One tally row per motion, rewritten by the latest vote's transaction (the voter
        # mark is inserted in a savepoint, so its xid is a sub-transaction of that vote).
        assert all(box[0][0] > xmin for xmin, _ctid in marks[:-1])
        assert abs(box[0][0] - marks[-1][0]) <= 1
