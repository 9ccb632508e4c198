"""Export buttons on an admin list: the rows the list shows with its current filters (every
page, the store scope and other base filters included), as CSV or XLSX (``app.tabular_export``).

A model view mixes in ``ListExportMixin`` and says what a row becomes::

    class MallOrderView(ListExportMixin, StoreScopedModelView):
        export_name = "exchange-orders"
        def export_columns(self):
            return [(_l("Order number"), lambda order: order.order_no), ...]

The export answers to the list's read permission (``READ_WRITE_VIEW_METHODS`` maps
``export`` to ``read``); cells are shown as on the page (labels, 元), never raw codes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import request
from flask_appbuilder import expose, has_access
from flask_appbuilder.urltools import get_filter_args

from app.tabular_export import export_format, export_response

BATCH = 2000


class ListExportMixin:
    export_name = "export"  # the file's name, without the extension
    list_template = "retail/list_export.html"

    def export_columns(self) -> list[tuple[Any, Callable[[Any], Any]]]:
        """``[(header label, row -> cell), ...]``, built per request (labels in its language)."""
        raise NotImplementedError

    def export_query(self, query):
        """Hook for eager loads of what the cells read (the query of the filtered rows)."""
        return query

    @expose("/export/")
    @has_access
    def export(self):
        fmt = export_format(request.args.get("format"))
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        joined = self._filters.get_joined_filters(self._base_filters)
        model = self.datamodel.obj
        query = self.datamodel.apply_filters(self.datamodel.session.query(model), joined)
        order_column, direction = self.base_order or ("id", "asc")
        column = getattr(model, order_column)
        query = self.export_query(query.order_by(column.desc() if direction == "desc" else column.asc()))
        columns = self.export_columns()

        def rows():
            for row in query.yield_per(BATCH):
                yield [cell(row) for _, cell in columns]

        return export_response(self.export_name, [str(label) for label, _ in columns], rows(), fmt)
