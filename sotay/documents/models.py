"""The documents library (DOMAIN §4): party documents addressed to a subtree of the tree,
their attachments, links between them, read receipts and bookmarks.

`Document.path` copies the audience organisation's tree path so "documents addressed to
my branch or any level above it" is one `path IN (ancestors)` query, and an editor's
scope is one prefix query. `search_text` holds the folded, punctuation-free text of the
document and its attachments, which both the SQLite fallback (LIKE) and the PostgreSQL
full-text index (GIN on to_tsvector('simple', search_text)) search.
"""

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


class DocumentKind(models.TextChoices):
    """Kinds of party document (DOMAIN §4)."""

    RESOLUTION = "nghi_quyet", _("Nghị quyết")
    DIRECTIVE = "chi_thi", _("Chỉ thị")
    REGULATION = "quy_dinh", _("Quy định")
    CONCLUSION = "ket_luan", _("Kết luận")
    DECISION = "quyet_dinh", _("Quyết định")
    GUIDANCE = "huong_dan", _("Hướng dẫn")
    PLAN = "ke_hoach", _("Kế hoạch")
    ANNOUNCEMENT = "thong_bao", _("Thông báo")
    REPORT = "bao_cao", _("Báo cáo")
    OFFICIAL_LETTER = "cong_van", _("Công văn")


class AudienceLevel(models.TextChoices):
    """Who inside the audience subtree may read the document."""

    ALL = "all", _("Mọi đảng viên")
    COMMITTEE = "committee", _("Chỉ cấp ủy viên")


class DocumentState(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã ban hành")
    WITHDRAWN = "withdrawn", _("Đã thu hồi")


class LinkRelation(models.TextChoices):
    IMPLEMENTS = "implements", _("Thực hiện")
    REPLACES = "replaces", _("Thay thế")
    AMENDS = "amends", _("Sửa đổi, bổ sung")


class Document(models.Model):
    """One party document. Written only through documents.services; `path`,
    `symbol_key` and `search_text` are derived there and kept in step on every save."""

    kind = models.CharField(_("loại văn bản"), max_length=20, choices=DocumentKind.choices)
    symbol = models.CharField(_("số hiệu"), max_length=50, blank=True)
    symbol_key = models.CharField(max_length=50, blank=True, db_index=True, editable=False)
    title = models.CharField(_("tiêu đề"), max_length=500)
    summary = models.TextField(_("trích yếu"), blank=True)
    issuer_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("cấp ủy ban hành"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_documents",
    )
    issuer_name = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    effective_on = models.DateField(_("ngày hiệu lực"), null=True, blank=True)
    body = models.TextField(_("nội dung"), blank=True)
    tags = models.CharField(_("từ khóa"), max_length=255, blank=True)
    audience_org = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("gửi tới"),
        on_delete=models.PROTECT,
        related_name="addressed_documents",
    )
    audience_level = models.CharField(
        _("đối tượng đọc"),
        max_length=10,
        choices=AudienceLevel.choices,
        default=AudienceLevel.ALL,
    )
    path = models.CharField(max_length=255, editable=False)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=DocumentState.choices, default=DocumentState.DRAFT
    )
    withdrawn_reason = models.TextField(_("lý do thu hồi"), blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)
    # " word word " of the folded title, to rank title hits above body hits.
    title_key = models.CharField(max_length=600, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        indexes = [
            # Readers: published documents addressed to a handful of ancestor paths,
            # newest first.
            models.Index(fields=["state", "path", "-published_at"], name="doc_state_path_pub"),
            models.Index(fields=["-published_at"], name="doc_published"),
            # The library's year filter on what a reader may see: the year is checked
            # in the index, so a common word in one year reads only that year's rows.
            models.Index(fields=["state", "path", "issued_on"], name="doc_state_path_issued"),
        ]

    def __str__(self) -> str:
        return f"{self.symbol} {self.title}".strip()

    @property
    def issuer_label(self) -> str:
        if self.issuer_org_id:
            return self.issuer_org.name
        return self.issuer_name

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class DocumentLink(models.Model):
    """`source` implements / replaces / amends `target`."""

    source = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="links_in")
    relation = models.CharField(_("quan hệ"), max_length=12, choices=LinkRelation.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="doc_link_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.relation} {self.target_id}"


@deconstructible
class PrivateStorage(FileSystemStorage):
    """Attachments are read only through the scoped download view, so they live under
    PRIVATE_ROOT, never under MEDIA_URL. The location is read from settings on use, so
    tests can point it at a temporary folder."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_ROOT)

    @property
    def location(self):
        import os

        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def attachment_path(instance, filename: str) -> str:
    """A random name: the original one is kept in `original_name` and given back on
    download, never trusted as a path."""
    return f"documents/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A PDF or DOCX file of a document. The type is sniffed from the bytes; the text is
    extracted for search (`extraction_failed` when nothing could be read)."""

    class FileType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        DOCX = (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "DOCX",
        )

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, storage=PrivateStorage(), max_length=200)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100, choices=FileType.choices)
    size = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    extraction_failed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self) -> str:
        return self.original_name

    @property
    def label(self) -> str:
        return self.get_content_type_display()


class DocumentRead(models.Model):
    """Read receipt: the first time a user opened a published document."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reads")
    first_read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="doc_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.document_id}"


class Bookmark(models.Model):
    """A document kept to read later ("đọc sau", QĐ 339)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "document"], name="doc_bookmark_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} keeps {self.document_id}"


class RequiredReading(models.Model):
    """A publisher requires every member of a subtree to read a published document by
    `due_on` (issue 4 §3). `path` copies the organisation's tree path, so "required for
    my branch or any level above it" is one `path IN (ancestors)` query. Written only
    through documents.services (require_reading, drop_requirement)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="requirements")
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("tổ chức phải đọc"),
        on_delete=models.PROTECT,
        related_name="required_readings",
    )
    path = models.CharField(max_length=255, editable=False)
    due_on = models.DateField(_("hạn đọc"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("văn bản cần đọc")
        verbose_name_plural = _("văn bản cần đọc")
        constraints = [
            models.UniqueConstraint(fields=["document", "organization"], name="doc_required_once"),
        ]
        indexes = [models.Index(fields=["path", "due_on"], name="doc_required_path_due")]

    def __str__(self) -> str:
        return f"{self.document_id} required for {self.organization_id} by {self.due_on}"

    @property
    def overdue(self) -> bool:
        return self.due_on < timezone.localdate()
