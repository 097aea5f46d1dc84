"""Small steps the browser tests share."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
SIGN_IN = "/tai-khoan/dang-nhap/"
WIDTH, HEIGHT = 390, 844
PHONE = {  # the browser context of every test: a mid-range phone
    "viewport": {"width": WIDTH, "height": HEIGHT},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
    "timezone_id": "Asia/Ho_Chi_Minh",
}


# A full-page capture keeps the viewport's size for `position: fixed`, so the bottom nav
# would be drawn across the middle of a long page. For the picture only, pin it to the
# end of the document, where a phone shows it once scrolled to the bottom.
_PIN_NAV = """
html { position: relative; min-height: 100%; }
nav.bottom-nav { position: absolute !important; }
"""


def shoot(page, name: str) -> Path:
    """A full-page screenshot at e2e/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, style=_PIN_NAV)
    return path


def sign_in(page, server: str, identifier: str, password: str | None = None) -> None:
    """Fill and submit the real sign-in form (every persona's password by default),
    waiting for the next page."""
    from sotay.core.testing import PASSWORD

    page.goto(server + SIGN_IN)
    page.locator("input[name=identifier]").fill(identifier)
    page.locator("input[name=password]").fill(password or PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập", exact=True).click()


def sign_out(page, server: str) -> None:
    """The sign-out button lives on the profile page (Cá nhân)."""
    page.goto(server + "/tai-khoan/ca-nhan/")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()


def path_of(page) -> str:
    return urlsplit(page.url).path


def is_nfc(text: str) -> bool:
    """Vietnamese text must reach the page precomposed (NFC), or some phones draw the
    tone marks detached from their vowels."""
    return unicodedata.is_normalized("NFC", text)


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def line_count(locator) -> int:
    """How many lines of text an element's content takes on screen."""
    return locator.evaluate(
        """el => {
            const range = document.createRange();
            range.selectNodeContents(el);
            const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top));
            return new Set(tops).size;
        }"""
    )
