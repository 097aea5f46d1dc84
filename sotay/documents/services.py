"""Writes of the documents library. Every function is keyword-only and transactional;
refusals are ServiceError with a Vietnamese message naming the field."""

from __future__ import annotations

import datetime as dt
import os

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from sotay.accounts.permissions import CONTENT_PUBLISH, can
from sotay.audit.services import record
from sotay.core.cache import home_reads_changed
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.documents import files
from sotay.documents.models import (
    MAX_ATTACHMENT_BYTES,
    Attachment,
    AudienceLevel,
    Bookmark,
    Document,
    DocumentKind,
    DocumentLink,
    DocumentRead,
    DocumentState,
    LinkRelation,
    RequiredReading,
)
from sotay.documents.text import (
    SYMBOL_RE,
    looks_secret,
    normalize_symbol,
    plain,
    search_text,
    symbol_key,
    words,
)

CLASSIFIED_REFUSAL = (
    "Tài liệu mật không được đưa lên hệ thống kết nối Internet. Văn bản có độ mật (Mật, "
    "Tối mật, Tuyệt mật) chỉ được lưu hành theo quy định bảo vệ bí mật nhà nước."
)
DENIED = "Bạn không có quyền ban hành văn bản cho tổ chức này."

# What the form and the API may set on a draft.
FIELDS = (
    "kind", "symbol", "title", "summary", "issuer_org", "issuer_name", "issued_on",
    "effective_on", "body", "tags", "audience_org", "audience_level",
)  # fmt: skip
LIMITS = {"title": 500, "issuer_name": 255, "tags": 255, "summary": 5000, "body": 500_000}


def _clean(values: dict) -> dict:
    """Sanitise and check the fields of a draft; raise on the first problem."""
    out = dict(values)
    for name in ("title", "summary", "issuer_name", "body", "tags"):
        out[name] = plain(out.get(name))
        if len(out[name]) > LIMITS[name]:
            raise ServiceError(
                f"{_LABELS[name]}: dài quá {LIMITS[name]:,} ký tự.".replace(",", "."), name
            )
    out["tags"] = ", ".join(t.strip() for t in out["tags"].split(",") if t.strip())
    if out.get("kind") not in DocumentKind.values:
        raise ServiceError("Loại văn bản: hãy chọn một loại trong danh sách.", "kind")
    if not out["title"]:
        raise ServiceError("Tiêu đề: không được để trống.", "title")
    symbol = normalize_symbol(plain(out.get("symbol")))
    if symbol and not SYMBOL_RE.match(symbol):
        raise ServiceError(
            "Số hiệu: nhập theo mẫu số-loại/cơ quan ban hành, ví dụ 52-NQ/TW.", "symbol"
        )
    out["symbol"] = symbol
    if not out.get("issuer_org") and not out["issuer_name"]:
        raise ServiceError(
            "Cơ quan ban hành: chọn cấp ủy ban hành hoặc ghi tên cơ quan Trung ương.",
            "issuer_name",
        )
    if out.get("audience_org") is None:
        raise ServiceError("Gửi tới: hãy chọn tổ chức nhận văn bản.", "audience_org")
    if out.get("audience_level") not in AudienceLevel.values:
        out["audience_level"] = AudienceLevel.ALL
    issued, effective = out.get("issued_on"), out.get("effective_on")
    if issued and issued > timezone.localdate() + dt.timedelta(days=1):
        raise ServiceError("Ngày ban hành: không được ở tương lai.", "issued_on")
    if issued and effective and effective < issued:
        raise ServiceError("Ngày hiệu lực: không được trước ngày ban hành.", "effective_on")
    return out


_LABELS = {
    "title": "Tiêu đề",
    "summary": "Trích yếu",
    "issuer_name": "Cơ quan ban hành",
    "body": "Nội dung",
    "tags": "Từ khóa",
}


def _check_secret(values: dict, secret: bool) -> None:
    if secret or looks_secret(
        values["title"], values["summary"], values["body"], values["tags"], values["symbol"]
    ):
        raise ServiceError(CLASSIFIED_REFUSAL, "secret")


def _check_scope(actor, values: dict) -> None:
    if not can(actor, CONTENT_PUBLISH, values["audience_org"]):
        raise PermissionDenied(DENIED)
    issuer = values.get("issuer_org")
    if issuer is not None and not can(actor, CONTENT_PUBLISH, issuer):
        raise PermissionDenied("Bạn chỉ ghi được cấp ủy ban hành trong phạm vi của mình.")


def refresh_search(document: Document) -> None:
    """Recompute the folded search text from the document and its attachments."""
    texts = list(document.attachments.values_list("text", flat=True)) if document.pk else []
    document.search_text = search_text(
        document.symbol,
        document.get_kind_display(),
        document.title,
        document.summary,
        document.tags,
        document.issuer_label,
        document.body,
        *texts,
        symbol=document.symbol,
    )
    document.title_key = f" {' '.join(words(document.title))} "[:600]
    document.symbol_key = symbol_key(document.symbol)[:50]


@transaction.atomic
def create_draft(*, actor, secret: bool = False, request=None, **fields) -> Document:
    """A new draft addressed to `audience_org`; needs content.publish there."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    values = _clean(fields)
    _check_scope(actor, values)
    _check_secret(values, secret)
    document = Document(**values, created_by=actor, state=DocumentState.DRAFT)
    document.path = values["audience_org"].path
    refresh_search(document)
    document.save()
    record(action="documents.draft_created", actor=actor, request=request, target=document)
    return document


def _editable(actor, document: Document) -> None:
    if not can(actor, CONTENT_PUBLISH, document.audience_org):
        raise PermissionDenied(DENIED)


@transaction.atomic
def update_draft(
    *, actor, document: Document, secret: bool = False, request=None, **fields
) -> Document:
    """Change a draft; published and withdrawn documents are no longer edited."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _editable(actor, document)
    if document.state != DocumentState.DRAFT:
        raise ServiceError("Chỉ sửa được văn bản ở trạng thái nháp.")
    current = {name: getattr(document, name) for name in FIELDS}
    current.update(fields)
    values = _clean(current)
    _check_scope(actor, values)
    _check_secret(values, secret)
    for name, value in values.items():
        setattr(document, name, value)
    document.path = values["audience_org"].path
    refresh_search(document)
    document.save()
    record(action="documents.draft_updated", actor=actor, request=request, target=document)
    return document


@transaction.atomic
def add_attachment(
    *, actor, document: Document, data: bytes, filename: str, request=None
) -> Attachment:
    """Attach a PDF or DOCX to a draft. The type comes from the bytes; a file whose text
    cannot be read is kept and flagged `extraction_failed`."""
    _editable(actor, document)
    if document.state != DocumentState.DRAFT:
        raise ServiceError("Chỉ thêm tệp cho văn bản ở trạng thái nháp.", "file")
    if not data:
        raise ServiceError("Tệp đính kèm: tệp rỗng.", "file")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ServiceError("Tệp đính kèm: dung lượng tối đa 20 MB.", "file")
    content_type = files.sniff(data)
    if content_type is None:
        raise ServiceError(
            "Tệp đính kèm: chỉ nhận tệp PDF hoặc Word (DOCX) thật; nội dung tệp này không "
            "phải PDF hay DOCX dù tên tệp là gì.",
            "file",
        )
    text = plain(files.extract_text(data, content_type))
    if looks_secret(text[:5000]):
        raise ServiceError(CLASSIFIED_REFUSAL, "file")
    name = os.path.basename(plain(filename).replace("\\", "/"))[:200] or "tep"
    attachment = Attachment(
        document=document,
        original_name=name,
        content_type=content_type,
        size=len(data),
        text=text,
        extraction_failed=not text.strip(),
    )
    attachment.file.save(name, ContentFile(data), save=False)
    # The file is written before the row: if the row cannot be saved, drop the file.
    stored = attachment.file.name
    try:
        attachment.save()
        refresh_search(document)
        document.save(update_fields=["search_text", "title_key", "symbol_key", "updated_at"])
    except Exception:
        attachment.file.storage.delete(stored)
        raise
    record(
        action="documents.attachment_added",
        actor=actor,
        request=request,
        target=document,
        note=name,
    )
    return attachment


@transaction.atomic
def remove_attachment(*, actor, attachment: Attachment, request=None) -> None:
    document = attachment.document
    _editable(actor, document)
    if document.state != DocumentState.DRAFT:
        raise ServiceError("Chỉ bớt tệp của văn bản ở trạng thái nháp.")
    name = attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.storage.delete(name))
    refresh_search(document)
    document.save(update_fields=["search_text", "title_key", "symbol_key", "updated_at"])
    record(action="documents.attachment_removed", actor=actor, request=request, target=document)


@transaction.atomic
def link_documents(*, actor, source: Document, target: Document, relation: str) -> DocumentLink:
    """Record that `source` implements / replaces / amends `target`."""
    _editable(actor, source)
    if relation not in LinkRelation.values:
        raise ServiceError("Quan hệ: chọn thực hiện, thay thế hoặc sửa đổi.", "relation")
    if source.pk == target.pk:
        raise ServiceError("Văn bản liên quan: không liên kết một văn bản với chính nó.", "target")
    try:
        with transaction.atomic():
            return DocumentLink.objects.create(source=source, target=target, relation=relation)
    except IntegrityError:
        raise ServiceError(
            "Văn bản liên quan: hai văn bản này đã được liên kết.", "target"
        ) from None


@transaction.atomic
def publish(*, actor, document: Document, request=None) -> Document:
    """Draft → published. The document becomes visible to its audience."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _editable(actor, document)
    if document.state != DocumentState.DRAFT:
        raise ServiceError("Chỉ ban hành được văn bản ở trạng thái nháp.")
    document.state = DocumentState.PUBLISHED
    document.published_at = timezone.now()
    document.save(update_fields=["state", "published_at", "updated_at"])
    record(action="documents.published", actor=actor, request=request, target=document)
    return document


@transaction.atomic
def withdraw(*, actor, document: Document, reason: str, request=None) -> Document:
    """Published → withdrawn, with a reason. Readers no longer see it; editors do, with
    the reason."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    _editable(actor, document)
    if document.state != DocumentState.PUBLISHED:
        raise ServiceError("Chỉ thu hồi được văn bản đã ban hành.")
    reason = plain(reason)
    if len(reason) < 5:
        raise ServiceError("Lý do thu hồi: hãy ghi rõ lý do (ít nhất 5 ký tự).", "reason")
    document.state = DocumentState.WITHDRAWN
    document.withdrawn_reason = reason[:2000]
    document.withdrawn_at = timezone.now()
    document.save(update_fields=["state", "withdrawn_reason", "withdrawn_at", "updated_at"])
    record(action="documents.withdrawn", actor=actor, request=request, target=document, note=reason)
    return document


def record_read(*, user, document: Document) -> bool:
    """The read receipt of the first opening; later openings change nothing. True when
    this opening was the first."""
    if document.state != DocumentState.PUBLISHED or not user.is_authenticated:
        return False
    _, created = DocumentRead.objects.get_or_create(user=user, document=document)
    if created:
        home_reads_changed(user.pk)
    return created


@transaction.atomic
def toggle_bookmark(*, user, document: Document) -> bool:
    """Keep the document to read later, or drop it from the list. True when kept."""
    deleted, _ = Bookmark.objects.filter(user=user, document=document).delete()
    if deleted:
        return False
    Bookmark.objects.get_or_create(user=user, document=document)
    return True


def set_bookmark(*, user, document: Document, keep: bool) -> bool:
    """Keep the document to read later (keep=True) or drop it; asking twice changes
    nothing (the API's POST and DELETE). Returns whether it is kept now."""
    if keep:
        Bookmark.objects.get_or_create(user=user, document=document)
    else:
        Bookmark.objects.filter(user=user, document=document).delete()
    return keep


REQUIRE_DENIED = "Bạn chỉ yêu cầu đọc được cho tổ chức trong phạm vi ban hành của mình."


@transaction.atomic
def require_reading(
    *, actor, document: Document, organization, due_on: dt.date | None, request=None
) -> RequiredReading:
    """Require every member of `organization`'s subtree to read `document` by `due_on`.
    The document must be published and addressed to all members; the organisation must
    lie inside the document's audience subtree and inside the actor's content.publish
    scope; the date must not be in the past. Marking the same organisation again moves
    the due date."""
    if organization is None:
        raise ServiceError("Tổ chức phải đọc: hãy chọn một tổ chức.", "organization")
    if not can(actor, CONTENT_PUBLISH, organization):
        raise PermissionDenied(REQUIRE_DENIED)
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.state != DocumentState.PUBLISHED:
        raise ServiceError("Chỉ yêu cầu đọc được văn bản đã ban hành.", "document")
    if document.audience_level != AudienceLevel.ALL:
        raise ServiceError(
            "Văn bản chỉ gửi cấp ủy viên: không yêu cầu toàn thể đảng viên đọc được.", "document"
        )
    if not organization.path.startswith(document.path):
        raise ServiceError(
            f"Tổ chức phải đọc: văn bản chỉ gửi tới {document.audience_org.name}; hãy chọn "
            "tổ chức này hoặc một tổ chức trực thuộc.",
            "organization",
        )
    if organization.valid_to is not None:
        raise ServiceError(
            "Tổ chức phải đọc: tổ chức này đã giải thể hoặc sáp nhập.", "organization"
        )
    if due_on is None:
        raise ServiceError("Hạn đọc: hãy chọn ngày.", "due_on")
    if due_on < timezone.localdate():
        raise ServiceError("Hạn đọc: không được là ngày đã qua.", "due_on")
    requirement, created = RequiredReading.objects.update_or_create(
        document=document,
        organization=organization,
        defaults={"path": organization.path, "due_on": due_on},
        create_defaults={"path": organization.path, "due_on": due_on, "created_by": actor},
    )
    record(
        action="documents.reading_required" if created else "documents.reading_due_changed",
        actor=actor,
        request=request,
        target=document,
        org_path=organization.path,
        note=f"{organization.name}: hạn đọc {due_on:%d/%m/%Y}",
    )
    return requirement


@transaction.atomic
def drop_requirement(*, actor, requirement: RequiredReading, request=None) -> None:
    """Withdraw a reading requirement; needs content.publish over its organisation."""
    organization = requirement.organization
    if not can(actor, CONTENT_PUBLISH, organization):
        raise PermissionDenied(REQUIRE_DENIED)
    document = requirement.document
    requirement.delete()
    record(
        action="documents.requirement_dropped",
        actor=actor,
        request=request,
        target=document,
        org_path=organization.path,
        note=organization.name,
    )


@transaction.atomic
def publish_branch_resolution(
    *, actor, organization, symbol: str, title: str, body: str, issued_on: dt.date, request=None
) -> Document:
    """A resolution the organisation adopted at its own meeting (sotay.meetings.minutes),
    published straight into the library: kind Nghị quyết, issuer and audience the
    organisation, every member of it may read it. The right is the meeting's
    (meetings.manage on the organisation), not content.publish: a branch secretary issues
    the branch's resolution without being a library editor. The library's own rules (symbol
    format, no classified content) still apply."""
    from sotay.accounts.permissions import MEETINGS_MANAGE

    if not can(actor, MEETINGS_MANAGE, organization):
        raise PermissionDenied("Bạn không có quyền ban hành nghị quyết của tổ chức này.")
    values = _clean(
        {
            "kind": DocumentKind.RESOLUTION,
            "symbol": symbol,
            "title": title,
            "summary": "",
            "issuer_org": organization,
            "issuer_name": "",
            "issued_on": issued_on,
            "effective_on": issued_on,
            "body": body,
            "tags": "",
            "audience_org": organization,
            "audience_level": AudienceLevel.ALL,
        }
    )
    _check_secret(values, False)
    document = Document(
        **values,
        created_by=actor,
        state=DocumentState.PUBLISHED,
        published_at=timezone.now(),
    )
    document.path = organization.path
    refresh_search(document)
    document.save()
    record(action="documents.published", actor=actor, request=request, target=document)
    return document
