"""Admin views of retail orders and returns (store-scoped)."""

from flask import url_for
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.actor import acting_user
from app.admin import StoreScopedModelView
from app.admin_fields import Section
from app.extensions import db
from app.formatting import code_label, html_table, link, money, register_labels, timestamp
from app.members.services import member_label, member_visible
from app.plugins import plugin_host
from app.sales.models import Order, Return
from app.sales.printing import receipt_links
from app.sales.tenders import tender_label

register_labels("order_status", {
    "paid": _l("Paid"), "partially_returned": _l("Partially returned"), "returned": _l("Returned"),
})


def member_link(member) -> object:
    """The member's label, linked to their page when the viewer may open it."""
    if member is None:
        return ""
    label = member_label(member)
    if member_visible(acting_user(), "list", member.id):
        return link(url_for("MemberView.show", pk=member.id), label)
    return label


def order_sections(order: Order) -> list[Section]:
    lines = html_table(
        (_l("SKU code"), _l("Name"), _l("Quantity"), _l("Price (yuan)"), _l("Discount (yuan)"),
         _l("Amount (yuan)"), _l("Returned quantity")),
        [(line.sku.sku_code, f"{line.sku.product.name} {line.sku.spec}".strip(), line.qty,
          money(line.price_fen), money(line.discount_fen), money(line.amount_fen), line.returned_qty)
         for line in order.lines],
    )
    payments = html_table(
        (_l("Payment method"), _l("Amount (yuan)"), _l("Refunded (yuan)"), _l("Reference")),
        [(tender_label(p.method), money(p.amount_fen), money(p.refunded_fen), p.reference)
         for p in order.payments],
    )
    returns = db.session.scalars(select(Return).where(Return.order_id == order.id).order_by(Return.id)).all()
    returns_table = html_table(
        (_l("Return no."), _l("Time"), _l("Amount (yuan)"), _l("Points reversed")),
        [(link(url_for("ReturnView.show", pk=r.id), r.return_no), timestamp(r.created_on),
          money(r.amount_fen), r.points_reversed) for r in returns],
    )
    from app.loyalty.models import PointsTxn

    doc_nos = [order.order_no] + [r.return_no for r in returns]
    points = db.session.scalars(
        select(PointsTxn).where(PointsTxn.doc_no.in_(doc_nos), PointsTxn.member_id == order.member_id)
        .order_by(PointsTxn.id)
    ).all() if order.member_id else []
    points_table = html_table(
        (_l("Time"), _l("Kind"), _l("Points"), _l("Points balance after"), _l("Document no.")),
        [(timestamp(t.created_on), code_label(t.kind, "points_kind"), t.points, t.balance_after, t.doc_no)
         for t in points],
    )
    return [
        Section("member", _l("Member"), member_link(order.member) or _l("Walk-in customer")),
        Section("lines", _l("Order lines"), lines),
        Section("payments", _l("Payments"), payments),
        Section("returns", _l("Returns"), returns_table),
        Section("points", _l("Points"), points_table),
    ]


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

    def detail_sections(self, item):
        extra = plugin_host().order_detail_sections(item, acting_user())
        return ([Section("print", _l("Print"), receipt_links(item))] + order_sections(item)
                + [Section(section.key, section.title, section.body) for section in extra])


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
    show_columns = list_columns

    def detail_sections(self, item):
        lines = html_table(
            (_l("SKU code"), _l("Name"), _l("Quantity"), _l("Amount (yuan)")),
            [(line.order_line.sku.sku_code, line.order_line.sku.product.name, line.qty,
              money(line.amount_fen)) for line in item.lines],
        )
        refunds = html_table(
            (_l("Payment method"), _l("Amount (yuan)")),
            [(tender_label(r.method), money(r.amount_fen)) for r in item.refunds],
        )
        order = link(url_for("OrderView.show", pk=item.order_id), item.order.order_no)
        return [
            Section("order", _l("Order"), order),
            Section("lines", _l("Return lines"), lines),
            Section("refunds", _l("Refunds"), refunds),
        ]
