"""Loading a handbook page named by user input. Missing and draft-for-a-reader both
answer 404."""

from django.http import Http404

from sotay.handbook.models import Page
from sotay.handbook.queries import Outline, pages_visible_to

NOT_FOUND = "Không tìm thấy trang sổ tay."


def get_page_for_user(user, slug: str, outline: Outline | None = None) -> Page:
    try:
        return pages_visible_to(user, outline).select_related("updated_by").get(slug=str(slug))
    except Page.DoesNotExist:
        raise Http404(NOT_FOUND) from None


def get_page_by_id_for_user(user, pk, outline: Outline | None = None) -> Page:
    try:
        return pages_visible_to(user, outline).select_related("updated_by").get(pk=int(pk))
    except (Page.DoesNotExist, TypeError, ValueError):
        raise Http404(NOT_FOUND) from None
