from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class LearningConfig(AppConfig):
    name = "sotay.learning"
    label = "learning"
    verbose_name = "Học tập nghị quyết"

    def ready(self):
        from sotay.learning.models import Programme
        from sotay.learning.queries import programmes_changed

        post_save.connect(programmes_changed, sender=Programme, dispatch_uid="learning-home")
        post_delete.connect(programmes_changed, sender=Programme, dispatch_uid="learning-home-del")
