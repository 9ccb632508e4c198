"""A member's stored-value or points account row, made on first use."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.loyalty.models import StoredValueAccount


def account_id_of(model, member_id: int) -> int:
    """The member's account id, created lazily; a racing creator loses on the unique key."""
    found = db.session.scalar(select(model.id).where(model.member_id == member_id))
    if found is not None:
        return found
    balance_column = "balance_fen" if model is StoredValueAccount else "balance"
    try:
        with db.session.begin_nested():
            db.session.execute(insert(model).values(member_id=member_id, **{balance_column: 0}))
    except IntegrityError:
        pass  # created concurrently: use theirs
    return db.session.scalar(select(model.id).where(model.member_id == member_id))
