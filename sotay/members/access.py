"""Loading one member record named by user input."""

from django.http import Http404

from sotay.members.models import Member
from sotay.members.queries import members_visible_to


def get_member_for_user(user, pk) -> Member:
    """The member if the user may read it (their own record, or members.view on its
    organisation); otherwise 404, the same as a missing one."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("Không tìm thấy đảng viên.") from None
    if getattr(user, "member_id", None) == pk and user.is_approved:
        member = Member.objects.select_related("organization").filter(pk=pk).first()
    else:
        member = members_visible_to(user).select_related("organization").filter(pk=pk).first()
    if member is None:
        raise Http404("Không tìm thấy đảng viên.")
    return member
