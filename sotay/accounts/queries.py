"""Account lists for managers."""

from django.db.models import QuerySet

from sotay.accounts.models import AccountStatus, User
from sotay.accounts.permissions import ACCOUNTS_MANAGE, scope_q


def pending_registrations_for(user) -> QuerySet[User]:
    """Pending self-registrations whose member lies where the user manages accounts."""
    return (
        User.objects.filter(status=AccountStatus.PENDING, member__isnull=False)
        .filter(scope_q(user, ACCOUNTS_MANAGE, field="member__org_path"))
        .select_related("member", "member__organization")
        .order_by("date_joined")
    )
