"""Statistics of branch meetings, rolled up the tree: for an organisation and a month,
the meetings held, the branches that met and those that did not, and the attendance
rate; a table of its children (drill-down) and the twelve months of the year.

Definitions (stated on the page too):
  * a meeting is *held* when it was started and closed (state closed or minutes
    approved); it falls in the month of its actual start, in Asia/Ho_Chi_Minh. Committee
    meetings (họp cấp ủy) are not branch meetings and are not counted;
  * a *branch* is an open organisation of a branch type (chi bộ cơ sở, chi bộ) in the
    subtree; it *met* in a month when it held at least one meeting then;
  * the *attendance rate* is the share of roster lines present or late among those
    expected to attend — full, probationary and temporarily attached members; members
    away on temporary transfer, exempt or suspended are not expected.

Every table is one grouped query over the subtree (a path prefix), grouping by the
children's path prefix — never a loop over branches: the query count is fixed whatever
the size of the tree (16,000 branches at city scale).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Sum
from django.db.models.functions import Coalesce, Substr, TruncMonth

from sotay.meetings.models import (
    Attendance,
    AttendanceCount,
    AttendanceStatus,
    Meeting,
    MeetingKind,
    MeetingState,
    RosterCategory,
    RosterEntry,
)
from sotay.organizations.models import BRANCH_TYPES, Organization
from sotay.reports.formatting import percent

HELD_STATES = (MeetingState.CLOSED, MeetingState.MINUTES_APPROVED)
EXPECTED = (RosterCategory.FULL, RosterCategory.PROBATIONARY, RosterCategory.TEMP_ATTACHED)
PRESENT = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
NOT_MET_LIMIT = 100


def _tz():
    return ZoneInfo(settings.TIME_ZONE)


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    tz = _tz()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


@dataclass
class Row:
    """One line of a table: an organisation (or a month)."""

    label: str
    org: Organization | None = None
    month: int | None = None
    branches: int = 0
    branches_met: int = 0
    meetings: int = 0
    expected: int = 0
    present: int = 0

    @property
    def branches_not_met(self) -> int:
        return max(self.branches - self.branches_met, 0)

    @property
    def attendance_rate(self):
        return percent(self.present, self.expected)

    @property
    def met_rate(self):
        return percent(self.branches_met, self.branches)


@dataclass
class MeetingStats:
    org: Organization
    year: int
    month: int
    total: Row
    children: list[Row] = field(default_factory=list)
    months: list[Row] = field(default_factory=list)
    not_met: list[Organization] = field(default_factory=list)
    not_met_count: int = 0


def _branches(org: Organization):
    return Organization.objects.filter(
        path__startswith=org.path, org_type__in=BRANCH_TYPES, valid_to__isnull=True
    )


def _held(org: Organization, start: dt.datetime, end: dt.datetime):
    return Meeting.objects.filter(
        org_path__startswith=org.path,
        state__in=HELD_STATES,
        started_at__gte=start,
        started_at__lt=end,
        organization__org_type__in=BRANCH_TYPES,
    ).exclude(kind=MeetingKind.COMMITTEE)


def count_attendance(held) -> None:
    """Count the attendance of every meeting in `held` not counted yet: one INSERT …
    SELECT grouped by meeting (no rows through Python), a no-op once all are counted.
    Concurrent readers may race to count the same meeting: the primary key keeps one
    row (ON CONFLICT DO NOTHING) and both counts are the same anyway."""
    missing = held.filter(attendance_count__isnull=True).annotate(mid=F("pk")).values("mid")
    sql, params = missing.query.sql_with_params()
    entry = RosterEntry._meta.db_table
    attendance = Attendance._meta.db_table
    table = AttendanceCount._meta.db_table
    expected = ", ".join(["%s"] * len(EXPECTED))
    present = ", ".join(["%s"] * len(PRESENT))
    statement = f"""
        INSERT INTO {table} (meeting_id, expected, present)
        SELECT held.mid,
               COUNT(r.id),
               COALESCE(SUM(CASE WHEN a.status IN ({present}) THEN 1 ELSE 0 END), 0)
        FROM ({sql}) AS held
        LEFT JOIN {entry} r ON r.meeting_id = held.mid AND r.category IN ({expected})
        LEFT JOIN {attendance} a ON a.entry_id = r.id
        GROUP BY held.mid
        ON CONFLICT (meeting_id) DO NOTHING
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(statement, [*PRESENT, *params, *EXPECTED])


def _by_prefix(qs, path_field: str, length: int, **aggregates) -> dict[str, dict]:
    rows = (
        qs.annotate(prefix=Substr(path_field, 1, length))
        .values("prefix")
        .annotate(**aggregates)
        .order_by()
    )
    return {r.pop("prefix"): r for r in rows}


def _meeting_figures():
    return {
        "meetings": Count("id"),
        "met": Count("organization_id", distinct=True),
        "expected": Coalesce(Sum("attendance_count__expected"), 0),
        "present": Coalesce(Sum("attendance_count__present"), 0),
    }


def _fill(row: Row, figures: dict) -> Row:
    row.meetings = figures.get("meetings", 0)
    row.branches_met = figures.get("met", 0)
    row.expected = figures.get("expected", 0)
    row.present = figures.get("present", 0)
    return row


def meeting_statistics(org: Organization, year: int, month: int) -> MeetingStats:
    """The figures of `org`'s subtree for the month. Queries: the counting statement, the
    children, branches per child, meetings and attendance per child, the months of the
    year, the first branches that did not meet — the same number whatever the size of
    the subtree (a branch needs neither children query)."""
    start, end = month_bounds(year, month)
    held = _held(org, start, end)
    count_attendance(held)
    stats = MeetingStats(org=org, year=year, month=month, total=Row(label=org.name, org=org))
    t = stats.total
    if org.is_branch:
        t.branches = 1 if org.valid_to is None else 0
        _fill(t, held.aggregate(**_meeting_figures()))
    else:
        # Every branch lies below a child (the organisation itself is not a branch), so
        # the total is the sum of the per-child figures, closed children included.
        length = (org.depth + 1) * Organization.steplen
        branch_counts = _by_prefix(_branches(org), "path", length, n=Count("id"))
        figures = _by_prefix(held, "org_path", length, **_meeting_figures())
        children = Organization.objects.filter(
            path__startswith=org.path, depth=org.depth + 1, valid_to__isnull=True
        ).order_by("path")
        for child in children:
            row = Row(label=child.name, org=child)
            row.branches = branch_counts.get(child.path, {}).get("n", 0)
            stats.children.append(_fill(row, figures.get(child.path, {})))
        t.branches = sum(r["n"] for r in branch_counts.values())
        for key in ("meetings", "met", "expected", "present"):
            setattr(t, "branches_met" if key == "met" else key,
                    sum(r[key] for r in figures.values()))  # fmt: skip

    # The twelve months of the year: meetings and branches that met, one grouped query.
    year_start, _ = month_bounds(year, 1)
    _, year_end = month_bounds(year, 12)
    tz = _tz()
    per_month = {
        r["m"].astimezone(tz).month: r
        for r in _held(org, year_start, year_end)
        .annotate(m=TruncMonth("started_at", tzinfo=tz))
        .values("m")
        .annotate(meetings=Count("id"), met=Count("organization_id", distinct=True))
        .order_by()
    }
    for n in range(1, 13):
        m = per_month.get(n, {})
        stats.months.append(
            Row(
                label=f"{n:02d}/{year}",
                month=n,
                branches=t.branches,
                meetings=m.get("meetings", 0),
                branches_met=m.get("met", 0),
            )
        )

    # Branches that did not meet in the month: the first ones by path, and how many.
    stats.not_met_count = t.branches_not_met
    if stats.not_met_count:
        met = held.filter(organization_id=OuterRef("pk"))
        stats.not_met = list(_branches(org).filter(~Exists(met)).order_by("path")[:NOT_MET_LIMIT])
    return stats
