"""The home feed (issue 4 §6, P2): what a member should read, in one page of 20.

    top     pinned posts, then documents required for the member's organisation (or any
            level above) that the user has not read yet, soonest due first: page 1 only;
    stream  news posts and documents addressed to the user's organisations and all
            their ancestors, newest first, 20 a page, with unread marks.

Scope is exactly the readers' rules of documents.queries and news.queries, restricted to
"own organisations and their ancestors": a document addressed to committee members only
shows for users holding `members.view` over that level, never for plain members.

Cost: one SQL statement for the top block and one for a stream page, whatever the number
of ancestors. On PostgreSQL the stream reads one small index range per (table, ancestor
path) — `path = p ORDER BY published_at DESC LIMIT 21` on the (state, path, -published_at)
indexes, through `unnest(paths) CROSS JOIN LATERAL` — and merges them; a single
`path IN (…) ORDER BY … LIMIT` reads and sorts every document addressed to the city
instead (PERFORMANCE.md: 0.06 H against 0.18 H). Unread marks are EXISTS probes on the 21
merged rows only. The statements are written by hand: built with the ORM, the dozen UNION
parts cost ~30 ms of Python per page to compile. Later pages are fetched by keyset (a
cursor of time, kind and id), so page 50 costs what page 1 costs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from sotay.accounts.permissions import MEMBER, MEMBERS_VIEW, ROLE_PERMISSIONS, grants_for
from sotay.documents.models import DocumentKind
from sotay.documents.queries import ancestors_or_self

PAGE = 20
TOP_PINNED = 5
TOP_REQUIRED = 10
DOC, POST = "d", "n"  # "n" > "d": at equal times posts come first; part of the cursor
COLUMNS = ("k", "id", "at", "title", "summary", "label", "org", "cover", "pinned", "unread")
KIND_LABELS = dict(DocumentKind.choices)


@lru_cache(maxsize=4)
def _detail_prefix(kind: str) -> str:
    """ "/tin-tuc/" or "/van-ban/": reversed once, not for each of a page's 20 items
    (a third of the feed fragment's rendering time)."""
    name = "news:detail" if kind == POST else "documents:detail"
    return reverse(name, args=[0]).removesuffix("0/")


@dataclass
class FeedItem:
    kind: str  # DOC or POST
    id: int
    at: dt.datetime
    title: str
    summary: str
    label: str
    org: str
    unread: bool
    cover: bool = False
    pinned: bool = False
    due_on: dt.date | None = None

    @property
    def is_post(self) -> bool:
        return self.kind == POST

    @property
    def url(self) -> str:
        return _detail_prefix(self.kind) + f"{self.id}/"

    @property
    def kind_label(self) -> str:
        return (
            gettext("Tin tức")
            if self.kind == POST
            else str(KIND_LABELS.get(self.label, self.label))
        )

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate()


@dataclass
class Scope:
    """Audience paths the user reads: path → whether committee-only documents count."""

    paths: dict[str, bool]

    @classmethod
    def of(cls, user) -> Scope:
        paths: dict[str, bool] = {}
        for grant in grants_for(user):
            committee = MEMBERS_VIEW in ROLE_PERMISSIONS[grant.role]
            if grant.role != MEMBER and not committee:
                continue
            for path in ancestors_or_self(grant.path):
                paths[path] = paths.get(path, False) or committee
        return cls(paths)

    @property
    def committee_paths(self) -> list[str]:
        return sorted(p for p, c in self.paths.items() if c)


# ----- cursor -------------------------------------------------------------------------


def encode_cursor(item: FeedItem) -> str:
    return f"{item.at.isoformat()}~{item.kind}~{item.id}"


def decode_cursor(text: str | None) -> tuple[dt.datetime, str, int] | None:
    """None for a missing or malformed cursor: a broken link shows the first page."""
    try:
        at, kind, pk = (text or "").split("~")
        when = parse_datetime(at)
        if when is None or kind not in (DOC, POST):
            return None
        return when, kind, int(pk)
    except ValueError:
        return None


# ----- the two statements -------------------------------------------------------------


def _after_sql(cursor, kind: str, alias: str, time_column: str) -> tuple[str, list]:
    """Rows of one kind after the cursor in (time, kind, id) descending order, as SQL."""
    if cursor is None:
        return "TRUE", []
    at, ckind, cid = cursor
    at = connection.ops.adapt_datetimefield_value(at)
    if kind < ckind:
        return f"{alias}.{time_column} <= %s", [at]
    if kind == ckind:
        return (
            f"({alias}.{time_column} < %s OR ({alias}.{time_column} = %s AND {alias}.id < %s))",
            [at, at, cid],
        )
    return f"{alias}.{time_column} < %s", [at]


# The stream is hand-written SQL: built with the ORM, its dozen UNION parts cost ~30 ms
# of Python per page to compile, ten times the statement's own time.
_DOC_COLUMNS = (
    "'d' AS k, x.id, x.published_at AS at, x.title, x.summary, x.kind AS label, "
    "x.audience_org_id AS org_id, FALSE AS has_cover, FALSE AS flag"
)
_POST_COLUMNS = (
    "'n' AS k, y.id, y.publish_at AS at, y.title, y.summary, '' AS label, "
    "y.audience_org_id AS org_id, y.cover <> '' AS has_cover, y.pinned AS flag"
)
_DOC_WHERE = "x.state = 'published' AND {after}"
_POST_WHERE = "y.state = 'published' AND NOT y.pinned AND y.publish_at <= %s AND {after}"
# PostgreSQL: one index range per (table, ancestor path), each cut to `limit`, merged.
_STREAM_PG = (
    "SELECT d.* FROM unnest(%s::text[], %s::bool[]) AS s(path, committee) CROSS JOIN LATERAL "  # noqa: S608 - fixed text
    f"(SELECT {_DOC_COLUMNS} FROM documents_document x WHERE x.path = s.path AND "
    f"(s.committee OR x.audience_level = 'all') AND {_DOC_WHERE} "
    "ORDER BY x.published_at DESC, x.id DESC LIMIT %s) d "
    "UNION ALL "
    "SELECT p.* FROM unnest(%s::text[]) AS s(path) CROSS JOIN LATERAL "
    f"(SELECT {_POST_COLUMNS} FROM news_post y WHERE y.path = s.path AND {_POST_WHERE} "
    "ORDER BY y.publish_at DESC, y.id DESC LIMIT %s) p"
)
# Elsewhere (SQLite): the same rows, cut once outside.
_STREAM_PLAIN = (
    f"SELECT {_DOC_COLUMNS} FROM documents_document x WHERE ({{doc_scope}}) AND {_DOC_WHERE} "  # noqa: S608 - fixed text
    "UNION ALL "
    f"SELECT {_POST_COLUMNS} FROM news_post y WHERE y.path IN ({{post_scope}}) AND {_POST_WHERE}"
)
_STREAM = (
    "SELECT u.k, u.id, u.at, u.title, u.summary, u.label, o.name, u.has_cover, u.flag, "
    "CASE WHEN u.k = 'd' THEN NOT EXISTS (SELECT 1 FROM documents_documentread r "
    "WHERE r.user_id = %s AND r.document_id = u.id) ELSE NOT EXISTS (SELECT 1 FROM "
    "news_postread r WHERE r.user_id = %s AND r.post_id = u.id) END AS unread "
    "FROM ({parts}) u JOIN organizations_organization o ON o.id = u.org_id "
    "ORDER BY u.at DESC, u.k DESC, u.id DESC LIMIT %s"
)


def _stream_sql(scope: Scope, user_id: int, now, cursor, limit: int) -> tuple[str, list]:
    doc_after, doc_args = _after_sql(cursor, DOC, "x", "published_at")
    post_after, post_args = _after_sql(cursor, POST, "y", "publish_at")
    doc_where = _DOC_WHERE.format(after=doc_after)
    post_where = _POST_WHERE.format(after=post_after)
    paths = sorted(scope.paths)
    if connection.vendor == "postgresql":
        parts = _STREAM_PG.replace(_DOC_WHERE, doc_where).replace(_POST_WHERE, post_where)
        committee = [scope.paths[p] for p in paths]
        args = [paths, committee, *doc_args, limit, paths, now, *post_args, limit]
    else:
        everyone = ", ".join(["%s"] * len(paths))
        doc_scope, scope_args = _doc_scope_sql(scope)
        parts = (
            _STREAM_PLAIN.replace(_DOC_WHERE, doc_where)
            .replace(_POST_WHERE, post_where)
            .format(doc_scope=doc_scope, post_scope=everyone)
        )
        args = [*scope_args, *doc_args, *paths, now, *post_args]
    return _STREAM.format(parts=parts), [user_id, user_id, *args, limit]


def _aware(value) -> dt.datetime:
    """A timestamp from a raw row: SQLite returns text in UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def _item(row) -> FeedItem:
    values = dict(zip(COLUMNS, row, strict=True))
    return FeedItem(
        kind=values["k"],
        id=values["id"],
        at=_aware(values["at"]),
        title=values["title"],
        summary=values["summary"],
        label=values["label"],
        org=values["org"],
        unread=bool(values["unread"]),
        cover=bool(values["cover"]),
        pinned=bool(values["pinned"]),
    )


def stream(user, cursor=None, size: int = PAGE) -> tuple[list[FeedItem], str | None]:
    """One page of the stream after `cursor` and the cursor of the next page (None at
    the end). One SQL statement."""
    return stream_for(Scope.of(user), user.pk, cursor, size)


def stream_for(scope: Scope, user_id: int, cursor=None, size: int = PAGE):
    """`stream` for a scope; unread marks are `user_id`'s (0: nobody's reads, every
    item unread — the shared first page of feed_cache)."""
    if not scope.paths:
        return [], None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql, args = _stream_sql(scope, user_id, now, cursor, size + 1)
    with connection.cursor() as cur:
        cur.execute(sql, args)
        rows = cur.fetchall()
    items = [_item(r) for r in rows[:size]]
    more = len(rows) > size
    return items, (encode_cursor(items[-1]) if more and items else None)


_TOP = (
    "SELECT * FROM (SELECT 'n' AS k, y.id, y.publish_at AS at, y.title, y.summary, "  # noqa: S608 - fixed text
    "'' AS label, o.name, y.cover <> '' AS has_cover, y.pinned AS flag, NOT EXISTS "
    "(SELECT 1 FROM news_postread r WHERE r.user_id = %s AND r.post_id = y.id) AS unread, "
    "CAST(NULL AS DATE) AS due FROM news_post y "
    "JOIN organizations_organization o ON o.id = y.audience_org_id "
    "WHERE y.pinned AND y.state = 'published' AND y.publish_at <= %s AND y.path IN ({paths}) "
    "ORDER BY y.publish_at DESC, y.id DESC LIMIT %s) pinned "
    "UNION ALL "
    "SELECT * FROM (SELECT 'd' AS k, x.id, x.published_at AS at, x.title, x.summary, "
    "x.kind AS label, o.name, FALSE AS has_cover, FALSE AS flag, TRUE AS unread, q.due "
    "FROM (SELECT rr.document_id, MIN(rr.due_on) AS due FROM documents_requiredreading rr "
    "WHERE rr.path IN ({paths}) GROUP BY rr.document_id) q "
    "JOIN documents_document x ON x.id = q.document_id "
    "JOIN organizations_organization o ON o.id = x.audience_org_id "
    "WHERE x.state = 'published' AND ({doc_scope}) AND NOT EXISTS (SELECT 1 FROM "
    "documents_documentread r WHERE r.user_id = %s AND r.document_id = x.id) "
    "ORDER BY q.due, x.published_at DESC, x.id DESC LIMIT %s) required"
)


def _doc_scope_sql(scope: Scope) -> tuple[str, list]:
    """Which documents of the scope's paths the user reads, as SQL on alias x."""
    paths, chosen = sorted(scope.paths), scope.committee_paths
    sql = f"x.path IN ({', '.join(['%s'] * len(paths))}) AND x.audience_level = 'all'"
    if chosen:
        sql += f" OR x.path IN ({', '.join(['%s'] * len(chosen))})"
    return sql, [*paths, *chosen]


def top(user) -> list[FeedItem]:
    """Pinned posts (newest first), then required documents not read yet (soonest due
    first). One SQL statement."""
    return top_for(Scope.of(user), user.pk)


def top_for(scope: Scope, user_id: int, required: int = TOP_REQUIRED) -> list[FeedItem]:
    """`top` for a scope; with `user_id` 0 nobody's reads are excluded, so the required
    list is every candidate (feed_cache filters it per reader)."""
    if not scope.paths:
        return []
    paths = sorted(scope.paths)
    marks = ", ".join(["%s"] * len(paths))
    doc_scope, doc_args = _doc_scope_sql(scope)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = _TOP.format(paths=marks, doc_scope=doc_scope)
    args = [user_id, now, *paths, TOP_PINNED, *paths, *doc_args, user_id, required]
    with connection.cursor() as cur:
        cur.execute(sql, args)
        rows = cur.fetchall()
    items = []
    for row in rows:
        item = _item(row[:-1])
        due = row[-1]
        if due is not None:
            item.due_on = due if isinstance(due, dt.date) else dt.date.fromisoformat(str(due)[:10])
        items.append(item)
    return items


def first_page(user) -> tuple[list[FeedItem], list[FeedItem], str | None]:
    """The top block and the first stream page, without repeating a top item below."""
    head = top(user)
    items, cursor = stream(user)
    shown = {(i.kind, i.id) for i in head}
    return head, [i for i in items if (i.kind, i.id) not in shown], cursor


def next_scheduled(scope: Scope, now: dt.datetime) -> dt.datetime | None:
    """When the next post scheduled for the scope's paths comes out (published, due
    after `now`), or None: until then the feed's first page cannot change by itself."""
    paths = sorted(scope.paths)
    if not paths:
        return None
    marks = ", ".join(["%s"] * len(paths))
    sql = (
        "SELECT MIN(publish_at) FROM news_post WHERE state = 'published' "  # noqa: S608 - placeholders only
        f"AND publish_at > %s AND path IN ({marks})"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [connection.ops.adapt_datetimefield_value(now), *paths])
        (due,) = cur.fetchone()
    return None if due is None else _aware(due)
