"""Payment methods (tenders). The sales domain provides cash, stored value, WeChat, Alipay
and on-account through ``retail_payment_methods`` -- the hook every plugin tender uses too.

The core knows tenders only through ``app.hookspecs.TenderHandler``: it asks a
tender which member check it needs (``member_purpose``) and which wallet list it
fills (``wallet_key``), and never names a plugin's tender.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.errors import DomainError
from app.formatting import code_label
from app.hookspecs import TenderHandler


class ExternalTender:
    """Money taken outside the system (cash drawer, WeChat/Alipay terminal, on account)."""

    member_purpose = None
    wallet_key = None

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
    member_purpose = "stored_value"
    wallet_key = None  # the wallet shows the balance itself (``stored_value_fen``)

    def charge(self, order, payment) -> None:
        from app.loyalty.services import change_stored_value

        if order.member_id is None:
            raise DomainError("MEMBER_REQUIRED", _l("Paying with stored value needs a member."))
        txn = change_stored_value(
            order.member_id, -payment.amount_fen, "consume", order.order_no, order.store_id, order.staff_id
        )
        payment.reference = txn.txn_no

    def refund(self, order, payment, amount_fen: int, return_doc) -> None:
        from app.loyalty.services import change_stored_value

        change_stored_value(
            order.member_id, amount_fen, "refund", return_doc.return_no, return_doc.store_id, order.staff_id
        )


def core_tenders() -> list[TenderHandler]:
    """The sales domain's tenders (its ``retail_payment_methods``)."""
    return [
        ExternalTender("cash", _l("Cash")),
        StoredValueTender(),
        ExternalTender("wechat", _l("WeChat Pay")),
        ExternalTender("alipay", _l("Alipay")),
        ExternalTender("on_account", _l("On account")),
    ]


def tender_handlers() -> dict[str, TenderHandler]:
    """Tenders of the core and of enabled plugins, by code."""
    from app.plugins import plugin_host

    return plugin_host().payment_methods()


def tender_label(code: str) -> str:
    """A payment method's name: core tenders and enabled plugins' (``retail_payment_methods``)."""
    handler = tender_handlers().get(code)
    return str(handler.label) if handler is not None else code_label(code, "payment_method")
