"""Writing a sale's rows: its number, order, lines and payments, and the stock it takes out
(balance and move per line).  The hottest write path of the POS.

The rows are written with Core and the order comes back as a persistent ORM object with
its lines, payments and store in place, so tender handlers, hooks and the answer get
ordinary ORM objects; the ORM unit of work cost more CPU than the database did.

On PostgreSQL all of it is one statement (data-modifying CTEs): one round trip instead of
four plus one or two per line.  Elsewhere, and on the first sale of a store's day (no counter
row yet), the number and rows are written statement by statement and the stock through
``move_stock``.  Both give the same rows; the stock ledger rule (balance = sum of moves,
no negative on-hand unless allowed) is the one ``app.inventory.services`` documents.

The statement's SQL is written here, once; every value is cast to its column's type as the
tables declare it (``_sql_type``), so a model change reaches the statement.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, String, insert, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm.attributes import set_committed_value

from app.docnumbers.services import BUMP_RETURNING_DOC_NO, doc_no_params, next_doc_no
from app.extensions import attach_inserted, core_execute, db
from app.inventory.models import Stock, StockMove
from app.inventory.services import insufficient_stock, move_stock, negative_stock_allowed
from app.org.models import Store
from app.platform.audit import current_user_id
from app.sales.models import Order, OrderLine, Payment

ORDERS, LINES, PAYMENTS = Order.__table__, OrderLine.__table__, Payment.__table__
# built once: the three inserts of every sale
INSERT_ORDER = insert(ORDERS).returning(ORDERS.c.id)
INSERT_LINES = insert(LINES).returning(LINES.c.id, sort_by_parameter_order=True)
INSERT_PAYMENTS = insert(PAYMENTS).returning(PAYMENTS.c.id, sort_by_parameter_order=True)

STOCK, MOVES = Stock.__table__, StockMove.__table__


def _sql_type(column: Column) -> str:
    """The PostgreSQL type a value bound for ``column`` is cast to: the column's own.  Strings
    are cast to text: a cast to varchar(n) would silently cut a value the column refuses."""
    if isinstance(column.type, String):
        return "text"
    return column.type.compile(dialect=postgresql.dialect()).lower()


def _column_types(table, *written_otherwise: str) -> dict[str, str]:
    """Every column of ``table`` the caller's rows give, with its SQL type (a column added to
    the model is written too, or the sale fails loudly for want of its value)."""
    return {c.name: _sql_type(c) for c in table.c if c.name not in ("id", *written_otherwise)}


ORDER_COLUMNS = tuple(_column_types(ORDERS, "order_no"))  # the number comes from the counter
LINE_COLUMNS = _column_types(LINES, "order_id")
PAYMENT_COLUMNS = _column_types(PAYMENTS, "order_id")


def _unnest(prefix: str, columns: dict[str, str]) -> str:
    """``unnest`` of one array parameter per column, numbered: rows in the caller's order."""
    arrays = ", ".join(f"CAST(:{prefix}{name} AS {kind}[])" for name, kind in columns.items())
    return f"unnest({arrays}) WITH ORDINALITY AS x({', '.join(columns)}, n)"


def _children(table: str, columns: dict[str, str], prefix: str) -> str:
    # serial ids are drawn in insertion order, which ORDER BY n fixes: ids ascending = caller's order
    names = ", ".join(columns)
    return (f"INSERT INTO {table} (order_id, {names}) SELECT o.id, {', '.join('x.' + c for c in columns)}"
            f" FROM o, {_unnest(prefix, columns)} ORDER BY x.n RETURNING id")


def _cast(param: str, column: Column) -> str:
    return f"CAST(:{param} AS {_sql_type(column)})"


# The sale's stock out, as CTEs after ``o`` (the new order): the lines' SKUs and quantities are
# the line insert's arrays (l_sku_id, l_qty).  One balance update per SKU (lines of one SKU
# summed; refused below zero when ``guard``), then one move per line whose qty_after is the
# balance after that line (the final balance plus the later lines of the SKU).  A SKU missing
# from ``bumped`` had too little stock, or no balance row yet: the caller refuses or takes
# the slow path (``move_stock``).
LINE_SKUS = (f"unnest(CAST(:l_sku_id AS {LINE_COLUMNS['sku_id']}[]),"
             f" CAST(:l_qty AS {LINE_COLUMNS['qty']}[]))")
SALE_STOCK_OUT = (
    f" want AS (SELECT x.sku_id, sum(x.qty) AS qty FROM o, {LINE_SKUS} AS x(sku_id, qty) GROUP BY x.sku_id),"
    f" bumped AS (UPDATE {STOCK.name} AS s SET qty = s.qty - w.qty FROM want AS w"
    f" WHERE s.store_id = {_cast('store_id', STOCK.c.store_id)} AND s.sku_id = w.sku_id"
    " AND (s.qty - w.qty >= 0 OR NOT CAST(:guard AS boolean)) RETURNING s.sku_id, s.qty),"
    f" moved AS (INSERT INTO {MOVES.name} (store_id, sku_id, kind, qty, qty_after, doc_no, created_on)"
    f" SELECT {_cast('store_id', MOVES.c.store_id)}, x.sku_id, 'sale', -x.qty,"
    " b.qty + sum(x.qty) OVER (PARTITION BY x.sku_id ORDER BY x.n DESC) - x.qty,"
    f" o.order_no, {_cast('created_on', MOVES.c.created_on)}"
    f" FROM o, {LINE_SKUS} WITH ORDINALITY AS x(sku_id, qty, n) JOIN bumped AS b ON b.sku_id = x.sku_id"
    " ORDER BY x.n RETURNING id)"
)

INSERT_NUMBERED_SALE = text(
    f"WITH seq AS ({BUMP_RETURNING_DOC_NO}),"
    f" o AS (INSERT INTO {ORDERS.name} (order_no, {', '.join(ORDER_COLUMNS)})"
    f" SELECT seq.doc_no, {', '.join(_cast(c, ORDERS.c[c]) for c in ORDER_COLUMNS)}"
    " FROM seq RETURNING id, order_no),"
    f" l AS ({_children(LINES.name, LINE_COLUMNS, 'l_')}),"
    f" p AS ({_children(PAYMENTS.name, PAYMENT_COLUMNS, 'p_')}),"
    f"{SALE_STOCK_OUT}"
    " SELECT o.id, o.order_no, ARRAY(SELECT id FROM l ORDER BY id) AS line_ids,"
    " ARRAY(SELECT id FROM p ORDER BY id) AS payment_ids,"
    " ARRAY(SELECT sku_id FROM bumped) AS stocked_sku_ids, (SELECT count(*) FROM moved) AS moves FROM o"
)


def _write_numbered(store: Store, order_row: dict, lines: list[tuple], payment_rows: list[dict],
                    guard: bool):
    """PostgreSQL: the rows and the stock out in one statement, then ``(order id, order no,
    line ids, payment ids)``; None with nothing written when the store has no counter row for
    today yet."""
    line_rows = [row for _, row in lines]
    params = {**doc_no_params("SO", store.code), **{c: order_row[c] for c in ORDER_COLUMNS}, "guard": guard}
    for prefix, columns, rows in (("l_", LINE_COLUMNS, line_rows), ("p_", PAYMENT_COLUMNS, payment_rows)):
        for column in columns:
            params[prefix + column] = [row[column] for row in rows]
    written = core_execute(INSERT_NUMBERED_SALE, params).first()
    if written is None:
        return None
    if len(written.line_ids) != len(line_rows) or len(written.payment_ids) != len(payment_rows):
        raise RuntimeError("the sale insert wrote a different number of lines or payments")
    stocked = set(written.stocked_sku_ids)
    if written.moves != sum(sku.id in stocked for sku, _ in lines):
        raise RuntimeError("the sale insert wrote a different number of stock moves")
    for sku, row in lines:
        if sku.id in stocked:
            continue
        if guard:
            raise insufficient_stock(sku)  # the caller rolls the whole sale back
        move_stock(store.id, sku.id, -row["qty"], "sale", written.order_no, allow_negative=True)  # no row yet
    return written.id, written.order_no, written.line_ids, written.payment_ids


def _write_statement_by_statement(store: Store, order_row: dict, lines: list[tuple],
                                  payment_rows: list[dict], guard: bool):
    line_rows = [row for _, row in lines]
    order_no = next_doc_no("SO", store.code)
    order_id = core_execute(INSERT_ORDER, {**order_row, "order_no": order_no}).scalar_one()

    def ids(statement, rows):
        return core_execute(statement, [{**row, "order_id": order_id} for row in rows]).scalars().all()

    written = order_id, order_no, ids(INSERT_LINES, line_rows), ids(INSERT_PAYMENTS, payment_rows)
    for sku, row in lines:
        move_stock(store.id, sku.id, -row["qty"], "sale", order_no, allow_negative=not guard)
    return written


def insert_sale(order_row: dict, store: Store, lines: list[tuple], payments: list[dict]) -> Order:
    """Reserve the sale's number, insert the order, its lines ``[(sku, row)]`` and its
    payments, and take each line's quantity out of the store's stock (``INSUFFICIENT_STOCK``
    unless negative stock is allowed).  The order comes back persistent, with ``store``,
    ``lines`` (each with its ``sku``) and ``payments`` loaded.  Never commits."""
    now = datetime.now()
    user_id = current_user_id()
    order_row = {**order_row, "store_id": store.id, "created_on": now, "changed_on": now,
                 "created_by_fk": user_id, "changed_by_fk": user_id}
    guard = not negative_stock_allowed()
    written = None
    if db.engine.dialect.name == "postgresql":
        written = _write_numbered(store, order_row, lines, payments, guard)
    if written is None:
        written = _write_statement_by_statement(store, order_row, lines, payments, guard)
    order_id, order_no, line_ids, payment_ids = written
    line_rows = [row for _, row in lines]

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
