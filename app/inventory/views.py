"""Admin views of stock, the move ledger, stock documents and the alliance stock query."""

from __future__ import annotations

from flask import flash, redirect, request
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.admin import AUDIT_LABELS, READ_WRITE_VIEW_METHODS, RetailModelView, StoreScopedModelView
from app.admin_fields import refusal_message
from app.catalog.models import Sku
from app.errors import DomainError
from app.extensions import db
from app.formatting import register_labels
from app.inventory.models import Stock, StockDoc, StockMove
from app.inventory.services import (
    cancel_stock_doc,
    post_stock_doc,
    prepare_stock_doc,
    receive_transfer,
)
from app.security import scoped_store_id

DOC_KIND_LABELS = {
    "inbound": _l("Inbound"),
    "outbound": _l("Outbound"),
    "transfer": _l("Transfer out"),
    "stocktake": _l("Stocktake"),
}
REASON_LABELS = {
    "purchase": _l("Purchase"),
    "distribution": _l("Distribution"),
    "transfer": _l("Transfer"),
    "purchase_return": _l("Purchase return"),
    "other": _l("Other"),
    "stocktake": _l("Stocktake"),
}
STATUS_LABELS = {
    "draft": _l("Draft"),
    "posted": _l("Posted"),
    "received": _l("Received"),
    "cancelled": _l("Cancelled"),
}
MOVE_LABELS = {
    "sale": _l("Sale"),
    "return": _l("Return"),
    "purchase_in": _l("Purchase in"),
    "distribution_in": _l("Distribution in"),
    "transfer_in": _l("Transfer in"),
    "other_in": _l("Other in"),
    "distribution_out": _l("Distribution out"),
    "transfer_out": _l("Transfer out"),
    "purchase_return": _l("Purchase return"),
    "other_out": _l("Other out"),
    "stocktake": _l("Stocktake adjustment"),
}


register_labels("stock_doc_kind", DOC_KIND_LABELS)
register_labels("stock_doc_reason", REASON_LABELS)
register_labels("stock_doc_status", STATUS_LABELS)
register_labels("stock_move_kind", MOVE_LABELS)
register_labels("audit_action", {
    "stock_doc.create": _l("Stock document created"),
    "stock_doc.post": _l("Stock document posted"),
    "stock_doc.receive": _l("Transfer received"),
    "stock_doc.cancel": _l("Stock document cancelled"),
})


READ_ONLY = ["can_read"]
STOCK_LABELS = {
    "store": _l("Store"),
    "sku": _l("SKU"),
    "qty": _l("Quantity"),
    "sku.product": _l("Product"),
}


class StockView(StoreScopedModelView):
    datamodel = SQLAInterface(Stock)
    class_permission_name = "Stock"
    base_permissions = READ_ONLY
    list_title = _l("Stock")
    show_title = _l("Stock")
    list_columns = show_columns = ["store", "sku", "sku.product", "qty"]
    search_columns = ["store", "sku", "qty"]
    order_columns = ["qty"]
    label_columns = STOCK_LABELS


class AllianceStockView(RetailModelView):
    """Every store's on-hand (F4.11): store staff may look up stock in other stores."""

    datamodel = SQLAInterface(Stock)
    class_permission_name = "AllianceStock"
    base_permissions = READ_ONLY
    list_title = _l("Alliance stock")
    show_title = _l("Alliance stock")
    list_columns = show_columns = ["sku", "sku.product", "store", "qty"]
    search_columns = ["sku", "store", "qty"]
    order_columns = ["qty"]
    label_columns = STOCK_LABELS


class StockMoveView(StoreScopedModelView):
    datamodel = SQLAInterface(StockMove)
    class_permission_name = "StockMoves"
    base_permissions = READ_ONLY
    list_title = _l("Stock moves")
    show_title = _l("Stock move")
    list_columns = ["created_on", "store", "sku", "kind", "qty", "qty_after", "doc_no"]
    show_columns = list_columns
    search_columns = ["store", "sku", "kind", "doc_no", "created_on"]
    order_columns = ["created_on", "qty"]
    label_columns = {
        **STOCK_LABELS,
        "created_on": _l("Time"),
        "kind": _l("Move kind"),
        "qty": _l("Change"),
        "qty_after": _l("On hand after"),
        "doc_no": _l("Document no."),
    }
    label_kinds = {"kind": "stock_move_kind"}
    base_order = ("id", "desc")


def _lines_table(lines) -> Markup:
    rows = "".join(
        f"<tr><td>{escape(line.sku.sku_code)}</td><td>{escape(line.sku.product.name)} "
        f"{escape(line.sku.spec)}</td><td>{line.qty}</td></tr>"
        for line in lines
    )
    head = "".join(f"<th>{escape(_l(t))}</th>" for t in ("SKU code", "Name", "Quantity"))
    head = f"<tr>{head}</tr>"
    return Markup(f'<table class="table table-condensed">{head}{rows}</table>')


def parse_lines(text: str) -> list[tuple[int, int]]:
    """``"SKU001 5\\nBARCODE 2"`` → ``[(sku_id, qty), …]``; SKU by code or barcode."""
    lines = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        parts = raw.replace(",", " ").replace("\t", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ValueError(str(_l("Line %(n)s: write a SKU code and a quantity.", n=number)))
        code, qty_text = parts
        sku = db.session.query(Sku).filter((Sku.sku_code == code) | (Sku.barcode == code)).first()
        if sku is None:
            raise ValueError(str(_l("Line %(n)s: unknown SKU %(code)s.", n=number, code=code)))
        try:
            qty = int(qty_text)
        except ValueError:
            raise ValueError(str(_l("Line %(n)s: the quantity must be a whole number.", n=number))) from None
        lines.append((sku.id, qty))
    return lines


class StockDocView(StoreScopedModelView):
    datamodel = SQLAInterface(StockDoc)
    class_permission_name = "StockDocs"
    method_permission_name = {
        **READ_WRITE_VIEW_METHODS,
        "post_doc": "write",
        "receive_doc": "write",
        "cancel_doc": "write",
    }
    list_title = _l("Stock documents")
    show_title = _l("Stock document")
    add_title = _l("Add stock document")
    edit_title = _l("Edit stock document")
    list_columns = ["doc_no", "kind", "reason", "store", "other_store", "status", "created_on"]
    search_columns = ["doc_no", "kind", "reason", "store", "other_store", "status", "created_on"]
    show_columns = ["doc_no", "kind", "reason", "store", "other_store", "status", "note", "lines",
                    "created_on", "changed_on"]
    add_columns = ["kind", "reason", "store", "other_store", "note", "lines_text"]
    edit_columns = ["note"]
    order_columns = ["doc_no", "created_on"]
    base_order = ("id", "desc")
    label_columns = {
        "doc_no": _l("Document no."),
        "kind": _l("Document kind"),
        "reason": _l("Reason"),
        "store": _l("Store"),
        "other_store": _l("Other store"),
        "status": _l("Status"),
        "note": _l("Note"),
        "lines": _l("Lines"),
        "lines_text": _l("Lines"),
        **AUDIT_LABELS,
    }
    description_columns = {
        "lines_text": _l("One line per SKU: SKU code (or barcode) and quantity, e.g. \"SKU001 5\". "
                         "For a stocktake, the counted quantity."),
        "other_store": _l("Transfers: the receiving store."),
    }
    add_form_extra_fields = {
        "kind": SelectField(_l("Document kind"), choices=[(k, v) for k, v in DOC_KIND_LABELS.items()],
                            validators=[DataRequired()]),
        "reason": SelectField(_l("Reason"), choices=[(k, v) for k, v in REASON_LABELS.items()],
                              validators=[DataRequired()]),
        "lines_text": TextAreaField(_l("Lines"), validators=[DataRequired(), Length(max=20000)]),
    }
    label_kinds = {"kind": "stock_doc_kind", "reason": "stock_doc_reason", "status": "stock_doc_status"}
    formatters_columns = {"lines": _lines_table}

    def pre_add(self, item):
        scoped = scoped_store_id()
        store_id = scoped if scoped is not None else (item.store.id if item.store else None)
        other_id = item.other_store.id if item.other_store else None
        lines = parse_lines(request.form.get("lines_text", ""))
        # a refusal (DomainError) is shown on the form by the admin base
        prepare_stock_doc(item, item.kind, item.reason, store_id, lines, other_id, item.note or "")

    def pre_update(self, item):
        self._check_row_store(item)

    def pre_delete(self, item):
        self._check_row_store(item)
        if item.status != "draft" or item.source_doc_id is not None:
            raise ValueError(str(_l("Only drafts you created can be deleted.")))
        for line in list(item.lines):
            db.session.delete(line)

    def _run(self, items, service, done_message):
        items = items if isinstance(items, list) else [items]
        done = 0
        for doc in items:
            try:
                service(doc)
                done += 1
            except DomainError as exc:
                flash(f"{doc.doc_no}: {refusal_message(exc)}", "danger")
        if done:
            flash(str(done_message(done)), "info")
        self.update_redirect()
        return redirect(self.get_redirect())

    @action("post_doc", _l("Post"), _l("Post the selected documents? Stock changes at once."), "fa-check")
    def post_doc(self, items):
        return self._run(items, post_stock_doc, lambda n: _l("Posted %(n)s document(s).", n=n))

    @action("receive_doc", _l("Receive"), _l("Receive the selected incoming transfers?"), "fa-download")
    def receive_doc(self, items):
        return self._run(items, receive_transfer, lambda n: _l("Received %(n)s transfer(s).", n=n))

    @action("cancel_doc", _l("Cancel"), _l("Cancel the selected drafts?"), "fa-ban")
    def cancel_doc(self, items):
        return self._run(items, cancel_stock_doc, lambda n: _l("Cancelled %(n)s document(s).", n=n))
