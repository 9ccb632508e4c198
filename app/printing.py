"""The print base of every printable page (a domain's or a plugin's): the page frame
(``print/base.html``: toolbar, print CSS, the Print button), the store header
(``print/macros.html``), amounts in 元 and times in the store's time zone.

A print view subclasses ``PrintView``, names the record's read permission, loads its record
with ``record_in_scope`` (another store's record is not found) and renders a template that
extends ``print/base.html``.  Its detail page links to it with ``print_button``.
Browser print only: no printer plugin.
"""

from __future__ import annotations

from flask import abort
from flask_appbuilder import BaseView
from flask_babel import get_locale
from markupsafe import Markup

from app.extensions import db
from app.formatting import code_label, timestamp, yuan
from app.security import can_see_store

# what every print template may use: ``|yuan``, ``|timestamp``, ``|code_label("kind")``
PRINT_FILTERS = {"yuan": yuan, "timestamp": timestamp, "code_label": code_label}


class PrintView(BaseView):
    """A page of its own (no admin layout) laid out for the browser's print dialog."""

    def create_blueprint(self, appbuilder, endpoint=None, static_folder=None):
        blueprint = super().create_blueprint(appbuilder, endpoint=endpoint, static_folder=static_folder)
        for name, function in PRINT_FILTERS.items():  # the view brings the filters its pages use
            blueprint.add_app_template_filter(function, name)
        return blueprint

    def render_print(self, template: str, **context):
        return self.render_template(template, html_lang="zh-CN" if str(get_locale()) == "zh" else "en",
                                    **context)


def record_in_scope(model, pk: int):
    """The row ``pk`` of ``model`` (which has a ``store_id``) if the user's store scope covers it,
    else 404."""
    row = db.session.get(model, pk)
    if row is None or not can_see_store(row.store_id):
        abort(404)
    return row


def print_button(url: str, label) -> Markup:
    """A detail page's button opening a print view in a new tab."""
    return Markup('<a class="btn btn-sm btn-default" target="_blank" rel="noopener" href="{}">'
                  '<i class="fa fa-print"></i> {}</a>').format(url, label)
