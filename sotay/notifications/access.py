from django.http import Http404

from sotay.notifications.models import Receipt


def get_receipt_for_user(user, pk) -> Receipt:
    try:
        return Receipt.objects.select_related("notice").get(pk=int(pk), user_id=user.pk)
    except (Receipt.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy thông báo.") from None
