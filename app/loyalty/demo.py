"""Opening stored value of the demo members (the loyalty domain's ``DEMO``)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.unit_of_work import unit_of_work

OPENING_DOC = "DEMO-OPENING"


def seed_demo() -> int:
    """Recharge each demo member with an opening balance once (adds no record it counts)."""
    from app.loyalty.models import StoredValueTxn
    from app.loyalty.services import change_stored_value
    from app.members.demo import DEMO_MEMBERS
    from app.members.models import Member

    with unit_of_work():
        for phone, _name, _store_code, balance in DEMO_MEMBERS:
            member = db.session.scalars(select(Member).where(Member.phone == phone)).one_or_none()
            if member is None or not balance:
                continue
            opened = select(StoredValueTxn.id).where(StoredValueTxn.member_id == member.id,
                                                     StoredValueTxn.doc_no == OPENING_DOC)
            if db.session.scalar(opened.limit(1)) is None:
                change_stored_value(member.id, balance, "recharge", OPENING_DOC, member.home_store_id)
    return 0
