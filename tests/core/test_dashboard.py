"""The admin home page dashboard: its figures are the sums of the orders (and ledgers) in
the database, per store scope; store staff see their own store only; nothing is loaded
from the internet (FAB's Google-Charts user statistics page is gone)."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db

STORE_ROW = re.compile(
    r'<tr data-store="(\w+)"><td>[^<]*</td><td class="num">(\d+)</td><td class="num" data-fen="(-?\d+)">'
)
TENDER_ROW = re.compile(r'<tr data-method="(\w+)"><td>[^<]*</td><td class="num" data-fen="(-?\d+)">')
_seq = itertools.count(1)


def _since(days: int) -> datetime:
    """The server-local time of the stores' midnight ``days - 1`` days ago (stores keep
    ``core.time_zone``, Asia/Shanghai by default; times are stored in server time)."""
    from app.formatting import time_zone

    zone = time_zone()
    store_midnight = datetime.combine(datetime.now(zone).date() - timedelta(days=days - 1), time.min, zone)
    return store_midnight.astimezone().replace(tzinfo=None)


def _expected_by_store(app, days: int, store_code: str | None = None) -> dict[str, tuple[int, int]]:
    from app.org.models import Store
    from app.sales.models import Order

    with app.app_context():
        since = _since(days)
        query = (
            select(Store.code, func.count(Order.id), func.sum(Order.paid_fen))
            .join(Store, Store.id == Order.store_id)
            .where(Order.created_on >= since)
            .group_by(Store.code)
        )
        if store_code:
            query = query.where(Store.code == store_code)
        return {code: (orders, int(paid)) for code, orders, paid in db.session.execute(query)}


def _expected_by_tender(app, days: int) -> dict[str, int]:
    from app.sales.models import Order, Payment

    with app.app_context():
        query = (
            select(Payment.method, func.sum(Payment.amount_fen))
            .join(Order, Order.id == Payment.order_id)
            .where(Order.created_on >= _since(days))
            .group_by(Payment.method)
        )
        return {method: int(amount) for method, amount in db.session.execute(query)}


def _by_store(html: str) -> dict[str, tuple[int, int]]:
    return {code: (int(orders), int(fen)) for code, orders, fen in STORE_ROW.findall(html)}


def _home(client, period: str) -> str:
    response = client.get(f"/?period={period}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("period,days", [("today", 1), ("7d", 7), ("30d", 30)])
def test_hq_figures_are_the_sums_of_the_orders(app, client_as, period, days):
    html = _home(client_as("hq"), period)
    shown = _by_store(html)
    assert shown == _expected_by_store(app, days)
    assert {m: int(f) for m, f in TENDER_ROW.findall(html)} == _expected_by_tender(app, days)
    if period == "30d":  # the demo's four weeks of sales reach every store
        assert {"S001", "S002", "S003"} <= set(shown)
    total = sum(fen for _, fen in shown.values())
    assert f'data-period="{period}"' in html
    kpi = re.search(
        rf'data-period="{period}">\s*<div[^>]*>[^<]*</div>\s*<div class="dash-value" data-fen="(\d+)"', html
    )
    assert kpi and int(kpi.group(1)) == total


def test_a_new_sale_moves_todays_figures_by_its_amount(app, client_as, api_as):
    hq = client_as("hq")
    before = _by_store(_home(hq, "today")).get("S001", (0, 0))
    sale = api_as("pos1").post(
        "/api/v1/pos/orders",
        json={"lines": [{"sku_code": "P1004-01", "qty": 1}],
              "payments": [{"method": "alipay", "amount_fen": 15900}]},
    )
    assert sale.status_code == 201, sale.get_data(as_text=True)
    after = _by_store(_home(hq, "today"))["S001"]
    assert after == (before[0] + 1, before[1] + 15900)


def test_store_staff_see_only_their_store(app, client_as):
    for username, code in (("manager1", "S001"), ("cashier2", "S002")):
        html = _home(client_as(username), "30d")
        assert _by_store(html) == _expected_by_store(app, 30, code)
        assert set(_by_store(html)) == {code}
        assert 'id="chart-stores"' not in html
        alerts = re.search(r'id="dash-stock-alerts".*?</table>', html, re.S).group(0)
        stores_in_alerts = set(re.findall(r"<tr><td>(S\d+)</td>", alerts))
        assert stores_in_alerts <= {code}


def test_balances_outstanding_follow_the_members_home_store(app, client_as):
    from app.loyalty.models import PointsAccount, StoredValueAccount
    from app.members.models import Member
    from app.org.models import Store

    def expected(store_code=None):
        with app.app_context():
            stored = select(func.sum(StoredValueAccount.balance_fen)).join(
                Member, Member.id == StoredValueAccount.member_id)
            points = select(func.sum(PointsAccount.balance)).join(
                Member, Member.id == PointsAccount.member_id)
            if store_code:
                store_id = db.session.query(Store.id).filter_by(code=store_code).scalar()
                stored = stored.where(Member.home_store_id == store_id)
                points = points.where(Member.home_store_id == store_id)
            return int(db.session.scalar(stored) or 0), int(db.session.scalar(points) or 0)

    def shown(html):

        return (re.search(r'id="dash-stored-value">¥([\d,.-]+)<', html).group(1),
                re.search(r'id="dash-points">([\d,]+)<', html).group(1))

    hq_sv, hq_points = expected()
    s001_sv, s001_points = expected("S001")
    assert s001_sv < hq_sv  # the demo's S002/S003 members hold stored value too
    from app.formatting import yuan

    assert shown(_home(client_as("hq"), "today")) == (yuan(hq_sv), f"{hq_points:,}")
    assert shown(_home(client_as("manager1"), "today")) == (yuan(s001_sv), f"{s001_points:,}")


def test_stock_alerts_use_the_threshold_setting(app, client_as):
    from app.inventory.models import Stock
    from app.platform.settings import set_setting

    def below(threshold):
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(Stock).where(Stock.qty < threshold))

    def badge(html):
        found = re.search(r'id="dash-stock-alerts".*?<span class="badge">(\d+)</span>', html, re.S)
        return int(found.group(1))

    hq = client_as("hq")
    assert badge(_home(hq, "today")) == below(10) > 0  # the demo's stocktakes left a few SKUs low
    with app.app_context():
        set_setting("dashboard.stock_alert_below", 1000)
    try:
        html = _home(hq, "today")
        assert badge(html) == below(1000) > below(10)
    finally:
        with app.app_context():
            set_setting("dashboard.stock_alert_below", 10)


def test_panels_follow_the_roles_read_rights(client_as):
    guide = _home(client_as("guide1"), "today")  # reads stock and members, not orders
    assert 'id="dash-stock-alerts"' in guide and 'id="dash-kpis"' not in guide
    assert "chart.umd.min.js" not in guide
    assert 'id="dash-empty"' not in guide
    provider = _home(client_as("provider1"), "today")  # a service provider reads none of it
    assert 'id="dash-empty"' in provider and 'id="dash-kpis"' not in provider
    assert 'id="dash-stock-alerts"' not in provider and 'id="dash-jobs"' not in provider


def test_nothing_is_loaded_from_the_internet(client_as):
    admin = client_as("admin")
    html = _home(admin, "30d")
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any("vendor/chartjs/chart.umd.min.js" in s for s in sources)
    assert [s for s in sources if re.match(r"^(https?:)?//", s)] == []
    assert admin.get("/static/vendor/chartjs/chart.umd.min.js").status_code == 200
    # FAB's user statistics page loaded Google Charts from the internet: it is not registered
    assert admin.get("/userstatschartview/chart/").status_code == 404
    assert "userstatschartview" not in html


def test_the_daily_chart_adds_up_to_the_period_figures(app, client_as):
    import json

    html = _home(client_as("hq"), "today")
    chart = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', html, re.S).group(1))
    days = chart["trend"]["days"]
    assert len(days) == 30
    per_day = [sum(store["sales_fen"][i] for store in chart["trend"]["stores"]) for i in range(30)]
    expected_30 = _expected_by_store(app, 30)
    expected_today = _expected_by_store(app, 1)
    assert sum(per_day) == sum(fen for _, fen in expected_30.values())
    assert per_day[-1] == sum(fen for _, fen in expected_today.values())  # the stores' today
    assert sum(1 for fen in per_day if fen) >= 28  # the demo sold on (nearly) every day
