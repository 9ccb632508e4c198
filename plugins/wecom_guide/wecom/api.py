"""``GET guide/open-bill``: the guide's scan-to-open-bill screen (mode, the guide's WeCom QR or
"ask your admin to set your WeCom QR"); ``GET guide/open-bill/check?member_id=``: may a bill be
opened for this customer (in the WeCom modes only for the guide's WeCom friends)."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from app.api import MAX_ID, RetailApi, protect, read_only
from app.errors import DomainError
from app.security import current_staff


class OpenBillScreenOut(Schema):
    mode = fields.String(
        required=True,
        metadata={"description": "miniprogram, h5, wecom_miniprogram, wecom_h5 (off is refused)"},
    )
    mode_label = fields.String(required=True)
    wecom = fields.Boolean(required=True, metadata={"description": "a WeCom mode"})
    qr_code = fields.String(required=True, allow_none=True, metadata={"description": "the guide's WeCom QR"})
    hint = fields.String(required=True)
    problem = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "WECOM_QR_MISSING when the guide has no WeCom QR"},
    )


class OpenBillCheckQuery(Schema):
    member_id = fields.Integer(required=True)


class OpenBillCheckOut(Schema):
    allowed = fields.Boolean(required=True)
    mode = fields.String(required=True)


def _guide_staff_id() -> int:
    staff = current_staff()
    if staff is None or staff.status != "active" or staff.store_id is None:
        raise DomainError("GUIDE_REQUIRED", _l("This needs an active guide account bound to a store."))
    return staff.id


def _member_id_arg() -> int:
    raw = request.args.get("member_id") or ""
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise DomainError(
            "VALIDATION_ERROR",
            _l("Some fields are invalid."),
            fields={"member_id": [str(_l("Not a valid integer."))]},
        )
    return int(raw)


class GuideOpenBillApi(RetailApi):
    route_base = "/api/v1/guide"
    resource_name = "guide-open-bill"
    class_permission_name = "GuideOpenBill"
    openapi_spec_tag = "Guide workbench"
    method_permission_name = {"screen": "read", "check": "read"}

    @expose("/open-bill", methods=["GET"])
    @protect()
    @read_only
    def screen(self):
        """The guide's scan-to-open-bill screen.
        ---
        get:
          responses:
            200:
              description: the mode, and in the WeCom modes the guide's WeCom QR (or the problem)
              x-result: OpenBillScreenOut
          x-error-codes: [GUIDE_REQUIRED, OPEN_BILL_OFF]
        """
        from plugins.wecom_guide.wecom.open_bill import open_bill_screen

        return self.response(200, result=open_bill_screen(_guide_staff_id()))

    @expose("/open-bill/check", methods=["GET"])
    @protect()
    @read_only
    def check(self):
        """May the guide open a bill for this customer now?
        ---
        get:
          parameters:
          - {in: query, schema: OpenBillCheckQuery}
          responses:
            200:
              description: allowed
              x-result: OpenBillCheckOut
          x-error-codes: [GUIDE_REQUIRED, VALIDATION_ERROR, OPEN_BILL_OFF, WECOM_QR_MISSING, WECOM_NOT_FRIEND]
        """
        from plugins.wecom_guide.wecom.open_bill import check_open_bill

        staff_id = _guide_staff_id()
        return self.response(200, result=check_open_bill(_member_id_arg(), staff_id))
