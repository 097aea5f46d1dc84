import pytest
from django.conf import settings


def pytest_configure(config):
    # Argon2 is deliberately slow; tests hash hundreds of passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    from sotay.core.testing import build_world

    return build_world()


@pytest.fixture
def login(client):
    """Sign a persona into the Django test client (bypassing the form)."""

    def _login(user):
        client.force_login(user, backend="sotay.accounts.backends.IdentifierBackend")
        return client

    return _login


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache and in Vietnamese."""
    from django.core.cache import cache
    from django.utils import translation

    from sotay.members import record_page

    cache.clear()
    record_page.clear()
    translation.activate("vi")  # a request in English must not leak into the next test
    yield


@pytest.fixture
def shared(settings):
    """The code paths of a cache shared by all app processes (Redis in production):
    SOTAY_SHARED_CACHE on the test cache, which _empty_cache empties for each test."""
    settings.SOTAY_SHARED_CACHE = True
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def renders(monkeypatch):
    """Who got a page rendered to be kept (core.kept_pages): a kept page served renders
    nothing."""
    from sotay.core import kept_pages

    calls = []
    real = kept_pages.render_marked

    def counting(template, context, request):
        calls.append(request.user.username)
        return real(template, context, request)

    monkeypatch.setattr(kept_pages, "render_marked", counting)
    return calls
