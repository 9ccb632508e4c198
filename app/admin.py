"""Admin view base classes: one read/write permission per resource, store scoping."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, request
from flask_appbuilder import ModelView, expose
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError as WTFValidationError

from app.admin_fields import ReadableFormsMixin
from app.security import FilterStoreScope, can_see_store, scoped_store_id

# labels of the Audited mixin's columns, shared by every view that shows them
AUDIT_LABELS = {"created_on": _l("Created on"), "changed_on": _l("Changed on")}

READ_WRITE_VIEW_METHODS = {
    "list": "read",
    "show": "read",
    "download": "read",
    "export": "read",  # app.list_export: the filtered list as CSV/XLSX
    "add": "write",
    "edit": "write",
    "delete": "write",
    "action": "write",
    "action_post": "write",
}


def check_csrf() -> None:
    """Refuse (400) a form post of a plain admin page without a valid CSRF token (FAB's
    model views check their own forms)."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    try:
        validate_csrf(request.form.get("csrf_token", ""))
    except (CSRFError, WTFValidationError):
        abort(400)


class RetailModelView(ReadableFormsMixin, ModelView):
    """A ModelView whose permissions are ``can_read``/``can_write`` on ``class_permission_name``;
    readable values and forms that keep their input come from ``ReadableFormsMixin``."""

    method_permission_name = READ_WRITE_VIEW_METHODS
    page_size = 25


class NoEditOrDelete:
    """Mix in before the model view of records never changed or removed through a form
    (orders, ledgers, batches): the edit and delete pages do not exist, and the list and detail
    pages show no edit or delete button (FAB shows one to whoever holds the permission the
    method maps to, here ``can_write``, held for the record's other steps)."""

    exclude_route_methods = {"edit", "delete"}

    def __init__(self, **kwargs):
        methods = self.method_permission_name or {}
        self.method_permission_name = {m: p for m, p in methods.items() if m not in ("edit", "delete")}
        super().__init__(**kwargs)


class StoreScopedModelView(RetailModelView):
    """Rows carry ``store_column``; store roles see and change only their store's rows.

    FAB fetches rows for actions without ``base_filters`` and offers every store
    in dropdowns: both are closed here.
    """

    store_column = "store_id"
    store_relation = "store"

    def __init__(self, **kwargs):
        self.base_filters = [[self.store_column, FilterStoreScope, None]] + list(
            self.base_filters or []
        )
        if self.store_relation:
            only_own_store = {self.store_relation: [["id", FilterStoreScope, None]]}
            self.add_form_query_rel_fields = {**(self.add_form_query_rel_fields or {}), **only_own_store}
            self.edit_form_query_rel_fields = {**(self.edit_form_query_rel_fields or {}), **only_own_store}
            self.search_form_query_rel_fields = {
                **(self.search_form_query_rel_fields or {}),
                **only_own_store,
            }
        super().__init__(**kwargs)

    def _check_row_store(self, item) -> None:
        if item is not None and not can_see_store(getattr(item, self.store_column)):
            abort(404)

    def pre_add(self, item):
        scoped = scoped_store_id()
        if scoped is not None and self.store_relation:
            setattr(item, self.store_column, scoped)  # store staff always write to their store

    def pre_update(self, item):
        self._check_row_store(item)
        self.pre_add(item)

    def pre_delete(self, item):
        self._check_row_store(item)

    # FAB routes only methods carrying @expose: overrides must repeat it
    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        self._check_row_store(self.datamodel.get(pk))
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        for pk in request.form.getlist("rowid"):
            item = self.datamodel.get(self._deserialize_pk_if_composite(pk))
            if item is None or not can_see_store(getattr(item, self.store_column)):
                flash(str(_l("Some selected rows are not in your store.")), "danger")
                return redirect(self.get_redirect())
        return super().action_post()
