"""The two writes of a meeting night: a member checks in and a member votes.

On a meeting night thousands of branches meet within the same hour and each of their
members sends these two requests from a phone; they are the busiest writes of the
system. Each entry point here is what the HTML view and the API call, with the meeting
(and motion) named by the request:

- the **quick path** (PostgreSQL) is one statement that makes the write only when
  everything is in order — the member is on the meeting's roster, the meeting is in
  progress within its check-in window, the motion is open, the member may vote and
  the choices are valid — all checked by the statement itself, against the rows as
  they are when it runs (row locks as in `services`);
- anything else — already checked in or voted, outside the window, closed, not on the
  roster, another branch, a QR code to verify, a database without these statements —
  makes no change there and goes the **whole way**: the access check (404 outside the
  user's scope) and the service in `services`, which refuses with its message or finds
  that nothing is left to do.

Being on a meeting's roster is what makes it visible to a member (`queries.may_see`),
so a quick write needs no separate scope check; an account that is not active never
takes the quick path. The two paths are tested to give the same rows and answers.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from sotay.accounts.models import AccountStatus
from sotay.core import prepared
from sotay.core.errors import ServiceError
from sotay.core.lru import Lru
from sotay.meetings import ballotbox, quorum, services
from sotay.meetings.access import get_meeting_for_user, get_motion_for_user
from sotay.meetings.models import (
    Attendance,
    AttendanceStatus,
    Ballot,
    BallotBox,
    CheckInMethod,
    Meeting,
    MeetingState,
    Motion,
    MotionState,
    RosterEntry,
    Vote,
    VoterMark,
)

# Ids outside PostgreSQL's bigint never name a row; they go the whole way (404).
_MAX_ID = 2**63 - 1
# A motion's ballot is fixed when it is put to the vote, so the first vote seen on a
# motion (quick or whole way) tells which statement to try; without it both are tried.
# Even a wrong hint could only cost the whole way: the statements check the ballot.
_BALLOT_HINT = Lru(10_000)

# The member's roster line is looked up first, once, by the unique (meeting, member)
# index (a sub-select the planner cannot reorder): on a meeting night the roster and
# attendance tables have just grown by the lines of every meeting that started, faster
# than their statistics follow, and a join order picked on stale figures scanned them.
_ENTRY = (
    f"(SELECT e.id FROM {RosterEntry._meta.db_table} AS e"  # noqa: S608 - table name
    " WHERE e.meeting_id = %(meeting)s AND e.member_id = %(member)s{category})"
)

_CHECK_IN = f"""
UPDATE {Attendance._meta.db_table} AS a
   SET status = CASE WHEN m.starts_at < %(late_if_started_before)s
                     THEN '{AttendanceStatus.LATE}' ELSE '{AttendanceStatus.PRESENT}' END,
       checked_in_at = %(now)s, method = %(method)s, by_secretary = false,
       reason = '', reason_accepted = NULL
  FROM {Meeting._meta.db_table} AS m
 WHERE m.id = %(meeting)s
   AND m.state = '{MeetingState.IN_PROGRESS}'
   AND m.starts_at <= %(opens_if_starts_by)s AND m.ends_at >= %(now)s
   AND a.entry_id = {_ENTRY.format(category="")}
   AND a.status = '{AttendanceStatus.ABSENT}'
RETURNING a.id, a.entry_id, a.status
"""  # noqa: S608 - table names and states from the models, values as parameters

# The motion's row is locked as `services._locked_motion_state` locks it (shared for an
# open ballot, exclusive for a secret one, as closing takes it), so no vote slips in
# after the count is frozen; the unique constraint is what stops a second vote.
_VOTER = f"""
  FROM {Motion._meta.db_table} AS mo, {Attendance._meta.db_table} AS a
 WHERE mo.id = %(motion)s AND mo.meeting_id = %(meeting)s
   AND mo.state = '{MotionState.OPEN}' AND mo.ballot = %(ballot)s
   AND %(highest)s < jsonb_array_length(mo.options) AND %(count)s <= mo.max_choices
   AND a.entry_id = {_ENTRY.format(category=" AND e.category = ANY(%(voting)s)")}
   AND a.status <> '{AttendanceStatus.ABSENT}'"""  # noqa: S608 - table names and states from the models, values as parameters


# Each statement also says whether the member had already voted (a second tap on a
# weak network is common): then the answer is "already voted" without the whole way.
# A vote committed after the statement began may go unseen here; the whole way then
# meets the unique constraint and answers the same.
def _vote_statement(table: str, columns: str, values: str, lock: str) -> str:
    """Insert the vote (or the voter's mark) when `_VOTER` holds, under the motion's row
    lock; answer (wrote, had voted before)."""
    return f"""
WITH written AS (
INSERT INTO {table} ({columns})
SELECT {values}{_VOTER}
   FOR {lock} OF mo
    ON CONFLICT DO NOTHING
RETURNING id
)
SELECT EXISTS (SELECT 1 FROM written),
       EXISTS (SELECT 1 FROM {table} WHERE motion_id = %(motion)s AND member_id = %(member)s)
"""  # noqa: S608 - table names from the models, values as parameters


_OPEN_VOTE = _vote_statement(
    Vote._meta.db_table,
    "motion_id, member_id, choices, by_show_of_hands, recorded_by_id, created_at",
    "mo.id, %(member)s, %(choices)s::jsonb, false, NULL, %(now)s",
    "SHARE",
)
_SECRET_MARK = _vote_statement(
    VoterMark._meta.db_table, "motion_id, member_id", "mo.id, %(member)s", "UPDATE"
)

_BOX = BallotBox._meta.db_table
_READ_BOX = f"SELECT sealed FROM {_BOX} WHERE motion_id = %s FOR UPDATE"  # noqa: S608 - table name
_WRITE_BOX = f"UPDATE {_BOX} SET sealed = %s WHERE motion_id = %s"  # noqa: S608 - table name


def _quick(user, *ids: int) -> int | None:
    """The member id when the quick path may be tried for this user and these ids."""
    if connection.vendor != "postgresql" or not all(0 < i <= _MAX_ID for i in ids):
        return None
    if getattr(user, "status", None) != AccountStatus.ACTIVE:
        return None
    return getattr(user, "member_id", None)


def check_in(
    *, user, meeting_id: int, method: str = CheckInMethod.PHONE, code: str = "", ticket: str = ""
) -> Attendance:
    """The signed-in member checks in to the meeting (button, or a QR `code` / the
    `ticket` it was exchanged for). 404 outside the user's scope; refusals as
    `services.check_in`. Checking in again changes nothing."""
    now = timezone.now()
    member_id = _quick(user, meeting_id)
    quick_method = (
        method == CheckInMethod.PHONE
        or (method == CheckInMethod.QR and not code and ticket
            and services.ticket_valid(ticket, meeting_id, user, now))
    )  # fmt: skip
    if member_id is not None and quick_method:
        with prepared.cursor() as cursor:
            cursor.execute(
                _CHECK_IN,
                {
                    "meeting": meeting_id,
                    "member": member_id,
                    "method": method,
                    "now": now,
                    "late_if_started_before": now - services.LATE_AFTER,
                    "opens_if_starts_by": now + services.CHECK_IN_OPENS_BEFORE,
                },
            )
            row = cursor.fetchone()
        if row is not None:
            return Attendance(
                id=row[0], entry_id=row[1], status=row[2], checked_in_at=now, method=method
            )
    meeting = get_meeting_for_user(user, meeting_id)
    return services.check_in(
        user=user, meeting=meeting, method=method, code=code, ticket=ticket, now=now
    )


def cast_vote(*, user, meeting_id: int, motion_id: int, choices) -> None:
    """The signed-in member votes on the motion. 404 outside the user's scope;
    refusals as `services.cast_vote`. Nothing about the choice is audited or logged."""
    member_id = _quick(user, meeting_id, motion_id)
    if member_id is not None and _quick_vote(member_id, meeting_id, motion_id, choices):
        return
    motion = get_motion_for_user(user, meeting_id, motion_id)
    _BALLOT_HINT.put(motion.pk, motion.ballot)
    services.cast_vote(user=user, motion=motion, choices=choices)


def _chosen(choices) -> list[int] | None:
    """The choices as sorted distinct indexes, or None for anything `services` must
    refuse with its message (the statement checks them against the motion)."""
    if isinstance(choices, int) and not isinstance(choices, bool):
        choices = [choices]
    if not isinstance(choices, list | tuple):
        return None
    try:
        chosen = sorted({int(c) for c in choices})
    except (TypeError, ValueError, OverflowError):
        return None
    if not chosen or chosen[0] < 0 or chosen[-1] > 10_000:
        return None
    return chosen


def _quick_vote(member_id: int, meeting_id: int, motion_id: int, choices) -> bool:
    """The vote as the motion's ballot asks, open or secret. The request does not say
    which: the known ballot is tried, or else both (a motion is one or the other, so at
    most one statement writes). True when it wrote; "already voted" is raised here."""
    chosen = _chosen(choices)
    if chosen is None:
        return False
    params = {
        "member": member_id,
        "motion": motion_id,
        "meeting": meeting_id,
        "voting": sorted(quorum.VOTING_CATEGORIES),
        "highest": chosen[-1],
        "count": len(chosen),
        "choices": _json_list(chosen),
        "now": timezone.now(),
    }
    known = _BALLOT_HINT.get(motion_id)
    for ballot in (known,) if known else (Ballot.OPEN, Ballot.SECRET):
        wrote, voted = _quick_ballot(ballot, params, motion_id, chosen)
        if wrote or voted:  # only this ballot's statement finds or leaves a vote
            _BALLOT_HINT.put(motion_id, ballot)
        if wrote:
            return True
        if voted:
            raise ServiceError(services.ALREADY_VOTED, "member")
    return False


def _quick_ballot(ballot: str, params: dict, motion_id: int, chosen: list[int]):
    """(wrote, had voted before) for one ballot."""
    if ballot == Ballot.SECRET:
        return _quick_secret_vote(params, motion_id, chosen)
    with prepared.cursor() as cursor:
        cursor.execute(_OPEN_VOTE, params | {"ballot": Ballot.OPEN})
        wrote, voted = cursor.fetchone()
    return wrote, voted and not wrote


@transaction.atomic
def _quick_secret_vote(params: dict, motion_id: int, chosen: list[int]):
    """The voter's mark and the resealed box in one transaction, under the motion's
    exclusive lock taken by the mark's statement: the box is read afterwards, in its
    own statement, so it is the version the last voter committed."""
    with prepared.cursor() as cursor:
        cursor.execute(_SECRET_MARK, params | {"ballot": Ballot.SECRET})
        wrote, voted = cursor.fetchone()
        if not wrote:
            return False, voted
        cursor.execute(_READ_BOX, [motion_id])
        sealed = ballotbox.add_ballot(motion_id, bytes(cursor.fetchone()[0]), chosen)
        cursor.execute(_WRITE_BOX, [sealed, motion_id])
    return True, False


def _json_list(values: list[int]) -> str:
    return "[" + ", ".join(str(v) for v in values) + "]"
