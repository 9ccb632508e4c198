"""Inventory services: the stock ledger and stock documents.

``Stock.qty`` always equals the sum of ``StockMove.qty`` for its store × SKU:
every change goes through ``move_stock``, which bumps the balance with one
guarded UPDATE and appends the move in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.catalog.models import Sku
from app.docnumbers.services import next_doc_no
from app.errors import DomainError
from app.extensions import core_execute, db
from app.inventory.models import MOVE_KINDS, Stock, StockDoc, StockDocLine, StockMove
from app.org.models import Store
from app.platform.audit import audit
from app.security import can_see_store
from app.unit_of_work import unit_of_work

ALLOW_NEGATIVE = "inventory.allow_negative_stock"
MAX_QTY = 1_000_000_000
NOTE_MAX = 200

REASONS = {
    "inbound": ("purchase", "distribution", "transfer", "other"),
    "outbound": ("distribution", "transfer", "purchase_return", "other"),
    "transfer": ("transfer",),
    "stocktake": ("stocktake",),
}
DOC_NO_TYPES = {"inbound": "IN", "outbound": "OUT", "transfer": "TR", "stocktake": "ST"}
IN_MOVES = {"purchase": "purchase_in", "distribution": "distribution_in", "transfer": "transfer_in",
            "other": "other_in"}
OUT_MOVES = {"distribution": "distribution_out", "transfer": "transfer_out",
             "purchase_return": "purchase_return", "other": "other_out"}


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def negative_stock_allowed() -> bool:
    from app.platform.settings import get_setting

    return bool(get_setting(ALLOW_NEGATIVE))


# ---------------------------------------------------------------- the ledger


def _stock_row_exists(store_id: int, sku_id: int) -> bool:
    return db.session.execute(
        select(Stock.qty).where(Stock.store_id == store_id, Stock.sku_id == sku_id)
    ).first() is not None


def _ensure_stock_row(store_id: int, sku_id: int) -> None:
    """Create the (store, SKU) balance row at 0 if missing; safe when two transactions race."""
    if not _stock_row_exists(store_id, sku_id):
        _insert_stock_row(store_id, sku_id)


def _insert_stock_row(store_id: int, sku_id: int) -> None:
    try:
        with db.session.begin_nested():
            db.session.execute(insert(Stock).values(store_id=store_id, sku_id=sku_id, qty=0))
    except IntegrityError:
        pass  # a concurrent transaction created it first (primary key): use that row


STOCK = Stock.__table__


def _bump_statement(guard: bool):
    statement = (
        update(STOCK)
        .where(STOCK.c.store_id == bindparam("s"), STOCK.c.sku_id == bindparam("k"))
        .values(qty=STOCK.c.qty + bindparam("q"))
        .returning(STOCK.c.qty)
    )
    return statement.where(STOCK.c.qty + bindparam("q") >= 0) if guard else statement


MOVES = StockMove.__table__
MOVE_COLUMNS = ("store_id", "sku_id", "kind", "qty", "qty_after", "doc_no", "created_on")


def _bump_and_move_statement(guard: bool):
    """PostgreSQL: the balance update and the move it explains in one statement (a CTE)."""
    bumped = BUMPS[guard].cte("bumped")
    params = {"store_id": "s", "sku_id": "k", "kind": "kind", "qty": "q", "doc_no": "doc_no",
              "created_on": "created_on"}  # typed as the move's columns
    values = select(*(
        bumped.c.qty if column == "qty_after" else bindparam(params[column], type_=MOVES.c[column].type)
        for column in MOVE_COLUMNS
    ))
    return insert(MOVES).from_select(MOVE_COLUMNS, values).returning(MOVES.c.qty_after)


# built once (bound parameters): they run for every line of every sale
BUMPS = {guard: _bump_statement(guard) for guard in (False, True)}
INSERT_MOVE = insert(MOVES)
BUMPS_AND_MOVES = {guard: _bump_and_move_statement(guard) for guard in (False, True)}


def _bump(store_id: int, sku_id: int, qty: int, guard: bool) -> int | None:
    return core_execute(BUMPS[guard], {"s": store_id, "k": sku_id, "q": qty}).scalar()


def _write_move(row: dict, guard: bool) -> int | None:
    """Bump the balance and append the move: the qty after it, or None when the balance row
    is missing or (``guard``) the stock would go below zero, nothing written.
    One round trip on PostgreSQL, two elsewhere."""
    if db.engine.dialect.name == "postgresql":
        return core_execute(BUMPS_AND_MOVES[guard], {
            "s": row["store_id"], "k": row["sku_id"], "q": row["qty"], "kind": row["kind"],
            "doc_no": row["doc_no"], "created_on": row["created_on"],
        }).scalar()
    after = _bump(row["store_id"], row["sku_id"], row["qty"], guard)
    if after is not None:
        core_execute(INSERT_MOVE, {**row, "qty_after": after})
    return after


def move_stock(store_id: int, sku_id: int, qty: int, kind: str, doc_no: str,
               allow_negative: bool | None = None) -> int:
    """Change on-hand stock by signed ``qty`` and append the move; returns the on-hand after
    it.  Never commits.  The move is written with Core: read it back with a query if needed.

    Refuses with ``INSUFFICIENT_STOCK`` (409) when stock would go below zero,
    unless the ``inventory.allow_negative_stock`` setting (or ``allow_negative``) says otherwise.
    """
    if kind not in MOVE_KINDS:
        raise ValueError(f"unknown stock move kind {kind!r}")
    if not _is_int(qty) or qty == 0 or abs(qty) > MAX_QTY:
        raise DomainError("INVALID_QTY", _l("The quantity must be a whole number other than 0."))
    sku = db.session.get(Sku, sku_id)
    if sku is None:
        raise DomainError("SKU_NOT_FOUND", _l("Unknown SKU."))
    if db.session.get(Store, store_id) is None:
        raise DomainError("STORE_NOT_FOUND", _l("Unknown store."))
    if allow_negative is None:
        allow_negative = negative_stock_allowed()
    guard = qty < 0 and not allow_negative
    row = dict(store_id=store_id, sku_id=sku_id, kind=kind, qty=qty, doc_no=doc_no, created_on=datetime.now())
    after = _write_move(row, guard)
    if after is None and not _stock_row_exists(store_id, sku_id):
        # first move of this SKU at this store (the usual case has a row: one statement)
        _insert_stock_row(store_id, sku_id)
        after = _write_move(row, guard)
    if after is None:
        raise insufficient_stock(sku)
    return after


def insufficient_stock(sku: Sku) -> DomainError:
    label = f"{sku.sku_code} {sku.product.name} {sku.spec}".strip()
    return DomainError(
        "INSUFFICIENT_STOCK",
        _l("Not enough stock of %(sku)s.", sku=label),
        sku_code=sku.sku_code,
    )


def on_hand(store_id: int, sku_id: int) -> int:
    qty = db.session.execute(
        select(Stock.qty).where(Stock.store_id == store_id, Stock.sku_id == sku_id)
    ).scalar()
    return qty or 0


def stock_levels(store_id: int, sku_ids: list[int]) -> dict[int, int]:
    """``{sku_id: on-hand}`` at one store (SKUs without a row are absent: 0)."""
    if not sku_ids:
        return {}
    rows = db.session.execute(
        select(Stock.sku_id, Stock.qty).where(Stock.store_id == store_id, Stock.sku_id.in_(sku_ids))
    )
    return {sku_id: qty for sku_id, qty in rows}


def alliance_stock(sku_id: int) -> list[dict]:
    """On-hand of one SKU at every active store (F4.11), store code order; 0 where none."""
    levels = dict(db.session.execute(select(Stock.store_id, Stock.qty).where(Stock.sku_id == sku_id)).all())
    stores = db.session.scalars(select(Store).where(Store.status == "active").order_by(Store.code))
    return [
        {"store_id": s.id, "store_code": s.code, "store_name": s.name, "store_kind": s.kind,
         "qty": levels.get(s.id, 0)}
        for s in stores
    ]


def ledger_sum(store_id: int, sku_id: int) -> int:
    return db.session.execute(
        select(func.coalesce(func.sum(StockMove.qty), 0)).where(
            StockMove.store_id == store_id, StockMove.sku_id == sku_id
        )
    ).scalar()


# ---------------------------------------------------------------- stock documents


def _may_act(store_id: int, user) -> bool:
    """Store roles act only on their own store; system callers (no request, no user) act anywhere."""
    from app.actor import acting_user

    if user is None and acting_user() is None:
        return True
    return can_see_store(store_id, user)


def _not_found():
    return DomainError("NOT_FOUND", _l("Not found."))


def _check_store(store_id, user) -> Store:
    store = db.session.get(Store, store_id) if _is_int(store_id) else None
    if store is None or not _may_act(store.id, user):
        raise _not_found()
    return store


def validate_doc(kind, reason, store_id, lines, other_store_id=None, note="", user=None):
    """Check a new document's fields; returns ``(reason, store, other_store, [(sku, qty)])``."""
    if kind not in REASONS:
        raise DomainError("INVALID_DOC_KIND", _l("Unknown stock document kind."))
    reason = reason or REASONS[kind][0]
    if reason not in REASONS[kind]:
        raise DomainError("INVALID_REASON", _l("This reason does not fit the document kind."))
    if not isinstance(note, str) or len(note) > NOTE_MAX:
        raise DomainError("INVALID_NOTE", _l("The note must be text of at most 200 characters."))
    store = _check_store(store_id, user)
    other = None
    if is_transfer_out(kind, reason):
        other = db.session.get(Store, other_store_id) if _is_int(other_store_id) else None
        if other is None or other.id == store.id:
            raise DomainError("INVALID_OTHER_STORE", _l("Choose the other store of the transfer."))
    elif other_store_id is not None:
        other = db.session.get(Store, other_store_id) if _is_int(other_store_id) else None
        if other is None:
            raise DomainError("INVALID_OTHER_STORE", _l("Unknown store."))
    if not isinstance(lines, (list, tuple)) or not lines:
        raise DomainError("NO_LINES", _l("A stock document needs at least one line."))
    checked, seen = [], set()
    minimum = 0 if kind == "stocktake" else 1
    for line in lines:
        if not isinstance(line, (list, tuple)) or len(line) != 2:
            raise DomainError("INVALID_LINE", _l("Each line needs a SKU and a quantity."))
        sku_id, qty = line
        sku = db.session.get(Sku, sku_id) if _is_int(sku_id) else None
        if sku is None:
            raise DomainError("SKU_NOT_FOUND", _l("Unknown SKU."), status=422)
        if not _is_int(qty) or qty < minimum or qty > MAX_QTY:
            raise DomainError("INVALID_QTY", _l("Quantities must be positive whole numbers."),
                              sku_code=sku.sku_code)
        if sku.id in seen:
            raise DomainError("DUPLICATE_LINE", _l("Each SKU may appear only once."),
                              sku_code=sku.sku_code)
        seen.add(sku.id)
        checked.append((sku, qty))
    return reason, store, other, checked


def is_transfer_out(kind: str, reason: str) -> bool:
    return kind == "transfer" or (kind == "outbound" and reason == "transfer")


def prepare_stock_doc(doc: StockDoc, kind, reason, store_id, lines, other_store_id=None, note="",
                      user=None) -> StockDoc:
    """Check a new document's fields and fill ``doc`` with them as a draft: its number, stores
    and lines (the admin's add form passes its own new object; nothing is committed)."""
    reason, store, other, checked = validate_doc(kind, reason, store_id, lines, other_store_id, note, user)
    doc.doc_no = next_doc_no(DOC_NO_TYPES[kind], store.code)
    doc.kind, doc.reason, doc.status, doc.note = kind, reason, "draft", note or ""
    doc.store, doc.store_id = store, store.id
    doc.other_store = other
    doc.other_store_id = other.id if other else None
    doc.lines = [StockDocLine(sku_id=sku.id, qty=qty) for sku, qty in checked]
    return doc


def build_stock_doc(kind, reason, store_id, lines, other_store_id=None, note="", user=None) -> StockDoc:
    """A validated draft document with its number and lines, added to the session (no commit)."""
    doc = prepare_stock_doc(StockDoc(), kind, reason, store_id, lines, other_store_id, note, user)
    db.session.add(doc)
    return doc


def create_stock_doc(kind, reason, store_id, lines, other_store_id=None, note="", user=None) -> StockDoc:
    """Create a draft stock document (committed)."""
    with unit_of_work():
        doc = build_stock_doc(kind, reason, store_id, lines, other_store_id, note, user)
        db.session.flush()
        audit("stock_doc.create", "stock_doc", doc.doc_no, user=user)
    return doc


def _claim(doc: StockDoc, new_status: str) -> None:
    """Move a draft to ``new_status`` with a guarded UPDATE: two concurrent posts cannot both act."""
    claimed = db.session.execute(
        update(StockDoc)
        .where(StockDoc.id == doc.id, StockDoc.status == "draft")
        .values(status=new_status)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise DomainError("DOC_NOT_DRAFT", _l("This document was already posted or cancelled."))


def _receiving_doc(doc: StockDoc) -> StockDoc:
    other = db.session.get(Store, doc.other_store_id)
    incoming = StockDoc(
        doc_no=next_doc_no("IN", other.code), kind="inbound", reason="transfer", store_id=other.id,
        other_store_id=doc.store_id, source_doc_id=doc.id, status="draft",
        note=doc.note,
    )
    incoming.lines = [StockDocLine(sku_id=line.sku_id, qty=line.qty) for line in doc.lines]
    db.session.add(incoming)
    return incoming


def post_stock_doc(doc: StockDoc, user=None) -> StockDoc:
    """Post a draft document: all its moves, or none (committed).

    A transfer out posts the outbound moves here and creates the other store's
    receiving document (draft); posting that receiving document receives it.
    """
    if doc is None or not _may_act(doc.store_id, user):
        raise _not_found()
    if doc.kind == "inbound" and doc.source_doc_id is not None:
        return receive_transfer(doc, user)
    with unit_of_work():
        _claim(doc, "posted")
        for line in doc.lines:
            if doc.kind == "inbound":
                move_stock(doc.store_id, line.sku_id, line.qty, IN_MOVES[doc.reason], doc.doc_no)
            elif doc.kind in ("outbound", "transfer"):
                move_stock(doc.store_id, line.sku_id, -line.qty, OUT_MOVES[doc.reason], doc.doc_no)
            else:  # stocktake: counted − on hand, with the balance row locked first
                _ensure_stock_row(doc.store_id, line.sku_id)
                current = _bump(doc.store_id, line.sku_id, 0, guard=False)
                if line.qty != current:
                    move_stock(doc.store_id, line.sku_id, line.qty - current, "stocktake", doc.doc_no,
                               allow_negative=True)
        if is_transfer_out(doc.kind, doc.reason):
            _receiving_doc(doc)
        audit("stock_doc.post", "stock_doc", doc.doc_no, user=user)
    db.session.refresh(doc)
    return doc


def receive_transfer(doc: StockDoc, user=None) -> StockDoc:
    """The receiving store confirms an incoming transfer: its stock goes up (committed)."""
    if doc is None or not _may_act(doc.store_id, user):
        raise _not_found()
    if doc.kind != "inbound" or doc.source_doc_id is None:
        raise DomainError("NOT_A_TRANSFER", _l("This document is not an incoming transfer."))
    with unit_of_work():
        _claim(doc, "received")
        for line in doc.lines:
            move_stock(doc.store_id, line.sku_id, line.qty, "transfer_in", doc.doc_no)
        db.session.execute(
            update(StockDoc).where(StockDoc.id == doc.source_doc_id, StockDoc.status == "posted")
            .values(status="received").execution_options(synchronize_session=False)
        )
        audit("stock_doc.receive", "stock_doc", doc.doc_no, user=user)
    db.session.refresh(doc)
    return doc


def cancel_stock_doc(doc: StockDoc, user=None) -> StockDoc:
    """Cancel a draft (not an incoming transfer: the goods already left the other store)."""
    if doc is None or not _may_act(doc.store_id, user):
        raise _not_found()
    if doc.source_doc_id is not None:
        raise DomainError("CANNOT_CANCEL_TRANSFER", _l("An incoming transfer cannot be cancelled."))
    with unit_of_work():
        _claim(doc, "cancelled")
        audit("stock_doc.cancel", "stock_doc", doc.doc_no, user=user)
    db.session.refresh(doc)
    return doc
