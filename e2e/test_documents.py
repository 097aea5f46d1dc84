"""A member looks a resolution up on a phone typing without diacritics, opens it and
keeps it to read later."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import WIDTH, is_nfc, scroll_width, shoot, sign_in

pytestmark = pytest.mark.e2e

BODY = """I. MỤC ĐÍCH, YÊU CẦU
Quán triệt sâu sắc chủ trương của Bộ Chính trị về chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư.
II. NỘI DUNG
Đẩy mạnh chuyển đổi số trong hoạt động của các tổ chức đảng và đảng viên.
III. TỔ CHỨC THỰC HIỆN
Các chi bộ xây dựng kế hoạch thực hiện, báo cáo kết quả theo quý."""


def test_member_searches_opens_and_bookmarks_a_document(page, server, world, settings, tmp_path):
    from sotay.documents import services
    from sotay.documents.models import Bookmark, DocumentRead
    from sotay.documents.testing import make_document, pdf_bytes

    settings.PRIVATE_ROOT = tmp_path
    target = make_document(
        world,
        world.province,
        publish=False,
        symbol="52-NQ/TW",
        title="Nghị quyết số 52-NQ/TW về một số chủ trương, chính sách chủ động tham gia cuộc "
        "Cách mạng công nghiệp lần thứ tư",
        summary="Chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư.",
        issuer_name="Bộ Chính trị",
        body=BODY,
        tags="chuyển đổi số",
    )
    services.add_attachment(
        actor=world.admin, document=target, data=pdf_bytes("Toan van"), filename="52-NQ-TW.pdf"
    )
    services.publish(actor=world.admin, document=target)
    make_document(
        world, world.province, symbol="25-NQ/TW", title="Nghị quyết số 25-NQ/TW về công tác dân vận"
    )
    make_document(world, world.sibling, title="Nghị quyết 52 của chi bộ bên cạnh")

    sign_in(page, server, world.member.username)
    page.get_by_role("link", name="Văn bản").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản")
    page.get_by_label("Tìm văn bản").fill("nghi quyet 52")
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm", exact=True).click()
    results = page.locator(".doc-item")
    expect(results).to_have_count(1)  # the sibling branch's document stays hidden
    expect(results.first).to_contain_text("Nghị quyết số 52-NQ/TW")
    # The typed words are marked on the accented title; a short extract follows.
    expect(results.first.locator(".doc-title mark")).to_have_text(["Nghị", "quyết", "52"])
    expect(results.first.locator(".doc-snippet")).to_contain_text("Chủ động tham gia")
    assert is_nfc(results.first.inner_text())
    assert scroll_width(page) <= WIDTH
    shoot(page, "documents_search")

    with page.expect_navigation():
        results.first.locator("a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cách mạng công nghiệp")
    expect(page.get_by_role("navigation", name="Mục lục")).to_contain_text("II. NỘI DUNG")
    expect(page.get_by_role("link", name="52-NQ-TW.pdf")).to_be_visible()
    assert DocumentRead.objects.filter(user=world.member, document=target).exists()
    with page.expect_navigation():
        page.get_by_role("button", name="☆ Đọc sau").click()
    expect(page.locator(".msg-success")).to_have_text("Đã lưu vào mục Đọc sau.")
    expect(page.get_by_role("button", name="★ Đã lưu đọc sau")).to_be_visible()
    assert Bookmark.objects.filter(user=world.member, document=target).exists()
    assert scroll_width(page) <= WIDTH
    shoot(page, "documents_reader")

    page.goto(server + "/van-ban/?saved=1")
    expect(page.locator(".doc-item")).to_have_count(1)
    expect(page.locator(".doc-item")).to_contain_text("52-NQ/TW")
    shoot(page, "documents_saved")


def test_office_drafts_and_publishes_on_a_phone(page, server, world, settings, tmp_path):
    from sotay.documents.models import Document

    settings.PRIVATE_ROOT = tmp_path
    sign_in(page, server, world.office.username)
    page.goto(server + "/van-ban/")
    with page.expect_navigation():
        page.get_by_role("button", name="+ Soạn văn bản").click()
    page.get_by_label("Loại văn bản").select_option("Kế hoạch")
    page.get_by_label("Số hiệu").fill("15-KH/ĐU")
    page.get_by_label("Tiêu đề").fill("Kế hoạch học tập Nghị quyết 52 năm 2026")
    page.get_by_label("Gửi tới (mã tổ chức)").fill("B1")
    page.get_by_label("Nội dung").fill("I. MỤC ĐÍCH\nHọc tập.\nII. NỘI DUNG\nChuyên đề.")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.locator(".msg-success")).to_contain_text("Đã lưu bản nháp")
    assert scroll_width(page) <= WIDTH
    shoot(page, "documents_draft")
    with page.expect_navigation():
        page.locator("#pub-h ~ .actions").get_by_role("button", name="Ban hành").click()
    expect(page.locator(".msg-success")).to_have_text("Đã ban hành văn bản.")
    assert Document.objects.get().state == "published"
    assert scroll_width(page) <= WIDTH
