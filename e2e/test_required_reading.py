"""Required reading on a phone: the commune office requires commune C1 to read a
resolution by a date; a member of branch B1 finds it first in the library and opens it;
the branch secretary follows the reading of the branch and sees the member as read; the
office sees the commune's table and drills down to the branch."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from e2e.helpers import WIDTH, is_nfc, scroll_width, shoot, sign_in, sign_out

pytestmark = pytest.mark.e2e


def test_office_requires_member_reads_secretary_follows(page, server, world):
    from sotay.documents.models import RequiredReading
    from sotay.documents.testing import make_document

    target = make_document(
        world,
        world.province,
        symbol="21-NQ/TW",
        title="Nghị quyết số 21-NQ/TW về tăng cường củng cố, xây dựng tổ chức cơ sở đảng",
        issuer_name="Ban Chấp hành Trung ương",
    )
    make_document(world, world.province, title="Thông báo lịch tiếp công dân tháng 12")
    due = timezone.localdate() + dt.timedelta(days=8)

    # The office of commune C1 marks it required for the whole commune.
    sign_in(page, server, world.office.username)
    page.goto(f"{server}/van-ban/{target.pk}/")
    panel = page.locator("section", has=page.get_by_role("heading", name="Yêu cầu đọc"))
    expect(panel.get_by_label("Tổ chức phải đọc (mã tổ chức)")).to_have_value("C1")
    panel.get_by_label("Hạn đọc").fill(due.isoformat())
    with page.expect_navigation():
        panel.get_by_role("button", name="Yêu cầu đọc").click()
    expect(page.locator(".msg-success")).to_contain_text(
        f"Đã yêu cầu Đảng bộ phường An Hòa đọc văn bản, hạn {due:%d/%m/%Y}."
    )
    assert RequiredReading.objects.get().organization == world.commune
    assert scroll_width(page) <= WIDTH
    shoot(page, "required_reader_panel")
    sign_out(page, server)

    # A member of B1 sees it first in the library, with the due date, and opens it.
    sign_in(page, server, world.member.username)
    page.get_by_role("link", name="Văn bản").click()
    required = page.locator("section.required-reading")
    expect(required.get_by_role("heading", name="Văn bản cần đọc")).to_be_visible()
    expect(required).to_contain_text(f"Hạn đọc: {due:%d/%m/%Y}")
    expect(required.locator(".doc-item")).to_have_count(1)
    first_title = page.locator(".doc-title").first
    expect(first_title).to_contain_text("21-NQ/TW")
    assert is_nfc(required.inner_text())
    assert scroll_width(page) <= WIDTH
    shoot(page, "required_library")
    with page.expect_navigation():
        required.locator(".doc-item a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("tổ chức cơ sở đảng")
    page.get_by_role("link", name="← Văn bản").click()
    expect(page.locator("section.required-reading")).to_have_count(0)
    sign_out(page, server)

    # The secretary of B1 follows the branch: the member is read, the others not yet.
    sign_in(page, server, world.secretary.username)
    page.goto(f"{server}/van-ban/{target.pk}/")
    panel = page.locator("section", has=page.get_by_role("heading", name="Yêu cầu đọc"))
    expect(panel).to_contain_text("Đảng bộ phường An Hòa")
    with page.expect_navigation():
        panel.get_by_role("link", name="Xem tình hình đọc").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tình hình đọc văn bản")
    expect(page.get_by_role("heading", name="Chi bộ Khu phố 1")).to_be_visible()
    people = page.locator(".coverage-people li")
    expect(people.filter(has_text="Nguyễn Văn An")).to_contain_text("✓ Đã đọc")
    expect(people.filter(has_text="Trần Thị Bình")).to_contain_text("✗ Chưa đọc")
    # Opening the document was the secretary's own read receipt: 2 of 3.
    expect(page.locator(".coverage-total")).to_contain_text("66,67 %")
    assert scroll_width(page) <= WIDTH
    shoot(page, "required_coverage")
    sign_out(page, server)

    # The office sees the commune's branches and drills down to B1.
    sign_in(page, server, world.office.username)
    page.goto(f"{server}/van-ban/{target.pk}/doc/")
    expect(page.get_by_role("heading", name="Đảng bộ phường An Hòa")).to_be_visible()
    table = page.locator("table.coverage-table")
    expect(table).to_contain_text("Chi bộ Khu phố 2")
    assert scroll_width(page) <= WIDTH
    shoot(page, "required_coverage_commune")
    with page.expect_navigation():
        table.get_by_role("link", name="Chi bộ Khu phố 1").click()
    expect(page.locator(".coverage-people li").filter(has_text="Nguyễn Văn An")).to_contain_text(
        "✓ Đã đọc"
    )
    expect(page.get_by_role("link", name="Đảng bộ phường An Hòa")).to_be_visible()  # way back up
