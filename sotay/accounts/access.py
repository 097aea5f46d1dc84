"""Loading accounts named by user input, for the people who manage them."""

from django.http import Http404

from sotay.accounts.models import User
from sotay.accounts.permissions import ACCOUNTS_MANAGE, can, is_superadmin


def get_account_for_manager(user, pk) -> User:
    """An account whose member is in a subtree where `user` holds accounts.manage;
    404 otherwise (missing or out of scope look the same)."""
    try:
        account = User.objects.select_related("member", "member__organization").get(pk=int(pk))
    except (User.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy tài khoản.") from None
    if account.member_id is None:
        if is_superadmin(user):
            return account
        raise Http404("Không tìm thấy tài khoản.")
    if not can(user, ACCOUNTS_MANAGE, account.member.organization):
        raise Http404("Không tìm thấy tài khoản.")
    return account
