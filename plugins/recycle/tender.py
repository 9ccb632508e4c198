"""The ``recycle_credit`` payment method: a trade-in's purchase credit pays (part of) a POS sale,
once and never more than its amount, inside the sale's transaction."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.errors import DomainError


class RecycleCreditTender:
    code = "recycle_credit"
    label = _l("Trade-in credit")
    member_purpose = None  # the credit is the bearer's (the customer of the trade-in)
    wallet_key = None

    def charge(self, order, payment) -> None:
        """Spend the credit named by the payment's ``code`` on this order (no commit)."""
        from plugins.recycle.settlement import spend_credit

        if not payment.reference:
            raise DomainError("RECYCLE_CREDIT_CODE_REQUIRED",
                              _l("Give the trade-in credit code with the credit payment."))
        settlement = spend_credit(payment.reference, order.store_id, payment.amount_fen, order.order_no)
        payment.reference = settlement.credit_code

    def refund(self, order, payment, amount_fen: int, return_doc) -> None:
        """A return that refunds the whole credit payment gives the credit back (a partial one
        keeps it spent: a credit is used once)."""
        from plugins.recycle.settlement import restore_credit

        if payment.refunded_fen + amount_fen >= payment.amount_fen:
            restore_credit(payment.reference, order.order_no)
