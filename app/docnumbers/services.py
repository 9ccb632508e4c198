"""Readable, unique document numbers: ``SO20261122S0010001`` = type + day + store + sequence.

Every document number of the core and the plugins comes from here; the format lives in
``format_doc_no`` (and its SQL twin ``BUMP_RETURNING_DOC_NO``, same padding).  A plugin
declares its document types with ``register_doc_types`` before it asks for numbers.

The counter row is bumped with one guarded UPDATE inside the caller's
transaction, so concurrent sales in one store queue on that row and never
share a number; the number is only used if the caller commits.
"""

from datetime import date

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError

from app.docnumbers.models import DocSequence
from app.extensions import core_execute, db
from app.formatting import store_today
from app.org.models import Store

SEQUENCES = DocSequence.__table__
# built once (bound parameters): the statement runs on every sale
BUMP = (
    update(SEQUENCES)
    .where(
        SEQUENCES.c.doc_type == bindparam("b_type"),
        SEQUENCES.c.store_code == bindparam("b_store"),
        SEQUENCES.c.day == bindparam("b_day"),
    )
    .values(last=SEQUENCES.c.last + 1)
    .returning(SEQUENCES.c.last)
)

DOC_TYPES = {
    "SO": "retail sale",
    "RT": "retail return",
    "SV": "stored-value transaction",
    "PT": "points adjustment",
    "IN": "stock inbound",
    "OUT": "stock outbound",
    "TR": "stock transfer",
    "ST": "stocktake",
    "LV": "level change",
    "MB": "member number",
}
HEAD_OFFICE = "HQ"  # the store code of documents that belong to no store
SEQUENCE_DIGITS = 4  # the sequence is zero-padded to this width and grows past it


# PostgreSQL: the same bump yielding the formatted number (``format_doc_no`` in SQL), for a
# caller that folds the number into its own insert as a CTE (the sale: one round trip).  It
# yields no row while the day's counter row does not exist: then use ``next_doc_no``.
BUMP_RETURNING_DOC_NO = (
    "UPDATE core_doc_sequence SET last = last + 1"
    " WHERE doc_type = :n_type AND store_code = :n_store AND day = :n_day"
    " RETURNING CAST(:n_type AS text) || :n_day || :n_store"
    f" || lpad(CAST(last AS text), greatest({SEQUENCE_DIGITS}, length(CAST(last AS text))), '0') AS doc_no"
)


def register_doc_types(types: dict[str, str]) -> None:
    """Declare a plugin's document types (code → what it numbers); a code names one type only."""
    for code, meaning in types.items():
        if not (code.isalpha() and code.isupper() and len(code) <= DocSequence.doc_type.type.length):
            raise ValueError(f"a document type is a short upper-case code, not {code!r}")
        if DOC_TYPES.setdefault(code, meaning) != meaning:
            raise ValueError(f"document type {code!r} is taken: {DOC_TYPES[code]}")


def format_doc_no(doc_type: str, day: str, store_code: str, sequence: int) -> str:
    return f"{doc_type}{day}{store_code}{sequence:0{SEQUENCE_DIGITS}d}"


def keyed_doc_no(doc_type: str, store_code: str, key: str, on: date | None = None) -> str:
    """A number whose tail is a caller's unique key instead of a counter (no counter row:
    the same key always gives the same number, e.g. a retried platform request)."""
    day = doc_no_params(doc_type, store_code, on)["n_day"]
    return f"{doc_type}{day}{store_code}{key}"


def store_code_of(store_id: int | None) -> str:
    """The code numbering a store's documents; ``HEAD_OFFICE`` for none (or an unknown id)."""
    store = db.session.get(Store, store_id) if store_id is not None else None
    return store.code if store else HEAD_OFFICE


def doc_no_params(doc_type: str, store_code: str = HEAD_OFFICE, on: date | None = None) -> dict:
    """The parameters of ``BUMP_RETURNING_DOC_NO``."""
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}")
    day = on or store_today()  # the store's date: the day in the number is the day on its receipts
    return {"n_type": doc_type, "n_store": store_code, "n_day": day.strftime("%Y%m%d")}


def next_doc_no(doc_type: str, store_code: str = HEAD_OFFICE, on: date | None = None) -> str:
    """Reserve the next number (in the current transaction; never commits)."""
    day = doc_no_params(doc_type, store_code, on)["n_day"]
    key = dict(doc_type=doc_type, store_code=store_code, day=day)
    for _ in range(3):
        bumped = core_execute(BUMP, {"b_type": doc_type, "b_store": store_code, "b_day": day}).scalar()
        if bumped is not None:
            return format_doc_no(doc_type, day, store_code, bumped)
        try:
            with db.session.begin_nested():
                db.session.add(DocSequence(**key, last=1))
            return format_doc_no(doc_type, day, store_code, 1)
        except IntegrityError:
            continue  # another transaction created the row first: bump it
    raise RuntimeError("could not reserve a document number")


def reserve_doc_nos(doc_type: str, count: int, store_code: str = HEAD_OFFICE,
                    on: date | None = None) -> tuple[str, int]:
    """Reserve ``count`` consecutive numbers at once (one guarded bump by ``count``, in the
    current transaction): ``(prefix, first)``.  Number ``i`` (0-based) of the block is
    ``format_doc_no``'s ``prefix + f"{first + i:04d}"``; set-based SQL writes it with
    ``doc_no_sql`` (e.g. a points reset numbering one ledger row per member)."""
    if count < 1:
        raise ValueError("reserve at least one number")
    day = doc_no_params(doc_type, store_code, on)["n_day"]
    key = dict(doc_type=doc_type, store_code=store_code, day=day)
    bump = (update(SEQUENCES)
            .where(SEQUENCES.c.doc_type == doc_type, SEQUENCES.c.store_code == store_code,
                   SEQUENCES.c.day == day)
            .values(last=SEQUENCES.c.last + count).returning(SEQUENCES.c.last))
    for _ in range(3):
        last = core_execute(bump).scalar()
        if last is not None:
            return f"{doc_type}{day}{store_code}", last - count + 1
        try:
            with db.session.begin_nested():
                db.session.add(DocSequence(**key, last=count))
            return f"{doc_type}{day}{store_code}", 1
        except IntegrityError:
            continue  # another transaction created the row first: bump it
    raise RuntimeError("could not reserve document numbers")


def doc_no_sql(sequence_sql: str, dialect_name: str) -> str:
    """A SQL expression of the document number ``:n_prefix`` + the sequence ``sequence_sql``
    padded like ``format_doc_no`` (at least ``SEQUENCE_DIGITS`` digits, growing past them)."""
    if dialect_name == "postgresql":
        text = f"CAST({sequence_sql} AS text)"
        return f"(:n_prefix || lpad({text}, greatest({SEQUENCE_DIGITS}, length({text})), '0'))"
    return f"(:n_prefix || printf('%0{SEQUENCE_DIGITS}d', {sequence_sql}))"


def next_store_doc_no(doc_type: str, store_id: int | None, on: date | None = None) -> str:
    """``next_doc_no`` for the store of ``store_id`` (head office for None)."""
    return next_doc_no(doc_type, store_code_of(store_id), on)
