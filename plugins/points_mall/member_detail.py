"""The points mall's section of the member page (``retail_member_detail_sections``): the member's
latest exchange orders (store staff: only the pick-ups at their store, as the orders list)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.formatting import code_label, html_table, timestamp
from app.hookspecs import DetailSection
from app.members.models import Member
from app.security import scoped_store_id
from plugins.points_mall.models import MallOrder

LATEST = 20


def member_orders_section(member: Member, viewer) -> DetailSection:
    query = select(MallOrder).where(MallOrder.member_id == member.id)
    store_id = scoped_store_id(viewer)
    if store_id is not None:
        query = query.where(MallOrder.store_id == store_id)
    orders = db.session.scalars(query.order_by(MallOrder.id.desc()).limit(LATEST)).all()
    body = html_table(
        (
            _l("Exchange order no."),
            _l("Item name"),
            _l("Quantity"),
            _l("Points"),
            _l("Status"),
            _l("Exchanged on"),
        ),
        [
            (
                o.order_no,
                o.item_name,
                o.qty,
                o.points,
                code_label(o.status, "points_mall_order_status"),
                timestamp(o.created_on),
            )
            for o in orders
        ],
    )
    return DetailSection("points-mall", _l("Points mall exchanges"), body, order=45)
