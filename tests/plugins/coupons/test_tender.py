"""The ``coupon`` payment method inside POS sales, and return reversal."""

from app.extensions import db
from tests.support.coupons import error_code, goods_fixture, issue, make_rule_fixture, new_member_fixture  # noqa: F401 (fixtures)


def _status(app, code):
    from plugins.coupons.services import get_coupon

    with app.app_context():
        return get_coupon(code).status


def _sale(pos, member, sku_code, coupon_code, coupon_fen, qty=1, price=5000, extra_lines=()):
    lines = [{"sku_code": sku_code, "qty": qty}, *extra_lines]
    total = price * qty + sum(line["price"] for line in extra_lines)
    for line in lines:
        line.pop("price", None)
    return pos.post(
        "/api/v1/pos/orders",
        json={
            "member_id": member["id"],
            "lines": lines,
            "payments": [
                {"method": "coupon", "amount_fen": coupon_fen, "code": coupon_code},
                {"method": "cash", "amount_fen": total - coupon_fen},
            ],
        },
    )


def test_coupon_pays_part_of_a_sale_and_a_return_reverses_it(app, api_as, make_rule, new_member, goods):
    member = new_member()
    code = issue(app, make_rule(face_value_fen=1000, min_order_fen=4000), member["id"])
    pos = api_as("pos1")
    response = _sale(pos, member, goods["plain"]["sku_code"], code, 1000)
    assert response.status_code == 201, response.get_json()
    order_no = response.get_json()["result"]["order_no"]
    assert _status(app, code) == "redeemed"
    order = pos.get(f"/api/v1/pos/orders/{order_no}").get_json()["result"]
    coupon_payment = [p for p in order["payments"] if p["method"] == "coupon"][0]
    assert coupon_payment["amount_fen"] == 1000
    again = _sale(pos, member, goods["plain"]["sku_code"], code, 1000)
    assert again.status_code == 409 and error_code(again) == "COUPON_ALREADY_REDEEMED"
    returned = pos.post(f"/api/v1/pos/orders/{order_no}/returns", json={})
    assert returned.status_code == 201, returned.get_json()
    assert _status(app, code) == "issued"
    with app.app_context():
        from plugins.coupons.models import Redemption

        redemption = db.session.query(Redemption).filter_by(order_no=order_no).one()
        assert redemption.reversed and redemption.reverse_doc_no == returned.get_json()["result"]["return_no"]
    assert _sale(pos, member, goods["plain"]["sku_code"], code, 1000).status_code == 201


def test_a_failed_sale_leaves_the_coupon_untouched(app, api_as, make_rule, new_member, goods):
    member = new_member()
    code = issue(app, make_rule(face_value_fen=1000), member["id"])
    pos = api_as("pos1")
    too_much = _sale(pos, member, goods["plain"]["sku_code"], code, 1500)
    assert too_much.status_code == 422 and error_code(too_much) == "COUPON_AMOUNT_TOO_LARGE"
    missing = pos.post(
        "/api/v1/pos/orders",
        json={
            "member_id": member["id"],
            "lines": [{"sku_code": goods["plain"]["sku_code"], "qty": 1}],
            "payments": [{"method": "coupon", "amount_fen": 1000}, {"method": "cash", "amount_fen": 4000}],
        },
    )
    assert error_code(missing) == "COUPON_CODE_REQUIRED"
    assert _status(app, code) == "issued"


def test_excluded_categories_are_not_counted(app, api_as, make_rule, new_member, goods):
    member = new_member()
    code = issue(app, make_rule(face_value_fen=4000, categories=[goods["category_id"]]), member["id"])
    pos = api_as("pos1")
    # an order of excluded goods only: nothing counts; with the plain 50.00 line, 40.00 applies
    plain_only = pos.post(
        "/api/v1/pos/orders",
        json={
            "member_id": member["id"],
            "lines": [{"sku_code": goods["excluded"]["sku_code"], "qty": 1}],
            "payments": [
                {"method": "coupon", "amount_fen": 100, "code": code},
                {"method": "cash", "amount_fen": 2900},
            ],
        },
    )
    assert plain_only.status_code == 422 and error_code(plain_only) == "COUPON_NOTHING_ELIGIBLE"
    mixed = _sale(
        pos,
        member,
        goods["plain"]["sku_code"],
        code,
        4000,
        extra_lines=[{"sku_code": goods["excluded"]["sku_code"], "qty": 1, "price": 3000}],
    )
    assert mixed.status_code == 201, mixed.get_json()


def test_partial_return_keeps_the_coupon_redeemed(app, api_as, make_rule, new_member, goods):
    member = new_member()
    code = issue(app, make_rule(face_value_fen=1000), member["id"])
    pos = api_as("pos1")
    order_no = _sale(pos, member, goods["plain"]["sku_code"], code, 1000, qty=2).get_json()["result"][
        "order_no"
    ]
    order = pos.get(f"/api/v1/pos/orders/{order_no}").get_json()["result"]
    line_id = order["lines"][0]["line_id"]
    partial = pos.post(
        f"/api/v1/pos/orders/{order_no}/returns", json={"lines": [{"line_id": line_id, "qty": 1}]}
    )
    assert partial.status_code == 201, partial.get_json()
    assert _status(app, code) == "redeemed"
    rest = pos.post(f"/api/v1/pos/orders/{order_no}/returns", json={})
    assert rest.status_code == 201
    assert _status(app, code) == "issued"


def test_member_privacy_hook_can_refuse_a_members_coupon(app, api_as, make_rule, new_member, monkeypatch):
    from app.errors import DomainError
    from plugins.coupons import services

    member_id = new_member()["id"]
    code = issue(app, make_rule(), member_id)
    calls = []

    class Host:
        def member_usable(self, member, store_id, purpose):
            calls.append(("retail_member_usable", purpose))
            return DomainError("MEMBER_NOT_IN_GROUP", "refused")

    monkeypatch.setattr(services, "plugin_host", lambda: Host())
    body = {"order_total_fen": 5000, "member_id": member_id}
    response = api_as("pos1").post(f"/api/v1/pos/coupons/{code}/redeem", json=body)
    assert response.status_code == 403 and error_code(response) == "MEMBER_NOT_IN_GROUP"
    assert calls == [("retail_member_usable", "coupon")]
    assert _status(app, code) == "issued"


def test_lookup_with_the_order_lines(app, api_as, make_rule, new_member, goods):
    member = new_member()
    cash = issue(app, make_rule(face_value_fen=4000, categories=[goods["category_id"]]), member["id"])
    pos = api_as("pos1")
    who = f"member_id={member['id']}"  # a member's coupon: the member is on the sale
    plain, excluded = goods["plain"]["sku_code"], goods["excluded"]["sku_code"]
    mixed = pos.get(f"/api/v1/pos/coupons/{cash}?{who}&lines={plain}:1:2000,{excluded}:2")
    mixed = mixed.get_json()["result"]
    assert mixed["usable"] is True and mixed["discount_fen"] == 2000  # only the 20.00 eligible line counts
    only_excluded = pos.get(f"/api/v1/pos/coupons/{cash}?{who}&lines={excluded}:1").get_json()["result"]
    assert only_excluded["usable"] is False and only_excluded["reason"] == "COUPON_NOTHING_ELIGIBLE"
    voucher = issue(
        app,
        make_rule(
            offer_type="product", face_value_fen=None, exchange_product_id=goods["excluded"]["product_id"]
        ),
        member["id"],
    )
    with_it = pos.get(f"/api/v1/pos/coupons/{voucher}?{who}&lines={plain}:1,{excluded}:3")
    with_it = with_it.get_json()["result"]
    assert with_it["discount_fen"] == 3000
    without = pos.get(f"/api/v1/pos/coupons/{voucher}?{who}&lines={plain}:1").get_json()["result"]
    assert without["reason"] == "COUPON_PRODUCT_NOT_IN_ORDER"
    for bad in ("x", f"{plain}:a", f"{plain}:1:2:3", "NOPE:1"):
        assert pos.get(f"/api/v1/pos/coupons/{cash}?{who}&lines={bad}").status_code == 422, bad


def test_lookup_lines_name_skus_as_the_sale_does(app, api_as, make_rule, new_member, goods):
    """The look-up and the sale resolve SKUs in one place (``app.catalog.services.resolve_skus``):
    a barcode names its SKU, and a SKU no longer sold is unknown to both."""
    from app.catalog.models import Sku

    member = new_member()
    cash = issue(app, make_rule(face_value_fen=4000, categories=[goods["category_id"]]), member["id"])
    pos = api_as("pos1")
    who = f"member_id={member['id']}"
    plain = goods["plain"]["sku_code"]
    with app.app_context():
        barcode = db.session.get(Sku, goods["plain"]["sku_id"]).barcode
    by_barcode = pos.get(f"/api/v1/pos/coupons/{cash}?{who}&lines={barcode}:1:2000").get_json()["result"]
    assert by_barcode["usable"] is True and by_barcode["discount_fen"] == 2000
    with app.app_context():
        db.session.get(Sku, goods["plain"]["sku_id"]).active = False
        db.session.commit()
    try:
        refused = pos.get(f"/api/v1/pos/coupons/{cash}?{who}&lines={plain}:1")
        assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "UNKNOWN_SKU"
        cash_only = [{"method": "cash", "amount_fen": 5000}]
        sale = {"lines": [{"sku_code": plain, "qty": 1}], "payments": cash_only}
        sold = pos.post("/api/v1/pos/orders", json=sale)
        assert sold.status_code == 422 and sold.get_json()["error"]["code"] == "UNKNOWN_SKU"
    finally:
        with app.app_context():
            db.session.get(Sku, goods["plain"]["sku_id"]).active = True
            db.session.commit()
