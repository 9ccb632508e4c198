"""Declared manifest contributions (app/manifest.py): generated hooks, their checks, demo order,
the sidebar ranks."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from app.hookspecs import hookimpl
from app.plugins import PluginError, PluginHost


def _manifest(name: str, **attributes) -> types.ModuleType:
    module = types.ModuleType(f"manifest_{name}")
    module.__file__ = str(Path(__file__).resolve())
    module.NAME = name
    for key, value in attributes.items():
        setattr(module, key, value)
    return module


def test_a_manifest_declares_or_writes_a_hook_never_both():
    both = _manifest("both", GRANTS={}, retail_role_grants=hookimpl(lambda: {}))
    with pytest.raises(PluginError, match="GRANTS"):
        PluginHost().register(both)
    with pytest.raises(PluginError, match="'module:name'"):
        PluginHost().register(_manifest("bad_job", JOBS={"bad_job.run": "no_colon_here"}))


def test_declared_attributes_become_hooks_on_the_same_manager(monkeypatch):
    calls = []
    code = types.ModuleType("declared_code")
    code.with_password = lambda password: calls.append(password) or 2
    code.without_arguments = lambda: calls.append("no arguments")
    monkeypatch.setitem(sys.modules, "declared_code", code)
    host = PluginHost()
    first = host.register(_manifest("first", DEFAULT_ENABLED=True, GRANTS={"Cashier": [("can_read", "X")]},
                                    DEMO="declared_code:with_password", MIGRATIONS="versions"))
    host.register(_manifest("second", DEPENDS=("third",), DEMO="declared_code:without_arguments"))
    host.register(_manifest("third", DEMO="declared_code:with_password"))
    assert host.pm.get_plugin("first.manifest") is not None and host.pm.get_plugin("first") is first.module
    assert "retail_seed_demo" in host.hook_names("first")
    assert host.role_grants() == {"Cashier": [("can_read", "X")]}
    assert host.migration_dirs() == [str(Path(__file__).resolve().parent / "versions")]
    assert host._dependency_order() == ["first", "third", "second"]  # a plugin after what it needs
    host.enabled_names = lambda: frozenset({"first", "second", "third"})
    assert host.seed_demo("secret") == 4  # 2 + None + 2
    assert calls == ["secret", "secret", "no arguments"]


def test_the_sidebar_order_comes_from_the_manifests(app):
    host = app.extensions["retail_plugins"]
    ranks = host.sidebar_ranks()
    assert sorted(ranks, key=ranks.get) == [
        "Sales", "Members", "PayCards", "Coupons", "PointsMall", "Meituan", "Guides", "WeCom", "Catalog",
        "Inventory", "Recycle", "Organization", "MessageCenter", "System",
    ]
    menu = (Path(__file__).resolve().parents[2] / "app" / "menu.py").read_text(encoding="utf-8")
    assert '"Sales"' not in menu and '"Coupons"' not in menu  # no hand list of the packages' groups
