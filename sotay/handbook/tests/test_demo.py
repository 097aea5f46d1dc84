"""The demo pages: 8–12 published pages in Vietnamese (NFC), each citing its sources,
seeded idempotently; and `search_pages` for showing handbook hits elsewhere."""

import unicodedata

import pytest

from sotay.core.richtext import sanitize
from sotay.handbook.demo import PAGES, seed_handbook
from sotay.handbook.models import Page
from sotay.handbook.queries import search_pages
from sotay.handbook.services import set_published

pytestmark = pytest.mark.django_db


def test_the_demo_pages_are_seeded_once():
    assert seed_handbook() == len(PAGES)
    assert 8 <= Page.objects.count() <= 12
    assert seed_handbook() == 0
    assert Page.objects.count() == len(PAGES)
    for page in Page.objects.all():
        assert page.published and page.sources and page.summary
        for text in (page.title, page.summary, page.body, page.sources):
            assert unicodedata.is_normalized("NFC", text)
        assert page.body == sanitize(page.body)
        assert "<h2>" in page.body
    # Siblings numbered 1..n.
    for parent_id in set(Page.objects.values_list("parent_id", flat=True)):
        positions = list(
            Page.objects.filter(parent_id=parent_id)
            .order_by("position")
            .values_list("position", flat=True)
        )
        assert positions == list(range(1, len(positions) + 1))


def test_the_minutes_page_sits_under_branch_meetings():
    seed_handbook()
    page = Page.objects.get(slug="ghi-bien-ban-sinh-hoat-chi-bo")
    assert page.parent.title == "Sinh hoạt chi bộ"
    assert "Hướng dẫn 42-HD/BTCTW" in page.sources


def test_search_pages_returns_published_hits_best_first(world):
    seed_handbook()
    assert [p.title for p in search_pages("bien ban", limit=1)] == ["Ghi biên bản sinh hoạt chi bộ"]
    assert len(search_pages("dang vien", limit=3)) == 3
    assert search_pages("...") == []
    assert search_pages("khongcotrongsotay") == []
    section = Page.objects.get(slug="sinh-hoat-chi-bo")
    set_published(actor=world.admin, page=section, published=False)
    # A page under a draft is hidden with it.
    assert search_pages("bien ban") == []
