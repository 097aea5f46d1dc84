"""Reading pages: the organisation tree (htmx, and without JavaScript), the
organisation page and the member search."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import WIDTH, path_of, scroll_width, shoot, sign_in

pytestmark = pytest.mark.e2e


def test_tree_browser_loads_children_on_demand(page, server, world):
    sign_in(page, server, world.province_officer.username)
    page.goto(server + "/to-chuc/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổ chức đảng")
    roots = page.locator("ul#tree > li")
    expect(roots).to_have_count(1)
    expect(roots.first).to_contain_text("Đảng bộ Thành phố Thử nghiệm")
    expect(page.get_by_text("Đảng bộ Tỉnh Khác")).to_have_count(0)  # another province
    kids = page.locator(f"ul#kids-{world.province.pk}")
    expect(kids.locator("li")).to_have_count(0)  # nothing loaded before asked

    # A marker on window survives only if no full page load happens.
    page.evaluate("window.__e2eMarker = 'still here'")
    tree_url = page.url
    toggle = page.locator(f"li#org-{world.province.pk} > .node a.toggle")
    expect(toggle).to_have_text("+")
    toggle.click()
    expect(kids.locator(":scope > li")).to_have_count(2)
    expect(kids).to_contain_text("Đảng bộ phường An Hòa")
    expect(kids).to_contain_text("Đảng bộ xã Bình Minh")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert page.url == tree_url
    assert page.evaluate("window.__e2eMarker") == "still here"

    # One level deeper, still in place.
    page.locator(f"li#org-{world.commune.pk} > .node a.toggle").click()
    grandkids = page.locator(f"ul#kids-{world.commune.pk}")
    expect(grandkids).to_contain_text("Chi bộ Khu phố 1")
    expect(grandkids).to_contain_text("Chi bộ Khu phố 2")
    assert page.url == tree_url
    assert page.evaluate("window.__e2eMarker") == "still here"

    # A second click folds the branch away; a third unfolds it without a new request.
    expect(toggle).to_have_text("−")
    toggle.click()
    expect(kids).to_be_hidden()
    expect(toggle).to_have_text("+")
    toggle.click()
    expect(kids).to_be_visible()
    expect(kids.locator(":scope > li")).to_have_count(2)
    assert scroll_width(page) <= WIDTH
    shoot(page, "tree")

    with page.expect_navigation():
        kids.get_by_role("link", name="Đảng bộ phường An Hòa").click()
    assert path_of(page) == f"/to-chuc/{world.commune.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Đảng bộ phường An Hòa")
    # B1: An, Bình (dự bị), Cường, Lan; B2: Dung, Giang, Khánh.
    expect(page.locator("#counts-h")).to_have_text("Đảng viên (7)")
    expect(page.locator(".stat").filter(has_text="Chính thức")).to_contain_text("6")
    expect(page.locator(".stat").filter(has_text="Dự bị")).to_contain_text("1")
    committee = page.locator("section[aria-labelledby=committee-h]")
    expect(committee).to_contain_text("Cấp ủy viên: Phạm Thị Dung")
    children_section = page.locator("section[aria-labelledby=children-h]")
    expect(children_section.locator("h2")).to_have_text("Tổ chức trực thuộc")
    expect(children_section.locator("ul.tree > li")).to_have_count(2)
    ancestors = page.get_by_role("navigation", name="Cấp trên")
    expect(ancestors).to_contain_text("Đảng bộ Thành phố Thử nghiệm")
    assert scroll_width(page) <= WIDTH
    shoot(page, "organization")


def test_member_search_ignores_diacritics(page, server, world):
    sign_in(page, server, world.secretary.username)
    page.goto(server + "/dang-vien/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tra cứu đảng viên")
    rows = page.locator("#rows li")
    expect(rows.filter(has_text="Trần Thị Bình")).to_have_count(1)  # the branch roll
    expect(page.locator("#rows")).not_to_contain_text("Phạm Thị Dung")  # sibling branch

    # Typing narrows the list in place (htmx), without a page load.
    page.evaluate("window.__e2eMarker = 'still here'")
    search_box = page.get_by_label("Họ tên (gõ có dấu hoặc không dấu) hoặc số thẻ")
    search_box.press_sequentially("nguyen van an", delay=20)
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link")).to_have_text("Nguyễn Văn An")
    assert page.evaluate("window.__e2eMarker") == "still here"

    # The same search as a plain link (what the Tìm button submits), and đ folded to d.
    page.goto(server + "/dang-vien/?q=nguyen+van+an")
    expect(search_box).to_have_value("nguyen van an")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Nguyễn Văn An")
    expect(rows.first).to_contain_text("Chi bộ Khu phố 1")
    # At 390 px the label sits above the box, and the box shows the whole query.
    label_box = page.locator("form[role=search] > label").bounding_box()
    input_box = search_box.bounding_box()
    button_box = page.get_by_role("button", name="Tìm").bounding_box()
    assert label_box["y"] + label_box["height"] <= input_box["y"]
    assert input_box["width"] >= 200
    assert search_box.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert button_box["x"] + button_box["width"] <= WIDTH
    assert abs(button_box["y"] - input_box["y"]) <= 2  # same row as the box
    assert scroll_width(page) <= WIDTH
    shoot(page, "member_search")

    page.goto(server + "/dang-vien/?q=LE+DUC+CUONG")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link")).to_have_text("Lê Đức Cường")


def test_reading_pages_work_without_javascript(new_page, server, world):
    page = new_page(java_script_enabled=False)
    sign_in(page, server, world.member.username)
    assert path_of(page) == "/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, đồng chí Nguyễn Văn An")
    expect(page.locator("nav.bottom-nav")).to_be_visible()
    shoot(page, "home_no_js")

    officer_page = new_page(java_script_enabled=False)
    sign_in(officer_page, server, world.province_officer.username)
    officer_page.goto(server + "/to-chuc/")
    with officer_page.expect_navigation():
        officer_page.locator(f"li#org-{world.province.pk} a.toggle").click()
    assert path_of(officer_page) == f"/to-chuc/{world.province.pk}/con/"
    expect(officer_page.get_by_role("heading", level=1)).to_have_text(
        "Trực thuộc Đảng bộ Thành phố Thử nghiệm"
    )
    children = officer_page.locator("ul.tree > li")
    expect(children).to_have_count(2)
    expect(children.nth(0)).to_contain_text("Đảng bộ phường An Hòa")
    expect(children.nth(1)).to_contain_text("Đảng bộ xã Bình Minh")
    # And deeper, still by plain links.
    with officer_page.expect_navigation():
        officer_page.locator(f"li#org-{world.commune.pk} a.toggle").click()
    expect(officer_page.locator("ul.tree > li")).to_have_count(2)
    expect(officer_page.locator("ul.tree")).to_contain_text("Chi bộ Khu phố 1")
    assert scroll_width(officer_page) <= WIDTH
    shoot(officer_page, "tree_no_js")
