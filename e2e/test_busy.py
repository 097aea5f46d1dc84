"""An overloaded server on a phone (sotay.core.admission): a member presses a button
while every work slot is taken, sees in Vietnamese that nothing was recorded, and once
the load is gone "Thử lại" brings back the form to press again."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import WIDTH, is_nfc, scroll_width, shoot, sign_in

pytestmark = pytest.mark.e2e


def test_a_shed_press_records_nothing_and_thu_lai_goes_back_to_the_form(
    page, server, world, settings
):
    from sotay.core import admission
    from sotay.documents.models import Bookmark
    from sotay.documents.testing import make_document

    document = make_document(world, world.branch, title="Kế hoạch sinh hoạt chi bộ tháng 12")
    settings.SOTAY_WEB_ADMIT = 1  # one work slot in this process
    # While the page loads, the browser's own requests (manifest, service worker) may
    # wait for the slot; only while the slot is taken may nobody wait.
    settings.SOTAY_SHED_QUEUE = 8
    slot = admission.slots()
    sign_in(page, server, world.member.username)
    page.goto(f"{server}/van-ban/{document.pk}/")
    keep = page.get_by_role("button", name="☆ Đọc sau")
    expect(keep).to_be_visible()

    page.wait_for_load_state("networkidle")
    assert slot.acquire(timeout=5)  # the slot is busy with someone else's request
    settings.SOTAY_SHED_QUEUE = 0  # …and nobody may wait for it
    try:
        with page.expect_navigation():
            keep.click()
        assert page.evaluate("document.title") == "Hệ thống đang bận"
        expect(page.get_by_role("heading", level=1)).to_have_text("Hệ thống đang bận")
        body = page.locator("body")
        expect(body).to_contain_text("Hệ thống đang quá tải, xin đồng chí thử lại sau ít giây.")
        expect(body).to_contain_text("chưa được ghi nhận")
        assert is_nfc(body.inner_text())
        assert scroll_width(page) <= WIDTH
        shoot(page, "busy_503")
        assert not Bookmark.objects.filter(user=world.member, document=document).exists()
    finally:
        settings.SOTAY_SHED_QUEUE = 8
        slot.release()

    # The load has passed: "Thử lại" goes back to the form (it does not re-send it).
    page.get_by_role("link", name="Thử lại").click()
    expect(page.get_by_role("button", name="☆ Đọc sau")).to_be_visible()
    assert not Bookmark.objects.filter(user=world.member, document=document).exists()
    with page.expect_navigation():
        page.get_by_role("button", name="☆ Đọc sau").click()
    expect(page.get_by_role("button", name="★ Đã lưu đọc sau")).to_be_visible()
    assert Bookmark.objects.filter(user=world.member, document=document).count() == 1
