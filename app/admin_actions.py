"""One way to run an admin list action over the selected rows.

For each row the service runs on its own; a refusal (``DomainError``) is flashed with the
row's label and the other rows still run; one message counts what was done; the list
page comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import flash, redirect

from app.errors import DomainError


def selected_rows(items: Any) -> list:
    """FAB passes one row to a single-row action and a list to a bulk action."""
    return items if isinstance(items, list) else [items]


def run_bulk(
    view,
    items: Any | Iterable,
    service: Callable[[Any], object],
    label_of: Callable[[Any], str],
    done_message: Callable[[int], str] | str,
    explain: Callable[[Any, DomainError], str] = lambda row, exc: str(exc.message),
):
    """Call ``service(row)`` for each selected row and answer with the redirect back.

    ``done_message`` is flashed once if any row was done (called with the count when it is
    callable); each refusal is flashed as ``label_of(row): explain(row, exc)`` (by default the error's
    message).  Imports nothing of the admin kernel, so any view may use it.
    """
    done = 0
    for row in selected_rows(items):
        try:
            service(row)
            done += 1
        except DomainError as exc:
            flash(f"{label_of(row)}: {explain(row, exc)}", "danger")
    if done:
        flash(str(done_message(done) if callable(done_message) else done_message), "info")
    view.update_redirect()
    return redirect(view.get_redirect())
