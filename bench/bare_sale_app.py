"""Baseline for bench/core_bench.py: a bare Flask + SQLAlchemy Core POS sale, no auth, no ORM.

One endpoint, ``POST /sale`` with the same body as ``POST /api/v1/pos/orders``; in one
transaction it bumps ``core_doc_sequence``, inserts ``sales_order``, its lines and payments,
moves stock with a guarded ``UPDATE inventory_stock`` and appends ``inventory_move``.
Serve with ``gunicorn -w 2 bench.bare_sale_app:app`` and ``DATABASE_URL`` set.
"""

from __future__ import annotations

import os
from datetime import date, datetime

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

STORE_CODE = os.environ.get("BARE_STORE_CODE", "S001")

engine = create_engine(os.environ["DATABASE_URL"], pool_size=10, max_overflow=20)
app = Flask(__name__)

with engine.connect() as _conn:
    STORE_ID = _conn.execute(text("SELECT id FROM org_store WHERE code = :c"), {"c": STORE_CODE}).scalar_one()

BUMP_SEQ = text(
    "INSERT INTO core_doc_sequence (doc_type, store_code, day, last) VALUES ('SO', :store, :day, 1) "
    "ON CONFLICT (doc_type, store_code, day) DO UPDATE SET last = core_doc_sequence.last + 1 "
    "RETURNING last"
)
INSERT_ORDER = text(
    "INSERT INTO sales_order (order_no, store_id, status, total_fen, discount_fen, paid_fen, points_used, "
    "points_earned, note, created_on, changed_on) VALUES (:no, :store_id, 'paid', :total, 0, :total, 0, 0, "
    "'', :now, :now) RETURNING id"
)
INSERT_LINE = text(
    "INSERT INTO sales_order_line (order_id, sku_id, qty, price_fen, discount_fen, amount_fen, returned_qty) "
    "VALUES (:order_id, :sku_id, :qty, :price, 0, :amount, 0)"
)
INSERT_PAYMENT = text(
    "INSERT INTO sales_payment (order_id, method, amount_fen, refunded_fen, reference) "
    "VALUES (:order_id, :method, :amount, 0, '')"
)
MOVE_STOCK = text(
    "UPDATE inventory_stock SET qty = qty - :qty WHERE store_id = :store_id AND sku_id = :sku_id "
    "AND qty - :qty >= 0 RETURNING qty"
)
INSERT_MOVE = text(
    "INSERT INTO inventory_move (store_id, sku_id, kind, qty, qty_after, doc_no, created_on) "
    "VALUES (:store_id, :sku_id, 'sale', :qty, :after, :no, :now)"
)
FIND_SKU = text("SELECT id, price_fen FROM catalog_sku WHERE sku_code = :code AND active")


class Refused(Exception):
    def __init__(self, code: str, status: int):
        super().__init__(code)
        self.code = code
        self.status = status


@app.post("/sale")
def sale():
    data = request.get_json(force=True, silent=True) or {}
    lines = data.get("lines") or []
    payments = data.get("payments") or []
    if not lines or not payments:
        return jsonify(error="VALIDATION_ERROR"), 422
    now = datetime.now()
    try:
        with engine.begin() as conn:
            priced = []
            for line in lines:
                sku = conn.execute(FIND_SKU, {"code": line.get("sku_code")}).first()
                if sku is None:
                    raise Refused("UNKNOWN_SKU", 422)
                qty = int(line.get("qty", 1))
                priced.append((sku.id, qty, sku.price_fen, sku.price_fen * qty))
            total = sum(p[3] for p in priced)
            if sum(int(p.get("amount_fen", 0)) for p in payments) != total:
                raise Refused("PAYMENT_MISMATCH", 422)
            day = now.strftime("%Y%m%d")
            seq = conn.execute(BUMP_SEQ, {"store": STORE_CODE, "day": day}).scalar_one()
            order_no = f"SO{day}{STORE_CODE}{seq:04d}"
            order_id = conn.execute(
                INSERT_ORDER, {"no": order_no, "store_id": STORE_ID, "total": total, "now": now}
            ).scalar_one()
            for sku_id, qty, price, amount in priced:
                conn.execute(INSERT_LINE, {"order_id": order_id, "sku_id": sku_id, "qty": qty,
                                           "price": price, "amount": amount})
                after = conn.execute(
                    MOVE_STOCK, {"qty": qty, "store_id": STORE_ID, "sku_id": sku_id}
                ).scalar()
                if after is None:
                    raise Refused("INSUFFICIENT_STOCK", 409)
                conn.execute(INSERT_MOVE, {"store_id": STORE_ID, "sku_id": sku_id, "qty": -qty,
                                           "after": after, "no": order_no, "now": now})
            for payment in payments:
                conn.execute(INSERT_PAYMENT, {"order_id": order_id, "method": payment.get("method", "cash"),
                                              "amount": int(payment.get("amount_fen", 0))})
    except Refused as exc:
        return jsonify(error=exc.code), exc.status
    return jsonify(result={"order_no": order_no, "paid_fen": total, "date": date.today().isoformat()}), 201
