"""Organisation endpoints. Same queries and the same policy as the pages: an
organisation outside the caller's scope answers 404."""

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from sotay.accounts.api_auth import TokenAuth, require_active
from sotay.core.pagination import page_of
from sotay.organizations.access import get_organization_for_user
from sotay.organizations.models import Organization
from sotay.organizations.queries import member_counts
from sotay.organizations.schemas import OrgDetailOut, OrgPage

router = Router(tags=["Tổ chức"], auth=TokenAuth())


def _out(org: Organization, parent_ids: dict[str, int]) -> dict:
    return {
        "id": org.pk,
        "code": org.code,
        "name": org.name,
        "org_type": org.org_type,
        "depth": org.depth,
        "parent_id": parent_ids.get(org.path[: -org.steplen]) if org.depth > 1 else None,
        "child_count": org.numchild,
        "valid_from": org.valid_from,
        "valid_to": org.valid_to,
    }


def _detail(org: Organization) -> dict:
    parent = org.parent_org()
    data = _out(org, {parent.path: parent.pk} if parent else {})
    data["member_counts"] = member_counts(org)
    return data


@router.get("/me/organization", response=OrgDetailOut)
def my_organization(request: HttpRequest):
    require_active(request)
    if not request.user.member_id:
        raise HttpError(404, "Tài khoản không gắn với đảng viên nào.")
    return _detail(request.user.member.organization)


@router.get("/organizations/{org_id}", response=OrgDetailOut)
def organization(request: HttpRequest, org_id: int):
    require_active(request)
    return _detail(get_organization_for_user(request.user, org_id))


@router.get("/organizations/{org_id}/subtree", response=OrgPage)
def subtree(request: HttpRequest, org_id: int, page: int = 1, per_page: int = 100):
    """Every open organisation below `org_id`, in tree order, paged (max 500 a page)."""
    require_active(request)
    if per_page < 1 or per_page > 500 or page < 1:
        raise HttpError(422, "Tham số phân trang không hợp lệ (per_page 1–500, page ≥ 1).")
    org = get_organization_for_user(request.user, org_id)
    qs = Organization.objects.filter(
        path__startswith=org.path, depth__gt=org.depth, valid_to__isnull=True
    ).order_by("path")
    p = page_of(qs, page, per_page, count=False)
    parent_paths = {o.path[: -o.steplen] for o in p.items}
    parent_ids = dict(Organization.objects.filter(path__in=parent_paths).values_list("path", "pk"))
    return {
        "items": [_out(o, parent_ids) for o in p.items],
        "page": p.number,
        "has_next": p.has_next,
    }
