"""Rendered pages kept and served again without the template engine (P2, P3).

A kept page is rendered once with CSRF_MARK standing for the CSRF token; each answer
puts a freshly masked token in its place (`respond`). Used by the home page
(core.home_page, one page per user) and the document reader (documents.reader, one
page per document and everything else it shows).
"""

from __future__ import annotations

import hashlib
import hmac
import os

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response

# Stands for the CSRF token in a kept page. The same in every process (any may serve a
# page another stored) and derived from the secret key, so no text a user writes can
# guess it; it never reaches a browser.
_MARK_MAC = hmac.new(settings.SECRET_KEY.encode(), b"home-page csrf mark", hashlib.sha256)
CSRF_MARK = "csrfmark" + _MARK_MAC.hexdigest()[:24]


_CHARS = CSRF_ALLOWED_CHARS
_INDEX = {c: i for i, c in enumerate(_CHARS)}
_UNBIASED = 256 - 256 % len(_CHARS)  # bytes at or above this would favour the first letters


def _mask() -> list[int]:
    """CSRF_SECRET_LENGTH uniform indices into the token alphabet, from os.urandom."""
    found: list[int] = []
    while len(found) < CSRF_SECRET_LENGTH:
        found += [b % len(_CHARS) for b in os.urandom(CSRF_SECRET_LENGTH + 8) if b < _UNBIASED]
    return found[:CSRF_SECRET_LENGTH]


def csrf_token(request) -> str:
    """Django's `get_token`, masked the same way (mask + secret shifted by the mask, so
    Django's middleware unmasks it) from one os.urandom call: Django draws each of the
    32 mask letters with its own `secrets.choice`, ~70 us a page here, the answer's
    largest single cost after the cache read. A request whose browser sent no valid
    secret goes through Django's own function, which makes one."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret or len(secret) != CSRF_SECRET_LENGTH or not all(c in _INDEX for c in secret):
        return get_token(request)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token: renew the cookie
    mask = _mask()
    return "".join(_CHARS[m] for m in mask) + "".join(
        _CHARS[(_INDEX[c] + m) % len(_CHARS)] for c, m in zip(secret, mask, strict=True)
    )


def render_marked(template: str, context: dict, request) -> tuple[str, str]:
    """The page rendered with CSRF_MARK as its token, and its digest (the ETag's part)."""
    html = render_to_string(template, {**context, "csrf_token": CSRF_MARK}, request)
    return html, hashlib.sha1(html.encode()).hexdigest()  # noqa: S324 - a validator, not a secret


def respond(request, html: str, digest: str) -> HttpResponse:
    """The page with this answer's CSRF token, or 304 Not Modified when the browser
    already holds it (a weak ETag: the copies differ only in how the token is masked).
    The ETag covers the page and the user's CSRF secret, so a browser never keeps a page
    whose token no longer matches its cookie (a new sign-in rotates the secret). On a
    weak network a member reopening an unchanged page downloads nothing."""
    token = csrf_token(request)  # sets CSRF_COOKIE when the browser sent none
    secret = request.META.get("CSRF_COOKIE", "")
    tag = hashlib.sha1(f"{digest}:{secret}".encode()).hexdigest()[:32]  # noqa: S324
    response = HttpResponse(html.replace(CSRF_MARK, token))
    response["ETag"] = f'W/"{tag}"'
    response["Cache-Control"] = "private, no-cache"
    return get_conditional_response(request, etag=response["ETag"], response=response)
