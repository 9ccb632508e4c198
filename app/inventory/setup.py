from flask_babel import lazy_gettext as _l

from app.platform.settings import SettingDef
from app.security import CASHIER, GUIDE, MERCHANT, POS, STORE_MANAGER, menu, read, write

ORDER = 35

SETTINGS = [
    SettingDef(
        "inventory.allow_negative_stock",
        _l("Allow negative stock"),
        "bool",
        default=False,
        description=_l("When on, sales and outbound documents may take stock below zero."),
    ),
]

_MENU_ALL = menu("Inventory", "Stock", "StockMoves", "StockDocs", "AllianceStock")
_READ_STOCK = read("Stock") + read("StockMoves") + read("AllianceStock")

GRANTS = {
    MERCHANT: _READ_STOCK + write("StockDocs") + read("PosStock") + _MENU_ALL,
    STORE_MANAGER: _READ_STOCK + write("StockDocs") + read("PosStock") + _MENU_ALL,
    CASHIER: _READ_STOCK + read("StockDocs") + read("PosStock") + _MENU_ALL,
    GUIDE: read("Stock") + read("AllianceStock") + read("PosStock")
    + menu("Inventory", "Stock", "AllianceStock"),
    POS: read("PosStock"),
}


def register(appbuilder) -> None:
    from app.inventory.api import PosStockApi
    from app.inventory.views import AllianceStockView, StockDocView, StockMoveView, StockView

    category = dict(category="Inventory", category_label=_l("Inventory"), category_icon="fa-cubes")
    appbuilder.add_view(StockView, "Stock", label=_l("Stock"), icon="fa-cube", **category)
    appbuilder.add_view(StockDocView, "StockDocs", label=_l("Stock documents"), icon="fa-file-text-o",
                        **category)
    appbuilder.add_view(StockMoveView, "StockMoves", label=_l("Stock moves"), icon="fa-exchange", **category)
    appbuilder.add_view(AllianceStockView, "AllianceStock", label=_l("Alliance stock"), icon="fa-globe",
                        **category)
    appbuilder.add_api(PosStockApi)
