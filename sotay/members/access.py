"""Loading one member record named by user input."""

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from sotay.accounts.permissions import MEMBERS_VIEW, can
from sotay.members.models import Member
from sotay.members.queries import members_visible_to


def get_member_for_user(user, pk) -> Member:
    """The member if the user may read it: their own record, members.view on its
    organisation, or members.view where the member is attached temporarily or is being
    transferred to. Otherwise 404, the same as a missing one."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("Không tìm thấy đảng viên.") from None
    if getattr(user, "member_id", None) == pk and user.is_approved:
        member = Member.objects.select_related("organization").filter(pk=pk).first()
    else:
        member = members_visible_to(user).select_related("organization").filter(pk=pk).first()
        if member is None:
            member = _attached_elsewhere(user, pk)
    if member is None:
        raise Http404("Không tìm thấy đảng viên.")
    return member


def _attached_elsewhere(user, pk: int) -> Member | None:
    member = (
        Member.objects.select_related("organization", "temp_organization", "transit_organization")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        return None
    for org in (member.temp_organization, member.transit_organization):
        if org is not None and can(user, MEMBERS_VIEW, org):
            return member
    return None


def get_correction_for_user(user, pk):
    """An open correction request the user may handle; 404 otherwise."""
    from sotay.members.queries import open_corrections_for

    try:
        return open_corrections_for(user).get(pk=int(pk))
    except (ObjectDoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy đề nghị.") from None
