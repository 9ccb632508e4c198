from flask_babel import lazy_gettext as _l

from app.platform.settings import SettingDef

ORDER = 950  # after every domain: the dashboard reads their tables

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


def register(appbuilder) -> None:
    from flask import current_app

    from app.dashboard.printing import OrderPrintView, StockDocPrintView
    from app.dashboard.views import home_dashboard
    from app.formatting import code_label, timestamp, yuan

    current_app.jinja_env.globals["home_dashboard"] = home_dashboard
    # the shared value formatters (app/formatting.py), for the dashboard and the print pages
    current_app.jinja_env.filters.update(yuan=yuan, timestamp=timestamp, code_label=code_label)
    appbuilder.add_view_no_menu(OrderPrintView)
    appbuilder.add_view_no_menu(StockDocPrintView)
