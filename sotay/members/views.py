"""Member search and the (minimal) member record. Every view of member data is audited."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sotay.accounts.permissions import MEMBERS_VIEW, can
from sotay.audit.services import record
from sotay.core.pagination import page_of
from sotay.members.access import get_member_for_user
from sotay.members.queries import SEARCH_CAP, capped, members_visible_to, search_members
from sotay.organizations.access import get_organization_for_user

PER_PAGE = 30


@require_GET
def member_list(request):
    if not can(request.user, MEMBERS_VIEW):
        raise PermissionDenied("Bạn không có quyền xem danh sách đảng viên.")
    q = request.GET.get("q", "").strip()[:100]
    qs = members_visible_to(request.user)
    org = None
    if request.GET.get("org"):
        org = get_organization_for_user(request.user, request.GET["org"])
        qs = qs.filter(org_path__startswith=org.path)
    qs = capped(search_members(qs, q), q).select_related("organization").order_by("name_sort", "id")
    page = page_of(qs, request.GET.get("page"), PER_PAGE, count=False)
    at_cap = (
        bool(q)
        and not page.has_next
        and (page.number - 1) * PER_PAGE + len(page.items) >= SEARCH_CAP
    )
    record(
        action="members.listed",
        request=request,
        org_path=org.path if org else "",
        target_label=f"tìm '{q}'" if q else "danh sách",
        note=f"trang {page.number}, {len(page.items)} đảng viên",
    )
    template = "members/_rows.html" if request.htmx else "members/member_list.html"
    return render(
        request, template, {"page": page, "q": q, "org": org, "at_cap": at_cap, "cap": SEARCH_CAP}
    )


@require_GET
def member_detail(request, pk: int):
    member = get_member_for_user(request.user, pk)
    record(action="members.viewed", request=request, target=member)
    return render(request, "members/member_detail.html", {"member": member})
