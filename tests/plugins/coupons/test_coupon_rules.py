"""Seed 002 field rules, one test per rule, and the data-status workflow."""

from datetime import date, timedelta

import pytest

from app.errors import DomainError
from app.extensions import db
from tests.support.coupons import build_rule, goods_fixture, make_rule_fixture  # noqa: F401 (fixtures)

TODAY = date.today()


def refused(rule, complete=True):
    from plugins.coupons.rules import validate_rule

    with pytest.raises(DomainError) as exc:
        validate_rule(rule, complete=complete)
    assert exc.value.status == 422
    return exc.value.code


def accepted(rule, complete=True):
    from plugins.coupons.rules import validate_rule

    validate_rule(rule, complete=complete)
    return rule


def test_a_valid_rule_computes_its_end_value(app_ctx):
    rule = accepted(build_rule(start_value=100, total_count=50))
    assert rule.end_value == 149  # 截止值 = 开始值 + 总张数 - 1


def test_physical_is_always_normal_kind(app_ctx):
    assert refused(build_rule(medium="physical", kind="marketing")) == "COUPON_PHYSICAL_KIND"
    assert refused(build_rule(medium="physical", kind="points")) == "COUPON_PHYSICAL_KIND"
    accepted(build_rule(medium="physical", kind="normal"))
    for kind in ("normal", "marketing", "points"):
        accepted(build_rule(medium="electronic", kind=kind))


@pytest.mark.parametrize(
    "medium,kind", [("electronic", "marketing"), ("electronic", "points"), ("physical", "normal")]
)
def test_latest_claim_date_only_for_electronic_normal(app_ctx, medium, kind):
    code = refused(build_rule(medium=medium, kind=kind, latest_claim_date=TODAY + timedelta(days=5)))
    assert code == "COUPON_CLAIM_DATE_NOT_ALLOWED"


def test_latest_claim_date_not_before_effective_date(app_ctx):
    rule = build_rule(effective_date=TODAY + timedelta(days=3), latest_claim_date=TODAY + timedelta(days=2))
    assert refused(rule) == "COUPON_CLAIM_DATE_BEFORE_EFFECTIVE"
    accepted(build_rule(effective_date=TODAY, latest_claim_date=TODAY))


@pytest.mark.parametrize("medium,kind", [("electronic", "marketing"), ("physical", "normal")])
def test_sale_price_only_for_electronic_normal(app_ctx, medium, kind):
    assert (
        refused(build_rule(medium=medium, kind=kind, sale_price_fen=500)) == "COUPON_SALE_PRICE_NOT_ALLOWED"
    )


def test_sale_price_must_be_positive_fen(app_ctx):
    assert refused(build_rule(sale_price_fen=0)) == "COUPON_AMOUNT_INVALID"
    accepted(build_rule(sale_price_fen=990))


def test_reference_type_only_for_electronic_marketing_and_written_back(app_ctx):
    from plugins.coupons.rules import set_reference_type

    assert refused(build_rule(reference_type="promotion")) == "COUPON_REFERENCE_NOT_ALLOWED"
    rule = build_rule(kind="marketing")
    set_reference_type(rule, "promotion")
    assert rule.reference_type == "promotion"


def test_recharge_only_for_physical_normal(app_ctx):
    code = refused(build_rule(offer_type="recharge", recharge_code_length=16))
    assert code == "COUPON_RECHARGE_NOT_ALLOWED"
    accepted(build_rule(medium="physical", offer_type="recharge", recharge_code_length=16))


@pytest.mark.parametrize("length,ok", [(14, False), (15, True), (20, True), (21, False)])
def test_recharge_numbers_are_15_to_20_digits(app_ctx, length, ok):
    rule = build_rule(medium="physical", offer_type="recharge", recharge_code_length=length)
    if ok:
        accepted(rule)
    else:
        assert refused(rule) == "COUPON_RECHARGE_LENGTH_INVALID"


def test_recharge_length_required_and_only_for_recharge(app_ctx):
    assert refused(build_rule(medium="physical", offer_type="recharge")) == "COUPON_RECHARGE_LENGTH_REQUIRED"
    assert refused(build_rule(recharge_code_length=16)) == "COUPON_RECHARGE_LENGTH_NOT_ALLOWED"


def test_face_value_only_and_required_for_cash_and_recharge(app_ctx):
    assert refused(build_rule(face_value_fen=None)) == "COUPON_FACE_VALUE_REQUIRED"
    assert refused(build_rule(face_value_fen=0)) == "COUPON_AMOUNT_INVALID"
    code = refused(build_rule(offer_type="discount", discount_rate=80, face_value_fen=100))
    assert code == "COUPON_FACE_VALUE_NOT_ALLOWED"


def test_discount_rate_only_and_required_for_discount(app_ctx):
    assert refused(build_rule(offer_type="discount", face_value_fen=None)) == "COUPON_DISCOUNT_RATE_REQUIRED"
    for bad in (0, 100, 150):
        rule = build_rule(offer_type="discount", face_value_fen=None, discount_rate=bad)
        assert refused(rule) == "COUPON_DISCOUNT_RATE_INVALID"
    assert refused(build_rule(discount_rate=80)) == "COUPON_DISCOUNT_RATE_NOT_ALLOWED"
    accepted(build_rule(offer_type="discount", face_value_fen=None, discount_rate=85))


def test_exchange_product_only_and_required_for_product(app_ctx, goods):
    assert refused(build_rule(offer_type="product", face_value_fen=None)) == "COUPON_PRODUCT_REQUIRED"
    assert (
        refused(build_rule(exchange_product_id=goods["plain"]["product_id"])) == "COUPON_PRODUCT_NOT_ALLOWED"
    )
    accepted(
        build_rule(
            offer_type="product", face_value_fen=None, exchange_product_id=goods["plain"]["product_id"]
        )
    )


def test_excluded_categories_only_for_cash_and_recharge(app_ctx, goods):
    from app.catalog.models import Category

    category = db.session.get(Category, goods["category_id"])
    rule = build_rule(offer_type="discount", face_value_fen=None, discount_rate=80)
    rule.excluded_categories = [category]
    assert refused(rule) == "COUPON_EXCLUDED_CATEGORIES_NOT_ALLOWED"
    rule = build_rule()
    rule.excluded_categories = [category]
    accepted(rule)
    db.session.rollback()


def test_validity_days_or_until(app_ctx):
    assert refused(build_rule(valid_days=None)) == "COUPON_VALID_DAYS_REQUIRED"
    assert refused(build_rule(valid_days=0)) == "COUPON_VALID_DAYS_INVALID"
    assert refused(build_rule(valid_until=TODAY)) == "COUPON_VALID_UNTIL_NOT_ALLOWED"
    assert refused(build_rule(validity_type="until", valid_days=None)) == "COUPON_VALID_UNTIL_REQUIRED"
    assert refused(build_rule(validity_type="until", valid_until=TODAY)) == "COUPON_VALID_DAYS_NOT_ALLOWED"
    rule = build_rule(
        validity_type="until", valid_days=None, effective_date=TODAY, valid_until=TODAY - timedelta(1)
    )
    assert refused(rule) == "COUPON_VALID_UNTIL_BEFORE_EFFECTIVE"
    accepted(build_rule(validity_type="until", valid_days=None, valid_until=TODAY + timedelta(days=10)))


def test_transferable_only_for_electronic(app_ctx):
    assert refused(build_rule(medium="physical", transferable=True)) == "COUPON_TRANSFER_NOT_ALLOWED"
    accepted(build_rule(transferable=True))


def test_limits_and_amounts(app_ctx):
    assert refused(build_rule(per_member_limit=0)) == "COUPON_LIMIT_INVALID"
    assert refused(build_rule(min_order_fen=-1)) == "COUPON_AMOUNT_INVALID"
    assert refused(build_rule(name=" ")) == "COUPON_NAME_REQUIRED"
    assert refused(build_rule(medium="paper")) == "COUPON_MEDIUM_INVALID"
    assert refused(build_rule(offer_type="gift")) == "COUPON_OFFER_INVALID"


def test_code_rule(app_ctx, make_rule):
    assert refused(build_rule(code_prefix="前缀")) == "COUPON_CODE_AFFIX_INVALID"
    assert refused(build_rule(code_length=0)) == "COUPON_CODE_LENGTH_INVALID"
    assert refused(build_rule(code_length=2, total_count=101)) == "COUPON_CODE_RANGE_TOO_LONG"
    assert refused(build_rule(total_count=0)) == "COUPON_TOTAL_INVALID"
    assert refused(build_rule(start_value=-1)) == "COUPON_START_INVALID"
    rule_id = make_rule(code_prefix="OVL", code_suffix="X", code_length=4, start_value=0, total_count=100)
    assert rule_id
    assert refused(build_rule(code_prefix="OVL", code_suffix="X", code_length=4, start_value=99)) == (
        "COUPON_CODE_RANGE_OVERLAP"
    )
    accepted(build_rule(code_prefix="OVL", code_suffix="X", code_length=4, start_value=100))


def test_coupon_code_format(app_ctx):
    from plugins.coupons.rules import coupon_code

    assert coupon_code(build_rule(code_prefix="AB", code_suffix="Z", code_length=6), 42) == "AB000042Z"


def test_a_draft_may_be_incomplete_but_not_contradictory(app_ctx):
    accepted(build_rule(face_value_fen=None, valid_days=None), complete=False)
    assert refused(build_rule(medium="physical", kind="points"), complete=False) == "COUPON_PHYSICAL_KIND"


def test_workflow_draft_created_auditing_audited(app_ctx, make_rule):
    from plugins.coupons.models import CouponRule
    from plugins.coupons.rules import set_disabled, transition

    rule = db.session.get(CouponRule, make_rule(status="draft"))
    with pytest.raises(DomainError) as exc:
        transition(rule, "audit")
    assert exc.value.code == "COUPON_RULE_STATUS_INVALID"
    with pytest.raises(DomainError):
        set_disabled(rule, True)
    for action, status in (
        ("save", "created"),
        ("submit", "auditing"),
        ("reject", "created"),
        ("submit", "auditing"),
        ("audit", "audited"),
    ):
        assert transition(rule, action).status == status
    assert rule.audited_on is not None
    assert set_disabled(rule, True).disabled is True and rule.disabled_on is not None
    with pytest.raises(DomainError) as exc:
        set_disabled(rule, True)
    assert exc.value.code == "COUPON_RULE_ALREADY_DISABLED"
    assert set_disabled(rule, False).disabled is False


def test_an_incomplete_draft_cannot_be_saved(app_ctx):
    from plugins.coupons.rules import transition

    rule = build_rule(face_value_fen=None)
    rule.status = "draft"
    db.session.add(rule)
    db.session.commit()
    with pytest.raises(DomainError) as exc:
        transition(rule, "save")
    assert exc.value.code == "COUPON_FACE_VALUE_REQUIRED"
