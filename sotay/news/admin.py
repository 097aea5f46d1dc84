from django.contrib import admin

from sotay.core.admin import ReadOnlyAdmin
from sotay.news.models import Post


@admin.register(Post)
class PostAdmin(ReadOnlyAdmin):
    """Browse only: writing, publishing, pinning and withdrawing go through the services
    (scope, sanitising, image checks, audit)."""

    list_display = ["title", "audience_org", "state", "pinned", "publish_at"]
    search_fields = ["title"]
    list_filter = ["state", "pinned"]
    exclude = ["search_text"]
