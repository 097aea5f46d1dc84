"""The Redis cache backend: reused clients and the near cache kept exact by Redis'
invalidation messages. Needs the Redis on 127.0.0.1:6379 (skipped without it)."""

import pickle
import secrets
import subprocess
import sys
import time

import pytest

from sotay.core import redis_cache

URL = "redis://127.0.0.1:6379/9"


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return client


@pytest.fixture
def raw():
    return _redis_or_skip()


@pytest.fixture
def prefix():
    return f"t{secrets.token_hex(4)}:"


def make_cache(prefix, **options):
    return redis_cache.RedisCache(URL, {"OPTIONS": {"NEAR_PREFIXES": [prefix], **options}})


def wait_for(predicate, seconds=2.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def test_one_client_object_per_pool(raw, prefix):
    cache = make_cache(prefix)
    assert cache._cache.get_client("a") is cache._cache.get_client("b")
    cache.set(prefix + "k", {"x": 1})
    assert cache.get(prefix + "k") == {"x": 1}


def test_second_read_is_served_in_process(raw, prefix):
    cache = make_cache(prefix)
    cache.set(prefix + "user", {"name": "Nguyễn Văn A"}, 60)
    assert cache.get(prefix + "user") == {"name": "Nguyễn Văn A"}
    near = cache._near
    hits = near.hits
    value = cache.get(prefix + "user")
    assert value == {"name": "Nguyễn Văn A"}
    assert near.hits == hits + 1
    # Each read gets its own object: one request cannot alter another's copy.
    value["name"] = "changed"
    assert cache.get(prefix + "user") == {"name": "Nguyễn Văn A"}


def test_keys_outside_the_prefixes_always_go_to_redis(raw, prefix):
    cache = make_cache(prefix)
    cache.set("other:" + prefix, 1, 60)
    assert cache.get("other:" + prefix) == 1
    raw.set(cache.make_key("other:" + prefix), 2)
    assert cache.get("other:" + prefix) == 2


def test_write_by_another_process_reaches_the_next_read(raw, prefix):
    cache = make_cache(prefix)
    key = prefix + "session"
    cache.set(key, "v1", 60)
    assert cache.get(key) == "v1"
    assert cache.get(key) == "v1"  # now a near copy
    # Another process changes the key through its own connection, as another app
    # worker would (a password change, a sign-out).
    full = cache.make_key(key)
    code = f"import redis, pickle; redis.Redis.from_url({URL!r}).set({full!r}, pickle.dumps('v2'))"
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - fixed code
    assert wait_for(lambda: cache.get(key) == "v2", 1.0)
    # Redis sends the message before it answers the writer, so in practice the very
    # first read after the writer returned already sees it; allow scheduling slack.
    assert time.monotonic() - started < 1.5


def test_delete_expiry_and_flush_drop_copies(raw, prefix):
    cache = make_cache(prefix)
    cache.set(prefix + "a", 1, 60)
    cache.set(prefix + "b", 2, 1)
    assert cache.get_many([prefix + "a", prefix + "b"]) == {prefix + "a": 1, prefix + "b": 2}
    raw.delete(cache.make_key(prefix + "a"))
    assert wait_for(lambda: cache.get(prefix + "a") is None)
    # Expiry in Redis is an invalidation too.
    assert wait_for(lambda: cache.get(prefix + "b") is None, 3.0)
    cache.set(prefix + "c", 3, 60)
    assert cache.get(prefix + "c") == 3
    raw.flushdb()
    assert wait_for(lambda: cache.get(prefix + "c") is None)


def test_incr_of_an_epoch_is_seen_at_once_by_this_process(raw, prefix):
    cache = make_cache(prefix)
    cache.set(prefix + "epoch", 1, None)
    assert cache.get_many([prefix + "epoch"]) == {prefix + "epoch": 1}
    cache.incr(prefix + "epoch")
    # This process wrote it: no waiting for the message.
    assert cache.get_many([prefix + "epoch"]) == {prefix + "epoch": 2}


def test_a_read_that_raced_an_invalidation_is_not_kept(raw, prefix):
    near = make_cache(prefix)._near
    near.ensure_listening()
    generation = near.generation()
    near._invalidate([b"whatever"])  # arrives while the read was in flight
    near.store(prefix + "x", b"stale", generation)
    assert near.lookup(prefix + "x") is redis_cache.UNKNOWN
    near.store(prefix + "x", b"fresh", near.generation())
    assert near.lookup(prefix + "x") == b"fresh"


def test_copies_are_not_used_while_the_listener_is_down(raw, prefix):
    cache = make_cache(prefix)
    cache.set(prefix + "k", "v1", 60)
    assert cache.get(prefix + "k") == "v1"
    near = cache._near
    near._live = False
    try:
        raw.set(cache.make_key(prefix + "k"), pickle.dumps("v2"))
        assert cache.get(prefix + "k") == "v2"
    finally:
        near._live = True


def test_least_recently_used_entries_are_dropped_beyond_the_limit(raw, prefix):
    near = redis_cache.NearCache(URL, [prefix], max_entries=3, ttl=60)
    near._live = True
    for i in range(5):
        near.store(f"{prefix}{i}", b"v", near.generation())
    unknown = redis_cache.UNKNOWN
    assert [near.lookup(f"{prefix}{i}") for i in range(5)] == [unknown, unknown, b"v", b"v", b"v"]


def test_copies_expire_after_the_ttl(raw, prefix):
    near = redis_cache.NearCache(URL, [prefix], max_entries=10, ttl=0.05)
    near._live = True
    near.store(prefix + "k", b"v", near.generation())
    assert near.lookup(prefix + "k") == b"v"
    time.sleep(0.08)
    assert near.lookup(prefix + "k") is redis_cache.UNKNOWN


def test_an_absent_key_is_known_absent_until_someone_creates_it(raw, prefix):
    cache = make_cache(prefix)
    key = prefix + "epoch"
    assert cache.get(key) is None
    hits = cache._near.hits
    assert cache.get_many([key]) == {}
    assert cache._near.hits == hits + 1  # the absence came from the copy
    # Broadcast tracking reports the creation by another client: no stale "absent".
    raw.set(cache.make_key(key), 7)
    assert wait_for(lambda: cache.get(key) == 7)
