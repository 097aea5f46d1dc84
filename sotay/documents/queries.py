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

import re

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    ExpressionWrapper,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from sotay.accounts.permissions import (
    CONTENT_PUBLISH,
    MEMBER,
    MEMBERS_VIEW,
    ROLE_PERMISSIONS,
    grants_for,
    is_superadmin,
    scope_q,
)
from sotay.documents.models import AudienceLevel, Bookmark, Document, DocumentState
from sotay.documents.text import symbol_key, words

STEP = 4  # Organization.steplen
MAX_QUERY = 200
# More matches than this and a query is "common": newest first instead of by relevance.
COMMON = 500


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


def editable_by(user, qs: QuerySet[Document]) -> QuerySet[Document]:
    return qs.filter(scope_q(user, CONTENT_PUBLISH, field="path"))


def bookmarked_by(user, qs: QuerySet[Document]) -> QuerySet[Document]:
    return qs.filter(pk__in=Bookmark.objects.filter(user=user).values("document_id"))


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
        return matched.order_by(newest.desc(), "-pk")
    ranked = _ranked(qs.filter(pk__in=pks), terms, key)
    return ranked.order_by("-score", newest.desc(), "-pk")


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
