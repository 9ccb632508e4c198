"""Settlement (F3.11): the payment code the customer scans, the purchase credit and its
``recycle_credit`` tender in POS sales (once, never more than its amount), never paid twice."""

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from tests.support.recycle_bidding import error_code, make_order, order_state


def _sale_body(app, code, credit_fen, sku_code="P1001-03"):
    from app.catalog.models import Sku

    with app.app_context():
        price = db.session.query(Sku).filter_by(sku_code=sku_code).one().price_fen
    payments = [{"method": "recycle_credit", "amount_fen": credit_fen, "code": code}]
    if price > credit_fen:
        payments.append({"method": "cash", "amount_fen": price - credit_fen})
    return {"lines": [{"sku_code": sku_code, "qty": 1}], "payments": payments}


def _sale(app, pos, code, credit_fen, sku_code="P1001-03"):
    return pos.post("/api/v1/pos/orders", json=_sale_body(app, code, credit_fen, sku_code))


def _settle(pos, order_id):
    return pos.post(f"/api/v1/pos/recycle/orders/{order_id}/settle")


def test_the_payment_code_is_received_once(app, api_as):
    order_id = make_order(app, state="quoted", quote_fen=123456)
    pos = api_as("pos1")
    settled = _settle(pos, order_id)
    assert settled.status_code == 201, settled.get_json()
    result = settled.get_json()["result"]
    assert result["method"] == "payment_code" and result["status"] == "pending"
    assert result["amount_fen"] == 123456 and result["expires_on"] and result["qr_png_base64"]
    assert result["payment_url"].endswith(result["payment_code"])
    assert order_state(app, order_id) == "quoted"  # paid when the customer receives it
    again = _settle(pos, order_id).get_json()["result"]
    assert again["payment_code"] == result["payment_code"]  # still valid: the same code
    customer = app.test_client()
    token = result["payment_code"]
    shown = customer.get(f"/api/v1/recycle/payment-codes/{token}")
    assert shown.status_code == 200 and shown.get_json()["result"]["amount_fen"] == 123456
    png = customer.get(f"/api/v1/recycle/payment-codes/{token}.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    received = customer.post(f"/api/v1/recycle/payment-codes/{token}/receive")
    assert received.status_code == 200 and received.get_json()["result"]["status"] == "paid"
    assert order_state(app, order_id) == "paid"
    twice = customer.post(f"/api/v1/recycle/payment-codes/{token}/receive")
    assert twice.status_code == 409 and error_code(twice) == "RECYCLE_ALREADY_PAID"
    paid_again = _settle(pos, order_id)
    assert paid_again.status_code == 409 and error_code(paid_again) == "RECYCLE_ALREADY_PAID"
    forged = customer.post(f"/api/v1/recycle/payment-codes/{token[:-2]}xx/receive")
    assert forged.status_code == 404 and error_code(forged) == "RECYCLE_PAYMENT_CODE_INVALID"
    completed = pos.post(f"/api/v1/pos/recycle/orders/{order_id}/complete")
    assert completed.status_code == 200 and completed.get_json()["result"]["state"] == "completed"
    with app.app_context():
        from plugins.recycle.models import RecycleTransition

        moves = db.session.query(RecycleTransition).filter_by(order_id=order_id).order_by("id").all()
        assert [(m.from_state, m.to_state) for m in moves][-2:] == [("quoted", "paid"), ("paid", "completed")]


def test_an_expired_payment_code_is_refused_and_a_new_one_issued(app, api_as):
    from plugins.recycle.models import RecycleSettlement

    order_id = make_order(app, state="quoted", quote_fen=5000)
    pos = api_as("pos1")
    old = _settle(pos, order_id).get_json()["result"]["payment_code"]
    with app.app_context():
        db.session.execute(update(RecycleSettlement).where(RecycleSettlement.order_id == order_id)
                           .values(expires_on=datetime.now() - timedelta(seconds=1)))
        db.session.commit()
    expired = app.test_client().post(f"/api/v1/recycle/payment-codes/{old}/receive",
                                     headers={"Accept-Language": "en"})
    assert expired.status_code == 410 and error_code(expired) == "RECYCLE_PAYMENT_CODE_EXPIRED"
    assert "expired" in expired.get_json()["error"]["message"]
    assert order_state(app, order_id) == "quoted"
    new = _settle(pos, order_id).get_json()["result"]["payment_code"]
    assert new != old
    assert app.test_client().post(f"/api/v1/recycle/payment-codes/{old}/receive").status_code == 404
    assert app.test_client().post(f"/api/v1/recycle/payment-codes/{new}/receive").status_code == 200


def test_only_a_quoted_order_is_settled_and_only_in_its_store(app, api_as):
    pending = make_order(app)
    refused = _settle(api_as("pos1"), pending)
    assert refused.status_code == 409 and error_code(refused) == "RECYCLE_STATE_INVALID"
    other_store = make_order(app, state="quoted", quote_fen=5000, store_code="S002")
    hidden = _settle(api_as("pos1"), other_store)
    assert hidden.status_code == 404 and error_code(hidden) == "RECYCLE_ORDER_NOT_FOUND"
    assert order_state(app, other_store) == "quoted"
    not_paid = api_as("pos1").post(f"/api/v1/pos/recycle/orders/{pending}/complete")
    assert not_paid.status_code == 409 and error_code(not_paid) == "RECYCLE_STATE_INVALID"
    nothing = api_as("pos1").get(f"/api/v1/pos/recycle/orders/{pending}/settlement")
    assert nothing.status_code == 404 and error_code(nothing) == "RECYCLE_NOT_SETTLED"


def test_a_purchase_credit_pays_a_sale_once_never_more_than_its_amount(app, api_as):
    order_id = make_order(app, state="quoted", quote_fen=3000, settlement_method="purchase_credit")
    pos = api_as("pos1")
    settled = _settle(pos, order_id)
    assert settled.status_code == 201
    result = settled.get_json()["result"]
    code = result["credit_code"]
    assert result["status"] == "paid" and code.startswith("RC") and result["payment_code"] is None
    assert order_state(app, order_id) == "paid"
    twice = _settle(pos, order_id)
    assert twice.status_code == 409 and error_code(twice) == "RECYCLE_ALREADY_PAID"
    too_much = _sale(app, pos, code, 3001)
    assert too_much.status_code == 422 and error_code(too_much) == "RECYCLE_CREDIT_AMOUNT_TOO_LARGE"
    no_code = _sale_body(app, "", 100)
    no_code["payments"][0].pop("code")
    missing = pos.post("/api/v1/pos/orders", json=no_code)
    assert missing.status_code == 422 and error_code(missing) == "RECYCLE_CREDIT_CODE_REQUIRED"
    elsewhere = _sale(app, api_as("cashier2"), code, 3000)
    assert elsewhere.status_code == 404 and error_code(elsewhere) == "RECYCLE_CREDIT_NOT_FOUND"
    paid = _sale(app, pos, code, 3000)
    assert paid.status_code == 201, paid.get_json()
    order_no = paid.get_json()["result"]["order_no"]
    again = _sale(app, pos, code, 100)
    assert again.status_code == 409 and error_code(again) == "RECYCLE_CREDIT_USED"
    shown = pos.get(f"/api/v1/pos/recycle/orders/{order_id}/settlement").get_json()["result"]
    assert shown["status"] == "used" and shown["used_fen"] == 3000 and shown["used_order_no"] == order_no
    returned = pos.post(f"/api/v1/pos/orders/{order_no}/returns", json={})
    assert returned.status_code == 201, returned.get_json()
    given_back = pos.get(f"/api/v1/pos/recycle/orders/{order_id}/settlement").get_json()["result"]
    assert given_back["status"] == "paid"
    assert _sale(app, pos, code, 2000).status_code == 201  # given back by the return: once more


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_two_sales_racing_for_one_credit_one_wins(app, api_as, is_postgres):
    order_id = make_order(app, state="quoted", quote_fen=3000, settlement_method="purchase_credit")
    pos = api_as("pos1")
    code = _settle(pos, order_id).get_json()["result"]["credit_code"]
    count = 8 if is_postgres else 4
    clients = [api_as("pos1") for _ in range(count)]
    barrier = threading.Barrier(count)
    answers = []

    def pay(client):
        barrier.wait()
        response = _sale(app, client, code, 3000)
        answers.append((response.status_code,
                        response.get_json()["error"]["code"] if response.status_code >= 400 else "ok"))

    threads = [threading.Thread(target=pay, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a for a in answers if a[0] == 201] == [(201, "ok")]
    assert {a for a in answers if a[0] != 201} <= {(409, "RECYCLE_CREDIT_USED"), (409, "BUSY_RETRY")}


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_settling_twice_at_once_pays_once(app, api_as, is_postgres):
    order_id = make_order(app, state="quoted", quote_fen=3000, settlement_method="purchase_credit")
    count = 6 if is_postgres else 3
    clients = [api_as("pos1") for _ in range(count)]
    barrier = threading.Barrier(count)
    answers = []

    def settle(client):
        barrier.wait()
        response = _settle(client, order_id)
        answers.append((response.status_code,
                        response.get_json()["error"]["code"] if response.status_code >= 400 else "ok"))

    threads = [threading.Thread(target=settle, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a for a in answers if a[0] == 201] == [(201, "ok")]
    assert {a for a in answers if a[0] != 201} <= {
        (409, "RECYCLE_ALREADY_PAID"), (409, "RECYCLE_STATE_CHANGED"), (409, "BUSY_RETRY"), (409, "CONFLICT")}
    with app.app_context():
        from plugins.recycle.models import RecycleSettlement

        assert db.session.query(RecycleSettlement).filter_by(order_id=order_id).count() == 1


def test_the_settlement_page_shows_the_qr_and_pays(app, client_as):
    order_id = make_order(app, state="quoted", quote_fen=88800)
    client = client_as("manager1")
    page = client.get(f"/recycle-settlement/order/{order_id}")
    assert page.status_code == 200 and 'id="settle"' in page.get_data(as_text=True)
    assert client.post(f"/recycle-settlement/order/{order_id}/settle").status_code == 302
    html = client.get(f"/recycle-settlement/order/{order_id}").get_data(as_text=True)
    assert "<svg" in html and "888.00" in html and 'id="payment-code"' in html
    listing = client.get("/recycle-settlement/").get_data(as_text=True)
    assert f"/recycle-settlement/order/{order_id}" in listing
    other_store = make_order(app, state="quoted", quote_fen=100, store_code="S002")
    assert client.get(f"/recycle-settlement/order/{other_store}").status_code == 404
    assert client.post(f"/recycle-settlement/order/{other_store}/settle").status_code == 404
