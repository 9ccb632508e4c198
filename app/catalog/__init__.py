"""Core domain `catalog`: products, SKUs, categories and brands.

The domain's manifest: a default plugin registered on the app's plugin manager
like any plugin (``app.domains``), always on.
"""

from flask_babel import lazy_gettext as _l

from app.domains import CORE_VERSION
from app.hookspecs import ViewSpec, hookimpl
from app.roles import CASHIER, GUIDE, MERCHANT, STORE_MANAGER, menu, read, write

NAME = "catalog"
TITLE = _l("Catalog")
VERSION = CORE_VERSION
DESCRIPTION = _l("Products, SKUs, categories and brands.")
DEPENDS = ()
CORE = True
ORDER = 30
SIDEBAR = {"Catalog": 50}  # sidebar position of its menu group (app/menu.py)
MODELS = "app.catalog.models"
DEMO = "app.catalog.demo:seed_demo"

CATALOG = ("Categories", "Brands", "Products", "Skus")
CATALOG_MENU = menu("Catalog", *CATALOG)
READ_CATALOG = [pair for name in CATALOG for pair in read(name)] + CATALOG_MENU

GRANTS = {
    MERCHANT: [pair for name in CATALOG for pair in write(name)] + CATALOG_MENU,
    STORE_MANAGER: READ_CATALOG,
    CASHIER: READ_CATALOG,
    GUIDE: READ_CATALOG,
}
CATEGORY = dict(category="Catalog", category_label=_l("Catalog"), category_icon="fa-tags")


@hookimpl
def retail_register_views(appbuilder):
    from app.catalog.views import BrandView, CategoryView, ProductView, SkuView

    return [
        ViewSpec(ProductView, "Products", label=_l("Products"), icon="fa-tag", **CATEGORY),
        ViewSpec(SkuView, "Skus", label=_l("SKUs"), icon="fa-barcode", **CATEGORY),
        ViewSpec(CategoryView, "Categories", label=_l("Categories"), icon="fa-sitemap", **CATEGORY),
        ViewSpec(BrandView, "Brands", label=_l("Brands"), icon="fa-copyright", **CATEGORY),
    ]
