"""The loyalty domain's sections of the member page (``retail_member_detail_sections``): the
stored-value and points balances with their latest ledger rows."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.formatting import code_label, html_table, money, timestamp
from app.hookspecs import DetailSection
from app.loyalty.models import PointsTxn, StoredValueTxn
from app.loyalty.services import points_balance, stored_value_balance
from app.members.detail import RECENT
from app.members.models import Member


def _ledger(member: Member, model, amount, balance, kind_labels: str):
    rows = db.session.scalars(
        select(model).where(model.member_id == member.id).order_by(model.id.desc()).limit(RECENT)
    ).all()
    return html_table(
        (_l("Time"), _l("Kind"), _l("Change"), _l("Balance after"), _l("Document no.")),
        [(timestamp(t.created_on), code_label(t.kind, kind_labels), amount(t), balance(t), t.doc_no)
         for t in rows],
    )


def member_detail_sections(member: Member) -> list[DetailSection]:
    stored_value = _ledger(member, StoredValueTxn, lambda t: money(t.amount_fen),
                           lambda t: money(t.balance_after_fen), "stored_value_kind")
    points = _ledger(member, PointsTxn, lambda t: t.points, lambda t: t.balance_after, "points_kind")
    stored_value_title = _l("Stored value: %(balance)s yuan", balance=money(stored_value_balance(member.id)))
    points_title = _l("Points: %(balance)s", balance=points_balance(member.id))
    return [
        DetailSection("stored-value", stored_value_title, stored_value, order=20),
        DetailSection("points", points_title, points, order=30),
    ]
