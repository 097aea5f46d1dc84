"""The office writes a news post with a cover image and a <script> in its body and
publishes it; a member of a branch below reads it on a phone: the cover shows, the
script is gone."""

import pytest
from playwright.sync_api import expect

from e2e.helpers import WIDTH, is_nfc, scroll_width, shoot, sign_in, sign_out

pytestmark = pytest.mark.e2e

BODY = """<h2>Kết quả nổi bật</h2>
<p>Đảng ủy phường An Hòa tổ chức hội nghị sơ kết 6 tháng đầu năm. <strong>100%</strong> chi bộ
duy trì sinh hoạt định kỳ.</p>
<script>document.title = "bị tấn công"; window.hacked = true;</script>
<p onclick="window.hacked = true">Các chi bộ tiếp tục nâng cao chất lượng sinh hoạt.</p>
<ul><li>Kết nạp 12 đảng viên mới.</li><li>Hoàn thành kiểm điểm giữa năm.</li></ul>"""


def _cover_png(tmp_path):
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1800, 1000), (179, 20, 15))
    ImageDraw.Draw(img).ellipse((700, 300, 1100, 700), fill=(255, 213, 74))
    path = tmp_path / "hoi-nghi.png"
    img.save(path, "PNG")
    return path


def test_office_publishes_a_post_a_member_below_reads_it(page, server, world, settings, tmp_path):
    from sotay.news.models import Post, PostRead

    settings.PRIVATE_ROOT = tmp_path / "private"
    cover = _cover_png(tmp_path)

    sign_in(page, server, world.office.username)
    page.goto(server + "/tin-tuc/")
    with page.expect_navigation():
        page.get_by_role("button", name="+ Viết tin").or_(
            page.get_by_role("link", name="+ Viết tin")
        ).click()
    page.get_by_label("Tiêu đề").fill("Hội nghị sơ kết 6 tháng đầu năm")
    page.get_by_label("Tóm tắt").fill("Đảng ủy phường An Hòa sơ kết công tác 6 tháng đầu năm.")
    page.get_by_label("Nội dung").fill(BODY)
    page.get_by_label("Gửi tới (mã tổ chức)").fill("C1")
    page.locator("input[name=cover]").set_input_files(str(cover))
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu bản nháp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sửa tin")
    assert scroll_width(page) <= WIDTH
    shoot(page, "news_form")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng tin").click()
    expect(page.locator(".messages")).to_contain_text("Đã đăng tin.")
    post = Post.objects.get()
    assert post.state == "published" and post.cover and "<script" not in post.body
    sign_out(page, server)

    sign_in(page, server, world.member.username)
    page.goto(server + "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Tin tức").first.click()
    item = page.locator(".news-item").first
    expect(item).to_contain_text("Hội nghị sơ kết 6 tháng đầu năm")
    expect(item).to_contain_text("Mới")
    with page.expect_navigation():
        item.locator("a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hội nghị sơ kết 6 tháng đầu năm")
    cover_img = page.locator("img.news-cover")
    expect(cover_img).to_be_visible()
    assert cover_img.evaluate("img => img.complete && img.naturalWidth") == 1200
    assert page.locator(".news-body script").count() == 0
    assert page.evaluate("window.hacked === undefined")
    assert "bị tấn công" not in page.title()
    assert page.locator(".news-body [onclick]").count() == 0
    expect(page.locator(".news-body li")).to_have_count(2)
    assert is_nfc(page.locator("article").inner_text())
    assert scroll_width(page) <= WIDTH
    assert PostRead.objects.filter(post=post, user=world.member).count() == 1
    shoot(page, "news_detail")
    page.goto(server + "/tin-tuc/")
    expect(page.locator(".news-item").first).not_to_contain_text("Mới")
    shoot(page, "news_list")
