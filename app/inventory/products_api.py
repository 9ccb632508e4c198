"""POS API: product (SKU) lookup with the caller's store stock (inventory sits on the catalog:
the catalog knows nothing of stock)."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from app.api import RetailApi, protect, read_only, validation_error
from app.catalog.services import find_skus, sku_name
from app.errors import DomainError
from app.inventory.services import stock_levels
from app.security import NO_STORE, scoped_store_id


class ProductQuery(Schema):
    barcode = fields.String(validate=validate.Length(min=1, max=32))
    q = fields.String(validate=validate.Length(min=1, max=100))


class SkuOut(Schema):
    id = fields.Integer(required=True)
    sku_code = fields.String(required=True)
    barcode = fields.String(required=True, allow_none=True)
    name = fields.String(required=True)
    spec = fields.String(required=True, allow_none=True)
    product_code = fields.String(required=True)
    price_fen = fields.Integer(required=True)
    is_virtual = fields.Boolean(required=True)
    stock = fields.Integer(required=True, allow_none=True,
                           metadata={"description": "on hand at the caller's store; null for HQ accounts"})


def sku_row(sku, stock: int | None) -> dict:
    return {
        "id": sku.id,
        "sku_code": sku.sku_code,
        "barcode": sku.barcode,
        "name": sku_name(sku),
        "spec": sku.spec,
        "product_code": sku.product.code,
        "price_fen": sku.price_fen,
        "is_virtual": sku.product.is_virtual,
        "stock": stock,
    }


class PosProductsApi(RetailApi):
    resource_name = "pos"
    class_permission_name = "PosProducts"
    method_permission_name = {"products": "read"}
    openapi_spec_tag = "POS products"

    @expose("/products", methods=["GET"])
    @protect()
    @read_only
    def products(self):
        """Find SKUs by exact barcode or by a name / product code / SKU code fragment.
        ---
        get:
          parameters:
          - {in: query, schema: ProductQuery}
          responses:
            200:
              description: the SKUs found, with the stock at the caller's store
              x-results: SkuOut
              links:
                stock:
                  operationId: PosStockApi_stock
                  parameters: {sku_code: $response.body#/result/0/sku_code}
          x-error-codes: [QUERY_REQUIRED]
        """
        try:
            args = ProductQuery().load(request.args.to_dict(), unknown=EXCLUDE)
        except ValidationError as err:
            raise validation_error(err) from err
        if "barcode" not in args and "q" not in args:
            raise DomainError("QUERY_REQUIRED", _l("Give a barcode or a search text."))
        skus = find_skus(barcode=args.get("barcode"), q=args.get("q"))
        store_id = scoped_store_id()
        if store_id in (None, NO_STORE):
            levels = None
        else:
            levels = stock_levels(store_id, [s.id for s in skus])
        result = [sku_row(s, None if levels is None else levels.get(s.id, 0)) for s in skus]
        return self.response(200, count=len(result), result=result)
