"""The procedures handbook (sổ tay nghiệp vụ): a small tree of guidance pages edited by
system administrators and read by every signed-in user.

The tree is an adjacency list (`parent` + `position`), not a materialized path like
`Organization`: the handbook holds hundreds of pages, read whole in one query for the
index, so a path buys nothing; an explicit `position` makes reordering siblings a
couple of row updates and a move never rewrites a subtree; and a `path` column would be
read by the audit trail as an organisation path. Siblings are numbered 1..n without
gaps; only handbook.services writes `position`, `slug`, `search_text` and `title_key`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Page(models.Model):
    """One guidance page. `body` is sanitised HTML (core.richtext), `summary` and
    `sources` plain text. A draft (`published=False`) and everything below it are
    visible to editors only."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("trang cha"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=1)
    title = models.CharField(_("tiêu đề"), max_length=255)
    slug = models.SlugField(_("đường dẫn"), max_length=120, unique=True)
    summary = models.TextField(_("tóm tắt"), blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    sources = models.TextField(_("căn cứ"), blank=True)
    published = models.BooleanField(_("đã đăng"), default=False)
    # " word word " folded: the search matches word starts with LIKE '% term%'.
    search_text = models.TextField(blank=True, editable=False)
    title_key = models.CharField(max_length=600, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trang sổ tay")
        verbose_name_plural = _("trang sổ tay")
        ordering = ("parent_id", "position", "pk")
        indexes = [models.Index(fields=["parent", "position"], name="handbook_sibling_order")]

    def __str__(self) -> str:
        return self.title
