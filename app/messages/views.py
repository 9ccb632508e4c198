"""Admin views: the logged-in user's own messages (消息中心) and the SMS outbox (HQ only)."""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_appbuilder import expose
from flask_appbuilder.actions import action as row_action
from flask_appbuilder.models.sqla.filters import FilterEqualFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.actor import acting_user
from app.admin import RetailModelView
from app.admin_actions import selected_rows
from app.formatting import register_labels
from app.messages import services
from app.messages.models import Message, SmsOutbox

MESSAGE_METHODS = {
    "list": "read",
    "show": "read",
    "delete": "write",
    "action": "write",
    "action_post": "write",
    "mark_read": "write",  # actions: keyed by their function name
    "delete_selected": "write",
}


register_labels("message_kind", {"notice": _l("Notice"), "hq": _l("Headquarters notice")})
register_labels("sms_template", {
    "mall_login": _l("Mall login code"), "sv_recharge": _l("Stored-value recharge"),
})
register_labels("sms_status", {"queued": _l("Queued"), "sent": _l("Sent"), "failed": _l("Failed")})


def current_user_id():
    return getattr(acting_user(), "id", None)


def _read_flag(is_read) -> Markup:
    if is_read:
        return Markup('<span class="text-muted">%s</span>') % _l("Read")
    return Markup('<strong class="label label-primary">%s</strong>') % _l("Unread")


class MessageView(RetailModelView):
    """Only the logged-in user's messages: the base filter limits list/show/delete,
    and the action endpoints (which FAB runs without base filters) re-check ownership."""

    datamodel = SQLAInterface(Message)
    class_permission_name = "Messages"
    method_permission_name = MESSAGE_METHODS
    base_permissions = ["can_read", "can_write"]  # no add/edit: messages are posted by the system
    base_filters = [["user_id", FilterEqualFunction, current_user_id]]
    base_order = ("created_on", "desc")
    list_title = _l("Message center")
    show_title = _l("Message")
    list_columns = ["is_read", "title", "kind", "created_on"]
    show_columns = ["title", "body", "kind", "is_read", "created_on"]
    search_columns = ["title", "is_read", "kind"]
    label_columns = {
        "title": _l("Title"),
        "body": _l("Content"),
        "kind": _l("Kind"),
        "is_read": _l("Read"),
        "created_on": _l("Sent on"),
    }
    label_kinds = {"kind": "message_kind"}
    formatters_columns = {
        "is_read": _read_flag,
        "body": lambda body: Markup("<div style='white-space: pre-wrap'>%s</div>") % escape(body or ""),
    }

    def _own_ids(self, items) -> list[int]:
        user_id = current_user_id()
        return [item.id for item in selected_rows(items) if item is not None and item.user_id == user_id]

    @expose("/show/<pk>", methods=["GET"])
    def show(self, pk):
        response = super().show(pk)  # 404 for messages of other users (base filter)
        services.mark_read(acting_user(), [pk])
        return response

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if self.datamodel.get(self._deserialize_pk_if_composite(pk), self._base_filters) is None:
            abort(404)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        # FAB loads the selected rows without base filters; the actions below keep own rows only
        if not request.form.getlist("rowid"):
            flash(str(_l("Select at least one message.")), "warning")
            return redirect(self.get_redirect())
        return super().action_post()

    @row_action("mark_read", _l("Mark as read"), "", "fa-envelope-open")
    def mark_read(self, items):
        count = services.mark_read(acting_user(), self._own_ids(items))
        flash(str(_l("Marked %(n)s message(s) as read.", n=count)), "info")
        self.update_redirect()
        return redirect(self.get_redirect())

    @row_action("delete_selected", _l("Delete"), _l("Delete the selected messages?"), "fa-trash")
    def delete_selected(self, items):
        count = services.delete_messages(acting_user(), self._own_ids(items))
        flash(str(_l("Deleted %(n)s message(s).", n=count)), "info")
        self.update_redirect()
        return redirect(self.get_redirect())


class SmsOutboxView(RetailModelView):
    """Read-only list of every SMS the default backend recorded (HQ only)."""

    datamodel = SQLAInterface(SmsOutbox)
    class_permission_name = "SmsOutbox"
    method_permission_name = {"list": "read", "show": "read"}
    base_permissions = ["can_read"]
    base_order = ("created_on", "desc")
    list_title = _l("SMS outbox")
    show_title = _l("SMS")
    list_columns = ["phone", "template", "body", "status", "created_on"]
    show_columns = list_columns
    search_columns = ["phone", "template", "status"]
    label_kinds = {"status": "sms_status", "template": "sms_template"}
    label_columns = {
        "phone": _l("Phone"),
        "template": _l("Template"),
        "body": _l("Content"),
        "status": _l("Status"),
        "created_on": _l("Created on"),
    }
