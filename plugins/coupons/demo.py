"""Demo data (retail_seed_demo): an audited cash coupon rule with coupons for demo members
(two of them redeemed in sales), a claimable electronic rule, and physical gift coupons
collected to S001 (giftable at its POS: ``PG000001`` …). Idempotent: a second run adds nothing."""

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.members.models import Member
from app.unit_of_work import unit_of_work
from plugins.coupons.models import CouponRule
from plugins.coupons.rules import validate_rule
from plugins.coupons.services import issue_coupon

DEMO_CASH = "演示代金券 10元 / Demo cash 10 yuan"
DEMO_CLAIM = "演示领券 9折 / Demo claim 10% off"
DEMO_GIFT = "演示实体券 20元 / Demo gift coupon 20 yuan"


def _rule(name: str, **fields) -> CouponRule | None:
    if db.session.scalar(select(CouponRule.id).where(CouponRule.name == name)) is not None:
        return None
    values = dict(medium="electronic", kind="normal", effective_date=date.today(), validity_type="days",
                  valid_days=30, status="audited")
    rule = CouponRule(name=name, **{**values, **fields})
    validate_rule(rule)
    db.session.add(rule)
    db.session.flush()
    return rule


def seed_demo() -> None:
    with unit_of_work():  # the sales and the generation below join it: all of it, or nothing
        _seed()


def _seed() -> None:
    cash = _rule(
        DEMO_CASH,
        offer_type="cash",
        face_value_fen=1000,
        min_order_fen=5000,
        code_prefix="DC",
        code_length=6,
        total_count=1000,
        per_member_limit=5,
    )
    _rule(
        DEMO_CLAIM,
        offer_type="discount",
        discount_rate=90,
        code_prefix="DZ",
        code_length=6,
        total_count=500,
        per_member_limit=1,
        transferable=True,
    )
    if cash is not None:
        members = db.session.scalars(select(Member).order_by(Member.id).limit(5)).all()
        coupons = [issue_coupon(cash.id, member.id, "admin") for member in members]
        for coupon in coupons[3:]:  # the manual's examples use the first three
            _redeem_in_a_sale(coupon)
    gift = _rule(
        DEMO_GIFT,
        medium="physical",
        offer_type="cash",
        face_value_fen=2000,
        min_order_fen=10000,
        code_prefix="PG",
        code_length=6,
        start_value=1,
        total_count=20,
    )
    if gift is not None:
        _generate_and_collect(gift, "S001", 10)


def _redeem_in_a_sale(coupon) -> None:
    """A sale at the member's home store paid partly with the coupon (the real sale service)."""
    from app.sales.services import SaleLine, SaleRequest, SaleTender, create_sale

    member = coupon.member
    create_sale(SaleRequest(
        store_id=member.home_store_id,
        member_id=member.id,
        lines=[SaleLine(sku_code="P1002-01", qty=1)],
        payments=[SaleTender("coupon", coupon.rule.face_value_fen, coupon.code),
                  SaleTender("wechat", 29900 - coupon.rule.face_value_fen)],
        note="演示用券 demo coupon",
    ))


def _generate_and_collect(rule: CouponRule, store_code: str, collected: int) -> None:
    """Generate the rule's physical coupons now (no job worker at seed time) and hand the
    first ``collected`` of them to the store."""
    from datetime import datetime

    from sqlalchemy import update

    from app.org.models import Store
    from plugins.coupons.generation import generate_batch
    from plugins.coupons.models import Coupon, CouponBatch
    from plugins.coupons.services import collect_coupons

    db.session.execute(update(CouponRule).where(CouponRule.id == rule.id)
                       .values(generated_count=CouponRule.total_count))
    batch = CouponBatch(batch_no="tmp", rule_id=rule.id, count=rule.total_count)
    db.session.add(batch)
    db.session.flush()
    batch.batch_no = f"CB{datetime.now():%Y%m%d}{batch.id:06d}"
    generate_batch(batch.id)
    ids = db.session.scalars(select(Coupon.id).where(Coupon.batch_id == batch.id)
                             .order_by(Coupon.code).limit(collected)).all()
    store = db.session.scalars(select(Store).where(Store.code == store_code)).one()
    collect_coupons(list(ids), store.id)
