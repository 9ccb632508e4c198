"""app/tabular_export.py: the CSV/XLSX download every export view returns."""

from __future__ import annotations

import html
import io
import zipfile
from datetime import datetime

import pytest
from flask import Flask

from app.errors import DomainError
from app.tabular_export import XLSX_MIME, export_format, export_response

ROWS = [["M001", "=HYPERLINK(\"x\")", 12345, datetime(2026, 11, 27, 9, 30)], ["M002", None, 0, None]]


def _body(response) -> bytes:
    return b"".join(part if isinstance(part, bytes) else part.encode() for part in response.response)


@pytest.fixture()
def request_context():
    with Flask(__name__).test_request_context():
        yield


def test_csv_has_bom_header_and_neutralised_formulas(request_context):
    response = export_response("cards", ["No.", "Name", "Balance (fen)", "At"], ROWS, "csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=cards.csv"
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeffNo.,Name,Balance (fen),At\r\n")
    assert "'=HYPERLINK" in text
    assert text.splitlines()[2] == "M002,,0,"


def test_xlsx_is_a_workbook_with_every_row(request_context):
    response = export_response("cards", ["No.", "Name", "Balance (fen)", "At"], iter(ROWS), "XLSX")
    assert response.mimetype == XLSX_MIME
    assert response.headers["Content-Disposition"] == "attachment; filename=cards.xlsx"
    archive = zipfile.ZipFile(io.BytesIO(_body(response)))
    sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    strings = archive.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in archive.namelist() \
        else sheet  # constant_memory writes inline strings
    assert "M001" in strings and "M002" in strings
    assert "'=HYPERLINK" in html.unescape(strings)
    assert "<f>" not in sheet  # no cell became a formula
    assert "12345" in sheet
    assert sheet.count("<row ") == 3


def test_unknown_format_is_refused():
    with pytest.raises(DomainError) as refused:
        export_format("pdf")
    assert refused.value.code == "EXPORT_FORMAT_INVALID"
    assert export_format(None) == "csv"
