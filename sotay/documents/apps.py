from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _document_changed(sender, instance, **kwargs):
    """The reader's entry of this document, and of the documents linking to it or linked
    from it (they print its title and check its audience)."""
    from sotay.documents.models import DocumentLink
    from sotay.documents.reader import bump

    bump(instance.pk)
    if kwargs.get("signal") is post_delete:
        return  # its links are gone with it (cascade), each bumping its ends
    ends = DocumentLink.objects.filter(source_id=instance.pk).values_list("target_id", flat=True)
    starts = DocumentLink.objects.filter(target_id=instance.pk).values_list("source_id", flat=True)
    for pk in {*ends, *starts}:
        bump(pk)


def _link_changed(sender, instance, **kwargs):
    from sotay.documents.reader import bump

    bump(instance.source_id)
    bump(instance.target_id)


def _attachment_changed(sender, instance, **kwargs):
    from sotay.documents.reader import bump

    bump(instance.document_id)


def _organization_changed(sender, **kwargs):
    from sotay.documents.reader import bump

    bump()  # issuer and audience names are printed on every document


class DocumentsConfig(AppConfig):
    name = "sotay.documents"
    label = "documents"
    verbose_name = "Văn bản"

    def ready(self):
        from sotay.documents.models import Attachment, Document, DocumentLink
        from sotay.organizations.models import Organization

        for model, handler in (
            (Document, _document_changed),
            (DocumentLink, _link_changed),
            (Attachment, _attachment_changed),
            (Organization, _organization_changed),
        ):
            name = model.__name__
            post_save.connect(handler, sender=model, dispatch_uid=f"reader-{name}")
            post_delete.connect(handler, sender=model, dispatch_uid=f"reader-del-{name}")
