"""Versioned per-user cache entries for data every page needs.

An entry is stored as (epoch, value) next to a global epoch counter; bumping the epoch
invalidates every user's entry at once (a seat change can alter anyone's scope, a notice
reaches thousands). Reading costs one `get_many` round trip. Only used when the cache is
shared by all app processes (`SOTAY_SHARED_CACHE`), otherwise the value is computed.
"""

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

TTL_SECONDS = 300


def cached_for_user(namespace: str, user_id: int, compute: Callable[[], Any]) -> Any:
    if not settings.SOTAY_SHARED_CACHE:
        return compute()
    epoch_key, key = f"epoch:{namespace}", f"{namespace}:{user_id}"
    found = cache.get_many([epoch_key, key])
    epoch = found.get(epoch_key)
    if epoch is None:
        cache.add(epoch_key, 1, timeout=None)
        epoch = cache.get(epoch_key, 1)
    entry = found.get(key)
    if entry is not None and entry[0] == epoch:
        return entry[1]
    value = compute()
    cache.set(key, (epoch, value), TTL_SECONDS)
    return value


def bump(namespace: str) -> None:
    """Invalidate every user's entry in `namespace`."""
    if not settings.SOTAY_SHARED_CACHE:
        return
    epoch_key = f"epoch:{namespace}"
    try:
        cache.incr(epoch_key)
    except ValueError:
        cache.set(epoch_key, 2, timeout=None)


def forget_user(namespace: str, user_id: int) -> None:
    if settings.SOTAY_SHARED_CACHE:
        cache.delete(f"{namespace}:{user_id}")


# The token of a user's reads that core.home_page puts in the home page's fingerprint.
# Near-cached (the "epoch:" prefix); it outlives any home page stored under it.
HOME_READS_KEY = "epoch:home-reads:{}"
HOME_READS_TTL = 1200


def home_reads_changed(user_id: int) -> None:
    """The user opened a document or post for the first time: once that commits, their
    stored home page (its unread marks, its required documents on top) is stale."""
    if not settings.SOTAY_SHARED_CACHE:
        return
    transaction.on_commit(
        lambda: cache.set(HOME_READS_KEY.format(user_id), secrets.token_hex(6), HOME_READS_TTL)
    )
