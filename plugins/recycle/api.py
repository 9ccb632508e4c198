"""The trade-in API: ``pos/recycle/...`` for guides and POS terminals (take in a device, follow
it, re-quote, cancel) and ``recycle/...`` for reviewers (merchant HQ and service providers: list
and quote).  Every order goes through ``services.visible_order``: one of another store or
provider answers 404."""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields, validate

from app.actor import acting_user
from app.api import RetailApi, idempotent, json_body, protect, read_only
from app.errors import DomainError
from app.extensions import db
from app.openapi import InputSchema
from app.security import caller_store_id, current_staff
from plugins.recycle import services
from plugins.recycle.models import (
    CATEGORIES,
    CONDITION_CHECKS,
    MODES,
    SETTLEMENT_METHODS,
    STATES,
    RecycleOrder,
)

PAGE_SIZE = 50


class RecyclePhotoIn(InputSchema):
    data = fields.String(required=True, metadata={"description": "the image, base64 (JPEG, PNG or WebP)"})


class RecyclePhotoOut(Schema):
    id = fields.Integer(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)


class RecycleOrderIn(InputSchema):
    mode = fields.String(required=True, validate=validate.OneOf(MODES))
    provider_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    settlement_method = fields.String(
        load_default="payment_code", validate=validate.OneOf(SETTLEMENT_METHODS)
    )
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    brand = fields.String(required=True, validate=validate.Length(min=1, max=50))
    model = fields.String(required=True, validate=validate.Length(min=1, max=100))
    capacity = fields.String(load_default="", validate=validate.Length(max=20))
    colour = fields.String(load_default="", validate=validate.Length(max=20))
    imei = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=15))
    serial_no = fields.String(load_default="", validate=validate.Length(max=40))
    condition = fields.List(
        fields.String(validate=validate.OneOf(CONDITION_CHECKS)),
        load_default=list,
        validate=validate.Length(max=len(CONDITION_CHECKS)),
    )
    remark = fields.String(load_default="", validate=validate.Length(max=500))
    member_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    customer_phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=11))
    customer_name = fields.String(load_default="", validate=validate.Length(max=50))
    photo_ids = fields.List(fields.Integer(strict=True), load_default=list, validate=validate.Length(max=20))


class RecycleRequoteIn(InputSchema):
    confirm = fields.Boolean(load_default=False, metadata={"description": "true: the guide confirmed"})


class RecycleCancelIn(InputSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=200))


class RecycleQuoteIn(InputSchema):
    amount_fen = fields.Integer(required=True, strict=True)
    remark = fields.String(load_default="", validate=validate.Length(max=200))


class RecycleQuoteOut(Schema):
    amount_fen = fields.Integer(required=True)
    quoted_at = fields.String(required=True)
    superseded_at = fields.String(required=True, allow_none=True)
    provider = fields.String(required=True, allow_none=True)


class RecycleTransitionOut(Schema):
    from_state = fields.String(required=True, allow_none=True)
    to_state = fields.String(required=True)
    at = fields.String(required=True)
    by = fields.String(required=True, allow_none=True)
    note = fields.String(required=True)


class RecycleOrderOut(Schema):
    id = fields.Integer(required=True)
    order_no = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    mode = fields.String(required=True)
    store = fields.String(required=True)
    guide = fields.String(required=True, allow_none=True)
    provider_id = fields.Integer(required=True, allow_none=True)
    provider = fields.String(required=True, allow_none=True)
    settlement_method = fields.String(required=True)
    category = fields.String(required=True)
    brand = fields.String(required=True)
    model = fields.String(required=True)
    capacity = fields.String(required=True)
    colour = fields.String(required=True)
    imei = fields.String(required=True, allow_none=True)
    serial_no = fields.String(required=True)
    condition = fields.List(fields.String(), required=True)
    remark = fields.String(required=True)
    member_id = fields.Integer(required=True, allow_none=True)
    customer_phone = fields.String(required=True, metadata={"description": "a provider: masked, 138****0000"})
    customer_name = fields.String(required=True, metadata={"description": "a provider: masked, 张*"})
    quote_fen = fields.Integer(required=True, allow_none=True)
    quoted_at = fields.String(required=True, allow_none=True)
    requote_count = fields.Integer(required=True)
    created_on = fields.String(required=True)
    # the detail answer only (a list's rows leave them out)
    photo_ids = fields.List(fields.Integer(), metadata={"description": "detail only"})
    quote_history = fields.List(fields.Nested(RecycleQuoteOut), metadata={"description": "detail only"})
    transitions = fields.List(fields.Nested(RecycleTransitionOut), metadata={"description": "detail only"})
    guide_phone = fields.String(
        allow_none=True,
        metadata={"description": "detail only: to the reviewer, when reviewer-guide phone contact is on"},
    )
    reviewer_phone = fields.String(
        allow_none=True,
        metadata={"description": "detail only: to the guide, when reviewer-guide phone contact is on"},
    )


def _time(value) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _customer(order: RecycleOrder) -> dict:
    shown = services.shown_customer(acting_user(), order)
    return {"customer_phone": shown["customer_phone"], "customer_name": shown["customer_name"]}


def order_json(order: RecycleOrder, for_reviewer: bool, full: bool = True) -> dict:
    data = {
        "id": order.id,
        "order_no": order.order_no,
        "state": order.state,
        "mode": order.mode,
        "store": order.store.name,
        "guide": order.guide.name if order.guide else None,
        "provider_id": order.provider_id,
        "provider": order.provider.name if order.provider else None,
        "settlement_method": order.settlement_method,
        "category": order.category,
        "brand": order.brand,
        "model": order.model,
        "capacity": order.capacity,
        "colour": order.colour,
        "imei": order.imei,
        "serial_no": order.serial_no,
        "condition": list(order.condition or []),
        "remark": order.remark,
        "member_id": order.member_id,
        **_customer(order),
        "quote_fen": order.quote_fen,
        "quoted_at": _time(order.quoted_at),
        "requote_count": order.requote_count,
        "created_on": _time(order.created_on),
    }
    if not full:
        return data
    from plugins.recycle.models import RecyclePhoto

    data["photo_ids"] = list(
        db.session.scalars(
            db.select(RecyclePhoto.id).where(RecyclePhoto.order_id == order.id).order_by(RecyclePhoto.id)
        )
    )
    data["quote_history"] = [
        {
            "amount_fen": q.amount_fen,
            "quoted_at": _time(q.created_on),
            "superseded_at": _time(q.superseded_at),
            "provider": q.provider.name if q.provider else None,
        }
        for q in services.quote_history(order.id)
    ]
    data["transitions"] = [
        {
            "from_state": t.from_state,
            "to_state": t.to_state,
            "at": _time(t.created_on),
            "by": t.user.username if t.user else None,
            "note": t.note,
        }
        for t in services.transitions_of(order.id)
    ]
    data["guide_phone"] = services.guide_phone(order) if for_reviewer else None
    data["reviewer_phone"] = None if for_reviewer else services.reviewer_phone(order)
    return data


def _list(viewer, for_reviewer: bool):
    query = services.visible_orders(viewer)
    state = request.args.get("state")
    if state:
        if state not in STATES:
            raise DomainError(
                "VALIDATION_ERROR",
                _l("Some fields are invalid."),
                fields={"state": [str(_l("Choose one of: %(choices)s.", choices=", ".join(STATES)))]},
            )
        query = query.where(RecycleOrder.state == state)
    try:
        page = max(int(request.args.get("page", 0)), 0)
    except ValueError:
        page = 0
    rows = db.session.scalars(
        query.order_by(RecycleOrder.id.desc()).limit(PAGE_SIZE).offset(page * PAGE_SIZE)
    )
    return [order_json(o, for_reviewer, full=False) for o in rows]


def _photo_response(viewer, photo_id: int) -> Response:
    photo = services.visible_photo(viewer, photo_id)
    path = services.photo_path(photo)
    response = Response(path.read_bytes(), mimetype=photo.content_type)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


class PosRecycleApi(RetailApi):
    route_base = "/api/v1/pos/recycle"
    resource_name = "pos-recycle"
    class_permission_name = "PosRecycle"
    openapi_spec_tag = "POS trade-in (recycle)"
    method_permission_name = {
        "upload_photo": "write",
        "photo": "read",
        "create": "write",
        "orders": "read",
        "order": "read",
        "requote_order": "write",
        "cancel_order": "write",
    }

    @expose("/photos", methods=["POST"])
    @protect()
    def upload_photo(self):
        """Upload one photo of a device (base64 in JSON), to name in ``photo_ids`` of a new order.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: RecyclePhotoIn
          responses:
            201:
              description: the stored photo
              x-result: RecyclePhotoOut
          x-error-codes: [STORE_REQUIRED, RECYCLE_PHOTO_TYPE_INVALID, RECYCLE_PHOTO_TOO_LARGE]
        """
        data = json_body(RecyclePhotoIn())
        store_id = caller_store_id()
        photo = services.save_photo(store_id, acting_user(), services.decode_photo(data["data"]))
        return self.response(
            201, result={"id": photo.id, "content_type": photo.content_type, "size": photo.size}
        )

    @expose("/photos/<int:photo_id>", methods=["GET"])
    @protect()
    @read_only
    def photo(self, photo_id: int):
        """A photo of a trade-in the caller may see (the image itself).
        ---
        get:
          responses:
            200:
              description: the image (image/jpeg, image/png or image/webp)
              content:
                image/jpeg:
                  schema: {type: string, format: binary}
                image/png:
                  schema: {type: string, format: binary}
                image/webp:
                  schema: {type: string, format: binary}
          x-error-codes: [NOT_FOUND, RECYCLE_ORDER_NOT_FOUND]
        """
        return _photo_response(acting_user(), photo_id)

    @expose("/orders", methods=["POST"])
    @protect()
    @idempotent
    def create(self):
        """Take in a device: a trade-in order pending review (send an Idempotency-Key).
        ---
        post:
          description: >-
            The caller's store; the caller is the guide. A member (member_id) or a walk-in
            customer (customer_phone); the IMEI (checked with its Luhn digit) or the serial number;
            at least one photo uploaded by this store (photo_ids).
          requestBody:
            required: true
            content:
              application/json:
                schema: RecycleOrderIn
          responses:
            201:
              description: the order
              x-result: RecycleOrderOut
          x-error-codes: [STORE_REQUIRED, RECYCLE_MODE_INVALID, RECYCLE_PROVIDER_REQUIRED,
            RECYCLE_PROVIDER_NOT_FOUND, RECYCLE_IMEI_INVALID, RECYCLE_DEVICE_ID_REQUIRED,
            RECYCLE_CUSTOMER_REQUIRED, INVALID_PHONE, MEMBER_NOT_FOUND, RECYCLE_PHOTOS_REQUIRED,
            RECYCLE_PHOTO_NOT_FOUND]
        """
        data = json_body(RecycleOrderIn())
        store_id = caller_store_id()
        staff = current_staff()
        order = services.create_order(acting_user(), store_id, staff.id if staff else None, data)
        return self.response(201, result=order_json(order, for_reviewer=False))

    @expose("/orders", methods=["GET"])
    @protect()
    @read_only
    def orders(self):
        """The trade-ins of the caller's store, newest first (``state``, ``page`` of 50).
        ---
        get:
          parameters:
          - {in: query, name: state, schema: {type: string, enum: [pending_review, quoted, paid, completed,
             cancelled]}}
          - {in: query, name: page, schema: {type: integer, minimum: 0}}
          responses:
            200:
              description: the orders (without photos, history and transitions)
              x-results: RecycleOrderOut
          x-error-codes: [VALIDATION_ERROR]
        """
        result = _list(acting_user(), for_reviewer=False)
        return self.response(200, count=len(result), result=result)

    @expose("/orders/<int:order_id>", methods=["GET"])
    @protect()
    @read_only
    def order(self, order_id: int):
        """One trade-in with its photos, quote history and transitions.
        ---
        get:
          responses:
            200:
              description: the order
              x-result: RecycleOrderOut
          x-error-codes: [RECYCLE_ORDER_NOT_FOUND]
        """
        order = services.visible_order(acting_user(), order_id)
        return self.response(200, result=order_json(order, for_reviewer=False))

    @expose("/orders/<int:order_id>/requote", methods=["POST"])
    @protect()
    def requote_order(self, order_id: int):
        """Re-quote (重新报价): a quoted order back to pending review, once the guide confirmed.
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: RecycleRequoteIn
          responses:
            200:
              description: the order, pending review again
              x-result: RecycleOrderOut
          x-error-codes: [RECYCLE_REQUOTE_DISABLED, RECYCLE_CONFIRM_REQUIRED, RECYCLE_ORDER_NOT_FOUND,
            RECYCLE_STATE_INVALID, RECYCLE_STATE_CHANGED]
        """
        data = json_body(RecycleRequoteIn())
        order = services.requote(acting_user(), order_id, data["confirm"])
        return self.response(200, result=order_json(order, for_reviewer=False))

    @expose("/orders/<int:order_id>/cancel", methods=["POST"])
    @protect()
    def cancel_order(self, order_id: int):
        """Cancel a trade-in pending review or quoted.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: RecycleCancelIn
          responses:
            200:
              description: the cancelled order
              x-result: RecycleOrderOut
          x-error-codes: [RECYCLE_ORDER_NOT_FOUND, RECYCLE_STATE_INVALID, RECYCLE_STATE_CHANGED]
        """
        data = json_body(RecycleCancelIn()) if request.get_data() else {"reason": ""}
        order = services.cancel(acting_user(), order_id, data["reason"])
        return self.response(200, result=order_json(order, for_reviewer=False))


class RecycleReviewApi(RetailApi):
    route_base = "/api/v1/recycle"
    resource_name = "recycle-review"
    class_permission_name = "RecycleReview"
    openapi_spec_tag = "Trade-in review (recycle)"
    method_permission_name = {"orders": "read", "order": "read", "photo": "read", "quote_order": "write"}

    @expose("/orders", methods=["GET"])
    @protect()
    @read_only
    def orders(self):
        """The trade-ins the caller may see: HQ all, a provider's user its provider's and the ones open
        for its bids (``state``, ``page`` of 50).
        ---
        get:
          parameters:
          - {in: query, name: state, schema: {type: string, enum: [pending_review, quoted, paid, completed,
             cancelled]}}
          - {in: query, name: page, schema: {type: integer, minimum: 0}}
          responses:
            200:
              description: the orders (without photos, history and transitions)
              x-results: RecycleOrderOut
          x-error-codes: [VALIDATION_ERROR]
        """
        result = _list(acting_user(), for_reviewer=True)
        return self.response(200, count=len(result), result=result)

    @expose("/orders/<int:order_id>", methods=["GET"])
    @protect()
    @read_only
    def order(self, order_id: int):
        """One trade-in with its photos, quote history and transitions.
        ---
        get:
          responses:
            200:
              description: the order
              x-result: RecycleOrderOut
          x-error-codes: [RECYCLE_ORDER_NOT_FOUND]
        """
        order = services.visible_order(acting_user(), order_id)
        return self.response(200, result=order_json(order, for_reviewer=True))

    @expose("/photos/<int:photo_id>", methods=["GET"])
    @protect()
    @read_only
    def photo(self, photo_id: int):
        """A photo of a trade-in the caller may see (the image itself).
        ---
        get:
          responses:
            200:
              description: the image (image/jpeg, image/png or image/webp)
              content:
                image/jpeg:
                  schema: {type: string, format: binary}
                image/png:
                  schema: {type: string, format: binary}
                image/webp:
                  schema: {type: string, format: binary}
          x-error-codes: [NOT_FOUND, RECYCLE_ORDER_NOT_FOUND]
        """
        return _photo_response(acting_user(), photo_id)

    @expose("/orders/<int:order_id>/quote", methods=["POST"])
    @protect()
    def quote_order(self, order_id: int):
        """Quote a trade-in pending review (its reviewer only: the mode decides who).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema: RecycleQuoteIn
          responses:
            200:
              description: the quoted order
              x-result: RecycleOrderOut
          x-error-codes: [RECYCLE_ORDER_NOT_FOUND, RECYCLE_QUOTE_INVALID, RECYCLE_NOT_REVIEWER,
            RECYCLE_NO_WINNER, RECYCLE_STATE_INVALID, RECYCLE_STATE_CHANGED]
        """
        data = json_body(RecycleQuoteIn())
        order = services.quote(acting_user(), order_id, data["amount_fen"], data["remark"])
        return self.response(200, result=order_json(order, for_reviewer=True))
