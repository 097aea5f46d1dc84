"""Writes of news posts. Every function is keyword-only and transactional; refusals are
ServiceError with a Vietnamese message naming the field, PermissionDenied for someone
without `content.publish` over the post's audience organisation."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from sotay.accounts.permissions import CONTENT_PUBLISH, can
from sotay.audit.services import record
from sotay.core.cache import home_reads_changed
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.richtext import is_blank, sanitize, to_text
from sotay.documents.text import plain, search_text
from sotay.news import images
from sotay.news.models import MAX_SUMMARY, MAX_TITLE, Post, PostRead, PostState

DENIED = "Bạn không có quyền đăng tin cho tổ chức này."
MAX_BODY = 200_000
# Scheduling further than this ahead is almost certainly a typo in the year.
MAX_SCHEDULE_AHEAD = dt.timedelta(days=366)
# A publish time a little in the past (the form was open for a while) means "now".
PAST_GRACE = dt.timedelta(minutes=10)
FIELDS = ("title", "summary", "body", "audience_org", "pinned")


def _clean(values: dict) -> dict:
    """Sanitise and check the fields of a post; raise on the first problem."""
    out = dict(values)
    out["title"] = plain(out.get("title"))
    if not out["title"]:
        raise ServiceError("Tiêu đề: không được để trống.", "title")
    if len(out["title"]) > MAX_TITLE:
        raise ServiceError(f"Tiêu đề: dài quá {MAX_TITLE} ký tự.", "title")
    out["summary"] = plain(out.get("summary"))
    if len(out["summary"]) > MAX_SUMMARY:
        raise ServiceError(f"Tóm tắt: dài quá {MAX_SUMMARY} ký tự.", "summary")
    raw = out.get("body") or ""
    if len(raw) > MAX_BODY:
        raise ServiceError("Nội dung: dài quá 200.000 ký tự.", "body")
    out["body"] = sanitize(raw)
    if is_blank(out["body"]):
        raise ServiceError(
            "Nội dung: không được để trống (sau khi bỏ các thẻ không được phép).", "body"
        )
    if out.get("audience_org") is None:
        raise ServiceError("Gửi tới: hãy chọn tổ chức nhận tin.", "audience_org")
    out["pinned"] = bool(out.get("pinned"))
    return out


def _check(actor, org) -> None:
    if not can(actor, CONTENT_PUBLISH, org):
        raise PermissionDenied(DENIED)


def _refresh(post: Post) -> None:
    post.path = post.audience_org.path
    post.search_text = search_text(post.title, post.summary, to_text(post.body))


@transaction.atomic
def create_draft(*, actor, cover: bytes | None = None, request=None, **fields) -> Post:
    """A new draft addressed to `audience_org`; needs content.publish there. With
    `cover`, the image is checked before anything is stored: a refused image leaves no
    post behind."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    values = _clean(fields)
    _check(actor, values["audience_org"])
    jpegs = images.cover_jpegs(cover) if cover is not None else None
    post = Post(**values, created_by=actor, state=PostState.DRAFT)
    _refresh(post)
    post.save()
    if jpegs is not None:
        _store_cover(post, *jpegs)
    record(action="news.draft_created", actor=actor, request=request, target=post)
    return post


def _store_cover(post: Post, cover: bytes, thumb: bytes) -> None:
    """Write the files, then the row; drop the new files if the row cannot be saved and
    the old ones once the change is committed."""
    old = [name for name in (post.cover.name, post.cover_thumb.name) if name]
    storage = post.cover.storage
    post.cover.save("cover.jpg", ContentFile(cover), save=False)
    post.cover_thumb.save("thumb.jpg", ContentFile(thumb), save=False)
    new = [post.cover.name, post.cover_thumb.name]
    try:
        post.save(update_fields=["cover", "cover_thumb", "updated_at"])
    except BaseException:
        for name in new:
            storage.delete(name)
        raise
    # A rollback further up would leave the new files unreferenced under random names;
    # deleting them there needs an on-rollback hook Django does not have.
    transaction.on_commit(lambda: [storage.delete(name) for name in old])


def _locked(actor, post: Post) -> Post:
    post = Post.objects.select_for_update().select_related("audience_org").get(pk=post.pk)
    _check(actor, post.audience_org)
    return post


@transaction.atomic
def update(*, actor, post: Post, request=None, **fields) -> Post:
    """Change a draft or a published post (a typo fixed after publication); a withdrawn
    post stays as it was withdrawn."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    post = _locked(actor, post)
    if post.state == PostState.WITHDRAWN:
        raise ServiceError("Tin đã gỡ không sửa được nữa.")
    current = {name: getattr(post, name) for name in FIELDS}
    current.update(fields)
    values = _clean(current)
    _check(actor, values["audience_org"])
    for name, value in values.items():
        setattr(post, name, value)
    _refresh(post)
    post.save()
    record(action="news.updated", actor=actor, request=request, target=post)
    return post


@transaction.atomic
def set_cover(*, actor, post: Post, data: bytes, request=None) -> Post:
    """Check the image (see news.images) and store it re-encoded with its thumbnail,
    replacing any previous cover. Nothing is stored on refusal; the old files are deleted
    once the change is committed, the new ones if the row cannot be saved."""
    post = _locked(actor, post)
    if post.state == PostState.WITHDRAWN:
        raise ServiceError("Tin đã gỡ không đổi ảnh bìa được nữa.", "cover")
    _store_cover(post, *images.cover_jpegs(data))
    record(action="news.cover_set", actor=actor, request=request, target=post)
    return post


@transaction.atomic
def remove_cover(*, actor, post: Post, request=None) -> Post:
    post = _locked(actor, post)
    old = [name for name in (post.cover.name, post.cover_thumb.name) if name]
    storage = post.cover.storage
    post.cover = post.cover_thumb = ""
    post.save(update_fields=["cover", "cover_thumb", "updated_at"])
    transaction.on_commit(lambda: [storage.delete(name) for name in old])
    return post


@transaction.atomic
def publish(*, actor, post: Post, publish_at: dt.datetime | None = None, request=None) -> Post:
    """Draft → published, visible to its audience from `publish_at` (now when None; a
    future time schedules it). A scheduled post not yet visible may be rescheduled."""
    post = _locked(actor, post)
    now = timezone.now()
    if post.state == PostState.WITHDRAWN:
        raise ServiceError("Tin đã gỡ không đăng lại được; hãy viết tin mới.")
    if post.state == PostState.PUBLISHED and not post.is_scheduled:
        raise ServiceError("Tin này đã được đăng.")
    if publish_at is not None and timezone.is_naive(publish_at):
        publish_at = timezone.make_aware(publish_at)
    if publish_at is None or now - PAST_GRACE <= publish_at <= now:
        publish_at = now
    elif publish_at < now:
        raise ServiceError("Thời điểm đăng: không được ở quá khứ.", "publish_at")
    elif publish_at > now + MAX_SCHEDULE_AHEAD:
        raise ServiceError("Thời điểm đăng: chỉ hẹn giờ trong vòng một năm tới.", "publish_at")
    post.state = PostState.PUBLISHED
    post.publish_at = publish_at
    post.save(update_fields=["state", "publish_at", "updated_at"])
    scheduled = publish_at > now
    record(
        action="news.scheduled" if scheduled else "news.published",
        actor=actor,
        request=request,
        target=post,
        note=timezone.localtime(publish_at).strftime("%H:%M %d/%m/%Y") if scheduled else "",
    )
    return post


@transaction.atomic
def withdraw(*, actor, post: Post, reason: str, request=None) -> Post:
    """Published (or scheduled) → withdrawn, with a reason. Readers no longer see it;
    editors do, with the reason."""
    post = _locked(actor, post)
    if post.state != PostState.PUBLISHED:
        raise ServiceError("Chỉ gỡ được tin đã đăng hoặc đã hẹn giờ đăng.")
    reason = plain(reason)
    if len(reason) < 5:
        raise ServiceError("Lý do gỡ tin: hãy ghi rõ lý do (ít nhất 5 ký tự).", "reason")
    post.state = PostState.WITHDRAWN
    post.withdrawn_reason = reason[:2000]
    post.withdrawn_at = timezone.now()
    post.pinned = False
    post.save(update_fields=["state", "withdrawn_reason", "withdrawn_at", "pinned", "updated_at"])
    record(action="news.withdrawn", actor=actor, request=request, target=post, note=reason)
    return post


@transaction.atomic
def set_pinned(*, actor, post: Post, pinned: bool, request=None) -> Post:
    """Pin the post to the top of the list and the home feed, or unpin it."""
    post = _locked(actor, post)
    if post.state == PostState.WITHDRAWN and pinned:
        raise ServiceError("Tin đã gỡ không ghim được.", "pinned")
    if post.pinned != bool(pinned):
        post.pinned = bool(pinned)
        post.save(update_fields=["pinned", "updated_at"])
        record(
            action="news.pinned" if pinned else "news.unpinned",
            actor=actor,
            request=request,
            target=post,
        )
    return post


def pin(*, actor, post: Post, request=None) -> Post:
    return set_pinned(actor=actor, post=post, pinned=True, request=request)


def unpin(*, actor, post: Post, request=None) -> Post:
    return set_pinned(actor=actor, post=post, pinned=False, request=request)


def record_read(*, user, post: Post) -> bool:
    """The read receipt of the first opening of a post readers can see; later openings
    (and editors previewing a draft or a scheduled post) change nothing. True when this
    opening was the first."""
    if not getattr(user, "is_authenticated", False) or not is_live(post):
        return False
    _, created = PostRead.objects.get_or_create(user=user, post=post)
    if created:
        home_reads_changed(user.pk)
    return created


def is_live(post: Post) -> bool:
    """Published and due: what readers see."""
    return (
        post.state == PostState.PUBLISHED
        and post.publish_at is not None
        and post.publish_at <= timezone.now()
    )
