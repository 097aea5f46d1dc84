"""The commune office adds organisations from Excel on a phone: a file with a wrong kind is
refused row by row, the corrected file is applied."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import WIDTH, scroll_width, shoot, sign_in

pytestmark = pytest.mark.e2e


def _file(tmp_path, name, rows):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Mã tổ chức", "Tên tổ chức", "Loại tổ chức", "Mã tổ chức cấp trên"])
    for r in rows:
        wb.active.append(list(r))
    path = tmp_path / name
    wb.save(path)
    return path


def test_office_imports_organisations_with_an_error_then_fixed(page, server, world, tmp_path):
    from sotay.organizations.models import Organization

    sign_in(page, server, world.office.username)
    page.goto(f"{server}/to-chuc/")
    with page.expect_navigation():
        page.get_by_role("link", name="Thêm nhiều tổ chức từ Excel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập tổ chức từ Excel")

    rows = [("C1-DB", "Đảng bộ Trường học An Hòa", "Đảng bộ cơ sở", "C1"),
            ("C1-DB-CB1", "Chi bộ Giáo viên", "Chi bộ kiểu mới", "C1-DB")]  # fmt: skip
    page.get_by_label("Tệp Excel").set_input_files(_file(tmp_path, "to-chuc.xlsx", rows))
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra tệp").click()
    problems = page.locator("table.problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("Loại tổ chức")
    expect(problems.first).to_contain_text("không có trong danh sách")
    assert not Organization.objects.filter(code="C1-DB").exists()
    assert scroll_width(page) <= WIDTH
    shoot(page, "org_import_errors")

    rows[1] = ("C1-DB-CB1", "Chi bộ Giáo viên", "Chi bộ trực thuộc", "C1-DB")
    page.get_by_label("Tệp Excel").set_input_files(_file(tmp_path, "to-chuc-2.xlsx", rows))
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("ul.summary")).to_contain_text("Sẽ thêm mới: 2")
    shoot(page, "org_import_ok")
    with page.expect_navigation():
        page.get_by_role("button", name="Áp dụng").click()
    expect(page.locator(".msg-success")).to_have_text("Đã thêm 2 tổ chức.")
    assert Organization.objects.get(code="C1-DB-CB1").parent_org().code == "C1-DB"
