"""Readable, unique document numbers: ``SO20261122S0010001`` = type + day + store + sequence.

The counter row is bumped with one guarded UPDATE inside the caller's
transaction, so concurrent sales in one store queue on that row and never
share a number; the number is only used if the caller commits.
"""

from datetime import date

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError

from app.docnumbers.models import DocSequence
from app.extensions import core_execute, db

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


# PostgreSQL: the same bump yielding the formatted number (``format_doc_no`` in SQL), for a
# caller that folds the number into its own insert as a CTE (the sale: one round trip).  It
# yields no row while the day's counter row does not exist: then use ``next_doc_no``.
BUMP_RETURNING_DOC_NO = (
    "UPDATE core_doc_sequence SET last = last + 1"
    " WHERE doc_type = :n_type AND store_code = :n_store AND day = :n_day"
    " RETURNING CAST(:n_type AS text) || :n_day || :n_store"
    " || lpad(CAST(last AS text), greatest(4, length(CAST(last AS text))), '0') AS doc_no"
)


def format_doc_no(doc_type: str, day: str, store_code: str, sequence: int) -> str:
    return f"{doc_type}{day}{store_code}{sequence:04d}"


def doc_no_params(doc_type: str, store_code: str = "HQ", on: date | None = None) -> dict:
    """The parameters of ``BUMP_RETURNING_DOC_NO``."""
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}")
    return {"n_type": doc_type, "n_store": store_code, "n_day": (on or date.today()).strftime("%Y%m%d")}


def next_doc_no(doc_type: str, store_code: str = "HQ", on: date | None = None) -> str:
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
