"""The ``pay_code`` payment method: a scanned pay code pays part of a POS sale in its transaction.

A member's dynamic code pays from that member's stored value and must be the code of the
member on the sale (``member_id``; ``POST pos/pay-code/identify`` names them from the code
without using it up).  A card's printed code pays from the card; on a sale with a member it
must be an unbound card or one bound to that member.  The payment keeps the ledger entry's
number as its reference, never the code.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.errors import DomainError


def terminal_key() -> str:
    from app.actor import acting_user

    user = acting_user()
    return f"user:{getattr(user, 'id', None) or '-'}"


class PayCodeTender:
    code = "pay_code"
    label = _l("Pay code")
    member_purpose = "stored_value"
    wallet_key = None

    def charge(self, order, payment) -> None:
        from plugins.payment_code import guard, services

        code = payment.reference
        if not code:
            raise DomainError("PAY_CODE_REQUIRED", _l("Give the scanned pay code with the pay_code payment."))
        terminal = terminal_key()
        target = services.resolve(code, order.store_id, terminal)
        mismatch = (target.kind == "member" and target.member.id != order.member_id) or (
            target.kind == "card" and target.card.member_id is not None and order.member_id is not None
            and target.card.member_id != order.member_id)
        if mismatch:
            error = DomainError("PAY_CODE_MEMBER_MISMATCH",
                                _l("This pay code is not the one of the member on the sale."))
            guard.refused(terminal, code, error, order.store_id)
            raise error
        charged = services.charge_target(target, payment.amount_fen, order.store_id, order.staff_id,
                                         order.order_no)
        payment.reference = charged.txn_no

    def refund(self, order, payment, amount_fen: int, return_doc) -> None:
        """Put the refund back where it was taken from: the card of the payment, or the member's
        stored value."""
        from app.loyalty.services import change_stored_value
        from plugins.payment_code.cards import card_txn, change_card_balance

        spent = card_txn(payment.reference)
        if spent is not None:
            change_card_balance(spent.card, amount_fen, "refund", return_doc.store_id,
                                doc_no=return_doc.return_no, staff_id=order.staff_id)
            return
        change_stored_value(order.member_id, amount_fen, "refund", return_doc.return_no, return_doc.store_id,
                            order.staff_id)
