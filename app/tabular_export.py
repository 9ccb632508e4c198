"""CSV or XLSX of one table, the response every export view returns (core and plugins).

``export_response(name, headers, rows, fmt)`` streams ``rows`` (any iterable of value
lists, typically a ``yield_per`` query mapped to cells) as

- ``csv``: UTF-8 with a BOM for Excel, one row at a time (nothing is held in memory);
- ``xlsx``: one worksheet written by XlsxWriter in ``constant_memory`` mode to a
  temporary file, then streamed from disk in chunks and the file removed.

Both neutralise formula-looking text cells exactly like ``app.csv_export.safe_cell`` (a
member named ``=HYPERLINK(…)`` never runs on the merchant's PC).  An unknown format is a
``DomainError`` (``EXPORT_FORMAT_INVALID``), so a view need not check it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from flask import Response, stream_with_context
from flask_babel import lazy_gettext as _l

from app.csv_export import BOM, csv_line, safe_cell
from app.errors import DomainError

FORMATS = ("csv", "xlsx")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024


def export_format(value: str | None) -> str:
    """The requested format (``?format=``), ``csv`` by default; anything else is refused."""
    fmt = (value or "csv").strip().lower()
    if fmt not in FORMATS:
        raise DomainError("EXPORT_FORMAT_INVALID", _l("Export as csv or xlsx."), field="format")
    return fmt


def export_response(name: str, headers: Sequence[str], rows: Iterable[Sequence],
                    fmt: str = "csv") -> Response:
    """A download named ``name.csv`` / ``name.xlsx`` of ``headers`` then ``rows``."""
    fmt = export_format(fmt)
    if fmt == "csv":
        body = _csv_chunks(headers, rows)
        mimetype = "text/csv"
    else:
        body = _xlsx_chunks(headers, rows)
        mimetype = XLSX_MIME
    return Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={name}.{fmt}"},
    )


def _csv_chunks(headers, rows) -> Iterator[str]:
    yield BOM + csv_line(headers)
    for row in rows:
        yield csv_line(row)


def _xlsx_chunks(headers, rows) -> Iterator[bytes]:
    import xlsxwriter

    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                              "strings_to_urls": False, "strings_to_numbers": False})
        sheet = workbook.add_worksheet()
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        day_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_row(0, 0, [str(header) for header in headers])
        for index, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                _write_cell(sheet, index, column, value, date_format, day_format)
        workbook.close()
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def _write_cell(sheet, row: int, column: int, value, date_format, day_format) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, column, value.replace(tzinfo=None), date_format)
    elif isinstance(value, date):
        sheet.write_datetime(row, column, datetime(value.year, value.month, value.day), day_format)
    else:
        sheet.write_string(row, column, str(safe_cell(str(value))))
