"""Admin views of stores and staff."""

from flask import flash, redirect
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.admin import AUDIT_LABELS, READ_WRITE_VIEW_METHODS, StoreScopedModelView
from app.org.models import Staff, Store
from app.org.services import mark_staff_left


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

    @action(
        "mark_left",
        _l("Mark as left"),
        _l("Mark the selected staff as left? Their login is deactivated."),
        "fa-user-times",
    )
    def mark_left(self, items):
        items = items if isinstance(items, list) else [items]
        for staff in items:
            mark_staff_left(staff)
        flash(str(_l("Marked %(n)s staff member(s) as left.", n=len(items))), "info")
        self.update_redirect()
        return redirect(self.get_redirect())

