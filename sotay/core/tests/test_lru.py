from sotay.core.lru import Lru


def test_the_least_recently_used_entry_goes_first():
    store = Lru(2)
    store.put("a", 1)
    store.put("b", 2)
    assert store.get("a") == 1  # "a" is now the most recent
    store.put("c", 3)
    assert store.get("b") is None and store.get("a") == 1 and store.get("c") == 3
    assert len(store) == 2
    store.clear()
    assert store.get("a") is None and len(store) == 0
