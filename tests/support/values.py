"""Data for the readable-values tests (tests/core/test_admin_values.py, tests/e2e/test_forms.py)."""

from __future__ import annotations

import itertools
import random

from app.extensions import db

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_seq):03d}{random.randrange(100000):05d}"


def new_phone() -> str:
    return "13" + "".join(random.choices("0123456789", k=9))


def sku_in_stock(app, name: str, qty: int = 10, price_fen: int = 5000, store_code: str = "S001") -> dict:
    """A new product with one SKU holding ``qty`` at ``store_code``."""
    from app.catalog.models import Product, Sku
    from app.inventory.services import move_stock
    from app.org.models import Store

    with app.app_context():
        code = unique("V")
        store = db.session.query(Store).filter_by(code=store_code).one()
        product = Product(code=code, name=f"{name} {code}")
        sku = Sku(product=product, sku_code=f"{code}-M", barcode=f"69{code}", spec="M", price_fen=price_fen)
        db.session.add_all([product, sku])
        db.session.flush()
        move_stock(store.id, sku.id, qty, "purchase_in", f"TEST-{code}")
        db.session.commit()
        return {"sku_code": sku.sku_code, "barcode": sku.barcode, "sku_id": sku.id, "store_id": store.id}


def paid_sale(app, api_as) -> dict:
    """A paid S001 order of one SKU (2 × 50.00) paid 60.00 stored value + 40.00 cash, by a member."""
    from app.loyalty.services import change_stored_value
    from app.members.models import Member
    from app.sales.models import Order

    ids = sku_in_stock(app, "详情T恤")
    with app.app_context():
        member = Member(member_no=unique("MV"), phone=new_phone(), name="详情会员",
                        home_store_id=ids["store_id"], status="active")
        db.session.add(member)
        db.session.flush()
        change_stored_value(member.id, 10000, "recharge", f"TEST-{member.member_no}", ids["store_id"])
        db.session.commit()
        ids.update(member_id=member.id, member_no=member.member_no)
    body = {
        "member_id": ids["member_id"],
        "lines": [{"sku_code": ids["sku_code"], "qty": 2}],
        "payments": [{"method": "stored_value", "amount_fen": 6000}, {"method": "cash", "amount_fen": 4000}],
    }
    response = api_as("pos1").post("/api/v1/pos/orders", json=body)
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        order = db.session.query(Order).filter_by(member_id=ids["member_id"]).one()
        ids.update(order_id=order.id, order_no=order.order_no, created_on=order.created_on)
    return ids
