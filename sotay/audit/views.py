"""The auditors' screen: the trail of their subtree, newest first, filtered."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sotay.accounts.permissions import AUDIT_VIEW, can
from sotay.audit.queries import entries_visible_to
from sotay.core.pagination import page_of
from sotay.organizations.access import find_organization_by_code


@require_GET
def entry_list(request):
    if not can(request.user, AUDIT_VIEW):
        raise PermissionDenied("Bạn không có quyền xem nhật ký.")
    qs = entries_visible_to(request.user)
    code = request.GET.get("org", "").strip()
    error = ""
    if code:
        org = find_organization_by_code(request.user, code, AUDIT_VIEW)
        if org is None:
            error = "Không tìm thấy tổ chức này trong phạm vi đồng chí được xem."
            qs = qs.none()
        else:
            qs = qs.filter(org_path__startswith=org.path)
    action = request.GET.get("action", "").strip()
    if action:
        qs = qs.filter(action__startswith=action[:40])
    page = page_of(qs.order_by("-at", "-id"), request.GET.get("page"), 50, count=False)
    return render(
        request,
        "audit/entry_list.html",
        {"page": page, "org_code": code, "action": action, "error": error},
    )
