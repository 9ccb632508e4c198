"""CSV for Excel, the one writer every export uses (core and plugins).

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to Excel and LibreOffice (a member named ``=HYPERLINK(…)`` would run on the
merchant's PC): such cells get a leading ``'``, which shows them as typed.  Numbers are
written as numbers.
"""

from __future__ import annotations

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # Excel reads UTF-8 only with it


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_line(values) -> str:
    """One CSV row (with its line end) of ``values``, every cell neutralised."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(value) for value in values])
    return buffer.getvalue()
