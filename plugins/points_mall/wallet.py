"""The points mall's part of the POS wallet (``retail_member_wallet``): the member's exchange
orders waiting to be picked up at the caller's store (every store's for HQ). Read only."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.members.models import Member
from plugins.points_mall.models import MallOrder


def wallet_pickups(member: Member, store_id: int | None) -> list[dict]:
    query = select(MallOrder).where(
        MallOrder.member_id == member.id,
        MallOrder.fulfilment == "pickup",
        MallOrder.status.in_(("pending", "ready")),
    )
    if store_id is not None:
        query = query.where(MallOrder.store_id == store_id)
    return [
        {
            "order_no": o.order_no,
            "item_name": o.item_name,
            "qty": o.qty,
            "status": o.status,
            "store": o.store.code if o.store else None,
        }
        for o in db.session.scalars(query.order_by(MallOrder.id)).all()
    ]
