"""News screens: the list (readers' newest first; editors also drafts, scheduled and
withdrawn posts), the reader, cover images, and the office's write / cover / publish /
schedule / withdraw / pin forms."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from sotay.accounts.permissions import CONTENT_PUBLISH, can, orgs_where
from sotay.core.pagination import page_of
from sotay.core.services import call_service, call_with_message
from sotay.news import images, services
from sotay.news.access import get_post_for_user
from sotay.news.forms import CoverForm, NewPostForm, PostForm, PublishForm, WithdrawForm
from sotay.news.models import PostState
from sotay.news.queries import editable_by, newest_first, posts_visible_to, read_ids
from sotay.organizations.access import find_organization_by_code
from sotay.organizations.models import Organization

PER_PAGE = 20
TABS = {"draft": PostState.DRAFT, "withdrawn": PostState.WITHDRAWN}


@require_GET
def post_list(request):
    user = request.user
    is_editor = can(user, CONTENT_PUBLISH)
    qs = posts_visible_to(user)
    tab = request.GET.get("tab", "") if is_editor else ""
    if tab in TABS:
        qs = editable_by(user, qs).filter(state=TABS[tab])
    else:
        # Readers only ever get due posts here (posts_visible_to); editors also see the
        # scheduled ones of their subtree, marked with their time.
        tab = ""
        qs = qs.filter(state=PostState.PUBLISHED)
    page = page_of(
        newest_first(qs).defer("body", "search_text"), request.GET.get("page"), PER_PAGE, False
    )
    seen = read_ids(user, page.items)
    return render(
        request,
        "news/post_list.html",
        {
            "page": page,
            "tab": tab,
            "is_editor": is_editor,
            "seen": seen,
            "now": timezone.now(),
        },
    )


@require_GET
def detail(request, pk: int):
    user = request.user
    post = get_post_for_user(user, pk)
    services.record_read(user=user, post=post)
    can_edit = can(user, CONTENT_PUBLISH, post.audience_org)
    return render(
        request,
        "news/post_detail.html",
        {
            "post": post,
            "can_edit": can_edit,
            "publish_form": PublishForm() if can_edit else None,
            "withdraw_form": WithdrawForm() if can_edit else None,
        },
    )


def _image(request, pk: int, field: str):
    post = get_post_for_user(request.user, pk)
    image = getattr(post, field)
    if not image:
        raise Http404("Tin không có ảnh bìa.")
    try:
        handle = image.open("rb")
    except FileNotFoundError:
        raise Http404("Không tìm thấy ảnh bìa.") from None
    response = FileResponse(handle, content_type="image/jpeg")
    # Scoped like the post: browsers may keep it, shared caches may not. Pages link it
    # with the post's update time, so a new cover is a new URL.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def cover(request, pk: int):
    return _image(request, pk, "cover")


@require_GET
def thumb(request, pk: int):
    return _image(request, pk, "cover_thumb")


def _require_publisher(user, post=None):
    org = post.audience_org if post is not None else None
    if not can(user, CONTENT_PUBLISH, org):
        raise PermissionDenied(gettext("Bạn không có quyền đăng tin."))


def _fields(request, form) -> dict | None:
    data = form.cleaned_data
    audience = find_organization_by_code(request.user, data["audience_code"], CONTENT_PUBLISH)
    if audience is None:
        form.add_error("audience_code", gettext("Mã tổ chức không có hoặc ngoài phạm vi của bạn."))
        return None
    return {
        "title": data["title"],
        "summary": data["summary"],
        "body": data["body"],
        "pinned": data["pinned"],
        "audience_org": audience,
    }


def create(request):
    _require_publisher(request.user)
    initial = {}
    roots = orgs_where(request.user, CONTENT_PUBLISH)
    if roots:
        org = Organization.objects.filter(path=roots[0]).only("code").first()
        initial = {"audience_code": org.code if org else ""}
    form = NewPostForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = _fields(request, form)
        upload = form.cleaned_data.get("cover")
        data = None
        if fields is not None and upload:
            ok, data = call_service(form, images.read_upload, upload=upload)
            if not ok:
                fields = None
        if fields is not None:
            ok, post = call_service(
                form,
                services.create_draft,
                actor=request.user,
                request=request,
                cover=data,
                **fields,
            )
            if ok:
                messages.success(request, gettext("Đã lưu bản nháp. Xem lại rồi đăng tin."))
                return redirect("news:edit", pk=post.pk)
    return render(
        request,
        "news/post_form.html",
        {"form": form, "post": None},
        status=400 if request.method == "POST" else 200,
    )


def edit(request, pk: int):
    post = get_post_for_user(request.user, pk)
    _require_publisher(request.user, post)
    if post.state == PostState.WITHDRAWN:
        messages.info(request, gettext("Tin đã gỡ không sửa được nữa."))
        return redirect("news:detail", pk=post.pk)
    initial = {
        "title": post.title,
        "summary": post.summary,
        "body": post.body,
        "pinned": post.pinned,
        "audience_code": post.audience_org.code,
    }
    form = PostForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = _fields(request, form)
            if fields is not None:
                ok, _ = call_service(
                    form,
                    services.update,
                    actor=request.user,
                    post=post,
                    request=request,
                    **fields,
                )
                if ok:
                    messages.success(request, gettext("Đã lưu tin."))
                    return redirect("news:edit", pk=post.pk)
        status = 400
    return render(
        request,
        "news/post_form.html",
        {
            "form": form,
            "post": post,
            "cover_form": CoverForm(),
            "publish_form": PublishForm(),
        },
        status=status,
    )


@require_POST
def set_cover(request, pk: int):
    post = get_post_for_user(request.user, pk)
    _require_publisher(request.user, post)
    form = CoverForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, gettext("Ảnh bìa: hãy chọn một tệp ảnh JPEG, PNG hoặc WebP."))
        return redirect("news:edit", pk=post.pk)
    ok, data = call_with_message(request, images.read_upload, upload=form.cleaned_data["cover"])
    if ok:
        ok, _ = call_with_message(
            request,
            partial(services.set_cover, request=request),
            actor=request.user,
            post=post,
            data=data,
        )
    if ok:
        messages.success(request, gettext("Đã cập nhật ảnh bìa."))
    return redirect("news:edit", pk=post.pk)


@require_POST
def remove_cover(request, pk: int):
    post = get_post_for_user(request.user, pk)
    _require_publisher(request.user, post)
    ok, _ = call_with_message(
        request, partial(services.remove_cover, request=request), actor=request.user, post=post
    )
    if ok:
        messages.success(request, gettext("Đã bỏ ảnh bìa."))
    return redirect("news:edit", pk=post.pk)


@require_POST
def publish(request, pk: int):
    post = get_post_for_user(request.user, pk)
    _require_publisher(request.user, post)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["publish_at"][0])
        return redirect("news:edit", pk=post.pk)
    ok, post = call_with_message(
        request,
        partial(services.publish, request=request),
        actor=request.user,
        post=post,
        publish_at=form.cleaned_data["publish_at"],
    )
    if ok:
        if post.is_scheduled:
            when = timezone.localtime(post.publish_at).strftime("%H:%M %d/%m/%Y")
            messages.success(request, gettext("Đã hẹn giờ đăng tin lúc %(when)s.") % {"when": when})
        else:
            messages.success(request, gettext("Đã đăng tin."))
    return redirect("news:detail", pk=pk)


@require_POST
def withdraw(request, pk: int):
    post = get_post_for_user(request.user, pk)
    _require_publisher(request.user, post)
    ok, _ = call_with_message(
        request,
        partial(services.withdraw, request=request),
        actor=request.user,
        post=post,
        reason=request.POST.get("reason", ""),
    )
    if ok:
        messages.success(request, gettext("Đã gỡ tin."))
    return redirect("news:detail", pk=post.pk)


@require_POST
def pin(request, pk: int):
    post = get_post_for_user(request.user, pk)
    _require_publisher(request.user, post)
    pinned = request.POST.get("pinned") == "1"
    ok, _ = call_with_message(
        request,
        partial(services.set_pinned, request=request),
        actor=request.user,
        post=post,
        pinned=pinned,
    )
    if ok:
        messages.success(
            request, gettext("Đã ghim tin lên đầu.") if pinned else gettext("Đã bỏ ghim tin.")
        )
    return redirect("news:detail", pk=post.pk)
