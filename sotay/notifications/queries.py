"""A user's own notices."""

from django.db.models import QuerySet

from sotay.notifications.models import Receipt


def receipts_visible_to(user) -> QuerySet[Receipt]:
    return (
        Receipt.objects.filter(user_id=user.pk)
        .select_related("notice")
        .order_by("-notice__created_at", "-id")
    )


def unread_count(user) -> int:
    return Receipt.objects.filter(user_id=user.pk, read_at__isnull=True).count()
