"""THE permission policy. Nothing else decides who may do what.

A role is held on an organisation and applies to its whole subtree. Roles come from
three sources, all evaluated for today:
  * the implicit `member` role on the branch where the user's member record is attached;
  * committee seats (`organizations.Seat`) current today, mapped by `SEAT_ROLES`;
  * explicit `RoleGrant` rows (office, inspector, admin, …) with their validity dates.
Superusers hold every permission everywhere. Pending, rejected or disabled accounts hold
nothing. The role → permission table is written out in docs/permissions.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, Value
from django.utils import timezone

from sotay.accounts.models import AccountStatus, Role, RoleGrant
from sotay.core.cache import bump, cached_for_user
from sotay.organizations.models import BRANCH_TYPES, Organization, Position, Seat

MEMBER = "member"

ORG_VIEW = "organizations.view"
ORG_MANAGE = "organizations.manage"
MEMBERS_VIEW = "members.view"
MEMBERS_EDIT = "members.edit"
MEMBERS_EXPORT = "members.export"
MEMBERS_IMPORT = "members.import"
MEMBERS_LIFECYCLE = "members.record_events"
ACCOUNTS_MANAGE = "accounts.manage"
ROLES_GRANT = "accounts.grant_roles"
MEETINGS_MANAGE = "meetings.manage"
CONTENT_PUBLISH = "content.publish"
NOTICES_SEND = "notifications.send"
REPORTS_VIEW = "reports.view"
AUDIT_VIEW = "audit.view"

ALL_PERMISSIONS = frozenset(
    {
        ORG_VIEW, ORG_MANAGE, MEMBERS_VIEW, MEMBERS_EDIT, MEMBERS_EXPORT, MEMBERS_IMPORT, MEMBERS_LIFECYCLE, ACCOUNTS_MANAGE,
        ROLES_GRANT, MEETINGS_MANAGE, CONTENT_PUBLISH, NOTICES_SEND, REPORTS_VIEW, AUDIT_VIEW,
    }
)  # fmt: skip

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    MEMBER: frozenset({ORG_VIEW}),
    # A branch secretary reports on the branch (statistics of their own subtree) and
    # brings the branch's paper files in (member import, add mode).
    Role.SECRETARY: frozenset(
        {
            ORG_VIEW,
            MEMBERS_VIEW,
            MEMBERS_IMPORT,
            MEMBERS_LIFECYCLE,
            ACCOUNTS_MANAGE,
            MEETINGS_MANAGE,
            NOTICES_SEND,
            REPORTS_VIEW,
        }
    ),
    Role.OFFICER: frozenset({ORG_VIEW, MEMBERS_VIEW, REPORTS_VIEW}),
    Role.OFFICE: frozenset(
        {
            ORG_VIEW,
            ORG_MANAGE,
            MEMBERS_VIEW,
            MEMBERS_EDIT,
            MEMBERS_EXPORT,
            MEMBERS_IMPORT,
            MEMBERS_LIFECYCLE,
            ACCOUNTS_MANAGE,
            ROLES_GRANT,
            CONTENT_PUBLISH,
            NOTICES_SEND,
            REPORTS_VIEW,
        }
    ),  # fmt: skip
    Role.INSPECTOR: frozenset({ORG_VIEW, MEMBERS_VIEW, REPORTS_VIEW, AUDIT_VIEW}),
    Role.ADMIN: ALL_PERMISSIONS,
}


def seat_role(position: str, org_type: str) -> str | None:
    """The role a committee seat implies. In a branch the secretary and deputy run the
    branch; elsewhere committee members read their subtree and the inspection
    commission also reads the audit trail."""
    if org_type in BRANCH_TYPES:
        if position in (Position.SECRETARY, Position.DEPUTY_SECRETARY):
            return Role.SECRETARY
        if position == Position.BRANCH_COMMITTEE_MEMBER:
            return Role.OFFICER
        return None
    if position in (Position.INSPECTION_CHAIR, Position.INSPECTION_MEMBER):
        return Role.INSPECTOR
    if position in (
        Position.SECRETARY,
        Position.DEPUTY_SECRETARY,
        Position.STANDING_MEMBER,
        Position.COMMITTEE_MEMBER,
    ):
        return Role.OFFICER
    return None


@dataclass(frozen=True)
class Grant:
    role: str
    path: str
    org_id: int


_CACHE_ATTR = "_sotay_grants"


def grants_for(user) -> list[Grant]:
    """Every role the user holds today. Computed once per request (kept on the user
    object) and, with a shared cache, once per user until a seat, grant or tree change
    bumps the epoch (`invalidate_all`)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    grants: list[Grant] = []
    if (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.status == AccountStatus.ACTIVE
    ):
        today = timezone.localdate().isoformat()
        grants = cached_for_user(f"grants:{today}", user.pk, lambda: _compute_grants(user))
    setattr(user, _CACHE_ATTR, grants)
    return grants


def _compute_grants(user) -> list[Grant]:
    """The member role, the roles of current seats and the explicit grants: one SQL
    statement (seats and grants read as one UNION ALL), since without a shared cache
    every request computes them."""
    today = timezone.localdate()
    grants: list[Grant] = []
    member = user.member if user.member_id else None
    current = Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gt=today))
    explicit = (
        RoleGrant.objects.filter(current, user_id=user.pk)
        .annotate(org_type=Value(""))
        .order_by()
        .values_list("role", "org_type", "organization__path", "organization_id")
    )
    rows = explicit
    if member is not None and member.status in ("du_bi", "chinh_thuc", "mien_sinh_hoat"):
        grants.append(Grant(MEMBER, member.org_path, member.organization_id))
        seats = (
            Seat.objects.filter(current, member_id=member.pk, organization__valid_to__isnull=True)
            .annotate(org_type=F("organization__org_type"))
            .order_by()
            .values_list("position", "org_type", "organization__path", "organization_id")
        )
        rows = seats.union(explicit, all=True)
    for role, org_type, path, org_id in rows:
        if org_type:  # a seat: its position and the organisation's type give the role
            role = seat_role(role, org_type)
        if role:
            grants.append(Grant(role, path, org_id))
    return grants


def invalidate_all() -> None:
    """Call after anything that can change someone's roles or their paths: seats, role
    grants, tree moves and merges, member transfers and status changes. The bump waits
    for the commit, so no request can cache the old rows under the new epoch."""
    from sotay.accounts.backends import forget_all_session_users

    namespace = f"grants:{timezone.localdate().isoformat()}"
    transaction.on_commit(lambda: bump(namespace))
    forget_all_session_users()  # the cached session user holds the member's status and path
    from sotay.news import feed_cache

    feed_cache.bump()  # a moved or renamed organisation changes what feeds show
    from sotay.documents import reader

    reader.bump()  # document paths follow their organisation
    from sotay.learning.queries import programmes_changed

    programmes_changed()  # a seat decides whether committee-only programmes are due


def forget(user) -> None:
    """Drop the grants cached for this request and for everyone (a new seat, a revoked
    grant)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    invalidate_all()


def is_superadmin(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_superuser
        and user.is_active
        and user.status == AccountStatus.ACTIVE
    )


def can_edit_handbook(user) -> bool:
    """The procedures handbook (sổ tay nghiệp vụ) is platform-wide guidance held by no
    organisation, so no subtree role (not even `admin`, which is granted on a subtree)
    reaches it: only system administrators (superusers) edit it. Every signed-in,
    active account reads its published pages."""
    return is_superadmin(user)


def can(user, perm: str, org: Organization | None = None) -> bool:
    """May `user` exercise `perm` on `org` (or anywhere, when org is None)?"""
    if perm not in ALL_PERMISSIONS:
        raise ValueError(f"Unknown permission {perm!r}")
    if is_superadmin(user):
        return True
    for grant in grants_for(user):
        if perm in ROLE_PERMISSIONS[grant.role] and (
            org is None or org.path.startswith(grant.path)
        ):
            return True
    return False


def orgs_where(user, perm: str) -> list[str] | None:
    """Root paths of the subtrees where `user` holds `perm`, nested ones removed.
    None means everywhere (superuser)."""
    if is_superadmin(user):
        return None
    paths = sorted({g.path for g in grants_for(user) if perm in ROLE_PERMISSIONS[g.role]})
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def scope_q(user, perm: str, field: str = "path") -> Q:
    """A filter limiting a queryset to rows whose `field` (a tree path) lies in a subtree
    where the user holds `perm`. Matches nothing when the user holds it nowhere."""
    roots = orgs_where(user, perm)
    if roots is None:
        return Q()
    if not roots:
        return Q(pk__in=[])
    q = Q()
    for root in roots:
        q |= Q(**{f"{field}__startswith": root})
    return q


def is_above_member(user) -> bool:
    """True for anyone holding a role beyond plain membership: these accounts must use
    two-factor sign-in when the deployment requires it."""
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return True
    return any(g.role != MEMBER for g in grants_for(user))
