"""The home feed on a phone: a pinned post and an unread required document come first,
then news and documents of the member's branch and every level above, newest first,
with unread marks; scrolling to the end loads the next page through htmx; reading an
item clears its mark."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.helpers import WIDTH, is_nfc, scroll_width, shoot, sign_in

pytestmark = pytest.mark.e2e


def _content(world):
    from sotay.documents import services as doc_services
    from sotay.documents.models import Document
    from sotay.documents.testing import make_document
    from sotay.news.models import Post
    from sotay.news.testing import make_post

    start = timezone.now() - dt.timedelta(days=30)
    for i in range(26):
        post = make_post(world, world.commune, title=f"Tin phường An Hòa số {i + 1}")
        Post.objects.filter(pk=post.pk).update(publish_at=start + dt.timedelta(hours=i))
    plan = make_document(world, world.branch, title="Kế hoạch sinh hoạt chi bộ tháng 12")
    Document.objects.filter(pk=plan.pk).update(published_at=timezone.now() - dt.timedelta(hours=1))
    make_post(world, world.sibling, title="Tin riêng của Chi bộ Khu phố 2")
    make_post(world, world.province, title="Thông báo của Thành ủy về Tết", pinned=True)
    required = make_document(world, world.province, title="Chỉ thị về đợt sinh hoạt chính trị")
    doc_services.require_reading(
        actor=world.admin,
        document=required,
        organization=world.province,
        due_on=timezone.localdate() + dt.timedelta(days=7),
    )
    return required


@pytest.fixture(params=["computed", "kept"])
def pages_kept(request, settings):
    """The feed as computed per request, and with the shared cache (Redis in production):
    scope pages shared and each member's page kept whole (core.home_page)."""
    if request.param == "kept":
        from django.core.cache import cache

        settings.SOTAY_SHARED_CACHE = True
        cache.clear()
        yield True
        cache.clear()
    else:
        yield False


def test_a_member_reads_the_feed_scrolls_for_more_and_reading_clears_the_mark(
    page, server, world, pages_kept, monkeypatch
):
    required = _content(world)
    sign_in(page, server, world.member.username)
    page.goto(server + "/")

    head = page.locator(".feed-head .feed-item")
    expect(head).to_have_count(2)
    expect(head.nth(0)).to_contain_text("Thông báo của Thành ủy về Tết")
    expect(head.nth(0)).to_contain_text("Tin ghim")
    expect(head.nth(1)).to_contain_text("Chỉ thị về đợt sinh hoạt chính trị")
    expect(head.nth(1)).to_contain_text("Hạn đọc")

    stream = page.locator("section.feed:not(.feed-head) .feed-item")
    # The first page of 20 held the required document too: it is shown once, on top.
    expect(stream).to_have_count(19)
    expect(stream.first).to_contain_text("Kế hoạch sinh hoạt chi bộ tháng 12")
    expect(stream.first).to_contain_text("Chưa đọc")
    expect(stream.nth(1)).to_contain_text("Tin phường An Hòa số 26")
    assert "Chi bộ Khu phố 2" not in page.locator("main").inner_text()
    assert is_nfc(page.locator("main").inner_text())
    assert scroll_width(page) <= WIDTH
    if pages_kept:
        # The second opening: the browser revalidates its copy and the server, finding
        # the kept page unchanged, answers 304 without a body.
        # (Playwright reports the cached copy's 200, so the server's answer is counted.)
        from sotay.core import home_page

        answers = []
        real = home_page.respond
        monkeypatch.setattr(
            home_page, "respond", lambda *a: answers.append(real(*a)) or answers[-1]
        )
        page.reload()
        monkeypatch.undo()
        assert [r.status_code for r in answers] == [304]
        expect(stream).to_have_count(19)
    shoot(page, "home_feed_kept" if pages_kept else "home_feed")

    # The end of the first page is revealed: htmx fetches the next one in place.
    page.locator(".feed-more").scroll_into_view_if_needed()
    expect(stream).to_have_count(27)  # 26 posts + the plan; the required one sits on top
    expect(stream.last).to_contain_text("Tin phường An Hòa số 1")
    expect(page.locator(".feed-more")).to_have_count(0)

    page.goto(server + "/")
    with page.expect_navigation():
        head.nth(1).locator("a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Chỉ thị về đợt sinh hoạt")
    page.goto(server + "/")
    # Read: off the top block, and unmarked where it stands in the stream.
    expect(head).to_have_count(1)
    item = stream.filter(has_text="Chỉ thị về đợt sinh hoạt chính trị")
    expect(item).to_have_count(1)
    expect(item).not_to_contain_text("Chưa đọc")
    assert required.pk
