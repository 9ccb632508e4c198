"""A member's electronic coupon is not redeemed by its (sequential, guessable) number alone:
the member must be identified on the sale, or the till scans the member code the mall shows."""

import base64

from app.extensions import db
from tests.support.coupons import (  # noqa: F401 (fixtures)
    error_code,
    goods_fixture,
    issue,
    make_rule_fixture,
    mall,
    new_member_fixture,
)


def _status(app, code):
    from plugins.coupons.services import get_coupon

    with app.app_context():
        return get_coupon(code).status


def _member_code(app, member, code):
    client, headers = mall(app, member)
    response = client.get(f"/api/v1/mall/coupons/{code}/member-code", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["result"]


def _order_count(app):
    from app.sales.models import Order

    with app.app_context():
        return db.session.query(Order).count()


def test_a_guessed_number_neither_redeems_nor_reveals_a_members_coupon(app, api_as, make_rule, new_member):
    member = new_member()
    code = issue(app, make_rule(), member["id"])
    pos = api_as("pos1")
    anonymous = pos.post(f"/api/v1/pos/coupons/{code}/redeem", json={"order_total_fen": 5000})
    assert anonymous.status_code == 403 and error_code(anonymous) == "COUPON_MEMBER_NOT_IDENTIFIED"
    looked_up = pos.get(f"/api/v1/pos/coupons/{code}?order_total_fen=5000")
    assert looked_up.status_code == 403 and error_code(looked_up) == "COUPON_MEMBER_NOT_IDENTIFIED"
    assert "member_id" not in str(looked_up.get_json())
    other = new_member()
    wrong = pos.post(f"/api/v1/pos/coupons/{code}/redeem", json={"order_total_fen": 5000,
                                                              "member_id": other["id"]})
    assert wrong.status_code == 403 and error_code(wrong) == "COUPON_MEMBER_NOT_IDENTIFIED"
    assert _status(app, code) == "issued"
    seen = pos.get(f"/api/v1/pos/coupons/{code}?order_total_fen=5000&member_id={member['id']}")
    assert seen.status_code == 200 and seen.get_json()["result"]["usable"] is True
    body = {"order_total_fen": 5000, "member_id": member["id"]}
    done = pos.post(f"/api/v1/pos/coupons/{code}/redeem", json=body)
    assert done.status_code == 201, done.get_json()
    assert _status(app, code) == "redeemed"


def test_the_member_code_from_the_mall_redeems_without_the_member(app, api_as, make_rule, new_member):
    member = new_member()
    code = issue(app, make_rule(), member["id"])
    shown = _member_code(app, member, code)
    assert shown["code"] == code and shown["member_code"].startswith(code + ".")
    assert base64.b64decode(shown["qr_png_base64"]).startswith(b"\x89PNG")
    assert base64.b64decode(shown["barcode_png_base64"]).startswith(b"\x89PNG")
    pos = api_as("pos1")
    forged = shown["member_code"][:-1] + ("A" if shown["member_code"][-1] != "A" else "B")
    refused = pos.post(f"/api/v1/pos/coupons/{forged}/redeem", json={"order_total_fen": 5000})
    assert refused.status_code == 403 and error_code(refused) == "COUPON_MEMBER_NOT_IDENTIFIED"
    looked_up = pos.get(f"/api/v1/pos/coupons/{shown['member_code']}?order_total_fen=5000")
    assert looked_up.status_code == 200 and looked_up.get_json()["result"]["code"] == code
    done = pos.post(f"/api/v1/pos/coupons/{shown['member_code']}/redeem", json={"order_total_fen": 5000})
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["result"]["code"] == code


def test_another_members_code_and_a_stale_code_after_transfer_do_not_redeem(
    app, api_as, make_rule, new_member
):
    owner, friend = new_member(), new_member()
    code = issue(app, make_rule(transferable=True), owner["id"])
    client, headers = mall(app, friend)
    assert client.get(f"/api/v1/mall/coupons/{code}/member-code", headers=headers).status_code == 404
    before = _member_code(app, owner, code)["member_code"]
    client, headers = mall(app, owner)
    moved = client.post(
        f"/api/v1/mall/coupons/{code}/transfer", json={"phone": friend["phone"]}, headers=headers
    )
    assert moved.status_code == 200, moved.get_json()
    pos = api_as("pos1")
    stale = pos.post(f"/api/v1/pos/coupons/{before}/redeem", json={"order_total_fen": 5000})
    assert stale.status_code == 403 and error_code(stale) == "COUPON_MEMBER_NOT_IDENTIFIED"
    fresh = _member_code(app, friend, code)["member_code"]
    assert fresh != before
    assert pos.post(f"/api/v1/pos/coupons/{fresh}/redeem", json={"order_total_fen": 5000}).status_code == 201


def _sale(pos, sku_code, coupon_code, member_id=None):
    body = {
        "lines": [{"sku_code": sku_code, "qty": 1}],
        "payments": [
            {"method": "coupon", "amount_fen": 1000, "code": coupon_code},
            {"method": "cash", "amount_fen": 4000},
        ],
    }
    if member_id is not None:
        body["member_id"] = member_id
    return pos.post("/api/v1/pos/orders", json=body)


def test_coupon_tender_on_an_anonymous_sale_needs_the_member_code(app, api_as, make_rule, new_member, goods):
    member = new_member()
    code = issue(app, make_rule(), member["id"])
    pos = api_as("pos1")
    orders_before = _order_count(app)
    anonymous = _sale(pos, goods["plain"]["sku_code"], code)
    assert anonymous.status_code == 403 and error_code(anonymous) == "COUPON_MEMBER_NOT_IDENTIFIED"
    other = _sale(pos, goods["plain"]["sku_code"], code, member_id=new_member()["id"])
    assert other.status_code == 403 and error_code(other) == "COUPON_MEMBER_NOT_IDENTIFIED"
    assert _order_count(app) == orders_before and _status(app, code) == "issued"
    shown = _member_code(app, member, code)["member_code"]
    paid = _sale(pos, goods["plain"]["sku_code"], shown)
    assert paid.status_code == 201, paid.get_json()
    coupon_payment = [p for p in paid.get_json()["result"]["payments"] if p["method"] == "coupon"][0]
    assert coupon_payment["reference"] == code  # the signed part is not kept
    assert _status(app, code) == "redeemed"


def test_physical_coupons_still_redeem_by_their_printed_code(app, api_as, make_rule, new_member):
    from plugins.coupons.services import collect_coupons, get_coupon, issue_physical

    member = new_member()
    rule_id = make_rule(medium="physical", total_count=2)
    with app.app_context():
        from app.org.models import Store
        from plugins.coupons.generation import request_generation
        from plugins.coupons.models import Coupon, CouponRule

        request_generation(db.session.get(CouponRule, rule_id))
        codes = [c.code for c in db.session.query(Coupon).filter_by(rule_id=rule_id).order_by(Coupon.id)]
        s001 = db.session.query(Store).filter_by(code="S001").one().id
        collect_coupons([get_coupon(c).id for c in codes], s001)
        issue_physical(get_coupon(codes[0]).id, s001, member["id"])  # a member's physical coupon
    response = api_as("pos1").post(f"/api/v1/pos/coupons/{codes[0]}/redeem", json={"order_total_fen": 5000})
    assert response.status_code == 201, response.get_json()


def test_code128_symbols_are_eleven_modules_and_checksummed():
    from plugins.coupons.member_code import PATTERNS, QUIET, code128_modules

    assert len(PATTERNS) == 107 and all(sum(map(int, p)) == 11 for p in PATTERNS[:106])
    assert len(set(PATTERNS)) == 107
    modules = code128_modules("DC000001.ABC")
    assert len(modules) == 2 * QUIET + 11 * (12 + 2) + 13
