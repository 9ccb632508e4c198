"""The sales domain's part of the member page (``retail_member_detail_sections``): the
member's latest orders in the viewer's store scope; and the pages of its document numbers
(``retail_document_url``: orders and returns)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.formatting import code_label, html_table, link, money, timestamp
from app.hookspecs import DetailSection
from app.members.detail import RECENT
from app.members.models import Member
from app.sales.models import Order, Return
from app.security import scoped_store_id


def member_orders_section(member: Member, viewer) -> DetailSection:
    query = select(Order).where(Order.member_id == member.id)
    store_id = scoped_store_id(viewer)
    if store_id is not None:
        query = query.where(Order.store_id == store_id)
    orders = db.session.scalars(query.order_by(Order.id.desc()).limit(RECENT)).all()
    body = html_table(
        (_l("Order no."), _l("Time"), _l("Store"), _l("Status"), _l("Paid (yuan)")),
        [(link(url_for("OrderView.show", pk=o.id), o.order_no), timestamp(o.created_on), o.store,
          code_label(o.status, "order_status"), money(o.paid_fen)) for o in orders],
    )
    return DetailSection("orders", _l("Orders"), body, order=50)


def document_url(doc_no: str) -> str | None:
    """The page of an order or a return number; None for other numbers."""
    order_id = db.session.scalar(select(Order.id).where(Order.order_no == doc_no))
    if order_id is not None:
        return url_for("OrderView.show", pk=order_id)
    return_id = db.session.scalar(select(Return.id).where(Return.return_no == doc_no))
    if return_id is not None:
        return url_for("ReturnView.show", pk=return_id)
    return None
