"""Writes of the handbook. Keyword-only, transactional, audited; only system
administrators (permissions.can_edit_handbook) may call them. Refusals are ServiceError
with a Vietnamese message naming the field.

Invariant: the pages under one parent are numbered 1..n in reading order, without gaps.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from sotay.accounts.permissions import can_edit_handbook
from sotay.audit.services import record
from sotay.core.errors import PermissionDenied, ServiceError
from sotay.core.richtext import sanitize, to_text
from sotay.documents.text import plain, search_text, words
from sotay.handbook.models import Page

DENIED = "Chỉ quản trị hệ thống được sửa Sổ tay nghiệp vụ."
LIMITS = {"title": 255, "summary": 2000, "sources": 2000, "body": 200_000, "slug": 120}
LABELS = {
    "title": "Tiêu đề",
    "summary": "Tóm tắt",
    "sources": "Căn cứ",
    "body": "Nội dung",
    "slug": "Đường dẫn",
}
# Path segments the handbook's own URLs use: a page may not take them as its slug.
RESERVED_SLUGS = {"trang-moi", "tim", "api"}
MAX_DEPTH = 4


def _require_editor(actor) -> None:
    if not can_edit_handbook(actor):
        raise PermissionDenied(DENIED)


def slug_for(text: str) -> str:
    """A folded, hyphenated slug: "Kết nạp đảng viên" → "ket-nap-dang-vien"."""
    slug = "-".join(words(text))[:80].strip("-")
    return slug or "trang"


def _unique_slug(base: str, exclude_pk: int | None = None) -> str:
    taken = set(
        Page.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    candidate, n = base, 1
    while candidate in taken or candidate in RESERVED_SLUGS:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _clean(*, title, summary, body, sources, slug) -> dict:
    out = {
        "title": " ".join(plain(title).split()),
        "summary": plain(summary),
        "sources": plain(sources),
        "body": sanitize(body),
    }
    for name in ("title", "summary", "sources", "body"):
        if len(out[name]) > LIMITS[name]:
            raise ServiceError(
                f"{LABELS[name]}: dài quá {LIMITS[name]:,} ký tự.".replace(",", "."), name
            )
    if not out["title"]:
        raise ServiceError("Tiêu đề: không được để trống.", "title")
    slug = plain(slug)
    if slug:
        cleaned = slug_for(slug)
        if cleaned != slug.lower() or len(cleaned) > LIMITS["slug"]:
            raise ServiceError(
                "Đường dẫn: chỉ dùng chữ không dấu, chữ số và dấu gạch ngang, "
                "ví dụ ket-nap-dang-vien.",
                "slug",
            )
        if cleaned in RESERVED_SLUGS:
            raise ServiceError(
                "Đường dẫn: tên này đã dành cho hệ thống, hãy chọn tên khác.", "slug"
            )
    out["slug"] = slug.lower()
    return out


def _derive(page: Page) -> None:
    page.search_text = (
        f" {search_text(page.title, page.summary, to_text(page.body), page.sources)} "
    )
    page.title_key = f" {' '.join(words(page.title))} "[:600]


def _depth(page: Page | None) -> int:
    depth = 0
    while page is not None:
        depth += 1
        page = page.parent
    return depth


def _lock_siblings(parent: Page | None) -> list[Page]:
    """The pages under `parent`, locked, in order."""
    return list(
        Page.objects.select_for_update()
        .filter(parent=parent)
        .order_by("position", "pk")
        .only("pk", "position", "parent_id")
    )


def _renumber(pages: list[Page]) -> None:
    for i, page in enumerate(pages, start=1):
        if page.position != i:
            page.position = i
            page.save(update_fields=["position"])


@transaction.atomic
def create_page(
    *,
    actor,
    title: str,
    parent: Page | None = None,
    summary: str = "",
    body: str = "",
    sources: str = "",
    slug: str = "",
    published: bool = False,
    request=None,
) -> Page:
    """A new page, last among its siblings."""
    _require_editor(actor)
    values = _clean(title=title, summary=summary, body=body, sources=sources, slug=slug)
    if parent is not None and _depth(parent) >= MAX_DEPTH:
        raise ServiceError(f"Trang cha: sổ tay chỉ có tối đa {MAX_DEPTH} cấp.", "parent")
    if values["slug"] and Page.objects.filter(slug=values["slug"]).exists():
        raise ServiceError("Đường dẫn: đã có trang khác dùng đường dẫn này.", "slug")
    siblings = _lock_siblings(parent)
    page = Page(
        parent=parent,
        position=len(siblings) + 1,
        title=values["title"],
        summary=values["summary"],
        body=values["body"],
        sources=values["sources"],
        slug=values["slug"] or _unique_slug(slug_for(values["title"])),
        published=bool(published),
        updated_by=actor,
    )
    _derive(page)
    page.save()
    record(action="handbook.page_created", actor=actor, request=request, target=page)
    return page


@transaction.atomic
def update_page(
    *,
    actor,
    page: Page,
    title: str,
    summary: str = "",
    body: str = "",
    sources: str = "",
    slug: str = "",
    request=None,
) -> Page:
    """Change the text of a page. An empty slug keeps the current one."""
    _require_editor(actor)
    values = _clean(title=title, summary=summary, body=body, sources=sources, slug=slug)
    if (
        values["slug"]
        and values["slug"] != page.slug
        and Page.objects.filter(slug=values["slug"]).exclude(pk=page.pk).exists()
    ):
        raise ServiceError("Đường dẫn: đã có trang khác dùng đường dẫn này.", "slug")
    before = {k: getattr(page, k) for k in ("title", "summary", "body", "sources", "slug")}
    page.title, page.summary, page.body, page.sources = (
        values["title"],
        values["summary"],
        values["body"],
        values["sources"],
    )
    page.slug = values["slug"] or page.slug
    page.updated_by = actor
    _derive(page)
    page.save(
        update_fields=[
            "title", "summary", "body", "sources", "slug", "search_text", "title_key",
            "updated_by", "updated_at",
        ]
    )  # fmt: skip
    changed = [k for k, v in before.items() if getattr(page, k) != v]
    record(
        action="handbook.page_updated",
        actor=actor,
        request=request,
        target=page,
        changes={k: [before[k], getattr(page, k)] for k in changed if k in ("title", "slug")},
        note=", ".join(changed),
    )
    return page


@transaction.atomic
def set_published(*, actor, page: Page, published: bool, request=None) -> Page:
    """Publish a draft or take a page back to draft (its subtree is hidden with it)."""
    _require_editor(actor)
    if page.published == bool(published):
        return page
    page.published = bool(published)
    page.updated_by = actor
    page.save(update_fields=["published", "updated_by", "updated_at"])
    action = "handbook.page_published" if page.published else "handbook.page_unpublished"
    record(action=action, actor=actor, request=request, target=page)
    return page


@transaction.atomic
def move_page(
    *, actor, page: Page, parent: Page | None, position: int | None = None, request=None
) -> Page:
    """Put `page` (with its subtree) under `parent` at `position` (1-based; None or past
    the end = last). Both sibling lists stay numbered 1..n."""
    _require_editor(actor)
    page = Page.objects.select_for_update().get(pk=page.pk)
    if parent is not None:
        node: Page | None = parent
        while node is not None:
            if node.pk == page.pk:
                raise ServiceError(
                    "Trang cha: không chuyển được một trang vào chính nó hay trang con của nó.",
                    "parent",
                )
            node = node.parent
        if _depth(parent) + _subtree_height(page) > MAX_DEPTH:
            raise ServiceError(f"Trang cha: sổ tay chỉ có tối đa {MAX_DEPTH} cấp.", "parent")
    old_parent_id, old_position = page.parent_id, page.position
    if position is not None and position < 1:
        raise ServiceError("Vị trí: hãy nhập một số từ 1 trở lên.", "position")
    # Close the gap in the old list, then make room in the new one.
    remaining = [p for p in _lock_siblings(page.parent) if p.pk != page.pk]
    _renumber(remaining)
    new_siblings = (
        remaining
        if (parent.pk if parent else None) == old_parent_id
        else [p for p in _lock_siblings(parent) if p.pk != page.pk]
    )
    index = len(new_siblings) if position is None else min(position, len(new_siblings) + 1) - 1
    new_siblings.insert(index, page)
    page.parent = parent
    page.save(update_fields=["parent"])
    for p in new_siblings:
        if p.pk == page.pk:
            p.position = 0  # force the write below
    _renumber(new_siblings)
    page.refresh_from_db(fields=["position", "parent"])
    if (page.parent_id, page.position) != (old_parent_id, old_position):
        record(
            action="handbook.page_moved",
            actor=actor,
            request=request,
            target=page,
            changes={
                "parent": [old_parent_id, page.parent_id],
                "position": [old_position, page.position],
            },
        )
    return page


def _subtree_height(page: Page) -> int:
    height, level = 1, [page.pk]
    while True:
        level = list(Page.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        if not level:
            return height
        height += 1


def shift_page(*, actor, page: Page, offset: int, request=None) -> Page:
    """Move a page up (offset -1) or down (+1) among its siblings; at either end it
    stays where it is."""
    target = max(1, page.position + offset)
    return move_page(actor=actor, page=page, parent=page.parent, position=target, request=request)


@transaction.atomic
def delete_page(*, actor, page: Page, request=None) -> None:
    """Delete a page without children; its later siblings move up one place."""
    _require_editor(actor)
    if Page.objects.filter(parent_id=page.pk).exists():
        raise ServiceError(
            "Trang này còn trang con: hãy chuyển hoặc xóa các trang con trước.", "page"
        )
    parent_id, position = page.parent_id, page.position
    record(
        action="handbook.page_deleted",
        actor=actor,
        request=request,
        target=page,
        changes={"title": [page.title, None]},
    )
    page.delete()
    Page.objects.filter(parent_id=parent_id, position__gt=position).update(
        position=F("position") - 1
    )
