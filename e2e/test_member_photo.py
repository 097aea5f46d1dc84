"""The commune office adds a member's portrait on a phone and sees it on the record."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import WIDTH, scroll_width, shoot, sign_in

pytestmark = pytest.mark.e2e


def _portrait(path):
    """A 3×4 picture that reads as a portrait in the screenshot."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (900, 1200), (196, 214, 232))
    draw = ImageDraw.Draw(img)
    draw.ellipse((300, 220, 600, 600), fill=(226, 186, 150))  # face
    draw.rectangle((150, 700, 750, 1200), fill=(30, 60, 110))  # jacket
    draw.ellipse((150, 620, 750, 860), fill=(30, 60, 110))
    draw.polygon([(400, 660), (500, 660), (450, 900)], fill=(250, 250, 250))  # shirt
    img.save(path, "JPEG", quality=90)
    return path


def test_office_uploads_a_member_photo_on_a_phone(page, server, world, settings, tmp_path):
    from sotay.audit.models import AuditEntry
    from sotay.members.models import Member

    settings.MEDIA_ROOT = str(tmp_path / "media")
    person = world.member.member
    good = _portrait(tmp_path / "chan-dung.jpg")
    fake = tmp_path / "anh-gia.jpg"
    fake.write_text("Đây là văn bản, không phải ảnh.")

    sign_in(page, server, world.office.username)
    page.goto(f"{server}/dang-vien/{person.pk}/")
    expect(page.get_by_role("img", name="Chưa có ảnh chân dung")).to_be_visible()
    page.get_by_text("Thêm ảnh chân dung").click()
    chooser = page.get_by_label("Ảnh chân dung (JPEG, PNG hoặc WebP, tối đa 2 MB)")
    reason = page.get_by_label("Lý do thay ảnh")

    # A text file named .jpg is refused by its content, and nothing is stored.
    chooser.set_input_files(str(fake))
    reason.fill("Bổ sung ảnh hồ sơ năm 2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu ảnh").click()
    expect(
        page.get_by_text("Ảnh chân dung: tệp không phải là ảnh JPEG, PNG hoặc WebP hợp lệ.")
    ).to_be_visible()
    assert not Member.objects.get(pk=person.pk).photo
    assert scroll_width(page) <= WIDTH
    shoot(page, "member_photo_refused")

    page.get_by_label("Ảnh chân dung (JPEG, PNG hoặc WebP, tối đa 2 MB)").set_input_files(str(good))
    page.get_by_label("Lý do thay ảnh").fill("Bổ sung ảnh hồ sơ năm 2026")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu ảnh").click()
    expect(page.locator(".msg-success")).to_have_text("Đã cập nhật ảnh chân dung.")
    photo = page.get_by_role("img", name="Ảnh chân dung Nguyễn Văn An")
    expect(photo).to_be_visible()
    # The picture really came through the scoped photo view, not a broken link.
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 450
    assert "/dang-vien/" in photo.get_attribute("src") and "/media/" not in photo.get_attribute(
        "src"
    )
    expect(page.get_by_text("Đổi ảnh chân dung")).to_be_visible()
    assert scroll_width(page) <= WIDTH
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "member_photo")
    assert AuditEntry.objects.filter(action="members.photo_changed", actor=world.office).exists()
    assert AuditEntry.objects.filter(action="members.photo_viewed").exists()
