"""The installable web app: manifest, icons, the service worker's file and headers, the
offline page (fetched by the worker whoever is signed in, so it must carry no one's data)
and sign-out clearing what the device kept."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from sotay.core import pwa

pytestmark = pytest.mark.django_db


def test_the_manifest_describes_the_app_in_vietnamese(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "Sổ tay đảng viên điện tử"
    assert data["short_name"] == "Sổ tay ĐV"
    assert data["lang"] == "vi"
    assert data["start_url"] == "/" and data["scope"] == "/"
    assert data["display"] == "standalone"
    assert data["theme_color"] == "#b3140f"  # the top bar's red
    purposes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert purposes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}


@pytest.mark.parametrize(
    ("name", "size"),
    [
        ("img/icon-192.png", 192),
        ("img/icon-512.png", 512),
        ("img/icon-maskable-512.png", 512),
        ("img/apple-touch-icon.png", 180),
    ],
)
def test_each_icon_is_a_png_of_its_stated_size(name, size):
    path = finders.find(name)
    assert path, name
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)


def test_the_maskable_icon_fills_its_square():
    # A maskable icon is cropped to a circle or a squircle: its corners must be opaque.
    with Image.open(finders.find("img/icon-maskable-512.png")) as image:
        rgba = image.convert("RGBA")
        assert rgba.getpixel((0, 0))[3] == 255
        assert rgba.getpixel((511, 511))[3] == 255


def test_the_service_worker_is_served_from_the_root_uncached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    text = response.content.decode()
    config = json.loads(re.search(r"^self\.SOTAY = (.*);$", text, re.M).group(1))
    assert config["version"] == response["X-Sotay-Cache-Version"]
    assert config["offline"] == "/ngoai-tuyen/"
    assert "/ngoai-tuyen/" in config["pages"]
    # Every precached file exists, or the worker's install would fail.
    for name in config["shell"]:
        assert finders.find(name), name
    assert 'addEventListener("fetch"' in text


def test_the_cache_version_changes_with_a_shell_file(monkeypatch):
    _, before = pwa._build_worker()
    assert pwa._build_worker()[1] == before  # stable while nothing changes
    real = pwa._read_static
    monkeypatch.setattr(
        pwa,
        "_read_static",
        lambda name: real(name) + b"/* new */" if name == "css/app.css" else real(name),
    )
    assert pwa._build_worker()[1] != before


def test_pages_link_the_manifest_and_the_app_script(world, login):
    page = login(world.member).get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#b3140f">' in page
    assert "/static/js/app.js" in page
    assert 'id="offline-banner"' in page and 'role="status"' in page


@pytest.mark.parametrize("persona", ["member", "admin", "pending"])
def test_the_offline_page_carries_nobodys_data(world, login, persona):
    user = world.persona(persona)
    response = login(user).get("/ngoai-tuyen/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Không có kết nối mạng" in page
    assert "data-offline-page" in page
    assert user.full_name not in page
    assert "/thong-bao/" not in page  # no bell with an unread count
    assert "bottom-nav" not in page


def test_the_offline_page_leaves_a_waiting_message_to_its_page(world, login):
    client = login(world.member)
    document = _published(world)
    client.post(f"/van-ban/{document.pk}/doc-sau/")  # "Đã lưu…" waits for the next page
    assert "Đã lưu vào mục Đọc sau." not in client.get("/ngoai-tuyen/").content.decode()
    assert "Đã lưu vào mục Đọc sau." in client.get(f"/van-ban/{document.pk}/").content.decode()


def _published(world):
    from sotay.documents.testing import make_document

    return make_document(world, world.province, title="Nghị quyết thử")


def test_the_app_files_need_no_sign_in(client):
    for url in ("/manifest.webmanifest", "/sw.js", "/ngoai-tuyen/"):
        assert client.get(url).status_code == 200, url


def test_sign_out_clears_what_the_device_kept(world, login):
    from sotay.audit.models import AuditEntry

    client = login(world.member)
    response = client.post("/tai-khoan/dang-xuat/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert AuditEntry.objects.filter(action="auth.logout").exists()
    assert client.get("/").status_code == 302  # signed out
