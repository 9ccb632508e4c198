"""Admin views of retail orders and returns (store-scoped)."""

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.admin import StoreScopedModelView
from app.formatting import register_labels
from app.members.services import member_label
from app.sales.models import Order, Return

register_labels("order_status", {
    "paid": _l("Paid"), "partially_returned": _l("Partially returned"), "returned": _l("Returned"),
})


class OrderView(StoreScopedModelView):
    datamodel = SQLAInterface(Order)
    class_permission_name = "Orders"
    base_permissions = ["can_read"]
    list_title = _l("Retail orders")
    show_title = _l("Retail order")
    list_columns = ["order_no", "store", "member", "status", "total_fen", "discount_fen", "paid_fen",
                    "created_on"]
    show_columns = list_columns + ["points_used", "points_earned", "staff", "note"]
    add_columns = edit_columns = ["note"]  # read-only view: orders are written by the POS API only
    search_columns = ["order_no", "store", "status", "created_on"]
    # the member is shown through retail_present_member; never sorted or filtered on
    order_columns = ["order_no", "status", "total_fen", "paid_fen", "created_on"]
    formatters_columns = {"member": member_label}
    label_kinds = {"status": "order_status"}
    base_order = ("id", "desc")
    label_columns = {
        "order_no": _l("Order no."), "store": _l("Store"), "member": _l("Member"), "status": _l("Status"),
        "total_fen": _l("Total (yuan)"), "discount_fen": _l("Discount (yuan)"), "paid_fen": _l("Paid (yuan)"),
        "created_on": _l("Created on"), "points_used": _l("Points used"),
        "points_earned": _l("Points earned"), "staff": _l("Staff"), "note": _l("Note"),
    }


class ReturnView(StoreScopedModelView):
    datamodel = SQLAInterface(Return)
    class_permission_name = "Returns"
    base_permissions = ["can_read"]
    list_title = _l("Retail returns")
    list_columns = ["return_no", "order", "store", "amount_fen", "points_reversed", "created_on"]
    search_columns = ["return_no", "store", "created_on"]
    add_columns = edit_columns = ["amount_fen"]  # read-only view: returns come from the POS API
    base_order = ("id", "desc")
    label_columns = {
        "return_no": _l("Return no."), "order": _l("Order"), "store": _l("Store"),
        "amount_fen": _l("Amount (yuan)"), "points_reversed": _l("Points reversed"),
        "created_on": _l("Created on"),
    }
