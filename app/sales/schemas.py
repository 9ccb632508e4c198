"""Input schemas of the POS order endpoints (unknown fields are refused)."""

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.api import MAX_ID

MAX_FEN = 100_000_000_00  # 100 million yuan: beyond any single retail order


class OrderLineIn(Schema):
    sku_code = fields.String(validate=validate.Length(min=1, max=32))
    barcode = fields.String(validate=validate.Length(min=1, max=32))
    qty = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=9999))
    price_fen = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_FEN))
    discount_fen = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_FEN))

    @validates_schema
    def one_product_key(self, data, **kwargs):
        if not data.get("sku_code") and not data.get("barcode"):
            raise ValidationError(str(_l("Give sku_code or barcode.")), "sku_code")


class PaymentIn(Schema):
    method = fields.String(required=True, validate=validate.Length(min=1, max=20))
    amount_fen = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_FEN))
    code = fields.String(validate=validate.Length(max=64))


class ApprovalIn(Schema):
    """A store manager approving a price override on the till (their login)."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class OrderIn(Schema):
    member_id = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=MAX_ID))
    lines = fields.List(fields.Nested(OrderLineIn), required=True, validate=validate.Length(min=1, max=200))
    payments = fields.List(fields.Nested(PaymentIn), required=True, validate=validate.Length(min=1, max=10))
    discount_fen = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_FEN))
    points_used = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=10**9))
    note = fields.String(load_default="", validate=validate.Length(max=200))
    approval = fields.Nested(ApprovalIn)


class ReturnLineIn(Schema):
    line_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))
    qty = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=9999))


class ReturnIn(Schema):
    lines = fields.List(fields.Nested(ReturnLineIn), validate=validate.Length(min=1, max=200))
