"""Exchange in the member mall over HTTP: shapes of virtual and physical orders, refusals that
change nothing, F3.2 (switch and cap ignored, warning sent), idempotent retries, points history."""

from datetime import datetime, timedelta

from app.extensions import db
from tests.support.points_mall import DELIVERY, error_code, mall_kit_fixture  # noqa: F401 (fixtures)
from tests.support.settings import kept_settings

VIRTUAL_KEYS = {
    "order_no",
    "kind",
    "status",
    "item_id",
    "item_name",
    "qty",
    "points",
    "cash_fen",
    "created_on",
    "coupon",
}


def test_a_virtual_good_issues_its_coupon_at_once_and_has_no_delivery_sections(app, api_as, mall_kit):
    member = mall_kit.member(points=1000)
    item = mall_kit.item("virtual", points_price=300)
    listed = mall_kit.get(member, "/items").get_json()["result"]
    assert item in [i["id"] for i in listed]
    answer = mall_kit.exchange(member, item)
    assert answer.status_code == 201, answer.get_json()
    order = answer.get_json()["result"]
    assert set(order) == VIRTUAL_KEYS  # F3.1: no spec, address, delivery, appointment, store, freight
    assert order["status"] == "done" and order["points"] == 300 and order["kind"] == "virtual"
    assert mall_kit.points(member["id"]) == 700
    assert mall_kit.stock(item) == 9
    detail = mall_kit.get(member, f"/orders/{order['order_no']}").get_json()["result"]
    assert set(detail) == VIRTUAL_KEYS and detail["coupon"]["code"] == order["coupon"]["code"]
    # the coupon is the member's at once: in the POS wallet (coupons plugin's wallet hook)
    wallet = api_as("pos1").get(f"/api/v1/pos/members/{member['id']}/wallet").get_json()["result"]
    assert order["coupon"]["code"] in [c["code"] for c in wallet["coupons"]]
    history = mall_kit.get(member, "/points").get_json()["result"]
    assert history[0]["kind"] == "redeem" and history[0]["points"] == -300
    assert history[0]["doc_no"] == order["order_no"] and history[0]["balance_after"] == 700


def test_a_physical_good_is_delivered_or_picked_up_with_a_code(mall_kit):
    member = mall_kit.member(points=1000)
    item = mall_kit.item(source="S001", points_price=200)
    delivered = mall_kit.exchange(member, item, qty=2, **DELIVERY)
    assert delivered.status_code == 201, delivered.get_json()
    order = delivered.get_json()["result"]
    assert order["status"] == "pending" and order["fulfilment"] == "delivery" and order["points"] == 400
    assert order["delivery"]["address"] == DELIVERY["address"] and "pickup" not in order
    assert order["spec"] == "红色" and "coupon" not in order
    assert mall_kit.on_hand("S001", item) == 98  # taken from the chosen store's stock
    picked = mall_kit.exchange(member, item, fulfilment="pickup").get_json()["result"]
    assert picked["pickup"]["store"] == "S001" and len(picked["pickup"]["pickup_code"]) == 6
    assert "delivery" not in picked
    assert mall_kit.points(member["id"]) == 400 and mall_kit.stock(item) == 7
    mine = mall_kit.get(member, "/orders").get_json()
    assert mine["count"] == 2 and mine["result"][0]["order_no"] == picked["order_no"]


def test_hq_goods_are_picked_up_at_one_of_the_members_stores(mall_kit):
    member = mall_kit.member(points=1000)
    item = mall_kit.item()  # HQ stock: no store inventory moves
    missing = mall_kit.exchange(member, item, fulfilment="pickup")
    assert missing.status_code == 422 and error_code(missing) == "MALL_PICKUP_STORE_REQUIRED"
    unknown = mall_kit.exchange(member, item, fulfilment="pickup", pickup_store="NOPE")
    assert unknown.status_code == 403 and error_code(unknown) == "MALL_STORE_NOT_ALLOWED"
    done = mall_kit.exchange(member, item, fulfilment="pickup", pickup_store="S002")
    assert done.status_code == 201 and done.get_json()["result"]["pickup"]["store"] == "S002"


def _refused(mall_kit, member, item, status, code, **body):
    before = (mall_kit.points(member["id"]), mall_kit.stock(item), len(mall_kit.orders(item_id=item)))
    response = mall_kit.exchange(member, item, **body)
    assert response.status_code == status, response.get_json()
    assert error_code(response) == code
    assert (mall_kit.points(member["id"]), mall_kit.stock(item), len(mall_kit.orders(item_id=item))) == before


def test_bad_exchanges_are_refused_with_a_code_and_change_nothing(app, mall_kit):
    from plugins.coupons.models import CouponRule

    member = mall_kit.member(points=500)
    item = mall_kit.item("virtual", points_price=100, stock=3, per_member_limit=2, per_member_daily_limit=1)
    _refused(mall_kit, member, 999_999, 404, "MALL_ITEM_NOT_FOUND")
    _refused(mall_kit, member, item, 422, "MALL_QTY_INVALID", qty=0)
    _refused(mall_kit, member, item, 422, "MALL_FULFILMENT_INVALID", **DELIVERY)
    _refused(mall_kit, member, item, 422, "MALL_CASH_MISMATCH", cash_fen=100)
    assert mall_kit.exchange(member, item).status_code == 201
    _refused(mall_kit, member, item, 409, "MALL_DAILY_LIMIT_REACHED")
    mall_kit.update_item(item, per_member_daily_limit=None)
    assert mall_kit.exchange(member, item).status_code == 201
    _refused(mall_kit, member, item, 409, "MALL_LIMIT_REACHED")
    mall_kit.update_item(item, per_member_limit=None)
    _refused(mall_kit, member, item, 409, "MALL_OUT_OF_STOCK", qty=2)
    poor = mall_kit.member(points=99)
    _refused(mall_kit, poor, item, 409, "INSUFFICIENT_POINTS")
    rule_id = _rule_of(app, item)
    with app.app_context():
        rule = db.session.get(CouponRule, rule_id)
        rule.disabled = True
        db.session.commit()
    _refused(mall_kit, member, item, 409, "COUPON_RULE_DISABLED")
    mall_kit.update_item(item, on_shelf=False)
    _refused(mall_kit, member, item, 409, "MALL_ITEM_OFF_SHELF")
    assert mall_kit.get(member, f"/items/{item}").status_code == 404
    later = mall_kit.item(valid_from=datetime.now() + timedelta(days=1))
    _refused(mall_kit, member, later, 409, "MALL_ITEM_NOT_STARTED", **DELIVERY)
    gone = mall_kit.item(
        valid_from=datetime.now() - timedelta(days=3), valid_to=datetime.now() - timedelta(days=1)
    )
    _refused(mall_kit, member, gone, 409, "MALL_ITEM_EXPIRED", **DELIVERY)
    assert gone not in [i["id"] for i in mall_kit.get(member, "/items").get_json()["result"]]
    physical = mall_kit.item(allow_pickup=False)
    _refused(mall_kit, member, physical, 422, "MALL_FULFILMENT_INVALID")
    _refused(mall_kit, member, physical, 422, "MALL_FULFILMENT_NOT_OFFERED", fulfilment="pickup")
    _refused(mall_kit, member, physical, 422, "MALL_ADDRESS_REQUIRED", fulfilment="delivery")
    chinese = mall_kit.exchange(member, 999_999, headers={"Accept-Language": "zh"})
    assert not chinese.get_json()["error"]["message"].isascii()
    assert mall_kit.exchange({"headers": {}}, item).status_code == 401


def _rule_of(app, item_id):
    from plugins.points_mall.models import MallItem

    with app.app_context():
        return db.session.get(MallItem, item_id).coupon_rule_id


def test_a_cash_part_is_paid_and_must_match(mall_kit):
    member = mall_kit.member(points=1000, sv_fen=5000)
    item = mall_kit.item(points_price=100, cash_fen=990)
    _refused(
        mall_kit,
        member,
        item,
        422,
        "MALL_CASH_MISMATCH",
        cash_fen=900,
        payment_method="stored_value",
        **DELIVERY,
    )
    _refused(mall_kit, member, item, 422, "MALL_PAYMENT_METHOD_INVALID", cash_fen=990, **DELIVERY)
    _refused(
        mall_kit,
        member,
        item,
        422,
        "MALL_PAYMENT_REF_REQUIRED",
        cash_fen=990,
        payment_method="wechat",
        **DELIVERY,
    )
    paid = mall_kit.exchange(member, item, cash_fen=990, payment_method="stored_value", **DELIVERY)
    assert paid.status_code == 201 and paid.get_json()["result"]["cash_fen"] == 990
    assert mall_kit.stored_value(member["id"]) == 4010 and mall_kit.points(member["id"]) == 900


def test_exchange_ignores_the_online_switch_and_the_cap_but_warns_hq(app, mall_kit):
    from app.messages.models import Message

    member = mall_kit.member(points=50_000)
    item = mall_kit.item("virtual", points_price=20_000)
    with kept_settings(
        app,
        {
            "loyalty.points_usable_online": False,
            "loyalty.deduction_cap_percent": 0,
            "loyalty.points_warning_threshold": 10_000,
        },
    ):
        answer = mall_kit.exchange(member, item)
        assert answer.status_code == 201, answer.get_json()
        order_no = answer.get_json()["result"]["order_no"]
        small = mall_kit.item("virtual", points_price=10)
        small_no = mall_kit.exchange(member, small).get_json()["result"]["order_no"]
    with app.app_context():
        warned = db.session.query(Message).filter(Message.body.contains(order_no)).all()
        assert warned and {m.kind for m in warned} == {"hq"}
        assert db.session.query(Message).filter(Message.body.contains(small_no)).count() == 0
    assert mall_kit.points(member["id"]) == 29_990


def test_a_retry_with_the_same_idempotency_key_exchanges_once(mall_kit):
    member = mall_kit.member(points=1000)
    item = mall_kit.item("virtual", points_price=100)
    first = mall_kit.exchange(member, item, key="pm-retry-1")
    again = mall_kit.exchange(member, item, key="pm-retry-1")
    assert first.status_code == 201 and again.status_code == 201
    assert again.get_json() == first.get_json()
    assert mall_kit.points(member["id"]) == 900 and len(mall_kit.orders(item_id=item)) == 1
    other = mall_kit.exchange(member, item, key="pm-retry-1", qty=2)
    assert other.status_code == 422  # the same key with another body
    refused = mall_kit.exchange(mall_kit.member(points=1), item, key="pm-retry-2")
    assert refused.status_code == 409  # a refusal is not stored: the member may retry later


def test_the_member_cancels_a_pending_order_and_gets_everything_back(mall_kit):
    member = mall_kit.member(points=1000, sv_fen=1000)
    item = mall_kit.item(source="S001", points_price=300, cash_fen=100, per_member_limit=1)
    order = mall_kit.exchange(member, item, cash_fen=100, payment_method="stored_value", **DELIVERY)
    order_no = order.get_json()["result"]["order_no"]
    assert mall_kit.points(member["id"]) == 700 and mall_kit.on_hand("S001", item) == 99
    client = mall_kit.app.test_client()
    cancelled = client.post(
        f"/api/v1/mall/points-mall/orders/{order_no}/cancel",
        json={"reason": "不要了"},
        headers=member["headers"],
    )
    assert cancelled.status_code == 200 and cancelled.get_json()["result"]["status"] == "cancelled"
    assert mall_kit.points(member["id"]) == 1000 and mall_kit.stored_value(member["id"]) == 1000
    assert mall_kit.stock(item) == 10 and mall_kit.on_hand("S001", item) == 100
    twice = client.post(f"/api/v1/mall/points-mall/orders/{order_no}/cancel", headers=member["headers"])
    assert twice.status_code == 409 and error_code(twice) == "MALL_ORDER_STATUS_INVALID"
    again = mall_kit.exchange(member, item, cash_fen=100, payment_method="stored_value", **DELIVERY)
    assert again.status_code == 201  # the limit was given back
    stranger = mall_kit.member(points=10)
    assert (
        client.post(
            f"/api/v1/mall/points-mall/orders/{order_no}/cancel", headers=stranger["headers"]
        ).status_code
        == 404
    )
    kinds = [t["kind"] for t in mall_kit.get(member, "/points").get_json()["result"]]
    assert kinds[:3] == ["redeem", "reverse", "redeem"]
