"""A member switches the app to English on a phone and reads the library, a document,
the news, the handbook and the branch meetings in English; the layout still fits 390 px."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import WIDTH, path_of, scroll_width, shoot, sign_in

pytestmark = pytest.mark.e2e


def _go(page, url: str) -> None:
    page.goto(url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert scroll_width(page) <= WIDTH, url


def test_member_reads_the_app_in_english(page, server, world):
    from sotay.documents.testing import make_document
    from sotay.handbook.testing import make_page
    from sotay.meetings.testing import meetings_for_matrix
    from sotay.news.testing import make_post

    document = make_document(
        world, world.branch, symbol="12-NQ/CB", title="Nghị quyết về xây dựng chi bộ vững mạnh"
    )
    make_post(world, world.branch, title="Chi bộ ra quân dọn vệ sinh khu phố")
    handbook = make_page(
        world,
        "Ghi biên bản sinh hoạt chi bộ",
        body="<h2>Số đảng viên</h2><p>Ghi đủ số.</p><h2>Biểu quyết</h2><p>Ghi kết quả.</p>",
    )
    make_page(world, "Biểu quyết", parent=handbook)
    meeting = meetings_for_matrix(world)["meeting_announced"]

    sign_in(page, server, world.member.username)
    page.goto(server + "/tai-khoan/ca-nhan/")
    with page.expect_navigation():
        page.get_by_role("button", name="English", exact=True).click()

    _go(page, server + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, comrade Nguyễn Văn An")
    expect(page.get_by_role("navigation", name="Shortcuts")).to_contain_text("Procedures handbook")
    shoot(page, "english_home")

    _go(page, server + "/van-ban/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    expect(page.get_by_label("Search documents")).to_be_visible()
    shoot(page, "english_library")

    with page.expect_navigation():
        page.get_by_role("link", name="Nghị quyết về xây dựng chi bộ vững mạnh").click()
    assert path_of(page) == f"/van-ban/{document.pk}/"
    expect(page.locator(".reader header .doc-meta")).to_have_text("Resolution No. 12-NQ/CB")
    expect(page.locator(".doc-facts dt").first).to_have_text("Issuing body")
    with page.expect_navigation():
        page.get_by_role("button", name="☆ Read later").click()
    expect(page.get_by_text("Saved to Read later.")).to_be_visible()
    expect(page.get_by_role("button", name="★ Saved to read later")).to_be_visible()
    assert scroll_width(page) <= WIDTH
    shoot(page, "english_document")

    _go(page, server + "/tin-tuc/")
    expect(page.get_by_role("heading", level=1)).to_have_text("News")
    expect(page.locator(".news-item").first).to_contain_text("Chi bộ ra quân dọn vệ sinh khu phố")
    shoot(page, "english_news")

    _go(page, server + f"/so-tay/{handbook.slug}/")
    expect(page.get_by_role("navigation", name="Page location")).to_contain_text(
        "Procedures handbook"
    )
    expect(page.get_by_role("navigation", name="On this page")).to_contain_text("Biểu quyết")
    expect(page.get_by_role("heading", name="Pages in this section")).to_be_visible()
    shoot(page, "english_handbook_page")

    _go(page, server + "/sinh-hoat/")
    expect(page.get_by_role("heading", name="Upcoming and in session")).to_be_visible()
    expect(page.locator(".meeting-item").first).to_contain_text("Regular branch meeting")
    shoot(page, "english_meetings")

    _go(page, server + f"/sinh-hoat/{meeting.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(meeting.topic)
    expect(page.get_by_role("link", name="Add to phone calendar (.ics)")).to_be_visible()
    shoot(page, "english_meeting")
