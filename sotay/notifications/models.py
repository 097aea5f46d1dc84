"""In-app notices. One `Notice` row per message and one small `Receipt` row per
recipient, written in one set-based INSERT … SELECT (never a task per member)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """A message sent to everyone in an organisation subtree (or to one person)."""

    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("liên kết"), max_length=300, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Receipt(models.Model):
    """One recipient's copy of a notice, with when it was read."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_receipts"
    )
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("người nhận")
        verbose_name_plural = _("người nhận")
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="receipt_once")]
        indexes = [models.Index(fields=["user", "read_at"], name="receipt_user_read")]

    def __str__(self) -> str:
        return f"{self.notice} → {self.user}"
