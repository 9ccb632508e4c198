"""Demo data for `seed-demo`: stores, staff logins, catalog, members and a month of
store activity (sales through the real sale service, so stock and ledgers agree);
running it twice adds nothing."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update

from app.extensions import db
from app.org.models import Store
from app.platform.staff import Staff
from app.plugins import plugin_host
from app.roles import ADMIN, CASHIER, GUIDE, MERCHANT, POS, SERVICE_PROVIDER, STORE_MANAGER

DEMO_STORES = [
    ("S001", "旗舰店 Flagship", "direct", "021-55550001", "上海市黄浦区南京东路 1 号"),
    ("S002", "徐汇店 Xuhui", "direct", "021-55550002", "上海市徐汇区漕溪北路 2 号"),
    ("S003", "杭州加盟店 Hangzhou", "franchise", "0571-5555003", "杭州市西湖区文三路 3 号"),
]

# username, display name, role, store code (None = HQ), employee no, phone
DEMO_USERS = [
    ("admin", "系统管理员", ADMIN, None, "E0001", "13800000001"),
    ("hq", "总部运营", MERCHANT, None, "E0002", "13800000002"),
    ("manager1", "王店长", STORE_MANAGER, "S001", "E0101", "13800000101"),
    ("cashier1", "李收银", CASHIER, "S001", "E0102", "13800000102"),
    ("guide1", "张导购", GUIDE, "S001", "E0103", "13800000103"),
    ("pos1", "POS 终端 1", POS, "S001", "P0101", ""),
    ("cashier2", "赵收银", CASHIER, "S002", "E0201", "13800000201"),
    ("provider1", "回收服务商", SERVICE_PROVIDER, None, "V0001", "13800000901"),
]


def seed_demo(password: str = "demo1234") -> int:
    """Create what is missing; returns how many records were created."""
    sm = current_app.appbuilder.sm
    created = 0
    stores = {}
    for code, name, kind, phone, address in DEMO_STORES:
        store = db.session.query(Store).filter_by(code=code).one_or_none()
        if store is None:
            store = Store(code=code, name=name, kind=kind, phone=phone, address=address)
            db.session.add(store)
            created += 1
        stores[code] = store
    db.session.commit()

    for username, display, role_name, store_code, employee_no, phone in DEMO_USERS:
        user = sm.find_user(username=username)
        if user is None:
            role = sm.find_role(role_name)
            if role is None:
                raise RuntimeError("roles are missing: run `flask --app run db upgrade` first")
            user = sm.add_user(
                username, display, "", f"{username}@demo.local", role, password=password
            )
            created += 1
        if db.session.query(Staff).filter_by(user_id=user.id).one_or_none() is None:
            db.session.add(
                Staff(
                    user_id=user.id,
                    store_id=stores[store_code].id if store_code else None,
                    employee_no=employee_no,
                    name=display,
                    phone=phone,
                )
            )
            created += 1
    db.session.commit()
    created += _seed_retail(stores)
    plugin_host().seed_demo()
    db.session.commit()
    created += _seed_activity(stores)
    return created


DEMO_LEVELS = [("L1", "普通会员", 0), ("L2", "银卡会员", 100000), ("L3", "金卡会员", 500000)]
DEMO_CATEGORIES = [
    ("APP", "服装", None), ("TOP", "上装", "APP"), ("BTM", "下装", "APP"), ("ACC", "配饰", None),
]
# product code, name, category, brand, [(spec, price fen)]
DEMO_PRODUCTS = [
    ("P1001", "纯棉圆领T恤", "TOP", "木棉道", [("S", 9900), ("M", 9900), ("L", 9900)]),
    ("P1002", "修身牛仔裤", "BTM", "木棉道", [("28", 29900), ("30", 29900), ("32", 29900)]),
    ("P1003", "轻薄羽绒服", "TOP", "北岭", [("M", 59900), ("L", 59900)]),
    ("P1004", "羊毛围巾", "ACC", "北岭", [("均码", 15900)]),
    ("P1005", "帆布托特包", "ACC", "木棉道", [("均码", 12900)]),
]
DEMO_MEMBERS = [  # phone, name, home store, stored value fen
    ("13900000001", "陈晓明", "S001", 50000),
    ("13900000002", "林静", "S001", 0),
    ("13900000003", "欧阳娜娜", "S002", 20000),
    ("13900000004", "王强", "S002", 0),
    ("13900000005", "刘洋", "S003", 10000),
]


def _get_or_add(model, lookup: dict, **fields):
    row = db.session.query(model).filter_by(**lookup).one_or_none()
    if row is not None:
        return row, 0
    row = model(**lookup, **fields)
    db.session.add(row)
    db.session.flush()
    return row, 1


def _seed_retail(stores: dict) -> int:
    from app.catalog.models import Brand, Category, Product, Sku
    from app.inventory.services import move_stock
    from app.loyalty.services import change_stored_value
    from app.members.models import Member, MemberLevel

    created = 0
    for code, name, threshold in DEMO_LEVELS:
        created += _get_or_add(MemberLevel, {"code": code}, name=name, threshold_fen=threshold)[1]
    categories = {}
    for code, name, parent in DEMO_CATEGORIES:
        categories[code], n = _get_or_add(
            Category, {"code": code}, name=name, parent_id=categories[parent].id if parent else None
        )
        created += n
    for code, name, category, brand_name, variants in DEMO_PRODUCTS:
        brand, n = _get_or_add(Brand, {"name": brand_name})
        created += n
        product, n = _get_or_add(Product, {"code": code}, name=name, category_id=categories[category].id,
                                 brand_id=brand.id, year=2026)
        created += n
        for index, (spec, price) in enumerate(variants, start=1):
            sku, n = _get_or_add(Sku, {"sku_code": f"{code}-{index:02d}"}, product_id=product.id,
                                 barcode=f"6901{code[1:]}{index:02d}", spec=spec, price_fen=price)
            created += n
            if n:  # new SKU: opening stock in every store
                for store in stores.values():
                    move_stock(store.id, sku.id, 50, "other_in", "DEMO-OPENING")
    lowest = db.session.query(MemberLevel).filter_by(code="L1").one()
    for phone, name, store_code, balance in DEMO_MEMBERS:
        member, n = _get_or_add(Member, {"phone": phone}, member_no=f"M{phone[-6:]}", name=name,
                                home_store_id=stores[store_code].id, status="active",
                                level_id=lowest.id)
        created += n
        if n and balance:
            change_stored_value(member.id, balance, "recharge", "DEMO-OPENING", stores[store_code].id)
    db.session.commit()
    return created


# ---------------------------------------------------------------- a month of activity

ACTIVITY_NOTE = "演示 demo"  # marks the demo's sales: a second run adds none
ACTIVITY_DAYS = 30
SALES_PER_DAY = {"S001": (3, 6), "S002": (2, 5), "S003": (1, 3)}  # (fewest, most) per store and day
DEMO_MORE_MEMBERS = ["周杰", "吴敏", "郑爽", "孙丽", "马超", "黄磊", "何静", "高峰", "罗兰", "谢娜",
                     "韩雪", "唐宁", "冯晨", "曹阳", "许晴", "邓超", "彭勃", "蒋欣"]
# (store, SKU, counted) stocktakes that leave a few SKUs low: the dashboard's stock alerts
DEMO_LOW_STOCK = [("S001", "P1003-02", 4), ("S001", "P1005-01", 7), ("S002", "P1004-01", 2)]
TENDERS = ["wechat"] * 7 + ["alipay"] * 5 + ["cash"] * 4 + ["on_account"]


def _seed_activity(stores: dict) -> int:
    """Members joining, a restock, sales and a few returns over the last 30 days."""
    from app.catalog.models import Sku
    from app.sales.models import Order

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
    _backdate(dated, shift)
    db.session.commit()
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
        db.session.execute(update(Member).where(Member.id == member.id).values(
            status="active", activated_on=joined, created_on=joined, changed_on=joined))
        balance = 100000 if index % 3 == 0 else 0
        if balance:
            change_stored_value(member.id, balance, "recharge", "DEMO-OPENING", stores[code].id)
        db.session.commit()
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
