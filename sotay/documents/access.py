"""Loading a document named by user input. Missing and out-of-scope both answer 404."""

from django.http import Http404

from sotay.documents.models import Attachment, Document
from sotay.documents.queries import documents_visible_to


def get_document_for_user(user, pk) -> Document:
    try:
        return documents_visible_to(user).get(pk=int(pk))
    except (Document.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy văn bản.") from None


def get_attachment_for_user(user, document_pk, pk) -> Attachment:
    document = get_document_for_user(user, document_pk)
    try:
        attachment = document.attachments.get(pk=int(pk))
    except (Attachment.DoesNotExist, TypeError, ValueError):
        raise Http404("Không tìm thấy tệp đính kèm.") from None
    attachment.document = document
    return attachment
