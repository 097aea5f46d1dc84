"""A commune officer reads the statistics of the commune on a phone and drills down
into one of its branches."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from e2e.helpers import WIDTH, path_of, scroll_width, shoot, sign_in

pytestmark = pytest.mark.e2e


def test_commune_officer_reads_statistics_and_drills_down(page, server, world):
    from sotay.core.testing import make_member
    from sotay.members.models import Sex

    # A few more members with sheet data, so the charts have something to show.
    for n, (birth, edu, theory) in enumerate(
        [
            (dt.date(1960, 2, 1), "dai_hoc", "trung_cap"),
            (dt.date(1948, 9, 2), "", "so_cap"),
            (dt.date(1999, 5, 19), "thac_si", ""),
            (dt.date(1975, 3, 8), "cao_dang", "cao_cap"),
        ]
    ):
        make_member(world.sibling, f"Thành Viên {n}", birth=birth, education=edu,
                    political_theory=theory, ethnicity="Kinh", sex=Sex.FEMALE if n % 2 else Sex.MALE)  # fmt: skip

    sign_in(page, server, world.commune_officer.username)
    page.get_by_role("link", name="Thống kê", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thống kê đảng viên")
    assert path_of(page) == f"/thong-ke/{world.commune.pk}/"
    expect(page.locator(".org-name")).to_contain_text("Đảng bộ phường An Hòa")
    expect(page.locator("#accounts-ratio")).to_contain_text("/11 = ")

    # Charts drawn (Chart.js loaded, boxes shown) above their tables.
    charts = page.locator(".chart-box canvas")
    expect(charts).to_have_count(4)
    for i in range(4):
        expect(page.locator(".chart-box").nth(i)).to_be_visible()
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 250 and box["height"] > 150
    expect(page.locator("section[aria-labelledby=d-age-h] table")).to_be_visible()
    assert scroll_width(page) <= WIDTH
    shoot(page, "statistics_commune")

    # Drill down into a branch from the children table.
    children = page.locator("section[aria-labelledby=children-h]")
    expect(children.locator("tbody tr.child-name")).to_have_count(2)
    with page.expect_navigation():
        children.get_by_role("link", name="Chi bộ Khu phố 2").click()
    assert path_of(page) == f"/thong-ke/{world.sibling.pk}/"
    expect(page.locator(".org-name")).to_contain_text("Chi bộ Khu phố 2")
    crumbs = page.get_by_role("navigation", name="Cấp trên")
    expect(crumbs.get_by_role("link", name="Đảng bộ phường An Hòa")).to_be_visible()
    expect(page.locator("section[aria-labelledby=children-h]")).to_have_count(0)
    assert scroll_width(page) <= WIDTH
    shoot(page, "statistics_branch")
    with page.expect_navigation():
        crumbs.get_by_role("link", name="Đảng bộ phường An Hòa").click()
    assert path_of(page) == f"/thong-ke/{world.commune.pk}/"


def test_without_javascript_the_tables_remain(new_page, server, world):
    page = new_page(java_script_enabled=False)
    sign_in(page, server, world.commune_officer.username)
    page.goto(f"{server}/thong-ke/{world.commune.pk}/")
    expect(page.locator(".chart-box").first).to_be_hidden()
    expect(page.locator("section[aria-labelledby=d-party-h] table tbody tr")).to_have_count(7)
    assert scroll_width(page) <= WIDTH
