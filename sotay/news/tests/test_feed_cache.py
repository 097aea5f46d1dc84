# ruff: noqa: F811 - `content` is the fixture of test_feed, imported to be shared
"""The home feed's first page shared per audience scope (news.feed_cache): the same
items, order and marks as the page computed for one reader, one statement of the
reader's own, and invalidated by what can change it."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotay.core.cache import home_reads_changed
from sotay.core.testing import PERSONAS
from sotay.documents import services as doc_services
from sotay.documents.testing import make_document
from sotay.news import feed, feed_cache
from sotay.news import services as news_services
from sotay.news.tests.test_feed import content, doc_at, make_post  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

TITLE = re.compile(r'<strong class="feed-title">(.*?)</strong>')


@pytest.fixture
def builds(monkeypatch):
    """How many times a scope's page was computed."""
    calls = []
    real = feed_cache._build

    def counting(scope, now):
        calls.append(scope)
        return real(scope, now)

    monkeypatch.setattr(feed_cache, "_build", counting)
    return calls


def sections(html):
    """Titles on top and in the stream, and the titles marked unread."""
    head, _, rest = html.partition('id="feed-h"')
    head_titles = TITLE.findall(head.split('id="head-h"', 1)[1]) if 'id="head-h"' in head else []
    unread = [
        TITLE.search(article).group(1)
        for article in re.findall(r'<article class="feed-item unread.*?</article>', html, re.S)
    ]
    return head_titles, TITLE.findall(rest), unread


def page(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return sections(response.content.decode())


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_shared_page_shows_what_the_readers_own_page_shows(
    world, content, client, shared, persona
):
    user = world.persona(persona)
    if user.status != "active":
        pytest.skip("a pending account never reaches the feed")
    make_post(world, world.province, "Thông báo ghim của Thành ủy", pinned=True)
    doc_services.require_reading(
        actor=world.admin,
        document=content["doc_province"],
        organization=world.commune,
        due_on=timezone.localdate(),
    )
    doc_services.record_read(user=world.member, document=content["doc_branch"])
    head, items, _ = feed.first_page(user)
    shown_head, shown_items, unread = page(client, user)
    assert shown_head == [i.title for i in head]
    assert shown_items == [i.title for i in items]
    assert set(unread) == {i.title for i in head + items if i.unread}


def test_two_members_of_a_branch_share_one_build_with_their_own_marks(
    world, content, client, shared, builds
):
    doc_services.record_read(user=world.member, document=content["doc_branch"])
    _, items, unread = page(client, world.member)
    assert "Kế hoạch chi bộ 1" in items and "Kế hoạch chi bộ 1" not in unread
    _, items2, unread2 = page(client, world.probationary)
    assert items2 == items
    assert "Kế hoạch chi bộ 1" in unread2
    assert len(builds) == 1  # the second member's page came from the first one's build


def test_a_readers_page_costs_one_statement_once_the_scope_is_built(
    world, content, client, shared, django_capture_on_commit_callbacks
):
    client.force_login(world.probationary)
    client.get("/")  # builds the scope's page and the reader's cached entries
    client.force_login(world.member)
    client.get("/")  # the session user and grants of this reader
    with django_capture_on_commit_callbacks(execute=True):
        home_reads_changed(world.member.pk)  # so the member's kept page is not served
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) == 1, sql
    assert "documents_documentread" in sql[0] and "news_postread" in sql[0]


def test_required_reading_leaves_the_top_once_read_for_that_reader_only(
    world, content, client, shared, django_capture_on_commit_callbacks
):
    doc_services.require_reading(
        actor=world.admin,
        document=content["doc_province"],
        organization=world.branch,
        due_on=timezone.localdate(),
    )
    head, items, _ = page(client, world.member)
    assert head == ["Nghị quyết thành phố"] and "Nghị quyết thành phố" not in items
    with django_capture_on_commit_callbacks(execute=True):  # the reader's kept page goes
        doc_services.record_read(user=world.member, document=content["doc_province"])
    head, items, unread = page(client, world.member)
    assert head == [] and "Nghị quyết thành phố" in items
    assert "Nghị quyết thành phố" not in unread
    assert page(client, world.probationary)[0] == ["Nghị quyết thành phố"]


def test_scopes_never_mix(world, content, client, shared):
    """The committee-only document and the sibling branch's plan stay where they belong
    even though every page comes from the shared cache."""
    secretary_items = page(client, world.secretary)[1]
    member_items = page(client, world.member)[1]
    outsider_items = page(client, world.outsider)[1]
    assert "Hướng dẫn nội bộ cấp ủy" in secretary_items
    assert "Hướng dẫn nội bộ cấp ủy" not in member_items
    assert "Kế hoạch chi bộ 2" in outsider_items and "Kế hoạch chi bộ 2" not in member_items
    assert "Kế hoạch chi bộ 1" not in outsider_items


def test_publishing_shows_on_the_next_page_after_the_commit(
    world, content, client, shared, django_capture_on_commit_callbacks
):
    assert "Nghị quyết mới ban hành" not in page(client, world.member)[1]
    with django_capture_on_commit_callbacks(execute=True):
        make_document(world, world.province, title="Nghị quyết mới ban hành")
    assert page(client, world.member)[1][0] == "Nghị quyết mới ban hành"
    with django_capture_on_commit_callbacks(execute=True):
        post = make_post(world, world.commune, "Tin vừa đăng")
    assert page(client, world.member)[1][0] == "Tin vừa đăng"
    with django_capture_on_commit_callbacks(execute=True):
        news_services.withdraw(actor=world.admin, post=post, reason="Đăng nhầm")
    assert "Tin vừa đăng" not in page(client, world.member)[1]


def test_a_change_rebuilds_only_the_pages_of_the_scopes_that_read_it(
    world, content, client, shared, builds, django_capture_on_commit_callbacks
):
    page(client, world.member)  # branch B1
    page(client, world.outsider)  # branch B2
    assert len(builds) == 2
    with django_capture_on_commit_callbacks(execute=True):
        make_document(world, world.sibling, title="Kế hoạch riêng chi bộ 2")
    page(client, world.member)
    assert len(builds) == 2  # B2's document leaves B1's page as it was
    assert page(client, world.outsider)[1][0] == "Kế hoạch riêng chi bộ 2"
    assert len(builds) == 3
    with django_capture_on_commit_callbacks(execute=True):
        make_document(world, world.commune, title="Văn bản của phường")
    assert page(client, world.member)[1][0] == "Văn bản của phường"
    assert page(client, world.outsider)[1][0] == "Văn bản của phường"
    assert len(builds) == 5  # the commune's document: both branches below it


def test_without_the_commit_the_shared_page_is_kept(world, content, client, shared):
    """The epoch moves on commit only: a page built inside an uncommitted change
    cannot be cached under the new epoch (nothing here commits, so it stays)."""
    page(client, world.member)
    make_document(world, world.province, title="Chưa cam kết")
    assert "Chưa cam kết" not in page(client, world.member)[1]


def midday():
    """The next local noon from now: a moment whose next hour is the same day. The page's
    key holds the day, so a test that moves the clock by up to an hour from a real "now"
    after 23:00 local time would see another day's page (CI runs at any hour)."""
    now = timezone.localtime()
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    return noon if noon >= now else noon + dt.timedelta(days=1)


@pytest.mark.parametrize("pinned", [False, True])
def test_a_scheduled_post_appears_at_its_time_and_the_page_is_kept_until_then(
    world, content, client, shared, builds, monkeypatch, pinned
):
    post = make_post(world, world.commune, "Tin hẹn giờ", pinned=pinned)
    due = midday() + dt.timedelta(minutes=30)
    post.publish_at = due
    post.save(update_fields=["publish_at"])

    def shown_at(moment):
        monkeypatch.setattr(feed.timezone, "now", lambda: moment)
        head, items, _ = page(client, world.member)
        return "Tin hẹn giờ" in head + items

    assert not shown_at(due - dt.timedelta(minutes=29))
    assert not shown_at(due - dt.timedelta(seconds=1))
    assert len(builds) == 1  # nothing changed: the page was kept for 29 minutes
    assert shown_at(due + dt.timedelta(seconds=1))
    assert len(builds) == 2


def test_a_scope_with_nothing_scheduled_keeps_its_page_for_the_whole_ttl(
    world, content, client, shared, builds, monkeypatch
):
    start = midday()
    monkeypatch.setattr(feed.timezone, "now", lambda: start)
    page(client, world.member)
    monkeypatch.setattr(
        feed.timezone, "now", lambda: start + dt.timedelta(seconds=feed_cache.SCOPE_TTL - 5)
    )
    page(client, world.member)
    assert len(builds) == 1
    monkeypatch.setattr(
        feed.timezone, "now", lambda: start + dt.timedelta(seconds=feed_cache.SCOPE_TTL + 5)
    )
    page(client, world.member)
    assert len(builds) == 2


def test_without_a_shared_cache_the_page_is_computed_per_reader(world, content, builds, client):
    page(client, world.member)
    assert builds == []
    assert feed_cache.first_page(world.member) is None


def test_an_item_shared_by_two_scopes_is_rendered_once(world, content, client, shared, monkeypatch):
    """The province's resolution is on every branch's page; the second branch's build
    takes the first one's rendering of it (news.feed_cache._render_item)."""
    feed_cache._rendered.clear()
    rendered = []
    real = feed_cache.render_to_string

    def counting(name, context):
        if "item" in context:
            rendered.append(context["item"].title)
        return real(name, context)

    monkeypatch.setattr(feed_cache, "render_to_string", counting)
    page(client, world.member)  # branch B1
    page(client, world.outsider)  # branch B2, same province
    assert rendered.count("Nghị quyết thành phố") == 2  # unread and read, once each
    assert rendered.count("Kế hoạch chi bộ 1") == 2 and rendered.count("Kế hoạch chi bộ 2") == 2
    feed_cache._rendered.clear()
