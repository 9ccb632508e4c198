"""Demo categories, brands, products and SKUs (the catalog domain's ``DEMO``)."""

from __future__ import annotations

from app.demo import get_or_add
from app.unit_of_work import unit_of_work

DEMO_CATEGORIES = [
    ("APP", "服装", None), ("TOP", "上装", "APP"), ("BTM", "下装", "APP"), ("ACC", "配饰", None),
]
# product code, name, category, brand, [(spec, price fen)]
DEMO_PRODUCTS = [
    ("P1001", "纯棉圆领T恤", "TOP", "木棉道", [("S", 9900), ("M", 9900), ("L", 9900)]),
    ("P1002", "修身牛仔裤", "BTM", "木棉道", [("28", 29900), ("30", 29900), ("32", 29900)]),
    ("P1003", "轻薄羽绒服", "TOP", "北岭", [("M", 59900), ("L", 59900)]),
    ("P1004", "羊毛围巾", "ACC", "北岭", [("均码", 15900)]),
    ("P1005", "帆布托特包", "ACC", "木棉道", [("均码", 12900)]),
]


def demo_sku_codes() -> list[str]:
    """The demo SKU codes: ``<product code>-<variant no>``."""
    return [f"{code}-{index:02d}" for code, *_, variants in DEMO_PRODUCTS
            for index in range(1, len(variants) + 1)]


def seed_demo() -> int:
    """Create the missing catalog rows; returns how many records were created."""
    from app.catalog.models import Brand, Category, Product, Sku

    created = 0
    with unit_of_work():
        categories = {}
        for code, name, parent in DEMO_CATEGORIES:
            categories[code], n = get_or_add(
                Category, {"code": code}, name=name, parent_id=categories[parent].id if parent else None
            )
            created += n
        for code, name, category, brand_name, variants in DEMO_PRODUCTS:
            brand, n = get_or_add(Brand, {"name": brand_name})
            created += n
            product, n = get_or_add(Product, {"code": code}, name=name, category_id=categories[category].id,
                                    brand_id=brand.id, year=2026)
            created += n
            for index, (spec, price) in enumerate(variants, start=1):
                created += get_or_add(Sku, {"sku_code": f"{code}-{index:02d}"}, product_id=product.id,
                                      barcode=f"6901{code[1:]}{index:02d}", spec=spec, price_fen=price)[1]
    return created
