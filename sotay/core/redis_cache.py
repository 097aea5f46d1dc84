"""Django's Redis cache with two changes that matter on every signed-in request.

1. One client object per connection pool. Django's `RedisCacheClient.get_client` builds
   a new `redis.Redis` for every cache call; with redis-py 8 that constructor copies the
   whole response-callback table (~170 entries) each time. Profiled on a signed-in
   request, the two cache reads (session, user) spent more time constructing clients
   than talking to Redis. A `redis.Redis` is thread-safe over its pool, and Django keeps
   one cache object (so one set of pools) per thread, so reusing it changes only the cost.

2. A near cache: process-wide copies of the small entries every signed-in request reads
   (the session, the session's user, role grants, their epochs), so a request pays no
   Redis round trip for them. Copies are kept exact by Redis itself: a listener thread
   per process holds a connection with `CLIENT TRACKING ON BCAST PREFIX …` redirected to
   its own `__redis__:invalidate` subscription, so any write, delete, expiry or eviction
   of a key under those prefixes, by any process, drops the copy everywhere. A read that
   raced an invalidation is not kept (the generation check in `NearCache.store`). While
   the listener is not connected (start-up, Redis restart) the near cache is bypassed
   and emptied; every copy also expires after `NEAR_TTL` seconds as a backstop.
   Values are kept as the bytes Redis returned and unpickled per request, so no two
   requests share a mutable object.

OPTIONS (popped here, not passed to redis-py):
    NEAR_PREFIXES  key prefixes kept near (the key as the code names it, before Django's
                   KEY_PREFIX/version are added); empty or missing = no near cache
    NEAR_MAX       entries kept per process (least recently used dropped), default 20,000
    NEAR_TTL       seconds a copy is trusted at most, default 60
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

log = logging.getLogger(__name__)

INVALIDATE_CHANNEL = "__redis__:invalidate"
UNKNOWN = object()  # NearCache.lookup: no copy here


class ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class NearCache:
    """Copies of Redis values in this process, invalidated by Redis' broadcast tracking."""

    def __init__(self, url: str, prefixes: list[str], max_entries: int, ttl: float):
        self.url = url
        self.prefixes = tuple(prefixes)
        self.max_entries = max_entries
        self.ttl = ttl
        self._data: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0
        self._live = False
        self._pid: int | None = None
        self._connected = threading.Event()
        self.hits = self.misses = self.invalidations = 0

    # --- the listener ------------------------------------------------------------------

    def ensure_listening(self) -> bool:
        """Start this process's listener once (after a fork the parent's thread is gone);
        True when copies may be used."""
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._pid = os.getpid()
                    self._live = False
                    self._data.clear()
                    self._connected.clear()
                    threading.Thread(
                        target=self._listen, name="sotay-near-cache", daemon=True
                    ).start()
            # The first requests wait briefly for the subscription rather than all missing.
            self._connected.wait(0.5)
        return self._live

    def _listen(self) -> None:
        import redis

        delay = 0.1
        while True:
            conn = None
            try:
                # RESP2: redis-py 8 speaks RESP3 by default, where the subscription
                # answers arrive as push messages this loop does not read.
                conn = redis.ConnectionPool.from_url(self.url, protocol=2).make_connection()
                conn.connect()
                conn.send_command("CLIENT", "ID")
                client_id = conn.read_response()
                args = ["CLIENT", "TRACKING", "ON", "REDIRECT", client_id, "BCAST"]
                for prefix in self.prefixes:
                    args += ["PREFIX", prefix]
                conn.send_command(*args)
                conn.read_response()
                conn.send_command("SUBSCRIBE", INVALIDATE_CHANNEL)
                conn.read_response()
                with self._lock:
                    self._data.clear()
                    self._generation += 1
                    self._live = True
                self._connected.set()
                delay = 0.1
                while True:
                    if not conn.can_read(timeout=30):
                        conn.send_command("PING")  # allowed while subscribed
                        continue
                    message = conn.read_response()
                    if isinstance(message, list) and len(message) == 3 and message[0] == b"message":
                        self._invalidate(message[2])
            except Exception as exc:  # any failure: stop trusting copies, reconnect
                with self._lock:
                    self._live = False
                    self._data.clear()
                    self._generation += 1
                log.warning("near cache listener reconnecting: %s", exc)
                self._connected.set()  # do not make requests wait for a Redis that is down
                time.sleep(delay)
                delay = min(delay * 2, 5)
            finally:
                if conn is not None:
                    conn.disconnect()

    def _invalidate(self, keys) -> None:
        with self._lock:
            self._generation += 1
            self.invalidations += 1
            if keys is None:  # FLUSHDB / FLUSHALL
                self._data.clear()
                return
            for key in keys:
                self._data.pop(key.decode() if isinstance(key, bytes) else key, None)

    # --- reads -------------------------------------------------------------------------

    def wants(self, key: str) -> bool:
        return key.startswith(self.prefixes)

    def generation(self) -> int:
        return self._generation

    def lookup(self, key: str):
        """The copy of `key`: its bytes, None when Redis had no such key (broadcast
        tracking reports the key's creation too, so absence can be kept), or UNKNOWN."""
        if not self._live:
            return UNKNOWN
        with self._lock:
            found = self._data.get(key)
            if found is None or found[1] < time.monotonic():
                self.misses += 1
                return UNKNOWN
            self._data.move_to_end(key)
            self.hits += 1
            return found[0]

    def store(self, key: str, raw: bytes | None, generation: int) -> None:
        """Keep `raw` (None: no such key), read from Redis after `generation()` returned
        `generation`, unless an invalidation arrived in between (the read may predate
        the change)."""
        with self._lock:
            if not self._live or self._generation != generation:
                return
            self._data[key] = (raw, time.monotonic() + self.ttl)
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def drop(self, key: str) -> None:
        """This process wrote the key: forget the copy now, before Redis' message."""
        with self._lock:
            self._generation += 1
            self._data.pop(key, None)


_near_caches: dict[tuple, NearCache] = {}
_near_lock = threading.Lock()


def _near_cache_for(url: str, prefixes: list[str], max_entries: int, ttl: float) -> NearCache:
    """One near cache per process and configuration, shared by every thread's cache object."""
    key = (url, tuple(prefixes), max_entries, ttl)
    with _near_lock:
        near = _near_caches.get(key)
        if near is None:
            near = _near_caches[key] = NearCache(url, prefixes, max_entries, ttl)
        return near


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        prefixes = options.pop("NEAR_PREFIXES", None) or []
        max_entries = int(options.pop("NEAR_MAX", 20_000))
        ttl = float(options.pop("NEAR_TTL", 60))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._class = ReusingClient
        self._near = None
        if prefixes:
            # Tracking sees the raw Redis key: KEY_PREFIX and version come first.
            raw = [self.make_key(p) for p in prefixes]
            self._near = _near_cache_for(self._servers[0], raw, max_entries, ttl)

    def validate_key(self, key):
        """Nothing to check: Redis takes any key. Django's check only warns about keys
        memcached would refuse, and costs ~5 us a key (a lazy regex behind a proxy),
        15-20 keys on every signed-in page. The cache the tests and `make run` use
        (LocMemCache) still warns."""

    def _kept_near(self, full) -> bool:
        """Whether this key is one each process keeps (and its listener is up)."""
        return self._near is not None and self._near.wants(full) and self._near.ensure_listening()

    def get(self, key, default=None, version=None):
        full = self.make_key(key, version=version)
        if not self._kept_near(full):
            return self._cache.get(full, default)
        raw = self._near.lookup(full)
        if raw is UNKNOWN:
            generation = self._near.generation()
            raw = self._cache.get_client(full).get(full)
            self._near.store(full, raw, generation)
        return default if raw is None else self._cache._serializer.loads(raw)

    def get_many(self, keys, version=None):
        if self._near is None:
            return super().get_many(keys, version)
        fulls = {}
        for key in keys:
            full = self.make_key(key, version=version)
            if not self._kept_near(full):
                return super().get_many(keys, version)
            fulls[full] = key
        found, missing = {}, []
        for full, key in fulls.items():
            raw = self._near.lookup(full)
            if raw is UNKNOWN:
                missing.append(full)
            elif raw is not None:
                found[key] = self._cache._serializer.loads(raw)
        if missing:
            generation = self._near.generation()
            raws = self._cache.get_client(None).mget(missing)
            for full, raw in zip(missing, raws, strict=True):
                self._near.store(full, raw, generation)
                if raw is not None:
                    found[fulls[full]] = self._cache._serializer.loads(raw)
        return found

    # Writes from this process drop the local copy at once; other processes drop theirs
    # when Redis' invalidation message reaches them.
    def _dropped(self, key, version):
        if self._near is not None:
            full = self.make_key(key, version=version)
            if self._near.wants(full):
                self._near.drop(full)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._dropped(key, version)
        super().set(key, value, timeout, version)
        self._dropped(key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._dropped(key, version)
        result = super().add(key, value, timeout, version)
        self._dropped(key, version)
        return result

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        self._dropped(key, version)
        return super().touch(key, timeout, version)

    def delete(self, key, version=None):
        self._dropped(key, version)
        result = super().delete(key, version)
        self._dropped(key, version)
        return result

    def incr(self, key, delta=1, version=None):
        self._dropped(key, version)
        result = super().incr(key, delta, version)
        self._dropped(key, version)
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        for key in data:
            self._dropped(key, version)
        result = super().set_many(data, timeout, version)
        for key in data:
            self._dropped(key, version)
        return result

    def delete_many(self, keys, version=None):
        keys = list(keys)
        for key in keys:
            self._dropped(key, version)
        super().delete_many(keys, version)
        for key in keys:
            self._dropped(key, version)

    def clear(self):
        if self._near is not None:
            self._near._invalidate(None)
        return super().clear()
