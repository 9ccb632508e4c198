"""Demo stores and staff logins (the org domain's ``DEMO``): the README's demo logins."""

from __future__ import annotations

from flask import current_app

from app.demo import get_or_add
from app.extensions import db
from app.org.models import Store
from app.platform.staff import Staff
from app.roles import ADMIN, CASHIER, GUIDE, MERCHANT, POS, SERVICE_PROVIDER, STORE_MANAGER
from app.unit_of_work import unit_of_work

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


def demo_stores() -> dict[str, Store]:
    """The demo stores by code (those that exist)."""
    codes = [code for code, *_ in DEMO_STORES]
    stores = db.session.query(Store).filter(Store.code.in_(codes)).order_by(Store.id)
    return {store.code: store for store in stores}


def seed_demo(password: str) -> int:
    """Create the missing demo stores, users and staff; returns how many records were created."""
    created = 0
    with unit_of_work():
        for code, name, kind, phone, address in DEMO_STORES:
            fields = dict(name=name, kind=kind, phone=phone, address=address)
            created += get_or_add(Store, {"code": code}, **fields)[1]
    return created + _seed_staff(password, demo_stores())


def _seed_staff(password: str, stores: dict[str, Store]) -> int:
    sm = current_app.appbuilder.sm
    created = 0
    for username, display, role_name, store_code, employee_no, phone in DEMO_USERS:
        user = sm.find_user(username=username)
        if user is None:
            role = sm.find_role(role_name)
            if role is None:
                raise RuntimeError("roles are missing: run `flask --app run db upgrade` first")
            user = sm.add_user(username, display, "", f"{username}@demo.local", role, password=password)
            created += 1
        if db.session.query(Staff).filter_by(user_id=user.id).one_or_none() is None:
            with unit_of_work():
                db.session.add(Staff(user_id=user.id, store_id=stores[store_code].id if store_code else None,
                                     employee_no=employee_no, name=display, phone=phone))
            created += 1
    return created
