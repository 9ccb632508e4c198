"""Payment methods (tenders). The core provides cash, stored value, WeChat, Alipay and
on-account; plugins add more (coupon, meituan, pay_code) through ``retail_payment_methods``.

A handler has ``code``, ``label``, ``charge(order, payment)`` and
``refund(order, payment, amount_fen, return_doc)``. Both run inside the sale's or
return's transaction and must not commit; raising ``ApiError`` aborts everything.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.api import ApiError


class ExternalTender:
    """Money taken outside the system (cash drawer, WeChat/Alipay terminal, on account)."""

    def __init__(self, code: str, label):
        self.code = code
        self.label = label

    def charge(self, order, payment) -> None:
        pass

    def refund(self, order, payment, amount_fen: int, return_doc) -> None:
        pass


class StoredValueTender:
    code = "stored_value"
    label = _l("Stored value")

    def charge(self, order, payment) -> None:
        from app.loyalty.services import change_stored_value

        if order.member_id is None:
            raise ApiError("MEMBER_REQUIRED", _l("Paying with stored value needs a member."), 422)
        txn = change_stored_value(
            order.member_id, -payment.amount_fen, "consume", order.order_no, order.store_id, order.staff_id
        )
        payment.reference = txn.txn_no

    def refund(self, order, payment, amount_fen: int, return_doc) -> None:
        from app.loyalty.services import change_stored_value

        change_stored_value(
            order.member_id, amount_fen, "refund", return_doc.return_no, return_doc.store_id, order.staff_id
        )


CORE_TENDERS = [
    ExternalTender("cash", _l("Cash")),
    StoredValueTender(),
    ExternalTender("wechat", _l("WeChat Pay")),
    ExternalTender("alipay", _l("Alipay")),
    ExternalTender("on_account", _l("On account")),
]


def tender_handlers() -> dict:
    """Core tenders plus those of enabled plugins, by code."""
    from app.plugins import plugin_host

    handlers = {t.code: t for t in CORE_TENDERS}
    handlers.update(plugin_host().payment_methods())
    return handlers
