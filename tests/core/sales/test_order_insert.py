"""How a sale's order, lines and payments are written (``app/sales/order_insert.py``): on
PostgreSQL number + order + lines + payments are one statement, with a statement-by-statement
fallback for a store's first sale of the day; both must give the same rows and numbers."""

import threading
import uuid

import pytest
from sqlalchemy import select, text

from app.docnumbers.services import format_doc_no
from app.extensions import db
from app.formatting import store_today
from tests.support.app import PASSWORD
from tests.support.clients import add_store_user, api_token, statements_of


def _store_day(app) -> str:
    """The day in today's document numbers: the store's date (``core.time_zone``)."""
    with app.app_context():
        return store_today().strftime("%Y%m%d")


@pytest.fixture
def fresh_store(app):
    """``(store code, (small SKU, large SKU), bearer headers)``: a store with no counter row
    yet, a POS user there and two SKUs with 50 on hand; closed afterwards, so the lists of
    active stores other tests check stay the demo ones."""
    store = _new_store_with_goods(app)
    yield store
    from app.org.models import Store

    with app.app_context():
        db.session.scalars(select(Store).where(Store.code == store[0])).one().status = "closed"
        db.session.commit()


def _new_store_with_goods(app):
    from app.catalog.models import Product, Sku
    from app.inventory.services import move_stock
    from app.org.models import Store

    code = f"S{uuid.uuid4().hex[:6].upper()}"
    with app.app_context():
        store = Store(code=code, name=f"测试门店 {code}", kind="direct", status="active")
        product = Product(code=f"P{code}", name=f"测试商品 {code}")
        skus = [Sku(product=product, sku_code=f"P{code}-{size}", barcode=f"69{code}{size}", spec=size,
                    price_fen=price) for size, price in (("S", 1000), ("L", 2500))]
        db.session.add_all([store, product, *skus])
        db.session.flush()
        for sku in skus:
            move_stock(store.id, sku.id, 50, "purchase_in", f"TEST-{code}")
        db.session.commit()
    user = f"pos_{code.lower()}"
    add_store_user(app, user, store_code=code)
    return code, (f"P{code}-S", f"P{code}-L"), {"Authorization": f"Bearer {api_token(app, user)}"}


def _rows_of(app, order_no):
    from app.catalog.models import Sku
    from app.sales.models import Order, OrderLine, Payment

    with app.app_context():
        order = db.session.scalars(select(Order).where(Order.order_no == order_no)).one()
        lines = db.session.execute(
            select(OrderLine.id, Sku.sku_code, OrderLine.qty, OrderLine.price_fen, OrderLine.discount_fen,
                   OrderLine.amount_fen)
            .join(Sku).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
        ).all()
        payments = db.session.execute(
            select(Payment.method, Payment.amount_fen, Payment.reference)
            .where(Payment.order_id == order.id).order_by(Payment.id)
        ).all()
        facts = (order.total_fen, order.paid_fen, order.note, order.store.code,
                 order.created_by_fk is not None)
        return facts, [tuple(row) for row in lines], [tuple(row) for row in payments]


def _sell(client, headers, body):
    answer = client.post("/api/v1/pos/orders", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["result"]


def test_a_stores_first_sale_of_the_day_and_the_next_are_numbered_in_turn(app, fresh_store, is_postgres):
    code, (small, large), headers = fresh_store
    client = app.test_client()
    body = {"lines": [{"sku_code": small, "qty": 1}], "payments": [{"method": "cash", "amount_fen": 1000}]}
    first = _sell(client, headers, body)  # no counter row yet: statement by statement
    second, seen = statements_of(app, lambda: _sell(client, headers, body))
    day = _store_day(app)
    assert first["order_no"] == format_doc_no("SO", day, code, 1)
    assert second["order_no"] == format_doc_no("SO", day, code, 2)
    if is_postgres:  # the counter row exists now: number, order, lines and payments in one statement
        assert sum("INSERT INTO sales_order " in s for s in seen) == 1
        assert not any("INSERT INTO sales_order_line" in s and "core_doc_sequence" not in s for s in seen)


def test_numbers_past_9999_read_the_same_on_every_path(app, fresh_store):
    code, (small, _), headers = fresh_store
    client = app.test_client()
    body = {"lines": [{"sku_code": small, "qty": 1}], "payments": [{"method": "cash", "amount_fen": 1000}]}
    _sell(client, headers, body)
    with app.app_context():
        db.session.execute(text("UPDATE core_doc_sequence SET last = 9998 "
                                "WHERE store_code = :c AND doc_type = 'SO'"), {"c": code})
        db.session.commit()
    day = _store_day(app)
    assert _sell(client, headers, body)["order_no"] == f"SO{day}{code}9999"
    assert _sell(client, headers, body)["order_no"] == f"SO{day}{code}10000"


def test_lines_and_payments_keep_their_order_and_ids(app, fresh_store):
    """Several lines (one SKU twice) and tenders: the answer, the rows and their ids agree."""
    code, (small, large), headers = fresh_store
    client = app.test_client()
    manager = f"mgr_{code.lower()}"  # the discounts are price overrides: a store manager approves them
    add_store_user(app, manager, role="StoreManager", store_code=code)
    body = {
        "lines": [{"sku_code": large, "qty": 2, "discount_fen": 100}, {"sku_code": small, "qty": 1},
                  {"sku_code": large, "qty": 1, "price_fen": 2000}, {"sku_code": small, "qty": 3}],
        "payments": [{"method": "wechat", "amount_fen": 5000}, {"method": "cash", "amount_fen": 5000},
                     {"method": "alipay", "amount_fen": 900}],
        "note": "多行多付",
        "approval": {"username": manager, "password": PASSWORD},
    }
    for _ in range(2):  # the first sale of the store's day and one after it
        sold = _sell(client, headers, body)
        order, lines, payments = _rows_of(app, sold["order_no"])
        assert [(line["line_id"], line["sku_code"], line["qty"], line["price_fen"], line["discount_fen"],
                 line["amount_fen"]) for line in sold["lines"]] == lines
        assert [line[1:3] for line in lines] == [(large, 2), (small, 1), (large, 1), (small, 3)]
        assert [(p["method"], p["amount_fen"], p["reference"]) for p in sold["payments"]] == payments
        assert [p[0] for p in payments] == ["wechat", "cash", "alipay"]
        assert order == (11500, 10900, "多行多付", code, True)


def _stock_of(app, store_code, sku_code):
    """``(on-hand, sum of moves, [(qty, qty_after) of moves in order])`` at the store."""
    from app.catalog.models import Sku
    from app.inventory.models import Stock, StockMove
    from app.org.models import Store

    with app.app_context():
        store = db.session.scalars(select(Store).where(Store.code == store_code)).one()
        sku = db.session.scalars(select(Sku).where(Sku.sku_code == sku_code)).one()
        row = db.session.get(Stock, {"store_id": store.id, "sku_id": sku.id})
        moves = db.session.execute(
            select(StockMove.qty, StockMove.qty_after)
            .where(StockMove.store_id == store.id, StockMove.sku_id == sku.id).order_by(StockMove.id)
        ).all()
        return (row.qty if row else None), sum(m.qty for m in moves), [tuple(m) for m in moves]


def test_one_skus_lines_move_stock_in_turn_and_the_ledger_adds_up(app, fresh_store):
    code, (small, large), headers = fresh_store
    client = app.test_client()
    body = {"lines": [{"sku_code": small, "qty": 2}, {"sku_code": large, "qty": 1},
                      {"sku_code": small, "qty": 3}],
            "payments": [{"method": "cash", "amount_fen": 7500}]}
    for _ in range(2):  # statement by statement, then (PostgreSQL) in one statement
        _sell(client, headers, body)
    assert _stock_of(app, code, small) == (40, 40, [(50, 50), (-2, 48), (-3, 45), (-2, 43), (-3, 40)])
    assert _stock_of(app, code, large) == (48, 48, [(50, 50), (-1, 49), (-1, 48)])


def test_too_little_stock_of_any_line_refuses_the_whole_sale(app, fresh_store):
    code, (small, large), headers = fresh_store
    client = app.test_client()
    _sell(client, headers, {"lines": [{"sku_code": small, "qty": 1}],
                            "payments": [{"method": "cash", "amount_fen": 1000}]})
    before = (_stock_of(app, code, small), _stock_of(app, code, large))
    # 30 + 30 of one SKU: each line alone fits the 50 on hand, both together do not
    body = {"lines": [{"sku_code": large, "qty": 1}, {"sku_code": small, "qty": 30},
                      {"sku_code": small, "qty": 30}],
            "payments": [{"method": "cash", "amount_fen": 62500}]}
    answer = client.post("/api/v1/pos/orders", json=body, headers=headers)
    assert answer.status_code == 409, answer.get_json()
    assert answer.get_json()["error"]["code"] == "INSUFFICIENT_STOCK"
    assert answer.get_json()["error"]["sku_code"] == small
    assert (_stock_of(app, code, small), _stock_of(app, code, large)) == before
    day = _store_day(app)
    next_sale = _sell(client, headers, {"lines": [{"sku_code": large, "qty": 1}],
                                        "payments": [{"method": "cash", "amount_fen": 2500}]})
    assert next_sale["order_no"] == format_doc_no("SO", day, code, 2)  # the refused sale took no number


def test_with_negative_stock_allowed_a_sku_without_stock_row_sells(app, fresh_store):
    from app.catalog.models import Product, Sku
    from app.inventory.services import ALLOW_NEGATIVE
    from app.platform.settings import set_setting

    code, (small, _), headers = fresh_store
    with app.app_context():
        product = Product(code=f"N{code}", name=f"无库存 {code}")
        db.session.add_all([product, Sku(product=product, sku_code=f"N{code}-1", spec="", price_fen=300)])
        db.session.commit()
    client = app.test_client()
    body = {"lines": [{"sku_code": f"N{code}-1", "qty": 2}, {"sku_code": small, "qty": 1}],
            "payments": [{"method": "cash", "amount_fen": 1600}]}
    refused = client.post("/api/v1/pos/orders", json=body, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["sku_code"] == f"N{code}-1"
    _sell(client, headers, {"lines": [{"sku_code": small, "qty": 1}],  # the store's counter row exists now
                            "payments": [{"method": "cash", "amount_fen": 1000}]})
    with app.app_context():
        set_setting(ALLOW_NEGATIVE, True)
        db.session.commit()
    try:
        _sell(client, headers, body)
        _sell(client, headers, body)
    finally:
        with app.app_context():
            set_setting(ALLOW_NEGATIVE, False)
            db.session.commit()
    assert _stock_of(app, code, f"N{code}-1") == (-4, -4, [(-2, -2), (-2, -4)])
    assert _stock_of(app, code, small) == (47, 47, [(50, 50), (-1, 49), (-1, 48), (-1, 47)])


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_racing_sales_never_oversell_and_never_share_a_number(app, fresh_store, is_postgres):
    """On PostgreSQL, 30 tills at once selling two lines each: 49 on hand of one SKU is
    enough for 24 of them; the others are refused whole, and the numbers have no gap."""
    code, (small, large), headers = fresh_store
    client = app.test_client()
    _sell(client, headers, {"lines": [{"sku_code": small, "qty": 1}, {"sku_code": large, "qty": 1}],
                            "payments": [{"method": "cash", "amount_fen": 3500}]})
    tills = 30 if is_postgres else 6
    barrier = threading.Barrier(tills)
    answers = []

    def sell():
        till = app.test_client()
        barrier.wait()
        answers.append(till.post("/api/v1/pos/orders", headers=headers, json={
            "lines": [{"sku_code": large, "qty": 1}, {"sku_code": small, "qty": 2}],
            "payments": [{"method": "cash", "amount_fen": 4500}]}))

    threads = [threading.Thread(target=sell) for _ in range(tills)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sold = [a.get_json()["result"]["order_no"] for a in answers if a.status_code == 201]
    refused = [a.get_json()["error"]["code"] for a in answers if a.status_code != 201]
    assert len(sold) == min(tills, 24) and refused == ["INSUFFICIENT_STOCK"] * (tills - len(sold))
    day = _store_day(app)
    assert sorted(sold) == [format_doc_no("SO", day, code, n) for n in range(2, len(sold) + 2)]
    on_hand, ledger, _ = _stock_of(app, code, small)
    assert on_hand == ledger == 49 - 2 * len(sold)
    on_hand, ledger, _ = _stock_of(app, code, large)
    assert on_hand == ledger == 49 - len(sold)
