"""Plugin host: one plugin manager for the core domains and the plugins, enabled state,
guards, and one typed method per hook.

One ``PluginHost`` per Flask app (kept in ``app.extensions["retail_plugins"]``),
never a global manager.  The core domains (``app/<domain>/__init__.py``, found by
``app.domains``) are registered first as default plugins, always on; then every
plugin of the ``retail_admin.plugins`` entry-point group.  Every installed plugin
is registered at start-up so its routes and tables exist; a disabled plugin is
filtered at call time.  The enabled set lives in the database and carries a
version number: each request does one cheap read of that number, so a toggle in
one worker process is seen by all others at their next request, without a restart.

Every hook is called through pluggy (``RETAIL_TRACE_HOOKS=1`` traces them all) and
only through the typed methods below: no caller names a hook by a string.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy
from flask import current_app, g, has_request_context
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from app import hookspecs
from app.hookspecs import SettingDef, TenderHandler, ViewSpec
from app.platform.caches import bump_config_version, config_version, forget_config_version

if TYPE_CHECKING:
    import click
    from flask_appbuilder import AppBuilder
    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy.sql import ColumnElement

    from app.errors import DomainError, ErrorCode
    from app.members.models import Member
    from app.platform.staff import Staff
    from app.sales.models import Order, Return

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "retail_admin.plugins"


class PluginError(Exception):
    """A plugin could not be loaded or registered (raised at start-up)."""


class PluginToggleRefused(Exception):
    """Enable/disable refused; ``message`` is a localized lazy string."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class PluginInfo:
    """A registered package: a core domain (``core``: always on) or a plugin."""

    name: str
    title: Any  # lazy strings: shown in the viewer's language
    version: str
    description: Any
    depends: tuple[str, ...]
    default_enabled: bool
    module: ModuleType = field(compare=False, repr=False)
    distribution: str = ""
    core: bool = False


def _plugin_info(module: ModuleType, distribution: str) -> PluginInfo:
    try:
        name = module.NAME
    except AttributeError as exc:
        raise PluginError(f"plugin module {module.__name__} has no NAME") from exc
    core = bool(getattr(module, "CORE", False))
    return PluginInfo(
        name=name,
        title=getattr(module, "TITLE", name),
        version=str(getattr(module, "VERSION", "0")),
        description=getattr(module, "DESCRIPTION", ""),
        depends=tuple(getattr(module, "DEPENDS", ())),
        default_enabled=True if core else bool(getattr(module, "DEFAULT_ENABLED", True)),
        module=module,
        distribution=distribution,
        core=core,
    )


class PluginHost:
    def __init__(self, trace: bool = False):
        self.pm = pluggy.PluginManager("retail_admin")
        self.pm.add_hookspecs(hookspecs)
        self.packages: dict[str, PluginInfo] = {}  # core domains, then plugins, as registered
        self.plugins: dict[str, PluginInfo] = {}  # the plugins (can be toggled)
        self.blueprint_owner: dict[str, str] = {}
        self._objects: dict[str, tuple[object, ...]] = {}  # package -> its manifest (+ generated hooks)
        self._owner: dict[str, str] = {}  # pluggy registration name -> package
        self._subset_callers: dict[tuple[str, frozenset], Any] = {}
        self._state_cache: tuple[int, dict[str, bool]] | None = None
        self._settings: dict[str, tuple[str, SettingDef]] | None = None
        self._sidebar_ranks: dict[str, int] | None = None
        self._tenders: dict[str, tuple[str, TenderHandler]] | None = None
        self._enabled_tenders: dict[frozenset, dict[str, TenderHandler]] = {}
        if trace:
            self.pm.trace.root.setwriter(log.info)
            self.pm.enable_tracing()

    # ------------------------------------------------------------ discovery

    def discover(self) -> None:
        """Register the core domains, then every plugin of the entry-point group."""
        from app.domains import core_domains

        for module in core_domains():
            self.register(module)
        for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            module = ep.load()
            dist = ep.dist.name if ep.dist else ""
            self.register(module, distribution=dist)
        self.pm.check_pending()

    def register(self, module: ModuleType, distribution: str = "") -> PluginInfo:
        """Register a package's manifest, and the hooks its declarative attributes stand
        for (``app.manifest``) as a second object ``<name>.manifest`` on the same manager."""
        from app.manifest import ManifestError, manifest_hooks

        info = _plugin_info(module, distribution)
        if info.name in self.packages:
            raise PluginError(f"two plugins are named {info.name!r}")
        try:
            generated = manifest_hooks(module)
        except ManifestError as exc:
            raise PluginError(str(exc)) from exc
        objects = {info.name: module}
        if generated is not None:
            objects[f"{info.name}.manifest"] = generated
        for registered_name, plugin in objects.items():
            self.pm.register(plugin, name=registered_name)
            self._owner[registered_name] = info.name
        self._objects[info.name] = tuple(objects.values())
        self.packages[info.name] = info
        if not info.core:
            self.plugins[info.name] = info
        return info

    def domains(self) -> dict[str, PluginInfo]:
        """The core domains (default plugins, always on), in menu order."""
        return {name: info for name, info in self.packages.items() if info.core}

    def missing_dependencies(self, name: str) -> list[str]:
        return [dep for dep in self.packages[name].depends if dep not in self.packages]

    def hook_names(self, name: str) -> list[str]:
        """The hooks package ``name`` implements, by hand or through manifest attributes."""
        return sorted({
            caller.name for plugin in self._objects[name] for caller in self.pm.get_hookcallers(plugin) or []
        })

    def sidebar_ranks(self) -> dict[str, int]:
        """Position of each top-level menu group in the sidebar (lower first), from the
        manifests' ``SIDEBAR = {group: rank}`` of every installed package (read once)."""
        if self._sidebar_ranks is None:
            ranks: dict[str, int] = {}
            for name, info in self.packages.items():
                for group, rank in getattr(info.module, "SIDEBAR", {}).items():
                    if ranks.setdefault(group, rank) != rank:
                        raise PluginError(f"sidebar group {group!r} of {name!r} is ranked twice")
            self._sidebar_ranks = ranks
        return self._sidebar_ranks

    def _package_objects(self, names) -> list[object]:
        return [plugin for name in names for plugin in self._objects[name]]

    # ------------------------------------------------------------ registration-time hooks

    def _each_package(self, hook: pluggy.HookCaller, **kwargs) -> Iterator[tuple[str, Any]]:
        """Call a registration hook on every installed package, enabled or not, one package
        at a time, yielding (package, result): the core domains in menu order, then the
        plugins in pluggy's call order (the last registered first).

        Through pluggy (tracing sees it); one package at a time so each result is
        attributed and checked.
        """
        implementers = {self._owner[self.pm.get_name(impl.plugin)] for impl in hook.get_hookimpls()}
        order = list(self.domains()) + list(reversed(self.plugins))
        for name in order:
            if name not in implementers:
                continue
            others = self._package_objects(n for n in self.packages if n != name)
            for result in self.pm.subset_hook_caller(hook.name, remove_plugins=others)(**kwargs):
                if result is not None:
                    yield name, result

    def models(self) -> list[tuple[str, type]]:
        found = []
        for plugin, classes in self._each_package(self.pm.hook.retail_register_models):
            for cls in classes:
                if not self.packages[plugin].core and not cls.__tablename__.startswith(f"{plugin}_"):
                    raise PluginError(
                        f"table {cls.__tablename__!r} of plugin {plugin!r} must start "
                        f"with '{plugin}_'"
                    )
                found.append((plugin, cls))
            self._keep_reference_data(plugin, classes)
        return found

    def _keep_reference_data(self, package: str, classes: list[type]) -> None:
        """The manifest's ``REFERENCE_DATA``: its model classes whose rows workers keep
        (``cached_for_config``), reloaded when one changes."""
        by_name = {cls.__name__: cls for cls in classes}
        names = tuple(getattr(self.packages[package].module, "REFERENCE_DATA", ()))
        missing = [name for name in names if name not in by_name]
        if missing:
            raise PluginError(f"REFERENCE_DATA of {package!r} names no model of its own: {missing}")
        from app.platform.caches import reference_data

        reference_data(*(by_name[name] for name in names))

    def migration_dirs(self) -> list[str]:
        return [d for _, dirs in self._each_package(self.pm.hook.retail_migration_dirs) for d in dirs]

    def translation_dirs(self) -> list[str]:
        return [d for _, dirs in self._each_package(self.pm.hook.retail_translation_dirs) for d in dirs]

    def error_codes(self) -> dict[str, ErrorCode]:
        """Every installed package's error codes (``retail_error_codes``), enabled or not."""
        found: dict[str, ErrorCode] = {}
        for plugin, table in self._each_package(self.pm.hook.retail_error_codes):
            for code, entry in table.items():
                if code in found and found[code] != entry:
                    raise PluginError(f"error code {code} is registered by {found[code].owner} and {plugin}")
                found[code] = entry
        return found

    def views(self, appbuilder: AppBuilder) -> list[tuple[str, ViewSpec]]:
        found = []
        for plugin, specs in self._each_package(self.pm.hook.retail_register_views, appbuilder=appbuilder):
            for spec in specs:
                if not isinstance(spec, ViewSpec):
                    raise PluginError(f"retail_register_views of {plugin!r} must return ViewSpec objects")
                found.append((plugin, spec))
        return found

    def apis(self, appbuilder: AppBuilder) -> list[tuple[str, type]]:
        return [
            (plugin, api)
            for plugin, apis in self._each_package(self.pm.hook.retail_register_apis, appbuilder=appbuilder)
            for api in apis
        ]

    def setting_definitions(self) -> dict[str, tuple[str, SettingDef]]:
        """``{key: (owner, definition)}`` of every installed package (collected once); the
        owner of a core domain's setting is ``"core"``."""
        if self._settings is None:
            found: dict[str, tuple[str, SettingDef]] = {}
            for plugin, specs in self._each_package(self.pm.hook.retail_register_settings):
                owner = "core" if self.packages[plugin].core else plugin
                for spec in specs:
                    if spec.key in found:
                        raise PluginError(f"setting {spec.key!r} of {plugin!r} is defined twice")
                    found[spec.key] = (owner, spec)
            self._settings = found
        return self._settings

    def role_grants(self) -> dict[str, list[tuple[str, str]]]:
        """Default grants of every installed package (core domains and plugins), merged."""
        merged: dict[str, list[tuple[str, str]]] = {}
        for _, grants in self._each_package(self.pm.hook.retail_role_grants):
            for role, pairs in grants.items():
                merged.setdefault(role, []).extend(tuple(p) for p in pairs)
        return merged

    def jobs(self) -> dict[str, Callable[..., None]]:
        found: dict[str, Callable[..., None]] = {}
        for plugin, jobs in self._each_package(self.pm.hook.retail_register_jobs):
            for job_name, func in jobs.items():
                if job_name in found:
                    raise PluginError(f"job {job_name!r} of {plugin!r} is registered twice")
                found[job_name] = func
        return found

    def periodic_tasks(self) -> dict[str, tuple[str, Callable[[], None]]]:
        """Every installed package's maintenance tasks: ``{task_name: (package, function)}``
        (a name registered twice fails at start-up); the worker runs those of enabled packages."""
        found: dict[str, tuple[str, Callable[[], None]]] = {}
        for package, tasks in self._each_package(self.pm.hook.retail_register_periodic_tasks):
            for task_name, func in tasks.items():
                if task_name in found:
                    raise PluginError(f"periodic task {task_name!r} of {package!r} is registered twice")
                found[task_name] = (package, func)
        return found

    def add_commands(self, cli: click.Group) -> None:
        for _ in self._each_package(self.pm.hook.retail_register_commands, cli=cli):
            pass

    def tenders(self) -> dict[str, tuple[str, TenderHandler]]:
        """Every installed package's tenders by code: ``{code: (package, handler)}`` (collected
        once; a code registered twice or a handler missing a member fails at start-up)."""
        if self._tenders is None:
            found: dict[str, tuple[str, TenderHandler]] = {}
            for plugin, handlers in self._each_package(self.pm.hook.retail_payment_methods):
                for handler in handlers:
                    if not isinstance(handler, TenderHandler):
                        raise PluginError(f"a tender of {plugin!r} is not a TenderHandler: {handler!r}")
                    if handler.code in found:
                        raise PluginError(f"payment method {handler.code!r} is registered twice")
                    found[handler.code] = (plugin, handler)
            self._tenders = found
        return self._tenders

    def payment_methods(self) -> dict[str, TenderHandler]:
        """Tenders of the core and of enabled plugins, by code."""
        enabled = self.enabled_names()
        handlers = self._enabled_tenders.get(enabled)
        if handlers is None:
            handlers = {
                code: handler
                for code, (package, handler) in self.tenders().items()
                if self.packages[package].core or package in enabled
            }
            self._enabled_tenders[enabled] = handlers
        return handlers

    def wallet_keys(self) -> list[str]:
        """The POS wallet's lists: one per installed tender with a ``wallet_key``."""
        return [h.wallet_key for _, h in self.tenders().values() if h.wallet_key]

    # ------------------------------------------------------------ runtime hooks (enabled plugins)

    def seed_demo(self, password: str) -> int:
        """Seed the demo data of the core domains and the enabled plugins, one package at a
        time in dependency order; returns how many records they report created."""
        return sum(count or 0 for count in self._in_dependency_order(self.pm.hook.retail_seed_demo,
                                                                      password=password))

    def _in_dependency_order(self, hook: pluggy.HookCaller, **kwargs) -> Iterator[Any]:
        """Results of ``hook`` called on each core domain and enabled plugin on its own, in
        dependency order (the domains by ``ORDER``, then each plugin after those it depends on)."""
        enabled = self.enabled_names()
        implementers = {self._owner[self.pm.get_name(impl.plugin)] for impl in hook.get_hookimpls()}
        for name in self._dependency_order():
            if name in implementers and (self.packages[name].core or name in enabled):
                others = self._package_objects(n for n in self.packages if n != name)
                yield from self.pm.subset_hook_caller(hook.name, remove_plugins=others)(**kwargs)

    def _dependency_order(self) -> list[str]:
        """The core domains in menu order, then the plugins, each after its dependencies."""
        ordered = list(self.domains())
        pending = [name for name in self.plugins if not self.missing_dependencies(name)]
        while pending:
            ready = [n for n in pending if all(d in ordered for d in self.plugins[n].depends)]
            if not ready:
                raise PluginError(f"plugins depend on each other in a circle: {', '.join(pending)}")
            ordered.extend(ready)
            pending = [n for n in pending if n not in ready]
        return ordered

    def order_paid(self, order: Order) -> None:
        self._enabled(self.pm.hook.retail_order_paid)(order=order)

    def check_sale(self, store_id: int, staff_id: int | None, member: Member | None) -> None:
        self._enabled(self.pm.hook.retail_check_sale)(store_id=store_id, staff_id=staff_id, member=member)

    def order_returned(self, order: Order, return_doc: Return) -> None:
        self._enabled(self.pm.hook.retail_order_returned)(order=order, return_doc=return_doc)

    def member_created(self, member: Member) -> None:
        self._enabled(self.pm.hook.retail_member_created)(member=member)

    def member_logged_in(self, member: Member, channel: str) -> None:
        self._enabled(self.pm.hook.retail_member_logged_in)(member=member, channel=channel)

    def staff_left(self, staff: Staff) -> None:
        self._enabled(self.pm.hook.retail_staff_left)(staff=staff)

    def member_filters(self, viewer: User | None, context: dict[str, Any]) -> list[ColumnElement[bool]]:
        """Criteria of every enabled plugin restricting the members ``viewer`` sees (flattened)."""
        hook = self._enabled(self.pm.hook.retail_member_filters)
        return [criterion for found in hook(viewer=viewer, context=context) for criterion in found or ()]

    def present_member(self, data: dict[str, Any], member: Member, viewer: User | None,
                       context: dict[str, Any]) -> None:
        self._enabled(self.pm.hook.retail_present_member)(
            data=data, member=member, viewer=viewer, context=context
        )

    def member_usable(self, member: Member, store_id: int | None, purpose: str) -> DomainError | None:
        """The first refusal of an enabled plugin, or None (allowed)."""
        return self._enabled(self.pm.hook.retail_member_usable)(
            member=member, store_id=store_id, purpose=purpose
        )

    def member_wallet(self, member: Member, store_id: int | None) -> list[dict[str, Any]]:
        hook = self._enabled(self.pm.hook.retail_member_wallet)
        return [extra for extra in hook(member=member, store_id=store_id) if extra]

    def mall_store_filters(self, member: Member) -> list[ColumnElement[bool]]:
        hook = self._enabled(self.pm.hook.retail_mall_store_filters)
        return [criterion for found in hook(member=member) for criterion in found or ()]

    # ------------------------------------------------------------ enabled state

    def _stored_state(self) -> tuple[int, dict[str, bool]]:
        """Read the enabled flags through the request's own session.

        A separate connection here would let concurrent requests each hold one
        pooled connection while waiting for a second: a pool deadlock under load.
        """
        from app.platform.models import PluginState

        version = config_version()  # read once per request (with the API caller when there is one)
        if version < 0:  # schema not created yet (before `db upgrade`)
            return -1, {}
        if self._state_cache is not None and self._state_cache[0] == version:
            return self._state_cache  # unchanged since this worker last read the flags
        session = current_app.extensions["sqlalchemy"].session
        try:
            rows = session.execute(select(PluginState.name, PluginState.enabled)).all()
        except SQLAlchemyError:
            session.rollback()
            return -1, {}
        self._state_cache = (version, dict(rows))
        return self._state_cache

    def enabled_names(self) -> frozenset[str]:
        """Names of enabled plugins, read once per request (or per call outside one)."""
        if has_request_context() and "_plugin_enabled" in g:
            return g._plugin_enabled
        version, stored = self._stored_state()
        enabled = frozenset(
            name
            for name, info in self.plugins.items()
            if stored.get(name, info.default_enabled) and not self.missing_dependencies(name)
        )
        # a plugin whose dependency is disabled cannot run either
        changed = True
        while changed:
            changed = False
            for name in list(enabled):
                deps = self.plugins[name].depends
                if any(dep not in enabled and not self.packages[dep].core for dep in deps):
                    enabled = enabled - {name}
                    changed = True
        if has_request_context():
            g._plugin_enabled = enabled
        return enabled

    def is_enabled(self, name: str) -> bool:
        info = self.packages.get(name)
        return info is not None and (info.core or name in self.enabled_names())

    def _enabled(self, hook: pluggy.HookCaller):
        """``hook`` as a caller that skips disabled plugins (cached per disabled set)."""
        disabled = frozenset(set(self.plugins) - self.enabled_names())
        key = (hook.name, disabled)
        caller = self._subset_callers.get(key)
        if caller is None:
            caller = self.pm.subset_hook_caller(hook.name, remove_plugins=self._package_objects(disabled))
            self._subset_callers[key] = caller
        return caller

    def set_enabled(self, name: str, enabled: bool, user=None) -> None:
        """Enable or disable a plugin for every worker, audited.

        Refuses to disable a plugin an enabled plugin depends on, and to enable
        one whose dependencies are missing or disabled.
        """
        from flask_babel import lazy_gettext as _l

        from app.extensions import db
        from app.platform.audit import audit
        from app.platform.models import PluginState

        if name not in self.plugins:
            raise PluginToggleRefused(_l("Unknown plugin %(name)s.", name=name))
        current = self.enabled_names()
        if enabled:
            missing = self.missing_dependencies(name)
            off = [d for d in self.plugins[name].depends if d not in current and not self.is_enabled(d)]
            if missing or off:
                raise PluginToggleRefused(
                    _l(
                        "Cannot enable %(name)s: it needs %(deps)s enabled first.",
                        name=str(self.plugins[name].title),
                        deps=", ".join(missing + off),
                    )
                )
        else:
            dependants = [
                str(info.title)
                for info in self.plugins.values()
                if name in info.depends and info.name in current
            ]
            if dependants:
                raise PluginToggleRefused(
                    _l(
                        "Cannot disable %(name)s: %(dependants)s depend on it.",
                        name=str(self.plugins[name].title),
                        dependants=", ".join(dependants),
                    )
                )
        state = db.session.get(PluginState, name)
        if state is None:
            state = PluginState(name=name)
            db.session.add(state)
        state.enabled = enabled
        state.changed_by_fk = getattr(user, "id", None)
        bump_config_version()
        audit("plugin.enable" if enabled else "plugin.disable", "plugin", name, user=user)
        db.session.commit()
        forget_config_version()

    # ------------------------------------------------------------ member detail page (enabled plugins)

    def member_detail_sections(self, member: Member, viewer: User | None,
                               shown: dict[str, Any]) -> list[hookspecs.DetailSection]:
        """Every enabled package's sections of the member page, by ``(order, key)``: the same
        order whichever package pluggy calls first."""
        hook = self._enabled(self.pm.hook.retail_member_detail_sections)
        sections = [s for found in hook(member=member, viewer=viewer, shown=shown) for s in found or ()]
        keys = set()
        for section in sections:
            if not isinstance(section, hookspecs.DetailSection):
                raise PluginError(f"a member detail section is not a DetailSection: {section!r}")
            if section.key in keys:
                raise PluginError(f"two member detail sections are keyed {section.key!r}")
            keys.add(section.key)
        return sorted(sections, key=lambda section: (section.order, section.key))

    def member_segments(self) -> list[hookspecs.MemberSegment]:
        """Every enabled package's member segments, by key."""
        segments = [s for found in self._enabled(self.pm.hook.retail_member_segments)() for s in found or ()]
        if len({segment.key for segment in segments}) != len(segments):
            raise PluginError(f"two member segments share a key: {[s.key for s in segments]}")
        return sorted(segments, key=lambda segment: segment.key)

    def order_detail_sections(self, order: Order, viewer: User | None) -> list[hookspecs.DetailSection]:
        """Every enabled package's sections of the order page, by ``(order, key)``."""
        hook = self._enabled(self.pm.hook.retail_order_detail_sections)
        sections = [s for found in hook(order=order, viewer=viewer) for s in found or ()]
        if len({section.key for section in sections}) != len(sections) or not all(
                isinstance(section, hookspecs.DetailSection) for section in sections):
            raise PluginError(f"order detail sections must be DetailSections with unique keys: {sections!r}")
        return sorted(sections, key=lambda section: (section.order, section.key))

    def order_fields(self, order: Order, viewer: User | None, taken: Iterable[str]) -> dict[str, Any]:
        """The extra POS order fields of every enabled package; a key given twice (or one of
        ``taken``, the core's) is a plugin bug."""
        fields: dict[str, Any] = {}
        seen = set(taken)
        for extra in self._enabled(self.pm.hook.retail_order_fields)(order=order, viewer=viewer):
            for key in extra or ():
                if key in seen:
                    raise PluginError(f"two packages give the order field {key!r}")
                seen.add(key)
            fields.update(extra or {})
        return fields

    def document_url(self, doc_no: str) -> str | None:
        """The admin page of a document number, from the enabled package that issued it."""
        return self._enabled(self.pm.hook.retail_document_url)(doc_no=doc_no)


def plugin_host() -> PluginHost:
    return current_app.extensions["retail_plugins"]
