"""The payment_code plugin's section of the member page (``retail_member_detail_sections``): the
stored-value cards bound to the member."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.formatting import code_label, html_table, money
from app.hookspecs import DetailSection
from app.members.models import Member
from plugins.payment_code.services import member_cards


def member_cards_section(member: Member, viewer) -> DetailSection:
    body = html_table(
        (_l("Card number"), _l("Status"), _l("Balance (yuan)"), _l("Valid until")),
        [(c.card_no, code_label(c.status, "payment_code_card_status"), money(c.balance_fen), c.valid_until)
         for c in member_cards(member.id)],
    )
    return DetailSection("stored_value_cards", _l("Stored-value cards"), body, order=45)
