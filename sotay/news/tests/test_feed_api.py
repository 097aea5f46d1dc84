"""GET /api/v1/feed: the home feed for the mobile app, built by the same news.feed code as
the home page — scope, top block, keyset pages, unread marks — and refused without an
active account or with a forged cursor."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotay.accounts.services import create_api_token
from sotay.documents import services as doc_services
from sotay.documents.models import Document
from sotay.documents.testing import make_document
from sotay.news.models import Post
from sotay.news.testing import make_post

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def get(client):
    def _get(user, path):
        headers = {}
        if user is not None:
            _, plain = create_api_token(user=user, name="test", ip="127.0.0.1")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
        return client.get(f"/api/v1{path}", **headers)

    return _get


def at(obj, when):
    type(obj).objects.filter(pk=obj.pk).update(
        **({"publish_at": when} if isinstance(obj, Post) else {"published_at": when})
    )


def test_it_lists_own_and_ancestor_items_newest_first_and_never_a_siblings(world, get):
    for i in range(23):
        at(make_post(world, world.commune, title=f"Tin phường {i:02d}"), T0 + dt.timedelta(hours=i))
    at(make_document(world, world.branch, title="Kế hoạch chi bộ 1"), T0 + dt.timedelta(days=2))
    at(make_post(world, world.sibling, title="Tin chi bộ 2"), T0 + dt.timedelta(days=3))
    first = get(world.member, "/feed").json()
    titles = [i["title"] for i in first["items"]]
    assert len(titles) == 20 and titles[0] == "Kế hoạch chi bộ 1"
    assert titles[1:4] == ["Tin phường 22", "Tin phường 21", "Tin phường 20"]
    assert "Tin chi bộ 2" not in titles
    assert first["items"][0]["type"] == "document" and first["items"][0]["unread"] is True
    assert first["items"][1]["api_url"].startswith("/api/v1/news/")
    second = get(world.member, f"/feed?cursor={quote(first['next_cursor'])}").json()
    assert [i["title"] for i in second["items"]] == [
        "Tin phường 03",
        "Tin phường 02",
        "Tin phường 01",
        "Tin phường 00",
    ]
    assert second["top"] == [] and second["next_cursor"] is None
    # The sibling branch's member sees their own post, not B1's plan.
    other = [i["title"] for i in get(world.outsider, "/feed").json()["items"]]
    assert "Tin chi bộ 2" in other and "Kế hoạch chi bộ 1" not in other


def test_pinned_and_unread_required_come_on_top_and_reading_clears_the_mark(world, get):
    make_post(world, world.province, title="Thông báo ghim", pinned=True)
    required = make_document(world, world.commune, title="Chỉ thị phải đọc")
    doc_services.require_reading(
        actor=world.admin,
        document=required,
        organization=world.commune,
        due_on=timezone.localdate(),
    )
    body = get(world.member, "/feed").json()
    assert [i["title"] for i in body["top"]] == ["Thông báo ghim", "Chỉ thị phải đọc"]
    assert body["top"][0]["pinned"] is True
    assert body["top"][1]["due_on"] == timezone.localdate().isoformat()
    assert body["top"][1]["overdue"] is False
    assert "Chỉ thị phải đọc" not in [i["title"] for i in body["items"]]
    assert get(world.member, f"/documents/{required.pk}").status_code == 200  # records the read
    body = get(world.member, "/feed").json()
    assert "Chỉ thị phải đọc" not in [i["title"] for i in body["top"]]
    assert next(i for i in body["items"] if i["title"] == "Chỉ thị phải đọc")["unread"] is False


def test_committee_only_documents_reach_the_committee_only(world, get):
    make_document(world, world.commune, title="Hướng dẫn nội bộ", audience_level="committee")
    assert "Hướng dẫn nội bộ" not in [
        i["title"] for i in get(world.member, "/feed").json()["items"]
    ]
    assert "Hướng dẫn nội bộ" in [i["title"] for i in get(world.secretary, "/feed").json()["items"]]


def test_a_forged_cursor_is_refused_in_vietnamese(world, get):
    response = get(world.member, "/feed?cursor=abc~x~1")
    assert response.status_code == 400
    assert "Con trỏ trang không hợp lệ" in response.json()["detail"]


def test_without_a_token_or_with_a_pending_account_it_is_refused(world, get):
    assert get(None, "/feed").status_code == 401
    assert get(world.pending, "/feed").status_code == 403


def test_a_page_costs_a_bounded_number_of_statements(world, get):
    for i in range(30):
        make_post(world, world.commune, title=f"Tin {i}")
    _, plain = create_api_token(user=world.member, name="test", ip="127.0.0.1")
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {plain}")
    client.get("/api/v1/feed")  # warm the grant cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/feed").status_code == 200
    # token + user, then the top block and one stream page
    assert len(ctx.captured_queries) <= 5, [q["sql"][:80] for q in ctx.captured_queries]
    assert Document.objects.count() == 0
