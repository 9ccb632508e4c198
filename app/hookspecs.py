"""The plugin contract: every hook a Retail Admin package may implement.

A package -- a core domain (``app/<domain>/__init__.py``) or a plugin
(registered under the ``retail_admin.plugins`` entry-point group) -- has one
manifest module holding metadata (``NAME``, ``TITLE``, ``VERSION``,
``DESCRIPTION``, ``DEPENDS``, ``DEFAULT_ENABLED``; ``CORE = True`` for the
always-on core domains), the contributions it declares (``MODELS``, ``GRANTS``,
``SETTINGS``, ``JOBS``, ``PERIODIC``, ``COMMANDS``, ``DEMO``, ...: ``app.manifest`` turns them
into implementations of the hooks below) and ``@hookimpl`` functions.
Hookimpl arguments never have defaults (pluggy does not pass them); an
implementation may accept any subset of the arguments named here.

Registration hooks (models, migrations, views, APIs, settings, grants,
translations, jobs, commands, tenders) are called once at start-up for every
installed package, enabled or not, so routes and tables exist; a disabled
plugin is then filtered at call time.  Runtime hooks (events, member
visibility) are only called for enabled plugins.  Call sites go through the
typed methods of ``app.plugins.PluginHost`` (one per hook), never through
``pm.hook`` by name.  See docs/plugin_hooks.md for examples.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pluggy

if TYPE_CHECKING:  # annotations only: the contract imports nothing at run time
    import click
    from flask_appbuilder import AppBuilder
    from flask_appbuilder.api import BaseApi
    from flask_appbuilder.security.sqla.models import User
    from sqlalchemy.sql import ColumnElement

    from app.errors import DomainError, ErrorCode
    from app.members.models import Member
    from app.platform.staff import Staff
    from app.sales.models import Order, Payment, Return

Grants = dict[str, list[tuple[str, str]]]
MemberContext = dict[str, Any]  # {"store_id", "purpose", "phone", "text"}: see retail_member_filters


@dataclass(frozen=True)
class SettingDef:
    """A typed setting of a package (see ``retail_register_settings``), edited on System → Settings."""

    key: str  # "<plugin>.<name>" for plugins, "core.<name>" for the core
    label: Any
    type: str = "str"
    default: Any = None
    description: Any = ""
    choices: tuple = field(default_factory=tuple)  # ((value, label), ...) for "choice"
    min_value: int | None = None
    max_value: int | None = None
    max_length: int = 200
    secret: bool = False  # never shown back in full (admin, audit log, logs)


@dataclass
class ViewSpec:
    """An admin view, or a menu link (``href``), of a package (see ``retail_register_views``).

    ``related_to`` names views (by their ``name``) on whose detail pages this view
    is listed as a related view, e.g. a ledger under the member it belongs to: the
    package owning the detail page need not know the view.
    """

    view: type | None
    name: str = ""
    category: str = ""
    label: Any = None
    category_label: Any = None
    icon: str = ""
    category_icon: str = ""
    href: str = ""
    related_to: tuple[str, ...] = ()


def models_in(module: ModuleType) -> list[type]:
    """The model classes ``module`` defines (what a ``retail_register_models`` returns)."""
    return [
        cls
        for cls in vars(module).values()
        if isinstance(cls, type) and cls.__module__ == module.__name__ and "__table__" in vars(cls)
    ]


@runtime_checkable
class TenderHandler(Protocol):
    """A payment method of ``POST pos/orders`` (see ``retail_payment_methods``).

    The core knows tenders only through this: it asks a tender which member
    check it needs and which wallet list it fills, and never names a plugin's
    tender.  ``charge`` and ``refund`` run inside the sale's or return's
    transaction and must not commit; raising ``DomainError`` aborts everything.
    ``charge`` may set ``payment.reference``.
    """

    code: str  # the payment's ``method``
    label: Any  # lazy string shown to staff
    member_purpose: str | None  # asked of ``retail_member_usable`` before a member pays with it
    wallet_key: str | None  # the POS wallet's list of what the member can pay with here

    def charge(self, order: Order, payment: Payment) -> None: ...

    def refund(self, order: Order, payment: Payment, amount_fen: int, return_doc: Return) -> None: ...

hookspec = pluggy.HookspecMarker("retail_admin")
hookimpl = pluggy.HookimplMarker("retail_admin")


# ---------------------------------------------------------------- schema


@hookspec
def retail_register_models() -> list[type]:
    """Import and return the plugin's SQLAlchemy model classes.

    Called at start-up.  Returning them (rather than relying on import side
    effects) lets the host check table names are prefixed by the plugin name.
    Returns a list of model classes.
    """


@hookspec
def retail_migration_dirs() -> list[str]:
    """Return directories holding the plugin's Alembic revision files.

    The first revision carries ``branch_labels = ("<plugin name>",)`` and
    ``depends_on`` the core revision it needs.  ``db upgrade`` brings every
    installed plugin to its head.  Returns a list of absolute paths.
    """


# ---------------------------------------------------------------- admin & API


@hookspec
def retail_register_views(appbuilder: AppBuilder) -> list[ViewSpec]:
    """Return admin views of the plugin as a list of ``app.hookspecs.ViewSpec``.

    The host adds them with ``appbuilder.add_view`` (or ``add_view_no_menu``
    when ``name`` is empty), hides their menu items while the plugin is
    disabled, and answers 404 for their URLs.
    """


@hookspec
def retail_register_apis(appbuilder: AppBuilder) -> list[type[BaseApi]]:
    """Return ``flask_appbuilder.api.BaseApi`` subclasses for ``/api/v1/``.

    Disabled plugins' endpoints answer 404 with the JSON error envelope.
    """


@hookspec
def retail_register_settings() -> list[SettingDef]:
    """Return the plugin's typed settings as a list of ``SettingDef``."""


@hookspec
def retail_role_grants() -> Grants:
    """Return default grants: ``{role_name: [(permission, view_menu), ...]}``.

    Synced into the roles at ``db upgrade``.  Role names are the product roles
    (Merchant, StoreManager, Cashier, Guide, ServiceProvider, POS); Admin always
    gets every permission.
    """


@hookspec
def retail_translation_dirs() -> list[str]:
    """Return directories holding ``<lang>/LC_MESSAGES/messages.po`` catalogs."""


@hookspec
def retail_error_codes() -> dict[str, ErrorCode]:
    """Return the package's error codes, ``{code: ErrorCode}`` (build it with
    ``app.errors.error_table(NAME, {code: (status, description)}, groups)``).

    Every code a ``DomainError`` of the package carries is registered here with its HTTP
    status(es): the API answers with it, the OpenAPI spec and the README list it
    (a test fails on a raised code nobody registered).  Called once per installed
    package, enabled or not.
    """


@hookspec
def retail_register_jobs() -> dict[str, Callable[..., None]]:
    """Return background jobs as ``{job_name: function}``.

    The function is called as ``function(job, **params)`` inside an app context;
    ``job`` is the ``core_job`` row: call ``job_progress(job, done, total)``
    to move its progress bar.
    """


@hookspec
def retail_register_periodic_tasks() -> dict[str, Callable[[], None]]:
    """Return maintenance tasks as ``{task_name: function}``: the job worker calls each
    ``function()`` (inside an app context, enabled packages only) when it starts and then
    every minute.

    For work that must finish even after a worker died (resume what it left half done,
    retry what it left stuck).  Several workers may run a task at once, so it must be
    cheap when there is nothing to do and safe to run concurrently (claim with guarded
    updates); long work belongs in a job it queues.
    """


@hookspec
def retail_register_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``flask --app run`` CLI group ``cli``."""


@hookspec
def retail_seed_demo(password: str) -> int | None:
    """Add the package's demo data; called by ``seed-demo`` one package at a time, the core
    domains first (by ``ORDER``), then each plugin after those it ``DEPENDS`` on.

    ``password`` is the password of any demo login the package creates.  Returns how many
    records it created (or None).  Must be idempotent: a second run changes nothing.
    Usually declared as ``DEMO = "package.demo:seed_demo"`` (``app.manifest``).
    """


# ---------------------------------------------------------------- sales


@hookspec
def retail_payment_methods() -> list[TenderHandler]:
    """Return tender handlers (``app.sales.tenders.TenderHandler``): payment methods of POS sales.

    Called once at start-up for every installed package (the sales domain
    returns cash, stored value, ...); a disabled plugin's tenders are refused at
    call time.  A handler has ``code`` (the ``method`` value in ``POST
    pos/orders``), ``label`` (lazy string), ``member_purpose`` (the purpose
    ``retail_member_usable`` is asked about before a member pays with it, or
    None), ``wallet_key`` (the list of the POS wallet showing what the member
    can pay with it, or None), ``charge(order, payment)`` and ``refund(order,
    payment, amount_fen, return_doc)``.  Both run inside the sale's/return's
    transaction, must not commit, and raise ``app.errors.DomainError`` to refuse
    (everything rolls back).  ``charge`` may set ``payment.reference``.
    """


# ---------------------------------------------------------------- domain events


@hookspec
def retail_order_paid(order: Order) -> None:
    """Called inside the sale's transaction once an order is paid.

    Raising aborts the sale (everything rolls back).  Returns nothing.
    """


@hookspec
def retail_check_sale(store_id: int, staff_id: int | None, member: Member | None) -> None:
    """Called inside a POS sale's transaction before anything is written, tendered or moved:
    right after the sale's member (None for a walk-in) is found and passed
    ``retail_member_usable``.  ``staff_id`` is the staff member closing the sale (None when
    the caller is not bound to one).

    Raise ``app.errors.DomainError`` to refuse the sale (nothing is changed).  Returns nothing.
    Runs on every sale: keep it cheap (no statement when there is nothing to check).
    """


@hookspec
def retail_order_returned(order: Order, return_doc: Return) -> None:
    """Called inside the return's transaction once a return is booked."""


@hookspec
def retail_member_created(member: Member) -> None:
    """Called inside the transaction that created a member."""


@hookspec
def retail_member_logged_in(member: Member, channel: str) -> None:
    """Called inside the transaction of a member's successful login (``channel``:
    ``"mall_sms"``, the mall's SMS code), e.g. to activate a member registered at the POS.
    A subscriber that raises refuses the login (nothing of it is kept)."""


@hookspec
def retail_staff_left(staff: Staff) -> None:
    """Called inside the transaction that marked a staff member as left.

    Plugins release what the staff member held (e.g. a guide's members).
    """


# ---------------------------------------------------------------- member visibility


@hookspec
def retail_member_filters(viewer: User | None, context: MemberContext) -> list[ColumnElement[bool]] | None:
    """Return SQLAlchemy criteria restricting which members ``viewer`` may see.

    ``context`` is a dict: ``{"store_id": ..., "purpose": "list" | "search" |
    "export" | "api" | "mall" | "related", "phone": exact phone searched or None,
    "text": free search text (purpose "search") or None}`` ("related": a member
    shown on another record, e.g. an order or a ledger row).
    All returned criteria are ANDed into every member query of the core.
    """


@hookspec
def retail_present_member(
    data: dict[str, Any], member: Member, viewer: User | None, context: MemberContext
) -> None:
    """Adjust the dict ``data`` shown to ``viewer`` for ``member`` (masking,
    ``available`` flags).  Mutate ``data`` in place; returns nothing."""


@hookspec(firstresult=True)
def retail_member_usable(member: Member, store_id: int | None, purpose: str) -> DomainError | None:
    """Decide whether ``member`` may use ``purpose`` at ``store_id``: "points",
    a tender's ``member_purpose`` (e.g. "stored_value"), "member" (be attached to
    a POS sale) or "wallet" (show the wallet at the POS).

    Return an ``app.errors.DomainError`` to refuse, or None to let the next
    plugin decide (None from all = allowed).  First non-None result wins.
    """


@hookspec
def retail_member_wallet(member: Member, store_id: int | None) -> dict[str, Any] | None:
    """Add to a member's wallet as ``GET pos/members/{id}/wallet`` shows it at ``store_id``.

    Return a dict or None.  List values extend the wallet's lists (one per
    tender ``wallet_key``: what the member can pay with at that tender); other
    keys are added as they are.  Read-only: never write.
    """


# ---------------------------------------------------------------- mall


@hookspec
def retail_mall_store_filters(member: Member) -> list[ColumnElement[bool]] | None:
    """Return SQLAlchemy criteria on ``org_store`` limiting the stores the mall shows ``member``.

    Called by ``GET mall/stores``; the criteria of all plugins are ANDed.
    Returns a list (``[]`` or None: no restriction).
    """


@dataclass(frozen=True)
class MemberSegment:
    """A named group of members another package can target (a points reset, a task):
    ``key`` is stable and unique (``share_group:3``), ``label`` a lazy or plain string,
    ``criteria`` a SQLAlchemy boolean condition on ``members_member``."""

    key: str
    label: Any
    criteria: Any


@hookspec
def retail_member_segments() -> list[MemberSegment] | None:
    """Return the member segments this package defines (e.g. one per share group), or None.

    Called when a page or job lets HQ pick members by segment; read-only, current data
    (not cached: a segment renamed or emptied shows at once).  Keys must be unique across
    packages.
    """


# ---------------------------------------------------------------- member detail page


MemberShown = dict[str, Any]  # the member's fields as the viewer may see them (see retail_present_member)


@dataclass(frozen=True)
class DetailSection:
    """A block of the member detail page (see ``retail_member_detail_sections``).

    ``key`` names it on the page (``id="section-<key>"``, unique); ``title`` is a lazy
    string; ``body`` is ``Markup`` (build it with ``app.formatting.html_table``, which
    escapes); sections show in ``order`` (lower first), then by ``key``.
    """

    key: str
    title: Any
    body: Any
    order: int = 500


@hookspec
def retail_member_detail_sections(
    member: Member, viewer: User | None, shown: MemberShown
) -> list[DetailSection] | None:
    """Return the sections a package adds to ``member``'s admin detail page, or None.

    ``viewer`` is the user looking; ``shown`` is the member's name, phone, number and
    level as ``viewer`` may see them (privacy plugins mask them): show the member through
    ``shown``, never through ``member``'s own fields.  Read-only: never write.
    """


@hookspec
def retail_order_detail_sections(order: Order, viewer: User | None) -> list[DetailSection] | None:
    """Return the sections a package adds to ``order``'s admin detail page, or None.

    Shown after the core's (lines, payments, returns, points) by ``(order, key)``; the
    page already checked that ``viewer`` may see the order's store.  Read-only.
    """


@hookspec
def retail_order_fields(order: Order, viewer: User | None) -> dict[str, Any] | None:
    """Return extra fields of the POS order JSON (``POST pos/orders`` answer and
    ``GET pos/orders/<no>``), or None.

    Keys are the package's own (prefix them with its name or a clear noun; a key the core
    or another package already gives is refused).  Runs on the sale's hot path: one
    query at most, none when there is nothing to add.
    """


@hookspec(firstresult=True)
def retail_document_url(doc_no: str) -> str | None:
    """Return the admin page of the document numbered ``doc_no`` if this package issued it,
    or None to let the next package answer (first non-None result wins).

    Pages that show a document number from another package (e.g. the member's level
    history) link it through this.
    """
