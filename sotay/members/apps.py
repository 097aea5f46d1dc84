from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "sotay.members"
    label = "members"
    verbose_name = "Đảng viên"
