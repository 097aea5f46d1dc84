"""Statistics pages: an organisation's members counted by status, sex, age, ethnicity,
religion, education, political theory and party age, its accounts, and a table of its
children that drills down; the same figures as an .xlsx.

Page views are not written to the audit trail: they show counts, never a person, and
everyone who holds reports.view on a subtree also holds members.view there, so the page
reveals nothing its reader could not already open (DOMAIN §9 audits access to records).
An export is recorded, because a file leaves the system and travels on.
"""

from dataclasses import replace
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from sotay.accounts.permissions import MEMBERS_VIEW, REPORTS_VIEW, can, orgs_where
from sotay.audit.services import record
from sotay.core.xlsx import XLSX_MIME
from sotay.organizations.models import Organization
from sotay.reports.access import get_reported_organization_for_user
from sotay.reports.exports import statistics_workbook
from sotay.reports.queries import OTHER, UNKNOWN, organization_statistics

NO_REPORTS = "Bạn không có quyền xem thống kê ở tổ chức nào."


@require_GET
def index(request):
    """The statistics of the top organisation in the user's scope; a choice when the
    user reports on several separate subtrees."""
    roots = orgs_where(request.user, REPORTS_VIEW)
    if roots is None:  # superuser: the roots of the forest
        tops = list(Organization.objects.filter(depth=1).order_by("path"))
    else:
        if not roots:
            raise PermissionDenied(NO_REPORTS)
        tops = sorted(Organization.objects.filter(path__in=roots), key=lambda o: (o.depth, o.path))
    if len(tops) == 1:
        return redirect("reports:organization", pk=tops[0].pk)
    return render(request, "reports/statistics_index.html", {"tops": tops})


def _ancestors_in_scope(user, org: Organization) -> list[Organization]:
    """The breadcrumb: ancestors whose statistics the user may also read (one query)."""
    ancestors = Organization.objects.filter(path__in=org.ancestor_paths()).order_by("depth")
    return [a for a in ancestors if can(user, REPORTS_VIEW, a)]


# Statistics dimension → the member list's filter that lists the people behind a count.
LIST_FILTERS = {"status": "status", "sex": "sex", "age": "age", "party": "party_age",
                "theory": "theory", "ethnicity": "ethnicity"}  # fmt: skip


def _link_counts(user, org: Organization, stats) -> None:
    """Give each count a link to the filtered member list (the people behind the number),
    for readers who may open that list here."""
    if not can(user, MEMBERS_VIEW, org):
        return
    base = reverse("members:list")
    for d in [stats.statuses, *stats.dimensions]:
        param = LIST_FILTERS.get(d.key)
        if param is None:
            continue
        rows = []
        for r in d.rows:
            value = "chua" if d.key == "theory" and r.key == "" else r.key
            if r.count and value not in ("", UNKNOWN, OTHER):
                # Every dimension but the status counts the active roll only.
                query = {"org": org.pk, param: value}
                if d.key != "status":
                    query["status"] = "dang-sinh-hoat"
                r = replace(r, list_url=f"{base}?{urlencode(query)}")
            rows.append(r)
        d.rows = rows


def _charts(stats) -> dict:
    """The data of each bar chart, for `json_script` (the tables carry the same)."""
    return {
        d.key: {
            "title": d.title,
            "labels": [r.short or r.label for r in d.rows],
            "counts": [r.count for r in d.rows],
        }
        for d in stats.dimensions
        if d.chart and d.base
    }


@require_GET
def organization(request, pk: int):
    org = get_reported_organization_for_user(request.user, pk)
    stats, children = organization_statistics(org)
    _link_counts(request.user, org, stats)
    context = {
        "org": org,
        "stats": stats,
        "children": children,
        "ancestors": _ancestors_in_scope(request.user, org),
        "charts": _charts(stats),
        "chart_keys": [d.key for d in stats.dimensions if d.chart and d.base],
        "may_list": can(request.user, MEMBERS_VIEW, org),
    }
    return render(request, "reports/organization_statistics.html", context)


@require_GET
def organization_xlsx(request, pk: int):
    org = get_reported_organization_for_user(request.user, pk)
    stats, children = organization_statistics(org)
    data = statistics_workbook(stats, children)
    record(
        action="reports.exported",
        request=request,
        target=org,
        note=f"Thống kê đảng viên (.xlsx), {stats.members} đảng viên, {len(children)} tổ chức con",
    )
    day = timezone.localdate().strftime("%Y%m%d")
    name = f"thong-ke-{slugify(org.code) or org.pk}-{day}.xlsx"
    response = HttpResponse(data, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
