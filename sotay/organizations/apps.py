from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "sotay.organizations"
    label = "organizations"
    verbose_name = "Tổ chức đảng"
