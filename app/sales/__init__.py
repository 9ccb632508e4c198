"""Core domain `sales`: retail orders and returns, the POS sale and return API, the core tenders.

The domain's manifest: a default plugin registered on the app's plugin manager
like any plugin (``app.domains``), always on.
"""

from flask_babel import lazy_gettext as _l

from app.domains import CORE_VERSION
from app.hookspecs import SettingDef, ViewSpec, hookimpl
from app.roles import CASHIER, MERCHANT, POS, STORE_MANAGER, menu, read, write

NAME = "sales"
TITLE = _l("Sales")
VERSION = CORE_VERSION
DESCRIPTION = _l("Retail sales and returns at the POS, and the core payment methods.")
DEPENDS = ()
CORE = True
ORDER = 40
SIDEBAR = {"Sales": 10}  # sidebar position of its menu group (app/menu.py)
MODELS = "app.sales.models"

OVERRIDE_PRICE = [("can_override_price", "PosOrders")]  # app/sales/price_override.py

SETTINGS = [
    SettingDef(
        "sales.price_override_max_percent",
        _l("Price override limit without approval (percent below list price)"),
        "int",
        default=0,
        min_value=0,
        max_value=100,
        description=_l("A cashier may sell a line at most this much below its list price (typed price, "
                       "line or order discount); beyond it a store manager must approve. 0 = every "
                       "override needs approval."),
    ),
]

GRANTS = {
    MERCHANT: read("Orders") + read("Returns") + menu("Sales", "Orders", "Returns") + OVERRIDE_PRICE,
    STORE_MANAGER: read("Orders") + read("Returns") + write("PosOrders") + menu("Sales", "Orders", "Returns")
    + OVERRIDE_PRICE,
    CASHIER: read("Orders") + read("Returns") + write("PosOrders") + menu("Sales", "Orders", "Returns"),
    POS: write("PosOrders"),
}
CATEGORY = dict(category="Sales", category_label=_l("Sales"), category_icon="fa-shopping-cart")


@hookimpl
def retail_register_views(appbuilder):
    from app.sales.printing import OrderPrintView
    from app.sales.views import OrderView, ReturnView

    return [
        ViewSpec(OrderPrintView),  # the receipt, linked from the order page (no menu entry)
        ViewSpec(OrderView, "Orders", label=_l("Retail orders"), icon="fa-receipt", **CATEGORY),
        ViewSpec(ReturnView, "Returns", label=_l("Retail returns"), icon="fa-undo", **CATEGORY),
    ]


@hookimpl
def retail_register_apis(appbuilder):
    from app.sales.api import PosOrdersApi

    return [PosOrdersApi]


@hookimpl
def retail_payment_methods():
    from app.sales.tenders import core_tenders

    return core_tenders()


@hookimpl
def retail_member_detail_sections(member, viewer):
    from app.sales.member_detail import member_orders_section

    return [member_orders_section(member, viewer)]


@hookimpl
def retail_document_url(doc_no):
    from app.sales.member_detail import document_url

    return document_url(doc_no)
