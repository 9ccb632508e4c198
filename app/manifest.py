"""Declarative manifest attributes: what a package registers without writing a hook.

A manifest (``app/<domain>/__init__.py`` or a plugin's ``__init__.py``) declares
its plain contributions as module attributes::

    MODELS = "shelf_notes.models"                 # or a list: the model classes these modules define
    REFERENCE_DATA = ("Shelf",)                   # of its model classes: rows kept per worker
    MIGRATIONS = "migrations/versions"            # Alembic branch, relative to the package directory
    TRANSLATIONS = "translations"                 # <lang>/LC_MESSAGES/messages.po, relative too
    GRANTS = {MERCHANT: write("ShelfNotes"), ...} # default role grants
    SETTINGS = [SettingDef(...)]                  # or "module:NAME" of such a list
    JOBS = {"shelf_notes.purge": "shelf_notes.jobs:purge_notes"}
    PERIODIC = {"shelf_notes.retry": "shelf_notes.jobs:retry_stuck"}  # at worker start, every minute
    COMMANDS = ["shelf_notes.commands:purge"]     # click commands or groups
    DEMO = "shelf_notes.demo:seed_demo"           # seed-demo calls it (with ``password`` if it takes it)

``manifest_hooks`` turns them into one object of generated ``@hookimpl`` functions
that the plugin host registers on the same pluggy manager as the module (so hook
tracing sees them and the host's typed methods are unchanged).  "module:name"
references are imported when the hook is called, as a hand-written hook would.
What needs code (views, APIs, tenders, events) stays a ``@hookimpl`` in the manifest.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from app.hookspecs import hookimpl, models_in

# attribute -> the hook it stands for (a manifest uses one or the other, never both)
DECLARATIVE = {
    "MODELS": "retail_register_models",
    "MIGRATIONS": "retail_migration_dirs",
    "TRANSLATIONS": "retail_translation_dirs",
    "GRANTS": "retail_role_grants",
    "SETTINGS": "retail_register_settings",
    "JOBS": "retail_register_jobs",
    "PERIODIC": "retail_register_periodic_tasks",
    "COMMANDS": "retail_register_commands",
    "DEMO": "retail_seed_demo",
}
METADATA = ("NAME", "TITLE", "VERSION", "DESCRIPTION", "DEPENDS")


class ManifestError(ValueError):
    """A manifest attribute is malformed, or declared beside the hook it stands for."""


class ManifestHooks:
    """The generated hook implementations of one manifest (registered as ``<name>.manifest``)."""

    def __init__(self, module: ModuleType, hooks: dict[str, Callable[..., Any]]):
        self.manifest = module.__name__
        for hook_name, function in hooks.items():
            setattr(self, hook_name, function)

    def __repr__(self) -> str:
        return f"<ManifestHooks of {self.manifest}>"


def resolve(reference: str) -> Any:
    """The object a ``"package.module:name"`` reference names (imported now)."""
    module_name, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module_name), attribute)


def _check_reference(module: ModuleType, attribute: str, reference: Any) -> str:
    if not isinstance(reference, str) or reference.count(":") != 1:
        raise ManifestError(f"{module.__name__}.{attribute}: {reference!r} is not a 'module:name' reference")
    return reference


def as_list(value: str | list[str] | tuple[str, ...]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _call_with(func: Callable[..., Any], **arguments: Any) -> Any:
    """Call ``func`` with the arguments it names (a hook implementation may take any subset)."""
    accepted = inspect.signature(func).parameters
    return func(**{name: value for name, value in arguments.items() if name in accepted})


def manifest_hooks(module: ModuleType) -> ManifestHooks | None:
    """The generated hook implementations of ``module``'s declarative attributes, or None."""
    clashes = [a for a, hook in DECLARATIVE.items() if hasattr(module, a) and hasattr(module, hook)]
    if clashes:
        raise ManifestError(
            f"{module.__name__} declares {', '.join(clashes)} and implements the same hook: keep one"
        )
    hooks = {}
    for attribute in DECLARATIVE:
        if hasattr(module, attribute):
            hooks[DECLARATIVE[attribute]] = hookimpl(BUILDERS[attribute](module, getattr(module, attribute)))
    return ManifestHooks(module, hooks) if hooks else None


def _models(module: ModuleType, value) -> Callable[[], list[type]]:
    names = as_list(value)

    def retail_register_models():
        return [cls for name in names for cls in models_in(importlib.import_module(name))]

    return retail_register_models


def _directories(module: ModuleType, value) -> Callable[[], list[str]]:
    """MIGRATIONS, TRANSLATIONS: directories relative to the package's own."""
    here = Path(module.__file__).resolve().parent
    directories = [str(here / relative) for relative in as_list(value)]

    def package_directories():
        return directories

    return package_directories


def _grants(module: ModuleType, value) -> Callable[[], dict]:
    if not isinstance(value, dict):
        raise ManifestError(f"{module.__name__}.GRANTS must be a dict: role name -> (permission, view) pairs")

    def retail_role_grants():
        return module.GRANTS

    return retail_role_grants


def _settings(module: ModuleType, value) -> Callable[[], list]:
    reference = _check_reference(module, "SETTINGS", value) if isinstance(value, str) else None

    def retail_register_settings():
        return resolve(reference) if reference else module.SETTINGS

    return retail_register_settings


def _named_functions(attribute: str) -> Callable[[ModuleType, Any], Callable[[], dict]]:
    """The builder of a ``{name: "module:function"}`` attribute (``JOBS``, ``PERIODIC``)."""

    def build(module: ModuleType, value) -> Callable[[], dict]:
        references = {name: _check_reference(module, attribute, ref) for name, ref in dict(value).items()}

        def registration_hook():
            return {name: resolve(reference) for name, reference in references.items()}

        registration_hook.__name__ = DECLARATIVE[attribute]
        return registration_hook

    return build


def _commands(module: ModuleType, value) -> Callable[..., None]:
    references = [_check_reference(module, "COMMANDS", ref) for ref in as_list(value)]

    def retail_register_commands(cli):
        for reference in references:
            cli.add_command(resolve(reference))

    return retail_register_commands


def _demo(module: ModuleType, value) -> Callable[..., int | None]:
    reference = _check_reference(module, "DEMO", value)

    def retail_seed_demo(password):
        return _call_with(resolve(reference), password=password)

    return retail_seed_demo


BUILDERS = {
    "MODELS": _models,
    "MIGRATIONS": _directories,
    "TRANSLATIONS": _directories,
    "GRANTS": _grants,
    "SETTINGS": _settings,
    "JOBS": _named_functions("JOBS"),
    "PERIODIC": _named_functions("PERIODIC"),
    "COMMANDS": _commands,
    "DEMO": _demo,
}
