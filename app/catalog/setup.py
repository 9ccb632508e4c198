from flask_babel import lazy_gettext as _l

from app.security import CASHIER, GUIDE, MERCHANT, POS, STORE_MANAGER, menu, read, write

ORDER = 30

CATALOG = ("Categories", "Brands", "Products", "Skus")
CATALOG_MENU = menu("Catalog", *CATALOG)


def _read_catalog():
    return [pair for name in CATALOG for pair in read(name)] + CATALOG_MENU


GRANTS = {
    MERCHANT: [pair for name in CATALOG for pair in write(name)] + CATALOG_MENU + read("PosProducts"),
    STORE_MANAGER: _read_catalog() + read("PosProducts"),
    CASHIER: _read_catalog() + read("PosProducts"),
    GUIDE: _read_catalog(),
    POS: read("PosProducts"),
}


def register(appbuilder) -> None:
    from app.catalog.api import PosProductsApi
    from app.catalog.views import BrandView, CategoryView, ProductView, SkuView

    category = dict(category="Catalog", category_label=_l("Catalog"), category_icon="fa-tags")
    appbuilder.add_view(ProductView, "Products", label=_l("Products"), icon="fa-tag", **category)
    appbuilder.add_view(SkuView, "Skus", label=_l("SKUs"), icon="fa-barcode", **category)
    appbuilder.add_view(CategoryView, "Categories", label=_l("Categories"), icon="fa-sitemap", **category)
    appbuilder.add_view(BrandView, "Brands", label=_l("Brands"), icon="fa-copyright", **category)
    appbuilder.add_api(PosProductsApi)
