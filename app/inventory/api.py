"""POS API: alliance stock of one SKU (F4.11)."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from app.api import RetailApi, protect, read_only, validation_error
from app.catalog.services import sku_by_code, sku_name
from app.errors import DomainError
from app.inventory.services import alliance_stock
from app.security import scoped_store_id


class StockQuery(Schema):
    sku_code = fields.String(required=True, validate=validate.Length(min=1, max=32))


class StoreStockOut(Schema):
    store_id = fields.Integer(required=True)
    store_code = fields.String(required=True)
    store_name = fields.String(required=True)
    store_kind = fields.String(required=True)
    qty = fields.Integer(required=True)
    own = fields.Boolean(required=True, metadata={"description": "the caller's store"})


class StockAnswer(Schema):
    sku_code = fields.String(required=True)
    name = fields.String(required=True)
    count = fields.Integer(required=True)
    result = fields.List(fields.Nested(StoreStockOut), required=True)


class PosStockApi(RetailApi):
    resource_name = "pos"
    class_permission_name = "PosStock"
    method_permission_name = {"stock": "read"}
    openapi_spec_tag = "POS stock"

    @expose("/stock", methods=["GET"])
    @protect()
    @read_only
    def stock(self):
        """On-hand of one SKU at every active store (own store flagged with ``own``).
        ---
        get:
          parameters:
          - {in: query, schema: StockQuery}
          responses:
            200:
              description: the SKU's on-hand stock in every active store
              content:
                application/json:
                  schema: StockAnswer
          x-error-codes: [SKU_NOT_FOUND]
        """
        try:
            args = StockQuery().load(request.args.to_dict(), unknown=EXCLUDE)
        except ValidationError as err:
            raise validation_error(err) from err
        sku = sku_by_code(args["sku_code"])
        if sku is None:
            raise DomainError("SKU_NOT_FOUND", _l("Unknown SKU."))
        own = scoped_store_id()
        result = [{**row, "own": row["store_id"] == own} for row in alliance_stock(sku.id)]
        return self.response(
            200, sku_code=sku.sku_code, name=sku_name(sku), count=len(result), result=result
        )
