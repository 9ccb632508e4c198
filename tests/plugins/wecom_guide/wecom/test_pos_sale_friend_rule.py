"""The open-bill rule at the POS: in the WeCom modes ``POST pos/orders`` for a member needs the
closing guide to be the member's WeCom friend (``retail_check_sale``), refused before any tender
is charged or stock moved."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.platform.settings import set_setting
from tests.support.coupons import issue, make_rule_fixture  # noqa: F401  (fixture)
from tests.support.members import error_code
from tests.support.values import sku_in_stock
from tests.support.wecom import guide_with_qr, new_member, wecom_fixture, wecom_sim_fixture  # noqa: F401  (fixtures)
from tests.support.wecom_guide import guides_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("guides")

PRICE = 5000


def set_mode(app, mode):
    with app.app_context():
        set_setting("wecom_guide.open_bill_mode", mode)
        db.session.remove()


def member_with_benefits(app, make_rule) -> dict:
    """An active member with 100.00 stored value, 500 points and a 10.00 coupon."""
    from app.loyalty.services import change_points, change_stored_value

    member = new_member(app, status="active")
    with app.app_context():
        change_stored_value(member["id"], 10000, "recharge", "TEST-FRIEND-SV", None)
        change_points(member["id"], 500, "adjust", "TEST-FRIEND-PTS", None)
        db.session.commit()
    member["coupon"] = issue(app, make_rule(face_value_fen=1000), member["id"])
    return member


def sale_body(sku_code: str, member: dict | None) -> dict:
    body = {"lines": [{"sku_code": sku_code, "qty": 1}],
            "payments": [{"method": "cash", "amount_fen": PRICE}]}
    if member is not None:
        body["member_id"] = member["id"]
        body["payments"] = [
            {"method": "coupon", "amount_fen": 1000, "code": member["coupon"]},
            {"method": "stored_value", "amount_fen": 2000},
            {"method": "cash", "amount_fen": PRICE - 3000},
        ]
    return body


def state(app, pos, sku: dict, member: dict) -> dict:
    """What a sale would change: orders and stock of the SKU, the member's wallet and coupon."""
    from app.inventory.models import Stock, StockMove
    from app.members.models import Member
    from app.sales.models import Order
    from plugins.coupons.services import get_coupon

    wallet = pos.get(f"/api/v1/pos/members/{member['id']}/wallet").get_json()["result"]
    with app.app_context():
        found = {
            "orders": db.session.query(Order).filter_by(member_id=member["id"]).count(),
            "stock": db.session.get(Stock, (sku["store_id"], sku["sku_id"])).qty,
            "moves": db.session.query(StockMove).filter_by(sku_id=sku["sku_id"]).count(),
            "paid_total_fen": db.session.get(Member, member["id"]).paid_total_fen,
            "coupon": get_coupon(member["coupon"]).status,
            "stored_value_fen": wallet["stored_value_fen"],
            "points": wallet["points"],
        }
        db.session.remove()
    return found


@pytest.mark.parametrize("mode", ["wecom_h5", "wecom_miniprogram"])
def test_a_member_who_is_not_the_closing_guides_friend_is_refused_and_nothing_changes(
    app, api_as, wecom, make_rule, mode
):
    set_mode(app, mode)
    wecom.state.users.add("pos1")
    qr = guide_with_qr(app, "pos1")  # pos1 closes the sale: its staff member is the guide
    sku = sku_in_stock(app, "企微规则")
    stranger, friend = member_with_benefits(app, make_rule), member_with_benefits(app, make_rule)
    wecom.state.scan(qr["config_id"], phone=friend["phone"])
    pos = api_as("pos1")

    before = state(app, pos, sku, stranger)
    refused = pos.post("/api/v1/pos/orders", json=sale_body(sku["sku_code"], stranger),
                       headers={"Accept-Language": "en"})
    assert refused.status_code == 409 and error_code(refused) == "WECOM_NOT_FRIEND", refused.get_json()
    assert "WeCom" in refused.get_json()["error"]["message"]
    assert state(app, pos, sku, stranger) == before  # coupon still issued, wallet, stock, orders as they were
    assert before["coupon"] == "issued"

    sold = pos.post("/api/v1/pos/orders", json=sale_body(sku["sku_code"], friend))
    assert sold.status_code == 201, sold.get_json()
    after = state(app, pos, sku, friend)
    assert (after["orders"], after["stock"], after["coupon"]) == (1, 9, "redeemed")
    assert after["stored_value_fen"] == 8000

    walk_in = pos.post("/api/v1/pos/orders", json=sale_body(sku["sku_code"], None))
    assert walk_in.status_code == 201, walk_in.get_json()  # no member: no customer to be a friend of


def test_a_guide_without_a_wecom_qr_cannot_sell_to_a_member_in_the_wecom_modes(app, api_as, make_rule):
    set_mode(app, "wecom_h5")
    sku = sku_in_stock(app, "企微无码")
    member = member_with_benefits(app, make_rule)
    pos = api_as("pos1")
    before = state(app, pos, sku, member)
    refused = pos.post("/api/v1/pos/orders", json=sale_body(sku["sku_code"], member))
    assert refused.status_code == 409 and error_code(refused) == "WECOM_QR_MISSING"
    assert state(app, pos, sku, member) == before


@pytest.mark.parametrize("mode", ["off", "h5", "miniprogram"])
def test_the_other_modes_sell_to_any_member(app, api_as, make_rule, mode):
    set_mode(app, mode)
    sku = sku_in_stock(app, "企微关闭")
    member = member_with_benefits(app, make_rule)
    sold = api_as("pos1").post("/api/v1/pos/orders", json=sale_body(sku["sku_code"], member))
    assert sold.status_code == 201, sold.get_json()


@pytest.mark.own_database  # counts its statements: the test transaction's savepoints would add to them
def test_the_rule_costs_no_statement_when_off_and_one_in_the_wecom_modes(app, api_as, wecom, make_rule):
    from tests.support.clients import statements_of

    wecom.state.users.add("pos1")
    qr = guide_with_qr(app, "pos1")
    sku = sku_in_stock(app, "企微计数", qty=50)
    pos = api_as("pos1")
    counts = {}
    for mode in ("off", "wecom_h5"):
        set_mode(app, mode)
        member = member_with_benefits(app, make_rule)
        wecom.state.scan(qr["config_id"], phone=member["phone"])
        body = sale_body(sku["sku_code"], member)
        body["payments"] = [{"method": "cash", "amount_fen": PRICE}]
        assert pos.post("/api/v1/pos/orders", json=body).status_code == 201  # warms the worker's caches
        answer, seen = statements_of(app, lambda body=body: pos.post("/api/v1/pos/orders", json=body))
        assert answer.status_code == 201, answer.get_json()
        counts[mode] = seen
    assert not any("wecom_guide_contact." in s for s in counts["off"])
    assert sum("wecom_guide_contact." in s for s in counts["wecom_h5"]) == 1
    assert len(counts["wecom_h5"]) == len(counts["off"]) + 1
