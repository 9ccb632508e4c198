"""Core domain `org`: stores and staff.

The domain's manifest: a default plugin registered on the app's plugin manager
like any plugin (``app.domains``), always on.
"""

from flask_babel import lazy_gettext as _l

from app.domains import CORE_VERSION
from app.hookspecs import ViewSpec, hookimpl
from app.roles import CASHIER, GUIDE, MERCHANT, STORE_MANAGER, menu, read, write

NAME = "org"
TITLE = _l("Organization")
VERSION = CORE_VERSION
DESCRIPTION = _l("Stores and staff.")
DEPENDS = ()
CORE = True
ORDER = 10
SIDEBAR = {"Organization": 70}  # sidebar position of its menu group (app/menu.py)
MODELS = ["app.org.models", "app.platform.staff"]  # the staff table is this domain's; its class the kernel's
REFERENCE_DATA = ("Store",)  # rows kept per worker (cached_store)
DEMO = "app.org.demo:seed_demo"

GRANTS = {
    MERCHANT: write("Stores") + write("Staff") + menu("Organization", "Stores", "Staff"),
    STORE_MANAGER: read("Stores") + write("Staff") + menu("Organization", "Stores", "Staff"),
    CASHIER: read("Stores") + read("Staff") + menu("Organization", "Stores", "Staff"),
    GUIDE: read("Stores") + menu("Organization", "Stores"),
}
CATEGORY = dict(category="Organization", category_label=_l("Organization"), category_icon="fa-sitemap")


@hookimpl
def retail_register_views(appbuilder):
    from app.org.views import StaffView, StoreView

    return [
        ViewSpec(StoreView, "Stores", label=_l("Stores"), icon="fa-store", **CATEGORY),
        ViewSpec(StaffView, "Staff", label=_l("Staff"), icon="fa-users", **CATEGORY),
    ]
