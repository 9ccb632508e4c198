from flask_babel import lazy_gettext as _l

from app.security import (
    CASHIER,
    GUIDE,
    MERCHANT,
    STORE_MANAGER,
    menu,
    read,
    write,
)

ORDER = 10

GRANTS = {
    MERCHANT: write("Stores") + write("Staff") + menu("Organization", "Stores", "Staff"),
    STORE_MANAGER: read("Stores") + write("Staff") + menu("Organization", "Stores", "Staff"),
    CASHIER: read("Stores") + read("Staff") + menu("Organization", "Stores", "Staff"),
    GUIDE: read("Stores") + menu("Organization", "Stores"),
}


def register(appbuilder) -> None:
    from app.org.views import StaffView, StoreView

    category = dict(category="Organization", category_label=_l("Organization"), category_icon="fa-sitemap")
    appbuilder.add_view(StoreView, "Stores", label=_l("Stores"), icon="fa-store", **category)
    appbuilder.add_view(StaffView, "Staff", label=_l("Staff"), icon="fa-users", **category)
