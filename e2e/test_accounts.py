"""Signing in, registering, approval and activation codes, through the real pages on a
390 px phone."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from e2e.helpers import (
    HEIGHT,
    SIGN_IN,
    WIDTH,
    is_nfc,
    line_count,
    path_of,
    scroll_width,
    shoot,
    sign_in,
    sign_out,
)
from sotay.core.testing import PASSWORD

pytestmark = pytest.mark.e2e

NAV_LABELS = ["Trang chủ", "Văn bản", "Sinh hoạt", "Học tập", "Cá nhân"]


def assert_home_shell(page, full_name: str) -> None:
    """The signed-in shell: greeting, bell, and a bottom nav that fits the phone."""
    assert path_of(page) == "/"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Xin chào, đồng chí {full_name}")
    expect(page.locator("header a.bell")).to_be_visible()
    nav = page.locator("nav.bottom-nav")
    expect(nav).to_be_visible()
    labels = nav.locator("a span").all_inner_texts()
    assert labels == NAV_LABELS
    assert all(is_nfc(label) for label in labels)
    expect(nav.get_by_role("link", name="Trang chủ")).to_have_attribute("aria-current", "page")
    for link in nav.locator("a").all():  # the current tab included
        label = link.locator("span")
        assert line_count(label) == 1, f"nav label {label.inner_text()!r} wraps"
        outer, inner = link.bounding_box(), label.bounding_box()
        assert (
            outer["x"] <= inner["x"] and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        )
    assert scroll_width(page) <= WIDTH, "the page scrolls sideways on a 390 px phone"


def test_member_signs_in_on_a_phone_and_sees_the_home_shell(page, server, world):
    page.goto(server + SIGN_IN)
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    expect(page.get_by_label("Số điện thoại hoặc số thẻ đảng viên")).to_be_focused()
    expect(page.locator("nav.bottom-nav")).to_have_count(0)  # no app shell before sign-in
    assert scroll_width(page) <= WIDTH
    shoot(page, "login")

    page.get_by_label("Số điện thoại hoặc số thẻ đảng viên").fill(world.member.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()

    assert_home_shell(page, "Nguyễn Văn An")
    expect(page.get_by_text("Chi bộ Khu phố 1")).to_be_visible()

    # The fixed nav spans the viewport width and sits on its bottom edge, every link is a
    # comfortable touch target, and it never covers the end of the page.
    nav = page.locator("nav.bottom-nav")
    box = nav.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    assert abs(box["y"] + box["height"] - HEIGHT) <= 1
    for link in nav.locator("a").all():
        link_box = link.bounding_box()
        assert link_box["height"] >= 44 and link_box["width"] >= 44
        assert link_box["x"] >= 0 and link_box["x"] + link_box["width"] <= WIDTH
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    last_tile = page.locator("nav.tiles a").last
    assert (
        last_tile.bounding_box()["y"] + last_tile.bounding_box()["height"]
        <= nav.bounding_box()["y"]
    )
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "home_member")


def test_wrong_password_shows_a_vietnamese_error(page, server, world):
    from sotay.accounts.models import User

    sign_in(page, server, world.member.username, "sai-mat-khau")

    assert path_of(page) == SIGN_IN
    expect(page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.")).to_be_visible()
    expect(page.locator("input[name=identifier]")).to_have_value(world.member.username)
    expect(page.locator("input[name=password]")).to_have_value("")
    assert scroll_width(page) <= WIDTH
    shoot(page, "login_wrong_password")
    assert User.objects.get(pk=world.member.pk).failed_logins == 1

    # Still signed out: the home page sends the visitor back to sign in.
    page.goto(server + "/")
    assert path_of(page) == SIGN_IN


def _fill_registration(page, member, *, cccd: str, phone: str, password: str) -> None:
    page.get_by_label("Số thẻ đảng viên").fill(member.card_number)
    page.get_by_label("Số CCCD (12 số)").fill(cccd)
    page.get_by_label("Ngày sinh (ngày/tháng/năm)").fill(member.birth_date.strftime("%d/%m/%Y"))
    page.get_by_label("Số điện thoại").fill(phone)
    page.get_by_label("Mật khẩu (ít nhất 8 ký tự)").fill(password)
    page.get_by_label("Nhập lại mật khẩu").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi đăng ký").click()


def test_person_registers_and_waits_for_approval(page, server, world):
    from sotay.accounts.models import AccountStatus, User
    from sotay.core.testing import make_member

    mai = make_member(world.branch, "Ngô Thị Mai", birth=dt.date(1985, 11, 2))
    phone, password = "0987654321", "MatKhauMai#2026"

    page.goto(server + SIGN_IN)
    with page.expect_navigation():
        page.get_by_role("link", name="Chưa có tài khoản? Đăng ký").click()
    assert path_of(page) == "/tai-khoan/dang-ky/"

    # One wrong digit in the CCCD: one neutral message that reveals nothing.
    wrong_cccd = mai.cccd[:-1] + ("1" if mai.cccd[-1] != "1" else "2")
    _fill_registration(page, mai, cccd=wrong_cccd, phone=phone, password=password)
    assert path_of(page) == "/tai-khoan/dang-ky/"
    expect(
        page.get_by_text("Thông tin không khớp với hồ sơ đảng viên nào có thể đăng ký.")
    ).to_be_visible()
    assert not User.objects.filter(username=phone).exists()

    _fill_registration(page, mai, cccd=mai.cccd, phone=phone, password=password)
    assert path_of(page) == "/tai-khoan/cho-duyet/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản đã đăng ký, chờ phê duyệt")
    expect(page.get_by_text("Ngô Thị Mai")).to_be_visible()
    expect(page.locator("nav.bottom-nav")).to_have_count(0)
    assert scroll_width(page) <= WIDTH
    shoot(page, "registration_pending")

    account = User.objects.get(username=phone)
    assert account.status == AccountStatus.PENDING
    assert account.member_id == mai.pk

    # Signed in but without rights: every page leads back to the waiting page.
    for path in ("/", "/to-chuc/", "/tai-khoan/ca-nhan/"):
        page.goto(server + path)
        assert path_of(page) == "/tai-khoan/cho-duyet/", path
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Tài khoản đã đăng ký, chờ phê duyệt"
        )


def test_secretary_approves_a_pending_registration(page, server, world):
    from sotay.accounts.models import AccountStatus, User

    sign_in(page, server, world.secretary.username)
    assert path_of(page) == "/"
    page.goto(server + "/tai-khoan/phe-duyet/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản chờ phê duyệt")
    card = page.locator(f"article#reg-{world.pending.pk}")
    expect(card).to_contain_text("Đỗ Thị Lan")
    expect(card).to_contain_text("Chi bộ Khu phố 1")
    expect(card.get_by_role("button", name="Từ chối")).to_be_visible()
    expect(page.locator("article.card")).to_have_count(1)
    assert scroll_width(page) <= WIDTH
    shoot(page, "approvals")

    with page.expect_navigation():
        card.get_by_role("button", name="Phê duyệt").click()
    assert path_of(page) == "/tai-khoan/phe-duyet/"
    expect(page.locator(".msg-success")).to_have_text("Đã phê duyệt tài khoản của Đỗ Thị Lan.")
    expect(card).to_have_count(0)
    expect(page.get_by_text("Không có tài khoản nào chờ phê duyệt.")).to_be_visible()
    approved = User.objects.get(pk=world.pending.pk)
    assert approved.status == AccountStatus.ACTIVE
    assert approved.decided_by_id == world.secretary.pk

    sign_out(page, server)
    assert path_of(page) == SIGN_IN

    sign_in(page, server, world.pending.username)
    assert_home_shell(page, "Đỗ Thị Lan")
    # The approval left a notice: the bell counts it and opens the list holding it.
    expect(page.locator("header a.bell .badge")).to_have_text("1")
    page.locator("header a.bell").click()
    expect(page.get_by_text("Tài khoản của đồng chí đã được phê duyệt")).to_be_visible()


CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$")


def test_secretary_prints_activation_codes(page, server, world):
    from sotay.accounts.models import AccountStatus, User
    from sotay.core.testing import make_member

    hoa = make_member(world.branch, "Phan Văn Hòa")
    yen = make_member(world.branch, "Lý Thị Yến")

    sign_in(page, server, world.secretary.username)
    page.goto(f"{server}/tai-khoan/to-chuc/{world.branch.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tài khoản đảng viên")
    for name in ("Phan Văn Hòa", "Lý Thị Yến"):
        expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("chưa có")
    with page.expect_navigation():
        page.get_by_role(
            "button", name=re.compile("^Tạo tài khoản cho mọi đảng viên chưa có")
        ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Phiếu mã kích hoạt tài khoản")
    rows = page.locator("table.code-sheet tbody tr")
    expect(rows).to_have_count(2)
    codes = {}
    for member in (hoa, yen):
        row = rows.filter(has_text=member.full_name)
        expect(row).to_have_count(1)
        cells = row.locator("td").all_inner_texts()
        assert cells[0] == member.full_name
        assert cells[1] == member.phone
        assert CODE.match(cells[2]), cells[2]
        assert line_count(row.locator("td.code")) == 1, "the code breaks over two lines"
        codes[member.pk] = cells[2]
    assert len(set(codes.values())) == 2
    assert scroll_width(page) <= WIDTH
    shoot(page, "activation_sheet")

    for member in (hoa, yen):
        account = User.objects.get(member=member)
        assert account.status == AccountStatus.ACTIVE
        assert not account.has_usable_password()

    # Hòa activates his account with the code from the sheet, then signs in with it.
    sign_out(page, server)
    page.goto(server + "/tai-khoan/dung-ma/")
    page.get_by_label("Số điện thoại hoặc số thẻ đảng viên").fill(hoa.phone)
    page.get_by_label("Mã do bí thư chi bộ cấp").fill(codes[hoa.pk])
    page.get_by_label("Mật khẩu mới (ít nhất 8 ký tự)").fill("MatKhauMoi#2026")
    page.get_by_label("Nhập lại mật khẩu mới").fill("MatKhauMoi#2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Đặt mật khẩu").click()
    assert path_of(page) == SIGN_IN
    expect(page.locator(".msg-success")).to_have_text("Đã đặt mật khẩu. Mời đồng chí đăng nhập.")

    sign_in(page, server, hoa.phone, "MatKhauMoi#2026")
    assert_home_shell(page, "Phan Văn Hòa")


def test_activation_code_works_only_once(page, server, world):
    """A code read off the sheet cannot be replayed by someone else later."""
    from sotay.accounts.services import create_branch_accounts
    from sotay.core.testing import make_member

    khoa = make_member(world.branch, "Trịnh Văn Khoa")
    [(_, _, code)] = create_branch_accounts(actor=world.secretary, branch=world.branch)

    for attempt in range(2):
        page.goto(server + "/tai-khoan/dung-ma/")
        page.get_by_label("Số điện thoại hoặc số thẻ đảng viên").fill(khoa.phone)
        page.get_by_label("Mã do bí thư chi bộ cấp").fill(code.lower())  # typed in lower case
        page.get_by_label("Mật khẩu mới (ít nhất 8 ký tự)").fill(f"MatKhauMoi#{attempt}026")
        page.get_by_label("Nhập lại mật khẩu mới").fill(f"MatKhauMoi#{attempt}026")
        with page.expect_navigation():
            page.get_by_role("button", name="Đặt mật khẩu").click()
        if attempt == 0:
            assert path_of(page) == SIGN_IN
    assert path_of(page) == "/tai-khoan/dung-ma/"
    expect(page.get_by_text("Mã không đúng, đã dùng hoặc đã hết hạn.")).to_be_visible()
    shoot(page, "activation_code_reused")

    # The replay changed nothing: the first password still opens the account.
    sign_in(page, server, khoa.phone, "MatKhauMoi#0026")
    assert_home_shell(page, "Trịnh Văn Khoa")
