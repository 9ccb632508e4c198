"""A sale's printable receipt: 58 mm and 80 mm thermal rolls, or A4 (``print/receipt.html``).

Read permission of the order list (``Orders``), the order's store scope (app/printing.py).
"""

from __future__ import annotations

from flask import request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from app.extensions import db
from app.members.services import member_label
from app.printing import PrintView, print_button, record_in_scope
from app.sales.models import Order, Return
from app.sales.tenders import tender_label

RECEIPT_LAYOUTS = {"58": _l("58 mm receipt"), "80": _l("80 mm receipt"), "a4": _l("A4")}


class OrderPrintView(PrintView):
    route_base = "/print/order"
    class_permission_name = "Orders"
    method_permission_name = {"receipt": "read"}
    default_view = "receipt"

    @expose("/<int:pk>")
    @has_access
    def receipt(self, pk):
        order = record_in_scope(Order, pk)
        layout = request.args.get("layout", "80")
        if layout not in RECEIPT_LAYOUTS:
            layout = "80"
        query = select(Return).where(Return.order_id == order.id).order_by(Return.id)
        returns = db.session.scalars(query).all()
        return self.render_print(
            "print/receipt.html",
            order=order,
            layout=layout,
            layouts=RECEIPT_LAYOUTS,
            member=member_label(order.member) if order.member is not None else "",
            tender_label=tender_label,
            returned_fen=sum(r.amount_fen for r in returns),
            returns=returns,
        )


def receipt_links(order: Order) -> Markup:
    """The order page's buttons to its receipt, one per layout."""
    return Markup(" ").join(
        print_button(url_for("OrderPrintView.receipt", pk=order.id, layout=key), label)
        for key, label in RECEIPT_LAYOUTS.items()
    )
