"""A branch secretary imports the branch's paper files from Excel on a phone: the first
file has errors, the corrected one is applied, then an imported probationary member is
recognised as a full member. The list filters and the export are driven too."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from e2e.helpers import WIDTH, scroll_width, shoot, sign_in

pytestmark = pytest.mark.e2e


def _file(tmp_path, name, rows):
    from openpyxl import Workbook

    from sotay.members.excel import COLUMNS

    wb = Workbook()
    wb.active.append(list(COLUMNS.values()))
    for r in rows:
        wb.active.append([r.get(k) for k in COLUMNS])
    path = tmp_path / name
    wb.save(path)
    return path


def _rows(cccd_of_second):
    today = dt.date.today()
    ceremony = today.replace(year=today.year - 1) - dt.timedelta(days=20)
    return [
        {"org_code": "B1", "full_name": "Đinh Thị Hạnh", "birth_date": "12/08/1979", "sex": "Nữ",
         "card_number": "79100001", "cccd": "001179100001", "phone": "0912100001",
         "admission_decided_on": "02/01/2005", "joined_on": "19/05/2005", "full_on": "19/05/2006",
         "ethnicity": "Kinh", "political_theory": "Trung cấp"},
        {"org_code": "B1", "full_name": "Vi Văn Thắng", "birth_date": "03/02/1996", "sex": "Nam",
         "card_number": "79100002", "cccd": cccd_of_second, "phone": "0912100002",
         "admission_decided_on": (ceremony - dt.timedelta(days=10)).strftime("%d/%m/%Y"),
         "joined_on": ceremony.strftime("%d/%m/%Y"), "ethnicity": "Nùng"},
        {"org_code": "B1", "full_name": "Quách Văn Tùng", "birth_date": "21/11/1960", "sex": "Nam",
         "card_number": "79100003", "cccd": "001060100003", "joined_on": "03/02/1985",
         "full_on": "03/02/1986", "ethnicity": "Mường"},
    ]  # fmt: skip


def test_secretary_imports_with_errors_fixes_applies_then_recognises(page, server, world, tmp_path):
    from sotay.members.models import Member, MemberStatus

    sign_in(page, server, world.secretary.username)
    page.goto(f"{server}/dang-vien/")
    page.get_by_role("button", name="Nhập từ Excel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập đảng viên từ Excel")

    broken = _file(tmp_path, "chi-bo-1.xlsx", _rows("0011961000"))  # 10 digits
    page.get_by_label("Tệp Excel").set_input_files(broken)
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra tệp").click()
    problems = page.locator("table.problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("3")
    expect(problems.first).to_contain_text("Số CCCD")
    expect(problems.first).to_contain_text("Số CCCD phải gồm đúng 12 chữ số.")
    expect(page.get_by_role("button", name="Áp dụng")).to_have_count(0)
    assert not Member.objects.filter(card_number__startswith="791000").exists()
    assert scroll_width(page) <= WIDTH
    shoot(page, "import_errors")

    fixed = _file(tmp_path, "chi-bo-1-da-sua.xlsx", _rows("001096100002"))
    page.get_by_label("Tệp Excel").set_input_files(fixed)
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_role("heading", name="Kết quả kiểm tra: không có lỗi")).to_be_visible()
    expect(page.locator("ul.summary")).to_contain_text("Sẽ thêm mới: 3")
    assert scroll_width(page) <= WIDTH
    shoot(page, "import_dry_run_ok")
    with page.expect_navigation():
        page.get_by_role("button", name="Áp dụng").click()
    expect(page.locator(".msg-success")).to_have_text(
        "Đã nhập xong: thêm 3, cập nhật 0, không đổi 0 đảng viên."
    )
    assert Member.objects.filter(card_number__startswith="791000").count() == 3

    # The probationary member's year is over: the secretary recognises him.
    thang = Member.objects.get(card_number="79100002")
    assert thang.status == MemberStatus.PROBATIONARY
    page.get_by_label("Họ tên (gõ có dấu hoặc không dấu) hoặc số thẻ").fill("vi van thang")
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Vi Văn Thắng").click()
    history = page.locator("ol.history > li")
    expect(history.first).to_contain_text("Lập hồ sơ trên hệ thống")
    page.get_by_text("Ghi nhận sự kiện").click()
    page.get_by_label("Sự kiện").select_option("cong_nhan_chinh_thuc")
    page.get_by_label("Ngày quyết định").fill(dt.date.today().strftime("%d/%m/%Y"))
    page.get_by_label("Cơ quan quyết định").fill("Đảng ủy phường An Hòa")
    page.get_by_label("Số quyết định").fill("301-QĐ/ĐU")
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi nhận").click()
    expect(page.locator(".msg-success")).to_have_text("Đã ghi: Công nhận đảng viên chính thức.")
    thang.refresh_from_db()
    assert thang.status == MemberStatus.FULL and thang.full_on == thang.probation_ends_on
    shoot(page, "imported_member_recognised")


def test_list_filters_and_export_on_a_phone(page, server, world):
    from openpyxl import load_workbook

    from sotay.audit.models import AuditEntry

    sign_in(page, server, world.office.username)
    page.goto(f"{server}/dang-vien/")
    page.get_by_text("Lọc theo tình trạng, giới tính, tuổi, dân tộc…").click()
    page.get_by_label("Giới tính").select_option("nu")
    rows = page.locator("ul.member-rows > li")
    expect(rows).to_have_count(4)  # the four women of commune C1
    expect(page.locator("ul.member-rows")).to_contain_text("Phạm Thị Dung")
    expect(page.get_by_role("link", name="Nguyễn Văn An")).to_have_count(0)
    assert "sex=nu" in page.url
    assert scroll_width(page) <= WIDTH
    shoot(page, "member_list_filtered")
    with page.expect_download() as info:
        page.get_by_role("button", name="Tải danh sách (.xlsx)").click()
    with open(info.value.path(), "rb") as f:  # the download has no .xlsx name
        wb = load_workbook(f)
    names = [r[2].value for r in wb["Đảng viên"].iter_rows(min_row=4)]
    assert "Phạm Thị Dung" in names and "Nguyễn Văn An" not in names
    assert AuditEntry.objects.filter(action="members.exported", actor=world.office).exists()
