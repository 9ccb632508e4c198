"""Per-worker cache of the plugin's settings and share groups.

They sit on every member query, so they are read at most once per request and,
across requests, at most every ``PERMISSION_CACHE_SECONDS`` (the core's setting
for how long a worker may keep who-may-see-what: 10 s by default, 0 in tests).
A change made through this worker's admin clears the cache at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import current_app, g, has_request_context

KEY = "member_privacy_cache"


def cached(name: str, load: Callable[[], Any]) -> Any:
    per_request = g.setdefault("_member_privacy", {}) if has_request_context() else None
    if per_request is not None and name in per_request:
        return per_request[name]
    ttl = float(current_app.config.get("PERMISSION_CACHE_SECONDS", 10))
    worker = current_app.extensions.setdefault(KEY, {})
    now = time.monotonic()
    hit = worker.get(name)
    if hit is not None and ttl > 0 and now - hit[0] < ttl:
        value = hit[1]
    else:
        value = load()
        worker[name] = (now, value)
    if per_request is not None:
        per_request[name] = value
    return value


def clear() -> None:
    current_app.extensions.pop(KEY, None)
    if has_request_context():
        g.pop("_member_privacy", None)
