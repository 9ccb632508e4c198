"""Demo data (retail_seed_demo): a physical HQ good (the demo SKU ``P1001-01``, delivery or pick-up)
and a virtual good (the coupons plugin's demo cash coupon rule), both on the shelf.
Idempotent: a second run adds nothing."""

from sqlalchemy import select

from app.catalog.models import Sku
from app.extensions import db
from app.unit_of_work import unit_of_work
from plugins.coupons.models import CouponRule
from plugins.points_mall.items import validate_item
from plugins.points_mall.models import MallItem

DEMO_PHYSICAL = "演示积分礼品 / Demo points gift"
DEMO_VIRTUAL = "演示积分换券 / Demo points coupon"
DEMO_RULE = "演示代金券 10元 / Demo cash 10 yuan"  # plugins.coupons.demo.DEMO_CASH


def seed_demo() -> int:
    added = 0
    with unit_of_work():
        sku_id = db.session.scalar(select(Sku.id).where(Sku.sku_code == "P1001-01"))
        rule_id = db.session.scalar(
            select(CouponRule.id).where(CouponRule.name == DEMO_RULE, CouponRule.status == "audited")
        )
        wanted = []
        if sku_id is not None:
            wanted.append(
                dict(
                    name=DEMO_PHYSICAL,
                    kind="physical",
                    sku_id=sku_id,
                    points_price=500,
                    stock=50,
                    per_member_limit=2,
                    sort_order=1,
                )
            )
        if rule_id is not None:
            wanted.append(
                dict(
                    name=DEMO_VIRTUAL,
                    kind="virtual",
                    coupon_rule_id=rule_id,
                    points_price=200,
                    stock=200,
                    per_member_daily_limit=1,
                    sort_order=2,
                )
            )
        for values in wanted:
            if db.session.scalar(select(MallItem.id).where(MallItem.name == values["name"])) is not None:
                continue
            item = MallItem(on_shelf=True, **values)
            validate_item(item)
            db.session.add(item)
            added += 1
    return added
