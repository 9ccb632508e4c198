from flask_babel import lazy_gettext as _l

from app.platform.settings import SettingDef
from app.security import CASHIER, MERCHANT, POS, STORE_MANAGER, menu, read, write

ORDER = 40

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


def register(appbuilder) -> None:
    from app.sales.api import PosOrdersApi
    from app.sales.views import OrderView, ReturnView

    category = dict(category="Sales", category_label=_l("Sales"), category_icon="fa-shopping-cart")
    appbuilder.add_view(OrderView, "Orders", label=_l("Retail orders"), icon="fa-receipt", **category)
    appbuilder.add_view(ReturnView, "Returns", label=_l("Retail returns"), icon="fa-undo", **category)
    appbuilder.add_api(PosOrdersApi)
