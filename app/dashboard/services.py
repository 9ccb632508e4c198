"""Figures of the admin home page, computed in SQL and store-scoped.

Every function takes the ``user`` whose view it computes: HQ roles see every
store, store staff only their own (``app.security.scope_to_store``).  Money is
integer fen; the template shows it in yuan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, literal_column, select

from app.catalog.models import Product, Sku
from app.extensions import db
from app.inventory.models import Stock
from app.loyalty.models import PointsAccount, StoredValueAccount
from app.members.models import Member
from app.org.models import Store
from app.platform.models import Job
from app.sales.models import Order, Payment, Return
from app.security import is_hq, scope_to_store

PERIOD_DAYS = {"today": 1, "7d": 7, "30d": 30}
TREND_DAYS = 30


def store_clock_offset() -> timedelta:
    """How far the stores' clock (setting ``core.time_zone``) is ahead of the server's.

    Times are stored as the server's naive local time; days ("today", the daily chart)
    are the stores' days.
    """
    from app.formatting import time_zone

    now = datetime.now().astimezone()
    return now.astimezone(time_zone()).utcoffset() - now.utcoffset()


def store_today() -> date:
    return (datetime.now() + store_clock_offset()).date()


def period_start(period: str, today: date | None = None) -> datetime:
    """Server time of the stores' midnight starting ``period`` (today, last 7 days, last 30 days)."""
    today = today or store_today()
    first = datetime.combine(today - timedelta(days=PERIOD_DAYS[period] - 1), time.min)
    return first - store_clock_offset()


def _store_day(column):
    """SQL: the stores' calendar day of a stored (server local) time."""
    minutes = int(store_clock_offset().total_seconds() // 60)
    if db.engine.dialect.name == "sqlite":
        return func.date(column, f"{minutes:+d} minutes")
    # a literal, not a bound parameter: the same expression is repeated in GROUP BY
    return func.date(column + literal_column(f"interval '{minutes} minutes'"))


@dataclass
class SalesFigures:
    orders: int = 0
    sales_fen: int = 0
    returns_fen: int = 0
    by_store: list[dict] = field(default_factory=list)
    by_tender: list[dict] = field(default_factory=list)

    @property
    def average_fen(self) -> int:
        return round(self.sales_fen / self.orders) if self.orders else 0


def sales_figures(user, since: datetime) -> SalesFigures:
    """Orders and paid amounts since ``since``, in total, per store and per tender."""
    per_store = select(
        Store.id, Store.code, Store.name,
        func.count(Order.id), func.coalesce(func.sum(Order.paid_fen), 0),
    ).join(Store, Store.id == Order.store_id).where(Order.created_on >= since)
    per_store = scope_to_store(per_store, Order.store_id, user).group_by(Store.id, Store.code, Store.name)
    figures = SalesFigures()
    for store_id, code, name, orders, sales in db.session.execute(per_store.order_by(Store.code)):
        figures.by_store.append(
            {"store_id": store_id, "code": code, "name": name, "orders": orders, "sales_fen": int(sales)}
        )
        figures.orders += orders
        figures.sales_fen += int(sales)
    per_tender = select(Payment.method, func.coalesce(func.sum(Payment.amount_fen), 0)).join(
        Order, Order.id == Payment.order_id
    ).where(Order.created_on >= since)
    per_tender = scope_to_store(per_tender, Order.store_id, user).group_by(Payment.method)
    figures.by_tender = sorted(
        ({"method": method, "amount_fen": int(amount)} for method, amount in db.session.execute(per_tender)),
        key=lambda row: -row["amount_fen"],
    )
    returns = select(func.coalesce(func.sum(Return.amount_fen), 0)).where(Return.created_on >= since)
    figures.returns_fen = int(db.session.scalar(scope_to_store(returns, Return.store_id, user)))
    return figures


def daily_sales(user, days: int = TREND_DAYS, today: date | None = None) -> dict:
    """Paid amount per day and store over the last ``days`` days (oldest first).

    ``{"days": ["2026-11-01", …], "stores": [{"code", "name", "sales_fen": [per day]}]}``
    """
    today = today or store_today()
    first = today - timedelta(days=days - 1)
    day = _store_day(Order.created_on)
    query = (
        select(day, Store.code, Store.name, func.coalesce(func.sum(Order.paid_fen), 0))
        .join(Store, Store.id == Order.store_id)
        .where(Order.created_on >= datetime.combine(first, time.min) - store_clock_offset())
    )
    query = scope_to_store(query, Order.store_id, user).group_by(day, Store.code, Store.name)
    labels = [(first + timedelta(days=i)).isoformat() for i in range(days)]
    index = {label: i for i, label in enumerate(labels)}
    stores: dict[str, dict] = {}
    for on, code, name, sales in db.session.execute(query):
        row = stores.setdefault(code, {"code": code, "name": name, "sales_fen": [0] * days})
        position = index.get(str(on)[:10])
        if position is not None:
            row["sales_fen"][position] += int(sales)
    return {"days": labels, "stores": [stores[code] for code in sorted(stores)]}


def new_members(user, since: datetime) -> int:
    query = select(func.count(Member.id)).where(Member.created_on >= since)
    return int(db.session.scalar(scope_to_store(query, Member.home_store_id, user)))


def balances_outstanding(user) -> dict:
    """Stored value (fen) and points the members of the user's scope still hold."""
    stored = select(func.coalesce(func.sum(StoredValueAccount.balance_fen), 0)).join(
        Member, Member.id == StoredValueAccount.member_id
    )
    points = select(func.coalesce(func.sum(PointsAccount.balance), 0)).join(
        Member, Member.id == PointsAccount.member_id
    )
    return {
        "stored_value_fen": int(db.session.scalar(scope_to_store(stored, Member.home_store_id, user))),
        "points": int(db.session.scalar(scope_to_store(points, Member.home_store_id, user))),
    }


def stock_alerts(user, threshold: int, limit: int = 10) -> tuple[int, list[dict]]:
    """SKUs whose on-hand stock is below ``threshold``: (how many, the lowest ``limit``)."""
    where = Stock.qty < threshold
    count = scope_to_store(select(func.count()).select_from(Stock).where(where), Stock.store_id, user)
    rows = (
        select(Store.code, Sku.sku_code, Product.name, Sku.spec, Stock.qty)
        .select_from(Stock)
        .join(Store, Store.id == Stock.store_id)
        .join(Sku, Sku.id == Stock.sku_id)
        .join(Product, Product.id == Sku.product_id)
        .where(where)
    )
    rows = scope_to_store(rows, Stock.store_id, user).order_by(Stock.qty, Store.code, Sku.sku_code)
    rows = rows.limit(limit)
    return int(db.session.scalar(count)), [
        {"store": store, "sku_code": sku, "product": product, "spec": spec, "qty": qty}
        for store, sku, product, spec, qty in db.session.execute(rows)
    ]


def latest_jobs(user, limit: int = 5) -> list[Job]:
    """The newest background jobs: all of them for HQ, the user's own for store staff."""
    query = select(Job).order_by(Job.id.desc()).limit(limit)
    if not is_hq(user):
        query = query.where(Job.created_by_fk == user.id)
    return list(db.session.scalars(query))
