"""Coupon rule field rules (seed 002, exactly as it states them) and the data-status workflow.

One place for both the admin form and any API: ``validate_rule`` raises ``DomainError``
(422, a stable code and a localized message) on the first rule broken.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.errors import DomainError
from app.extensions import db
from app.formatting import store_today
from app.unit_of_work import unit_of_work
from plugins.coupons.models import (
    KINDS,
    MEDIA,
    OFFER_TYPES,
    VALIDITY_TYPES,
    CouponRule,
)

CODE_PART = re.compile(r"^[A-Za-z0-9-]{0,10}$")
MAX_CODE_LENGTH = 18
MAX_TOTAL = 10_000_000
RECHARGE_LENGTHS = range(15, 21)

# (action, from status, to status) of the data-status workflow (数据状态)
TRANSITIONS = {
    "save": ("draft", "created"),
    "submit": ("created", "auditing"),
    "audit": ("auditing", "audited"),
    "reject": ("auditing", "created"),
}
EDITABLE_STATUSES = ("draft", "created")


def _refuse(code: str, message) -> None:
    raise DomainError(code, message, 422)


def _choice(value, allowed, code, message):
    if value not in allowed:
        _refuse(code, message)


def _fen(value, field_label, minimum=0):
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        _refuse(
            "COUPON_AMOUNT_INVALID",
            _l("%(field)s must be a whole number of fen of at least %(n)s.", field=field_label, n=minimum),
        )


def electronic_normal(rule: CouponRule) -> bool:
    return rule.medium == "electronic" and rule.kind == "normal"


def compute_end_value(rule: CouponRule) -> int:
    """截止值: computed from the start value and the total count (and written back)."""
    return (rule.start_value or 0) + max(rule.total_count or 0, 1) - 1


def validate_rule(rule: CouponRule, complete: bool = True) -> None:
    """Refuse an invalid rule (``DomainError`` 422) and write back computed fields.

    Fields a combination does not allow are refused even in a draft (暂存);
    fields it needs are required only when ``complete`` (save/submit/audit).
    """
    _defaults(rule)
    if not (rule.name or "").strip():
        _refuse("COUPON_NAME_REQUIRED", _l("Enter the coupon name."))
    if len(rule.name) > 100:
        _refuse("COUPON_NAME_TOO_LONG", _l("The coupon name is too long."))
    _choice(rule.medium, MEDIA, "COUPON_MEDIUM_INVALID", _l("Choose electronic or physical as the medium."))
    _choice(rule.kind, KINDS, "COUPON_KIND_INVALID", _l("Choose a valid coupon kind."))
    _choice(rule.offer_type, OFFER_TYPES, "COUPON_OFFER_INVALID", _l("Choose a valid offer type."))
    _choice(
        rule.validity_type,
        VALIDITY_TYPES,
        "COUPON_VALIDITY_INVALID",
        _l("Choose validity in days or until a date."),
    )
    _info_rules(rule)
    _offer_rules(rule, complete)
    _validity_rules(rule, complete)
    _code_rules(rule, complete)


def _defaults(rule: CouponRule) -> None:
    """Column defaults apply only at flush: a new rule (form, API) gets them here."""
    for field, value in (
        ("start_value", 0),
        ("min_order_fen", 0),
        ("transferable", False),
        ("disabled", False),
        ("issued_count", 0),
        ("generated_count", 0),
        ("reference_type", ""),
        ("medium", "electronic"),
        ("kind", "normal"),
        ("offer_type", "cash"),
        ("validity_type", "days"),
        ("code_length", 8),
    ):
        if getattr(rule, field) is None:
            setattr(rule, field, value)


def _info_rules(rule: CouponRule) -> None:
    if rule.medium == "physical" and rule.kind != "normal":
        _refuse("COUPON_PHYSICAL_KIND", _l("A physical coupon is always of the normal kind."))
    if rule.latest_claim_date is not None:
        if not electronic_normal(rule):
            _refuse(
                "COUPON_CLAIM_DATE_NOT_ALLOWED",
                _l("The latest claim date is only for electronic normal coupons."),
            )
        if rule.effective_date and rule.latest_claim_date < rule.effective_date:
            _refuse(
                "COUPON_CLAIM_DATE_BEFORE_EFFECTIVE",
                _l("The latest claim date cannot be before the effective date."),
            )
    if rule.sale_price_fen is not None:
        if not electronic_normal(rule):
            _refuse(
                "COUPON_SALE_PRICE_NOT_ALLOWED", _l("A sale price is only for electronic normal coupons.")
            )
        _fen(rule.sale_price_fen, _l("Sale price"), minimum=1)
    if rule.reference_type and not (rule.medium == "electronic" and rule.kind == "marketing"):
        _refuse(
            "COUPON_REFERENCE_NOT_ALLOWED",
            _l("The rule reference type is only for electronic marketing coupons."),
        )
    if rule.transferable and rule.medium != "electronic":
        _refuse("COUPON_TRANSFER_NOT_ALLOWED", _l("Only electronic coupons can be transferable to friends."))


def _offer_rules(rule: CouponRule, complete: bool) -> None:
    offer = rule.offer_type
    if offer == "recharge" and not (rule.medium == "physical" and rule.kind == "normal"):
        _refuse("COUPON_RECHARGE_NOT_ALLOWED", _l("Recharge vouchers are only for physical normal coupons."))
    if offer in ("cash", "recharge"):
        if rule.face_value_fen is None and complete:
            _refuse("COUPON_FACE_VALUE_REQUIRED", _l("Enter the face value."))
        _fen(rule.face_value_fen, _l("Face value"), minimum=1)
    elif rule.face_value_fen is not None:
        _refuse("COUPON_FACE_VALUE_NOT_ALLOWED", _l("A face value is only for cash and recharge vouchers."))
    if offer == "discount":
        if rule.discount_rate is None and complete:
            _refuse("COUPON_DISCOUNT_RATE_REQUIRED", _l("Enter the discount rate."))
        if rule.discount_rate is not None and not (
            isinstance(rule.discount_rate, int) and 1 <= rule.discount_rate <= 99
        ):
            _refuse("COUPON_DISCOUNT_RATE_INVALID", _l("The discount rate must be between 1 and 99 (%)."))
    elif rule.discount_rate is not None:
        _refuse("COUPON_DISCOUNT_RATE_NOT_ALLOWED", _l("A discount rate is only for discount-rate coupons."))
    if offer == "product":
        if rule.exchange_product_id is None and rule.exchange_product is None and complete:
            _refuse("COUPON_PRODUCT_REQUIRED", _l("Choose the exchange product."))
    elif rule.exchange_product_id is not None or rule.exchange_product is not None:
        _refuse("COUPON_PRODUCT_NOT_ALLOWED", _l("An exchange product is only for product vouchers."))
    if rule.excluded_categories and offer not in ("cash", "recharge"):
        _refuse(
            "COUPON_EXCLUDED_CATEGORIES_NOT_ALLOWED",
            _l("Excluded categories are only for cash and recharge vouchers."),
        )
    _fen(rule.min_order_fen, _l("Minimum order amount"))
    if rule.per_member_limit is not None and (
        not isinstance(rule.per_member_limit, int) or rule.per_member_limit < 1
    ):
        _refuse("COUPON_LIMIT_INVALID", _l("The per-member limit must be at least 1 (or empty)."))


def _validity_rules(rule: CouponRule, complete: bool) -> None:
    if complete and rule.effective_date is None:
        _refuse("COUPON_EFFECTIVE_DATE_REQUIRED", _l("Enter the effective date."))
    if rule.validity_type == "days":
        if rule.valid_until is not None:
            _refuse("COUPON_VALID_UNTIL_NOT_ALLOWED", _l("Valid until is only for validity until a date."))
        if rule.valid_days is None and complete:
            _refuse("COUPON_VALID_DAYS_REQUIRED", _l("Enter the number of valid days."))
        if rule.valid_days is not None and not (isinstance(rule.valid_days, int) and rule.valid_days >= 1):
            _refuse("COUPON_VALID_DAYS_INVALID", _l("Valid days must be at least 1."))
    else:
        if rule.valid_days is not None:
            _refuse("COUPON_VALID_DAYS_NOT_ALLOWED", _l("Valid days are only for validity in days."))
        if rule.valid_until is None and complete:
            _refuse("COUPON_VALID_UNTIL_REQUIRED", _l("Enter the valid-until date."))
        if rule.valid_until and rule.effective_date and rule.valid_until < rule.effective_date:
            _refuse(
                "COUPON_VALID_UNTIL_BEFORE_EFFECTIVE", _l("Valid until cannot be before the effective date.")
            )


def _code_rules(rule: CouponRule, complete: bool) -> None:
    rule.code_prefix = (rule.code_prefix or "").strip()
    rule.code_suffix = (rule.code_suffix or "").strip()
    if not CODE_PART.match(rule.code_prefix) or not CODE_PART.match(rule.code_suffix):
        _refuse("COUPON_CODE_AFFIX_INVALID", _l("Prefix and suffix take up to 10 letters, digits or dashes."))
    if not isinstance(rule.total_count, int) or not 1 <= rule.total_count <= MAX_TOTAL:
        _refuse("COUPON_TOTAL_INVALID", _l("The total count must be between 1 and 10,000,000."))
    if not isinstance(rule.start_value, int) or rule.start_value < 0:
        _refuse("COUPON_START_INVALID", _l("The start value must be 0 or more."))
    if rule.offer_type == "recharge":
        if rule.recharge_code_length is None and complete:
            _refuse(
                "COUPON_RECHARGE_LENGTH_REQUIRED",
                _l("Enter the recharge voucher number length (15 to 20 digits)."),
            )
        if rule.recharge_code_length is not None and rule.recharge_code_length not in RECHARGE_LENGTHS:
            _refuse(
                "COUPON_RECHARGE_LENGTH_INVALID", _l("Recharge voucher numbers are 15 to 20 random digits.")
            )
    elif rule.recharge_code_length is not None:
        _refuse(
            "COUPON_RECHARGE_LENGTH_NOT_ALLOWED",
            _l("The recharge number length is only for recharge vouchers."),
        )
    if not isinstance(rule.code_length, int) or not 1 <= rule.code_length <= MAX_CODE_LENGTH:
        _refuse("COUPON_CODE_LENGTH_INVALID", _l("The numeric length must be between 1 and 18."))
    rule.end_value = compute_end_value(rule)
    if rule.offer_type != "recharge" and rule.end_value >= 10**rule.code_length:
        _refuse(
            "COUPON_CODE_RANGE_TOO_LONG",
            _l("The end value %(end)s does not fit in %(n)s digits.", end=rule.end_value, n=rule.code_length),
        )
    if rule.offer_type != "recharge":
        _refuse_overlap(rule)


def _refuse_overlap(rule: CouponRule) -> None:
    """Two rules with the same prefix, suffix and length may not share numbers (codes are unique)."""
    clash = db.session.scalar(
        select(CouponRule.name)
        .where(
            CouponRule.id != (rule.id or 0),
            CouponRule.offer_type != "recharge",
            CouponRule.code_prefix == rule.code_prefix,
            CouponRule.code_suffix == rule.code_suffix,
            CouponRule.code_length == rule.code_length,
            CouponRule.start_value <= rule.end_value,
            CouponRule.end_value >= rule.start_value,
        )
        .limit(1)
    )
    if clash is not None:
        _refuse(
            "COUPON_CODE_RANGE_OVERLAP",
            _l(
                'These coupon numbers overlap the rule "%(name)s"; change the prefix or the range.',
                name=clash,
            ),
        )


def coupon_code(rule: CouponRule, number: int) -> str:
    """前置字符 + zero-padded number of 数值长度 digits + 后置字符."""
    return f"{rule.code_prefix}{number:0{rule.code_length}d}{rule.code_suffix}"


# ---------------------------------------------------------------- workflow


def transition(rule: CouponRule, action: str, user=None) -> CouponRule:
    """Move a rule along draft → created → auditing → audited (or reject); commits.

    A guarded UPDATE on the status makes a racing double audit impossible.
    """
    if action not in TRANSITIONS:
        raise ValueError(f"unknown rule action {action!r}")
    source, target = TRANSITIONS[action]
    if rule.status != source:
        raise DomainError(
            "COUPON_RULE_STATUS_INVALID",
            _l(
                "This rule cannot go from %(status)s to %(target)s.",
                status=status_label(rule.status),
                target=status_label(target),
            ),
        )
    validate_rule(rule, complete=True)
    values = {"status": target}
    if action == "audit":
        values.update(audited_by_fk=getattr(user, "id", None), audited_on=datetime.now())
    with unit_of_work():
        done = db.session.execute(
            update(CouponRule)
            .where(CouponRule.id == rule.id, CouponRule.status == source)
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            raise DomainError(
                "COUPON_RULE_STATUS_INVALID", _l("The rule was changed by someone else; reload it.")
            )
    db.session.refresh(rule)
    return rule


def set_disabled(rule: CouponRule, disabled: bool, user=None) -> CouponRule:
    """Disable (失效) or enable (反失效) an audited rule; commits."""
    if rule.status != "audited":
        raise DomainError("COUPON_RULE_NOT_AUDITED", _l("Only audited rules can be disabled or enabled."))
    values = {"disabled": disabled}
    if disabled:
        values.update(disabled_by_fk=getattr(user, "id", None), disabled_on=datetime.now())
    with unit_of_work():
        done = db.session.execute(
            update(CouponRule)
            .where(CouponRule.id == rule.id, CouponRule.disabled == (not disabled))
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            code = "COUPON_RULE_ALREADY_DISABLED" if disabled else "COUPON_RULE_NOT_DISABLED"
            message = _l("The rule is disabled already.") if disabled else _l("The rule is not disabled.")
            raise DomainError(code, message)
    db.session.refresh(rule)
    return rule


def set_reference_type(rule: CouponRule, reference_type: str) -> None:
    """Written back when a marketing scheme references the rule (券规则引用类型; users cannot edit it)."""
    rule.reference_type = reference_type[:32]
    validate_rule(rule, complete=False)


STATUS_LABELS = {
    "draft": _l("Draft"),
    "created": _l("Created"),
    "auditing": _l("Auditing"),
    "audited": _l("Audited"),
}


def status_label(status: str):
    return STATUS_LABELS.get(status, status)


def in_claim_window(rule: CouponRule, today: date | None = None) -> bool:
    today = today or store_today()
    return rule.latest_claim_date is None or today <= rule.latest_claim_date
