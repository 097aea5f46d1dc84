"""Denominators and pass rules of DOMAIN §5, table-driven."""

import pytest

from sotay.meetings.quorum import (
    Category as C,
)
from sotay.meetings.quorum import (
    Line,
    Outcome,
    Threshold,
    denominator,
    eligible_voters,
    outcome,
    passes,
    summary,
    votes_needed,
)
from sotay.meetings.quorum import (
    Presence as P,
)

F, PR, TA, EX, TO, SU = (
    C.FULL, C.PROBATIONARY, C.TEMP_ATTACHED, C.EXEMPT, C.TRANSFERRED_OUT, C.SUSPENDED,
)  # fmt: skip
IN, LATE, OUT = P.PRESENT, P.LATE, P.ABSENT


def lines(*specs):
    """(category, presence, reason_accepted, how many)."""
    out = []
    for category, presence, accepted, n in specs:
        out += [Line(category, presence, accepted)] * n
    return out


# Each row: roster, expected denominator, eligible present, yes votes, threshold, passes.
ROSTERS = [
    pytest.param(lines((F, IN, None, 10)), 10, 10, 6, Threshold.MAJORITY, True, id="all-present-6-of-10"),
    pytest.param(lines((F, IN, None, 10)), 10, 10, 5, Threshold.MAJORITY, False, id="exactly-half-fails"),
    pytest.param(lines((F, IN, None, 9)), 9, 9, 5, Threshold.MAJORITY, True, id="odd-5-of-9"),
    pytest.param(lines((F, IN, None, 6), (TO, OUT, None, 4)), 6, 6, 4, Threshold.MAJORITY, True, id="transferred-out-excluded"),
    pytest.param(lines((F, IN, None, 6), (TO, IN, None, 2)), 6, 6, 3, Threshold.MAJORITY, False, id="transferred-out-attending-still-excluded"),
    pytest.param(lines((F, IN, None, 6), (EX, OUT, None, 3)), 6, 6, 4, Threshold.MAJORITY, True, id="absent-exempt-excluded"),
    pytest.param(lines((F, IN, None, 6), (EX, IN, None, 2)), 8, 8, 4, Threshold.MAJORITY, False, id="present-exempt-counts-4-of-8-fails"),
    pytest.param(lines((F, IN, None, 6), (EX, IN, None, 2)), 8, 8, 5, Threshold.MAJORITY, True, id="present-exempt-counts-5-of-8"),
    pytest.param(lines((F, IN, None, 5), (SU, OUT, None, 2), (SU, IN, None, 1)), 5, 5, 3, Threshold.MAJORITY, True, id="suspended-detained-excluded"),
    pytest.param(lines((F, IN, None, 5), (F, OUT, True, 3)), 5, 5, 3, Threshold.MAJORITY, True, id="accepted-reason-excluded"),
    pytest.param(lines((F, IN, None, 5), (F, OUT, False, 3)), 8, 5, 4, Threshold.MAJORITY, False, id="rejected-reason-counts"),
    pytest.param(lines((F, IN, None, 5), (F, OUT, None, 3)), 8, 5, 5, Threshold.MAJORITY, True, id="no-reason-counts-5-of-8"),
    pytest.param(lines((F, IN, None, 4), (F, LATE, None, 2)), 6, 6, 4, Threshold.MAJORITY, True, id="late-counts-present"),
    pytest.param(lines((F, IN, None, 4), (PR, IN, None, 4)), 4, 4, 2, Threshold.MAJORITY, False, id="probationary-never-counted-tie"),
    pytest.param(lines((F, IN, None, 4), (PR, IN, None, 4)), 4, 4, 3, Threshold.MAJORITY, True, id="probationary-never-counted"),
    pytest.param(lines((F, IN, None, 4), (TA, IN, None, 3)), 4, 4, 3, Threshold.MAJORITY, True, id="temporarily-attached-not-counted"),
    pytest.param(lines((F, IN, None, 9)), 9, 9, 6, Threshold.TWO_THIRDS, True, id="two-thirds-exact-6-of-9"),
    pytest.param(lines((F, IN, None, 9)), 9, 9, 5, Threshold.TWO_THIRDS, False, id="two-thirds-5-of-9-fails"),
    pytest.param(lines((F, IN, None, 10)), 10, 10, 6, Threshold.TWO_THIRDS, False, id="two-thirds-6-of-10-fails"),
    pytest.param(lines((F, IN, None, 10)), 10, 10, 7, Threshold.TWO_THIRDS, True, id="two-thirds-7-of-10"),
    pytest.param(
        lines((F, IN, None, 6), (F, OUT, True, 2), (EX, OUT, None, 1), (SU, OUT, None, 1), (TO, OUT, None, 2), (PR, IN, None, 3)),
        6, 6, 4, Threshold.TWO_THIRDS, True, id="two-thirds-of-reduced-denominator",
    ),
    pytest.param(
        lines((F, IN, None, 3), (F, OUT, False, 3), (EX, IN, None, 1), (EX, OUT, True, 1), (TA, IN, None, 2), (PR, OUT, None, 2)),
        7, 4, 4, Threshold.MAJORITY, True, id="mixed-4-present-of-7",
    ),
    pytest.param(
        lines((F, IN, None, 3), (F, OUT, None, 4)),
        7, 3, 3, Threshold.MAJORITY, False, id="too-few-present-cannot-pass",
    ),
    pytest.param(lines((PR, IN, None, 3), (TO, OUT, None, 2)), 0, 0, 0, Threshold.MAJORITY, False, id="nobody-eligible"),
]  # fmt: skip


@pytest.mark.parametrize("roster, denom, eligible, yes, threshold, carried", ROSTERS)
def test_denominator_and_pass_rule(roster, denom, eligible, yes, threshold, carried):
    assert denominator(roster) == denom
    assert eligible_voters(roster) == eligible
    assert passes(yes, denom, threshold) is carried
    # The smallest winning number agrees with the rule on both sides of it.
    need = votes_needed(denom, threshold)
    if denom:
        assert passes(need, denom, threshold) and not passes(need - 1, denom, threshold)


def test_there_are_at_least_fifteen_rosters_covering_every_exclusion():
    assert len(ROSTERS) >= 15
    ids = " ".join(p.id for p in ROSTERS)
    for word in (
        "transferred-out",
        "absent-exempt",
        "present-exempt",
        "suspended",
        "accepted-reason",
        "probationary",
        "two-thirds",
        "exactly-half",
    ):
        assert word in ids


def test_a_failing_third_round_is_referred_upward():
    assert outcome(3, 10, Threshold.MAJORITY, 1) == Outcome.FAILED
    assert outcome(3, 10, Threshold.MAJORITY, 2) == Outcome.FAILED
    assert outcome(3, 10, Threshold.MAJORITY, 3) == Outcome.REFERRED
    assert outcome(6, 10, Threshold.MAJORITY, 3) == Outcome.PASSED
    assert outcome(6, 9, Threshold.TWO_THIRDS, 1) == Outcome.PASSED


def test_summary_splits_presence_and_says_whether_a_vote_could_pass():
    roster = lines(
        (F, IN, None, 3), (F, LATE, None, 1), (F, OUT, True, 1), (F, OUT, None, 2),
        (PR, IN, None, 2), (TA, IN, None, 1), (EX, OUT, None, 1), (TO, OUT, None, 1),
    )  # fmt: skip
    s = summary(roster)
    assert (s.summoned.full, s.summoned.probationary, s.summoned.temp_attached) == (7, 2, 1)
    assert (s.summoned.exempt, s.summoned.transferred_out, s.summoned.total) == (1, 1, 12)
    assert (s.present.full, s.present.probationary, s.present.temp_attached) == (4, 2, 1)
    assert s.denominator == 6  # 7 full less the excused absentee
    assert s.eligible_present == 4
    assert s.majority_needed == 4 and s.majority_possible
    assert s.two_thirds_needed == 4 and s.two_thirds_possible
    assert s.absent_with_accepted_reason == 1
    assert s.absent_without_reason == 4  # two full, the exempt and the transferred-out
    weak = summary(lines((F, IN, None, 3), (F, OUT, None, 3)))
    assert not weak.majority_possible and not weak.two_thirds_possible
