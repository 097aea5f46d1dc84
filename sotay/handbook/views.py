"""Handbook screens: the tree with its search, the page with breadcrumb, contents,
child pages and sibling links, and the administrators' forms."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from sotay.accounts.permissions import can_edit_handbook
from sotay.core.services import call_service, call_with_message
from sotay.documents.queries import MAX_QUERY, SearchError
from sotay.handbook import services
from sotay.handbook.access import get_page_by_id_for_user, get_page_for_user
from sotay.handbook.forms import MoveForm, NewPageForm, PageForm
from sotay.handbook.queries import Outline, search
from sotay.handbook.text import with_anchors


def _require_editor(user) -> None:
    if not can_edit_handbook(user):
        raise PermissionDenied(services.DENIED)


@require_GET
def index(request):
    user = request.user
    outline = Outline(user)
    text = request.GET.get("q", "").strip()
    results, error = None, ""
    if text:
        try:
            results = search(user, text)
        except SearchError as exc:
            error, results = exc.message, []
    return render(
        request,
        "handbook/page_list.html",
        {
            "outline": outline,
            "roots": outline.roots,
            "q": text[:MAX_QUERY],
            "results": results,
            "error": error,
            "is_editor": outline.editor,
        },
    )


@require_GET
def detail(request, slug: str):
    user = request.user
    outline = Outline(user)
    page = get_page_for_user(user, slug, outline)
    body, toc = with_anchors(page.body)
    previous, following = outline.neighbours(page.pk)
    return render(
        request,
        "handbook/page_detail.html",
        {
            "page": page,
            "body": body,
            "toc": toc if len(toc) >= 2 else [],
            "ancestors": outline.ancestors(page.pk),
            "children": outline.nodes[page.pk].children,
            "previous": previous,
            "next": following,
            "is_editor": outline.editor,
        },
    )


def create(request):
    _require_editor(request.user)
    outline = Outline(request.user)
    parent = None
    if request.GET.get("cha") or request.POST.get("cha"):
        parent = get_page_by_id_for_user(
            request.user, request.GET.get("cha") or request.POST.get("cha"), outline
        )
    form = NewPageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, page = call_service(
            form,
            services.create_page,
            actor=request.user,
            request=request,
            parent=parent,
            **form.cleaned_data,
        )
        if ok:
            messages.success(
                request, gettext("Đã tạo trang.") if page.published else gettext("Đã lưu bản nháp.")
            )
            return redirect("handbook:detail", slug=page.slug)
    return render(
        request,
        "handbook/page_form.html",
        {"form": form, "page": None, "parent": parent},
    )


def edit(request, slug: str):
    user = request.user
    outline = Outline(user)
    page = get_page_for_user(user, slug, outline)
    _require_editor(user)
    initial = {k: getattr(page, k) for k in ("title", "slug", "summary", "body", "sources")}
    form = PageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ok, saved = call_service(
            form,
            services.update_page,
            actor=user,
            page=page,
            request=request,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, gettext("Đã lưu trang."))
            return redirect("handbook:detail", slug=saved.slug)
    excluded = outline.descendant_ids(page.pk) | {page.pk}
    choices = [
        (n.id, "— " * len(outline.ancestors(n.id)) + n.title)
        for n in outline.walk()
        if n.id not in excluded
    ]
    move_form = MoveForm(
        choices=choices, initial={"parent": page.parent_id or 0, "position": page.position}
    )
    return render(
        request,
        "handbook/page_form.html",
        {
            "form": form,
            "page": page,
            "move_form": move_form,
            "has_children": bool(outline.nodes[page.pk].children),
        },
    )


@require_POST
def move(request, slug: str):
    user = request.user
    outline = Outline(user)
    page = get_page_for_user(user, slug, outline)
    _require_editor(user)
    choices = [(n.id, n.title) for n in outline.walk()]
    form = MoveForm(request.POST, choices=choices)
    if not form.is_valid():
        messages.error(request, gettext("Trang cha: hãy chọn một trang trong danh sách."))
        return redirect("handbook:edit", slug=page.slug)
    parent_id = form.cleaned_data["parent"]
    parent = get_page_by_id_for_user(user, parent_id, outline) if parent_id else None
    ok, _ = call_with_message(
        request,
        partial(services.move_page, request=request),
        actor=user,
        page=page,
        parent=parent,
        position=form.cleaned_data["position"],
    )
    if ok:
        messages.success(request, gettext("Đã chuyển trang."))
        return redirect("handbook:detail", slug=page.slug)
    return redirect("handbook:edit", slug=page.slug)


@require_POST
def shift(request, slug: str):
    user = request.user
    page = get_page_for_user(user, slug)
    _require_editor(user)
    offset = -1 if request.POST.get("huong") == "len" else 1
    call_with_message(
        request, partial(services.shift_page, request=request), actor=user, page=page, offset=offset
    )
    if request.POST.get("ve") == "muc-luc":
        return redirect("handbook:index")
    return redirect("handbook:detail", slug=page.slug)


@require_POST
def publish(request, slug: str):
    user = request.user
    page = get_page_for_user(user, slug)
    _require_editor(user)
    published = request.POST.get("published") == "1"
    ok, _ = call_with_message(
        request,
        partial(services.set_published, request=request),
        actor=user,
        page=page,
        published=published,
    )
    if ok:
        messages.success(
            request,
            gettext("Đã đăng trang.")
            if published
            else gettext("Đã chuyển trang về bản nháp: chỉ quản trị thấy."),
        )
    return redirect("handbook:detail", slug=page.slug)


@require_POST
def delete(request, slug: str):
    user = request.user
    page = get_page_for_user(user, slug)
    _require_editor(user)
    parent = page.parent
    ok, _ = call_with_message(
        request, partial(services.delete_page, request=request), actor=user, page=page
    )
    if not ok:
        return redirect("handbook:detail", slug=page.slug)
    messages.success(request, gettext("Đã xóa trang “%(title)s”.") % {"title": page.title})
    if parent is not None:
        return redirect("handbook:detail", slug=parent.slug)
    return redirect("handbook:index")
