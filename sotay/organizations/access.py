"""Loading an organisation named by user input. Missing and out-of-scope both raise
Http404, so nobody can probe which codes exist."""

from django.http import Http404

from sotay.accounts.permissions import ORG_VIEW, can
from sotay.organizations.models import Organization


def get_organization_for_user(user, pk) -> Organization:
    try:
        org = Organization.objects.get(pk=int(pk))
    except (Organization.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy tổ chức.") from None
    if not can(user, ORG_VIEW, org):
        raise Http404("Không tìm thấy tổ chức.")
    return org


def find_organization_by_code(user, code: str, action: str = ORG_VIEW) -> Organization | None:
    """An organisation by its code if the user may exercise `action` there, else None."""
    org = Organization.objects.filter(code=(code or "").strip().upper()).first()
    if org is None or not can(user, action, org):
        return None
    return org


def get_organization_or_404(pk) -> Organization:
    """The organisation a write names (by id), or 404 when there is none; whether the
    user may write there is the service's permission check (403)."""
    org = Organization.objects.filter(pk=pk).first()
    if org is None:
        raise Http404("Không tìm thấy tổ chức.")
    return org
