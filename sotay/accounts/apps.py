from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sotay.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"
