"""Printable documents: a sale's receipt (58 mm / 80 mm thermal, A4) and stock documents (A4).

Same read permission as the record's admin list (``Orders``, ``StockDocs``) and the
same store scope: another store's document answers 404.  Browser print only.
"""

from __future__ import annotations

from flask import abort, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.extensions import db
from app.inventory.models import StockDoc
from app.sales.models import Order, Return
from app.security import can_see_store

RECEIPT_LAYOUTS = {"58": _l("58 mm receipt"), "80": _l("80 mm receipt"), "a4": _l("A4")}


def _scoped(model, pk: int):
    row = db.session.get(model, pk)
    if row is None or not can_see_store(row.store_id):
        abort(404)
    return row


class PrintView(BaseView):
    """A page of its own (no admin layout) laid out for the browser's print dialog."""

    def render_print(self, template: str, **context):
        from flask_babel import get_locale

        return self.render_template(template, html_lang="zh-CN" if str(get_locale()) == "zh" else "en",
                                    **context)


class OrderPrintView(PrintView):
    route_base = "/print/order"
    class_permission_name = "Orders"
    method_permission_name = {"receipt": "read"}
    default_view = "receipt"

    @expose("/<int:pk>")
    @has_access
    def receipt(self, pk):
        from app.members.services import member_label
        from app.sales.tenders import tender_label

        order = _scoped(Order, pk)
        layout = request.args.get("layout", "80")
        if layout not in RECEIPT_LAYOUTS:
            layout = "80"
        returns = db.session.query(Return).filter_by(order_id=order.id).order_by(Return.id).all()
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


class StockDocPrintView(PrintView):
    route_base = "/print/stock-doc"
    class_permission_name = "StockDocs"
    method_permission_name = {"document": "read"}
    default_view = "document"

    @expose("/<int:pk>")
    @has_access
    def document(self, pk):
        doc = _scoped(StockDoc, pk)
        return self.render_print(
            "print/stock_doc.html", doc=doc, total_qty=sum(line.qty for line in doc.lines)
        )


def receipt_links(order) -> Markup:
    """Links to an order's printable receipt in each layout (for its detail page)."""
    return Markup(" ").join(
        Markup('<a class="btn btn-sm btn-default" target="_blank" rel="noopener" href="{}">'
               '<i class="fa fa-print"></i> {}</a>').format(
            url_for("OrderPrintView.receipt", pk=order.id, layout=key), label)
        for key, label in RECEIPT_LAYOUTS.items()
    )


def stock_doc_link(doc) -> Markup:
    """A link to a stock document's printable A4 page (for its detail page)."""
    return Markup('<a class="btn btn-sm btn-default" target="_blank" rel="noopener" href="{}">'
                  '<i class="fa fa-print"></i> {}</a>').format(
        url_for("StockDocPrintView.document", pk=doc.id), _l("Print (A4)"))
