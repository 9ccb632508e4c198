"""A stock document's printable A4 page with signature lines (``print/stock_doc.html``).

Read permission of the document list (``StockDocs``), the document's store scope
(app/printing.py).
"""

from __future__ import annotations

from flask import url_for
from flask_appbuilder import expose, has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.inventory.models import StockDoc
from app.printing import PrintView, print_button, record_in_scope


class StockDocPrintView(PrintView):
    route_base = "/print/stock-doc"
    class_permission_name = "StockDocs"
    method_permission_name = {"document": "read"}
    default_view = "document"

    @expose("/<int:pk>")
    @has_access
    def document(self, pk):
        doc = record_in_scope(StockDoc, pk)
        return self.render_print(
            "print/stock_doc.html", doc=doc, total_qty=sum(line.qty for line in doc.lines)
        )


def stock_doc_link(doc: StockDoc) -> Markup:
    """The document page's button to its A4 print."""
    return print_button(url_for("StockDocPrintView.document", pk=doc.id), _l("Print (A4)"))
