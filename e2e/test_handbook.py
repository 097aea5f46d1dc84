"""A member opens the procedures handbook on a phone, searches it typing without
diacritics, opens the page on writing minutes and jumps through its contents."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import WIDTH, is_nfc, path_of, scroll_width, shoot, sign_in

pytestmark = pytest.mark.e2e


def test_member_searches_the_handbook_and_uses_the_contents(page, server, world):
    from sotay.handbook.demo import seed_handbook

    seed_handbook()
    sign_in(page, server, world.member.username)
    with page.expect_navigation():
        page.get_by_role("link", name="Sổ tay nghiệp vụ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sổ tay nghiệp vụ")
    tree = page.locator(".hb-tree").first
    expect(tree).to_contain_text("Kết nạp đảng viên")
    assert scroll_width(page) <= WIDTH
    shoot(page, "handbook_index")

    page.get_by_label("Tìm trong sổ tay").fill("bien ban")
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm", exact=True).click()
    results = page.locator(".doc-item")
    expect(results.first).to_contain_text("Ghi biên bản sinh hoạt chi bộ")
    assert is_nfc(results.first.inner_text())
    with page.expect_navigation():
        results.first.locator("a").click()
    assert path_of(page) == "/so-tay/ghi-bien-ban-sinh-hoat-chi-bo/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Ghi biên bản sinh hoạt chi bộ")
    crumbs = page.get_by_role("navigation", name="Vị trí trang")
    expect(crumbs).to_contain_text("Sinh hoạt chi bộ")

    contents = page.get_by_role("navigation", name="Nội dung trang")
    expect(contents).to_contain_text("Số đảng viên")
    contents.get_by_role("link", name="Kết thúc").click()
    page.wait_for_function("location.hash === '#muc-ket-thuc'")
    heading = page.locator("#muc-ket-thuc")
    expect(heading).to_be_in_viewport()
    expect(page.get_by_role("navigation", name="Trang cùng mục")).to_contain_text(
        "Biểu quyết và tỉ lệ tán thành"
    )
    expect(page.get_by_role("heading", name="Căn cứ")).to_be_visible()
    assert scroll_width(page) <= WIDTH
    assert "Quản lý trang" not in page.content()
    # The picture from the top: the sticky header would otherwise be drawn where the
    # contents link scrolled to.
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "handbook_page")

    # The library's one search box finds the handbook page too.
    page.goto(server + "/van-ban/")
    page.get_by_role("searchbox").fill("ket nap dang vien")
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm", exact=True).click()
    hits = page.locator(".handbook-hits .doc-item")
    expect(hits.first).to_contain_text("Kết nạp đảng viên")
    assert scroll_width(page) <= WIDTH
    shoot(page, "documents_search_handbook")
    with page.expect_navigation():
        hits.first.locator("a").click()
    assert path_of(page).startswith("/so-tay/")


def test_admin_writes_a_page_and_moves_it_on_a_phone(page, server, world):
    from sotay.handbook.demo import seed_handbook
    from sotay.handbook.models import Page

    seed_handbook()
    sign_in(page, server, world.admin.username)
    page.goto(server + "/so-tay/sinh-hoat-chi-bo/")
    with page.expect_navigation():
        page.get_by_role("button", name="+ Trang con").click()
    page.get_by_label("Tiêu đề").fill("Sinh hoạt chuyên đề")
    page.get_by_label("Nội dung").fill(
        '<h2>Khi nào</h2><p onclick="x()">Thực tiễn phổ biến: mỗi quý một lần.</p>'
        "<script>alert(1)</script>"
    )
    assert scroll_width(page) <= WIDTH
    shoot(page, "handbook_new")
    with page.expect_navigation():
        page.get_by_role("button", name="Tạo trang").click()
    expect(page.locator(".msg-success")).to_have_text("Đã lưu bản nháp.")
    expect(page.locator(".msg-warning")).to_contain_text("Bản nháp")
    created = Page.objects.get(slug="sinh-hoat-chuyen-de")
    assert "onclick" not in created.body and "script" not in created.body
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng trang").click()
    expect(page.locator(".msg-success")).to_have_text("Đã đăng trang.")
    with page.expect_navigation():
        page.get_by_role("button", name="↑ Lên trên").click()
    created.refresh_from_db()
    assert created.published and created.position == 2
    shoot(page, "handbook_manage")

    with page.expect_navigation():
        page.get_by_role("button", name="Sửa trang").click()
    page.get_by_label("Trang cha").select_option(label="Công tác đảng viên")
    page.get_by_label("Vị trí trong các trang cùng cấp").fill("1")
    assert scroll_width(page) <= WIDTH
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "handbook_edit")
    with page.expect_navigation():
        page.get_by_role("button", name="Chuyển").click()
    expect(page.locator(".msg-success")).to_have_text("Đã chuyển trang.")
    expect(page.get_by_role("navigation", name="Vị trí trang")).to_contain_text(
        "Công tác đảng viên"
    )
    created.refresh_from_db()
    assert created.parent.slug == "cong-tac-dang-vien" and created.position == 1
