"""Refused pay codes, kept for HQ's list (``PayCodeRefusalView``).

A refusal happens inside the charge's (or the sale's) transaction, which then rolls back:
the row is queued on the session and written once that transaction has ended, committed or
not, in a session of its own (``in_fresh_session``).  Only the code's
first and last digits are kept.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.unit_of_work import in_fresh_session

PENDING = "payment_code.refusals"


def masked(code) -> str:
    """The first four and last two characters of a scanned code, never more."""
    text = code if isinstance(code, str) else repr(code)
    text = text[:40]
    return text[:4] + "…" + text[-2:] if len(text) > 8 else "…"


def record(store_id: int | None, code, reason: str) -> None:
    """Keep a refusal of the calling till (written when the caller's transaction ends)."""
    from app.actor import acting_user

    user = acting_user()
    row = {"created_on": datetime.now(), "store_id": store_id, "user_id": getattr(user, "id", None),
           "reason": reason[:40], "code_masked": masked(code)}
    session = db.session()
    if session.in_transaction():
        session.info.setdefault(PENDING, []).append(row)
    else:
        _write([row])


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return
    rows = session.info.pop(PENDING, None)
    if rows:
        _write(rows)


def _write(rows: list[dict]) -> None:
    from plugins.payment_code.models import PayCodeRefusal

    in_fresh_session(lambda fresh: fresh.execute(PayCodeRefusal.__table__.insert(), rows),
                     "payment_code refused-code record")
