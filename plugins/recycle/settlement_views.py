"""Admin pages of settlement (F3.11): the trade-ins to pay or paid, and one order's settlement —
by its settlement method the payment code (回收收款码: QR, amount, expiry) or the purchase
credit — with the buttons to pay the customer and to complete the trade-in.

Store staff see their store's orders, HQ every store's (``services.visible_orders``); another
store's order answers 404.
"""

from __future__ import annotations

from pathlib import Path

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.actor import acting_user
from app.admin import check_csrf
from app.errors import DomainError
from app.extensions import db
from app.formatting import code_label, register_labels, timestamp, yuan
from app.qr import qr_svg
from plugins.recycle import settlement
from plugins.recycle.models import COMPLETED, PAID, PAYMENT_CODE, QUOTED, RecycleOrder, RecycleSettlement
from plugins.recycle.services import visible_orders
from plugins.recycle.view_helpers import visible_order_or_404

TEMPLATES = str(Path(__file__).resolve().parent / "templates")
PAGE_SIZE = 25
LIST_STATES = (QUOTED, PAID, COMPLETED)
register_labels("recycle_settlement_status", {
    "pending": _l("Awaiting the customer"), "paid": _l("Paid"), "used": _l("Credit used"),
})


class RecycleSettlementView(BaseView):
    route_base = "/recycle-settlement"
    class_permission_name = "RecycleSettlement"
    method_permission_name = {"index": "read", "order": "read", "settle": "write", "complete": "write"}
    default_view = "index"
    template_folder = TEMPLATES

    @expose("/")
    @has_access
    def index(self):
        state = request.args.get("state", "")
        query = visible_orders(acting_user())
        if state in LIST_STATES:
            query = query.where(RecycleOrder.state == state)
        else:
            state = ""
            query = query.where(RecycleOrder.state.in_(LIST_STATES))
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
        orders = list(db.session.scalars(query.order_by(RecycleOrder.id.desc())
                                         .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
        ids = [o.id for o in orders]
        rows = {s.order_id: s for s in db.session.scalars(
            select(RecycleSettlement).where(RecycleSettlement.order_id.in_(ids)))} if ids else {}
        return self.render_template(
            "recycle_bidding/settlement_list.html", orders=orders, settlements=rows, state=state,
            states=[(s, code_label(s, "recycle_state")) for s in LIST_STATES], page=page, pages=pages,
            total=total, yuan=yuan, code_label=code_label, timestamp=timestamp,
            title=_l("Trade-in settlement"),
        )

    @expose("/order/<int:order_id>")
    @has_access
    def order(self, order_id: int):
        order = visible_order_or_404(order_id)
        row = settlement.settlement_of(order.id)
        qr = url = None
        if row is not None and row.method == PAYMENT_CODE and row.status == "pending":
            token = settlement.payment_code_token(row)
            url = url_for("RecyclePaymentCodeApi.show", token=token, _external=True)
            qr = qr_svg(url)
        return self.render_template(
            "recycle_bidding/settlement.html", order=order, settlement=row, qr=qr, payment_url=url,
            yuan=yuan, code_label=code_label, timestamp=timestamp,
            may_write=self.appbuilder.sm.has_access("can_write", "RecycleSettlement"),
            title=_l("Trade-in settlement"),
        )

    @expose("/order/<int:order_id>/settle", methods=["POST"])
    @has_access
    def settle(self, order_id: int):
        check_csrf()
        order = visible_order_or_404(order_id)
        try:
            row = settlement.settle(order, acting_user())
        except DomainError as err:
            flash(str(err.message), "danger")
        else:
            if row.method == PAYMENT_CODE:
                flash(str(_l("Show the payment code to the customer: it is valid until %(time)s.",
                             time=timestamp(row.expires_on))), "success")
            else:
                flash(str(_l("Purchase credit %(code)s of %(amount)s yuan issued: the trade-in is paid.",
                             code=row.credit_code, amount=yuan(row.amount_fen))), "success")
        return redirect(url_for("RecycleSettlementView.order", order_id=order.id))

    @expose("/order/<int:order_id>/complete", methods=["POST"])
    @has_access
    def complete(self, order_id: int):
        check_csrf()
        order = visible_order_or_404(order_id)
        try:
            settlement.complete(order, acting_user())
        except DomainError as err:
            flash(str(err.message), "danger")
        else:
            flash(str(_l("The trade-in is completed.")), "success")
        return redirect(url_for("RecycleSettlementView.order", order_id=order.id))
