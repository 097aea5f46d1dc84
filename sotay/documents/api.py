"""The documents library for the mobile app: the list with filters and search (with
highlighted snippets), the reader (which records the read receipt), attachment downloads,
bookmarks and the caller's own receipt.

Same queries, access functions and services as the pages, so the same scoping: a
document the caller may not open answers 404, as a missing one does. A list never returns
more than PER_PAGE rows a call."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router, Status
from ninja.errors import HttpError

from sotay.accounts.api_auth import TokenAuth, require_active
from sotay.accounts.schemas import ErrorOut
from sotay.core.errors import ServiceError
from sotay.core.pagination import page_of
from sotay.documents import services, views
from sotay.documents.access import get_document_for_user
from sotay.documents.models import (
    Bookmark,
    Document,
    DocumentKind,
    DocumentLink,
    DocumentRead,
    DocumentState,
)
from sotay.documents.queries import (
    SearchError,
    bookmarked_by,
    documents_visible_to,
    filter_library,
    search_documents,
)
from sotay.documents.schemas import (
    BookmarkOut,
    DocumentDetail,
    DocumentPage,
    ReceiptOut,
)
from sotay.documents.snippets import annotate_results

router = Router(tags=["Văn bản"], auth=TokenAuth())

PER_PAGE = 50  # the most rows one call returns, whatever the client asks for
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
_BACKWARDS = {"implements": "implemented_by", "replaces": "replaced_by", "amends": "amended_by"}


def _row(d: Document) -> dict:
    return {
        "id": d.pk, "kind": d.kind, "kind_label": d.get_kind_display(), "symbol": d.symbol,
        "title": d.title, "issuer": d.issuer_label, "issued_on": d.issued_on,
        "published_at": d.published_at, "audience_level": d.audience_level,
        "title_html": getattr(d, "hl_title", None), "snippet_html": getattr(d, "hl_snippet", None),
    }  # fmt: skip


def _paging(page: int, per_page: int) -> None:
    if not 1 <= per_page <= PER_PAGE or page < 1:
        raise HttpError(
            422, f"Tham số phân trang không hợp lệ (per_page từ 1 đến {PER_PAGE}, page ≥ 1)."
        )


def _page(qs, page: int, per_page: int, text: str = "") -> dict:
    p = page_of(qs.defer("body", "search_text"), page, per_page, count=False)
    if text:
        annotate_results(p.items, text)
    return {
        "items": [_row(d) for d in p.items],
        "page": p.number,
        "per_page": per_page,
        "has_next": p.has_next,
    }


def _receipt(user, document: Document) -> dict:
    read = DocumentRead.objects.filter(user=user, document=document).first()
    return {"read": read is not None, "first_read_at": read.first_read_at if read else None}


@router.get("/documents", response={200: DocumentPage, **ERRORS})
def document_list(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    issuer: str = "",
    year: int | None = None,
    page: int = 1,
    per_page: int = 20,
):
    """Published documents the caller may read, newest first. `kind` is a kind code,
    `year` the year of issue, `issuer` "org-<id>" of an issuing committee or a central
    body's name. `q` searches the symbol, title and text without diacritics (the first
    200 characters are used); results then come ranked, or newest first for common
    words, with `title_html` / `snippet_html`. At most 50 a page."""
    require_active(request)
    _paging(page, per_page)
    if kind and kind not in DocumentKind.values:
        raise ServiceError(
            f"Loại văn bản “{kind[:40]}” không hợp lệ; dùng một trong: "
            + ", ".join(DocumentKind.values)
            + ".",
            field="kind",
        )
    qs = documents_visible_to(request.user).filter(state=DocumentState.PUBLISHED)
    qs = filter_library(qs, kind=kind, year=year, issuer=issuer.strip())
    text = q.strip()
    if text:
        try:
            qs = search_documents(qs, text)
        except SearchError as exc:
            raise ServiceError(exc.message, field="q") from None
    else:
        qs = qs.order_by("-published_at", "-created_at", "-pk")
    return _page(qs, page, per_page, text)


@router.get("/documents/{document_id}", response={200: DocumentDetail, **ERRORS})
def document_detail(request: HttpRequest, document_id: int):
    """One document with its attachments (metadata; the file from `url`), the documents
    it is linked with that the caller may also read, whether it is bookmarked, and the
    caller's read receipt, which this call records the first time."""
    require_active(request)
    user = request.user
    document = get_document_for_user(user, document_id)
    services.record_read(user=user, document=document)
    visible = documents_visible_to(user).filter(state=DocumentState.PUBLISHED)
    links = [
        {
            "relation": link.relation,
            "relation_label": link.get_relation_display(),
            "document": {
                "id": link.target.pk,
                "symbol": link.target.symbol,
                "title": link.target.title,
            },
        }  # fmt: skip
        for link in DocumentLink.objects.filter(source=document, target__in=visible)
        .select_related("target")
        .order_by("pk")
    ]
    links += [
        {
            "relation": _BACKWARDS[link.relation],
            "relation_label": f"Được {link.get_relation_display().lower()} bởi",
            "document": {
                "id": link.source.pk,
                "symbol": link.source.symbol,
                "title": link.source.title,
            },
        }  # fmt: skip
        for link in DocumentLink.objects.filter(target=document, source__in=visible)
        .select_related("source")
        .order_by("pk")
    ]
    attachments = [
        {
            "id": a.pk,
            "name": a.original_name,
            "content_type": a.content_type,
            "label": a.label,
            "size": a.size,
            "searchable": not a.extraction_failed,
            "url": reverse("api:document_attachment", args=[document.pk, a.pk]),
        }  # fmt: skip
        for a in document.attachments.defer("text").order_by("pk")
    ]
    return {
        "id": document.pk, "kind": document.kind, "kind_label": document.get_kind_display(),
        "symbol": document.symbol, "title": document.title, "summary": document.summary,
        "issuer": document.issuer_label, "issued_on": document.issued_on,
        "effective_on": document.effective_on, "published_at": document.published_at,
        "state": document.state, "state_label": document.get_state_display(),
        "withdrawn_reason": document.withdrawn_reason,
        "audience_level": document.audience_level, "audience": document.audience_org.name,
        "tags": document.tag_list, "body": document.body, "attachments": attachments,
        "links": links,
        "bookmarked": Bookmark.objects.filter(user=user, document=document).exists(),
        "receipt": _receipt(user, document),
    }  # fmt: skip


@router.get(
    "/documents/{document_id}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    url_name="document_attachment",
)
def document_attachment(request: HttpRequest, document_id: int, attachment_id: int):
    """The file (PDF shown inline, DOCX as a download), to whoever may open the
    document."""
    require_active(request)
    return views.attachment(request, document_id, attachment_id)


@router.get("/documents/{document_id}/receipt", response={200: ReceiptOut, **ERRORS})
def document_receipt(request: HttpRequest, document_id: int):
    """Whether and when the caller first opened the document."""
    require_active(request)
    return _receipt(request.user, get_document_for_user(request.user, document_id))


@router.post("/documents/{document_id}/bookmark", response={201: BookmarkOut, **ERRORS})
def add_bookmark(request: HttpRequest, document_id: int):
    """Keep the document to read later; sending it again changes nothing."""
    require_active(request)
    document = get_document_for_user(request.user, document_id)
    services.set_bookmark(user=request.user, document=document, keep=True)
    return Status(201, {"document_id": document.pk, "bookmarked": True})


@router.delete("/documents/{document_id}/bookmark", response={200: BookmarkOut, **ERRORS})
def remove_bookmark(request: HttpRequest, document_id: int):
    """Drop the document from the read-later list; dropping it again changes nothing."""
    require_active(request)
    document = get_document_for_user(request.user, document_id)
    services.set_bookmark(user=request.user, document=document, keep=False)
    return {"document_id": document.pk, "bookmarked": False}


@router.get("/bookmarks", response={200: DocumentPage, **ERRORS})
def bookmark_list(request: HttpRequest, page: int = 1, per_page: int = 20):
    """The caller's read-later list: documents still readable to them, newest first."""
    require_active(request)
    _paging(page, per_page)
    qs = bookmarked_by(
        request.user, documents_visible_to(request.user).filter(state=DocumentState.PUBLISHED)
    ).order_by("-published_at", "-created_at", "-pk")
    return _page(qs, page, per_page)
