"""Reads of meetings, scoped at the source."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from sotay.accounts.models import AccountStatus
from sotay.accounts.permissions import (
    MEETINGS_MANAGE,
    REPORTS_VIEW,
    ROLE_PERMISSIONS,
    grants_for,
    is_superadmin,
    scope_q,
)
from sotay.meetings.models import Liaison, Meeting, MeetingKind, MeetingState, RosterEntry
from sotay.organizations.models import Seat


def _held_on(day) -> Q:
    """A seat or liaison that runs on `day`."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gt=day))


def meetings_visible_to(user) -> QuerySet[Meeting]:
    """Meetings the user may see:
    * every meeting, drafts included, where the user holds `meetings.manage`;
    * announced and later meetings where the user holds `reports.view` (the superior
      committee members and offices who follow the branch);
    * announced and later meetings of the branch where the user's member record is
      attached (officially or temporarily) — committee meetings only for current seat
      holders of that organisation — and any meeting whose roster names them.
    """
    qs = Meeting.objects.select_related("organization")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if getattr(user, "status", None) != AccountStatus.ACTIVE:
        # pending, rejected or disabled accounts hold nothing (as in permissions.py)
        return qs.none()
    if is_superadmin(user):
        return qs
    shown = ~Q(state=MeetingState.DRAFT)
    q = scope_q(user, MEETINGS_MANAGE, "org_path") | (
        shown & scope_q(user, REPORTS_VIEW, "org_path")
    )
    member = getattr(user, "member", None)
    if member is not None:
        own_orgs = [o for o in (member.organization_id, member.temp_organization_id) if o]
        today = timezone.localdate()
        seat = Seat.objects.filter(
            _held_on(today), organization_id=OuterRef("organization_id"), member=member
        )
        on_roster = RosterEntry.objects.filter(meeting_id=OuterRef("pk"), member=member)
        # The superior committee member following the branch reads its meetings.
        follows = Liaison.objects.filter(
            _held_on(today), organization_id=OuterRef("organization_id"), member=member
        )
        q |= (
            shown
            & Q(organization_id__in=own_orgs)
            & (~Q(kind=MeetingKind.COMMITTEE) | Exists(seat))
        )
        q |= Exists(on_roster) | (shown & Exists(follows))
    return qs.filter(q)


def may_see(user, meeting: Meeting) -> bool:
    """`meetings_visible_to` for one meeting already read, decided from the user's
    grants in memory and asking the database only for what they cannot say (a seat for
    a committee meeting, a roster line, a liaison). A member opening their own branch's
    meeting — every check-in and vote of a meeting night — costs no query. The two are
    tested equal for every persona and every kind of meeting (tests/test_scoping.py);
    change them together."""
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "status", None) != AccountStatus.ACTIVE:
        return False
    if is_superadmin(user):
        return True
    shown = meeting.state != MeetingState.DRAFT
    for grant in grants_for(user):
        perms = ROLE_PERMISSIONS[grant.role]
        if meeting.org_path.startswith(grant.path) and (
            MEETINGS_MANAGE in perms or (shown and REPORTS_VIEW in perms)
        ):
            return True
    member = getattr(user, "member", None)
    if member is None:
        return False
    current = _held_on(timezone.localdate())
    if shown and meeting.organization_id in (member.organization_id, member.temp_organization_id):
        if meeting.kind != MeetingKind.COMMITTEE:
            return True
        if Seat.objects.filter(
            current, organization_id=meeting.organization_id, member=member
        ).exists():
            return True
    if RosterEntry.objects.filter(meeting_id=meeting.pk, member=member).exists():
        return True
    return (
        shown
        and Liaison.objects.filter(
            current, organization_id=meeting.organization_id, member=member
        ).exists()
    )
