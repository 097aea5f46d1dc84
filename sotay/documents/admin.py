from django.contrib import admin

from sotay.core.admin import ReadOnlyAdmin
from sotay.documents.models import Attachment, Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Browse only: drafting, publishing and withdrawing go through the services (scope,
    secrecy check, sanitising, audit)."""

    list_display = ["symbol", "title", "kind", "state", "published_at"]
    search_fields = ["symbol", "title"]
    list_filter = ["kind", "state", "audience_level"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "document", "content_type", "size", "extraction_failed"]
    list_filter = ["extraction_failed"]
