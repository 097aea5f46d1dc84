"""Member statistics of an organisation's subtree (issue 3, part 7; target P5).

Everything is counted in the database over the path copied onto member rows
(`Member.org_path`), in three grouped queries whatever the size of the subtree:

1. statuses: GROUP BY status (an index-only scan of `member_subtree_status`);
2. children: members on the active roll GROUP BY (direct child, account state), with
   conditional counts of probationary members and women. The direct child is a prefix of
   `org_path` (treebeard paths grow by `Organization.steplen` characters a level), the
   account state is 0 none or refused, 1 created, 2 active and signed in at least once;
3. dimensions: members on the active roll GROUP BY (sex, age band, party age band,
   education, political theory, ethnicity, religion): a few thousand groups even for a
   city of 470,000 (measured: 8,965), from which Python adds up each dimension.

Python only adds up grouped rows, never members. Every dimension except status counts
the active roll only (dự bị, chính thức, miễn sinh hoạt).

Why this shape (measured on the bench data, 470,000 members): a first version with one
conditional count per figure (36 `COUNT(*) FILTER (…)` grouped by child, accounts
LEFT JOINed) took 2.3-3.1 s for the city (its sort spilled to disk) and 35-55 ms for a
5,233-member commune; evaluating 36 filters costs ~3 µs a row, grouping by computed band
columns costs one hash probe a row. The account lookup is the other cost: small subtrees
look each member's account up by its unique index (~2.5 µs a member), big ones hash-join
the users table. PostgreSQL's default costs pick the hash join for a commune too and then
read all 460,000 accounts (200+ ms), hence the explicit choice by size.

A subtree whose live count is slow (a city) is kept in the cache for up to five minutes,
which P5 allows ("served from roll-ups kept ≤ 5 min fresh"); the figures carry the time
they were counted so the page can say so.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connections
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotay.accounts.models import AccountStatus, User
from sotay.core.text import fold
from sotay.members.models import ACTIVE_STATUSES, Member, MemberStatus, Sex
from sotay.members.reference import (
    AGE_BANDS,
    ETHNIC_GROUPS,
    PARTY_AGE_BANDS,
    Band,
    Education,
    PoliticalTheory,
)
from sotay.organizations.models import Organization
from sotay.reports.formatting import percent

# A subtree whose live statistics take longer than this is served from the cache for
# ROLLUP_SECONDS: anything slower than the commune budget of P5 (50 ms) is big enough
# that a five-minute-old figure is worth far more than the scan it saves.
ROLLUP_THRESHOLD_SECONDS = 0.05
ROLLUP_SECONDS = 300
# The previous roll-up, served while one request recounts an expired one.
STALE_SECONDS = 3600
# A subtree with this many members on the roll is "big": its accounts are hash-joined
# rather than looked up one by one (an index probe costs ~2.5 µs, reading the whole
# users table ~200 ms), and only one request at a time counts it.
BIG_SUBTREE = 50_000
LOCK_SECONDS = 60  # longer than any count; a crashed counter's lock expires
WAIT_SECONDS = 20

ON_ROLL = Q(status__in=ACTIVE_STATUSES)
# Accounts "created": every account a member was given or asked for, except refused ones.
ACCOUNT_CREATED = (AccountStatus.PENDING, AccountStatus.ACTIVE, AccountStatus.DISABLED)
NO_ACCOUNT, CREATED, SIGNED_IN = 0, 1, 2


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier; 29 February falls back to the 28th (someone
    born on 28/02 turns a year older on 29/02 of a leap year, someone born on 01/03 not)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


UNKNOWN = "?"  # party age without any date
OTHER = "*"  # a stored value outside the reference list
# The grouped "cube" of the roll: one row per combination, summed per column in Python.
CUBE_COLUMNS = (
    "sex", "age_band", "party_band", "education", "political_theory", "ethnicity", "religion",
)  # fmt: skip


def band_of(field_name: str, bands: tuple[Band, ...], today: dt.date) -> Case:
    """The key of the band a date falls in, youngest first: a date after the cut-off of
    `high + 1` years ago is less than `high + 1` whole years old. A missing date gives
    UNKNOWN."""
    whens = [When(**{f"{field_name}__isnull": True}, then=Value(UNKNOWN))]
    for band in bands[:-1]:
        cut = years_before(today, band.high + 1)
        whens.append(When(**{f"{field_name}__gt": cut}, then=Value(band.key)))
    return Case(*whens, default=Value(bands[-1].key))


def _account_state(large: bool):
    """0 no account (or a refused one), 1 created, 2 active and signed in at least once."""
    if large:  # LEFT JOIN accounts_user, hashed
        return Case(
            When(
                account__status=AccountStatus.ACTIVE,
                account__last_login__isnull=False,
                then=Value(SIGNED_IN),
            ),
            When(account__status__in=ACCOUNT_CREATED, then=Value(CREATED)),
            default=Value(NO_ACCOUNT),
            output_field=IntegerField(),
        )
    state = Case(
        When(status=AccountStatus.ACTIVE, last_login__isnull=False, then=Value(SIGNED_IN)),
        When(status__in=ACCOUNT_CREATED, then=Value(CREATED)),
        default=Value(NO_ACCOUNT),
        output_field=IntegerField(),
    )
    lookup = User.objects.filter(member_id=OuterRef("pk")).annotate(s=state).values("s")[:1]
    return Coalesce(Subquery(lookup), Value(NO_ACCOUNT), output_field=IntegerField())


@dataclass
class Counts:
    """What the three queries return, as plain data (this is what the cache holds)."""

    computed_at: dt.datetime
    statuses: dict[str, int]
    # child path prefix → {"roll", "probationary", "female", "accounts", "active"}
    by_child: dict[str, dict[str, int]]
    # Per dimension (sex, age band, party age band, education, theory, ethnicity,
    # religion): value → count, added up from the grouped rows once, when counted, so a
    # page served from the roll-up does no work proportional to the groups.
    dimensions: list[dict[str, int]]


def count_statuses(org: Organization) -> dict[str, int]:
    """Query 1: everyone in the subtree by status (an index-only scan)."""
    subtree = Member.objects.filter(org_path__startswith=org.path)
    return dict(subtree.values_list("status").annotate(n=Count("*")).order_by())


def count_roll(org: Organization, today: dt.date, statuses: dict[str, int]) -> Counts:
    """Queries 2 and 3, over the active roll."""
    computed_at = timezone.now()
    on_roll = sum(statuses.get(s, 0) for s in ACTIVE_STATUSES)
    roll = Member.objects.filter(ON_ROLL, org_path__startswith=org.path)
    by_child: dict[str, dict[str, int]] = {}
    rows = (
        roll.annotate(
            child=Substr("org_path", 1, len(org.path) + org.steplen),
            account_state=_account_state(large=on_roll >= BIG_SUBTREE),
        )
        .values("child", "account_state")
        .annotate(
            n=Count("*"),
            probationary=Count("pk", filter=Q(status=MemberStatus.PROBATIONARY)),
            female=Count("pk", filter=Q(sex=Sex.FEMALE)),
        )
        .order_by()
    )
    for row in rows:
        c = by_child.setdefault(
            row["child"],
            {"roll": 0, "probationary": 0, "female": 0, "accounts": 0, "active": 0},
        )
        c["roll"] += row["n"]
        c["probationary"] += row["probationary"]
        c["female"] += row["female"]
        if row["account_state"] >= CREATED:
            c["accounts"] += row["n"]
        if row["account_state"] == SIGNED_IN:
            c["active"] += row["n"]

    cube = (
        roll.alias(party_since=Coalesce("admission_decided_on", "joined_on"))
        .annotate(
            age_band=band_of("birth_date", AGE_BANDS, today),
            party_band=band_of("party_since", PARTY_AGE_BANDS, today),
        )
        .values_list(*CUBE_COLUMNS)
        .annotate(n=Count("*"))
        .order_by()
    )
    # Plain text and integers come back: read the rows without the ORM's per-row
    # converters (a commune's 1,300 groups cost ~5 ms through them).
    with connections[cube.db].cursor() as cursor:
        cursor.execute(*cube.query.sql_with_params())
        rows = cursor.fetchall()
    return Counts(computed_at, statuses, by_child, _marginals(rows))


def count_live(org: Organization, today: dt.date) -> Counts:
    """The three queries, live (no cache)."""
    return count_roll(org, today, count_statuses(org))


def counts(org: Organization, today: dt.date) -> tuple[Counts, bool]:
    """The counts and whether they came from the cache. A count that took longer than
    ROLLUP_THRESHOLD_SECONDS is kept for ROLLUP_SECONDS. For a big subtree only one
    request counts at a time (per cache): the others wait for its result instead of all
    starting the same second-long scans when the roll-up expires under load."""
    key = f"reports:stats:{org.pk}:{org.path}:{today.isoformat()}"
    found = cache.get(key)
    if found is not None:
        return found, True
    started = time.monotonic()
    statuses = count_statuses(org)
    lock = None
    if sum(statuses.get(s, 0) for s in ACTIVE_STATUSES) >= BIG_SUBTREE:
        lock, found = _single_flight(key)
        if found is not None:
            return found, True
    try:
        result = count_roll(org, today, statuses)
        if time.monotonic() - started > ROLLUP_THRESHOLD_SECONDS:
            cache.set(key, result, ROLLUP_SECONDS)
            cache.set(f"{key}:last", result, STALE_SECONDS)
    finally:
        if lock:
            cache.delete(lock)
    return result, False


def _single_flight(key: str) -> tuple[str | None, Counts | None]:
    """Take the lock on counting `key` (returns its name), or wait for whoever holds it
    and return their result. Gives up waiting after WAIT_SECONDS and counts anyway."""
    lock = f"{key}:counting"
    if cache.add(lock, 1, LOCK_SECONDS):
        return lock, None
    # Someone is recounting an expired roll-up: serve the previous one meanwhile rather
    # than hold every request for the seconds a city count takes.
    previous = cache.get(f"{key}:last")
    if previous is not None:
        return None, previous
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.1)
        found = cache.get(key)
        if found is not None:
            return None, found
        if cache.add(lock, 1, LOCK_SECONDS):  # the other request gave up or failed
            return lock, None
    return None, None


# ----- presentation -----------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int
    percent: Decimal | None  # of the dimension's base; None when it has no share
    short: str = ""  # a shorter label for a chart's axis
    list_url: str = ""  # the member list of the people counted (set by the page)


@dataclass
class Dimension:
    key: str
    title: str
    base: int
    rows: list[Row]
    chart: bool = False  # a bar chart reads better than the table


@dataclass
class MemberStatistics:
    org: Organization
    today: dt.date
    computed_at: dt.datetime
    rolled_up: bool  # served from the five-minute cache
    members: int  # on the active roll
    probationary: int
    female: int
    accounts: int
    active_accounts: int
    left_roll: int  # removed, expelled, deceased
    statuses: Dimension
    dimensions: list[Dimension] = field(default_factory=list)

    @property
    def accounts_percent(self) -> Decimal | None:
        return percent(self.accounts, self.members)

    @property
    def active_accounts_percent(self) -> Decimal | None:
        return percent(self.active_accounts, self.members)

    @property
    def female_percent(self) -> Decimal | None:
        return percent(self.female, self.members)

    @property
    def probationary_percent(self) -> Decimal | None:
        return percent(self.probationary, self.members)

    def dimension(self, key: str) -> Dimension:
        return next(d for d in self.dimensions if d.key == key)


@dataclass
class ChildRow:
    """One direct child (or, with `org` None, the members attached to the organisation
    itself rather than to a child)."""

    org: Organization | None
    label: str
    members: int
    probationary: int
    female: int
    accounts: int
    active_accounts: int

    @property
    def accounts_percent(self) -> Decimal | None:
        return percent(self.accounts, self.members)

    @property
    def active_accounts_percent(self) -> Decimal | None:
        return percent(self.active_accounts, self.members)


def _fixed(key: str, title, choices, counted: dict[str, int], base: int, chart=False):
    """A dimension over a fixed list of values; whatever the list does not cover (a value
    imported from elsewhere) is shown as "Khác" rather than silently lost."""
    rows = [Row(value, str(label), counted.get(value, 0), None) for value, label in choices]
    if counted.get(UNKNOWN):
        rows.append(Row(UNKNOWN, str(_("Chưa rõ ngày vào Đảng")), counted[UNKNOWN], None, "?"))
    rest = base - sum(r.count for r in rows)
    if rest > 0:
        rows.append(Row(OTHER, str(_("Khác")), rest, None))
    return Dimension(key, str(title), base, [_share(r, base) for r in rows], chart)


def _banded(key: str, title, bands: tuple[Band, ...], counted: dict[str, int], base: int):
    dimension = _fixed(key, title, [(b.key, b.label) for b in bands], counted, base, True)
    shorts = {b.key: b.short for b in bands}
    dimension.rows = [
        Row(r.key, r.label, r.count, r.percent, shorts.get(r.key, r.short)) for r in dimension.rows
    ]
    return dimension


def _share(row: Row, base: int) -> Row:
    return Row(row.key, row.label, row.count, percent(row.count, base), row.short)


def _by_count(counted: dict[str, int], skip: tuple[str, ...]) -> list[str]:
    """Values other than `skip`, commonest first (ties: the statistics office's order of
    ethnic groups, then alphabetical)."""
    return sorted(
        (v for v in counted if v not in skip),
        key=lambda v: (-counted[v], ETHNIC_GROUPS.index(v) if v in ETHNIC_GROUPS else 99, v),
    )


def _open_ended(key: str, title, order: list[str], counted: dict[str, int], blank, base: int):
    rows = [
        Row(v, v or str(blank), counted.get(v, 0), percent(counted.get(v, 0), base)) for v in order
    ]
    return Dimension(key, str(title), base, rows)


# What people type for "no religion".
NO_RELIGION = frozenset({"", "khong", "khong co", "khong theo ton giao", "khong ton giao"})


def _religions(counted: dict[str, int]) -> dict[str, int]:
    """Religion is free text: spellings that differ only in case or spacing are one
    religion, shown in its commonest spelling (capitalised on a tie); "không"/"không có"
    mean none."""
    spelled: dict[str, dict[str, int]] = {}
    for value, n in counted.items():
        value = " ".join(value.split())
        group = "" if fold(value) in NO_RELIGION else value.casefold()
        forms = spelled.setdefault(group, {})
        forms[value] = forms.get(value, 0) + n
    return {
        ("" if group == "" else max(forms, key=lambda s: (forms[s], s[:1].isupper(), s))): sum(
            forms.values()
        )
        for group, forms in spelled.items()
    }


def _marginals(rows: list[tuple]) -> list[dict[str, int]]:
    """Per column of the grouped rows (value…, n), value → count, values stripped of
    stray spaces (a few thousand rows at most)."""
    columns: list[defaultdict[str, int]] = [defaultdict(int) for _ in CUBE_COLUMNS]
    for row in rows:
        n = row[-1]
        for column, value in zip(columns, row):  # noqa: B905 - the last item is n
            column[value] += n
    out: list[dict[str, int]] = []
    for column in columns:
        clean: dict[str, int] = {}
        for value, n in column.items():
            key = (value or "").strip()
            clean[key] = clean.get(key, 0) + n
        out.append(clean)
    return out


def _statistics(org: Organization, today: dt.date, c: Counts, rolled_up: bool):
    members = sum(c.statuses.get(s, 0) for s in ACTIVE_STATUSES)
    totals = {k: sum(child[k] for child in c.by_child.values()) for k in ("accounts", "active")}
    status_rows = [
        Row(
            value,
            str(label),
            c.statuses.get(value, 0),
            percent(c.statuses.get(value, 0), members) if value in ACTIVE_STATUSES else None,
        )
        for value, label in MemberStatus.choices
    ]
    sex, age, party, edu, theory, ethnicity, religion = c.dimensions
    religion = _religions(religion)
    ethnic_order = ["Kinh", *_by_count(ethnicity, ("", "Kinh"))] + (
        [""] if ethnicity.get("") else []
    )
    dimensions = [
        _fixed("sex", _("Giới tính"), Sex.choices, sex, members),
        _banded("age", _("Độ tuổi"), AGE_BANDS, age, members),
        _open_ended("ethnicity", _("Dân tộc"), ethnic_order, ethnicity, _("Chưa khai"), members),
        _open_ended(
            "religion", _("Tôn giáo"), ["", *_by_count(religion, ("",))], religion, _("Không"),
            members,
        ),
        _fixed("edu", _("Trình độ chuyên môn"), Education.choices, edu, members, True),
        _fixed("theory", _("Lý luận chính trị"), PoliticalTheory.choices, theory, members, True),
        _banded("party", _("Tuổi Đảng"), PARTY_AGE_BANDS, party, members),
    ]  # fmt: skip
    return MemberStatistics(
        org=org,
        today=today,
        computed_at=c.computed_at,
        rolled_up=rolled_up,
        members=members,
        probationary=c.statuses.get(MemberStatus.PROBATIONARY, 0),
        female=sex.get(Sex.FEMALE, 0),
        accounts=totals["accounts"],
        active_accounts=totals["active"],
        left_roll=sum(c.statuses.values()) - members,
        statuses=Dimension("status", str(_("Tình trạng")), members, status_rows),
        dimensions=dimensions,
    )


def _children(org: Organization, c: Counts) -> list[ChildRow]:
    """Open children in name order, each with its counts (zeros when it has no members);
    a closed child still holding members is listed too, and so are members attached to
    `org` itself, so the rows always add up to the total. One query for the children."""
    width = len(org.path) + org.steplen
    children = (
        Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
        .only("pk", "path", "depth", "code", "name", "valid_to")
        .order_by("name_folded")
    )
    rows = []
    for child in children:
        counted = c.by_child.get(child.path[:width], {})
        if child.is_open or counted.get("roll"):
            rows.append(_child_row(child, child.name, counted))
    direct = c.by_child.get(org.path)
    if rows and direct and direct.get("roll"):  # a branch without cells has no table
        label = str(_("Sinh hoạt trực tiếp tại %(name)s")) % {"name": org.name}
        rows.append(_child_row(None, label, direct))
    return rows


def _child_row(child: Organization | None, label: str, counted: dict[str, int]) -> ChildRow:
    return ChildRow(
        org=child,
        label=label,
        members=counted.get("roll", 0),
        probationary=counted.get("probationary", 0),
        female=counted.get("female", 0),
        accounts=counted.get("accounts", 0),
        active_accounts=counted.get("active", 0),
    )


def organization_statistics(
    org: Organization, today: dt.date | None = None
) -> tuple[MemberStatistics, list[ChildRow]]:
    """What the page, the export and the API show: the subtree's statistics and its
    children's rows, from one count (three grouped queries, or none when the subtree's
    roll-up is in the cache) plus the list of children."""
    today = today or timezone.localdate()
    c, rolled_up = counts(org, today)
    return _statistics(org, today, c, rolled_up), _children(org, c)


def member_statistics(org: Organization, today: dt.date | None = None) -> MemberStatistics:
    """Counts over the organisation's whole subtree (`org_path` starts with its path)."""
    today = today or timezone.localdate()
    c, rolled_up = counts(org, today)
    return _statistics(org, today, c, rolled_up)


def children_statistics(org: Organization, today: dt.date | None = None) -> list[ChildRow]:
    """One row per direct child: members on the roll, probationary, women, accounts,
    active accounts and their share, all from the one query grouped by the child's path
    prefix (`organization_statistics` gives both tables from one count)."""
    c, _rolled_up = counts(org, today or timezone.localdate())
    return _children(org, c)
