"""Admin pages of the WeCom integration: guides' WeCom accounts and QRs (bind, make the QR),
customers' WeCom friendships, callback events (retry a failed one) and the WeCom call log."""

from __future__ import annotations

from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.actor import acting_user
from app.admin import RetailModelView, StoreScopedModelView
from app.admin_actions import run_bulk
from app.admin_fields import FieldError
from app.extensions import db
from app.formatting import register_labels
from app.platform.staff import Staff
from plugins.wecom_guide.models import WeComCall, WeComContact, WeComContactWay, WeComEvent

register_labels(
    "wecom_way_status", {"none": _l("No QR yet"), "active": _l("QR ready"), "failed": _l("QR failed")}
)
register_labels("wecom_contact_status", {"friend": _l("Friends"), "deleted": _l("Deleted")})
register_labels(
    "wecom_event_status",
    {"received": _l("Processing"), "done": _l("Done"), "failed": _l("Failed"), "ignored": _l("Ignored")},
)
register_labels(
    "wecom_event_result",
    {
        "linked": _l("Member linked to the guide"),
        "kept": _l("Member keeps their guide"),
        "unmatched": _l("No member matched"),
        "removed": _l("Friendship ended"),
        "unknown_guide": _l("Unknown guide"),
        "unknown_contact": _l("Unknown contact"),
        "not_handled": _l("Not handled"),
        "wecom_error": _l("WeCom error"),
        "error": _l("Error"),
    },
)
register_labels(
    "wecom_welcome_status", {"sent": _l("Sent"), "failed": _l("Failed"), "skipped": _l("Skipped")}
)
register_labels(
    "wecom_op",
    {
        "gettoken": _l("Get access token"),
        "add_contact_way": _l("Make contact-me QR"),
        "del_contact_way": _l("Delete contact-me QR"),
        "get_external_contact": _l("Read external contact"),
        "send_welcome_msg": _l("Send welcome message"),
    },
)
register_labels(
    "audit_action",
    {
        "wecom.bind_user": _l("WeCom userid bound"),
        "wecom.qr_made": _l("WeCom QR made"),
        "wecom.qr_failed": _l("WeCom QR failed"),
        "wecom.callback_refused": _l("WeCom callback refused"),
        "wecom.event_failed": _l("WeCom event failed"),
        "wecom.event_refused": _l("WeCom event refused"),
        "wecom.contact_unmatched": _l("WeCom contact without member"),
        "wecom.welcome_failed": _l("WeCom welcome not sent"),
    },
)


def qr_image(url) -> Markup:
    url = url or ""
    if not url.startswith(("https://", "http://")):
        return Markup("")
    return Markup('<img src="{}" alt="QR" width="96" height="96" referrerpolicy="no-referrer">').format(url)


class WeComGuideView(StoreScopedModelView):
    datamodel = SQLAInterface(WeComContactWay)
    class_permission_name = "WeComGuides"
    list_title = _l("WeCom guides")
    add_title = _l("Bind a guide to WeCom")
    edit_title = _l("Edit the guide's WeCom userid")
    show_title = _l("Guide's WeCom")
    list_columns = ["staff", "store", "wecom_userid", "status", "qr_code", "last_error"]
    show_columns = ["staff", "store", "wecom_userid", "status", "qr_code", "config_id", "state", "last_error"]
    add_columns = ["staff", "wecom_userid"]
    edit_columns = ["wecom_userid"]
    search_columns = ["staff", "store", "wecom_userid", "status"]
    label_kinds = {"status": "wecom_way_status"}
    add_query_rel_fields = {"staff": [["status", FilterEqual, "active"]]}
    formatters_columns = {"qr_code": qr_image}
    label_columns = {
        "staff": _l("Guide"),
        "store": _l("Store"),
        "wecom_userid": _l("WeCom userid"),
        "status": _l("Status"),
        "qr_code": _l("Contact-me QR"),
        "config_id": _l("WeCom config_id"),
        "state": _l("QR state"),
        "last_error": _l("Last error"),
    }
    description_columns = {"wecom_userid": _l("The guide's account (userid) in the WeCom admin console.")}

    def pre_add(self, item):
        self._check(item)
        staff = db.session.get(Staff, item.staff_id) if item.staff_id else item.staff
        if staff is None or staff.status != "active":
            raise FieldError("staff", _l("The guide does not exist or has left."))
        taken = db.session.query(WeComContactWay.id).filter(WeComContactWay.staff_id == staff.id).first()
        if taken is not None:
            raise FieldError("staff", _l("This guide is bound already: edit their row."))
        item.store_id = staff.store_id

    def pre_update(self, item):
        self._check(item)
        item.config_id, item.qr_code, item.status = (
            (None, "", "none") if self._userid_changed(item) else (item.config_id, item.qr_code, item.status)
        )

    @staticmethod
    def _userid_changed(item) -> bool:
        from sqlalchemy import inspect

        history = inspect(item).attrs.wecom_userid.history
        return bool(history.deleted) and history.deleted[0] != item.wecom_userid

    @staticmethod
    def _check(item):
        from plugins.wecom_guide.wecom.contact_way import USERID

        item.wecom_userid = (item.wecom_userid or "").strip()
        if not USERID.match(item.wecom_userid):
            raise FieldError("wecom_userid", _l("A WeCom userid is 1 to 64 letters, digits or _ . @ -."))
        other = (
            db.session.query(WeComContactWay.id)
            .filter(WeComContactWay.wecom_userid == item.wecom_userid, WeComContactWay.id != (item.id or 0))
            .first()
        )
        if other is not None:
            raise FieldError("wecom_userid", _l("This WeCom userid belongs to another guide."))

    @action(
        "make_qr",
        _l("Make WeCom QR"),
        _l("Make (or remake) the contact-me QR of the selected guides on WeCom?"),
        "fa-qrcode",
    )
    def make_qr(self, items):
        from plugins.wecom_guide.wecom.contact_way import make_guide_qr

        return run_bulk(
            self,
            items,
            lambda row: make_guide_qr(row.staff_id, acting_user()),
            lambda row: row.wecom_userid,
            _l("WeCom QR made."),
        )


class WeComContactView(RetailModelView):
    datamodel = SQLAInterface(WeComContact)
    class_permission_name = "WeComContacts"
    base_permissions = ["can_read"]
    list_title = _l("WeCom customer contacts")
    list_columns = ["name", "member", "staff", "wecom_userid", "status", "added_at", "removed_at"]
    search_columns = ["name", "staff", "wecom_userid", "external_userid", "status", "added_at"]
    label_kinds = {"status": "wecom_contact_status"}
    base_order = ("id", "desc")
    label_columns = {
        "name": _l("WeCom name"),
        "member": _l("Member"),
        "staff": _l("Guide"),
        "wecom_userid": _l("WeCom userid"),
        "external_userid": _l("External userid"),
        "unionid": _l("Unionid"),
        "state": _l("QR state"),
        "status": _l("Status"),
        "added_at": _l("Added at"),
        "removed_at": _l("Removed at"),
    }


class WeComEventView(RetailModelView):
    datamodel = SQLAInterface(WeComEvent)
    class_permission_name = "WeComEvents"
    base_permissions = ["can_read", "can_write"]  # written by WeCom's callbacks only; HQ may retry
    method_permission_name = {
        "list": "read",
        "show": "read",
        "action": "write",
        "action_post": "write",
        "retry_event": "write",
    }
    list_title = _l("WeCom callback events")
    list_columns = [
        "received_at",
        "change_type",
        "status",
        "result",
        "staff",
        "member",
        "welcome_status",
        "attempts",
        "error_code",
    ]
    show_exclude_columns = ["dedupe_key"]
    search_columns = ["change_type", "status", "result", "external_userid", "wecom_userid", "received_at"]
    label_kinds = {
        "status": "wecom_event_status",
        "result": "wecom_event_result",
        "welcome_status": "wecom_welcome_status",
    }
    base_order = ("id", "desc")
    label_columns = {
        "received_at": _l("Received at"),
        "processed_at": _l("Processed at"),
        "event": _l("Event"),
        "change_type": _l("Change type"),
        "status": _l("Status"),
        "result": _l("Result"),
        "staff": _l("Guide"),
        "member": _l("Member"),
        "welcome_status": _l("Welcome message"),
        "attempts": _l("Attempts"),
        "error_code": _l("Error code"),
        "error": _l("Error"),
        "wecom_userid": _l("WeCom userid"),
        "external_userid": _l("External userid"),
        "create_time": _l("WeCom event time"),
        "payload": _l("Event"),
    }

    def allowed_actions(self, item):
        return {"retry_event"} if item.status in ("failed", "received") else set()  # (received: if stuck)

    @action("retry_event", _l("Retry"), _l("Process the selected failed events again?"), "fa-refresh")
    def retry_event(self, items):
        from plugins.wecom_guide.wecom.events import retry

        return run_bulk(
            self,
            items,
            lambda row: retry(row.id),
            lambda row: row.change_type,
            _l("Processed again: see each event's status."),
        )


class WeComCallView(RetailModelView):
    datamodel = SQLAInterface(WeComCall)
    class_permission_name = "WeComCalls"
    base_permissions = ["can_read"]
    list_title = _l("WeCom API calls")
    list_columns = ["created_on", "op", "ok", "errcode", "error_code", "http_status", "duration_ms"]
    search_columns = ["op", "ok", "error_code", "created_on"]
    label_kinds = {"op": "wecom_op"}
    base_order = ("id", "desc")
    label_columns = {
        "created_on": _l("Time"),
        "op": _l("Operation"),
        "ok": _l("Succeeded"),
        "errcode": _l("WeCom errcode"),
        "error_code": _l("Error code"),
        "http_status": _l("HTTP status"),
        "duration_ms": _l("Duration (ms)"),
        "request": _l("Request"),
        "response": _l("Response"),
    }
