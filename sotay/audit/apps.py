from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "sotay.audit"
    label = "audit"
    verbose_name = "Nhật ký"
