"""Per-worker cache of the plugin's share groups, kept while the configuration version holds.

The groups sit on every member query.  Each worker keeps them per app and
reloads them (one query) only when the core's configuration version changes;
whoever changes a group bumps that version (``app.plugins.bump_config_version``),
so every worker sees the change at its next request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app

from app.plugins import plugin_host

KEY = "member_privacy_cache"


def cached(name: str, load: Callable[[], Any]) -> Any:
    version = plugin_host().config_version()  # read once per request by the core
    worker = current_app.extensions.setdefault(KEY, {})
    hit = worker.get(name)
    if version >= 0 and hit is not None and hit[0] == version:
        return hit[1]
    value = load()
    if version >= 0:
        worker[name] = (version, value)
    return value
