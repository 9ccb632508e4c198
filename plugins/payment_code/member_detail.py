"""payment_code's section of the member page (``retail_member_detail_sections``): the stored-value
cards bound to the member, with their balances; shown right after the member's own stored value."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.formatting import code_label, html_table, money, timestamp
from app.hookspecs import DetailSection
from app.members.models import Member
from plugins.payment_code.services import member_cards

STORED_VALUE_CARDS_ORDER = 25  # after the core's stored value (20), before points (30)


def member_cards_section(member: Member) -> DetailSection:
    cards = member_cards(member.id)
    body = html_table(
        (_l("Card number"), _l("Status"), _l("Balance (yuan)"), _l("Valid until"), _l("Bound on")),
        [(c.card_no, code_label(c.status, "payment_code_card_status"), money(c.balance_fen),
          c.valid_until, timestamp(c.bound_on)) for c in cards],
    )
    title = _l("Stored-value cards: %(balance)s yuan", balance=money(sum(c.balance_fen for c in cards)))
    return DetailSection("stored-value-cards", title, body, order=STORED_VALUE_CARDS_ORDER)
