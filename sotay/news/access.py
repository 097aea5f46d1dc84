"""Loading a post named by user input. Missing and out-of-scope both answer 404."""

from django.http import Http404

from sotay.news.models import Post
from sotay.news.queries import posts_visible_to


def get_post_for_user(user, pk) -> Post:
    try:
        return posts_visible_to(user).get(pk=int(pk))
    except (Post.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy tin.") from None
