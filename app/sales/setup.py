from flask_babel import lazy_gettext as _l

from app.security import CASHIER, MERCHANT, POS, STORE_MANAGER, menu, read, write

ORDER = 40

GRANTS = {
    MERCHANT: read("Orders") + read("Returns") + menu("Sales", "Orders", "Returns"),
    STORE_MANAGER: read("Orders") + read("Returns") + write("PosOrders") + menu("Sales", "Orders", "Returns"),
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
