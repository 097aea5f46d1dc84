"""News posts for the mobile app: the scoped list, a post (recording the read), and the
office's create / cover / publish / withdraw / pin. Same access, queries and services as
the pages, so the same rules and Vietnamese messages: a post outside the caller's scope
answers 404, a write the caller may not make 403, bad input 400 naming the field."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from sotay.accounts.api_auth import TokenAuth, require_active
from sotay.accounts.permissions import CONTENT_PUBLISH, can
from sotay.accounts.schemas import ErrorOut
from sotay.core.errors import PermissionDenied
from sotay.core.pagination import page_of
from sotay.news import feed, images, services
from sotay.news.access import get_post_for_user
from sotay.news.models import Post, PostState
from sotay.news.queries import editable_by, newest_first, posts_visible_to, read_ids
from sotay.news.schemas import (
    FeedPage,
    PinIn,
    PostDetail,
    PostIn,
    PostPage,
    PublishIn,
    WithdrawIn,
)
from sotay.organizations.access import find_organization_by_code

router = Router(tags=["Tin tức"], auth=TokenAuth())

PER_PAGE = 20
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
STATES = {"draft": PostState.DRAFT, "withdrawn": PostState.WITHDRAWN}


def _row(post: Post, read: bool) -> dict:
    stamp = int(post.updated_at.timestamp())
    return {
        "id": post.pk,
        "title": post.title,
        "summary": post.summary,
        "state": "scheduled" if post.is_scheduled else post.state,
        "state_label": "Hẹn giờ đăng" if post.is_scheduled else post.get_state_display(),
        "pinned": post.pinned,
        "publish_at": post.publish_at,
        "audience": {
            "id": post.audience_org.pk,
            "code": post.audience_org.code,
            "name": post.audience_org.name,
        },
        "has_cover": bool(post.cover),
        "cover_url": f"{reverse('news:cover', args=[post.pk])}?v={stamp}" if post.cover else None,
        "thumb_url": (
            f"{reverse('news:thumb', args=[post.pk])}?v={stamp}" if post.cover_thumb else None
        ),
        "read": read,
    }


def _detail(post: Post, read: bool) -> dict:
    data = _row(post, read)
    data.update(
        body_html=post.body,
        withdrawn_reason=post.withdrawn_reason,
        withdrawn_at=post.withdrawn_at,
        created_at=post.created_at,
        updated_at=post.updated_at,
    )
    return data


def _editable(request, post: Post) -> None:
    if not can(request.user, CONTENT_PUBLISH, post.audience_org):
        raise PermissionDenied("Bạn không có quyền đăng tin cho tổ chức này.")


def _feed_item(item: feed.FeedItem) -> dict:
    return {
        "type": "news" if item.is_post else "document",
        "id": item.id,
        "at": item.at,
        "title": item.title,
        "summary": item.summary,
        "kind_label": item.kind_label,
        "organization": item.org,
        "unread": item.unread,
        "pinned": item.pinned,
        "has_cover": item.cover,
        "due_on": item.due_on,
        "overdue": item.overdue,
        "api_url": f"/api/v1/{'news' if item.is_post else 'documents'}/{item.id}",
    }


@router.get("/feed", response={200: FeedPage, **ERRORS})
def home_feed(request: HttpRequest, cursor: str = ""):
    """The caller's home feed, exactly as the home page builds it (news.feed): without a
    cursor, `top` holds pinned posts then required documents not read yet, and `items`
    the first 20 of the stream (news and documents of the caller's organisations and
    every level above, newest first, with unread marks); pass `next_cursor` back as
    `cursor` for the next 20 (`top` is then empty). A malformed cursor is refused."""
    require_active(request)
    if cursor:
        after = feed.decode_cursor(cursor)
        if after is None:
            raise HttpError(400, "Con trỏ trang không hợp lệ: hãy tải lại bảng tin từ đầu.")
        head, (items, next_cursor) = [], feed.stream(request.user, after)
    else:
        head, items, next_cursor = feed.first_page(request.user)
    return {
        "top": [_feed_item(i) for i in head],
        "items": [_feed_item(i) for i in items],
        "next_cursor": next_cursor,
    }


@router.get("/news", response={200: PostPage, **ERRORS})
def news_list(request: HttpRequest, page: int = 1, state: str = ""):
    """Posts the caller may read, pinned first then newest first, 20 a page. Editors may
    ask for `state=draft` or `state=withdrawn` of their subtree; the default list also
    shows them their scheduled posts (state "scheduled")."""
    require_active(request)
    qs = posts_visible_to(request.user)
    if state:
        if state not in STATES:
            raise HttpError(400, "Trạng thái: chỉ nhận draft hoặc withdrawn.")
        if not can(request.user, CONTENT_PUBLISH):
            raise HttpError(403, "Chỉ người đăng tin xem được bản nháp và tin đã gỡ.")
        qs = editable_by(request.user, qs).filter(state=STATES[state])
    else:
        qs = qs.filter(state=PostState.PUBLISHED)
    p = page_of(newest_first(qs).defer("body", "search_text"), page, PER_PAGE, count=False)
    seen = read_ids(request.user, p.items)
    return {
        "items": [_row(post, post.pk in seen) for post in p.items],
        "page": p.number,
        "has_next": p.has_next,
    }


@router.get("/news/{post_id}", response={200: PostDetail, **ERRORS})
def news_detail(request: HttpRequest, post_id: int):
    """One post, with its sanitised HTML body; records the read."""
    require_active(request)
    post = get_post_for_user(request.user, post_id)
    services.record_read(user=request.user, post=post)
    return _detail(post, bool(read_ids(request.user, [post])))


@router.post("/news", response={201: PostDetail, **ERRORS})
def news_create(request: HttpRequest, payload: PostIn):
    """A new draft (content.publish over the audience organisation)."""
    require_active(request)
    audience = find_organization_by_code(request.user, payload.audience_code, CONTENT_PUBLISH)
    if audience is None:
        if not can(request.user, CONTENT_PUBLISH):
            raise PermissionDenied("Bạn không có quyền đăng tin.")
        raise HttpError(400, "Gửi tới: mã tổ chức không có hoặc ngoài phạm vi của bạn.")
    post = services.create_draft(
        actor=request.user,
        request=request,
        title=payload.title,
        summary=payload.summary,
        body=payload.body,
        pinned=payload.pinned,
        audience_org=audience,
    )
    return Status(201, _detail(post, False))


@router.post("/news/{post_id}/cover", response={200: PostDetail, **ERRORS})
def news_cover(request: HttpRequest, post_id: int, cover: File[UploadedFile]):
    """Set the cover image (multipart field `cover`: JPEG, PNG or WebP, at most 5 MB)."""
    require_active(request)
    post = get_post_for_user(request.user, post_id)
    _editable(request, post)
    post = services.set_cover(
        actor=request.user, post=post, data=images.read_upload(cover), request=request
    )
    return _detail(post, False)


@router.post("/news/{post_id}/publish", response={200: PostDetail, **ERRORS})
def news_publish(request: HttpRequest, post_id: int, payload: PublishIn):
    """Publish now, or at `publish_at` (ISO 8601 with its offset) to schedule it."""
    require_active(request)
    post = get_post_for_user(request.user, post_id)
    _editable(request, post)
    post = services.publish(
        actor=request.user, post=post, publish_at=payload.publish_at, request=request
    )
    return _detail(post, False)


@router.post("/news/{post_id}/withdraw", response={200: PostDetail, **ERRORS})
def news_withdraw(request: HttpRequest, post_id: int, payload: WithdrawIn):
    require_active(request)
    post = get_post_for_user(request.user, post_id)
    _editable(request, post)
    post = services.withdraw(actor=request.user, post=post, reason=payload.reason, request=request)
    return _detail(post, False)


@router.post("/news/{post_id}/pin", response={200: PostDetail, **ERRORS})
def news_pin(request: HttpRequest, post_id: int, payload: PinIn):
    require_active(request)
    post = get_post_for_user(request.user, post_id)
    _editable(request, post)
    post = services.set_pinned(
        actor=request.user, post=post, pinned=payload.pinned, request=request
    )
    return _detail(post, False)
