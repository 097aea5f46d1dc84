from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "sotay.learning"
    label = "learning"
    verbose_name = "Học tập nghị quyết"
