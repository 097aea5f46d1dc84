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
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr, TruncMonth

from sotay.meetings.models import (
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


def _roster(org: Organization, start: dt.datetime, end: dt.datetime):
    return RosterEntry.objects.filter(
        meeting__in=_held(org, start, end).values("pk"), category__in=EXPECTED
    )


def _by_prefix(qs, path_field: str, length: int, **aggregates) -> dict[str, dict]:
    rows = (
        qs.annotate(prefix=Substr(path_field, 1, length))
        .values("prefix")
        .annotate(**aggregates)
        .order_by()
    )
    return {r.pop("prefix"): r for r in rows}


def _attendance():
    return {
        "expected": Count("id"),
        "present": Count("id", filter=Q(attendance__status__in=PRESENT)),
    }


def meeting_statistics(org: Organization, year: int, month: int) -> MeetingStats:
    start, end = month_bounds(year, month)
    held = _held(org, start, end)
    stats = MeetingStats(org=org, year=year, month=month, total=Row(label=org.name, org=org))

    # The organisation itself: one query each for branches, meetings, attendance.
    t = stats.total
    t.branches = _branches(org).count()
    agg = held.aggregate(meetings=Count("id"), met=Count("organization_id", distinct=True))
    t.meetings, t.branches_met = agg["meetings"], agg["met"]
    att = _roster(org, start, end).aggregate(**_attendance())
    t.expected, t.present = att["expected"], att["present"]

    # Children: all open children have paths of the same length (one level down).
    if not org.is_branch:
        children = list(
            Organization.objects.filter(
                path__startswith=org.path, depth=org.depth + 1, valid_to__isnull=True
            ).order_by("path")
        )
        length = (org.depth + 1) * Organization.steplen
        branch_counts = _by_prefix(_branches(org), "path", length, n=Count("id"))
        meeting_counts = _by_prefix(
            held,
            "org_path",
            length,
            meetings=Count("id"),
            met=Count("organization_id", distinct=True),
        )
        attendance = _by_prefix(
            _roster(org, start, end), "meeting__org_path", length, **_attendance()
        )
        for child in children:
            key = child.path
            m = meeting_counts.get(key, {})
            a = attendance.get(key, {})
            stats.children.append(
                Row(
                    label=child.name,
                    org=child,
                    branches=branch_counts.get(key, {}).get("n", 0),
                    meetings=m.get("meetings", 0),
                    branches_met=m.get("met", 0),
                    expected=a.get("expected", 0),
                    present=a.get("present", 0),
                )
            )

    # The twelve months of the year: one grouped query for meetings, one for attendance.
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
    att_month = {
        r["m"].astimezone(tz).month: r
        for r in _roster(org, year_start, year_end)
        .annotate(m=TruncMonth("meeting__started_at", tzinfo=tz))
        .values("m")
        .annotate(**_attendance())
        .order_by()
    }
    for n in range(1, 13):
        m, a = per_month.get(n, {}), att_month.get(n, {})
        stats.months.append(
            Row(
                label=f"{n:02d}/{year}",
                month=n,
                branches=t.branches,
                meetings=m.get("meetings", 0),
                branches_met=m.get("met", 0),
                expected=a.get("expected", 0),
                present=a.get("present", 0),
            )
        )

    # Branches that did not meet in the month: the first ones by path, and how many.
    met = held.filter(organization_id=OuterRef("pk"))
    not_met = _branches(org).filter(~Exists(met))
    stats.not_met_count = t.branches_not_met
    if stats.not_met_count:
        stats.not_met = list(not_met.order_by("path")[:NOT_MET_LIMIT])
    return stats
