"""Catalog services: SKU lookup for the POS (by barcode or by a text fragment)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from app.catalog.models import Product, Sku
from app.extensions import db

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
