"""Request bodies for POS sales of the demo catalogue."""

from __future__ import annotations

from app.extensions import db


def one_item_cash_sale(app, sku_code: str = "P1001-03") -> dict:
    """A POS order body: one ``sku_code`` paid in cash at its current price."""
    from app.catalog.models import Sku

    with app.app_context():
        price = db.session.query(Sku).filter_by(sku_code=sku_code).one().price_fen
    return {
        "lines": [{"sku_code": sku_code, "qty": 1}],
        "payments": [{"method": "cash", "amount_fen": price}],
    }
