"""A physical exchange order's picking slip (A4): what to take from stock, where it goes
(the receiver's address, or the pick-up store), signature lines; never the pick-up code.

Read permission of the exchange-order list (``PointsMallOrders``) and its store scope: store
staff print only the pick-ups at their store (``record_in_scope``; a delivery order belongs to
no store, so only HQ prints it).
"""

from __future__ import annotations

from pathlib import Path

from flask import abort
from flask_appbuilder import expose, has_access

from app.actor import acting_user
from app.members.services import member_label
from app.printing import PrintView, record_in_scope
from plugins.points_mall.models import MallOrder


class MallOrderPrintView(PrintView):
    route_base = "/print/points-mall"
    class_permission_name = "PointsMallOrders"
    method_permission_name = {"slip": "read"}
    default_view = "slip"
    template_folder = str(Path(__file__).resolve().parent / "templates")

    @expose("/order/<int:pk>")
    @has_access
    def slip(self, pk):
        order = record_in_scope(MallOrder, pk)
        if order.kind != "physical":
            abort(404)  # a virtual order has nothing to pick
        return self.render_print("print/mall_order_slip.html", order=order,
                                 member=member_label(order.member, acting_user()),
                                 letterhead=order.source_store or order.store)
