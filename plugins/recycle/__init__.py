"""Plugin `recycle`: device trade-in (回收) with review modes, re-quotes, bidding and service
providers (SPEC §5.7, issue 18).

The plugin's manifest: metadata, declared contributions (``app.manifest``) and ``@hookimpl``
functions for what needs code, nothing else.  Sections marked ``# --- bidding: …`` at the end
belong to the bidding/settlement/export part.
"""

from flask_babel import lazy_gettext as _l

from app.hookspecs import ViewSpec, hookimpl
from app.roles import CASHIER, GUIDE, MERCHANT, POS, SERVICE_PROVIDER, STORE_MANAGER, menu, write

NAME = "recycle"
TITLE = _l("Device trade-in")
VERSION = "0.1.0"
DESCRIPTION = _l(
    "Device trade-in: orders reviewed by the merchant or by service providers "
    "(self-operated, data-authorized, half/full package, bidding), re-quotes, settlement."
)
DEPENDS = ()
DEFAULT_ENABLED = True
SIDEBAR = {"Recycle": 65}  # sidebar rank (app/menu.py): after Inventory
MODELS = "plugins.recycle.models"
MIGRATIONS = "migrations/versions"
TRANSLATIONS = "translations"
SETTINGS = "plugins.recycle.settings:SETTINGS"
DEMO = "plugins.recycle.demo:seed_demo"

POS_RECYCLE = write("PosRecycle")  # take in devices, follow them, re-quote, cancel (store accounts)
REVIEW = write("RecycleReview")  # the reviewers' API: list and quote (HQ, providers)
# the order pages: read the list and detail; write = quote (reviewers), re-quote and cancel (store)
STORE_PAGES = (
    write("RecycleOrders") + write("RecycleIntake") + menu("Recycle", "RecycleOrders", "RecycleIntake")
)
GRANTS = {
    MERCHANT: REVIEW
    + write("RecycleOrders")
    + write("RecycleProviders")
    + write("RecycleProviderUsers")
    + menu("Recycle", "RecycleOrders", "RecycleProviders", "RecycleProviderUsers"),
    SERVICE_PROVIDER: REVIEW + write("RecycleOrders") + menu("Recycle", "RecycleOrders", "RecycleCompleted"),
    STORE_MANAGER: POS_RECYCLE + STORE_PAGES,
    GUIDE: POS_RECYCLE + STORE_PAGES,
    CASHIER: POS_RECYCLE + STORE_PAGES,
    POS: POS_RECYCLE,
}


@hookimpl
def retail_error_codes():
    from plugins.recycle.errors import ERRORS

    return ERRORS


@hookimpl
def retail_register_apis(appbuilder):
    from plugins.recycle.api import PosRecycleApi, RecycleReviewApi

    return [PosRecycleApi, RecycleReviewApi]


COMPLETED_LIST = "/recycleorderview/list/?_flt_0_state=completed"  # a provider's completed orders (F3.13)


@hookimpl
def retail_register_views(appbuilder):
    from plugins.recycle import views

    category = dict(category="Recycle", category_label=_l("Trade-in"), category_icon="fa-recycle")
    return [
        ViewSpec(
            views.RecycleOrderView,
            name="RecycleOrders",
            label=_l("Trade-in orders"),
            icon="fa-mobile",
            **category,
        ),
        ViewSpec(
            None,
            "RecycleCompleted",
            label=_l("Completed trade-ins"),
            href=COMPLETED_LIST,
            icon="fa-check",
            category="Recycle",
        ),
        ViewSpec(
            views.IntakeView,
            name="RecycleIntake",
            label=_l("Take in a device"),
            icon="fa-plus-circle",
            **category,
        ),
        ViewSpec(
            views.ProviderView,
            name="RecycleProviders",
            label=_l("Service providers"),
            icon="fa-truck",
            **category,
        ),
        ViewSpec(
            views.ProviderUserView,
            name="RecycleProviderUsers",
            label=_l("Provider logins"),
            icon="fa-user",
            **category,
        ),
    ]


# --- bidding: bidding, settlement and export (views, APIs, the recycle_credit tender, grants) ---
# (hook functions named with ``specname``: the manifest's own retail_register_views/apis stay above)

from app import roles as _roles  # noqa: E402

BIDDING_GRANTS = {
    _roles.MERCHANT: _roles.write("RecycleBids") + _roles.write("RecycleSettlement")
    + _roles.read("RecycleExport") + _roles.menu("Recycle", "RecycleBidding", "RecycleSettlementList",
                                                 "RecycleExportPage"),
    _roles.SERVICE_PROVIDER: _roles.write("RecycleBids") + _roles.read("RecycleExport")
    + _roles.menu("Recycle", "RecycleBidding", "RecycleExportPage"),
    _roles.STORE_MANAGER: _roles.write("RecycleSettlement") + _roles.read("RecycleExport")
    + _roles.menu("Recycle", "RecycleSettlementList", "RecycleExportPage"),
    _roles.CASHIER: _roles.write("RecycleSettlement") + _roles.menu("Recycle", "RecycleSettlementList"),
    _roles.GUIDE: _roles.write("RecycleSettlement") + _roles.menu("Recycle", "RecycleSettlementList"),
    _roles.POS: _roles.write("RecycleSettlement"),
}
GRANTS = {role: list(GRANTS.get(role, [])) + BIDDING_GRANTS.get(role, [])
          for role in {*GRANTS, *BIDDING_GRANTS}}


@hookimpl(specname="retail_register_views")
def bidding_register_views(appbuilder):
    from plugins.recycle.bid_views import view_specs

    return view_specs()


@hookimpl(specname="retail_register_apis")
def bidding_register_apis(appbuilder):
    from plugins.recycle.bid_api import PosRecycleSettlementApi, RecycleBidsApi, RecyclePaymentCodeApi

    return [RecycleBidsApi, PosRecycleSettlementApi, RecyclePaymentCodeApi]


@hookimpl
def retail_payment_methods():
    from plugins.recycle.tender import RecycleCreditTender

    return [RecycleCreditTender()]
