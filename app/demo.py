"""Demo data for `seed-demo`: stores, staff logins; running it twice adds nothing."""

from __future__ import annotations

from flask import current_app

from app.extensions import db
from app.org.models import Staff, Store
from app.plugins import plugin_host
from app.security import (
    ADMIN,
    CASHIER,
    GUIDE,
    MERCHANT,
    POS,
    SERVICE_PROVIDER,
    STORE_MANAGER,
)

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
