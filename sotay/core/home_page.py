"""The home page as this member last saw it, kept whole while nothing on it changed (P2).

The home feed is the page every member lands on each time they open the app, and most
openings show exactly what the last one showed. Its parts (news.feed_cache's shared
scope page, the bell, the study block, the shortcut tiles) are each cached already, yet
assembling and rendering them cost ~2 ms a page. So the rendered page itself is kept in
the shared cache, one entry per user, with a *fingerprint* of everything it was made
from:

    the scope page's key   its audience epochs, day and language
                           (news.feed_cache.page_key): any document, post or required
                           reading addressed to a level the user reads, midnight,
                           another language;
    the user               account status, name, roles (grants: seats, role grants and
                           the branch the member belongs to, which also decide the
                           shortcut tiles), superuser flag;
    the member             status, organisation and its name;
    the bell               the unread notices count (notifications.queries);
    the study block        the programmes and standing shown (learning.queries).

and, like the scope page, it is kept only until the next scheduled post addressed to the
user's levels comes out. A request recomputes the fingerprint from those near-cached
values (no SQL) and serves the entry only when it matches; otherwise the view renders
the page and stores it. The user's own reads (the unread marks, which required
documents stay on top) count through a token of theirs: the first opening of a
document or post (core.cache.home_reads_changed, called by the read receipts) draws a
new one on commit. The token is read before the page is rendered, so a read that
commits while a page is being rendered leaves that page unserved.
The CSRF token is not stored: the page is kept with a placeholder and each answer gets
a freshly masked token. A page with a flash message pending is never stored or served.
Only with the shared cache (Redis): entries are not kept in the processes' near cache.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone

from sotay.accounts import permissions
from sotay.accounts.models import AccountStatus
from sotay.core.cache import HOME_READS_KEY
from sotay.core.kept_pages import CSRF_MARK, respond  # noqa: F401 - CSRF_MARK: for core.views
from sotay.learning.queries import home_programmes
from sotay.news import feed, feed_cache
from sotay.notifications.queries import unread_count

KEY = "home-page:{}"
TTL_SECONDS = 600  # below core.cache.HOME_READS_TTL: a lapsed reads token never revives a page
VERSION = 1  # bump when the page's template changes shape without a deploy restart


def fingerprint(request) -> str | None:
    """What the page is made of, as a digest; None when this page must not be kept
    (no shared cache, a flash message waiting, an account that is not active)."""
    user = request.user
    if not feed_cache.enabled() or not user.is_authenticated or user.status != AccountStatus.ACTIVE:
        return None
    if len(messages.get_messages(request)):  # counting does not consume them
        return None
    member = user.member if user.member_id else None
    scope = feed.Scope.of(user)
    parts = (
        VERSION,
        feed_cache.page_key(scope) if scope.paths else "",
        user.pk,
        user.full_name,
        permissions.is_superadmin(user),
        sorted((g.role, g.path) for g in permissions.grants_for(user)),
        member and (member.pk, member.status, member.organization_id, member.organization.name),
        cache.get(HOME_READS_KEY.format(user.pk), ""),
        unread_count(user),
        [(p.pk, p.title, p.closes_on, getattr(p, "standing", None)) for p in home_programmes(user)],
    )
    return hashlib.sha1(repr(parts).encode()).hexdigest()  # noqa: S324 - a cache key


def serve(request, print_: str | None) -> HttpResponse | None:
    """The stored page when its fingerprint is `print_`, with this answer's token."""
    if print_ is None:
        return None
    found = cache.get(KEY.format(request.user.pk))
    if found is None or found[0] != print_ or found[2] <= timezone.now().timestamp():
        return None
    return respond(request, found[1], found[3])


def store(request, print_: str | None, html: str, until: float) -> str:
    """Keep the page (rendered with CSRF_MARK as its token) under its fingerprint, until
    the timestamp `until` (the next scheduled post) at most; returns its digest."""
    digest = hashlib.sha1(html.encode()).hexdigest()  # noqa: S324 - a validator, not a secret
    ttl = min(TTL_SECONDS, int(until - timezone.now().timestamp()))
    if print_ is not None and ttl > 0:
        cache.set(KEY.format(request.user.pk), (print_, html, until, digest), ttl)
    return digest
