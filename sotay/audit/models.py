"""Append-only audit trail. Rows are only ever inserted: the model refuses updates and
deletes, and on PostgreSQL a trigger refuses them at the database too."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditError(Exception):
    pass


class AuditEntry(models.Model):
    """Who did what, when, from where, to which object, and the before/after of changes."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("người thực hiện"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("địa chỉ"), null=True, blank=True)
    action = models.CharField(_("hành động"), max_length=40)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    target_label = models.CharField(_("đối tượng"), max_length=255, blank=True)
    org_path = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["action", "ip", "at"], name="audit_action_ip_at"),
            models.Index(
                fields=["org_path", "at"],
                name="audit_org_at",
                opclasses=["varchar_pattern_ops", ""],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditError("Nhật ký chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditError("Nhật ký chỉ được ghi thêm, không được xóa.")
