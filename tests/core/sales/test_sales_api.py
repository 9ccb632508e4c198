"""POS sale and return over HTTP: one transaction, tenders, ledgers, scoping, idempotency."""

import itertools
import threading

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.support.settings import kept_settings

_seq = itertools.count(1)


def _unique(prefix):
    return f"{prefix}{next(_seq):04d}{id(object()) % 10000:04d}"


@pytest.fixture
def goods(app):
    """A product with one SKU at 50.00 yuan and 100 in stock at S001 and S002."""
    from app.catalog.models import Product, Sku
    from app.inventory.services import move_stock
    from app.org.models import Store

    with app.app_context():
        code = _unique("T")
        product = Product(code=code, name=f"测试T恤 {code}")
        sku = Sku(product=product, sku_code=f"{code}-M", barcode=f"69{code}", spec="M", price_fen=5000)
        db.session.add_all([product, sku])
        db.session.flush()
        for store in db.session.query(Store).filter(Store.code.in_(["S001", "S002"])):
            move_stock(store.id, sku.id, 100, "purchase_in", f"TEST-{code}")
        db.session.commit()
        return {"sku_code": sku.sku_code, "barcode": sku.barcode, "sku_id": sku.id}


_phone_seq = itertools.count(1000)


@pytest.fixture
def member(app):
    """An S001 member holding 100.00 yuan of stored value."""
    from app.loyalty.services import change_stored_value
    from app.members.models import Member
    from app.org.models import Store

    with app.app_context():
        store = db.session.query(Store).filter_by(code="S001").one()
        phone = f"139{(next(_phone_seq) * 7919 + id(object())) % 10**8:08d}"
        m = Member(member_no=_unique("MT"), phone=phone, name="测试会员", home_store_id=store.id,
                   status="active")
        db.session.add(m)
        db.session.flush()
        change_stored_value(m.id, 10000, "recharge", "TEST-SV", store.id)
        db.session.commit()
        return {"id": m.id, "phone": phone}


def _balances(app, member_id, sku_id=None, store_code="S001"):
    from app.inventory.models import Stock, StockMove
    from app.loyalty.models import PointsAccount, PointsTxn, StoredValueAccount, StoredValueTxn
    from app.members.models import Member
    from app.org.models import Store

    with app.app_context():
        sv = db.session.query(StoredValueAccount).filter_by(member_id=member_id).one()
        sv_sum = db.session.scalar(select(func.sum(StoredValueTxn.amount_fen)).where(
            StoredValueTxn.member_id == member_id))
        assert sv.balance_fen == sv_sum, "stored value balance must equal its ledger"
        points = db.session.query(PointsAccount).filter_by(member_id=member_id).one_or_none()
        points_sum = db.session.scalar(select(func.coalesce(func.sum(PointsTxn.points), 0)).where(
            PointsTxn.member_id == member_id))
        assert (points.balance if points else 0) == points_sum
        stock = None
        if sku_id is not None:
            store = db.session.query(Store).filter_by(code=store_code).one()
            row = db.session.get(Stock, {"store_id": store.id, "sku_id": sku_id})
            moves = db.session.scalar(select(func.sum(StockMove.qty)).where(
                StockMove.store_id == store.id, StockMove.sku_id == sku_id))
            assert row.qty == moves
            stock = row.qty
        paid_total = db.session.get(Member, member_id).paid_total_fen
        return {"sv": sv.balance_fen, "points": points_sum, "stock": stock, "paid_total": paid_total}


def _sale(pos, member, goods, sv=6000, cash=4000, qty=2, **extra):
    tenders = ({"method": "stored_value", "amount_fen": sv}, {"method": "cash", "amount_fen": cash})
    payments = [p for p in tenders if p["amount_fen"]]
    body = {"member_id": member["id"], "lines": [{"sku_code": goods["sku_code"], "qty": qty}],
            "payments": payments, **extra}
    return pos.post("/api/v1/pos/orders", json=body)


def test_mixed_tender_sale_writes_everything(app, api_as, goods, member):
    pos = api_as("pos1")
    before = _balances(app, member["id"], goods["sku_id"])
    response = _sale(pos, member, goods)
    assert response.status_code == 201, response.get_json()
    order = response.get_json()["result"]
    assert order["order_no"].startswith("SO") and "S001" in order["order_no"]
    assert (order["total_fen"], order["paid_fen"], order["discount_fen"]) == (10000, 10000, 0)
    assert order["points_earned"] == 100
    after = _balances(app, member["id"], goods["sku_id"])
    assert after["sv"] == before["sv"] - 6000
    assert after["stock"] == before["stock"] - 2
    assert after["points"] == before["points"] + 100
    assert after["paid_total"] == before["paid_total"] + 10000
    detail = pos.get(f"/api/v1/pos/orders/{order['order_no']}").get_json()["result"]
    assert [p["method"] for p in detail["payments"]] == ["stored_value", "cash"]


def test_failing_tender_rolls_everything_back(app, api_as, goods, member):
    from app.sales.models import Order

    pos = api_as("pos1")
    before = _balances(app, member["id"], goods["sku_id"])
    with app.app_context():
        orders = db.session.query(Order).count()
    response = _sale(pos, member, goods, sv=20000, cash=0, qty=4)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "INSUFFICIENT_BALANCE"
    assert _balances(app, member["id"], goods["sku_id"]) == before
    with app.app_context():
        assert db.session.query(Order).count() == orders


def test_returns_refund_the_original_tenders(app, api_as, goods, member):
    pos = api_as("pos1")
    order = _sale(pos, member, goods).get_json()["result"]
    before = _balances(app, member["id"], goods["sku_id"])
    line_id = order["lines"][0]["line_id"]
    partial = pos.post(f"/api/v1/pos/orders/{order['order_no']}/returns",
                       json={"lines": [{"line_id": line_id, "qty": 1}]})
    assert partial.status_code == 201, partial.get_json()
    result = partial.get_json()["result"]
    assert result["amount_fen"] == 5000
    assert sorted((r["method"], r["amount_fen"]) for r in result["refunds"]) == [
        ("cash", 2000), ("stored_value", 3000)]
    mid = _balances(app, member["id"], goods["sku_id"])
    assert mid["sv"] == before["sv"] + 3000 and mid["stock"] == before["stock"] + 1
    assert mid["points"] == before["points"] - 50 and mid["paid_total"] == before["paid_total"] - 5000

    too_many = pos.post(f"/api/v1/pos/orders/{order['order_no']}/returns",
                        json={"lines": [{"line_id": line_id, "qty": 2}]})
    assert too_many.status_code == 422
    assert too_many.get_json()["error"]["code"] == "RETURN_EXCEEDS_SOLD"

    rest = pos.post(f"/api/v1/pos/orders/{order['order_no']}/returns", json={})
    assert rest.status_code == 201
    end = _balances(app, member["id"], goods["sku_id"])
    assert end["sv"] == before["sv"] + 6000 and end["stock"] == before["stock"] + 2
    assert pos.get(f"/api/v1/pos/orders/{order['order_no']}").get_json()["result"]["status"] == "returned"
    again = pos.post(f"/api/v1/pos/orders/{order['order_no']}/returns", json={})
    assert again.get_json()["error"]["code"] == "ORDER_ALREADY_RETURNED"


def test_other_store_cannot_read_or_return_an_order(app, api_as, goods, member):
    order = _sale(api_as("pos1"), member, goods).get_json()["result"]
    other = api_as("cashier2")
    assert other.get(f"/api/v1/pos/orders/{order['order_no']}").status_code == 404
    refused = other.post(f"/api/v1/pos/orders/{order['order_no']}/returns", json={})
    assert refused.status_code == 404
    assert api_as("cashier1").get(f"/api/v1/pos/orders/{order['order_no']}").status_code == 200


def test_retried_sale_with_same_key_changes_nothing(app, api_as, goods, member):
    pos = api_as("pos1")
    body = {"member_id": member["id"], "lines": [{"barcode": goods["barcode"], "qty": 1}],
            "payments": [{"method": "cash", "amount_fen": 5000}]}
    first = pos.post("/api/v1/pos/orders", json=body, headers={"Idempotency-Key": f"sale-{member['id']}"})
    before = _balances(app, member["id"], goods["sku_id"])
    again = pos.post("/api/v1/pos/orders", json=body, headers={"Idempotency-Key": f"sale-{member['id']}"})
    assert again.get_json() == first.get_json()
    assert _balances(app, member["id"], goods["sku_id"]) == before


@pytest.mark.parametrize(
    "change, code",
    [
        ({"lines": [{"sku_code": "NOPE-404", "qty": 1}]}, "UNKNOWN_SKU"),
        ({"lines": [{"sku_code": "X", "qty": -1}]}, "VALIDATION_ERROR"),
        ({"lines": [{"sku_code": "X", "qty": "2"}]}, "VALIDATION_ERROR"),
        ({"lines": []}, "VALIDATION_ERROR"),
        ({"note": "n" * 201}, "VALIDATION_ERROR"),
        ({"member_id": "abc"}, "VALIDATION_ERROR"),
        ({"store_id": 2}, "VALIDATION_ERROR"),
        ({"payments": [{"method": "bitcoin", "amount_fen": 5000}]}, "UNKNOWN_PAYMENT_METHOD"),
        ({"payments": [{"method": "cash", "amount_fen": 4999}]}, "PAYMENT_MISMATCH"),
        ({"payments": [{"method": "cash", "amount_fen": 5000.5}]}, "VALIDATION_ERROR"),
        ({"lines": [{"qty": 1}]}, "VALIDATION_ERROR"),
    ],
)
def test_bad_sales_are_refused_with_a_code(app, api_as, goods, member, change, code):
    body = {"lines": [{"sku_code": goods["sku_code"], "qty": 1}],
            "payments": [{"method": "cash", "amount_fen": 5000}], **change}
    before = _balances(app, member["id"], goods["sku_id"])
    response = api_as("pos1").post("/api/v1/pos/orders", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code
    assert _balances(app, member["id"], goods["sku_id"]) == before


def test_hq_account_cannot_sell(api_as, goods):
    response = api_as("admin").post("/api/v1/pos/orders", json={
        "lines": [{"sku_code": goods["sku_code"], "qty": 1}],
        "payments": [{"method": "cash", "amount_fen": 5000}]})
    assert response.get_json()["error"]["code"] == "STORE_ACCOUNT_REQUIRED"


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_concurrent_sales_never_overdraw_stored_value(app, api_as, goods, member, is_postgres):
    threads_count = 50 if is_postgres else 8
    clients = [api_as("pos1") for _ in range(threads_count)]
    barrier = threading.Barrier(threads_count)
    codes = []

    def buy(client):
        barrier.wait()
        response = client.post("/api/v1/pos/orders", json={
            "member_id": member["id"], "lines": [{"sku_code": goods["sku_code"], "qty": 1}],
            "payments": [{"method": "stored_value", "amount_fen": 5000}]})
        codes.append(response.status_code)

    workers = [threading.Thread(target=buy, args=(c,)) for c in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    final = _balances(app, member["id"], goods["sku_id"])
    assert final["sv"] == 0
    assert sorted(codes) == [201] * 2 + [409] * (threads_count - 2)


POINTS_RULES = {  # the defaults the points tests count with
    "loyalty.points_usable_pos": True,
    "loyalty.points_per_yuan": 1,
    "loyalty.fen_per_point": 1,
    "loyalty.deduction_cap_percent": 50,
    "loyalty.points_warning_threshold": 10000,
}


@pytest.fixture
def points_rules(app):
    """The loyalty settings as ``POINTS_RULES`` says, whatever a test before changed; put back after."""
    with kept_settings(app, POINTS_RULES):
        yield


def test_points_redemption_within_the_cap(app, api_as, goods, member, points_rules):
    from app.loyalty.services import change_points

    with app.app_context():
        change_points(member["id"], 3000, "adjust", "TEST-PTS", None)
        db.session.commit()
    pos = api_as("pos1")
    before = _balances(app, member["id"], goods["sku_id"])
    # 5000 fen order, cap 50% → at most 2500 fen from points (1 fen per point by default)
    over = pos.post("/api/v1/pos/orders", json={
        "member_id": member["id"], "lines": [{"sku_code": goods["sku_code"], "qty": 1}],
        "points_used": 2600, "payments": [{"method": "cash", "amount_fen": 2400}]})
    assert over.status_code == 422 and over.get_json()["error"]["code"] == "POINTS_OVER_CAP"
    ok = pos.post("/api/v1/pos/orders", json={
        "member_id": member["id"], "lines": [{"sku_code": goods["sku_code"], "qty": 1}],
        "points_used": 2000, "payments": [{"method": "cash", "amount_fen": 3000}]})
    assert ok.status_code == 201, ok.get_json()
    order = ok.get_json()["result"]
    assert (order["discount_fen"], order["paid_fen"], order["points_earned"]) == (2000, 3000, 30)
    after = _balances(app, member["id"], goods["sku_id"])
    assert after["points"] == before["points"] - 2000 + 30
    back = pos.post(f"/api/v1/pos/orders/{order['order_no']}/returns", json={})
    assert back.status_code == 201
    assert _balances(app, member["id"], goods["sku_id"])["points"] == before["points"]


def test_large_points_consumption_warns_hq(app, api_as, goods, member, points_rules):
    from app.loyalty.services import change_points
    from app.messages.models import Message
    from app.platform.settings import set_setting

    with app.app_context():
        change_points(member["id"], 1000, "adjust", "TEST-PTS", None)
        db.session.commit()
        set_setting("loyalty.points_warning_threshold", 100)  # points_rules puts it back
    ok = api_as("pos1").post("/api/v1/pos/orders", json={
        "member_id": member["id"], "lines": [{"sku_code": goods["sku_code"], "qty": 1}],
        "points_used": 500, "payments": [{"method": "cash", "amount_fen": 4500}]})
    assert ok.status_code == 201, ok.get_json()
    order_no = ok.get_json()["result"]["order_no"]
    with app.app_context():
        sm = app.appbuilder.sm
        warnings = db.session.query(Message).filter(Message.body.contains(order_no))
        recipients = {m.user_id for m in warnings}
        assert {sm.find_user(username="admin").id, sm.find_user(username="hq").id} <= recipients
        assert sm.find_user(username="cashier1").id not in recipients


def test_a_sale_names_products_by_code_and_by_barcode_in_one_order(app, api_as, goods):
    """Lines by SKU code and by barcode are read in one statement; each line shows its
    product; an inactive or unknown SKU is refused with nothing written."""
    from app.catalog.models import Product, Sku
    from app.inventory.services import move_stock
    from app.org.models import Store

    with app.app_context():
        other = Product(code=_unique("B"), name="测试帽子")
        sku = Sku(product=other, sku_code=f"{other.code}-F", barcode=f"68{other.code}", spec="F",
                  price_fen=3000)
        db.session.add_all([other, sku])
        db.session.flush()
        store = db.session.query(Store).filter_by(code="S001").one()
        move_stock(store.id, sku.id, 5, "purchase_in", f"TEST-{other.code}")
        db.session.commit()
        hat = {"sku_code": sku.sku_code, "barcode": sku.barcode}
    pos = api_as("cashier1")
    body = {"lines": [{"sku_code": goods["sku_code"], "qty": 2}, {"barcode": hat["barcode"], "qty": 1}],
            "payments": [{"method": "cash", "amount_fen": 13000}]}
    answer = pos.post("/api/v1/pos/orders", json=body)
    assert answer.status_code == 201, answer.get_json()
    lines = answer.get_json()["result"]["lines"]
    assert [(line["sku_code"], line["qty"], line["amount_fen"]) for line in lines] == [
        (goods["sku_code"], 2, 10000), (hat["sku_code"], 1, 3000)]
    assert lines[1]["name"] == "测试帽子 F"

    with app.app_context():
        db.session.query(Sku).filter_by(sku_code=hat["sku_code"]).one().active = False
        db.session.commit()
    refused = pos.post("/api/v1/pos/orders", json=body)
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "UNKNOWN_SKU"
    unknown = pos.post("/api/v1/pos/orders", json={**body, "lines": [{"barcode": "0000000000", "qty": 1}]})
    assert unknown.status_code == 422 and unknown.get_json()["error"]["sku"] == "0000000000"
