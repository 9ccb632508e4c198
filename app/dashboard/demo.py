"""A month of store activity for the dashboard to show (the dashboard domain's ``DEMO``, seeded
after every other domain's): members joining, a restock, sales through the real sale service
(so stock and ledgers agree), a few returns and stocktakes that leave some SKUs low, dated over
the last 30 days.  A second run adds none."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam, select, update

from app.extensions import db
from app.unit_of_work import unit_of_work

ACTIVITY_NOTE = "演示 demo"  # marks the demo's sales: a second run adds none
ACTIVITY_DAYS = 30
SALES_PER_DAY = {"S001": (3, 6), "S002": (2, 5), "S003": (1, 3)}  # (fewest, most) per store and day
DEMO_MORE_MEMBERS = ["周杰", "吴敏", "郑爽", "孙丽", "马超", "黄磊", "何静", "高峰", "罗兰", "谢娜",
                     "韩雪", "唐宁", "冯晨", "曹阳", "许晴", "邓超", "彭勃", "蒋欣"]
# (store, SKU, counted) stocktakes that leave a few SKUs low: the dashboard's stock alerts
DEMO_LOW_STOCK = [("S001", "P1003-02", 4), ("S001", "P1005-01", 7), ("S002", "P1004-01", 2)]
TENDERS = ["wechat"] * 7 + ["alipay"] * 5 + ["cash"] * 4 + ["on_account"]


def seed_demo() -> int:
    """Members joining, a restock, sales and a few returns over the last 30 days; returns how
    many members and sales it created."""
    from app.catalog.models import Sku
    from app.org.demo import demo_stores
    from app.sales.models import Order

    stores = demo_stores()
    if db.session.scalar(select(Order.id).where(Order.note == ACTIVITY_NOTE).limit(1)) is not None:
        return 0
    from app.dashboard.services import store_clock_offset

    rng = random.Random(20261126)
    shift = store_clock_offset()  # the story is told on the stores' clock (core.time_zone)
    now = datetime.now() + shift
    today = now.date()
    skus = list(db.session.scalars(select(Sku).where(Sku.sku_code.like("P100%")).order_by(Sku.sku_code)))
    dated: list[tuple[str, datetime]] = []  # (document number, when it happened)
    first_day = datetime.combine(today - timedelta(days=ACTIVITY_DAYS), time(9, 0))
    dated += _restock(stores, skus, first_day)
    members = _more_members(stores, rng, today, now, shift)
    orders = []
    for days_ago in range(ACTIVITY_DAYS - 1, -1, -1):
        day = today - timedelta(days=days_ago)
        for code, store in sorted(stores.items()):
            fewest, most = SALES_PER_DAY[code]
            for _ in range(rng.randint(fewest, most)):
                when = datetime.combine(day, time(rng.randint(10, 20), rng.randint(0, 59)))
                if when > now:
                    when = now - timedelta(minutes=rng.randint(1, 120))
                order = _demo_sale(store, skus, members.get(code, []), rng)
                orders.append((order, when))
                dated.append((order.order_no, when))
    dated += _demo_returns(orders, rng)
    dated += _low_stock(stores, now)
    with unit_of_work():
        _backdate(dated, shift)
    return len(members) + len(orders)


def _restock(stores: dict, skus: list, when: datetime) -> list[tuple[str, datetime]]:
    from app.inventory.services import create_stock_doc, post_stock_doc

    dated = []
    for store in stores.values():
        doc = create_stock_doc("inbound", "purchase", store.id, [(sku.id, 40) for sku in skus],
                               note=ACTIVITY_NOTE)
        dated.append((post_stock_doc(doc).doc_no, when))
    return dated


def _more_members(stores: dict, rng: random.Random, today: date, now: datetime,
                  shift: timedelta) -> dict[str, list]:
    """Members who joined over the weeks (some with stored value), by home store code:
    ``{code: [[member id, stored value left], …]}``."""
    from app.loyalty.services import change_stored_value
    from app.members.models import Member
    from app.members.services import create_member

    by_store: dict[str, list] = {}
    codes = sorted(stores)
    for index, name in enumerate(DEMO_MORE_MEMBERS):
        code = codes[index % len(codes)]
        member = create_member(f"1390000{index + 101:04d}", name, stores[code].id)
        joined = datetime.combine(today - timedelta(days=rng.randint(0, ACTIVITY_DAYS - 1)),
                                  time(rng.randint(10, 20), rng.randint(0, 59)))
        joined = min(joined, now) - shift
        balance = 100000 if index % 3 == 0 else 0
        with unit_of_work():
            db.session.execute(update(Member).where(Member.id == member.id).values(
                status="active", activated_on=joined, created_on=joined, changed_on=joined))
            if balance:
                change_stored_value(member.id, balance, "recharge", "DEMO-OPENING", stores[code].id)
        by_store.setdefault(code, []).append([member.id, balance])
    return by_store


def _demo_sale(store, skus: list, members: list, rng: random.Random):
    from app.sales.services import SaleLine, SaleRequest, SaleTender, create_sale

    lines = [SaleLine(sku_code=sku.sku_code, qty=rng.choice((1, 1, 1, 2)))
             for sku in rng.sample(skus, rng.choice((1, 1, 2, 2, 3)))]
    due = sum(line.qty * next(s.price_fen for s in skus if s.sku_code == line.sku_code) for line in lines)
    member = rng.choice(members) if members and rng.random() < 0.6 else [None, 0]
    member_id, balance = member
    if balance and rng.random() < 0.5:
        part = min(due, balance, rng.choice((5000, 10000, due)))
        member[1] -= part
        payments = [SaleTender("stored_value", part)]
        if due > part:
            payments.append(SaleTender("wechat", due - part))
    else:
        payments = [SaleTender(rng.choice(TENDERS), due)]
    return create_sale(SaleRequest(store_id=store.id, lines=lines, payments=payments, member_id=member_id,
                                   note=ACTIVITY_NOTE))


def _demo_returns(orders: list, rng: random.Random) -> list[tuple[str, datetime]]:
    from app.sales.services import create_return

    dated = []
    for order, when in rng.sample(orders[: len(orders) // 2], 4):
        returned = create_return(order, None, None)
        dated.append((returned.return_no, when + timedelta(days=1)))
    return dated


def _low_stock(stores: dict, when: datetime) -> list[tuple[str, datetime]]:
    from app.catalog.models import Sku
    from app.inventory.services import create_stock_doc, post_stock_doc

    dated = []
    for code, sku_code, counted in DEMO_LOW_STOCK:
        sku_id = db.session.scalar(select(Sku.id).where(Sku.sku_code == sku_code))
        doc = create_stock_doc("stocktake", "stocktake", stores[code].id, [(sku_id, counted)],
                               note=ACTIVITY_NOTE)
        dated.append((post_stock_doc(doc).doc_no, when))
    return dated


DOC_NO = re.compile(r"^([A-Z]+)(\d{8})(.+)(\d{4})$")  # type, day, store code, sequence


def _backdate(dated: list[tuple[str, datetime]], shift: timedelta) -> None:
    """Give the documents and their ledger rows the time (``dated``: on the stores' clock)
    and the number of the day they happened in the story."""
    from app.docnumbers.services import next_doc_no
    from app.inventory.models import StockDoc, StockMove
    from app.loyalty.models import PointsTxn, StoredValueTxn
    from app.members.models import LevelChange
    from app.platform.models import AuditLog
    from app.sales.models import Order, Return

    rows = []
    for doc_no, when in sorted(dated, key=lambda pair: pair[1]):
        kind, _day, store_code, _sequence = DOC_NO.match(doc_no).groups()
        rows.append({"n": doc_no, "w": when - shift, "new": next_doc_no(kind, store_code, on=when.date())})
    documents = [(Order, "order_no"), (Return, "return_no"), (StockDoc, "doc_no")]
    for model, number in documents:
        table = model.__table__
        db.session.execute(update(table).where(table.c[number] == bindparam("n")).values(
            {number: bindparam("new"), "created_on": bindparam("w"), "changed_on": bindparam("w")}), rows)
    for model in (StockMove, PointsTxn, StoredValueTxn, LevelChange):
        table = model.__table__
        db.session.execute(update(table).where(table.c.doc_no == bindparam("n"))
                           .values(doc_no=bindparam("new"), created_on=bindparam("w")), rows)
    audit = AuditLog.__table__
    db.session.execute(update(audit).where(audit.c.object_id == bindparam("n"))
                       .values(object_id=bindparam("new"), created_on=bindparam("w")), rows)
