"""Denominators, pass rules and the presence summary of a branch meeting (DOMAIN §5).

Pure functions over plain values: no database, so the rules are tested table-driven and
the services, the secretary's screen and the minutes all compute them the same way.

The rule (QĐ 24-QĐ/TW item 9.3, as summarised in DOMAIN §5): the number a vote is
measured against is the summoned members EXCLUDING
  * members temporarily transferred out (chuyển sinh hoạt tạm thời đi nơi khác);
  * exempt members (miễn công tác và sinh hoạt đảng) who are absent — an exempt member
    who attends and votes counts;
  * members suspended, prosecuted or detained (đình chỉ sinh hoạt, bị khởi tố, truy tố,
    tạm giam);
  * members absent the whole meeting with a reason the convener accepted.

Decisions recorded here (the rationale lives with the code that applies it):
  * Only members who may vote are in the denominator: probationary members never vote
    (Charter art. 3), so counting them would turn each of them into an implicit "no".
    Item 9.3 speaks of "số đảng viên chính thức"; the denominator is therefore built from
    full members (and exempt members, who keep their full standing) only.
  * Members temporarily attached to this branch (sinh hoạt tạm thời ở đây) belong to
    their home branch's roll, where they are the "temporarily transferred out" exclusion.
    Counting them here as well would count them twice across the party, so they are not
    in this branch's denominator and do not vote on its motions (they attend and are
    shown in the presence split). (unverified: some guides let them vote on ordinary
    branch business; this is the conservative reading.)
  * A member who arrives late was not "absent all meeting": late counts as present.
  * "More than half": yes × 2 > denominator, so exactly half fails.
  * Admission (kết nạp) and full-membership recognition (công nhận chính thức) need
    "at least two thirds of full members" (Charter art. 4 / 5). The ⅔ is taken of the SAME
    reduced denominator, not of every full member on the branch's books: item 9.3 defines
    the exclusions precisely to compute "số đảng viên chính thức" for such votes, and
    measuring against the unreduced roll would let a detained member, a member away on
    temporary transfer or an excused absentee block an admission by not being there —
    the situation item 9.3 exists to prevent. The test is yes × 3 ≥ denominator × 2.
  * A motion failing its round may be put again, up to three rounds; failing the third
    round the matter is referred to the superior committee (chuyển cấp ủy cấp trên).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_ROUNDS = 3


class Category:
    """Where a member stood when the roster was taken (values of RosterCategory)."""

    FULL = "chinh_thuc"
    PROBATIONARY = "du_bi"
    TEMP_ATTACHED = "tam_thoi_den"
    EXEMPT = "mien_sinh_hoat"
    TRANSFERRED_OUT = "tam_thoi_di"
    SUSPENDED = "dinh_chi"


class Presence:
    PRESENT = "present"
    LATE = "late"
    ABSENT = "absent"


class Threshold:
    MAJORITY = "majority"  # more than half of the denominator
    TWO_THIRDS = "two_thirds"  # at least two thirds of the denominator (full members)


class Outcome:
    PASSED = "passed"
    FAILED = "failed"
    REFERRED = "referred"  # failed the last allowed round: referred upward


VOTING_CATEGORIES = frozenset({Category.FULL, Category.EXEMPT})


@dataclass(frozen=True)
class Line:
    """One roster line as the rules see it."""

    category: str
    presence: str = Presence.ABSENT
    reason_accepted: bool | None = None

    @property
    def present(self) -> bool:
        return self.presence in (Presence.PRESENT, Presence.LATE)


def in_denominator(line: Line) -> bool:
    """Whether this member counts in the number a vote is measured against."""
    if line.category not in VOTING_CATEGORIES:
        # probationary, temporarily attached, transferred out, suspended/detained
        return False
    if line.category == Category.EXEMPT and not line.present:
        return False
    # absent all meeting with a reason the convener accepted
    return line.present or line.reason_accepted is not True


def may_vote(line: Line) -> bool:
    """Whether this member may cast a vote now: a voting category and present."""
    return line.category in VOTING_CATEGORIES and line.present


def denominator(lines: Iterable[Line]) -> int:
    return sum(1 for line in lines if in_denominator(line))


def eligible_voters(lines: Iterable[Line]) -> int:
    return sum(1 for line in lines if may_vote(line))


def passes(yes: int, denom: int, threshold: str = Threshold.MAJORITY) -> bool:
    """Whether `yes` votes carry against `denom`. Nothing passes against zero."""
    if denom <= 0 or yes < 0:
        return False
    if threshold == Threshold.TWO_THIRDS:
        return yes * 3 >= denom * 2
    return yes * 2 > denom


def votes_needed(denom: int, threshold: str = Threshold.MAJORITY) -> int:
    """The smallest number of "yes" that passes (0 when nothing can pass)."""
    if denom <= 0:
        return 0
    if threshold == Threshold.TWO_THIRDS:
        return -(-denom * 2 // 3)  # ceil(2·d/3)
    return denom // 2 + 1


def outcome(yes: int, denom: int, threshold: str, round_no: int) -> str:
    """Passed, failed (may be put again) or referred upward after the last round."""
    if passes(yes, denom, threshold):
        return Outcome.PASSED
    return Outcome.REFERRED if round_no >= MAX_ROUNDS else Outcome.FAILED


@dataclass(frozen=True)
class Split:
    full: int = 0
    probationary: int = 0
    temp_attached: int = 0
    exempt: int = 0
    transferred_out: int = 0
    suspended: int = 0

    @property
    def total(self) -> int:
        return (
            self.full
            + self.probationary
            + self.temp_attached
            + self.exempt
            + self.transferred_out
            + self.suspended
        )


_FIELD = {
    Category.FULL: "full",
    Category.PROBATIONARY: "probationary",
    Category.TEMP_ATTACHED: "temp_attached",
    Category.EXEMPT: "exempt",
    Category.TRANSFERRED_OUT: "transferred_out",
    Category.SUSPENDED: "suspended",
}


def split(lines: Iterable[Line]) -> Split:
    counts = dict.fromkeys(_FIELD.values(), 0)
    for line in lines:
        counts[_FIELD[line.category]] += 1
    return Split(**counts)


@dataclass(frozen=True)
class Summary:
    """What the secretary's screen and the minutes show about attendance."""

    summoned: Split
    present: Split
    absent_with_accepted_reason: int
    absent_without_reason: int
    denominator: int
    eligible_present: int
    majority_needed: int
    two_thirds_needed: int

    @property
    def majority_possible(self) -> bool:
        """Could a majority vote pass if every eligible member present voted yes?"""
        return passes(self.eligible_present, self.denominator, Threshold.MAJORITY)

    @property
    def two_thirds_possible(self) -> bool:
        return passes(self.eligible_present, self.denominator, Threshold.TWO_THIRDS)


def summary(lines: Iterable[Line]) -> Summary:
    lines = list(lines)
    absent = [line for line in lines if not line.present]
    denom = denominator(lines)
    return Summary(
        summoned=split(lines),
        present=split(line for line in lines if line.present),
        absent_with_accepted_reason=sum(1 for line in absent if line.reason_accepted is True),
        absent_without_reason=sum(1 for line in absent if line.reason_accepted is not True),
        denominator=denom,
        eligible_present=eligible_voters(lines),
        majority_needed=votes_needed(denom, Threshold.MAJORITY),
        two_thirds_needed=votes_needed(denom, Threshold.TWO_THIRDS),
    )
