"""The installable app on a 390 px phone: a member finds a resolution typing without
diacritics, bookmarks it, loses the network and still reads it; any other page shows the
offline page; member records are never kept on the device. And "Đọc cho tôi nghe" on the
reader, with a fake Vietnamese voice (headless Chromium has none) and without one."""

import re

import pytest
from playwright.sync_api import expect

from e2e.helpers import SCREENSHOTS, WIDTH, scroll_width, shoot, sign_in, sign_out

pytestmark = pytest.mark.e2e

BODY = """I. MỤC ĐÍCH, YÊU CẦU
Quán triệt sâu sắc chủ trương của Bộ Chính trị về chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư.
II. NỘI DUNG
Đẩy mạnh chuyển đổi số trong hoạt động của các tổ chức đảng và đảng viên.
III. TỔ CHỨC THỰC HIỆN
Các chi bộ xây dựng kế hoạch thực hiện, báo cáo kết quả theo quý."""
BANNER = "Bạn đang ngoại tuyến — đang xem bản đã lưu trên máy."

# Every URL kept in the device's caches, by path.
CACHED_PATHS = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) paths.push(new URL(request.url).pathname);
  }
  return paths;
}"""
IS_KEPT = """async (path) => {
  const names = (await caches.keys()).filter((n) => n.startsWith("sotay-bookmarks"));
  for (const name of names) {
    if (await (await caches.open(name)).match(path)) return true;
  }
  return false;
}"""
# Pages, static files, the offline page and bookmarked documents with their files.
ALLOWED = re.compile(
    r"^(/static/.+|/ngoai-tuyen/|/manifest\.webmanifest|/van-ban/\d+/|/van-ban/\d+/tep/\d+/)$"
)


def _resolution(world):
    from sotay.documents import services
    from sotay.documents.testing import make_document, pdf_bytes

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
    )
    services.add_attachment(
        actor=world.admin, document=target, data=pdf_bytes("Toan van"), filename="52-NQ-TW.pdf"
    )
    return services.publish(actor=world.admin, document=target)


def test_a_bookmarked_document_opens_without_a_network(page, server, world, settings, tmp_path):
    from sotay.documents.models import Bookmark
    from sotay.documents.testing import make_document

    settings.PRIVATE_ROOT = tmp_path
    target = _resolution(world)
    other = make_document(
        world, world.province, symbol="25-NQ/TW", title="Nghị quyết số 25-NQ/TW về công tác dân vận"
    )
    reader = f"/van-ban/{target.pk}/"

    sign_in(page, server, world.member.username)
    page.get_by_role("link", name="Văn bản").click()
    page.get_by_label("Tìm văn bản").fill("nghi quyet 52")
    with page.expect_navigation():
        page.get_by_role("button", name="Tìm", exact=True).click()
    results = page.locator(".doc-item")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Nghị quyết số 52-NQ/TW")
    with page.expect_navigation():
        results.first.locator("a").click()
    # The worker, registered since the sign-in page, controls the pages.
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    with page.expect_navigation():
        page.get_by_role("button", name="☆ Đọc sau").click()
    expect(page.get_by_role("button", name="★ Đã lưu đọc sau")).to_be_visible()
    assert Bookmark.objects.filter(user=world.member, document=target).exists()
    page.wait_for_function(IS_KEPT, arg=reader, polling=200)
    attachment = target.attachments.get()
    page.wait_for_function(IS_KEPT, arg=f"{reader}tep/{attachment.pk}/", polling=200)

    # The member's own record, visited online, is never kept.
    page.goto(server + f"/dang-vien/{world.member.member_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.member.member.full_name)
    cached = page.evaluate(CACHED_PATHS)
    assert reader in cached
    assert [p for p in cached if not ALLOWED.match(p)] == []
    expect(page.locator("#offline-banner")).to_be_hidden()

    page.context.set_offline(True)
    page.goto(server + reader)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cách mạng công nghiệp")
    expect(page.locator(".doc-body")).to_contain_text("Đẩy mạnh chuyển đổi số")
    banner = page.get_by_role("status").filter(has_text="ngoại tuyến")
    expect(banner).to_have_text(BANNER)
    expect(banner).to_be_visible()
    assert page.evaluate("document.body.dataset.sotayCopy") == "1"
    assert scroll_width(page) <= WIDTH
    # What the phone shows (a full-page capture would draw the fixed banner mid-page).
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "offline_bookmark.png"))
    # Its forms cannot work without a network: they wait for a page from the network.
    expect(page.get_by_role("button", name="★ Đã lưu đọc sau")).to_be_disabled()

    # A document not bookmarked, and a member record: the offline page, listing what is kept.
    for path in (f"/van-ban/{other.pk}/", f"/dang-vien/{world.member.member_id}/"):
        page.goto(server + path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Không có kết nối mạng")
        expect(page.locator("#offline-docs .doc-item")).to_have_count(1)
        expect(page.locator("#offline-docs")).to_contain_text("52-NQ/TW · Nghị quyết số 52-NQ/TW")
        expect(banner).to_be_visible()
    assert scroll_width(page) <= WIDTH
    shoot(page, "offline_page")
    with page.expect_navigation():
        page.locator("#offline-docs a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cách mạng công nghiệp")

    # Back online: the banner goes; un-bookmarking forgets the copy and its file.
    page.context.set_offline(False)
    page.goto(server + reader)
    expect(banner).to_be_hidden()
    with page.expect_navigation():
        page.get_by_role("button", name="★ Đã lưu đọc sau").click()
    expect(page.get_by_role("button", name="☆ Đọc sau")).to_be_visible()
    page.wait_for_function(f"async () => !(await ({IS_KEPT})({reader!r}))", polling=200)
    assert not [p for p in page.evaluate(CACHED_PATHS) if p.startswith(reader)]


def test_the_bookmarks_page_keeps_exactly_the_bookmarks(page, server, world):
    from sotay.documents import services
    from sotay.documents.testing import make_document

    kept = make_document(world, world.province, symbol="3-CT/TW", title="Chỉ thị số 3-CT/TW")
    services.toggle_bookmark(user=world.member, document=kept)

    sign_in(page, server, world.member.username)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(server + "/van-ban/")
    with page.expect_navigation():
        page.get_by_role("link", name="Đọc sau", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản đọc sau")
    expect(page.locator(".doc-item")).to_have_count(1)
    page.wait_for_function(IS_KEPT, arg=f"/van-ban/{kept.pk}/", polling=200)
    shoot(page, "documents_bookmarks")

    # Sign-out clears everything the device kept: the response's Clear-Site-Data removes
    # the caches and the worker (kept from registering again here, so that what is seen
    # is the header's work and not the sign-in page's own "clear" message).
    assert page.evaluate("caches.keys()")
    page.context.route("**/sw.js", lambda route: route.abort())
    sign_out(page, server)
    page.wait_for_function("async () => (await caches.keys()).length === 0", polling=200)
    registrations = "navigator.serviceWorker.getRegistrations().then((r) => r.length)"
    assert page.evaluate(registrations) == 0


FAKE_SPEECH = """(() => {
  const voices = %s;
  const spoken = [];
  const listeners = [];
  let current = null;
  window.__speech = {
    spoken,
    cancelled: 0,
    finish() { const u = current; current = null; if (u && u.onend) u.onend({}); },
  };
  window.SpeechSynthesisUtterance = function (text) {
    this.text = text; this.lang = ""; this.voice = null; this.rate = 1;
  };
  let loaded = [];
  Object.defineProperty(window, "speechSynthesis", {
    configurable: true,
    value: {
      getVoices: () => loaded.slice(),
      speak(u) { spoken.push({ text: u.text, lang: u.lang, voice: u.voice && u.voice.name }); current = u; },
      cancel() { window.__speech.cancelled += 1; current = null; },
      pause() {}, resume() {},
      addEventListener(type, fn) { if (type === "voiceschanged") listeners.push(fn); },
      removeEventListener() {},
    },
  });
  // Like Chrome: the list of voices arrives after the page has loaded.
  setTimeout(() => { loaded = voices; listeners.forEach((fn) => fn(new Event("voiceschanged"))); }, 300);
})();"""
VI_VOICE = '[{"name": "Tiếng Việt", "lang": "vi-VN", "localService": true, "default": false}]'
EN_VOICE = '[{"name": "English", "lang": "en-US", "localService": true, "default": true}]'


def test_the_reader_reads_aloud_with_a_vietnamese_voice(page, server, world, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    target = _resolution(world)
    page.add_init_script(FAKE_SPEECH % VI_VOICE)
    sign_in(page, server, world.member.username)
    page.goto(server + f"/van-ban/{target.pk}/")
    button = page.get_by_role("button", name="Đọc cho tôi nghe")
    expect(button).to_be_visible()
    button.click()
    stop = page.get_by_role("button", name="Dừng đọc")
    expect(stop).to_be_visible()
    expect(stop).to_have_attribute("aria-pressed", "true")
    first = page.evaluate("window.__speech.spoken")
    assert first == [{"text": target.title, "lang": "vi-VN", "voice": "Tiếng Việt"}]
    # One paragraph at a time: the next piece is spoken when the previous one ends.
    page.evaluate("window.__speech.finish()")
    page.evaluate("window.__speech.finish()")
    texts = [s["text"] for s in page.evaluate("window.__speech.spoken")]
    assert texts[1:] == [
        "Chủ động tham gia cuộc Cách mạng công nghiệp lần thứ tư.",
        "I. MỤC ĐÍCH, YÊU CẦU",
    ]
    expect(page.locator(".doc-body h2").first).to_have_class(re.compile("is-spoken"))
    assert scroll_width(page) <= WIDTH
    shoot(page, "reader_read_aloud")
    stop.click()
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.__speech.cancelled") >= 1
    page.evaluate("window.__speech.finish()")  # a late end after stopping speaks nothing more
    assert len(page.evaluate("window.__speech.spoken")) == 3


def test_the_read_aloud_button_stays_hidden_without_a_vietnamese_voice(page, server, world):
    from sotay.documents.testing import make_document

    target = make_document(world, world.province, title="Kết luận số 21-KL/TW")
    page.add_init_script(FAKE_SPEECH % EN_VOICE)
    sign_in(page, server, world.member.username)
    page.goto(server + f"/van-ban/{target.pk}/")
    page.wait_for_timeout(600)  # after the voices have arrived
    expect(page.locator("#read-aloud")).to_be_hidden()
    assert page.evaluate("window.__speech.spoken") == []
