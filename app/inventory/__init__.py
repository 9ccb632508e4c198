"""Core domain `inventory`: stock per store, stock moves and stock documents; the POS stock and
product look-ups.

The domain's manifest: a default plugin registered on the app's plugin manager
like any plugin (``app.domains``), always on.
"""

from flask_babel import lazy_gettext as _l

from app.domains import CORE_VERSION
from app.hookspecs import SettingDef, ViewSpec, hookimpl
from app.roles import CASHIER, GUIDE, MERCHANT, POS, STORE_MANAGER, menu, read, write

NAME = "inventory"
TITLE = _l("Inventory")
VERSION = CORE_VERSION
DESCRIPTION = _l("Stock per store, stock moves and stock documents.")
DEPENDS = ()
CORE = True
ORDER = 35
SIDEBAR = {"Inventory": 60}  # sidebar position of its menu group (app/menu.py)
MODELS = "app.inventory.models"
DEMO = "app.inventory.demo:seed_demo"

SETTINGS = [
    SettingDef(
        "inventory.allow_negative_stock",
        _l("Allow negative stock"),
        "bool",
        default=False,
        description=_l("When on, sales and outbound documents may take stock below zero."),
    ),
]

MENU_ALL = menu("Inventory", "Stock", "StockMoves", "StockDocs", "AllianceStock")
READ_STOCK = read("Stock") + read("StockMoves") + read("AllianceStock")

POS_LOOKUP = read("PosStock") + read("PosProducts")  # the POS look-ups: stock, and SKUs with stock

GRANTS = {
    MERCHANT: READ_STOCK + write("StockDocs") + POS_LOOKUP + MENU_ALL,
    STORE_MANAGER: READ_STOCK + write("StockDocs") + POS_LOOKUP + MENU_ALL,
    CASHIER: READ_STOCK + read("StockDocs") + POS_LOOKUP + MENU_ALL,
    GUIDE: read("Stock") + read("AllianceStock") + read("PosStock")
    + menu("Inventory", "Stock", "AllianceStock"),
    POS: POS_LOOKUP,
}
CATEGORY = dict(category="Inventory", category_label=_l("Inventory"), category_icon="fa-cubes")


@hookimpl
def retail_register_views(appbuilder):
    from app.inventory.printing import StockDocPrintView
    from app.inventory.views import AllianceStockView, StockDocView, StockMoveView, StockView

    return [
        ViewSpec(StockDocPrintView),  # the A4 print, linked from the document page (no menu entry)
        ViewSpec(StockView, "Stock", label=_l("Stock"), icon="fa-cube", **CATEGORY),
        ViewSpec(StockDocView, "StockDocs", label=_l("Stock documents"), icon="fa-file-text-o", **CATEGORY),
        ViewSpec(StockMoveView, "StockMoves", label=_l("Stock moves"), icon="fa-exchange", **CATEGORY),
        ViewSpec(AllianceStockView, "AllianceStock", label=_l("Alliance stock"), icon="fa-globe",
                 **CATEGORY),
    ]


@hookimpl
def retail_register_apis(appbuilder):
    from app.inventory.api import PosStockApi
    from app.inventory.products_api import PosProductsApi

    return [PosProductsApi, PosStockApi]
