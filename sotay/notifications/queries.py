"""A user's own notices."""

from django.db.models import QuerySet

from sotay.core.cache import cached_for_user
from sotay.notifications.models import Receipt


def receipts_visible_to(user) -> QuerySet[Receipt]:
    return (
        Receipt.objects.filter(user_id=user.pk)
        .select_related("notice")
        .order_by("-notice__created_at", "-id")
    )


def unread_count(user) -> int:
    """The bell's number: cached per user (shared cache only) until a notice is sent or
    the user reads one."""
    return cached_for_user(
        "unread",
        user.pk,
        lambda: Receipt.objects.filter(user_id=user.pk, read_at__isnull=True).count(),
    )
