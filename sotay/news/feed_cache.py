"""The home feed's first page, built once per audience scope and shared (P2).

Members of one branch (and everyone with the same seats) read the same pinned posts,
required documents and stream. So the first page is computed and rendered once per
*scope* (the set of audience paths and whether committee-only documents count), with
every item rendered twice — unread and read — and kept in the shared cache. A reader's
page is then assembled from those pieces with ONE SQL statement of their own: which of
the page's items they have read (their unread marks, and which required documents
still belong on top).

The entry's key holds
    the epochs       one per audience path the scope reads, bumped after any commit
                     that changes a document, post or required reading addressed there,
                     and a global one for organisations (the signals in news.apps; a
                     tree move through permissions.invalidate_all); read from the near
                     cache at no cost. A branch's resolution thus invalidates that
                     branch's page only, a city document every page below the city;
    the day          "overdue" marks turn at midnight;
    the language     the pieces are rendered text.
A page also holds when it stops being right without any write: the publication time
of the next scheduled post addressed to the scope (`until`). Past it the page is built
again, so a scheduled post appears at its time; a scope with none scheduled keeps its
page until something changes (at most SCOPE_TTL).
Only with a shared cache (Redis, `SOTAY_SHARED_CACHE`): with per-process memory caches
one process would not see another's epoch, so the page is computed every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from sotay.core.lru import Lru
from sotay.news import feed

EPOCH_KEY = "epoch:feed"
SCOPE_TTL = 3600  # seconds a scope's page is kept at most
# Required documents kept per scope: a reader who has read some still gets TOP_REQUIRED.
REQUIRED_CANDIDATES = 40


@dataclass
class Piece:
    kind: str
    id: int
    unread: str
    read: str

    def html(self, read: set[tuple[str, int]]) -> SafeString:
        return mark_safe(self.read if (self.kind, self.id) in read else self.unread)  # noqa: S308 - rendered by our templates


@dataclass
class ScopePage:
    pinned: list[Piece]
    required: list[Piece]
    stream: list[Piece]
    more: str  # the "Xem thêm" link (empty at the end)
    until: float  # timestamp: the next scheduled post's publication, or the page's TTL


def enabled() -> bool:
    return bool(settings.SOTAY_SHARED_CACHE)


def _incr(key: str) -> None:
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between the two calls
        cache.set(key, 1, timeout=None)


def bump(path: str | None = None) -> None:
    """Once the current transaction commits, the pages of every scope that reads `path`
    (an audience path: the readers at and below it) are stale; without a path, every
    scope's page (an organisation renamed or moved)."""
    if not enabled():
        return
    key = EPOCH_KEY if path is None else f"{EPOCH_KEY}:{path}"
    transaction.on_commit(lambda: _incr(key))


def _epochs(scope: feed.Scope) -> str:
    """The global epoch and the epoch of each path the scope reads: one near-cache read
    (the epochs are kept in every process, see core.redis_cache)."""
    keys = [EPOCH_KEY, *(f"{EPOCH_KEY}:{p}" for p in sorted(scope.paths))]
    found = cache.get_many(keys)
    return ".".join(str(found.get(k, 0)) for k in keys)


def page_key(scope: feed.Scope) -> str:
    """The scope page's cache key: it changes with anything the page is made of, but
    for the next scheduled post (the page's `until`)."""
    digest = hashlib.sha1(  # noqa: S324 - a cache key, not a secret
        repr(sorted(scope.paths.items())).encode()
    ).hexdigest()
    day, lang = _day_and_language()
    return f"feedpage:{digest}:{_epochs(scope)}:{day}:{lang}"


# Rendered items, shared by every scope's build in this process: the city's and the
# commune's documents appear in the pages of all the branches below them, so a branch's
# page mostly reuses items another branch's build rendered. The key is everything the
# item's template reads (and the day, for "overdue", and the language), so an entry can
# never be stale; least recently used entries go first.
_rendered = Lru(5_000)


def _day_and_language() -> tuple[str, str]:
    """What rendered feed text depends on besides the items: the day ("overdue") and
    the language."""
    return timezone.localdate().isoformat(), translation.get_language() or settings.LANGUAGE_CODE


def _render_item(item: feed.FeedItem, day: str, lang: str) -> str:
    key = (
        lang, day, item.kind, item.id, item.at, item.title, item.summary, item.label,
        item.org, item.unread, item.cover, item.pinned, item.due_on,
    )  # fmt: skip
    html = _rendered.get(key)
    if html is None:
        html = render_to_string("news/_feed_item.html", {"item": item})
        _rendered.put(key, html)
    return html


def render_item(item: feed.FeedItem) -> SafeString:
    """One feed item as HTML (later pages too, through `{% feed_item %}`)."""
    return mark_safe(_render_item(item, *_day_and_language()))  # noqa: S308 - our template


def _pieces(items: list[feed.FeedItem]) -> list[Piece]:
    day, lang = _day_and_language()
    pieces = []
    for item in items:
        item.unread = True
        unread = _render_item(item, day, lang)
        item.unread = False
        read = _render_item(item, day, lang)
        pieces.append(Piece(item.kind, item.id, unread, read))
    return pieces


def _build(scope: feed.Scope, now: dt.datetime) -> ScopePage:
    # user 0 is nobody: no read is excluded, every item comes out unread.
    head = feed.top_for(scope, 0, required=REQUIRED_CANDIDATES)
    items, cursor = feed.stream_for(scope, 0)
    due = feed.next_scheduled(scope, now)
    until = now.timestamp() + SCOPE_TTL
    return ScopePage(
        pinned=_pieces([i for i in head if i.is_post]),
        required=_pieces([i for i in head if not i.is_post]),
        stream=_pieces(items),
        more=render_to_string("news/_feed_more.html", {"next_cursor": cursor}),
        until=min(until, due.timestamp()) if due else until,
    )


def _read_by(user_id: int, page: ScopePage) -> set[tuple[str, int]]:
    """Which of the page's items the reader has opened: one statement."""
    pieces = page.pinned + page.required + page.stream
    docs = sorted({p.id for p in pieces if p.kind == feed.DOC})
    posts = sorted({p.id for p in pieces if p.kind == feed.POST})
    parts, args = [], []
    if docs:
        marks = ", ".join(["%s"] * len(docs))
        parts.append(
            "SELECT 'd', document_id FROM documents_documentread "  # noqa: S608 - placeholders only
            f"WHERE user_id = %s AND document_id IN ({marks})"
        )
        args += [user_id, *docs]
    if posts:
        marks = ", ".join(["%s"] * len(posts))
        parts.append(
            "SELECT 'n', post_id FROM news_postread "  # noqa: S608 - placeholders only
            f"WHERE user_id = %s AND post_id IN ({marks})"
        )
        args += [user_id, *posts]
    if not parts:
        return set()
    with connection.cursor() as cur:
        cur.execute(" UNION ALL ".join(parts), args)
        return {(kind, int(pk)) for kind, pk in cur.fetchall()}


def first_page(user) -> tuple[list[SafeString], list[SafeString], SafeString, float] | None:
    """The reader's top block and first stream page as rendered items, the "more" link,
    and until when they are right (a timestamp); None without a shared cache (the
    caller renders feed.first_page itself)."""
    if not enabled():
        return None
    now = timezone.now()
    scope = feed.Scope.of(user)
    if not scope.paths:
        return [], [], mark_safe(""), now.timestamp() + SCOPE_TTL
    key = page_key(scope)
    page = cache.get(key)
    if page is None or page.until <= now.timestamp():
        page = _build(scope, now)
        cache.set(key, page, max(1, int(page.until - now.timestamp())))
    read = _read_by(user.pk, page)
    required = [p for p in page.required if (p.kind, p.id) not in read][: feed.TOP_REQUIRED]
    head = page.pinned + required
    shown = {(p.kind, p.id) for p in head}
    stream = [p for p in page.stream if (p.kind, p.id) not in shown]
    return (
        [p.html(read) for p in head],
        [p.html(read) for p in stream],
        mark_safe(page.more),  # noqa: S308 - rendered by our template
        page.until,
    )
