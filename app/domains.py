"""The core domains: default plugins, always on (datasette's ``default_*`` modules).

Each ``app/<domain>/__init__.py`` is that domain's manifest -- the same shape as
a plugin's: ``NAME``, ``TITLE``, ``VERSION``, ``DESCRIPTION``, ``DEPENDS``,
``CORE = True``, ``ORDER`` (menu and demo-data position), the declared
contributions (``MODELS``, ``GRANTS``, ``SETTINGS``, ``DEMO``, ...: ``app.manifest``)
and ``@hookimpl`` functions.  They are found here, so adding a domain touches no
shared file, and registered on the app's plugin manager before the plugins.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

APP_DIR = Path(__file__).resolve().parent
CORE_VERSION = "0.1.0"


@functools.cache
def core_domains() -> tuple[ModuleType, ...]:
    """The manifests of the core domains, in menu order (fixed for the life of the process)."""
    modules = []
    for info in pkgutil.iter_modules([str(APP_DIR)]):
        if info.ispkg:
            module = importlib.import_module(f"app.{info.name}")
            if getattr(module, "CORE", False):
                modules.append(module)
    return tuple(sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__)))
