"""Admin views of the catalog: categories, brands, products and SKUs (HQ writes)."""

from __future__ import annotations

from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import StringField, ValidationError
from wtforms.validators import Length, NumberRange, Optional

from app.admin import AUDIT_LABELS, RetailModelView
from app.catalog.models import Brand, Category, Product, Sku
from app.extensions import db


class UniqueValue:
    """Form validator: no other row has this value in ``column`` (empty values pass)."""

    def __init__(self, model, column: str, message):
        self.model = model
        self.column = column
        self.message = message

    def __call__(self, form, field):
        value = field.data.strip() if isinstance(field.data, str) else field.data
        if value in (None, ""):
            return
        query = db.session.query(self.model).filter(getattr(self.model, self.column) == value)
        own_id = getattr(form, "_id", None)
        if own_id is not None:
            query = query.filter(self.model.id != int(own_id))
        if db.session.query(query.exists()).scalar():
            raise ValidationError(str(self.message))


class NotOwnAncestor:
    """Form validator: a category cannot be its own parent (directly or higher up)."""

    def __call__(self, form, field):
        own_id = getattr(form, "_id", None)
        parent = field.data
        seen = 0
        while parent is not None and own_id is not None and seen < 100:
            if str(parent.id) == str(own_id):
                raise ValidationError(str(_l("A category cannot be placed under itself.")))
            parent = parent.parent
            seen += 1


def _strip(item, *columns):
    for column in columns:
        value = getattr(item, column)
        if isinstance(value, str):
            setattr(item, column, value.strip())


class CategoryView(RetailModelView):
    datamodel = SQLAInterface(Category)
    class_permission_name = "Categories"
    list_title = _l("Categories")
    show_title = _l("Category")
    add_title = _l("Add category")
    edit_title = _l("Edit category")
    list_columns = ["code", "name", "parent"]
    search_columns = ["code", "name", "parent"]
    add_columns = edit_columns = ["code", "name", "parent"]
    show_columns = add_columns + ["created_on", "changed_on"]
    order_columns = ["code", "name"]
    label_columns = {"code": _l("Category code"), "name": _l("Name"), "parent": _l("Parent category"),
                     **AUDIT_LABELS}
    validators_columns = {
        "code": [UniqueValue(Category, "code", _l("This category code is already used."))],
        "parent": [NotOwnAncestor()],
    }
    base_order = ("code", "asc")

    def pre_add(self, item):
        _strip(item, "code", "name")

    pre_update = pre_add


class BrandView(RetailModelView):
    datamodel = SQLAInterface(Brand)
    class_permission_name = "Brands"
    list_title = _l("Brands")
    show_title = _l("Brand")
    add_title = _l("Add brand")
    edit_title = _l("Edit brand")
    list_columns = add_columns = edit_columns = search_columns = ["name"]
    show_columns = ["name", "created_on", "changed_on"]
    label_columns = {"name": _l("Name"), **AUDIT_LABELS}
    validators_columns = {"name": [UniqueValue(Brand, "name", _l("This brand already exists."))]}
    base_order = ("name", "asc")

    def pre_add(self, item):
        _strip(item, "name")

    pre_update = pre_add


class SkuView(RetailModelView):
    datamodel = SQLAInterface(Sku)
    class_permission_name = "Skus"
    list_title = _l("SKUs")
    show_title = _l("SKU")
    add_title = _l("Add SKU")
    edit_title = _l("Edit SKU")
    list_columns = ["sku_code", "product", "spec", "barcode", "price_fen", "active"]
    search_columns = ["sku_code", "barcode", "product", "spec", "active"]
    add_columns = edit_columns = ["product", "sku_code", "barcode", "spec", "price_fen", "active"]
    show_columns = add_columns + ["created_on", "changed_on"]
    order_columns = ["sku_code", "price_fen"]
    label_columns = {
        "product": _l("Product"),
        "sku_code": _l("SKU code"),
        "barcode": _l("Barcode"),
        "spec": _l("Spec"),
        "price_fen": _l("Price (yuan)"),
        "active": _l("Active"),
        **AUDIT_LABELS,
    }
    description_columns = {"price_fen": _l("In yuan with up to two decimals, e.g. 12.34.")}
    add_form_extra_fields = edit_form_extra_fields = {
        "spec": StringField(_l("Spec"), validators=[Optional(), Length(max=50)]),
    }
    validators_columns = {
        "sku_code": [UniqueValue(Sku, "sku_code", _l("This SKU code is already used."))],
        "barcode": [UniqueValue(Sku, "barcode", _l("This barcode is already used by another SKU."))],
    }
    base_order = ("sku_code", "asc")

    def pre_add(self, item):
        _strip(item, "sku_code", "barcode", "spec")
        item.barcode = item.barcode or None  # empty barcodes must not collide
        item.spec = item.spec or ""

    pre_update = pre_add


class ProductView(RetailModelView):
    datamodel = SQLAInterface(Product)
    class_permission_name = "Products"
    list_title = _l("Products")
    show_title = _l("Product")
    add_title = _l("Add product")
    edit_title = _l("Edit product")
    list_columns = ["code", "name", "category", "brand", "year", "is_virtual"]
    search_columns = ["code", "name", "category", "brand", "year", "is_virtual"]
    add_columns = edit_columns = ["code", "name", "category", "brand", "year", "is_virtual"]
    show_columns = add_columns + ["created_on", "changed_on"]
    order_columns = ["code", "name", "year"]
    label_columns = {
        "code": _l("Product code"),
        "name": _l("Name"),
        "category": _l("Category"),
        "brand": _l("Brand"),
        "year": _l("Year"),
        "is_virtual": _l("Virtual product"),
        **AUDIT_LABELS,
    }
    validators_columns = {
        "code": [UniqueValue(Product, "code", _l("This product code is already used."))],
        "year": [NumberRange(min=1900, max=2100, message=_l("Enter a year between 1900 and 2100."))],
    }
    related_views = [SkuView]
    base_order = ("code", "asc")

    def pre_add(self, item):
        _strip(item, "code", "name")

    pre_update = pre_add
