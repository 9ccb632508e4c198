"""The ``meituan`` tender inside ``POST pos/orders`` and returns, against the simulator over real HTTP."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.support.meituan import mt_fixture, sim_fixture, stocked_sku  # noqa: F401  (fixtures)


@pytest.fixture
def goods(app):
    """A 99.00 yuan SKU with stock at S001, and a deal mapped to it (product mode)."""
    from plugins.meituan_voucher.models import DealMapping

    sku_code, sku_id = stocked_sku(app, "MTG")
    with app.app_context():
        deal = f"DP{sku_code}"
        db.session.add(DealMapping(deal_id=deal, title="T恤券", mode="product", sku_id=sku_id, qty=1))
        db.session.commit()
    return {"sku_code": sku_code, "deal": deal}


def _sale(api, goods, payments, key=None, qty=1):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(
        "/api/v1/pos/orders",
        headers=headers,
        json={"lines": [{"sku_code": goods["sku_code"], "qty": qty}], "payments": payments},
    )


def _verification(app, code):
    from plugins.meituan_voucher.models import Verification

    with app.app_context():
        rows = db.session.scalars(select(Verification).where(Verification.receipt_code == code)).all()
        return [(r.status, r.order_no, r.applied_fen) for r in rows]


def test_voucher_pays_for_a_sale_and_a_return_reverses_it(app, api_as, mt, goods):
    api = api_as("pos1")
    code = mt.new(1)[0]  # D200: mapped to a 50.00 yuan tender by the demo
    sold = _sale(
        api,
        goods,
        [{"method": "meituan", "amount_fen": 5000, "code": code}, {"method": "cash", "amount_fen": 4900}],
        key=f"sale-{code}",
    )
    assert sold.status_code == 201, sold.get_json()
    order = sold.get_json()["result"]
    assert {"method": "meituan", "amount_fen": 5000, "refunded_fen": 0, "reference": code} in order[
        "payments"
    ]
    assert mt.state.vouchers[code].state == "CONSUMED"
    assert _verification(app, code) == [("consumed", order["order_no"], 5000)]

    returned = api.post(f"/api/v1/pos/orders/{order['order_no']}/returns", json={})
    assert returned.status_code == 201, returned.get_json()
    assert {"method": "meituan", "amount_fen": 5000} in returned.get_json()["result"]["refunds"]
    assert mt.state.vouchers[code].state == "UNUSED"
    assert _verification(app, code) == [("reversed", order["order_no"], 5000)]


def test_return_after_the_window_is_refused_clearly(app, api_as, mt, goods):
    api = api_as("pos1")
    code = mt.new(1)[0]
    sold = _sale(
        api,
        goods,
        [{"method": "meituan", "amount_fen": 5000, "code": code}, {"method": "cash", "amount_fen": 4900}],
    )
    order_no = sold.get_json()["result"]["order_no"]
    mt.state.advance(601)
    refused = api.post(f"/api/v1/pos/orders/{order_no}/returns", json={}, headers={"Accept-Language": "zh"})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "MEITUAN_REVERSE_WINDOW_PASSED"
    assert "10 分钟" in refused.get_json()["error"]["message"]
    assert api.get(f"/api/v1/pos/orders/{order_no}").get_json()["result"]["status"] == "paid"
    assert mt.state.vouchers[code].state == "CONSUMED"


def test_a_failed_sale_reverses_the_voucher_it_consumed(app, api_as, mt, goods):
    from plugins.meituan_voucher.models import PlatformCall

    api = api_as("pos1")
    code = mt.new(1)[0]
    # the voucher is consumed first, then stored value without a member fails the whole sale
    failed = _sale(
        api,
        goods,
        [
            {"method": "meituan", "amount_fen": 5000, "code": code},
            {"method": "stored_value", "amount_fen": 4900},
        ],
    )
    assert failed.status_code == 422 and failed.get_json()["error"]["code"] == "MEMBER_REQUIRED"
    assert mt.state.vouchers[code].state == "UNUSED"
    assert _verification(app, code) == []
    with app.app_context():
        ops = db.session.scalars(
            select(PlatformCall.op).where(PlatformCall.receipt_code == code).order_by(PlatformCall.id)
        ).all()
    assert ops == ["prepare", "consume", "reverse"]

    too_much = _sale(
        api,
        goods,
        [{"method": "meituan", "amount_fen": 5001, "code": code}, {"method": "cash", "amount_fen": 4899}],
    )
    assert too_much.status_code == 422 and too_much.get_json()["error"]["code"] == "MEITUAN_AMOUNT_TOO_HIGH"
    assert mt.state.vouchers[code].state == "UNUSED"


def test_product_deal_needs_its_product_on_the_order(app, api_as, mt, goods):
    api = api_as("pos1")
    code = mt.new(1, deal=goods["deal"], price=79.0, title="T恤券")[0]
    prepared = api.post("/api/v1/pos/meituan/prepare", json={"code": code}).get_json()["result"]
    assert (prepared["mode"], prepared["value_fen"], prepared["sku_code"]) == (
        "product",
        9900,
        goods["sku_code"],
    )
    sold = _sale(api, goods, [{"method": "meituan", "amount_fen": 9900, "code": code}])
    assert sold.status_code == 201, sold.get_json()

    other = mt.new(1, deal=goods["deal"], price=79.0)[0]
    plain = {"sku_code": "P1004-01"}  # a scarf, not the mapped T-shirt
    refused = _sale(api, plain, [{"method": "meituan", "amount_fen": 15900, "code": other}])
    assert (
        refused.status_code == 422 and refused.get_json()["error"]["code"] == "MEITUAN_DEAL_PRODUCT_MISSING"
    )
    assert mt.state.vouchers[other].state == "UNUSED"


def test_voucher_consumed_beforehand_is_attached_not_consumed_again(app, api_as, mt, goods):
    api = api_as("pos1")
    code = mt.new(1)[0]
    consumed = api.post("/api/v1/pos/meituan/consume", json={"code": code}, headers={"Idempotency-Key": code})
    assert consumed.status_code == 201
    sold = _sale(
        api,
        goods,
        [{"method": "meituan", "amount_fen": 5000, "code": code}, {"method": "cash", "amount_fen": 4900}],
    )
    assert sold.status_code == 201, sold.get_json()
    assert mt.state.calls.count("/ddzh/tuangou/receipt/consume") == 1
    assert _verification(app, code) == [("consumed", sold.get_json()["result"]["order_no"], 5000)]
    again = _sale(
        api,
        goods,
        [{"method": "meituan", "amount_fen": 5000, "code": code}, {"method": "cash", "amount_fen": 4900}],
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "MEITUAN_VOUCHER_USED"
    on_order = api.post("/api/v1/pos/meituan/reverse", json={"code": code})
    assert on_order.status_code == 409 and on_order.get_json()["error"]["code"] == "MEITUAN_VOUCHER_ON_ORDER"


def test_timeout_inside_a_sale_never_double_consumes(app, api_as, mt, goods):
    from app.platform.settings import set_setting

    with app.app_context():
        set_setting("meituan_voucher.timeout_seconds", 2)
    mt.state.delay = 4.5  # well past the timeout, even on a loaded machine
    mt.state.inject("timeout_after_consume")
    api = api_as("pos1")
    code = mt.new(1)[0]
    payments = [
        {"method": "meituan", "amount_fen": 5000, "code": code},
        {"method": "cash", "amount_fen": 4900},
    ]
    sold = _sale(api, goods, payments, key=f"to-sale-{code}")
    assert sold.status_code == 201, sold.get_json()
    replay = _sale(api, goods, payments, key=f"to-sale-{code}")
    assert replay.get_json() == sold.get_json()
    assert [p for p in mt.state.calls if p.endswith(("consume", "getconsumed"))] == [
        "/ddzh/tuangou/receipt/consume",
        "/ddzh/tuangou/receipt/getconsumed",
        "/ddzh/tuangou/receipt/consume",
    ]
    assert len(mt.state.replays) == 1 and _verification(app, code)[0][0] == "consumed"


def test_a_failed_return_consumes_the_reversed_voucher_again(app, api_as, mt, goods):
    """The return reverses the voucher, then fails later (the member spent the earned points):
    the sale stands, so the voucher is verified again on Meituan."""
    from app.loyalty.services import change_points, points_balance
    from app.members.models import Member
    from app.org.models import Store

    with app.app_context():
        store = db.session.query(Store).filter_by(code="S001").one()
        member = Member(
            member_no=f"MTM{uuid.uuid4().hex[:8]}",
            phone=f"137{uuid.uuid4().int % 10**8:08d}",
            name="团购会员",
            home_store_id=store.id,
            status="active",
        )
        db.session.add(member)
        db.session.commit()
        member_id, store_id = member.id, store.id
    api = api_as("pos1")
    code = mt.new(1)[0]
    sold = api.post(
        "/api/v1/pos/orders",
        json={
            "member_id": member_id,
            "lines": [{"sku_code": goods["sku_code"], "qty": 1}],
            "payments": [
                {"method": "meituan", "amount_fen": 5000, "code": code},
                {"method": "cash", "amount_fen": 4900},
            ],
        },
    )
    assert sold.status_code == 201, sold.get_json()
    order_no = sold.get_json()["result"]["order_no"]
    with app.app_context():
        earned = points_balance(member_id)
        assert earned > 0
        change_points(member_id, -earned, "redeem", "TEST-SPEND", store_id)
        db.session.commit()
    failed = api.post(f"/api/v1/pos/orders/{order_no}/returns", json={})
    assert failed.status_code == 409 and failed.get_json()["error"]["code"] == "INSUFFICIENT_POINTS"
    assert mt.state.vouchers[code].state == "CONSUMED"  # reversed, then verified again
    assert [p.rsplit("/", 1)[1] for p in mt.state.calls if "/receipt/" in p] == [
        "prepare",
        "consume",
        "reverseconsume",
        "consume",
    ]
    assert _verification(app, code) == [("consumed", order_no, 5000)]


def test_consume_for_an_unknown_order_is_refused(app, api_as, mt):
    code = mt.new(1)[0]
    answer = api_as("pos1").post("/api/v1/pos/meituan/consume", json={"code": code, "order_no": "SO-NOPE"})
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "ORDER_NOT_FOUND"
    assert mt.state.vouchers[code].state == "UNUSED"


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_two_terminals_paying_with_one_voucher_exactly_one_sale(app, api_as, mt, goods, is_postgres):
    if not is_postgres:
        pytest.skip("race test runs on PostgreSQL")
    import threading

    code = mt.new(1)[0]
    clients = [api_as("pos1"), api_as("cashier1")] * 5
    barrier = threading.Barrier(len(clients))
    answers = []
    payments = [
        {"method": "meituan", "amount_fen": 5000, "code": code},
        {"method": "cash", "amount_fen": 4900},
    ]

    def buy(api):
        barrier.wait()
        answers.append(_sale(api, goods, payments, key=uuid.uuid4().hex))

    threads = [threading.Thread(target=buy, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(a.status_code for a in answers) == [201] + [409] * (len(clients) - 1), [
        a.get_json() for a in answers
    ]
    winner = next(a for a in answers if a.status_code == 201).get_json()["result"]["order_no"]
    assert mt.state.vouchers[code].state == "CONSUMED"
    assert _verification(app, code) == [("consumed", winner, 5000)]


def test_voucher_linked_to_an_existing_order_can_be_reversed_on_its_own(app, api_as, mt, goods):
    api = api_as("pos1")
    sold = _sale(api, goods, [{"method": "cash", "amount_fen": 9900}])
    order_no = sold.get_json()["result"]["order_no"]
    code = mt.new(1)[0]
    linked = api.post("/api/v1/pos/meituan/consume", json={"code": code, "order_no": order_no})
    assert linked.status_code == 201 and linked.get_json()["result"]["order_no"] == order_no
    assert api.post("/api/v1/pos/meituan/reverse", json={"code": code}).status_code == 200
    zero = _sale(
        api,
        goods,
        [{"method": "meituan", "amount_fen": 0, "code": code}, {"method": "cash", "amount_fen": 9900}],
    )
    assert zero.status_code == 422 and zero.get_json()["error"]["code"] == "MEITUAN_AMOUNT_INVALID"
    assert mt.state.vouchers[code].state == "UNUSED"
