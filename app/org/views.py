"""Admin views of stores and staff."""

from flask import abort, flash, redirect, request
from flask_appbuilder import expose
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.sqla.models import User
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import get_history

from app.admin import AUDIT_LABELS, READ_WRITE_VIEW_METHODS, StoreScopedModelView
from app.admin_actions import run_bulk
from app.admin_fields import FieldError
from app.extensions import db
from app.formatting import register_labels
from app.org.models import Store
from app.org.services import mark_staff_left
from app.platform.staff import Staff
from app.security import FilterManageableUsers, can_manage_user, can_see_store

register_labels("store_kind", {"direct": _l("Direct store"), "franchise": _l("Franchise store")})
register_labels("store_status", {"active": _l("Open"), "closed": _l("Closed")})
register_labels("staff_status", {"active": _l("Employed"), "left": _l("Left")})

NOT_MANAGEABLE = _l("You may not manage this login: it is an HQ account or belongs to another store.")


class StoreView(StoreScopedModelView):
    datamodel = SQLAInterface(Store)
    class_permission_name = "Stores"
    store_column = "id"
    store_relation = None
    list_title = _l("Stores")
    show_title = _l("Store")
    add_title = _l("Add store")
    edit_title = _l("Edit store")
    list_columns = ["code", "name", "kind", "status", "phone"]
    search_columns = ["code", "name", "kind", "status"]
    add_columns = edit_columns = ["code", "name", "kind", "status", "phone", "address"]
    show_columns = add_columns + ["created_on", "changed_on"]
    order_columns = ["code", "name"]
    label_columns = {
        "code": _l("Store code"),
        "name": _l("Name"),
        "kind": _l("Kind"),
        "status": _l("Status"),
        "phone": _l("Phone"),
        "address": _l("Address"),
        **AUDIT_LABELS,
    }
    base_order = ("code", "asc")
    label_kinds = {"kind": "store_kind", "status": "store_status"}


class StaffView(StoreScopedModelView):
    datamodel = SQLAInterface(Staff)
    class_permission_name = "Staff"
    method_permission_name = {**READ_WRITE_VIEW_METHODS, "mark_left": "write"}
    list_title = _l("Staff")
    show_title = _l("Staff member")
    add_title = _l("Add staff member")
    edit_title = _l("Edit staff member")
    list_columns = ["employee_no", "name", "store", "phone", "status"]
    search_columns = ["employee_no", "name", "store", "phone", "status"]
    add_columns = edit_columns = ["user", "store", "employee_no", "name", "phone"]
    show_columns = ["employee_no", "name", "user", "store", "phone", "status", "left_on"]
    label_columns = {
        "employee_no": _l("Employee no."),
        "name": _l("Name"),
        "user": _l("Login"),
        "store": _l("Store"),
        "phone": _l("Phone"),
        "status": _l("Status"),
        "left_on": _l("Left on"),
    }
    base_order = ("employee_no", "asc")
    label_kinds = {"status": "staff_status"}
    # the login dropdown offers only accounts the caller may manage (and a forged id fails
    # the form's validation); every write below checks again on the stored row
    add_form_query_rel_fields = edit_form_query_rel_fields = {"user": [["id", FilterManageableUsers, None]]}

    def _check_row_store(self, item) -> None:  # edit, delete, single-row actions
        super()._check_row_store(item)
        if item is not None and not can_manage_user(item.user):
            abort(403)

    def prefill_form(self, form, pk):  # the edit page is not even shown for such a row
        self._check_row_store(self.datamodel.get(pk))

    def pre_add(self, item):
        with db.session.no_autoflush:
            if not can_manage_user(item.user):
                raise FieldError("user", NOT_MANAGEABLE)
        super().pre_add(item)

    def pre_update(self, item):
        # the login before the edit (the form sets the relationship; the column still holds
        # the stored id) and the chosen one
        history = get_history(item, "user_id")
        with db.session.no_autoflush:
            before = [db.session.get(User, user_id) for user_id in (*history.deleted, *history.unchanged)]
            if not all(can_manage_user(user) for user in (*before, item.user)):
                raise FieldError("user", NOT_MANAGEABLE)
        super().pre_update(item)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        for pk in request.form.getlist("rowid"):
            item = self.datamodel.get(self._deserialize_pk_if_composite(pk))
            # rows of another store: the base class refuses them with its own message
            if item is not None and can_see_store(item.store_id) and not can_manage_user(item.user):
                flash(str(NOT_MANAGEABLE), "danger")
                return redirect(self.get_redirect())
        return super().action_post()

    @action(
        "mark_left",
        _l("Mark as left"),
        _l("Mark the selected staff as left? Their login is deactivated."),
        "fa-user-times",
    )
    def mark_left(self, items):
        return run_bulk(self, items, mark_staff_left, lambda staff: staff.name,
                        lambda n: _l("Marked %(n)s staff member(s) as left.", n=n))

