"""Reads of the documents library, scoped at the source.

Who reads what (docs/permissions.md):
  * a member reads published documents addressed to their branch or any level above it
    (audience path is an ancestor-or-self of their organisation's path), for all members;
  * "committee members" are users holding `members.view` on an organisation (committee
    seats, the office, the inspection commission): they read published documents, of
    both audience levels, addressed anywhere inside that subtree or to any level above
    it. Plain and probationary members never see committee-only documents;
  * users holding `content.publish` (office, admin) see every state — drafts and
    withdrawn documents with their reason — in the subtree where they hold it;
  * a superuser sees everything.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from sotay.accounts.models import AccountStatus, User
from sotay.accounts.permissions import (
    CONTENT_PUBLISH,
    MEMBER,
    MEMBERS_VIEW,
    ROLE_PERMISSIONS,
    grants_for,
    is_superadmin,
    scope_q,
)
from sotay.documents.models import (
    AudienceLevel,
    Bookmark,
    Document,
    DocumentKind,
    DocumentRead,
    DocumentState,
    RequiredReading,
)
from sotay.documents.text import symbol_key, words
from sotay.members.models import Member, MemberStatus
from sotay.organizations.models import Organization
from sotay.reports.formatting import percent

STEP = 4  # Organization.steplen
MAX_QUERY = 200
# More matches than this and a query is "common": newest first instead of by relevance.
COMMON = 500
# A common query walks the newest documents when DENSE_PAGE of its matches are among the
# DENSE_WINDOW newest of the table (queries._newest_first).
DENSE_WINDOW = 10_000
DENSE_PAGE = 21


def ancestors_or_self(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def documents_visible_to(user) -> QuerySet[Document]:
    """Documents `user` may open, in any state they may see them in."""
    qs = Document.objects.select_related("issuer_org", "audience_org")
    if is_superadmin(user):
        return qs
    published = Q(state=DocumentState.PUBLISHED)
    q = Q(pk__in=[])
    everyone = Q(pk__in=[])
    committee = Q(pk__in=[])
    for grant in grants_for(user):
        perms = ROLE_PERMISSIONS[grant.role]
        if grant.role == MEMBER:
            everyone |= Q(path__in=ancestors_or_self(grant.path))
        if MEMBERS_VIEW in perms:
            committee |= Q(path__startswith=grant.path) | Q(path__in=ancestors_or_self(grant.path))
    q |= published & (Q(audience_level=AudienceLevel.ALL) & everyone | committee)
    if any(CONTENT_PUBLISH in ROLE_PERMISSIONS[g.role] for g in grants_for(user)):
        q |= scope_q(user, CONTENT_PUBLISH, field="path")
    return qs.filter(q)


def may_open(user, path: str, audience_level: str, state: str) -> bool:
    """`documents_visible_to` for one document's (path, audience level, state), decided
    from the user's grants in memory: the reader checks a cached document with it. The
    two are tested equal for every persona and every kind of document
    (tests/test_scoping.py); change them together."""
    if is_superadmin(user):
        return True
    grants = grants_for(user)
    if state == DocumentState.PUBLISHED:
        for grant in grants:
            perms = ROLE_PERMISSIONS[grant.role]
            above = path in ancestors_or_self(grant.path)
            if grant.role == MEMBER and audience_level == AudienceLevel.ALL and above:
                return True
            if MEMBERS_VIEW in perms and (above or path.startswith(grant.path)):
                return True
    return any(
        CONTENT_PUBLISH in ROLE_PERMISSIONS[g.role] and path.startswith(g.path) for g in grants
    )


def editable_by(user, qs: QuerySet[Document]) -> QuerySet[Document]:
    return qs.filter(scope_q(user, CONTENT_PUBLISH, field="path"))


def bookmarked_by(user, qs: QuerySet[Document]) -> QuerySet[Document]:
    return qs.filter(pk__in=Bookmark.objects.filter(user=user).values("document_id"))


def filter_library(
    qs: QuerySet[Document], *, kind: str = "", year: int | None = None, issuer: str = ""
) -> QuerySet[Document]:
    """The library's filters, for the page and the API: a kind code (others ignored), the
    year of issue, and the issuer, either "org-<id>" of an issuing committee or a central
    body's name."""
    if kind in DocumentKind.values:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(issued_on__year=year)
    org_id = issuer[4:] if issuer.startswith("org-") else ""
    if org_id.isdigit():
        qs = qs.filter(issuer_org_id=int(org_id))
    elif issuer:
        qs = qs.filter(issuer_name=issuer)
    return qs


class SearchError(ValueError):
    """The query cannot be searched; `message` says why, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_query(text: str) -> tuple[list[str], str]:
    """Folded words and the compact symbol key of a query, cut at MAX_QUERY characters.
    Raises SearchError when nothing searchable is left (punctuation only)."""
    text = (text or "")[:MAX_QUERY]
    terms = words(text)[:12]
    if not terms:
        raise SearchError("Hãy nhập chữ hoặc số để tìm; chỉ có dấu câu thì không tìm được.")
    return terms, symbol_key(text)


def search_documents(qs: QuerySet[Document], text: str) -> QuerySet[Document]:
    """Documents of `qs` matching every word of `text`, diacritic- and case-insensitive,
    with symbol variants (52-NQ/TW, 52/NQ-TW, 52 nq tw, 52nqtw) equal. Selective queries
    come ranked (symbol hit, then number of the symbol, title words), common ones newest
    first. PostgreSQL matches through the GIN full-text index; SQLite with LIKE."""
    terms, key = parse_query(text)
    if connection.vendor == "postgresql":
        matched = qs.filter(_fts(terms) | Q(symbol_key=key))
    else:
        match = Q()
        for term in terms:
            match &= Q(search_text__contains=term)
        matched = qs.filter(match | Q(symbol_key=key))
    # One pass over the index decides: at most COMMON matches are ranked by id (no
    # second full-text evaluation); more and the query is common, newest first.
    pks = list(matched.order_by().values_list("pk", flat=True)[: COMMON + 1])
    newest = Coalesce("published_at", "created_at")
    if len(pks) > COMMON:
        return _newest_first(matched)
    ranked = _ranked(qs.filter(pk__in=pks), terms, key)
    return ranked.order_by("-score", newest.desc(), "-pk")


def _newest_first(matched: QuerySet[Document]) -> QuerySet[Document]:
    """A common query's matches, newest first, in one of two plans giving the same order
    (a search lists one state, where published_at is either always set or never):

    * walking the doc_published index newest first and checking each row, which stops
      at the page's end: fast when the newest documents hold enough matches (a common
      word without filters matches every few rows), slow when they hold none (a year
      filter or a word found only in older documents: 140,000 rows walked, 120+ ms);
    * collecting every match through the GIN and path indexes and sorting them: its
      cost follows the number of matches (14,000: 90 ms), whatever their age.

    The planner cannot tell the two apart (it assumes matches spread evenly over
    time), so one small query looks for a page of matches among the DENSE_WINDOW
    newest documents of the table; the walk is used when it finds one. The sorted plan
    orders by an expression the index cannot give, which is what keeps the planner
    from walking."""
    newest = matched.order_by("-published_at", "-created_at", "-pk")
    if connection.vendor != "postgresql":
        return newest
    threshold = (
        Document.objects.filter(published_at__isnull=False)
        .order_by("-published_at")
        .values("published_at")[DENSE_WINDOW : DENSE_WINDOW + 1]
    )
    recent = matched.filter(published_at__gte=Subquery(threshold)).order_by("-published_at")
    if len(recent.values_list("pk", flat=True)[:DENSE_PAGE]) >= DENSE_PAGE:
        return newest
    return matched.order_by(
        Coalesce("published_at", "created_at").desc(), F("created_at").desc(), "-pk"
    )


class _VectorMatches(Expression):
    """`<table>.search_vector @@ to_tsquery('simple', raw)` on PostgreSQL: the stored,
    GIN-indexed column of migration 0002, qualified with whatever alias the table has
    in this query (subqueries rename it)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, raw: str):
        super().__init__()
        self.raw = raw

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{alias}.search_vector @@ to_tsquery('simple'::regconfig, %s)", [self.raw]


def _fts(terms: list[str]) -> Q:
    # Whole words, the last one as a prefix (it may still be being typed): nghi & quyet &
    # 52:*. Prefixes of short earlier words ("chi:*" = chi, chinh, chien, …) made the
    # index read large posting lists for nothing.
    clean = [re.sub(r"[^0-9a-z]", "", t) for t in terms]
    raw = " & ".join([*clean[:-1], f"{clean[-1]}:*"])
    return Q(_VectorMatches(raw))


def _ranked(qs: QuerySet[Document], terms: list[str], key: str) -> QuerySet[Document]:
    """A portable relevance score: the compact symbol typed in full wins, then a symbol
    starting with what was typed, then a typed number that is the document's number,
    then each typed word that starts a word of the title."""
    score = Case(When(symbol_key=key, then=Value(1000)), default=Value(0))
    if key:
        score += Case(When(symbol_key__startswith=key, then=Value(200)), default=Value(0))
    for term in terms:
        if term.isdigit():
            score += Case(
                When(symbol_key__regex=rf"^0*{int(term)}[a-z]", then=Value(100)), default=Value(0)
            )
        score += Case(When(title_key__contains=f" {term}", then=Value(10)), default=Value(0))
    return qs.annotate(score=ExpressionWrapper(score, output_field=IntegerField()))


# ----- required reading (issue 4 §3) --------------------------------------------------

# Who "must read" a required document: members on the working roll (dự bị, chính thức;
# exempt members are excused from party activity and left out of the national app) who
# hold an active account, since only they can open it and leave a read receipt.
MUST_READ_STATUSES = (MemberStatus.PROBATIONARY, MemberStatus.FULL)


def required_for(user) -> list[RequiredReading]:
    """Published documents required for the user's branch or any level above it that the
    user has not opened yet, soonest due first; each document once (its soonest due
    date). One query (the user's grants are computed once per request)."""
    paths = [p for g in grants_for(user) if g.role == MEMBER for p in ancestors_or_self(g.path)]
    if not paths:
        return []
    rows = (
        RequiredReading.objects.filter(path__in=paths, document__state=DocumentState.PUBLISHED)
        .exclude(
            Exists(DocumentRead.objects.filter(user=user, document_id=OuterRef("document_id")))
        )
        .select_related("document")
        .defer("document__body", "document__search_text")
        .order_by("due_on", "document_id")
    )
    seen: set[int] = set()
    out = []
    for row in rows:
        if row.document_id not in seen:
            seen.add(row.document_id)
            out.append(row)
    return out


def must_read(path: str) -> QuerySet[Member]:
    """Members of the subtree at `path` expected to read a required document."""
    return Member.objects.filter(
        org_path__startswith=path,
        status__in=MUST_READ_STATUSES,
        account__status=AccountStatus.ACTIVE,
        account__is_active=True,
    )


@dataclass
class CoverageRow:
    """One direct child of the organisation (or, with `org` None, the members attached to
    the organisation itself)."""

    org: Organization | None
    label: str
    must: int
    read: int

    @property
    def not_read(self) -> int:
        return self.must - self.read

    @property
    def percent(self) -> Decimal | None:
        return percent(self.read, self.must)


@dataclass
class Reader:
    name: str
    read_at: dt.datetime | None


@dataclass
class Coverage:
    org: Organization
    total: CoverageRow
    rows: list[CoverageRow] = field(default_factory=list)
    people: list[Reader] | None = None  # names, only for members.view over a branch
    counted_at: dt.datetime | None = None  # set when served from the cache


def reading_coverage(document: Document, org: Organization, *, names: bool) -> Coverage:
    """Who of `org`'s subtree read `document`. Per direct child: one grouped query on the
    path copied onto member rows (`coverage_counts`), whatever the number of children or
    members, plus the children's names. At a branch with `names`: one query listing each
    member with the date they first opened it (read first, then in name order)."""
    if names and not _has_children(org):
        people = list(
            must_read(org.path)
            .annotate(
                read_at=Subquery(
                    DocumentRead.objects.filter(
                        document=document, user_id=OuterRef("account__id")
                    ).values("first_read_at")[:1]
                )
            )
            .values_list("full_name", "read_at")
            .order_by("name_sort", "pk")
        )
        # Read first (name order kept: the sort is stable), then those still to read.
        readers = sorted((Reader(n, r) for n, r in people), key=lambda p: p.read_at is None)
        total = CoverageRow(org, org.name, len(people), sum(1 for _, r in people if r))
        return Coverage(org, total, [], readers)
    counts, counted_at = coverage_counts(document, org)
    rows = []
    if org.path in counts:
        must, read = counts[org.path]
        rows.append(CoverageRow(None, f"Trực thuộc {org.name}", must, read))
    children = Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
    for child in children.order_by("path"):
        must, read = counts.get(child.path, (0, 0))
        if child.valid_to is not None and not must:
            continue  # closed (merged, dissolved) and empty
        rows.append(CoverageRow(child, child.name, must, read))
    total = CoverageRow(
        org, org.name, sum(m for m, _ in counts.values()), sum(r for _, r in counts.values())
    )
    return Coverage(org, total, rows, None, counted_at)


# A subtree with this many members (a city) is counted with hash joins and its figures
# are kept for COVERAGE_CACHE_SECONDS (P5: "served from roll-ups kept ≤ 5 min fresh").
BIG_SUBTREE = 50_000
COVERAGE_CACHE_SECONDS = 300


def coverage_counts(
    document: Document, org: Organization
) -> tuple[dict[str, tuple[int, int]], dt.datetime | None]:
    """Direct-child path prefix → (must read, read) for `org`'s subtree, and when the
    figures were counted if they came from the cache (None when live).

    One grouped query. A subtree below BIG_SUBTREE members walks its members through the
    `member_subtree_status` index and looks each one's account and read receipt up by
    unique index (a commune: a few thousand probes); left to itself PostgreSQL hash-joins
    the whole users table instead, measured 4× slower for an 8,800-member commune. A
    bigger subtree is one pass with hash joins (city, 470,000 members: about a second on
    the bench machine), then cached."""
    key = f"documents:coverage:{document.pk}:{org.pk}:{org.path}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    size = len(org.path) + STEP
    if Member.objects.filter(org_path__startswith=org.path).count() < BIG_SUBTREE:
        state = Case(
            When(
                status=AccountStatus.ACTIVE,
                is_active=True,
                then=Case(
                    When(
                        Exists(
                            DocumentRead.objects.filter(
                                document_id=document.pk, user_id=OuterRef("pk")
                            )
                        ),
                        then=Value(READ),
                    ),
                    default=Value(MUST),
                ),
            ),
            default=Value(EXCUSED),
            output_field=IntegerField(),
        )
        lookup = User.objects.filter(member_id=OuterRef("pk")).annotate(s=state).values("s")[:1]
        grouped = (
            Member.objects.filter(org_path__startswith=org.path, status__in=MUST_READ_STATUSES)
            .annotate(
                child=Substr("org_path", 1, size),
                state=Coalesce(Subquery(lookup), Value(EXCUSED), output_field=IntegerField()),
            )
            .values_list("child", "state")
            .annotate(n=Count("*"))
            .order_by()
        )
        counts: dict[str, tuple[int, int]] = {}
        for child, member_state, n in grouped:
            if member_state == EXCUSED:
                continue
            must, read = counts.get(child, (0, 0))
            counts[child] = (must + n, read + (n if member_state == READ else 0))
        return counts, None
    with connection.cursor() as cursor:
        cursor.execute(_BIG_COUNT_SQL, [size, document.pk, org.path + "%", *MUST_READ_STATUSES])
        counts = {child: (must, read) for child, must, read in cursor.fetchall()}
    counted_at = timezone.now()
    cache.set(key, (counts, counted_at), COVERAGE_CACHE_SECONDS)
    return counts, None


EXCUSED, MUST, READ = 0, 1, 2  # a member's state in the small-subtree count
_BIG_COUNT_SQL = f"""
SELECT substr(m.org_path, 1, %s) AS child, count(*) AS must, count(r.id) AS read
FROM {Member._meta.db_table} m
JOIN {User._meta.db_table} u ON u.member_id = m.id AND u.status = '{AccountStatus.ACTIVE}'
    AND u.is_active
LEFT JOIN {DocumentRead._meta.db_table} r ON r.user_id = u.id AND r.document_id = %s
WHERE m.org_path LIKE %s AND m.status IN (%s, %s)
GROUP BY 1
"""  # noqa: S608 - table names and a constant, never user input


def _has_children(org: Organization) -> bool:
    # treebeard keeps numchild up to date on every add/move.
    return bool(org.numchild)
