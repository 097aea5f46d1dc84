"""Study-quality reports of a programme for an organisation of its audience (issue 6
§6; target P5): assigned, started, completed, passed, average and distribution of
quiz results, reflections accepted, per direct child, and the members of a branch.

Set-based, whatever the size: one grouped query over the assigned members (by direct
child: a prefix of `Member.org_path`), one over the standings kept by
`progress.refresh` (`ProgrammeProgress`, indexed by programme and path) and one for the
score bands. Python adds up a few rows per child, never members.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from sotay.accounts.permissions import MEETINGS_MANAGE, MEMBERS_VIEW, REPORTS_VIEW, can, orgs_where
from sotay.core.errors import PermissionDenied
from sotay.learning.models import (
    OfflineStudy,
    Programme,
    ProgrammeProgress,
    ProgressStatus,
    Reflection,
)
from sotay.learning.queries import STUDYING_STATUSES, assigned_members
from sotay.organizations.models import Organization
from sotay.reports.formatting import percent

STEP = 4
BANDS = ("Dưới 50", "50 – dưới 70", "70 – dưới 90", "Từ 90")


@dataclass
class Row:
    """Figures of one organisation (or of the whole report)."""

    org: Organization | None = None
    assigned: int = 0
    started: int = 0
    completed: int = 0
    passed: int = 0
    scored: int = 0
    score_sum: Decimal = Decimal(0)
    reflections: int = 0
    paper: int = 0

    @property
    def average(self) -> Decimal | None:
        if not self.scored:
            return None
        return (self.score_sum / self.scored).quantize(Decimal("0.1"))

    @property
    def completed_pct(self) -> str:
        """ "25,0 %", or "–" for a share of nobody."""
        share = percent(self.completed, self.assigned)
        return "–" if share is None else f"{share:.1f} %".replace(".", ",")

    @property
    def not_started(self) -> int:
        return max(self.assigned - self.started, 0)

    def add(self, other: Row) -> None:
        for name in (
            "assigned",
            "started",
            "completed",
            "passed",
            "scored",
            "reflections",
            "paper",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.score_sum += other.score_sum


@dataclass
class Report:
    programme: Programme
    org: Organization
    total: Row
    children: list[Row]
    bands: list[tuple[str, int]] = field(default_factory=list)
    counted_at: dt.datetime | None = None


def report_org_for_user(user, programme: Programme, org_pk=None) -> Organization:
    """The organisation whose figures the user asked for, or (none asked) the
    programme's own when the user has reports.view there, else the user's scope root
    inside the audience. No reports.view anywhere: 403; an organisation missing,
    outside the audience or outside the user's scope: 404."""
    if not can(user, REPORTS_VIEW):
        raise PermissionDenied("Bạn không có quyền xem báo cáo học tập.")
    if org_pk not in (None, ""):
        try:
            org = Organization.objects.get(pk=int(org_pk))
        except (Organization.DoesNotExist, TypeError, ValueError):
            raise Http404("Không tìm thấy tổ chức.") from None
        if not org.path.startswith(programme.path) or not can(user, REPORTS_VIEW, org):
            raise Http404("Không tìm thấy tổ chức.")
        return org
    if can(user, REPORTS_VIEW, programme.organization):
        return programme.organization
    roots = [r for r in (orgs_where(user, REPORTS_VIEW) or []) if r.startswith(programme.path)]
    if not roots:
        raise PermissionDenied("Chuyên đề không giao cho tổ chức nào trong phạm vi bạn theo dõi.")
    return Organization.objects.get(path=roots[0])


# A report that took longer than this to count (a city) is kept this long: P5 allows
# subtree statistics "served from roll-ups kept ≤ 5 min fresh"; the page shows the time.
SLOW_MS = 150
KEEP_S = 300


def programme_report(programme: Programme, org: Organization) -> Report:
    """The report, from the cache when a recent count of it was slow (see SLOW_MS)."""
    key = f"learning:report:{programme.pk}:{org.path}"
    kept = cache.get(key)
    if kept is not None:
        return kept
    started = time.perf_counter()
    report = count_report(programme, org)
    if (time.perf_counter() - started) * 1000 > SLOW_MS:
        cache.set(key, report, KEEP_S)
    return report


def count_report(programme: Programme, org: Organization) -> Report:
    """Count the report now: four statements whatever the size of the subtree."""
    path = org.path
    cut = len(path) + STEP
    children = {
        o.path: o
        for o in Organization.objects.filter(path__startswith=path, depth=org.depth + 1)
        .only("pk", "name", "path", "code", "org_type", "depth")
        .order_by("path")
    }
    rows: dict[str, Row] = {}

    def row(key: str) -> Row:
        if key not in rows:
            rows[key] = Row(org=children.get(key, org if key == path else None))
        return rows[key]

    assigned = (
        assigned_members(programme, path)
        .annotate(child=Substr("org_path", 1, cut))
        .values("child")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for item in assigned:
        row(item["child"]).assigned = item["n"]
    standings = ProgrammeProgress.objects.filter(
        programme=programme, org_path__startswith=path, member__status__in=STUDYING_STATUSES
    )
    grouped = (
        standings.annotate(child=Substr("org_path", 1, cut))
        .values("child")
        .annotate(
            started=Count("pk", filter=~Q(status=ProgressStatus.NOT_STARTED)),
            completed=Count("pk", filter=Q(status=ProgressStatus.COMPLETED)),
            passed=Count("pk", filter=Q(quiz_passed=True)),
            scored=Count("quiz_score"),
            score_sum=Sum("quiz_score"),
            reflections=Count("pk", filter=Q(reflection_accepted=True)),
            paper=Count("pk", filter=Q(paper=True)),
            # The score bands in the same pass over the standings.
            band0=Count("pk", filter=Q(quiz_score__lt=50)),
            band1=Count("pk", filter=Q(quiz_score__gte=50, quiz_score__lt=70)),
            band2=Count("pk", filter=Q(quiz_score__gte=70, quiz_score__lt=90)),
            band3=Count("pk", filter=Q(quiz_score__gte=90)),
        )
        .order_by()
    )
    counts = dict.fromkeys(range(len(BANDS)), 0)
    for item in grouped:
        r = row(item["child"])
        r.started, r.completed, r.passed = item["started"], item["completed"], item["passed"]
        r.scored, r.reflections, r.paper = item["scored"], item["reflections"], item["paper"]
        r.score_sum = Decimal(item["score_sum"] or 0)
        for i in range(len(BANDS)):
            counts[i] += item[f"band{i}"]
    total = Row(org=org)
    for r in rows.values():
        total.add(r)
    ordered = [rows.get(p) or Row(org=o) for p, o in children.items()]
    if path in rows:  # members attached to the organisation itself (a branch)
        ordered.insert(0, rows[path])
    ordered.sort(
        key=lambda r: (r.org is not None and r.org.path != path, r.org.name if r.org else "")
    )
    return Report(
        programme=programme,
        org=org,
        total=total,
        children=[r for r in ordered if r.org is not None],
        bands=[(label, counts.get(i, 0)) for i, label in enumerate(BANDS)],
        counted_at=timezone.now(),
    )


def member_rows(user, programme: Programme, org: Organization) -> list[dict] | None:
    """The assigned members of a branch with their standing, for a user who may read
    member records there (members.view); None otherwise (counts only). Two queries."""
    if not org.is_branch or not can(user, MEMBERS_VIEW, org):
        return None
    members = list(
        assigned_members(programme, org.path)
        .filter(organization=org)
        .only("pk", "full_name", "name_sort", "status")
        .order_by("name_sort", "pk")
    )
    standings = {
        s.member_id: s
        for s in ProgrammeProgress.objects.filter(
            programme=programme, member_id__in=[m.pk for m in members]
        )
    }
    reflections = dict(
        Reflection.objects.filter(
            programme=programme, member_id__in=[m.pk for m in members]
        ).values_list("member_id", "state")
    )
    overdue = timezone.localdate() > programme.closes_on
    out = []
    for m in members:
        s = standings.get(m.pk)
        status = s.status if s else ProgressStatus.NOT_STARTED
        out.append(
            {
                "member": m,
                "status": status,
                "status_label": ProgressStatus(status).label,
                "lessons_done": s.lessons_done if s else 0,
                "score": s.quiz_score if s else None,
                "passed": bool(s and s.quiz_passed),
                "paper": bool(s and s.paper),
                "reflection": reflections.get(m.pk),
                "overdue": overdue and status != ProgressStatus.COMPLETED,
            }
        )
    return out


def reviewable_branches(user, programme: Programme) -> list[Organization]:
    """Branches of the audience where the user reviews members (meetings.manage)."""
    roots = orgs_where(user, MEETINGS_MANAGE)
    qs = Organization.objects.filter(path__startswith=programme.path, valid_to__isnull=True)
    if roots is not None:
        if not roots:
            return []
        q = Q(pk__in=[])
        for root in roots:
            q |= Q(path__startswith=root)
        qs = qs.filter(q)
    return [o for o in qs.order_by("path")[:200] if o.is_branch]


def offline_entries(programme: Programme, members) -> dict[int, OfflineStudy]:
    return {
        o.member_id: o
        for o in OfflineStudy.objects.filter(
            programme=programme, member_id__in=[m.pk for m in members]
        )
    }
