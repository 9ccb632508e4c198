"""Writing a sale's order, lines and payments: the hottest write path of the POS.

The rows are written with Core and the order comes back as a persistent ORM object with
its lines, payments and store in place, so tender handlers, hooks and the answer get
ordinary ORM objects; the ORM unit of work cost more CPU than the database did.

On PostgreSQL the document number, the order, its lines and its payments are one
statement (data-modifying CTEs), so a sale costs one round trip here instead of four;
elsewhere, and on the first sale of a store's day (no counter row yet), they are four
statements.  Both give the same rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, text
from sqlalchemy.orm.attributes import set_committed_value

from app.docnumbers.services import BUMP_RETURNING_DOC_NO, doc_no_params, next_doc_no
from app.extensions import attach_inserted, core_execute, db
from app.org.models import Store
from app.platform.audit import current_user_id
from app.sales.models import Order, OrderLine, Payment

ORDERS, LINES, PAYMENTS = Order.__table__, OrderLine.__table__, Payment.__table__
# built once: the three inserts of every sale
INSERT_ORDER = insert(ORDERS).returning(ORDERS.c.id)
INSERT_LINES = insert(LINES).returning(LINES.c.id, sort_by_parameter_order=True)
INSERT_PAYMENTS = insert(PAYMENTS).returning(PAYMENTS.c.id, sort_by_parameter_order=True)

ORDER_COLUMNS = ("store_id", "member_id", "staff_id", "status", "total_fen", "discount_fen", "paid_fen",
                 "points_used", "points_earned", "note", "created_on", "changed_on", "created_by_fk",
                 "changed_by_fk")
ORDER_TYPES = {"store_id": "integer", "member_id": "integer", "staff_id": "integer", "status": "text",
               "total_fen": "bigint", "discount_fen": "bigint", "paid_fen": "bigint", "points_used": "bigint",
               "points_earned": "bigint", "note": "text", "created_on": "timestamp",
               "changed_on": "timestamp", "created_by_fk": "integer", "changed_by_fk": "integer"}
LINE_COLUMNS = {"sku_id": "integer", "qty": "integer", "price_fen": "bigint", "discount_fen": "bigint",
                "amount_fen": "bigint", "returned_qty": "integer"}
PAYMENT_COLUMNS = {"method": "text", "amount_fen": "bigint", "refunded_fen": "bigint", "reference": "text"}


def _unnest(prefix: str, columns: dict[str, str]) -> str:
    """``unnest`` of one array parameter per column, numbered: rows in the caller's order."""
    arrays = ", ".join(f"CAST(:{prefix}{name} AS {kind}[])" for name, kind in columns.items())
    return f"unnest({arrays}) WITH ORDINALITY AS x({', '.join(columns)}, n)"


def _children(table: str, columns: dict[str, str], prefix: str) -> str:
    # serial ids are drawn in insertion order, which ORDER BY n fixes: ids ascending = caller's order
    names = ", ".join(columns)
    return (f"INSERT INTO {table} (order_id, {names}) SELECT o.id, {', '.join('x.' + c for c in columns)}"
            f" FROM o, {_unnest(prefix, columns)} ORDER BY x.n RETURNING id")


INSERT_NUMBERED_SALE = text(
    f"WITH seq AS ({BUMP_RETURNING_DOC_NO}),"
    f" o AS (INSERT INTO {ORDERS.name} (order_no, {', '.join(ORDER_COLUMNS)})"
    f" SELECT seq.doc_no, {', '.join(f'CAST(:{c} AS {ORDER_TYPES[c]})' for c in ORDER_COLUMNS)}"
    " FROM seq RETURNING id, order_no),"
    f" l AS ({_children(LINES.name, LINE_COLUMNS, 'l_')}),"
    f" p AS ({_children(PAYMENTS.name, PAYMENT_COLUMNS, 'p_')})"
    " SELECT o.id, o.order_no, ARRAY(SELECT id FROM l ORDER BY id) AS line_ids,"
    " ARRAY(SELECT id FROM p ORDER BY id) AS payment_ids FROM o"
)


def _write_numbered(store: Store, order_row: dict, line_rows: list[dict], payment_rows: list[dict]):
    """PostgreSQL: ``(order id, order no, line ids, payment ids)`` in one statement, or None
    with nothing written when the store has no counter row for today yet."""
    params = {**doc_no_params("SO", store.code), **{c: order_row[c] for c in ORDER_COLUMNS}}
    for prefix, columns, rows in (("l_", LINE_COLUMNS, line_rows), ("p_", PAYMENT_COLUMNS, payment_rows)):
        for column in columns:
            params[prefix + column] = [row[column] for row in rows]
    written = core_execute(INSERT_NUMBERED_SALE, params).first()
    if written is None:
        return None
    if len(written.line_ids) != len(line_rows) or len(written.payment_ids) != len(payment_rows):
        raise RuntimeError("the sale insert wrote a different number of lines or payments")
    return written.id, written.order_no, written.line_ids, written.payment_ids


def _write_statement_by_statement(store: Store, order_row: dict, line_rows: list[dict],
                                  payment_rows: list[dict]):
    order_no = next_doc_no("SO", store.code)
    order_id = core_execute(INSERT_ORDER, {**order_row, "order_no": order_no}).scalar_one()

    def ids(statement, rows):
        return core_execute(statement, [{**row, "order_id": order_id} for row in rows]).scalars().all()

    return order_id, order_no, ids(INSERT_LINES, line_rows), ids(INSERT_PAYMENTS, payment_rows)


def insert_order(order_row: dict, store: Store, lines: list[tuple], payments: list[dict]) -> Order:
    """Reserve the sale's number and insert the order, its lines ``[(sku, row)]`` and its
    payments; the order comes back persistent, with ``store``, ``lines`` (each with its
    ``sku``) and ``payments`` loaded.  Never commits."""
    now = datetime.now()
    user_id = current_user_id()
    order_row = {**order_row, "store_id": store.id, "created_on": now, "changed_on": now,
                 "created_by_fk": user_id, "changed_by_fk": user_id}
    line_rows = [row for _, row in lines]
    written = None
    if db.engine.dialect.name == "postgresql":
        written = _write_numbered(store, order_row, line_rows, payments)
    if written is None:
        written = _write_statement_by_statement(store, order_row, line_rows, payments)
    order_id, order_no, line_ids, payment_ids = written

    order = attach_inserted(Order, {**order_row, "order_no": order_no}, order_id)
    line_objects = [attach_inserted(OrderLine, {**row, "order_id": order_id}, i)
                    for row, i in zip(line_rows, line_ids, strict=True)]
    payment_objects = [attach_inserted(Payment, {**row, "order_id": order_id}, i)
                       for row, i in zip(payments, payment_ids, strict=True)]
    for line, (sku, _) in zip(line_objects, lines, strict=True):
        set_committed_value(line, "sku", sku)
        set_committed_value(line, "order", order)
    for payment in payment_objects:
        set_committed_value(payment, "order", order)
    set_committed_value(order, "store", store)
    set_committed_value(order, "lines", line_objects)
    set_committed_value(order, "payments", payment_objects)
    return order
