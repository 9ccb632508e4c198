"""The house rule of ARCHITECTURE.md, checked on the source: the core never imports a plugin,
and a built-in plugin imports only the core and the plugins it declares in DEPENDS."""

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists())


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_there_are_built_in_plugins():
    assert {"coupons", "meituan_voucher", "member_privacy"} <= set(BUILT_IN)


def test_the_core_never_imports_a_plugin():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "app").rglob("*.py")
        for name in _imported_modules(path)
        if name == "plugins" or name.startswith("plugins.")
    ]
    assert offenders == []


@pytest.mark.parametrize("name", BUILT_IN)
def test_a_plugin_imports_only_the_core_and_its_dependencies(name):
    allowed = {name, *importlib.import_module(f"plugins.{name}").DEPENDS}
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in (ROOT / "plugins" / name).rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith("plugins.") and module.split(".")[1] not in allowed
    ]
    assert offenders == []


def _installed_plugin_names() -> list[str]:
    from importlib.metadata import entry_points

    from app.plugins import ENTRY_POINT_GROUP

    return sorted({ep.load().NAME for ep in entry_points(group=ENTRY_POINT_GROUP)})


def test_the_core_names_no_plugin():
    """Not in code, not in a docstring, not in a template: the core knows plugins only
    through hooks (a tender says which member check and wallet list it needs)."""
    import re

    names = _installed_plugin_names()
    assert {"coupons", "meituan_voucher", "member_privacy", "sample"} <= set(names)
    # a whole word, not an attribute (``rng.sample(...)`` is not the test plugin ``sample``)
    pattern = re.compile(r"(?<![.\w])(" + "|".join(map(re.escape, names)) + r")\b")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "app").rglob("*"))
        if path.suffix in (".py", ".html", ".js") and "vendor" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_no_code_calls_a_hook_by_name():
    """Call sites use PluginHost's typed methods; only app/plugins.py touches pluggy's callers."""
    import re

    by_name = re.compile(r"pm\.hook\.|\.hook\(\s*[\"']|subset_hook_caller\(|getattr\(\s*[\w.]*\.hook\b")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for top in ("app", "plugins", "tests")
        for path in sorted((ROOT / top).rglob("*.py"))
        if path != ROOT / "app" / "plugins.py" and path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if by_name.search(line)
    ]
    assert offenders == []
