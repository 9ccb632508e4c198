"""``TimedEntry`` (app.platform.caches): the role permissions a worker keeps for a time to live."""

from app.platform.caches import TimedEntry


def test_a_timed_entry_lives_for_its_ttl_and_can_be_forgotten():
    now = [100.0]
    entry = TimedEntry(clock=lambda: now[0])
    assert entry.get(10) is None
    entry.put("grants")
    now[0] += 9.9
    assert entry.get(10) == "grants"
    assert entry.get(0) is None  # a time to live of 0 keeps nothing
    now[0] += 0.1
    assert entry.get(10) is None
    entry.put("grants again")
    entry.clear()
    assert entry.get(10) is None


def test_the_security_manager_keeps_role_permissions_in_a_timed_entry(app_ctx):
    sm = app_ctx.appbuilder.sm
    sm.clear_permission_cache()
    first = sm._role_permissions()
    assert isinstance(sm._permission_cache, TimedEntry)
    ttl = app_ctx.config.get("PERMISSION_CACHE_SECONDS", 10)
    assert (sm._permission_cache.get(ttl) is not None) == (ttl > 0)
    assert sm._role_permissions() == first
