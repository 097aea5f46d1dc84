"""The document reader's shared part, kept per document (P3).

Everything the reader shows that does not depend on who reads — the document with its
issuer and audience, its body split into blocks and the table of contents, the
attachments, the links both ways with the other end's audience, and the newest documents
sharing its first tag — is loaded once and kept in the shared cache. A reader's request
then decides access in memory (`queries.may_open`, tested equal to the SQL rule), keeps
only the links and suggestions they may open, and makes one statement of its own: the
read receipt (an INSERT that does nothing after the first opening) and whether the
document is bookmarked.

The entry's key holds the document's own epoch — bumped after a commit that changes the
document, one of its links or attachments, or a document it links to (signals in
documents.apps) — and a global one for organisation names and tree moves. Suggestions by
tag are the only part not invalidated by a write elsewhere (a new document sharing the
tag): the entry lives TTL seconds. Without a shared cache the entry is built per request
by the same code.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from sotay.core import prepared
from sotay.core.cache import home_reads_changed
from sotay.core.lru import Lru
from sotay.documents.models import Document, DocumentLink, DocumentState
from sotay.documents.queries import may_open
from sotay.documents.text import body_blocks

EPOCH_KEY = "epoch:doc"
TTL = 600
SUGGESTION_CANDIDATES = 20
SUGGESTIONS = 3
# Columns a linked or suggested document does not need (the body, the search text).
_LIGHT = ("body", "search_text")


@dataclass
class Entry:
    document: Document
    blocks: list[dict]
    attachments: list
    outgoing: list[tuple[str, Document]]  # (relation, target)
    incoming: list[tuple[str, Document]]  # (relation, source)
    suggestions: list[Document]
    build: str = ""  # unique per cached build (the rendered text's key); "" when not cached


def _shared() -> bool:
    return bool(settings.SOTAY_SHARED_CACHE)


def _incr(key: str) -> None:
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=None)


def bump(document_id: int | None = None) -> None:
    """After the commit: one document's entry is stale (None: every entry)."""
    if not _shared():
        return
    key = EPOCH_KEY if document_id is None else f"{EPOCH_KEY}:{document_id}"
    transaction.on_commit(lambda: _incr(key))


def _build(pk: int) -> Entry | None:
    document = (
        Document.objects.select_related("issuer_org", "audience_org")
        .defer("search_text")
        .filter(pk=pk)
        .first()
    )
    if document is None:
        return None
    links = list(
        DocumentLink.objects.filter(Q(source_id=pk) | Q(target_id=pk))
        .select_related("source", "target")
        .defer(*(f"{end}__{f}" for end in ("source", "target") for f in _LIGHT))
        .order_by("pk")
    )
    outgoing = [(link.relation, link.target) for link in links if link.source_id == pk]
    incoming = [
        (link.relation, link.source)
        for link in links
        if link.target_id == pk and link.source_id != pk
    ]
    suggestions = []
    if document.tags:
        suggestions = list(
            Document.objects.filter(
                state=DocumentState.PUBLISHED, tags__icontains=document.tag_list[0]
            )
            .defer(*_LIGHT)
            .exclude(pk=pk)
            .order_by("-published_at")[:SUGGESTION_CANDIDATES]
        )
    return Entry(
        document=document,
        blocks=body_blocks(document.body),
        attachments=list(document.attachments.defer("text").order_by("pk")),
        outgoing=outgoing,
        incoming=incoming,
        suggestions=suggestions,
    )


def _key(pk: int) -> str:
    keys = [EPOCH_KEY, f"{EPOCH_KEY}:{pk}"]
    found = cache.get_many(keys)
    return f"reader:{pk}:" + ".".join(str(found.get(k, 0)) for k in keys)


def entry(pk) -> Entry | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not _shared():
        return _build(pk)
    key = _key(pk)
    found = cache.get(key)
    if found is None:
        found = _build(pk)
        if found is None:
            return None
        found.build = uuid.uuid4().hex
        cache.set(key, found, TTL)
    return found


# The document's header and text rendered, per process: what every reader of it sees
# alike (a long text is most of the page's rendering). Kept under the entry's build id
# and the language. A cached entry never changes and any change builds a new entry with
# a new id (not the epochs: they start again from 0 if Redis is emptied), so a rendering
# can never be stale; the least recently read go first.
_texts = Lru(300)


def rendered(found: Entry) -> tuple[SafeString, SafeString]:
    """The reader's header (kind, symbol, title, issuer, dates, audience) and its text
    (summary, contents for three headings or more, body, attachments, tags) as HTML."""
    key = (found.build, get_language()) if found.build else None
    html = _texts.get(key) if key else None
    if html is None:
        toc = [b for b in found.blocks if b["heading"]]
        context = {
            "document": found.document,
            "blocks": found.blocks,
            "toc": toc if len(toc) >= 3 else [],
            "attachments": found.attachments,
        }
        html = (
            render_to_string("documents/_reader_head.html", context),
            render_to_string("documents/_reader_text.html", context),
        )
        if key:
            _texts.put(key, html)
    return mark_safe(html[0]), mark_safe(html[1])  # noqa: S308 - rendered by our templates


# Whole reader pages, per process: the page of a document looks the same to every reader
# whose page holds nothing of their own beyond what the key lists (no editor's forms, no
# required-reading panel, no flash message). The key is everything else the page shows
# (the build, the language, the bookmark, the links they may follow, the bell's count,
# the account's status), so a kept page can never be stale, only evicted; it was rendered
# with core.kept_pages.CSRF_MARK for the token. Skipping the template engine took the
# reader from ~5.7 to ~3.5 ms of CPU per request (bench/results/content-redis.md).
_pages = Lru(2_000)


def page_key(request, found: Entry, bookmarked: bool, related, unread: int) -> tuple | None:
    """The key of the page a plain reader gets (None: render it, do not keep it)."""
    if not found.build or len(messages.get_messages(request)):  # counting consumes nothing
        return None
    links = tuple((label, doc.pk) for label, doc in related)
    return (found.build, get_language(), bookmarked, links, unread, request.user.status)


def kept_page(key: tuple | None) -> tuple[str, str] | None:
    """The kept page (its HTML with the mark, its digest) under `key`."""
    return _pages.get(key) if key is not None else None


def keep_page(key: tuple | None, page: tuple[str, str]) -> None:
    if key is not None:
        _pages.put(key, page)


def _opens(user, document: Document) -> bool:
    return may_open(user, document.path, document.audience_level, document.state)


def entry_for(user, pk) -> Entry:
    """The entry of a document `user` may open; 404 when missing or out of scope alike."""
    found = entry(pk)
    if found is None or not _opens(user, found.document):
        raise Http404("Không tìm thấy văn bản.")
    return found


def related(user, found: Entry, incoming_labels: dict) -> list[tuple[str, Document]]:
    """Links both ways the user may follow (published, in their scope), or else up to
    three suggestions sharing the first tag."""

    def readable(doc: Document) -> bool:
        return doc.state == DocumentState.PUBLISHED and _opens(user, doc)

    label = dict(DocumentLink._meta.get_field("relation").flatchoices)
    pairs = [(str(label.get(r, r)), d) for r, d in found.outgoing if readable(d)]
    pairs += [
        (str(incoming_labels.get(r, label.get(r, r))), d) for r, d in found.incoming if readable(d)
    ]
    if not pairs:
        suggestions = [d for d in found.suggestions if readable(d)][:SUGGESTIONS]
        pairs = [(gettext("Cùng chủ đề"), d) for d in suggestions]
    return pairs


def open_document(user, document: Document) -> bool:
    """Record the read receipt (first opening of a published document only) and answer
    whether the document is bookmarked: one statement on PostgreSQL. A first opening
    also makes the reader's stored home page stale (its unread marks)."""
    receipt = document.state == DocumentState.PUBLISHED and user.is_authenticated
    bookmark_sql = (
        "SELECT EXISTS (SELECT 1 FROM documents_bookmark WHERE user_id = %s AND document_id = %s)"
    )
    read_sql = (
        "INSERT INTO documents_documentread (user_id, document_id, first_read_at) "
        "VALUES (%s, %s, %s) ON CONFLICT (document_id, user_id) DO NOTHING"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    first = False
    with prepared.cursor() as cur:
        if receipt and connection.vendor == "postgresql":
            cur.execute(
                f"WITH r AS ({read_sql} RETURNING 1) {bookmark_sql}, EXISTS (SELECT 1 FROM r)",  # noqa: S608 - fixed text
                [user.pk, document.pk, now, user.pk, document.pk],
            )
            bookmarked, first = cur.fetchone()
        else:
            if receipt:
                cur.execute(read_sql, [user.pk, document.pk, now])
                first = cur.rowcount == 1
            cur.execute(bookmark_sql, [user.pk, document.pk])
            bookmarked = cur.fetchone()[0]
    if first:
        home_reads_changed(user.pk)
    return bool(bookmarked)
