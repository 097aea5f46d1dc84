"""Handbook endpoints: the same outline, access and search as the pages. Drafts answer
404 to readers, as on the site."""

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from sotay.accounts.api_auth import TokenAuth, require_active
from sotay.documents.queries import SearchError
from sotay.handbook.access import get_page_by_id_for_user
from sotay.handbook.queries import Node, Outline, search
from sotay.handbook.schemas import PageOut, SearchHitOut, TreeNodeOut
from sotay.handbook.text import with_anchors

router = Router(tags=["Sổ tay nghiệp vụ"], auth=TokenAuth())


def _tree(nodes: list[Node]) -> list[dict]:
    return [
        {
            "id": n.id,
            "title": n.title,
            "slug": n.slug,
            "published": n.published,
            "children": _tree(n.children),
        }
        for n in nodes
    ]


def _crumb(n: Node | None) -> dict | None:
    return None if n is None else {"id": n.id, "title": n.title, "slug": n.slug}


@router.get("/handbook", response=list[TreeNodeOut])
def tree(request: HttpRequest):
    """The whole tree of pages the caller may read, in reading order."""
    require_active(request)
    return _tree(Outline(request.user).roots)


@router.get("/handbook/search", response=list[SearchHitOut])
def search_handbook(request: HttpRequest, q: str = ""):
    """Pages matching every word of `q` (diacritics ignored), title hits first."""
    require_active(request)
    try:
        pages = search(request.user, q)
    except SearchError as exc:
        raise HttpError(400, exc.message) from None
    return [{"id": p.pk, "title": p.title, "slug": p.slug, "summary": p.summary} for p in pages]


@router.get("/handbook/{page_id}", response=PageOut)
def page(request: HttpRequest, page_id: int):
    require_active(request)
    outline = Outline(request.user)
    p = get_page_by_id_for_user(request.user, page_id, outline)
    body, toc = with_anchors(p.body)
    previous, following = outline.neighbours(p.pk)
    return {
        "id": p.pk,
        "title": p.title,
        "slug": p.slug,
        "parent_id": p.parent_id,
        "position": p.position,
        "summary": p.summary,
        "body": body,
        "toc": toc,
        "sources": p.sources,
        "published": p.published,
        "updated_at": p.updated_at,
        "breadcrumb": [_crumb(a) for a in outline.ancestors(p.pk)],
        "children": [_crumb(c) for c in outline.nodes[p.pk].children],
        "previous": _crumb(previous),
        "next": _crumb(following),
    }
