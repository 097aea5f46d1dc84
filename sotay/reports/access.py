"""Loading the organisation whose statistics a user asks for."""

from django.core.exceptions import PermissionDenied

from sotay.accounts.permissions import REPORTS_VIEW, can
from sotay.organizations.access import get_organization_for_user
from sotay.organizations.models import Organization

NOT_ALLOWED = "Bạn không có quyền xem thống kê của tổ chức này."


def get_reported_organization_for_user(user, pk) -> Organization:
    """The organisation if the user may read its statistics. Out of the user's scope (or
    missing): Http404, like every other read; in scope without reports.view (a plain
    member on their own branch): PermissionDenied, answered 403."""
    org = get_organization_for_user(user, pk)
    if not can(user, REPORTS_VIEW, org):
        raise PermissionDenied(NOT_ALLOWED)
    return org
