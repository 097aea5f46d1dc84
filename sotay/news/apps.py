from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "sotay.news"
    label = "news"
    verbose_name = "Tin tức"
