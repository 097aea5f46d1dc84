from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "sotay.documents"
    label = "documents"
    verbose_name = "Văn bản"
