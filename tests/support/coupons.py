"""Helpers of the coupons plugin tests (import the fixtures into the test modules)."""

import itertools
import secrets
from datetime import date

import pytest

from app.extensions import db

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_seq):03d}{secrets.token_hex(3).upper()}"


def build_rule(**fields):
    """An unsaved valid electronic cash rule; ``fields`` override."""
    from plugins.coupons.models import CouponRule

    values = dict(
        name="测试券",
        medium="electronic",
        kind="normal",
        offer_type="cash",
        face_value_fen=1000,
        effective_date=date.today(),
        validity_type="days",
        valid_days=30,
        code_prefix=unique("C"),
        code_length=6,
        total_count=100,
        start_value=0,
        min_order_fen=0,
    )
    values.update(fields)
    return CouponRule(**values)


def mall(app, member):
    """A test client and headers of a member token."""
    return app.test_client(), {"Authorization": f"Bearer {member['token']}"}


def issue(app, rule_id, member_id, channel="admin"):
    from plugins.coupons.services import issue_coupon

    with app.app_context():
        coupon = issue_coupon(rule_id, member_id, channel)
        return coupon.code


def error_code(response):
    return response.get_json()["error"]["code"]


# ---------------------------------------------------------------- fixtures (import them in a test module)


@pytest.fixture(name="make_rule")
def make_rule_fixture(app):
    """``make_rule(**fields)`` → id of a saved, validated rule (audited unless status= given)."""

    def make(status="audited", categories=(), stores=(), **fields):
        from app.catalog.models import Category
        from app.org.models import Store
        from plugins.coupons.rules import validate_rule

        with app.app_context():
            rule = build_rule(**fields)
            rule.excluded_categories = [db.session.get(Category, c) for c in categories]
            rule.usable_stores = [db.session.query(Store).filter_by(code=s).one() for s in stores]
            validate_rule(rule)
            rule.status = status
            db.session.add(rule)
            db.session.commit()
            return rule.id

    return make


_phones = itertools.count(1)


@pytest.fixture(name="new_member")
def new_member_fixture(app):
    """``new_member(store="S001", sv_fen=0)`` → {"id", "phone", "token"} of an active member."""

    def make(store="S001", sv_fen=0):
        from app.loyalty.services import change_stored_value
        from app.mall.services import issue_member_token
        from app.members.models import Member
        from app.org.models import Store

        with app.app_context():
            store_row = db.session.query(Store).filter_by(code=store).one()
            phone = f"137{secrets.randbelow(10**8):08d}"
            member = Member(
                member_no=unique("CM"),
                phone=phone,
                name="券会员",
                home_store_id=store_row.id,
                status="active",
            )
            db.session.add(member)
            db.session.flush()
            if sv_fen:
                change_stored_value(member.id, sv_fen, "recharge", "TEST-SV", store_row.id)
            db.session.commit()
            return {"id": member.id, "phone": phone, "token": issue_member_token(member)}

    return make


@pytest.fixture(name="goods")
def goods_fixture(app):
    """Two SKUs in stock at S001: an ordinary one (50.00) and one in a fresh category (30.00)."""
    from app.catalog.models import Category, Product, Sku
    from app.inventory.services import move_stock
    from app.org.models import Store

    with app.app_context():
        category = Category(code=unique("CAT"), name="烟酒")
        db.session.add(category)
        skus = {}
        for key, price, cat in (("plain", 5000, None), ("excluded", 3000, category)):
            code = unique("P")
            product = Product(code=code, name=f"商品 {code}", category=cat)
            sku = Sku(product=product, sku_code=f"{code}-1", barcode=f"69{code}", spec="", price_fen=price)
            db.session.add_all([product, sku])
            db.session.flush()
            for store in db.session.query(Store).filter(Store.code.in_(["S001", "S002"])):
                move_stock(store.id, sku.id, 1000, "purchase_in", f"TEST-{code}")
            skus[key] = {"sku_code": sku.sku_code, "sku_id": sku.id, "product_id": product.id}
        db.session.commit()
        skus["category_id"] = category.id
        return skus
