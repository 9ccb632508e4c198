"""Plugin `points_mall`: the points mall (积分商城, SPEC §5.5, seed 003 §3 F3.1/F3.2) and points
reset (积分清零, seed 001 F1.7).

Mall items are physical goods (a SKU, stock from a chosen store or HQ) or virtual goods (an
audited coupon rule of the ``coupons`` plugin, issued through its service); members exchange
them for points in the mall API. The plugin's manifest: metadata, declared contributions
(``app.manifest``) and ``@hookimpl`` functions for what needs code, nothing else.
"""

from flask_babel import lazy_gettext as _l

from app.hookspecs import hookimpl
from app.roles import CASHIER, MERCHANT, POS, STORE_MANAGER, menu, write

NAME = "points_mall"
TITLE = _l("Points mall")
VERSION = "0.1.0"
DESCRIPTION = _l(
    "Points mall with physical and virtual goods (coupons), exchange orders with "
    "fulfilment, and points reset."
)
DEPENDS = ("coupons",)
DEFAULT_ENABLED = True
SIDEBAR = {"PointsMall": 35}  # sidebar rank (app/menu.py): after Coupons
MODELS = "plugins.points_mall.models"
MIGRATIONS = "migrations/versions"
TRANSLATIONS = "translations"
SETTINGS = "plugins.points_mall.settings:SETTINGS"
DEMO = "plugins.points_mall.demo:seed_demo"

STORE_PICKUPS = write("PointsMallOrders") + write("PosPointsMall")  # admin pages and the POS API
GRANTS = {
    MERCHANT: write("PointsMallItems")
    + write("PointsMallOrders")
    + menu("PointsMall", "PointsMallItems", "PointsMallOrders"),
    STORE_MANAGER: STORE_PICKUPS + menu("PointsMall", "PointsMallOrders"),
    CASHIER: STORE_PICKUPS + menu("PointsMall", "PointsMallOrders"),
    POS: write("PosPointsMall"),  # pick-ups at the terminal's store
}


@hookimpl
def retail_error_codes():
    from plugins.points_mall.errors import ERRORS

    return ERRORS


@hookimpl
def retail_register_apis(appbuilder):
    from plugins.points_mall.api import MallPointsApi
    from plugins.points_mall.pos_api import PosPointsMallApi

    return [MallPointsApi, PosPointsMallApi]


@hookimpl
def retail_member_wallet(member, store_id):
    from plugins.points_mall.wallet import wallet_pickups

    return {"points_mall_pickups": wallet_pickups(member, store_id)}


@hookimpl
def retail_register_views(appbuilder):
    from plugins.points_mall.views import view_specs

    return view_specs()


@hookimpl
def retail_member_detail_sections(member, viewer):
    from plugins.points_mall.member_detail import member_orders_section

    return [member_orders_section(member, viewer)]


# --- reset: points reset (积分清零) ---
JOBS = {**globals().get("JOBS", {}), "points_mall.reset": "plugins.points_mall.reset.jobs:reset_points_job"}
GRANTS.setdefault(MERCHANT, [])
GRANTS[MERCHANT] = GRANTS[MERCHANT] + write("PointsResets") + menu("PointsResets")
PERIODIC = {"points_mall.resume_resets": "plugins.points_mall.reset.jobs:resume_abandoned_resets"}
COMMANDS = [*globals().get("COMMANDS", []), "plugins.points_mall.reset.commands:reset_cli"]


@hookimpl(specname="retail_register_views")
def reset_register_views(appbuilder):
    from plugins.points_mall.reset.views import reset_view_specs

    return reset_view_specs()


@hookimpl(specname="retail_document_url")
def reset_document_url(doc_no):
    from plugins.points_mall.reset.views import reset_document_url as url_of

    return url_of(doc_no)
