"""Core domain `dashboard`: the admin home page dashboard (figures per role, store-scoped).

The domain's manifest: a default plugin registered on the app's plugin manager
like any plugin (``app.domains``), always on.
"""

from flask_babel import lazy_gettext as _l

from app.domains import CORE_VERSION
from app.hookspecs import SettingDef, hookimpl

NAME = "dashboard"
TITLE = _l("Dashboard")
VERSION = CORE_VERSION
DESCRIPTION = _l("The home page dashboard: figures per role and store.")
DEPENDS = ()
CORE = True
ORDER = 950  # after every domain: the dashboard reads their tables
DEMO = "app.dashboard.demo:seed_demo"

GRANTS: dict = {}  # the home page is open to every logged-in user; each panel checks its own read right

SETTINGS = [
    SettingDef(
        "dashboard.stock_alert_below",
        _l("Stock alert threshold"),
        "int",
        default=10,
        min_value=0,
        max_value=1_000_000,
        description=_l("The dashboard lists SKUs whose stock in a store is below this quantity."),
    ),
]


@hookimpl
def retail_register_views(appbuilder):
    from app.dashboard.views import home_dashboard
    from app.formatting import code_label, timestamp, yuan

    jinja = appbuilder.app.jinja_env
    jinja.globals["home_dashboard"] = home_dashboard
    # the shared value formatters (app/formatting.py) the dashboard's page uses
    jinja.filters.update(yuan=yuan, timestamp=timestamp, code_label=code_label)
    return []
