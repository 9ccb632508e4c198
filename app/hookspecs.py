"""The plugin contract: every hook a Retail Admin plugin may implement.

A plugin is a module (registered under the ``retail_admin.plugins`` entry-point
group) holding metadata (``NAME``, ``TITLE``, ``VERSION``, ``DESCRIPTION``,
``DEPENDS``, ``DEFAULT_ENABLED``) and ``@hookimpl`` functions.  Hookimpl
arguments never have defaults (pluggy does not pass them); an implementation
may accept any subset of the arguments named here.

Registration hooks (models, migrations, views, APIs, settings, grants,
translations, jobs, commands) are called once at start-up for every installed
plugin, enabled or not, so routes and tables exist; a disabled plugin is then
filtered at call time.  Runtime hooks (events, tenders, member visibility) are
only called for enabled plugins.  See docs/plugin_hooks.md for examples.
"""

import pluggy

hookspec = pluggy.HookspecMarker("retail_admin")
hookimpl = pluggy.HookimplMarker("retail_admin")


# ---------------------------------------------------------------- schema


@hookspec
def retail_register_models():
    """Import and return the plugin's SQLAlchemy model classes.

    Called at start-up.  Returning them (rather than relying on import side
    effects) lets the host check table names are prefixed by the plugin name.
    Returns a list of model classes.
    """


@hookspec
def retail_migration_dirs():
    """Return directories holding the plugin's Alembic revision files.

    The first revision carries ``branch_labels = ("<plugin name>",)`` and
    ``depends_on`` the core revision it needs.  ``db upgrade`` brings every
    installed plugin to its head.  Returns a list of absolute paths.
    """


# ---------------------------------------------------------------- admin & API


@hookspec
def retail_register_views(appbuilder):
    """Return admin views of the plugin as a list of ``app.plugins.ViewSpec``.

    The host adds them with ``appbuilder.add_view`` (or ``add_view_no_menu``
    when ``name`` is empty), hides their menu items while the plugin is
    disabled, and answers 404 for their URLs.
    """


@hookspec
def retail_register_apis(appbuilder):
    """Return ``flask_appbuilder.api.BaseApi`` subclasses for ``/api/v1/``.

    Disabled plugins' endpoints answer 404 with the JSON error envelope.
    """


@hookspec
def retail_register_settings():
    """Return the plugin's typed settings as a list of ``app.platform.settings.SettingDef``."""


@hookspec
def retail_role_grants():
    """Return default grants: ``{role_name: [(permission, view_menu), ...]}``.

    Synced into the roles at ``db upgrade``.  Role names are the product roles
    (Merchant, StoreManager, Cashier, Guide, ServiceProvider, POS); Admin always
    gets every permission.
    """


@hookspec
def retail_translation_dirs():
    """Return directories holding ``<lang>/LC_MESSAGES/messages.po`` catalogs."""


@hookspec
def retail_register_jobs():
    """Return background jobs as ``{job_name: function}``.

    The function is called as ``function(job, **params)`` inside an app context;
    ``job`` is the ``core_job`` row: call ``job_progress(job, done, total)``
    to move its progress bar.
    """


@hookspec
def retail_register_commands(cli):
    """Add click commands or groups to the ``flask --app run`` CLI group ``cli``."""


@hookspec
def retail_seed_demo():
    """Add the plugin's demo data; called by ``seed-demo`` after the core's.

    Must be idempotent: a second run changes nothing.
    """


# ---------------------------------------------------------------- sales


@hookspec
def retail_payment_methods():
    """Return tender handlers that add payment methods to POS sales, e.g. ``coupon``.

    A handler has ``code`` (the ``method`` value in ``POST pos/orders``), ``label``
    (lazy string), ``charge(order, payment)`` and ``refund(order, payment,
    amount_fen, return_doc)``.  Both run inside the sale's/return's transaction,
    must not commit, and raise ``app.api.ApiError`` to refuse (everything rolls
    back).  ``charge`` may set ``payment.reference``.  See ``app/sales/tenders.py``.
    """


# ---------------------------------------------------------------- domain events


@hookspec
def retail_order_paid(order):
    """Called inside the sale's transaction once an order is paid.

    Raising aborts the sale (everything rolls back).  Returns nothing.
    """


@hookspec
def retail_order_returned(order, return_doc):
    """Called inside the return's transaction once a return is booked."""


@hookspec
def retail_member_created(member):
    """Called inside the transaction that created a member."""


@hookspec
def retail_staff_left(staff):
    """Called inside the transaction that marked a staff member as left.

    Plugins release what the staff member held (e.g. a guide's members).
    """


# ---------------------------------------------------------------- member visibility


@hookspec
def retail_member_filters(viewer, context):
    """Return SQLAlchemy criteria restricting which members ``viewer`` may see.

    ``context`` is a dict: ``{"store_id": ..., "purpose": "list" | "search" |
    "export" | "api" | "mall" | "related", "phone": exact phone searched or None}``
    ("related": a member shown on another record, e.g. an order or a ledger row).
    All returned criteria are ANDed into every member query of the core.
    """


@hookspec
def retail_present_member(data, member, viewer, context):
    """Adjust the dict ``data`` shown to ``viewer`` for ``member`` (masking,
    ``available`` flags).  Mutate ``data`` in place; returns nothing."""


@hookspec(firstresult=True)
def retail_member_usable(member, store_id, purpose):
    """Decide whether ``member`` may use ``purpose`` (stored_value, points,
    coupon, pay_code; "member": be attached to a POS sale; "wallet": show the
    wallet at the POS) at ``store_id``.

    Return an ``app.api.ApiError`` to refuse, or None to let the next
    plugin decide (None from all = allowed).  First non-None result wins.
    """


@hookspec
def retail_member_wallet(member, store_id):
    """Add to a member's wallet as ``GET pos/members/{id}/wallet`` shows it at ``store_id``.

    Return a dict or None.  List values extend the core's lists (``{"coupons": [...]}``
    adds usable coupons); other keys are added as they are.  Read-only: never write.
    """


# ---------------------------------------------------------------- mall


@hookspec
def retail_mall_store_filters(member):
    """Return SQLAlchemy criteria on ``org_store`` limiting the stores the mall shows ``member``.

    Called by ``GET mall/stores``; the criteria of all plugins are ANDed.
    Returns a list (``[]`` or None: no restriction).
    """
