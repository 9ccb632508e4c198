"""Core domains: every ``app/<domain>/setup.py`` registers that domain's admin views,
APIs and default role grants.  Discovered, so adding a domain touches no shared file.

A setup module defines ``ORDER`` (menu position), ``register(appbuilder)``,
``GRANTS = {role: [(permission, view_menu), ...]}`` and optionally
``SETTINGS = [SettingDef(...), ...]`` (typed settings shown on the settings page).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import pkgutil
from types import ModuleType


@functools.cache
def core_domains() -> tuple[ModuleType, ...]:
    """The domains of this installation (fixed for the life of the process)."""
    import app

    modules = []
    for info in pkgutil.iter_modules(app.__path__):
        name = f"app.{info.name}.setup"
        if info.ispkg and importlib.util.find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return tuple(sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__)))


def domain_grants() -> dict[str, list[tuple[str, str]]]:
    merged: dict[str, list[tuple[str, str]]] = {}
    for module in core_domains():
        for role, pairs in getattr(module, "GRANTS", {}).items():
            merged.setdefault(role, []).extend(pairs)
    return merged
