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


def next_doc_no(doc_type: str, store_code: str = "HQ", on: date | None = None) -> str:
    """Reserve the next number (in the current transaction; never commits)."""
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown document type {doc_type!r}")
    day = (on or date.today()).strftime("%Y%m%d")
    key = dict(doc_type=doc_type, store_code=store_code, day=day)
    for _ in range(3):
        bumped = core_execute(BUMP, {"b_type": doc_type, "b_store": store_code, "b_day": day}).scalar()
        if bumped is not None:
            return f"{doc_type}{day}{store_code}{bumped:04d}"
        try:
            with db.session.begin_nested():
                db.session.add(DocSequence(**key, last=1))
            return f"{doc_type}{day}{store_code}0001"
        except IntegrityError:
            continue  # another transaction created the row first: bump it
    raise RuntimeError("could not reserve a document number")
