"""Helpers of the points_mall plugin tests (import ``mall_kit_fixture`` into the test modules)."""

from __future__ import annotations

import itertools
import secrets

import pytest

from app.extensions import db
from tests.support.coupons import build_rule, unique
from tests.support.members import new_phone

BASE = "/api/v1/mall/points-mall"
_keys = itertools.count(1)


def error_code(response) -> str:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]["code"]


class MallKit:
    def __init__(self, app):
        self.app = app

    def store_id(self, code: str) -> int:
        from app.org.models import Store

        with self.app.app_context():
            return db.session.query(Store).filter_by(code=code).one().id

    def member(self, points: int = 0, store: str | None = "S001", sv_fen: int = 0) -> dict:
        """A new active member with ``points`` (and stored value): {"id", "phone", "headers"}."""
        from app.loyalty.services import change_points, change_stored_value
        from app.mall.services import issue_member_token
        from app.members.models import Member

        home = self.store_id(store) if store else None
        with self.app.app_context():
            member = Member(
                member_no=unique("PM"),
                phone=new_phone(),
                name="积分会员",
                home_store_id=home,
                status="active",
            )
            db.session.add(member)
            db.session.flush()
            if points:
                change_points(member.id, points, "adjust", "TEST-PT", home)
            if sv_fen:
                change_stored_value(member.id, sv_fen, "recharge", "TEST-SV", home)
            db.session.commit()
            return {
                "id": member.id,
                "phone": member.phone,
                "headers": {"Authorization": f"Bearer {issue_member_token(member)}"},
            }

    def sku(self, stock_at: dict[str, int] | None = None) -> int:
        """A new SKU with opening stock per store code."""
        from app.catalog.models import Product, Sku
        from app.inventory.services import move_stock

        with self.app.app_context():
            code = unique("MP")
            product = Product(code=code, name=f"积分礼品 {code}")
            sku = Sku(product=product, sku_code=f"{code}-1", barcode=f"66{code}", spec="红色", price_fen=9900)
            db.session.add_all([product, sku])
            db.session.flush()
            for store_code, qty in (stock_at or {}).items():
                move_stock(self.store_id(store_code), sku.id, qty, "purchase_in", f"TEST-{code}")
            db.session.commit()
            return sku.id

    def rule(self, **fields) -> int:
        """An audited electronic cash coupon rule."""
        from plugins.coupons.rules import validate_rule

        with self.app.app_context():
            rule = build_rule(**fields)
            validate_rule(rule)
            rule.status = "audited"
            db.session.add(rule)
            db.session.commit()
            return rule.id

    def item(self, kind: str = "physical", source: str | None = None, **fields) -> int:
        """A saved, validated item on the shelf (physical: a new SKU, 100 at ``source``)."""
        from plugins.points_mall.items import validate_item
        from plugins.points_mall.models import MallItem

        values = dict(
            name=f"礼品 {secrets.token_hex(3)}", kind=kind, points_price=100, stock=10, on_shelf=True
        )
        if kind == "physical" and "sku_id" not in fields:
            values["sku_id"] = self.sku({source: 100} if source else None)
        if kind == "virtual" and "coupon_rule_id" not in fields:
            values["coupon_rule_id"] = self.rule()
        if source:
            values["source_store_id"] = self.store_id(source)
        values.update(fields)
        with self.app.app_context():
            item = MallItem(**values)
            validate_item(item)
            db.session.add(item)
            db.session.commit()
            return item.id

    def exchange(self, member: dict, item_id: int, key: str | None = None, headers=None, **body):
        """POST an exchange; physical goods default to delivery to a test address."""
        payload = {"item_id": item_id, **body}
        extra = {"Idempotency-Key": key} if key else {}
        return self.app.test_client().post(
            f"{BASE}/orders", json=payload, headers={**member["headers"], **extra, **(headers or {})}
        )

    def get(self, member: dict, path: str):
        return self.app.test_client().get(f"{BASE}{path}", headers=member["headers"])

    def points(self, member_id: int) -> int:
        from app.loyalty.services import points_balance

        with self.app.app_context():
            return points_balance(member_id)

    def stored_value(self, member_id: int) -> int:
        from app.loyalty.services import stored_value_balance

        with self.app.app_context():
            return stored_value_balance(member_id)

    def stock(self, item_id: int) -> int:
        from plugins.points_mall.models import MallItem

        with self.app.app_context():
            item = db.session.get(MallItem, item_id)
            return None if item is None else item.stock

    def on_hand(self, store: str, item_id: int) -> int:
        from app.inventory.services import on_hand
        from plugins.points_mall.models import MallItem

        with self.app.app_context():
            return on_hand(self.store_id(store), db.session.get(MallItem, item_id).sku_id)

    def orders(self, **filters) -> list:
        from plugins.points_mall.models import MallOrder

        with self.app.app_context():
            return [(o.order_no, o.status) for o in db.session.query(MallOrder).filter_by(**filters)]

    def update_item(self, item_id: int, **values) -> None:
        from plugins.points_mall.models import MallItem

        with self.app.app_context():
            item = db.session.get(MallItem, item_id)
            for name, value in values.items():
                setattr(item, name, value)
            db.session.commit()


DELIVERY = {
    "fulfilment": "delivery",
    "receiver_name": "张三",
    "receiver_phone": "13800000000",
    "address": "上海市黄浦区南京东路 1 号",
}


@pytest.fixture(name="mall_kit")
def mall_kit_fixture(app):
    return MallKit(app)
