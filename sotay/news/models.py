"""News posts (issue 4 §5): short articles addressed to a subtree of the tree, with a
cover image, sanitised rich text, a pin and scheduled publication; and read receipts.

Like `Document.path`, `Post.path` copies the audience organisation's tree path, so
"posts addressed to my branch or any level above it" is one `path IN (ancestors)`
query and an editor's scope one prefix query. A post is visible to readers when it is
published and `publish_at <= now`: scheduling is publishing with a future `publish_at`,
so the feed needs no background job to flip a state.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sotay.documents.models import PrivateStorage

MAX_TITLE = 300
MAX_SUMMARY = 1000


class PostState(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã đăng")
    WITHDRAWN = "withdrawn", _("Đã gỡ")


def cover_path(instance, filename: str) -> str:
    """A random name; covers are always re-encoded JPEGs."""
    return f"news/{uuid.uuid4().hex}.jpg"


class Post(models.Model):
    """One news post. Written only through news.services: `body` is stored sanitised,
    `path` and `search_text` are derived there and kept in step on every save."""

    title = models.CharField(_("tiêu đề"), max_length=MAX_TITLE)
    summary = models.TextField(_("tóm tắt"), blank=True)
    body = models.TextField(_("nội dung"))
    cover = models.ImageField(
        _("ảnh bìa"), upload_to=cover_path, storage=PrivateStorage(), blank=True, max_length=200
    )
    cover_thumb = models.ImageField(
        _("ảnh thu nhỏ"), upload_to=cover_path, storage=PrivateStorage(), blank=True, max_length=200
    )
    audience_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("gửi tới"),
        on_delete=models.PROTECT,
        related_name="news_posts",
    )
    path = models.CharField(max_length=255, editable=False)
    pinned = models.BooleanField(_("ghim lên đầu"), default=False)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=PostState.choices, default=PostState.DRAFT
    )
    # Set by publishing (now or a future time); readers see the post from then on.
    publish_at = models.DateTimeField(_("thời điểm đăng"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("lý do gỡ"), blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tin tức")
        verbose_name_plural = _("tin tức")
        indexes = [
            # Readers: published posts addressed to a handful of ancestor paths, newest
            # first (the home feed).
            models.Index(fields=["state", "path", "-publish_at"], name="post_state_path_pub"),
            models.Index(fields=["-publish_at"], name="post_publish_at"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_scheduled(self) -> bool:
        return (
            self.state == PostState.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )


class PostRead(models.Model):
    """Read receipt: the first time a user opened a visible post (unread marks)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reads")
    first_read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # (user, post): "which of these 20 posts has this user read" is one index range.
            models.UniqueConstraint(fields=["user", "post"], name="post_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.post_id}"
