"""Opening stock of the demo SKUs in the demo stores (the inventory domain's ``DEMO``)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.unit_of_work import unit_of_work

OPENING_QTY = 50
OPENING_DOC = "DEMO-OPENING"


def seed_demo() -> int:
    """Opening stock for each demo SKU and store that has none yet (adds no record it counts)."""
    from app.catalog.demo import demo_sku_codes
    from app.catalog.models import Sku
    from app.inventory.models import StockMove
    from app.inventory.services import move_stock
    from app.org.demo import demo_stores

    stores = demo_stores()
    opened = set(db.session.execute(
        select(StockMove.store_id, StockMove.sku_id).where(StockMove.doc_no == OPENING_DOC)
    ).all())
    skus = db.session.scalars(select(Sku).where(Sku.sku_code.in_(demo_sku_codes())).order_by(Sku.id))
    with unit_of_work():
        for sku in skus:
            for store in stores.values():
                if (store.id, sku.id) not in opened:
                    move_stock(store.id, sku.id, OPENING_QTY, "other_in", OPENING_DOC)
    return 0
