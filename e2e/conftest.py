"""Browser tests: the real pages, driven in headless Chromium against pytest-django's
live server, on a 390 px phone viewport.

Chromium comes from the system (Debian's `chromium` package), never from Playwright's
own download: set SOTAY_CHROMIUM to another binary if needed. Without a Chromium every
test marked `e2e` is skipped with a visible reason.
"""

from __future__ import annotations

import os
import shutil

import pytest

from e2e.helpers import PHONE

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def chromium_path() -> str | None:
    """SOTAY_CHROMIUM, else `chromium` on PATH, else /usr/bin/chromium; None if absent."""
    candidate = os.environ.get("SOTAY_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
        return candidate
    return None


def _skip_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright not installed: browser tests skipped"
    if chromium_path() is None:
        return "Chromium not found: browser tests skipped"
    return None


@pytest.hookimpl(trylast=True)  # after pytest-django has sorted the items
def pytest_collection_modifyitems(config, items):
    e2e_items = [item for item in items if item.get_closest_marker("e2e")]
    if not e2e_items:
        return
    reason = _skip_reason()
    if reason:
        for item in e2e_items:
            item.add_marker(pytest.mark.skip(reason=reason))
    # Browser tests run last, so that nothing else runs while the browser (and with it
    # DJANGO_ALLOW_ASYNC_UNSAFE, see `browser`) is alive.
    items[:] = [item for item in items if not item.get_closest_marker("e2e")] + e2e_items


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session.

    While sync Playwright is started it marks an asyncio loop as running in the main
    thread, and Django's ORM then refuses to run there unless DJANGO_ALLOW_ASYNC_UNSAFE
    is set (the tests are synchronous, so it is safe). The variable is set only for the
    browser's lifetime, which the collection hook above puts at the end of the run: a
    process started meanwhile would inherit it, and `manage.py check` reports it as an
    error (async.E001), which breaks the deploy-check test in sotay/.
    """
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(
                executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def server(live_server):
    """The live server's base URL, without a trailing slash."""
    return live_server.url.rstrip("/")


@pytest.fixture
def new_page(browser):
    """Open a page in a fresh phone-sized context (options may be overridden, e.g.
    java_script_enabled=False). JavaScript errors and failed static files make the test
    fail at teardown."""
    contexts, problems = [], []

    def _new_page(**overrides):
        context = browser.new_context(**{**PHONE, **overrides})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} for {r.url}")
                if "/static/" in r.url and r.status >= 400
                else None
            ),
        )
        return page

    yield _new_page
    for context in contexts:
        context.close()
    assert not problems, "problems in the browser:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()
