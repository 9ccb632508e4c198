"""Catalog services: SKU lookup for the POS (by barcode or by a text fragment) and the one
SKU resolution of every caller that names SKUs (a sale's lines, a coupon's order lines):
by id, code or barcode, each SKU with its product, and the categories below a category."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.catalog.models import Category, Product, Sku
from app.errors import DomainError
from app.extensions import attach_loaded, core_execute, db, loaded_columns

SEARCH_LIMIT = 50


def sku_name(sku: Sku) -> str:
    """The display name of a SKU: product name + spec."""
    return f"{sku.product.name} {sku.spec or ''}".strip()


def find_skus(barcode: str | None = None, q: str | None = None, limit: int = SEARCH_LIMIT) -> list[Sku]:
    """Active SKUs with exactly ``barcode``, or whose product name / product code / SKU code
    contains ``q`` (case-insensitive), ordered by SKU code."""
    query = select(Sku).join(Sku.product).options(joinedload(Sku.product)).where(Sku.active.is_(True))
    if barcode is not None:
        query = query.where(Sku.barcode == barcode)
    elif q:
        query = query.where(
            or_(
                Product.name.icontains(q, autoescape=True),
                Product.code.icontains(q, autoescape=True),
                Sku.sku_code.icontains(q, autoescape=True),
            )
        )
    else:
        return []
    return list(db.session.scalars(query.order_by(Sku.sku_code).limit(limit)).unique())


def sku_by_code(sku_code: str) -> Sku | None:
    return db.session.scalars(select(Sku).where(Sku.sku_code == sku_code)).first()


SKUS, PRODUCTS = Sku.__table__, Product.__table__


def _skus_where(criterion):
    """Built once per kind (expanding parameters): SKUs with their products in one row each."""
    return (
        select(*loaded_columns(Sku), *loaded_columns(Product, "product__"))
        .join(PRODUCTS, PRODUCTS.c.id == SKUS.c.product_id)
        .where(criterion)
    )


SKUS_BY_CODE = _skus_where(SKUS.c.sku_code.in_(bindparam("codes", expanding=True)))
SKUS_BY_BARCODE = _skus_where(SKUS.c.barcode.in_(bindparam("barcodes", expanding=True)))
SKUS_BY_EITHER = _skus_where(SKUS.c.sku_code.in_(bindparam("codes", expanding=True))
                             | SKUS.c.barcode.in_(bindparam("barcodes", expanding=True)))


def load_skus(codes: set[str], barcodes: set[str]) -> list[Sku]:
    """The SKUs named by code or barcode, each with its product, as session objects (one
    round trip, no ORM query: a sale's hot path)."""
    if not codes and not barcodes:
        return []
    statement = SKUS_BY_EITHER if codes and barcodes else SKUS_BY_CODE if codes else SKUS_BY_BARCODE
    skus = []
    for row in core_execute(statement, {"codes": list(codes), "barcodes": list(barcodes)}).mappings():
        sku = attach_loaded(Sku, row)
        product = attach_loaded(Product, row, "product__")
        if "product" not in sku.__dict__:
            set_committed_value(sku, "product", product)
        skus.append(sku)
    return skus


def resolve_skus(refs: Sequence[tuple[str | None, str | None]]) -> list[Sku]:
    """The active SKU of each ``(sku_code, barcode)``, in order: by code when one is given and
    found, else by barcode.  ``UNKNOWN_SKU`` (``sku`` = what was given) for the first one
    that names no active SKU."""
    codes = {code for code, _ in refs if code}
    barcodes = {barcode for _, barcode in refs if barcode}
    found = load_skus(codes, barcodes)
    by_code = {s.sku_code: s for s in found}
    by_barcode = {s.barcode: s for s in found if s.barcode}
    skus = []
    for code, barcode in refs:
        sku = (by_code.get(code) if code else None) or (by_barcode.get(barcode) if barcode else None)
        if sku is None or not sku.active:
            key = code or barcode
            raise DomainError("UNKNOWN_SKU", _l("Unknown product: %(code)s.", code=key), sku=key)
        skus.append(sku)
    return skus


def skus_by_id(ids: Iterable[int]) -> dict[int, Sku]:
    """The SKUs of ``ids`` with their products (one round trip), by id; unknown ids are left out."""
    ids = set(ids)
    if not ids:
        return {}
    query = select(Sku).where(Sku.id.in_(ids)).options(joinedload(Sku.product))
    return {sku.id: sku for sku in db.session.scalars(query).unique()}


def with_child_categories(category_ids: set[int]) -> set[int]:
    """The categories and their direct children (the catalog has two levels)."""
    if not category_ids:
        return set()
    children = db.session.scalars(select(Category.id).where(Category.parent_id.in_(category_ids)))
    return category_ids | set(children)


def lowest_active_price(product_id: int) -> int | None:
    """The lowest list price of the product's active SKUs (None: no active SKU)."""
    return db.session.scalar(
        select(Sku.price_fen)
        .where(Sku.product_id == product_id, Sku.active.is_(True))
        .order_by(Sku.price_fen)
        .limit(1)
    )
