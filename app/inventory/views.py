"""Admin views of stock, the move ledger, stock documents and the alliance stock query."""

from __future__ import annotations

from flask import jsonify, request
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access_api
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.admin import AUDIT_LABELS, READ_WRITE_VIEW_METHODS, RetailModelView, StoreScopedModelView
from app.admin_actions import run_bulk
from app.admin_fields import FieldError, LineEditorWidget, Section, refusal_message
from app.catalog.models import Sku
from app.catalog.services import sku_name
from app.extensions import db
from app.formatting import html_table, register_labels
from app.inventory.models import Stock, StockDoc, StockMove
from app.inventory.printing import stock_doc_link
from app.inventory.services import (
    cancel_stock_doc,
    post_stock_doc,
    prepare_stock_doc,
    receive_transfer,
    stock_levels,
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
    return html_table(
        (_l("SKU code"), _l("Name"), _l("Quantity")),
        [(line.sku.sku_code, sku_name(line.sku), line.qty) for line in lines],
    )


def stocktake_table(doc: StockDoc) -> Markup:
    """Book vs counted per line: before posting, the book is today's on hand; after, the on hand
    the posting found (its stocktake move holds the difference)."""
    moves = {}
    if doc.status != "draft":
        moves = {
            m.sku_id: m
            for m in db.session.query(StockMove).filter_by(doc_no=doc.doc_no, store_id=doc.store_id)
        }
    on_hand = stock_levels(doc.store_id, [line.sku_id for line in doc.lines]) if doc.status == "draft" else {}
    rows = []
    for line in doc.lines:
        if doc.status == "draft":
            book = on_hand.get(line.sku_id, 0)
        else:
            move = moves.get(line.sku_id)
            book = line.qty - move.qty if move is not None else line.qty
        difference = line.qty - book
        shown = f"{difference:+d}" if difference else 0
        rows.append((line.sku.sku_code, sku_name(line.sku), book, line.qty, shown))
    headers = (_l("SKU code"), _l("Name"), _l("Book quantity"), _l("Counted"), _l("Difference"))
    return html_table(headers, rows)


def _incoming_transfer(doc: StockDoc) -> bool:
    return doc.kind == "inbound" and doc.source_doc_id is not None


def _sku_of(code: str) -> Sku | None:
    """The SKU a line editor's code names: its SKU code or its barcode."""
    return db.session.query(Sku).filter((Sku.sku_code == code) | (Sku.barcode == code)).first()


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
        sku = _sku_of(code)
        if sku is None:
            raise ValueError(str(_l("Line %(n)s: unknown SKU %(code)s.", n=number, code=code)))
        try:
            qty = int(qty_text)
        except ValueError:
            raise ValueError(str(_l("Line %(n)s: the quantity must be a whole number.", n=number))) from None
        lines.append((sku.id, qty))
    return lines


NOTE_FIELD = StringField(_l("Note"), validators=[Optional(), Length(max=200)], widget=BS3TextFieldWidget())


class StockDocView(StoreScopedModelView):
    datamodel = SQLAInterface(StockDoc)
    class_permission_name = "StockDocs"
    method_permission_name = {
        **READ_WRITE_VIEW_METHODS,
        "post_doc": "write",
        "receive_doc": "write",
        "cancel_doc": "write",
        "sku_lookup": "write",
    }
    list_title = _l("Stock documents")
    show_title = _l("Stock document")
    add_title = _l("Add stock document")
    edit_title = _l("Edit stock document")
    list_columns = ["doc_no", "kind", "reason", "store", "other_store", "status", "created_on"]
    search_columns = ["doc_no", "kind", "reason", "store", "other_store", "status", "created_on"]
    show_columns = ["doc_no", "kind", "reason", "store", "other_store", "status", "note",
                    "created_on", "changed_on"]
    add_columns = ["kind", "reason", "store", "other_store", "note", "lines_text"]
    form_scripts = ["js/line_editor.js"]
    error_fields = {
        code: "lines_text"
        for code in ("NO_LINES", "INVALID_LINE", "SKU_NOT_FOUND", "INVALID_QTY", "DUPLICATE_LINE")
    } | {"INVALID_OTHER_STORE": "other_store", "INVALID_REASON": "reason", "INVALID_NOTE": "note",
         "STORE_NOT_FOUND": "store", "INVALID_DOC_KIND": "kind"}
    action_order = ["post_doc", "receive_doc", "cancel_doc"]
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
        "lines_text": _l("Type a SKU code or barcode and press Enter: its name and stock on hand appear. "
                         "Then type the quantity (for a stocktake, the counted quantity) and press "
                         "Enter for the next line. Up/Down: move between lines; Ctrl+Backspace or ×: "
                         "clear a line."),
        "other_store": _l("Transfers: the receiving store."),
    }
    add_form_extra_fields = {
        "kind": SelectField(_l("Document kind"), choices=[(k, v) for k, v in DOC_KIND_LABELS.items()],
                            validators=[DataRequired()]),
        "reason": SelectField(_l("Reason"), choices=[(k, v) for k, v in REASON_LABELS.items()],
                              validators=[DataRequired()]),
        "lines_text": TextAreaField(_l("Lines"), validators=[DataRequired(), Length(max=20000)],
                                    widget=LineEditorWidget("StockDocView.sku_lookup")),
        "note": NOTE_FIELD,
    }
    edit_form_extra_fields = {"note": NOTE_FIELD}
    label_kinds = {"kind": "stock_doc_kind", "reason": "stock_doc_reason", "status": "stock_doc_status"}
    formatters_columns = {"lines": _lines_table}

    def detail_sections(self, item):
        printing = Section("print", _l("Print"), stock_doc_link(item))
        if item.kind == "stocktake":
            return [printing, Section("lines", _l("Lines: book vs counted"), stocktake_table(item))]
        return [printing, Section("lines", _l("Lines"), _lines_table(item.lines))]

    def allowed_actions(self, item):
        if item.status != "draft":
            return set()
        if _incoming_transfer(item):
            return {"receive_doc"}
        return {"post_doc", "cancel_doc"}

    @expose("/sku_lookup")
    @has_access_api
    def sku_lookup(self):
        """``?code=`` SKU code or barcode → the SKU for the line editor (JSON; 404 when unknown)."""
        code = (request.args.get("code") or "").strip()[:64]
        sku = None
        if code:
            sku = _sku_of(code)
        if sku is None:
            return jsonify(error=str(_l("Unknown SKU %(code)s.", code=code))), 404
        store_id = scoped_store_id() or request.args.get("store_id", type=int)
        on_hand = stock_levels(store_id, [sku.id]).get(sku.id) if store_id else None  # None: no stock row
        return jsonify(sku_code=sku.sku_code, barcode=sku.barcode or "", name=sku_name(sku), on_hand=on_hand)

    def pre_add(self, item):
        scoped = scoped_store_id()
        store_id = scoped if scoped is not None else (item.store.id if item.store else None)
        other_id = item.other_store.id if item.other_store else None
        try:
            lines = parse_lines(request.form.get("lines_text", ""))
        except ValueError as exc:
            raise FieldError("lines_text", str(exc)) from None
        # a refusal (DomainError) is shown beside its field by the admin base (error_fields)
        prepare_stock_doc(item, item.kind, item.reason, store_id, lines, other_id, item.note or "")

    def pre_update(self, item):
        self._check_row_store(item)
        item.note = item.note or ""

    def pre_delete(self, item):
        self._check_row_store(item)
        if item.status != "draft" or item.source_doc_id is not None:
            raise ValueError(str(_l("Only drafts you created can be deleted.")))
        for line in list(item.lines):
            db.session.delete(line)

    def _run(self, items, service, done_message):
        return run_bulk(self, items, service, lambda doc: doc.doc_no, done_message,
                        lambda doc, exc: refusal_message(exc))

    @action("post_doc", _l("Post"), _l("Post the selected documents? Stock changes at once."), "fa-check")
    def post_doc(self, items):
        return self._run(items, post_stock_doc, lambda n: _l("Posted %(n)s document(s).", n=n))

    @action("receive_doc", _l("Receive"), _l("Receive the selected incoming transfers?"), "fa-download")
    def receive_doc(self, items):
        return self._run(items, receive_transfer, lambda n: _l("Received %(n)s transfer(s).", n=n))

    @action("cancel_doc", _l("Cancel"), _l("Cancel the selected drafts?"), "fa-ban")
    def cancel_doc(self, items):
        return self._run(items, cancel_stock_doc, lambda n: _l("Cancelled %(n)s document(s).", n=n))
