"""Statistics against the hand-counted subtree of conftest.py (TODAY = 01/07/2025).

On the roll (dự bị, chính thức, miễn): A B C D in X, G H I in Y, J on the commune = 8.
Off the roll: E removed, F deceased (X), K2 expelled (Y)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sotay.core.testing import make_member
from sotay.members.models import Member
from sotay.reports import queries
from sotay.reports.formatting import format_percent, format_ratio, percent
from sotay.reports.queries import (
    children_statistics,
    member_statistics,
    organization_statistics,
    years_before,
)
from sotay.reports.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def table(dimension):
    return [(r.label, r.count, r.percent) for r in dimension.rows]


def P(text):  # noqa: N802 - reads like a literal
    return Decimal(text)


def test_headline_figures_of_the_commune(stats_tree):
    s = member_statistics(stats_tree.commune, TODAY)
    assert s.members == 8
    assert s.probationary == 2
    assert s.female == 4 and s.female_percent == P("50.00")
    assert s.left_roll == 3
    # Accounts: A, B (pending), C (never signed in), D (disabled), I, J; G's was refused,
    # H has none, E's does not count (off the roll).
    assert s.accounts == 6 and s.accounts_percent == P("75.00")
    # Active and signed in at least once: A, I, J.
    assert s.active_accounts == 3 and s.active_accounts_percent == P("37.50")
    assert format_ratio(s.accounts, s.members) == "6/8 = 75,00 %"


def test_statuses_count_everyone_and_share_only_the_roll(stats_tree):
    s = member_statistics(stats_tree.commune, TODAY)
    assert table(s.statuses) == [
        ("Dự bị", 2, P("25.00")),
        ("Chính thức", 5, P("62.50")),
        ("Miễn công tác và sinh hoạt đảng", 1, P("12.50")),
        ("Xóa tên", 1, None),
        ("Khai trừ", 1, None),
        ("Từ trần", 1, None),
    ]


def test_sex_and_age_bands_on_their_edges(stats_tree):
    s = member_statistics(stats_tree.commune, TODAY)
    assert table(s.dimension("sex")) == [("Nam", 4, P("50.00")), ("Nữ", 4, P("50.00"))]
    # A is 29, B turns 30 today, G 40, H 49, I 60, J 65, C turns 70 today, D is 71.
    assert table(s.dimension("age")) == [
        ("Từ 30 tuổi trở xuống", 2, P("25.00")),
        ("Từ 31 đến 40 tuổi", 1, P("12.50")),
        ("Từ 41 đến 50 tuổi", 1, P("12.50")),
        ("Từ 51 đến 60 tuổi", 1, P("12.50")),
        ("Từ 61 đến 70 tuổi", 2, P("25.00")),
        ("Trên 70 tuổi", 1, P("12.50")),
    ]


def test_ethnicity_puts_kinh_first_and_blank_last(stats_tree):
    s = member_statistics(stats_tree.commune, TODAY)
    # Tày and Mường tie: the statistics office's order decides. J left it blank; E (blank
    # too) is off the roll.
    assert table(s.dimension("ethnicity")) == [
        ("Kinh", 5, P("62.50")),
        ("Tày", 1, P("12.50")),
        ("Mường", 1, P("12.50")),
        ("Chưa khai", 1, P("12.50")),
    ]


def test_religion_merges_spellings_and_reads_khong_as_none(stats_tree):
    s = member_statistics(stats_tree.commune, TODAY)
    # "Phật giáo" and "phật  giáo " are one religion; D typed "Không"; E's "Công giáo"
    # is off the roll.
    assert table(s.dimension("religion")) == [
        ("Không", 6, P("75.00")),
        ("Phật giáo", 2, P("25.00")),
    ]


def test_education_and_political_theory(stats_tree):
    s = member_statistics(stats_tree.commune, TODAY)
    assert table(s.dimension("edu")) == [
        ("Chưa qua đào tạo", 1, P("12.50")),
        ("Sơ cấp, trung cấp nghề", 1, P("12.50")),
        ("Cao đẳng", 1, P("12.50")),
        ("Đại học", 3, P("37.50")),
        ("Thạc sĩ", 1, P("12.50")),
        ("Tiến sĩ", 1, P("12.50")),
    ]
    assert table(s.dimension("theory")) == [
        ("Chưa qua đào tạo", 1, P("12.50")),
        ("Sơ cấp", 2, P("25.00")),
        ("Trung cấp", 2, P("25.00")),
        ("Cao cấp", 2, P("25.00")),
        ("Cử nhân", 1, P("12.50")),
    ]


def test_party_age_counts_from_the_admission_decision(stats_tree):
    s = member_statistics(stats_tree.commune, TODAY)
    # A joined exactly 5 years ago, C exactly 50, J exactly 30; D's decision (exactly 40
    # years ago) wins over her joining date a day later; G has no date at all.
    assert table(s.dimension("party")) == [
        ("Dưới 5 năm", 2, P("25.00")),
        ("Từ 5 đến dưới 10 năm", 1, P("12.50")),
        ("Từ 10 đến dưới 20 năm", 1, P("12.50")),
        ("Từ 20 đến dưới 30 năm", 0, P("0.00")),
        ("Từ 30 đến dưới 40 năm", 1, P("12.50")),
        ("Từ 40 đến dưới 50 năm", 1, P("12.50")),
        ("Từ 50 năm trở lên", 1, P("12.50")),
        ("Chưa rõ ngày vào Đảng", 1, P("12.50")),
    ]


def test_children_table_adds_up_to_the_total(stats_tree):
    rows = children_statistics(stats_tree.commune, TODAY)
    got = [
        (r.label, r.members, r.probationary, r.female, r.accounts, r.active_accounts) for r in rows
    ]
    assert got == [
        ("Chi bộ Xóm 1", 4, 1, 2, 4, 1),
        ("Chi bộ Xóm 2", 3, 1, 2, 1, 1),
        ("Chi bộ Xóm 3", 0, 0, 0, 0, 0),  # open, empty: still listed
        # the closed, empty "Chi bộ Xóm cũ" is not; J is attached to the commune itself
        ("Sinh hoạt trực tiếp tại Đảng ủy xã Thử Nghiệm", 1, 0, 0, 1, 1),
    ]
    assert [r.org for r in rows[:3]] == [stats_tree.x, stats_tree.y, stats_tree.z]
    assert rows[0].accounts_percent == P("100.00") and rows[1].accounts_percent == P("33.33")
    assert rows[2].accounts_percent is None  # no members: no share, not 0 %
    assert sum(r.members for r in rows) == 8


def test_the_province_above_sees_the_same_subtree(stats_tree):
    s, rows = organization_statistics(stats_tree.root, TODAY)
    assert (s.members, s.accounts, s.active_accounts, s.left_roll) == (8, 6, 3, 3)
    assert [(r.label, r.members) for r in rows] == [("Đảng ủy xã Thử Nghiệm", 8)]


def test_a_branch_counts_only_itself(stats_tree):
    s = member_statistics(stats_tree.x, TODAY)
    assert (s.members, s.probationary, s.female, s.accounts, s.active_accounts) == (4, 1, 2, 4, 1)
    assert s.left_roll == 2
    assert children_statistics(stats_tree.x, TODAY) == []


def test_an_empty_subtree_has_no_shares(stats_tree):
    s = member_statistics(stats_tree.z, TODAY)
    assert s.members == 0 and s.accounts_percent is None
    assert all(r.percent is None for d in s.dimensions for r in d.rows)
    assert format_ratio(0, 0) == "0/0 = —"


def test_values_outside_the_reference_lists_are_shown_not_lost(stats_tree):
    make_member(stats_tree.z, "Ngoại Lệ", education="trung_cap_cu", ethnicity="Kinh ")
    s = member_statistics(stats_tree.z, TODAY)
    assert table(s.dimension("edu"))[-1] == ("Khác", 1, P("100.00"))
    assert table(s.dimension("ethnicity")) == [("Kinh", 1, P("100.00"))]


@pytest.mark.parametrize("join", [False, True])
def test_both_ways_of_counting_accounts_agree(stats_tree, monkeypatch, join):
    monkeypatch.setattr(queries, "BIG_SUBTREE", 0 if join else 10**9)
    s = member_statistics(stats_tree.commune, TODAY)
    assert (s.accounts, s.active_accounts) == (6, 3)


def test_three_grouped_queries_whatever_the_size(stats_tree):
    with CaptureQueriesContext(connection) as small:
        organization_statistics(stats_tree.x, TODAY)
    for n in range(30):
        make_member(stats_tree.y, f"Thêm {n}")
    with CaptureQueriesContext(connection) as bigger:
        organization_statistics(stats_tree.root, TODAY)
    # statuses, children × account state, the dimension cube; then the children list
    assert len(small) == len(bigger) == 4


def test_a_slow_subtree_is_served_from_the_roll_up(stats_tree, monkeypatch):
    monkeypatch.setattr(queries, "ROLLUP_THRESHOLD_SECONDS", -1)  # everything is "slow"
    first = member_statistics(stats_tree.commune, TODAY)
    assert not first.rolled_up
    Member.objects.filter(full_name="Anh A").update(status="xoa_ten")
    with CaptureQueriesContext(connection) as ctx:
        again = member_statistics(stats_tree.commune, TODAY)
    assert again.rolled_up and again.members == 8 and again.computed_at == first.computed_at
    assert len(ctx) == 0


def test_a_fast_subtree_is_always_counted_live(stats_tree, monkeypatch):
    monkeypatch.setattr(queries, "ROLLUP_THRESHOLD_SECONDS", 3600)
    member_statistics(stats_tree.commune, TODAY)
    Member.objects.filter(full_name="Anh A").update(status="xoa_ten")
    again = member_statistics(stats_tree.commune, TODAY)
    assert not again.rolled_up and again.members == 7


def test_vietnamese_number_format():
    assert percent(5979, 6083) == P("98.29")
    assert format_ratio(5979, 6083) == "5.979/6.083 = 98,29 %"
    assert percent(2, 3) == P("66.67") and percent(1, 8) == P("12.50")
    assert format_percent(P("100.00")) == "100,00 %"
    assert format_ratio(470000, 470000) == "470.000/470.000 = 100,00 %"


def test_years_before_handles_29_february():
    import datetime as dt

    assert years_before(dt.date(2028, 2, 29), 31) == dt.date(1997, 2, 28)
    assert years_before(dt.date(2028, 2, 29), 4) == dt.date(2024, 2, 29)
    assert years_before(dt.date(2025, 7, 1), 30) == dt.date(1995, 7, 1)


def test_a_big_subtree_is_counted_by_one_request_at_a_time(stats_tree, monkeypatch):
    from django.core.cache import cache

    org = stats_tree.commune
    monkeypatch.setattr(queries, "BIG_SUBTREE", 0)  # every subtree is "big"
    key = f"reports:stats:{org.pk}:{org.path}:{TODAY.isoformat()}"
    # Another request is counting this subtree; its result arrives while this one waits.
    assert cache.add(f"{key}:counting", 1)
    theirs = queries.count_live(org, TODAY)
    monkeypatch.setattr(queries.time, "sleep", lambda _s: cache.set(key, theirs, 300))
    with CaptureQueriesContext(connection) as ctx:
        got, cached = queries.counts(org, TODAY)
    assert cached and got.computed_at == theirs.computed_at
    assert len(ctx) == 1  # its own status count only, not the two big scans


def test_while_an_expired_roll_up_is_recounted_the_previous_one_is_served(stats_tree, monkeypatch):
    from django.core.cache import cache

    org = stats_tree.commune
    monkeypatch.setattr(queries, "BIG_SUBTREE", 0)
    monkeypatch.setattr(queries, "ROLLUP_THRESHOLD_SECONDS", -1)
    key = f"reports:stats:{org.pk}:{org.path}:{TODAY.isoformat()}"
    first, _ = queries.counts(org, TODAY)
    cache.delete(key)  # the five minutes are over
    assert cache.add(f"{key}:counting", 1)  # and another request is recounting
    monkeypatch.setattr(queries.time, "sleep", lambda _s: pytest.fail("must not wait"))
    with CaptureQueriesContext(connection) as ctx:
        got, cached = queries.counts(org, TODAY)
    assert cached and got.computed_at == first.computed_at
    assert len(ctx) == 1  # its own status count only


def test_the_counting_lock_is_released(stats_tree, monkeypatch):
    from django.core.cache import cache

    org = stats_tree.commune
    monkeypatch.setattr(queries, "BIG_SUBTREE", 0)
    got, cached = queries.counts(org, TODAY)
    assert not cached and got.statuses["chinh_thuc"] == 5
    assert cache.get(f"reports:stats:{org.pk}:{org.path}:{TODAY.isoformat()}:counting") is None
