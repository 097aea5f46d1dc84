"""Reads of study programmes, scoped at the source (docs/permissions.md, "Learning").

  * a member sees published programmes addressed to their branch or any level above
    it, for all members; committee members (members.view on an organisation) also see
    committee-only programmes addressed inside that subtree or above it, like documents;
  * content.publish (the office) sees every state in its subtree: it writes them;
  * a superuser sees everything.

Being *assigned* a programme (having to study it) is narrower than seeing it: the
member's own branch lies in the audience subtree, the programme has opened, and for a
committee-only programme the member holds a committee seat (`is_committee`).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from sotay.accounts.permissions import (
    CONTENT_PUBLISH,
    MEMBER,
    MEMBERS_VIEW,
    ROLE_PERMISSIONS,
    grants_for,
    is_superadmin,
    scope_q,
)
from sotay.core.cache import bump, cached_for_user, forget_user
from sotay.documents.models import AudienceLevel
from sotay.documents.queries import ancestors_or_self
from sotay.learning.models import (
    Programme,
    ProgrammeProgress,
    ProgrammeState,
    ProgressStatus,
)
from sotay.members.models import Member, MemberStatus
from sotay.organizations.models import Seat

# Members who must study: on the active roll and not exempt from party activities.
STUDYING_STATUSES = (MemberStatus.PROBATIONARY, MemberStatus.FULL)


def programmes_visible_to(user) -> QuerySet[Programme]:
    qs = Programme.objects.select_related("organization")
    if is_superadmin(user):
        return qs
    everyone = Q(pk__in=[])
    committee = Q(pk__in=[])
    for grant in grants_for(user):
        perms = ROLE_PERMISSIONS[grant.role]
        if grant.role == MEMBER:
            everyone |= Q(path__in=ancestors_or_self(grant.path))
        if MEMBERS_VIEW in perms:
            committee |= Q(path__startswith=grant.path) | Q(path__in=ancestors_or_self(grant.path))
    q = Q(state=ProgrammeState.PUBLISHED) & (
        Q(audience_level=AudienceLevel.ALL) & everyone | committee
    )
    if any(CONTENT_PUBLISH in ROLE_PERMISSIONS[g.role] for g in grants_for(user)):
        q |= scope_q(user, CONTENT_PUBLISH, field="path")
    return qs.filter(q)


def is_committee(user) -> bool:
    """Holds a committee role (members.view somewhere): committee-only programmes are
    assigned to them."""
    return any(MEMBERS_VIEW in ROLE_PERMISSIONS[g.role] for g in grants_for(user))


def study_member(user) -> Member | None:
    """The member record the user studies as, when it is on the studying roll."""
    member = getattr(user, "member", None) if user.member_id else None
    if member is None or member.status not in STUDYING_STATUSES:
        return None
    return member


def is_assigned(user, programme: Programme) -> bool:
    """Must `user` study `programme` (see the module docstring)?"""
    member = study_member(user)
    if member is None or programme.state != ProgrammeState.PUBLISHED:
        return False
    if not member.org_path.startswith(programme.path):
        return False
    if programme.opens_on > timezone.localdate():
        return False
    return programme.audience_level == AudienceLevel.ALL or is_committee(user)


def assigned_programmes(user) -> QuerySet[Programme]:
    """Published, opened programmes the user must study, with the member's standing
    annotated (`standing`: a ProgressStatus value, "not_started" without a row) — one
    SQL statement (the home block and the top of the list)."""
    member = study_member(user)
    if member is None:
        return Programme.objects.none()
    levels = [AudienceLevel.ALL] + ([AudienceLevel.COMMITTEE] if is_committee(user) else [])
    standing = ProgrammeProgress.objects.filter(programme=OuterRef("pk"), member_id=member.pk)
    return (
        Programme.objects.filter(
            state=ProgrammeState.PUBLISHED,
            path__in=ancestors_or_self(member.org_path),
            audience_level__in=levels,
            opens_on__lte=timezone.localdate(),
        )
        .annotate(
            standing=Coalesce(
                Subquery(standing.values("status")[:1]), Value(ProgressStatus.NOT_STARTED)
            )
        )
        .order_by("closes_on", "pk")
    )


HOME_NAMESPACE = "learning-home"


def home_namespace() -> str:
    """Cache namespace of the home block: "closes on or after today" turns at midnight."""
    return f"{HOME_NAMESPACE}:{timezone.localdate().isoformat()}"


def home_programmes(user, limit: int = 3) -> list[Programme]:
    """The home feed's "Chuyên đề cần học" block: assigned, still open and not yet
    completed, nearest deadline first. One SQL statement (none without a member record);
    with the shared cache, none while the member's standing and the programmes are
    unchanged (progress.refresh forgets the member's entry, a programme change or a
    seat change bumps every entry)."""
    member = study_member(user)
    if member is None:
        return []
    return cached_for_user(
        home_namespace(),
        member.pk,
        lambda: list(
            assigned_programmes(user)
            .filter(closes_on__gte=timezone.localdate())
            .exclude(standing=ProgressStatus.COMPLETED)
            .only("pk", "title", "closes_on", "opens_on")[:limit]
        ),
    )


def forget_home(member_id: int) -> None:
    """The member's standing changed: their block is recomputed after the commit."""
    transaction.on_commit(lambda: forget_user(home_namespace(), member_id))


def programmes_changed(**kwargs) -> None:
    """A programme was saved or deleted (signal), or seats changed: every block is stale."""
    namespace = home_namespace()
    transaction.on_commit(lambda: bump(namespace))


def assigned_members(programme: Programme, path: str | None = None) -> QuerySet[Member]:
    """Members who must study `programme` inside `path` (default: its whole audience):
    the studying roll of the subtree; for a committee-only programme, those holding a
    committee seat today."""
    path = path or programme.path
    qs = Member.objects.filter(org_path__startswith=path, status__in=STUDYING_STATUSES)
    if programme.audience_level == AudienceLevel.COMMITTEE:
        today = timezone.localdate()
        seats = Seat.objects.filter(member_id=OuterRef("pk"), starts_on__lte=today).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=today)
        )
        qs = qs.filter(Exists(seats))
    return qs


def lessons_with_progress(programme: Programme, member: Member | None):
    """The programme's lessons in order, each annotated with the member's `opened`
    (0/1), `finished` (0/1) and saved `position`."""
    from sotay.learning.models import LessonProgress

    qs = programme.lessons.order_by("position", "pk").defer("body")
    if member is None:
        return qs.annotate(
            opened=Value(0, IntegerField()),
            finished=Value(0, IntegerField()),
            saved_position=Value(0.0),
        )
    progress = LessonProgress.objects.filter(lesson=OuterRef("pk"), member_id=member.pk)
    return qs.annotate(
        opened=Exists(progress),
        finished=Exists(progress.filter(finished_at__isnull=False)),
        saved_position=Coalesce(Subquery(progress.values("position")[:1]), Value(0.0)),
    )
