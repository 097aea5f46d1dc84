"""Statistics endpoint: the same figures and the same rules as the page (404 outside
the caller's scope, 403 in scope without reports.view, 401 without a token)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from sotay.accounts.api_auth import TokenAuth, require_active
from sotay.reports.access import get_reported_organization_for_user
from sotay.reports.formatting import format_ratio
from sotay.reports.queries import Dimension, organization_statistics
from sotay.reports.schemas import StatisticsOut

router = Router(tags=["Thống kê"], auth=TokenAuth())


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _dimension(d: Dimension) -> dict:
    return {
        "key": d.key,
        "title": d.title,
        "base": d.base,
        "rows": [
            {"key": r.key, "label": r.label, "count": r.count, "percent": _number(r.percent)}
            for r in d.rows
        ],
    }


@router.get("/statistics/organizations/{org_id}", response=StatisticsOut)
def organization_statistics_endpoint(request: HttpRequest, org_id: int):
    """Member statistics of the organisation's whole subtree and one row per direct
    child. Every dimension except `statuses` counts the active roll only."""
    require_active(request)
    try:
        org = get_reported_organization_for_user(request.user, org_id)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    stats, children = organization_statistics(org)
    return {
        "organization_id": org.pk,
        "code": org.code,
        "name": org.name,
        "date": stats.today,
        "computed_at": stats.computed_at,
        "rolled_up": stats.rolled_up,
        "members": stats.members,
        "probationary": stats.probationary,
        "female": stats.female,
        "left_roll": stats.left_roll,
        "accounts": stats.accounts,
        "active_accounts": stats.active_accounts,
        "accounts_percent": _number(stats.accounts_percent),
        "active_accounts_percent": _number(stats.active_accounts_percent),
        "accounts_ratio": format_ratio(stats.accounts, stats.members),
        "statuses": _dimension(stats.statuses),
        "dimensions": [_dimension(d) for d in stats.dimensions],
        "children": [
            {
                "organization_id": c.org.pk if c.org else None,
                "code": c.org.code if c.org else "",
                "name": c.label,
                "members": c.members,
                "probationary": c.probationary,
                "female": c.female,
                "accounts": c.accounts,
                "active_accounts": c.active_accounts,
                "accounts_percent": _number(c.accounts_percent),
                "active_accounts_percent": _number(c.active_accounts_percent),
            }
            for c in children
        ],
    }
