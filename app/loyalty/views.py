"""Admin views of the stored-value and points ledgers (read-only: ledgers are append-only)."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.admin import StoreScopedModelView
from app.extensions import db
from app.formatting import EMPTY, display, register_labels
from app.loyalty.models import PointsTxn, StoredValueTxn
from app.members.services import member_label
from app.org.models import Store
from app.platform.staff import Staff

LEDGER_LABELS = {
    "created_on": _l("Time"),
    "txn_no": _l("Transaction no."),
    "member": _l("Member"),
    "kind": _l("Kind"),
    "amount_fen": _l("Amount (yuan)"),
    "balance_after_fen": _l("Balance after (yuan)"),
    "points": _l("Points"),
    "balance_after": _l("Points balance after"),
    "doc_no": _l("Document no."),
    "store_id": _l("Store"),
    "staff_id": _l("Staff"),
    "note": _l("Note"),
}


register_labels("stored_value_kind", {
    "recharge": _l("Recharge"), "consume": _l("Consumption"), "refund": _l("Refund"),
    "adjust": _l("Adjustment"),
})
register_labels("points_kind", {
    "earn": _l("Earned"), "redeem": _l("Redeemed"), "reverse": _l("Reversed"), "adjust": _l("Adjustment"),
    "reset": _l("Reset"),
})
register_labels("audit_action", {
    "stored_value.recharge": _l("Stored value recharged"),
    "stored_value.adjust": _l("Stored value adjusted"),
    "points.adjust": _l("Points adjusted"),
})


def _row_label(model):
    """An id column shown as the row it points to (``S001 旗舰店``), a dash when empty."""
    return lambda row_id: display(db.session.get(model, row_id)) if row_id is not None else EMPTY


class LedgerView(StoreScopedModelView):
    store_column = "store_id"
    store_relation = None
    base_permissions = ["can_read"]
    base_order = ("id", "desc")
    label_columns = LEDGER_LABELS
    formatters_columns = {"store_id": _row_label(Store), "staff_id": _row_label(Staff)}


class StoredValueLedgerView(LedgerView):
    datamodel = SQLAInterface(StoredValueTxn)
    class_permission_name = "StoredValueLedger"
    list_title = _l("Stored-value ledger")
    show_title = _l("Stored-value transaction")
    list_columns = ["created_on", "txn_no", "member", "kind", "amount_fen", "balance_after_fen", "doc_no"]
    show_columns = list_columns + ["store_id", "staff_id", "note"]
    search_columns = ["txn_no", "doc_no", "kind"]
    order_columns = ["created_on", "txn_no", "kind", "amount_fen", "doc_no"]
    # the member is shown through retail_present_member; never sorted or filtered on
    formatters_columns = {**LedgerView.formatters_columns, "member": member_label}
    label_kinds = {"kind": "stored_value_kind"}


class PointsLedgerView(LedgerView):
    datamodel = SQLAInterface(PointsTxn)
    class_permission_name = "PointsLedger"
    list_title = _l("Points ledger")
    show_title = _l("Points transaction")
    list_columns = ["created_on", "member", "kind", "points", "balance_after", "doc_no"]
    show_columns = list_columns + ["store_id", "note"]
    search_columns = ["doc_no", "kind"]
    order_columns = ["created_on", "kind", "points", "doc_no"]
    formatters_columns = {**LedgerView.formatters_columns, "member": member_label}
    label_kinds = {"kind": "points_kind"}
