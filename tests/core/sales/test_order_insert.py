"""How a sale's order, lines and payments are written (``app/sales/order_insert.py``): on
PostgreSQL number + order + lines + payments are one statement, with a statement-by-statement
fallback for a store's first sale of the day; both must give the same rows and numbers."""

import uuid
from datetime import date

from conftest import add_store_user, api_token, statements_of
from sqlalchemy import select, text

from app.docnumbers.services import format_doc_no
from app.extensions import db


def _new_store_with_goods(app):
    """A fresh store (no counter row yet), a POS user there and two SKUs in stock."""
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


def test_a_stores_first_sale_of_the_day_and_the_next_are_numbered_in_turn(app, is_postgres):
    code, (small, large), headers = _new_store_with_goods(app)
    client = app.test_client()
    body = {"lines": [{"sku_code": small, "qty": 1}], "payments": [{"method": "cash", "amount_fen": 1000}]}
    first = _sell(client, headers, body)  # no counter row yet: statement by statement
    second, seen = statements_of(app, lambda: _sell(client, headers, body))
    day = date.today().strftime("%Y%m%d")
    assert first["order_no"] == format_doc_no("SO", day, code, 1)
    assert second["order_no"] == format_doc_no("SO", day, code, 2)
    if is_postgres:  # the counter row exists now: number, order, lines and payments in one statement
        assert sum("INSERT INTO sales_order " in s for s in seen) == 1
        assert not any("INSERT INTO sales_order_line" in s and "core_doc_sequence" not in s for s in seen)


def test_numbers_past_9999_read_the_same_on_every_path(app):
    code, (small, _), headers = _new_store_with_goods(app)
    client = app.test_client()
    body = {"lines": [{"sku_code": small, "qty": 1}], "payments": [{"method": "cash", "amount_fen": 1000}]}
    _sell(client, headers, body)
    with app.app_context():
        db.session.execute(text("UPDATE core_doc_sequence SET last = 9998 "
                                "WHERE store_code = :c AND doc_type = 'SO'"), {"c": code})
        db.session.commit()
    day = date.today().strftime("%Y%m%d")
    assert _sell(client, headers, body)["order_no"] == f"SO{day}{code}9999"
    assert _sell(client, headers, body)["order_no"] == f"SO{day}{code}10000"


def test_lines_and_payments_keep_their_order_and_ids(app):
    """Several lines (one SKU twice) and tenders: the answer, the rows and their ids agree."""
    code, (small, large), headers = _new_store_with_goods(app)
    client = app.test_client()
    body = {
        "lines": [{"sku_code": large, "qty": 2, "discount_fen": 100}, {"sku_code": small, "qty": 1},
                  {"sku_code": large, "qty": 1, "price_fen": 2000}, {"sku_code": small, "qty": 3}],
        "payments": [{"method": "wechat", "amount_fen": 5000}, {"method": "cash", "amount_fen": 5000},
                     {"method": "alipay", "amount_fen": 900}],
        "note": "多行多付",
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
