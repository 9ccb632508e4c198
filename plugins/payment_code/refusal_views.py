"""HQ's list of refused pay codes (wrong, malformed, expired, used…): when, which store and
till, why, and the code masked; filtered by time, store, till and reason.  Read-only."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.admin import RetailModelView
from app.formatting import register_labels, timestamp
from plugins.payment_code.models import PayCodeRefusal

register_labels("payment_code_refusal_reason", {
    "PAY_CODE_MALFORMED": _l("Not a pay code (malformed)"),
    "PAY_CODE_INVALID": _l("Wrong code"),
    "PAY_CODE_EXPIRED": _l("Expired code"),
    "PAY_CODE_USED": _l("Code used already"),
    "PAY_CODE_MEMBER_MISMATCH": _l("Code of another member than the sale's"),
    "CARD_FROZEN": _l("Card frozen"),
    "CARD_EXPIRED": _l("Card expired"),
    "MEMBER_FROZEN": _l("Member frozen"),
    "MEMBER_NOT_IN_GROUP": _l("Member of another share group"),
    "INSUFFICIENT_BALANCE": _l("Balance too low"),
    "RATE_LIMITED": _l("Till over its limit of wrong codes"),
})


class PayCodeRefusalView(RetailModelView):
    """Refused pay codes, newest first (HQ only)."""

    datamodel = SQLAInterface(PayCodeRefusal)
    class_permission_name = "PayCodeRefusals"
    base_permissions = ["can_read"]
    list_title = _l("Refused pay codes")
    show_title = _l("Refused pay code")
    list_columns = ["created_on", "store", "user", "reason", "code_masked"]
    show_columns = list_columns
    search_columns = ["created_on", "store", "user", "reason"]
    order_columns = ["created_on"]
    base_order = ("id", "desc")
    label_kinds = {"reason": "payment_code_refusal_reason"}
    formatters_columns = {"created_on": timestamp, "user": lambda user: user.username if user else ""}
    label_columns = {
        "created_on": _l("Time"), "store": _l("Store"), "user": _l("Till account"), "reason": _l("Reason"),
        "code_masked": _l("Code (masked)"),
    }
