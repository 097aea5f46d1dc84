"""Library screens: the list with search and filters, the reader, attachment download,
bookmarks, and the office's draft / publish / withdraw forms."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from sotay.accounts.permissions import CONTENT_PUBLISH, can, orgs_where
from sotay.core import kept_pages
from sotay.core.pagination import page_of
from sotay.core.services import call_service, call_with_message
from sotay.documents import reader, services
from sotay.documents.access import get_attachment_for_user, get_document_for_user
from sotay.documents.forms import (
    CENTRAL_BODIES,
    AttachmentForm,
    DocumentForm,
    LinkForm,
    WithdrawForm,
)
from sotay.documents.models import (
    Bookmark,
    DocumentKind,
    DocumentState,
    LinkRelation,
)
from sotay.documents.queries import (
    SearchError,
    bookmarked_by,
    documents_visible_to,
    editable_by,
    filter_library,
    required_for,
    search_documents,
)
from sotay.documents.required_views import reading_panel
from sotay.documents.snippets import annotate_results
from sotay.documents.text import normalize_symbol
from sotay.handbook.queries import search as search_handbook
from sotay.notifications.queries import unread_count
from sotay.organizations.access import find_organization_by_code
from sotay.organizations.models import Organization

PER_PAGE = 20


# How a document names the documents that link to it ("Được thay thế bởi" = replaced by).
INCOMING_LABELS = {
    LinkRelation.IMPLEMENTS: gettext_lazy("Được thực hiện bởi"),
    LinkRelation.REPLACES: gettext_lazy("Được thay thế bởi"),
    LinkRelation.AMENDS: gettext_lazy("Được sửa đổi, bổ sung bởi"),
}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


HANDBOOK_HITS = 3


@require_GET
def library(request):
    user = request.user
    is_editor = can(user, CONTENT_PUBLISH)
    qs = documents_visible_to(user)
    state = request.GET.get("state") if is_editor else None
    if state in DocumentState.values:
        qs = editable_by(user, qs).filter(state=state)
    else:
        state = DocumentState.PUBLISHED
        qs = qs.filter(state=state)
    filters = {
        "kind": request.GET.get("kind", ""),
        "year": _int(request.GET.get("year")),
        "issuer": request.GET.get("issuer", ""),
        "saved": request.GET.get("saved") == "1",
        "state": state,
    }
    qs = filter_library(qs, kind=filters["kind"], year=filters["year"], issuer=filters["issuer"])
    if filters["saved"]:
        qs = bookmarked_by(user, qs)
    text = request.GET.get("q", "").strip()
    error = ""
    if text:
        try:
            qs = search_documents(qs, text)
        except SearchError as exc:
            error, qs = exc.message, qs.none()
    else:
        qs = qs.order_by("-published_at", "-created_at", "-pk")
    page = page_of(qs.defer("body", "search_text"), request.GET.get("page"), PER_PAGE, False)
    handbook_hits = []
    if text and not error:
        annotate_results(page.items, text)
        if page.number == 1:
            # One search box: the procedures handbook's pages that match come first.
            handbook_hits = search_handbook(user, text, limit=HANDBOOK_HITS)
    issuer_orgs = Organization.objects.filter(
        pk__in=documents_visible_to(user)
        .filter(state=DocumentState.PUBLISHED, issuer_org__isnull=False)
        .values("issuer_org_id")[:200]
    ).only("pk", "name")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "documents/document_list.html",
        {
            "page": page,
            "q": text[:200],
            "error": error,
            "filters": filters,
            "kinds": DocumentKind.choices,
            "issuers": [(n, n) for n in CENTRAL_BODIES]
            + [(f"org-{o.pk}", o.name) for o in issuer_orgs],
            "states": DocumentState.choices,
            "is_editor": is_editor,
            "handbook_hits": handbook_hits,
            "query": query.urlencode(),
            # Required and still unread, above the list ("members see it first").
            "required": required_for(user)
            if not (text or filters["saved"] or request.GET.get("page")) and state == "published"
            else [],
        },
    )


@require_GET
def detail(request, pk: int):
    """The reader. The document's shared part comes from documents.reader (cached per
    document with the shared cache, its header and text rendered once per process); this
    reader's part is one statement: the read receipt and the bookmark."""
    user = request.user
    found = reader.entry_for(user, pk)
    document = found.document
    bookmarked = reader.open_document(user, document)
    related = reader.related(user, found, INCOMING_LABELS)
    can_edit = can(user, CONTENT_PUBLISH, document.audience_org)
    reading = reading_panel(user, document)
    unread = unread_count(user)
    # A plain reader's page is kept whole per process (documents.reader._pages).
    key = (
        None
        if can_edit or reading
        else reader.page_key(request, found, bookmarked, related, unread)
    )
    page = reader.kept_page(key)
    if page is None:
        reader_head, reader_text = reader.rendered(found)
        context = {
            "document": document,
            "reader_head": reader_head,
            "reader_text": reader_text,
            "bookmarked": bookmarked,
            "related": related,
            "can_edit": can_edit,
            "withdraw_form": WithdrawForm() if can_edit else None,
            "link_form": LinkForm() if can_edit else None,
            "reading": reading,
            "unread_notices": unread,  # the key's count, whatever the bell says meanwhile
        }
        if key is None:
            return render(request, "documents/document_detail.html", context)
        page = kept_pages.render_marked("documents/document_detail.html", context, request)
        reader.keep_page(key, page)
    return kept_pages.respond(request, *page)


@require_GET
def attachment(request, pk: int, attachment_pk: int):
    """The file, to whoever may open the document; never under MEDIA_URL."""
    item = get_attachment_for_user(request.user, pk, attachment_pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("Không tìm thấy tệp đính kèm.") from None
    response = FileResponse(
        handle,
        content_type=item.content_type,
        filename=item.original_name,
        as_attachment=item.content_type != item.FileType.PDF,
    )
    response["Cache-Control"] = "private, max-age=600"
    return response


@require_POST
def bookmark(request, pk: int):
    document = get_document_for_user(request.user, pk)
    kept = services.toggle_bookmark(user=request.user, document=document)
    messages.success(
        request, gettext("Đã lưu vào mục Đọc sau.") if kept else gettext("Đã bỏ khỏi mục Đọc sau.")
    )
    return redirect("documents:detail", pk=document.pk)


BOOKMARKS_MAX = 200


@require_GET
def bookmarks(request):
    """The "Văn bản đọc sau" page: the user's bookmarked documents they may still read,
    newest bookmark first. The page also tells the installable app to keep exactly these
    on the device for offline reading (static/js/app.js), so it lists them all at once."""
    user = request.user
    saved_at = Bookmark.objects.filter(user=user, document=OuterRef("pk")).values("created_at")
    documents = list(
        bookmarked_by(user, documents_visible_to(user).filter(state=DocumentState.PUBLISHED))
        .annotate(saved_at=Subquery(saved_at[:1]))
        .defer("body", "search_text")
        .order_by("-saved_at", "-pk")[:BOOKMARKS_MAX]
    )
    return render(request, "documents/bookmark_list.html", {"documents": documents})


def _require_publisher(user, document=None):
    org = document.audience_org if document is not None else None
    if not can(user, CONTENT_PUBLISH, org):
        raise PermissionDenied(gettext("Bạn không có quyền ban hành văn bản."))


def _resolve_orgs(request, form) -> dict | None:
    """Turn the codes typed in the form into organisations the user may publish to."""
    data = form.cleaned_data
    audience = find_organization_by_code(request.user, data["audience_code"], CONTENT_PUBLISH)
    if audience is None:
        form.add_error("audience_code", gettext("Mã tổ chức không có hoặc ngoài phạm vi của bạn."))
    issuer = None
    if data["issuer_code"]:
        issuer = find_organization_by_code(request.user, data["issuer_code"], CONTENT_PUBLISH)
        if issuer is None:
            form.add_error(
                "issuer_code", gettext("Mã tổ chức không có hoặc ngoài phạm vi của bạn.")
            )
    if form.errors:
        return None
    fields = {
        k: data[k]
        for k in (
            "kind", "symbol", "title", "summary", "issuer_name", "issued_on", "effective_on",
            "body", "tags", "audience_level",
        )
    }  # fmt: skip
    fields.update(audience_org=audience, issuer_org=issuer)
    return fields


def create(request):
    _require_publisher(request.user)
    initial = {}
    roots = orgs_where(request.user, CONTENT_PUBLISH)
    if roots:
        org = Organization.objects.filter(path=roots[0]).only("code").first()
        initial = {"audience_code": org.code if org else "", "issuer_code": org.code if org else ""}
    form = DocumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _resolve_orgs(request, form)
        if fields is not None:
            ok, document = call_service(
                form,
                services.create_draft,
                actor=request.user,
                request=request,
                secret=form.cleaned_data["secret"],
                **fields,
            )
            if ok:
                messages.success(
                    request, gettext("Đã lưu bản nháp. Thêm tệp đính kèm rồi ban hành.")
                )
                return redirect("documents:edit", pk=document.pk)
    return render(request, "documents/document_form.html", {"form": form, "document": None})


def edit(request, pk: int):
    document = get_document_for_user(request.user, pk)
    _require_publisher(request.user, document)
    if document.state != DocumentState.DRAFT:
        messages.info(request, gettext("Văn bản đã ban hành không sửa được nữa."))
        return redirect("documents:detail", pk=document.pk)
    initial = {
        "kind": document.kind,
        "symbol": document.symbol,
        "title": document.title,
        "summary": document.summary,
        "issuer_code": document.issuer_org.code if document.issuer_org_id else "",
        "issuer_name": document.issuer_name,
        "issued_on": document.issued_on,
        "effective_on": document.effective_on,
        "body": document.body,
        "tags": document.tags,
        "audience_code": document.audience_org.code,
        "audience_level": document.audience_level,
    }
    form = DocumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _resolve_orgs(request, form)
        if fields is not None:
            ok, _ = call_service(
                form,
                services.update_draft,
                actor=request.user,
                document=document,
                request=request,
                secret=form.cleaned_data["secret"],
                **fields,
            )
            if ok:
                messages.success(request, gettext("Đã lưu bản nháp."))
                return redirect("documents:edit", pk=document.pk)
    return render(
        request,
        "documents/document_form.html",
        {
            "form": form,
            "document": document,
            "attachment_form": AttachmentForm(),
            "attachments": list(document.attachments.order_by("pk")),
        },
    )


@require_POST
def add_attachment(request, pk: int):
    document = get_document_for_user(request.user, pk)
    _require_publisher(request.user, document)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, gettext("Tệp đính kèm: hãy chọn một tệp PDF hoặc DOCX."))
        return redirect("documents:edit", pk=document.pk)
    upload = form.cleaned_data["file"]
    if upload.size > services.MAX_ATTACHMENT_BYTES:
        messages.error(request, gettext("Tệp đính kèm: dung lượng tối đa 20 MB."))
        return redirect("documents:edit", pk=document.pk)
    ok, item = call_with_message(
        request,
        partial(services.add_attachment, request=request),
        actor=request.user,
        document=document,
        data=upload.read(),
        filename=upload.name,
    )
    if ok:
        if item.extraction_failed:
            messages.warning(
                request,
                gettext(
                    "Đã lưu tệp %(name)s, nhưng không đọc được chữ trong tệp: "
                    "nội dung tệp sẽ không tìm kiếm được."
                )
                % {"name": item.original_name},
            )
        else:
            messages.success(
                request, gettext("Đã thêm tệp %(name)s.") % {"name": item.original_name}
            )
    return redirect("documents:edit", pk=document.pk)


@require_POST
def remove_attachment(request, pk: int, attachment_pk: int):
    item = get_attachment_for_user(request.user, pk, attachment_pk)
    _require_publisher(request.user, item.document)
    ok, _ = call_with_message(
        request,
        partial(services.remove_attachment, request=request),
        actor=request.user,
        attachment=item,
    )
    if ok:
        messages.success(request, gettext("Đã bỏ tệp đính kèm."))
    return redirect("documents:edit", pk=pk)


@require_POST
def publish(request, pk: int):
    document = get_document_for_user(request.user, pk)
    _require_publisher(request.user, document)
    ok, _ = call_with_message(
        request, partial(services.publish, request=request), actor=request.user, document=document
    )
    if ok:
        messages.success(request, gettext("Đã ban hành văn bản."))
    return redirect("documents:detail", pk=document.pk)


@require_POST
def withdraw(request, pk: int):
    document = get_document_for_user(request.user, pk)
    _require_publisher(request.user, document)
    ok, _ = call_with_message(
        request,
        partial(services.withdraw, request=request),
        actor=request.user,
        document=document,
        reason=request.POST.get("reason", ""),
    )
    if ok:
        messages.success(request, gettext("Đã thu hồi văn bản."))
    return redirect("documents:detail", pk=document.pk)


@require_POST
def link(request, pk: int):
    document = get_document_for_user(request.user, pk)
    _require_publisher(request.user, document)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Văn bản liên quan: hãy chọn quan hệ và nhập số hiệu."))
        return redirect("documents:detail", pk=document.pk)
    symbol = normalize_symbol(form.cleaned_data["target_symbol"])
    target = (
        documents_visible_to(request.user)
        .filter(symbol=symbol, state=DocumentState.PUBLISHED)
        .order_by("-published_at")
        .first()
    )
    if target is None:
        messages.error(
            request,
            gettext("Văn bản liên quan: không tìm thấy văn bản số %(symbol)s.")
            % {"symbol": symbol},
        )
        return redirect("documents:detail", pk=document.pk)
    ok, _ = call_with_message(
        request,
        services.link_documents,
        actor=request.user,
        source=document,
        target=target,
        relation=form.cleaned_data["relation"],
    )
    if ok:
        messages.success(request, gettext("Đã liên kết văn bản."))
    return redirect("documents:detail", pk=document.pk)
