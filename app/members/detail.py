"""A member's detail page: level history with the document behind each change (F1.4), stored
value, points, coupons and other plugins' wallet items (``retail_member_wallet``), orders."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.admin_fields import Section
from app.extensions import db
from app.formatting import code_label, display, html_table, link, money, register_labels, timestamp
from app.members.models import LevelChange, Member
from app.members.services import member_wallet
from app.security import scoped_store_id

RECENT = 20  # rows per section; the ledgers' own pages (tabs) have them all

register_labels("wallet_item", {"coupons": _l("Coupons")})


def document_link(doc_no: str):
    """An order or return number linked to its page; other documents as text."""
    from app.sales.models import Order, Return

    order_id = db.session.scalar(select(Order.id).where(Order.order_no == doc_no))
    if order_id is not None:
        return link(url_for("OrderView.show", pk=order_id), doc_no)
    return_id = db.session.scalar(select(Return.id).where(Return.return_no == doc_no))
    if return_id is not None:
        return link(url_for("ReturnView.show", pk=return_id), doc_no)
    return doc_no


def _level_history(member: Member):
    changes = db.session.scalars(
        select(LevelChange).where(LevelChange.member_id == member.id).order_by(LevelChange.id.desc())
    ).all()
    return html_table(
        (_l("Time"), _l("From level"), _l("To level"), _l("Document")),
        [(timestamp(c.created_on), c.from_level, c.to_level, document_link(c.doc_no)) for c in changes],
    )


def _ledger(member: Member, model, amount, balance, kind_labels):
    rows = db.session.scalars(
        select(model).where(model.member_id == member.id).order_by(model.id.desc()).limit(RECENT)
    ).all()
    return html_table(
        (_l("Time"), _l("Kind"), _l("Change"), _l("Balance after"), _l("Document no.")),
        [(timestamp(t.created_on), code_label(t.kind, kind_labels), amount(t), balance(t), t.doc_no)
         for t in rows],
    )


def _coupons(coupons: list[dict]):
    return html_table(
        (_l("Coupon code"), _l("Coupon name"), _l("Status"), _l("Face value (yuan)"), _l("Valid to")),
        [(c.get("code"), c.get("name"), code_label(c.get("status"), "coupon_status"),
          money(c.get("face_value_fen")), c.get("valid_to")) for c in coupons],
    )


def _wallet(wallet: dict):
    """Coupons as a table; what other plugins add as label → value rows."""
    others = [
        (code_label(key, "wallet_item"), money(value) if key.endswith("_fen") else display(value))
        for key, value in wallet.items()
        if key not in ("member_id", "stored_value_fen", "points", "coupons")
    ]
    body = _coupons(wallet.get("coupons") or [])
    if others:
        body += html_table((_l("Item"), _l("Value")), others)
    return body


def _orders(member: Member):
    from app.sales.models import Order

    query = select(Order).where(Order.member_id == member.id)
    store_id = scoped_store_id()
    if store_id is not None:
        query = query.where(Order.store_id == store_id)
    orders = db.session.scalars(query.order_by(Order.id.desc()).limit(RECENT)).all()
    return html_table(
        (_l("Order no."), _l("Time"), _l("Store"), _l("Status"), _l("Paid (yuan)")),
        [(link(url_for("OrderView.show", pk=o.id), o.order_no), timestamp(o.created_on), o.store,
          code_label(o.status, "order_status"), money(o.paid_fen)) for o in orders],
    )


def member_sections(member: Member) -> list[Section]:
    from app.loyalty.models import PointsTxn, StoredValueTxn

    wallet = member_wallet(member, scoped_store_id())
    stored_value = Section(
        "stored-value",
        _l("Stored value: %(balance)s yuan", balance=money(wallet["stored_value_fen"])),
        _ledger(member, StoredValueTxn, lambda t: money(t.amount_fen), lambda t: money(t.balance_after_fen),
                "stored_value_kind"),
    )
    points = Section(
        "points",
        _l("Points: %(balance)s", balance=wallet["points"]),
        _ledger(member, PointsTxn, lambda t: t.points, lambda t: t.balance_after, "points_kind"),
    )
    return [
        Section("level-history", _l("Level history"), _level_history(member)),
        stored_value,
        points,
        Section("wallet", _l("Coupons and wallet items"), _wallet(wallet)),
        Section("orders", _l("Orders"), _orders(member)),
    ]
