"""The home page's figures for the logged-in user: what each role may read, of its own store."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext as _l

from app.actor import acting_user
from app.dashboard import services
from app.formatting import yuan
from app.platform.settings import get_setting
from app.security import current_staff, is_hq

PERIOD_LABELS = {"today": _l("Today"), "7d": _l("Last 7 days"), "30d": _l("Last 30 days")}


def _can_read(resource: str) -> bool:
    return bool(current_app.appbuilder.sm.has_access("can_read", resource))


def home_dashboard() -> dict:
    """Everything the home page shows to the current user (called by ``retail/index.html``)."""
    user = acting_user()
    if not getattr(user, "is_authenticated", False):
        return {}
    period = request.args.get("period", "today")
    if period not in services.PERIOD_DAYS:
        period = "today"
    staff = current_staff(user)
    board: dict = {
        "period": period,
        "periods": PERIOD_LABELS,
        "hq": is_hq(user),
        "store": staff.store if staff is not None and not is_hq(user) else None,
        "yuan": yuan,
    }
    if _can_read("Orders"):
        board["totals"] = {
            key: services.sales_figures(user, services.period_start(key)) for key in services.PERIOD_DAYS
        }
        sales = board["totals"][period]
        board["sales"] = sales
        from app.sales.tenders import tender_label

        tenders = [dict(row, label=tender_label(row["method"])) for row in sales.by_tender]
        board["tenders"] = tenders
        board["chart"] = {
            "trend": services.daily_sales(user),
            "tenders": {"labels": [t["label"] for t in tenders], "fen": [t["amount_fen"] for t in tenders]},
            "stores": {
                "labels": [f'{s["code"]} {s["name"]}' for s in sales.by_store],
                "fen": [s["sales_fen"] for s in sales.by_store],
            },
            "text": {"sales": str(_l("Sales (yuan)")), "orders": str(_l("Orders"))},
        }
    if _can_read("Members"):
        board["new_members"] = {
            key: services.new_members(user, services.period_start(key)) for key in services.PERIOD_DAYS
        }
    if _can_read("StoredValueLedger"):
        board["balances"] = services.balances_outstanding(user)
    if _can_read("Stock"):
        threshold = int(get_setting("dashboard.stock_alert_below"))
        board["stock_threshold"] = threshold
        board["stock_alert_count"], board["stock_alerts"] = services.stock_alerts(user, threshold)
    if _can_read("Jobs"):
        board["jobs"] = services.latest_jobs(user)
    return board
