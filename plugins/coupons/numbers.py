"""The coupon plugin's document numbers: its types, numbered by ``app.docnumbers`` like the core's."""

from __future__ import annotations

from app.docnumbers.services import next_store_doc_no, register_doc_types

REDEMPTION, RECEIVABLE, RECEIPT, BATCH = "CR", "OR", "RC", "CB"
register_doc_types({
    REDEMPTION: "coupon redemption",
    RECEIVABLE: "coupon sale receivable",
    RECEIPT: "coupon sale receipt",
    BATCH: "physical coupon batch",
})


def next_coupon_doc_no(doc_type: str, store_id: int | None = None) -> str:
    """Reserve the next number of a coupon document (in the caller's transaction)."""
    return next_store_doc_no(doc_type, store_id)
