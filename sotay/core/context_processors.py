"""Values every page of the shell needs: the unread count for the bell and which
management links to show. At most two small queries, none for anonymous visitors."""

from sotay.accounts.models import AccountStatus


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.status != AccountStatus.ACTIVE:
        return {}
    if getattr(request, "htmx", False):
        return {}  # fragments have no shell
    from sotay.accounts import permissions as p
    from sotay.notifications.queries import unread_count

    def lazy_can(perm):
        return lambda: p.can(user, perm)

    return {
        "unread_notices": unread_count(user),
        "can_manage_accounts": lazy_can(p.ACCOUNTS_MANAGE),
        "can_view_members": lazy_can(p.MEMBERS_VIEW),
        "can_record_events": lazy_can(p.MEMBERS_LIFECYCLE),
        "can_view_audit": lazy_can(p.AUDIT_VIEW),
        "can_send_notices": lazy_can(p.NOTICES_SEND),
        "can_view_reports": lazy_can(p.REPORTS_VIEW),
    }
