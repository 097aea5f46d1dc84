"""Reads of the handbook. Published pages are general guidance, not scoped to any
organisation: every signed-in user reads a page that is published and whose ancestors
are all published. Editors (permissions.can_edit_handbook) also see drafts.

The whole tree's outline (a few hundred short rows) is read in one query and walked in
Python for the index, breadcrumbs, sibling links and visibility.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Q, QuerySet, Value, When

from sotay.accounts.permissions import can_edit_handbook
from sotay.documents.queries import SearchError, parse_query
from sotay.handbook.models import Page

MAX_RESULTS = 50


@dataclass
class Node:
    """One page of the outline (no body)."""

    id: int
    parent_id: int | None
    position: int
    title: str
    slug: str
    published: bool
    children: list[Node] = field(default_factory=list)


class Outline:
    """The tree as `user` may see it: `roots`, `nodes` by id, each node's children in
    order. Pages under a draft are hidden with it from readers."""

    def __init__(self, user=None, *, editor: bool | None = None):
        self.editor = can_edit_handbook(user) if editor is None else editor
        rows = Page.objects.order_by("parent_id", "position", "pk").values_list(
            "pk", "parent_id", "position", "title", "slug", "published"
        )
        everything = {row[0]: Node(*row) for row in rows}
        self.nodes: dict[int, Node] = {}
        self.roots: list[Node] = []
        # Parents first: walk from the roots down, so a hidden parent hides its subtree.
        by_parent: dict[int | None, list[Node]] = {}
        for node in everything.values():
            by_parent.setdefault(node.parent_id, []).append(node)
        for siblings in by_parent.values():
            siblings.sort(key=lambda n: (n.position, n.id))
        stack = [(None, n) for n in reversed(by_parent.get(None, []))]
        while stack:
            parent, node = stack.pop()
            if not (self.editor or node.published):
                continue
            self.nodes[node.id] = node
            (parent.children if parent else self.roots).append(node)
            stack.extend((node, c) for c in reversed(by_parent.get(node.id, [])))
        self._order = {n.id: i for i, n in enumerate(self.walk())}

    def walk(self, nodes: list[Node] | None = None):
        """Every visible node in reading order (depth first)."""
        for node in self.roots if nodes is None else nodes:
            yield node
            yield from self.walk(node.children)

    def order_of(self, page_id: int) -> int:
        return self._order.get(page_id, len(self._order))

    def ancestors(self, page_id: int) -> list[Node]:
        """From the root down to the parent of `page_id`."""
        chain = []
        node = self.nodes.get(page_id)
        while node is not None and node.parent_id is not None:
            node = self.nodes.get(node.parent_id)
            if node is not None:
                chain.append(node)
        return list(reversed(chain))

    def siblings(self, page_id: int) -> list[Node]:
        node = self.nodes[page_id]
        if node.parent_id is None:
            return self.roots
        return self.nodes[node.parent_id].children

    def neighbours(self, page_id: int) -> tuple[Node | None, Node | None]:
        """The previous and next sibling, if any."""
        siblings = self.siblings(page_id)
        i = next(i for i, n in enumerate(siblings) if n.id == page_id)
        return (
            siblings[i - 1] if i > 0 else None,
            siblings[i + 1] if i + 1 < len(siblings) else None,
        )

    def descendant_ids(self, page_id: int) -> set[int]:
        out: set[int] = set()
        stack = list(self.nodes[page_id].children)
        while stack:
            node = stack.pop()
            out.add(node.id)
            stack.extend(node.children)
        return out


def pages_visible_to(user, outline: Outline | None = None) -> QuerySet[Page]:
    """Pages `user` may open: every page for editors; for readers, published pages
    whose ancestors are all published."""
    outline = outline or Outline(user)
    if outline.editor:
        return Page.objects.all()
    return Page.objects.filter(pk__in=list(outline.nodes))


def _search(outline: Outline, text: str, limit: int) -> list[Page]:
    terms, _key = parse_query(text)
    # Drafts are left out in SQL; a published page under a draft is dropped below, with
    # the outline (cheaper than sending every visible id to the database).
    qs = Page.objects.all() if outline.editor else Page.objects.filter(published=True)
    match = Q()
    score = Value(0)
    for term in terms:
        # Word starts, the same on SQLite and PostgreSQL: "ket nap" finds "kết nạp",
        # "an" does not find "toàn".
        match &= Q(search_text__contains=f" {term}")
        score += Case(When(title_key__contains=f" {term}", then=Value(10)), default=Value(0))
    phrase = " " + " ".join(terms)
    score += Case(When(title_key__contains=phrase, then=Value(5)), default=Value(0))
    # Ids and scores of every match (short tuples), ranked here; then the rows of the
    # best `limit` only.
    hits = [
        (pk, score)
        for pk, score in qs.filter(match).annotate(score=score).values_list("pk", "score")
        if pk in outline.nodes
    ]
    hits.sort(key=lambda hit: (-hit[1], outline.order_of(hit[0])))
    best = [pk for pk, _ in hits[:limit]]
    pages = Page.objects.defer("body", "search_text").in_bulk(best)
    return [pages[pk] for pk in best if pk in pages]


def search(user, text: str, limit: int = MAX_RESULTS) -> list[Page]:
    """Pages visible to `user` matching every word of `text` (diacritics, đ/d, case and
    punctuation ignored; the documents search's query rules), title hits first, then in
    reading order. Raises documents.queries.SearchError for a query with nothing
    searchable in it."""
    return _search(Outline(user), text, limit)


def search_pages(text: str, limit: int = 5) -> list[Page]:
    """The published pages (as every reader sees them) matching `text`, best first, for
    showing handbook hits beside another search. A query with nothing searchable gives
    []."""
    try:
        return _search(Outline(editor=False), text, limit)
    except SearchError:
        return []
