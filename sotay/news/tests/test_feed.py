"""The home feed: scope, order, pinned and required first, unread marks, keyset pages,
and its cost in SQL statements."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sotay.accounts.permissions import grants_for
from sotay.core.testing import PERSONAS
from sotay.documents import services as doc_services
from sotay.documents.models import AudienceLevel, Document
from sotay.documents.queries import documents_visible_to
from sotay.documents.testing import make_document
from sotay.news import feed
from sotay.news import services as news_services
from sotay.news.models import Post
from sotay.news.queries import posts_visible_to

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


def make_post(world, org, title, *, at=None, pinned=False):
    post = news_services.create_draft(
        actor=world.admin,
        title=title,
        summary="Tóm tắt " + title,
        body="<p>Nội dung</p>",
        audience_org=org,
    )
    post = news_services.publish(actor=world.admin, post=post)
    if pinned:
        post = news_services.pin(actor=world.admin, post=post)
    if at is not None:
        Post.objects.filter(pk=post.pk).update(publish_at=at)
    return post


def doc_at(world, org, title, at, **fields):
    document = make_document(world, org, title=title, **fields)
    Document.objects.filter(pk=document.pk).update(published_at=at)
    return document


@pytest.fixture
def content(world):
    """Something addressed to every level around branch B1, one hour apart."""
    hour = dt.timedelta(hours=1)
    return {
        "doc_province": doc_at(world, world.province, "Nghị quyết thành phố", T0),
        "post_commune": make_post(world, world.commune, "Tin phường An Hòa", at=T0 + hour),
        "doc_branch": doc_at(world, world.branch, "Kế hoạch chi bộ 1", T0 + 2 * hour),
        "doc_committee": doc_at(
            world,
            world.commune,
            "Hướng dẫn nội bộ cấp ủy",
            T0 + 3 * hour,
            audience_level=AudienceLevel.COMMITTEE,
        ),
        "doc_sibling": doc_at(world, world.sibling, "Kế hoạch chi bộ 2", T0 + 4 * hour),
        "post_commune2": make_post(world, world.commune2, "Tin xã Bình Minh", at=T0 + 5 * hour),
        "doc_other": doc_at(world, world.other_province, "Văn bản tỉnh khác", T0 + 6 * hour),
        "draft": make_document(world, world.branch, publish=False, title="Dự thảo chi bộ"),
    }


def titles(items):
    return [i.title for i in items]


def test_a_member_reads_own_branch_and_every_level_above_newest_first(world, content):
    items, cursor = feed.stream(world.member)
    assert titles(items) == [
        "Kế hoạch chi bộ 1",
        "Tin phường An Hòa",
        "Nghị quyết thành phố",
    ]
    assert cursor is None
    assert [i.kind for i in items] == [feed.DOC, feed.POST, feed.DOC]


def test_committee_only_documents_show_for_the_committee_never_for_members(world, content):
    assert "Hướng dẫn nội bộ cấp ủy" not in titles(feed.stream(world.member)[0])
    assert "Hướng dẫn nội bộ cấp ủy" not in titles(feed.stream(world.probationary)[0])
    assert "Hướng dẫn nội bộ cấp ủy" in titles(feed.stream(world.secretary)[0])
    assert "Hướng dẫn nội bộ cấp ủy" in titles(feed.stream(world.commune_officer)[0])


def test_the_sibling_branch_never_sees_ours(world, content):
    seen = titles(feed.stream(world.outsider)[0])
    assert "Kế hoạch chi bộ 2" in seen
    assert "Kế hoạch chi bộ 1" not in seen
    assert "Tin xã Bình Minh" not in seen


@pytest.mark.parametrize("persona", PERSONAS)
def test_nothing_in_the_feed_is_outside_what_the_reader_may_open(world, content, persona):
    user = world.persona(persona)
    head, items, _ = feed.first_page(user)
    docs = set(documents_visible_to(user).values_list("pk", flat=True))
    posts = set(posts_visible_to(user).values_list("pk", flat=True))
    for item in head + items:
        assert item.id in (docs if item.kind == feed.DOC else posts), (persona, item.title)
    assert "Dự thảo chi bộ" not in titles(items)
    assert "Văn bản tỉnh khác" not in titles(items)


def test_a_pending_account_has_an_empty_feed(world, content):
    assert feed.first_page(world.pending) == ([], [], None)


def test_a_scheduled_post_appears_only_when_its_time_comes(world):
    post = make_post(world, world.branch, "Tin hẹn giờ")
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() + dt.timedelta(hours=2))
    assert "Tin hẹn giờ" not in titles(feed.stream(world.member)[0])
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - dt.timedelta(minutes=1))
    assert "Tin hẹn giờ" in titles(feed.stream(world.member)[0])


def test_pinned_posts_and_unread_required_documents_come_first(world, content):
    make_post(world, world.province, "Thông báo ghim của Thành ủy", pinned=True)
    required = content["doc_province"]
    later = doc_at(world, world.commune, "Chỉ thị phải đọc sớm", T0 - dt.timedelta(days=3))
    today = timezone.localdate()
    doc_services.require_reading(
        actor=world.admin,
        document=required,
        organization=world.commune,
        due_on=today + dt.timedelta(days=10),
    )
    doc_services.require_reading(
        actor=world.admin, document=later, organization=world.branch, due_on=today
    )
    # A second requirement of the same document (for the province) shows it once.
    doc_services.require_reading(
        actor=world.admin,
        document=required,
        organization=world.province,
        due_on=today + dt.timedelta(days=20),
    )
    head, items, _ = feed.first_page(world.member)
    assert titles(head) == [
        "Thông báo ghim của Thành ủy",
        "Chỉ thị phải đọc sớm",
        "Nghị quyết thành phố",
    ]
    assert head[0].pinned and head[1].due_on == today
    assert head[2].due_on == today + dt.timedelta(days=10)
    # Shown on top, so not again below; the pinned post stays out of the stream.
    assert "Nghị quyết thành phố" not in titles(items)
    assert "Thông báo ghim của Thành ủy" not in titles(items)

    doc_services.record_read(user=world.member, document=later)
    head, items, _ = feed.first_page(world.member)
    assert "Chỉ thị phải đọc sớm" not in titles(head)
    # A sibling branch is not under the branch requirement.
    assert "Chỉ thị phải đọc sớm" not in titles(feed.top(world.outsider))


def test_unread_marks_follow_read_receipts(world, content):
    items, _ = feed.stream(world.member)
    assert all(i.unread for i in items)
    doc_services.record_read(user=world.member, document=content["doc_branch"])
    news_services.record_read(user=world.member, post=content["post_commune"])
    marks = {i.title: i.unread for i in feed.stream(world.member)[0]}
    assert marks == {
        "Kế hoạch chi bộ 1": False,
        "Tin phường An Hòa": False,
        "Nghị quyết thành phố": True,
    }
    # Someone else's reading changes nothing for this member.
    assert all(i.unread for i in feed.stream(world.secretary)[0] if "cấp ủy" in i.title)


def test_keyset_pages_walk_everything_once_in_order_even_with_equal_times(world):
    same = T0 + dt.timedelta(days=1)
    expected = []
    for n in range(23):
        at = same if n % 3 == 0 else T0 + dt.timedelta(minutes=n)
        doc = doc_at(world, world.commune, f"Văn bản {n}", at)
        expected.append((at, feed.DOC, doc.pk))
    for n in range(22):
        at = same if n % 4 == 0 else T0 + dt.timedelta(minutes=n, seconds=30)
        post = make_post(world, world.branch, f"Tin {n}", at=at)
        expected.append((at, feed.POST, post.pk))
    expected.sort(reverse=True)

    seen, cursor, pages = [], None, 0
    while True:
        items, next_cursor = feed.stream(world.member, feed.decode_cursor(cursor))
        pages += 1
        assert len(items) <= feed.PAGE
        seen.extend((i.at, i.kind, i.id) for i in items)
        if next_cursor is None:
            break
        cursor = next_cursor
    assert pages == 3
    assert seen == expected


@pytest.mark.parametrize("bad", ["", "x", "2026-01-01~z~1", "nope~d~1", "2026-01-01~d~x", "a~b"])
def test_a_broken_cursor_means_the_first_page(bad):
    assert feed.decode_cursor(bad) is None


def test_the_feed_is_two_statements_whatever_the_depth(world, content):
    grants_for(world.secretary)  # per request, before the feed
    with CaptureQueriesContext(connection) as ctx:
        feed.top(world.secretary)
    assert len(ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        feed.stream(world.secretary)
    assert len(ctx.captured_queries) == 1


# ----- the page ------------------------------------------------------------------------


@pytest.fixture
def many(world):
    for n in range(30):
        doc_at(world, world.commune, f"Văn bản số {n:02d}", T0 + dt.timedelta(minutes=n))


def test_the_home_page_shows_the_first_20_and_a_link_to_more(world, many, client):
    client.force_login(world.member)
    page = client.get("/").content.decode()
    assert page.count('class="feed-item') == 20
    assert "Văn bản số 29" in page and "Văn bản số 09" not in page
    assert "?sau=" in page and 'hx-trigger="revealed"' in page
    assert page.count("Chưa đọc") >= 20


def test_scrolling_fetches_the_next_items_as_a_fragment(world, many, client):
    client.force_login(world.member)
    first, cursor = feed.stream(world.member)
    nxt = client.get("/", {"sau": cursor}, HTTP_HX_REQUEST="true")
    body = nxt.content.decode()
    assert nxt.status_code == 200 and "<html" not in body
    assert body.count('class="feed-item') == 10
    assert "Văn bản số 09" in body and "Văn bản số 10" not in body
    assert "?sau=" not in body  # the end
    # Without JavaScript the same link is a full page.
    full = client.get("/", {"sau": cursor}).content.decode()
    assert "<html" in full and "Văn bản số 00" in full and "Tin và văn bản cũ hơn" in full


@pytest.mark.parametrize("bad", ["rác", "2026-13-45~d~1", "~~", "x" * 3000])
def test_a_broken_cursor_shows_the_first_page(world, many, client, bad):
    client.force_login(world.member)
    response = client.get("/", {"sau": bad})
    assert response.status_code == 200
    assert "Văn bản số 29" in response.content.decode()


def test_opening_an_item_clears_its_unread_mark(world, content, client):
    client.force_login(world.member)
    client.get(f"/van-ban/{content['doc_branch'].pk}/")
    client.get(f"/tin-tuc/{content['post_commune'].pk}/")
    marks = {i.title: i.unread for i in feed.stream(world.member)[0]}
    assert marks["Kế hoạch chi bộ 1"] is False and marks["Tin phường An Hòa"] is False
    assert marks["Nghị quyết thành phố"] is True


@pytest.mark.parametrize("persona", ["member", "secretary", "commune_officer"])
def test_the_home_page_costs_at_most_three_statements_with_the_shared_cache(
    world, content, client, settings, persona
):
    """P2: ≤ 5 SQL statements a page. In production the cache is shared (Redis): the
    session, role grants and unread count come from it; the page reads the user with
    their member and organisation (one statement), the top block and one stream page."""
    settings.SOTAY_SHARED_CACHE = True
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    doc_services.require_reading(
        actor=world.admin,
        document=content["doc_province"],
        organization=world.commune,
        due_on=timezone.localdate(),
    )
    client.force_login(world.persona(persona))
    client.get("/")  # warms the per-user cache entries
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    assert "Nghị quyết thành phố" in response.content.decode()
    assert len(ctx.captured_queries) <= 3, [q["sql"][:80] for q in ctx.captured_queries]
    cursor = feed.encode_cursor(feed.stream(world.member)[0][0])
    with CaptureQueriesContext(connection) as ctx:
        client.get("/", {"sau": cursor}, HTTP_HX_REQUEST="true")
    assert len(ctx.captured_queries) <= 2, [q["sql"][:80] for q in ctx.captured_queries]


def test_without_a_shared_cache_the_home_page_costs_at_most_seven_statements(
    world, content, client
):
    """Database sessions, no shared cache: session, user with member and organisation,
    the role grants (seats and explicit grants in one statement), the top block, one
    stream page, the study programmes due (learning's home block); the unread-notice
    count for the bell is the seventh only because no shared cache keeps it. With the
    shared cache (production) the page costs three: see the test above."""
    client.force_login(world.secretary)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    sql = [q["sql"][:80] for q in ctx.captured_queries]
    assert len(sql) <= 7, sql
    assert sum("notifications_receipt" in q for q in sql) == 1


def test_each_item_links_to_its_reader(world, content):
    from django.urls import reverse

    items, _ = feed.stream(world.member)
    for item in items:
        name = "news:detail" if item.is_post else "documents:detail"
        assert item.url == reverse(name, args=[item.id])
