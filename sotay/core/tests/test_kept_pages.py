"""The kept pages' CSRF token: Django's format and masking, from one random draw."""

from collections import Counter

from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_TOKEN_LENGTH,
    _get_new_csrf_string,
    _unmask_cipher_token,
)
from django.test import RequestFactory

from sotay.core import kept_pages


def request_with(secret=None):
    request = RequestFactory().get("/")
    if secret is not None:
        request.META["CSRF_COOKIE"] = secret
    return request


def test_the_token_unmasks_to_the_browsers_secret_and_renews_its_cookie():
    secret = _get_new_csrf_string()
    request = request_with(secret)
    tokens = [kept_pages.csrf_token(request) for _ in range(200)]
    assert len(set(tokens)) == 200  # a fresh mask every time (BREACH)
    for token in tokens:
        assert len(token) == CSRF_TOKEN_LENGTH
        assert set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert request.META["CSRF_COOKIE"] == secret


def test_without_a_secret_django_makes_one():
    request = request_with(None)  # the browser sent no cookie (or one the middleware refused)
    token = kept_pages.csrf_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert len(secret) == 32 and request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert _unmask_cipher_token(token) == secret


def test_mask_letters_are_uniform():
    """Bytes past the last whole multiple of 62 are dropped, not folded onto the first
    letters: each letter's share stays near 1/62 (a folded draw gives 'a'-'h' 5/256)."""
    counts = Counter()
    for _ in range(2_000):
        counts.update(kept_pages._mask())
    total = sum(counts.values())
    assert total == 2_000 * 32 and len(counts) == 62
    expected = total / 62
    assert all(abs(n - expected) < 0.15 * expected for n in counts.values()), counts
    first_eight = sum(counts[i] for i in range(8)) / total
    assert abs(first_eight - 8 / 62) < 0.01  # folded: 40/256 = 0.156 against 0.129
