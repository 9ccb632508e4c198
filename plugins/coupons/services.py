"""Coupon services: issue, collect, void, transfer, verify, redeem, reverse.

Other plugins (points_mall, wecom_guide) issue coupons through ``issue_coupon``.
Every limit is a guarded UPDATE (or a unique key), never read-modify-write:
the rule's issued count, a member's claim count and a coupon's status.
Writes go through ``app.unit_of_work``: a function called inside a sale, a return or another
service joins that unit; called alone it commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.catalog.services import lowest_active_price, skus_by_id, with_child_categories
from app.errors import DomainError
from app.extensions import db
from app.formatting import store_today
from app.members.models import Member
from app.org.models import Store
from app.plugins import plugin_host
from app.unit_of_work import unit_of_work
from plugins.coupons.member_code import split_code, tag_matches
from plugins.coupons.models import (
    Coupon,
    CouponHistory,
    CouponRule,
    FinanceDoc,
    MemberClaimCount,
    Redemption,
)
from plugins.coupons.numbers import RECEIPT, RECEIVABLE, REDEMPTION, next_coupon_doc_no
from plugins.coupons.rules import coupon_code, in_claim_window

CHANNELS = ("pos", "admin", "mall_claim", "mall_purchase", "gift", "transfer", "points_mall", "wecom_guide")
PURCHASE_METHODS = ("stored_value", "wechat", "alipay")


def record(
    coupon: Coupon,
    action: str,
    from_status: str,
    to_status: str,
    *,
    store_id=None,
    member_id=None,
    user_id=None,
    doc_no: str = "",
    note: str = "",
) -> None:
    db.session.add(
        CouponHistory(
            coupon_id=coupon.id,
            action=action,
            from_status=from_status,
            to_status=to_status,
            store_id=store_id,
            member_id=member_id,
            user_id=user_id,
            doc_no=doc_no,
            note=note[:200],
        )
    )


def get_rule(rule_id) -> CouponRule:
    rule = db.session.get(CouponRule, rule_id) if isinstance(rule_id, int) else None
    if rule is None:
        raise DomainError("COUPON_RULE_NOT_FOUND", _l("Coupon rule not found."))
    return rule


def get_coupon(code: str) -> Coupon:
    """The coupon of ``code`` (a number, or the member code the mall shows: number + signed part)
    with its rule, usable stores and excluded categories (one round trip each)."""
    query = (
        select(Coupon)
        .where(Coupon.code == split_code(code)[0])
        .options(
            joinedload(Coupon.rule).selectinload(CouponRule.usable_stores),
            joinedload(Coupon.rule).selectinload(CouponRule.excluded_categories),
        )
    )
    coupon = db.session.scalar(query)
    if coupon is None:
        raise DomainError("COUPON_NOT_FOUND", _l("Coupon not found."))
    return coupon


def validity_for(rule: CouponRule, today: date | None = None) -> tuple[date, date]:
    """Validity computed at issue: N days from issue, or until a date; never before the effective date."""
    today = today or store_today()
    start = max(today, rule.effective_date)
    if rule.validity_type == "days":
        return start, start + timedelta(days=rule.valid_days - 1)
    return start, rule.valid_until


def check_issuable(rule: CouponRule) -> None:
    """Audited and not disabled: a disabled rule cannot be claimed, sold or given."""
    if rule.status != "audited":
        raise DomainError("COUPON_RULE_NOT_AUDITED", _l("This coupon rule is not audited yet."))
    if rule.disabled:
        raise DomainError("COUPON_RULE_DISABLED", _l("This coupon rule is disabled."))
    if rule.validity_type == "until" and rule.valid_until < store_today():
        raise DomainError("COUPON_RULE_EXPIRED", _l("This coupon rule's validity has ended."))


# ---------------------------------------------------------------- electronic issue


def _take_member_quota(rule: CouponRule, member_id: int) -> None:
    """+1 on (rule, member) unless the per-member limit is reached (guarded UPDATE).
    Rules without a limit keep no count (only audited rules issue, and they cannot be edited)."""
    if not rule.per_member_limit:
        return
    exists = db.session.scalar(
        select(MemberClaimCount.id).where(
            MemberClaimCount.rule_id == rule.id, MemberClaimCount.member_id == member_id
        )
    )
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.execute(
                    insert(MemberClaimCount).values(rule_id=rule.id, member_id=member_id, count=0)
                )
        except IntegrityError:
            pass  # a concurrent claim created it
    query = update(MemberClaimCount).where(
        MemberClaimCount.rule_id == rule.id, MemberClaimCount.member_id == member_id,
        MemberClaimCount.count < rule.per_member_limit,
    )
    done = db.session.execute(
        query.values(count=MemberClaimCount.count + 1).execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise DomainError(
            "COUPON_LIMIT_REACHED", _l("You already have the most coupons of this kind allowed per member.")
        )


def _take_number(rule: CouponRule) -> int:
    """Reserve the next coupon number; refuses beyond the total count (反写已发放张数)."""
    issued = db.session.execute(
        update(CouponRule)
        .where(CouponRule.id == rule.id, CouponRule.issued_count < CouponRule.total_count)
        .values(issued_count=CouponRule.issued_count + 1)
        .returning(CouponRule.issued_count)
        .execution_options(synchronize_session=False)
    ).scalar()
    if issued is None:
        raise DomainError("COUPON_SOLD_OUT", _l("All coupons of this rule have been issued."))
    return rule.start_value + issued - 1


def issue_coupon(
    rule_id: int,
    member_id: int,
    channel: str,
    *,
    store_id: int | None = None,
    user_id: int | None = None,
    price_fen: int | None = None,
    payment_method: str = "",
    app_id: str = "",
    doc_no: str = "",
    count_against_limit: bool = True,
) -> Coupon:
    """Issue one electronic coupon of ``rule_id`` to a member at once (status issued).

    The public entry point for other plugins (points_mall, wecom_guide …). Checks
    the rule is audited, enabled and electronic, counts the rule's issued number
    (total count enforced) and, unless ``count_against_limit`` is false, the
    member's per-member limit; both under concurrency.
    """
    if channel not in CHANNELS:
        raise ValueError(f"unknown coupon channel {channel!r}")
    with unit_of_work():  # joins the caller's unit (a claim, a purchase)
        rule = get_rule(rule_id)
        member = db.session.get(Member, member_id) if isinstance(member_id, int) else None
        if member is None:
            raise DomainError("MEMBER_NOT_FOUND", _l("Member not found."))
        check_issuable(rule)
        if rule.medium != "electronic":
            raise DomainError("COUPON_RULE_NOT_ELECTRONIC",
                              _l("Only electronic coupons are issued this way."))
        if count_against_limit:
            _take_member_quota(rule, member.id)
        number = _take_number(rule)
        valid_from, valid_to = validity_for(rule)
        coupon = Coupon(
            rule_id=rule.id,
            code=coupon_code(rule, number),
            status="issued",
            member_id=member.id,
            channel=channel,
            app_id=app_id[:64],
            price_fen=price_fen,
            payment_method=payment_method,
            valid_from=valid_from,
            valid_to=valid_to,
            issued_on=datetime.now(),
            store_id=None,
        )
        db.session.add(coupon)
        db.session.flush()
        record(
            coupon,
            "issue",
            "",
            "issued",
            store_id=store_id,
            member_id=member.id,
            user_id=user_id,
            doc_no=doc_no,
            note=channel,
        )
    return coupon


def claim_coupon(rule_id: int, member: Member, app_id: str = "") -> Coupon:
    """Free claim in the mall (领取): electronic normal rules without a sale price; commits."""
    with unit_of_work():
        rule = get_rule(rule_id)
        _check_mall_rule(rule)
        if rule.sale_price_fen is not None:
            raise DomainError("COUPON_MUST_BE_PURCHASED", _l("This coupon is sold, not given away."))
        coupon = issue_coupon(rule.id, member.id, "mall_claim", app_id=app_id)
    return coupon


def _check_mall_rule(rule: CouponRule) -> None:
    if rule.medium != "electronic" or rule.kind != "normal":
        raise DomainError("COUPON_NOT_CLAIMABLE", _l("This coupon cannot be claimed in the mall."))
    check_issuable(rule)
    if not in_claim_window(rule):
        raise DomainError("COUPON_CLAIM_CLOSED", _l("The latest claim date of this coupon has passed."))


def purchase_coupon(
    rule_id: int, member: Member, payment_method: str, payment_ref: str = "", app_id: str = ""
) -> Coupon:
    """Buy an electronic coupon at its sale price (购买); commits.

    Records channel, payment method and price on the coupon and pushes an "other
    receivable" and a "receipt" finance document. Stored value is charged here;
    WeChat/Alipay need the payment reference of the mall's completed payment.
    """
    from app.loyalty.services import change_stored_value

    if payment_method not in PURCHASE_METHODS:
        raise DomainError("COUPON_PAYMENT_METHOD_INVALID", _l("Choose stored value, WeChat Pay or Alipay."))
    payment_ref = (payment_ref or "").strip()
    if payment_method != "stored_value" and not 1 <= len(payment_ref) <= 64:
        raise DomainError("COUPON_PAYMENT_REF_REQUIRED", _l("Give the payment reference of the paid order."))
    with unit_of_work():
        rule = get_rule(rule_id)
        _check_mall_rule(rule)
        if rule.sale_price_fen is None:
            raise DomainError("COUPON_NOT_FOR_SALE", _l("This coupon is free: claim it instead."))
        refused = plugin_host().member_usable(member=member, store_id=None, purpose="coupon")
        if refused is not None:
            raise refused
        price = rule.sale_price_fen
        coupon = issue_coupon(
            rule.id, member.id, "mall_purchase", price_fen=price, payment_method=payment_method, app_id=app_id
        )
        receivable = FinanceDoc(
            doc_no=next_coupon_doc_no(RECEIVABLE),
            doc_type="other_receivable",
            coupon_id=coupon.id,
            member_id=member.id,
            amount_fen=price,
            payment_method=payment_method,
            payment_ref=payment_ref,
            channel="mall_purchase",
        )
        receipt = FinanceDoc(
            doc_no=next_coupon_doc_no(RECEIPT),
            doc_type="receipt",
            coupon_id=coupon.id,
            member_id=member.id,
            amount_fen=price,
            payment_method=payment_method,
            payment_ref=payment_ref,
            channel="mall_purchase",
        )
        db.session.add_all([receivable, receipt])
        if payment_method == "stored_value":
            txn = change_stored_value(member.id, -price, "consume", receipt.doc_no, None)
            receipt.payment_ref = txn.txn_no
            receivable.payment_ref = txn.txn_no
    return coupon


def transfer_coupon(code: str, owner: Member, friend_phone: str) -> Coupon:
    """Give an issued electronic coupon to another member (转赠), when the rule allows; commits."""
    with unit_of_work():
        coupon = get_coupon(code)
        if coupon.member_id != owner.id:
            raise DomainError("COUPON_NOT_FOUND", _l("Coupon not found."))
        rule = coupon.rule
        if not rule.transferable:
            raise DomainError("COUPON_NOT_TRANSFERABLE", _l("This coupon cannot be given to friends."))
        if rule.disabled:
            raise DomainError("COUPON_RULE_DISABLED", _l("This coupon rule is disabled."))
        if _expired(coupon):
            raise DomainError("COUPON_EXPIRED", _l("This coupon has expired."))
        friend = db.session.scalar(select(Member).where(Member.phone == (friend_phone or "").strip()))
        if friend is None:
            raise DomainError("COUPON_FRIEND_NOT_FOUND", _l("No member has that phone number."))
        if friend.id == owner.id:
            raise DomainError("COUPON_TRANSFER_TO_SELF", _l("You cannot give a coupon to yourself."))
        done = db.session.execute(
            update(Coupon)
            .where(Coupon.id == coupon.id, Coupon.member_id == owner.id, Coupon.status == "issued")
            .values(member_id=friend.id, channel="transfer")
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            raise DomainError("COUPON_STATUS_INVALID", _l("This coupon can no longer be given."))
        record(
            coupon,
            "transfer",
            "issued",
            "issued",
            member_id=friend.id,
            note=f"{owner.member_no} -> {friend.member_no}",
        )
    db.session.refresh(coupon)
    return coupon


# ---------------------------------------------------------------- physical lifecycle


def _move(
    coupon_ids: list[int],
    source: tuple[str, ...],
    target: str,
    action: str,
    *,
    store_id=None,
    scope_store_id=None,
    member_id=None,
    user_id=None,
    extra=None,
) -> int:
    """Move coupons between statuses in one guarded UPDATE; all or nothing (no commit)."""
    if not coupon_ids:
        return 0
    query = update(Coupon).where(Coupon.id.in_(coupon_ids), Coupon.status.in_(source))
    if scope_store_id is not None:
        query = query.where(Coupon.store_id == scope_store_id)
    froms = dict(db.session.execute(select(Coupon.id, Coupon.status).where(Coupon.id.in_(coupon_ids))).all())
    done = db.session.execute(
        query.values(status=target, **(extra or {})).execution_options(synchronize_session=False)
    ).rowcount
    if done != len(set(coupon_ids)):  # the caller's unit of work rolls back
        raise DomainError("COUPON_STATUS_INVALID", _l("Some coupons are not in a state that allows this."))
    db.session.add_all(
        CouponHistory(
            coupon_id=cid,
            action=action,
            from_status=froms.get(cid, ""),
            to_status=target,
            store_id=store_id,
            member_id=member_id,
            user_id=user_id,
        )
        for cid in set(coupon_ids)
    )
    db.session.expire_all()
    return done


def collect_coupons(coupon_ids: list[int], store_id: int, user_id: int | None = None) -> int:
    """领用: generated physical coupons handed to a store; commits."""
    if db.session.get(Store, store_id) is None:
        raise DomainError("STORE_NOT_FOUND", _l("Store not found."))
    with unit_of_work():
        done = _move(
            coupon_ids,
            ("generated",),
            "collected",
            "collect",
            store_id=store_id,
            user_id=user_id,
            extra={"store_id": store_id},
        )
    return done


def issue_physical(
    coupon_id: int,
    store_id: int | None,
    member_id: int | None = None,
    user_id: int | None = None,
    channel: str = "pos",
) -> Coupon:
    """发放: a collected coupon handed to a member (or a bearer) by its store; validity starts; commits.

    ``store_id`` None = HQ (any store's coupon).
    """
    coupon = db.session.get(Coupon, coupon_id)
    if coupon is None:
        raise DomainError("COUPON_NOT_FOUND", _l("Coupon not found."))
    check_issuable(coupon.rule)
    if member_id is not None and db.session.get(Member, member_id) is None:
        raise DomainError("MEMBER_NOT_FOUND", _l("Member not found."))
    valid_from, valid_to = validity_for(coupon.rule)
    with unit_of_work():
        _move(
            [coupon.id],
            ("collected",),
            "issued",
            "issue",
            store_id=coupon.store_id,
            scope_store_id=store_id,
            member_id=member_id,
            user_id=user_id,
            extra=dict(
                member_id=member_id,
                valid_from=valid_from,
                valid_to=valid_to,
                issued_on=datetime.now(),
                channel=channel,
            ),
        )
    return db.session.get(Coupon, coupon_id)


def void_coupons(coupon_ids: list[int], store_id: int | None = None, user_id: int | None = None) -> int:
    """作废: generated, collected or issued coupons can no longer be used; commits."""
    with unit_of_work():
        done = _move(
            coupon_ids,
            ("generated", "collected", "issued"),
            "void",
            "void",
            scope_store_id=store_id,
            store_id=store_id,
            user_id=user_id,
        )
    return done


# ---------------------------------------------------------------- verification and redemption


@dataclass
class Verdict:
    usable: bool
    reason: str  # "" or an error code
    message: object
    discount_fen: int


def _expired(coupon: Coupon, today: date | None = None) -> bool:
    return coupon.valid_to is not None and coupon.valid_to < (today or store_today())


def display_status(coupon: Coupon) -> str:
    if coupon.status == "issued" and _expired(coupon):
        return "expired"
    return coupon.status


def _store_allowed(rule: CouponRule, store_id: int) -> bool:
    return not rule.usable_stores or any(s.id == store_id for s in rule.usable_stores)


def _excluded_ids(rule: CouponRule) -> set[int]:
    return with_child_categories({c.id for c in rule.excluded_categories})


def eligible_amount(rule: CouponRule, order_total_fen: int, lines=None) -> int:
    """The part of the order the coupon counts: lines of excluded categories are left out."""
    if not lines:
        return order_total_fen
    excluded = _excluded_ids(rule)
    if not excluded:
        return order_total_fen
    skus = skus_by_id(line.sku_id for line in lines)
    return sum(
        line.amount_fen for line in lines
        if line.sku_id not in skus or skus[line.sku_id].product.category_id not in excluded
    )


def _product_discount(rule: CouponRule, order_total_fen: int, lines=None) -> int:
    """商品券: one unit of the exchange product becomes free."""
    if lines:
        exchange_skus = {
            sku.id for sku in skus_by_id(line.sku_id for line in lines).values()
            if sku.product_id == rule.exchange_product_id
        }
        prices = [line.amount_fen // line.qty for line in lines if line.qty and line.sku_id in exchange_skus]
        if not prices:
            return 0
        return min(max(prices), order_total_fen)
    return min(lowest_active_price(rule.exchange_product_id) or 0, order_total_fen)


def discount_for(rule: CouponRule, order_total_fen: int, lines=None) -> int:
    if rule.offer_type == "cash":
        return min(rule.face_value_fen, eligible_amount(rule, order_total_fen, lines))
    if rule.offer_type == "discount":
        return order_total_fen * (100 - rule.discount_rate) // 100
    if rule.offer_type == "product":
        return _product_discount(rule, order_total_fen, lines)
    return rule.face_value_fen  # recharge: tops up stored value, not an order discount


def verify(
    coupon: Coupon, store_id: int, order_total_fen: int | None, lines=None, today: date | None = None
) -> Verdict:
    """Can ``coupon`` be used at ``store_id`` on an order of ``order_total_fen``? With the discount."""
    rule = coupon.rule
    today = today or store_today()
    total = order_total_fen or 0
    checks = [
        (coupon.status == "redeemed", "COUPON_ALREADY_REDEEMED", _l("This coupon was redeemed already.")),
        (coupon.status == "void", "COUPON_VOID", _l("This coupon was voided.")),
        (
            coupon.status in ("generated", "collected"),
            "COUPON_NOT_ISSUED",
            _l("This coupon was not issued yet."),
        ),
        (_expired(coupon, today), "COUPON_EXPIRED", _l("This coupon has expired.")),
        (
            coupon.valid_from is not None and coupon.valid_from > today,
            "COUPON_NOT_YET_VALID",
            _l("This coupon is not valid yet."),
        ),
        (
            not _store_allowed(rule, store_id),
            "COUPON_STORE_NOT_ALLOWED",
            _l("This coupon cannot be used in this store."),
        ),
        (
            rule.offer_type != "recharge" and order_total_fen is not None and total < rule.min_order_fen,
            "COUPON_MIN_ORDER",
            _l("The order must be at least %(min)s fen to use this coupon.", min=rule.min_order_fen),
        ),
    ]
    for failed, code, message in checks:
        if failed:
            return Verdict(False, code, message, 0)
    if order_total_fen is None and rule.offer_type != "recharge":
        return Verdict(True, "", "", 0)  # no order given: usable, discount unknown yet
    discount = discount_for(rule, total, lines)
    if lines and discount == 0 and rule.offer_type in ("cash", "product"):
        if rule.offer_type == "product":
            return Verdict(
                False,
                "COUPON_PRODUCT_NOT_IN_ORDER",
                _l("The exchange product of this coupon is not in the order."),
                0,
            )
        return Verdict(
            False, "COUPON_NOTHING_ELIGIBLE", _l("No item of this order counts for this coupon."), 0
        )
    return Verdict(True, "", "", discount)


def holder_identified(coupon: Coupon, presented: str, member_id: int | None) -> bool:
    """May the till use this coupon? A member's electronic coupon only when that member is
    identified on the sale (``member_id``) or from the member code the mall shows (the number
    plus its signed part): electronic numbers are sequential and a guessed one must not pay.
    Physical coupons and bearer coupons go by their printed code."""
    if coupon.member_id is None or coupon.rule.medium != "electronic":
        return True
    if member_id is not None and member_id == coupon.member_id:
        return True
    return tag_matches(coupon.code, coupon.member_id, split_code(presented)[1])


def check_holder(coupon: Coupon, presented: str, member_id: int | None) -> None:
    if not holder_identified(coupon, presented, member_id):
        raise DomainError(
            "COUPON_MEMBER_NOT_IDENTIFIED",
            _l("This coupon belongs to a member: identify the member on the sale, "
               "or scan the coupon code the member shows in the mall."),
        )


def _check_member(coupon: Coupon, store_id: int) -> None:
    """The member's coupon may be refused at this store by plugins (member_privacy)."""
    if coupon.member_id is None:
        return
    member = db.session.get(Member, coupon.member_id)
    if member.status == "frozen":
        raise DomainError("MEMBER_FROZEN", _l("This member is frozen."))
    refused = plugin_host().member_usable(member=member, store_id=store_id, purpose="coupon")
    if refused is not None:
        raise refused


def redeem_coupon(
    code: str,
    store_id: int,
    order_total_fen: int,
    *,
    order_no: str = "",
    member_id: int | None = None,
    user_id: int | None = None,
    lines=None,
    amount_fen: int | None = None,
) -> Redemption:
    """核销: redeem a coupon exactly once (guarded UPDATE issued → redeemed).

    Recharge vouchers top up the stored value of the coupon's member (or
    ``member_id`` for a bearer voucher). ``amount_fen`` (tender use) may not
    exceed the discount. Raises ``DomainError`` with nothing written.
    """
    from app.loyalty.services import change_stored_value

    with unit_of_work():  # inside a sale or a return: joins its unit
        coupon = get_coupon(code)
        check_holder(coupon, code, member_id)
        verdict = verify(coupon, store_id, order_total_fen, lines)
        if not verdict.usable:
            raise DomainError(verdict.reason, verdict.message)  # each reason's registered status
        _check_member(coupon, store_id)
        discount = verdict.discount_fen
        if amount_fen is not None:
            if coupon.rule.offer_type == "recharge":
                raise DomainError(
                    "COUPON_RECHARGE_NOT_TENDER",
                    _l("A recharge voucher tops up stored value; it cannot pay an order."),
                )
            if not 0 < amount_fen <= discount:
                raise DomainError(
                    "COUPON_AMOUNT_TOO_LARGE",
                    _l("This coupon can pay at most %(max)s fen of this order.", max=discount),
                    discount_fen=discount,
                )
            discount = amount_fen
        owner_id = coupon.member_id or member_id
        if coupon.rule.offer_type == "recharge" and owner_id is None:
            raise DomainError("MEMBER_REQUIRED", _l("A recharge voucher needs the member to top up."))
        done = db.session.execute(
            update(Coupon)
            .where(Coupon.id == coupon.id, Coupon.status == "issued")
            .values(status="redeemed", redeemed_on=datetime.now())
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            raise DomainError("COUPON_ALREADY_REDEEMED", _l("This coupon was redeemed already."))
        redemption = Redemption(
            redemption_no=next_coupon_doc_no(REDEMPTION, store_id),
            coupon_id=coupon.id,
            store_id=store_id,
            member_id=owner_id,
            user_id=user_id,
            order_no=order_no or "",
            order_total_fen=order_total_fen or 0,
            discount_fen=discount,
        )
        db.session.add(redemption)
        db.session.flush()
        if coupon.rule.offer_type == "recharge":
            txn = change_stored_value(
                owner_id, discount, "recharge", redemption.redemption_no, store_id, note=coupon.code
            )
            redemption.stored_value_txn_no = txn.txn_no
        record(
            coupon,
            "redeem",
            "issued",
            "redeemed",
            store_id=store_id,
            member_id=owner_id,
            user_id=user_id,
            doc_no=redemption.redemption_no,
            note=order_no or "",
        )
    return redemption


def recharge_with_voucher(code: str, member: Member) -> Redemption:
    """The member types a recharge voucher number in the mall: its face value tops up their stored value.

    A voucher issued to another member is refused; the redemption is booked at the store
    the voucher was collected to. Commits.
    """
    coupon = get_coupon(code)
    if coupon.rule.offer_type != "recharge":
        raise DomainError("COUPON_NOT_RECHARGE", _l("This is not a recharge voucher."))
    if coupon.member_id not in (None, member.id) or coupon.store_id is None:
        raise DomainError("COUPON_NOT_FOUND", _l("Coupon not found."))
    return redeem_coupon(code, coupon.store_id, 0, member_id=member.id)


def reverse_redemption(
    redemption_no: str, doc_no: str = "", user_id: int | None = None
) -> Redemption:
    """Undo a redemption (order return): the coupon is usable again if still valid.

    A recharge voucher's top-up is taken back from the stored value.
    """
    from app.loyalty.services import change_stored_value

    with unit_of_work():  # inside a sale or a return: joins its unit
        redemption = db.session.scalar(select(Redemption).where(Redemption.redemption_no == redemption_no))
        if redemption is None:
            raise DomainError("COUPON_REDEMPTION_NOT_FOUND", _l("Redemption not found."))
        done = db.session.execute(
            update(Redemption)
            .where(Redemption.id == redemption.id, Redemption.reversed.is_(False))
            .values(reversed=True, reversed_on=datetime.now(), reverse_doc_no=doc_no)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            raise DomainError("COUPON_REDEMPTION_REVERSED", _l("This redemption was reversed already."))
        db.session.execute(
            update(Coupon)
            .where(Coupon.id == redemption.coupon_id, Coupon.status == "redeemed")
            .values(status="issued", redeemed_on=None)
            .execution_options(synchronize_session=False)
        )
        coupon = db.session.get(Coupon, redemption.coupon_id)
        if redemption.stored_value_txn_no:
            change_stored_value(
                redemption.member_id,
                -redemption.discount_fen,
                "adjust",
                doc_no or redemption_no,
                redemption.store_id,
                note=coupon.code,
            )
        record(
            coupon,
            "reverse",
            "redeemed",
            "issued",
            store_id=redemption.store_id,
            user_id=user_id,
            doc_no=doc_no or redemption.redemption_no,
            note=redemption.redemption_no,
        )
        db.session.refresh(redemption)
    return redemption


# ---------------------------------------------------------------- listings


def member_coupons(member_id: int, store_id: int | None = None, usable_only: bool = True) -> list[Coupon]:
    """A member's coupons (newest first); ``usable_only`` = issued, in validity, allowed at ``store_id``."""
    rule = selectinload(Coupon.rule)
    query = select(Coupon).where(Coupon.member_id == member_id).options(  # rules once, not per coupon
        rule.selectinload(CouponRule.usable_stores),
        rule.selectinload(CouponRule.excluded_categories),
        rule.joinedload(CouponRule.exchange_product),
    )
    if usable_only:
        today = store_today()
        query = query.where(
            Coupon.status == "issued",
            or_(Coupon.valid_to.is_(None), Coupon.valid_to >= today),
            or_(Coupon.valid_from.is_(None), Coupon.valid_from <= today),
        )
    coupons = db.session.scalars(query.order_by(Coupon.id.desc()).limit(200)).all()
    if usable_only and store_id:
        coupons = [c for c in coupons if _store_allowed(c.rule, store_id)]
    return coupons


def coupon_summary(coupon: Coupon) -> dict:
    rule = coupon.rule
    return {
        "code": coupon.code,
        "status": display_status(coupon),
        "rule_id": rule.id,
        "name": rule.name,
        "offer_type": rule.offer_type,
        "face_value_fen": rule.face_value_fen,
        "discount_rate": rule.discount_rate,
        "exchange_product": rule.exchange_product.code if rule.exchange_product else None,
        "min_order_fen": rule.min_order_fen,
        "member_id": coupon.member_id,
        "valid_from": coupon.valid_from.isoformat() if coupon.valid_from else None,
        "valid_to": coupon.valid_to.isoformat() if coupon.valid_to else None,
        "transferable": rule.transferable,
    }


def wallet_coupons(member: Member, store_id: int | None) -> list[dict]:
    """The member's usable coupons for the POS wallet (read-only)."""
    return [coupon_summary(c) for c in member_coupons(member.id, store_id)]
