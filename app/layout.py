"""The admin layout's data (sidebar, breadcrumbs, the user's store) and its error pages.

Templates: ``app/templates/appbuilder/`` overrides FAB's page frame (sidebar
instead of the top navbar); ``retail/error.html`` shows 4xx/5xx pages inside it.
API routes keep their JSON error envelope (``app.api``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from app.menu import sidebar

ACTION_LABELS = {"add": _l("Add"), "edit": _l("Edit"), "show": _l("Details")}

ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The page could not handle what was sent. Go back and try again.")),
    403: (_l("No permission"), _l("Your account may not open this page. Ask head office for access.")),
    404: (_l("Page not found"), _l("This page does not exist or has been removed.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    500: (_l("Something went wrong"),
          _l("The system could not finish this request. Nothing was saved; try again later.")),
}


@dataclass
class Crumb:
    label: str
    url: str = ""


def breadcrumbs() -> list[Crumb]:
    """category › page (› add/edit/details) for the page being shown."""
    for group in sidebar():
        for link in group.links:
            if link.active:
                crumbs = [Crumb(group.label)] if group.name != link.name else []
                crumbs.append(Crumb(link.label, link.url))
                action = (request.endpoint or "").rpartition(".")[2]
                if action in ACTION_LABELS:
                    crumbs.append(Crumb(str(ACTION_LABELS[action])))
                return crumbs
    return []


def user_store():
    """The store of a store-bound user (None for head office and anonymous users)."""
    from flask_login import current_user

    from app.security import current_staff, is_hq

    if not current_user.is_authenticated or is_hq():
        return None
    staff = current_staff()
    return getattr(staff, "store", None) if staff is not None else None


def _layout_context() -> dict:
    return {"retail_sidebar": sidebar, "retail_breadcrumbs": breadcrumbs, "retail_store": user_store}


def error_page(exc: HTTPException):
    """An admin error page inside the layout, with a way back; plain text if that fails."""
    code = exc.code or 500
    title, text = ERROR_TEXTS.get(code, ERROR_TEXTS[500 if code >= 500 else 400])
    try:
        if code >= 500:
            from app.extensions import db

            db.session.rollback()  # the failed request's transaction must not break the page
        appbuilder = current_app.appbuilder
        body = render_template("retail/error.html", code=code, title=title, text=text,
                               appbuilder=appbuilder, base_template=appbuilder.base_template)
    except Exception:  # the layout itself failed (e.g. the database is gone)
        current_app.logger.exception("error page could not be rendered")
        body = f"{code} {title}"
    return body, code


def install_layout(app: Flask) -> None:
    app.context_processor(_layout_context)
