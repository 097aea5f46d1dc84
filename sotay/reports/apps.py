from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "sotay.reports"
    verbose_name = "Thống kê"
