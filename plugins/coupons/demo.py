"""Demo data (retail_seed_demo): an audited cash coupon rule with coupons for demo members,
and a claimable electronic rule. Idempotent: a second run adds nothing."""

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.members.models import Member
from plugins.coupons.models import CouponRule
from plugins.coupons.rules import validate_rule
from plugins.coupons.services import issue_coupon

DEMO_CASH = "演示代金券 10元 / Demo cash 10 yuan"
DEMO_CLAIM = "演示领券 9折 / Demo claim 10% off"


def _rule(name: str, **fields) -> CouponRule | None:
    if db.session.scalar(select(CouponRule.id).where(CouponRule.name == name)) is not None:
        return None
    rule = CouponRule(
        name=name,
        medium="electronic",
        kind="normal",
        effective_date=date.today(),
        validity_type="days",
        valid_days=30,
        status="audited",
        **fields,
    )
    validate_rule(rule)
    db.session.add(rule)
    db.session.flush()
    return rule


def seed_demo() -> None:
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
        members = db.session.scalars(select(Member).order_by(Member.id).limit(3)).all()
        for member in members:
            issue_coupon(cash.id, member.id, "admin")
    db.session.commit()
