"""Retail sale and retail return: one transaction each, all or nothing.

A sale first lets plugins refuse it (``retail_check_sale``, before anything is
written), then reserves its number, writes the order, moves stock out, charges every
tender, redeems and earns points, raises the member's paid total (and level)
and tells plugins (``retail_order_paid``).  A return does the reverse against
the original order, refunding each tender through its own handler.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.catalog.models import Sku
from app.catalog.services import resolve_skus
from app.docnumbers.services import next_doc_no
from app.errors import DomainError
from app.extensions import db
from app.members.models import Member
from app.org.services import cached_store
from app.plugins import plugin_host
from app.sales.models import Order, OrderLine, Refund, Return, ReturnLine
from app.sales.order_insert import insert_sale
from app.sales.tenders import tender_handlers
from app.unit_of_work import unit_of_work

MAX_LINES = 200


@dataclass
class SaleLine:
    sku_code: str | None = None
    barcode: str | None = None
    qty: int = 1
    price_fen: int | None = None
    discount_fen: int = 0


@dataclass
class SaleTender:
    method: str
    amount_fen: int
    code: str | None = None


@dataclass
class SaleRequest:
    store_id: int
    lines: list[SaleLine]
    payments: list[SaleTender]
    staff_id: int | None = None
    member_id: int | None = None
    discount_fen: int = 0
    points_used: int = 0
    note: str = ""
    user: object = None  # the caller (cashier, POS): may it sell below the price-override limit?
    approval: dict | None = None  # {"username", "password"} of a store manager approving overrides


def split_proportionally(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` fen over ``weights`` so the parts sum exactly (largest remainder)."""
    weight_sum = sum(weights)
    if total == 0 or weight_sum == 0:
        return [0] * len(weights)
    raw = [total * w for w in weights]
    parts = [r // weight_sum for r in raw]
    remainders = sorted(range(len(weights)), key=lambda i: raw[i] % weight_sum, reverse=True)
    for i in remainders[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _member_for_sale(member_id: int | None, store_id: int, purposes: set[str]) -> Member | None:
    if member_id is None:
        return None
    member = db.session.get(Member, member_id)
    if member is None:
        raise DomainError("MEMBER_NOT_FOUND", _l("Member not found."))
    if member.status == "frozen":
        raise DomainError("MEMBER_FROZEN", _l("This member is frozen."))
    usable = plugin_host().member_usable
    for purpose in sorted(purposes):
        refusal = usable(member=member, store_id=store_id, purpose=purpose)
        if refusal is not None:
            raise refusal
    return member


def _override_approvals(request: SaleRequest, skus: list[Sku], after_lines: list[int]) -> list[int | None]:
    """Per line, who approved selling it below the price-override limit (None: within it).

    A line's sold amount is its typed price × qty less its line discount and its share of
    the order discount (points are not an override); refused before anything is written."""
    from app.sales.price_override import approving_user_id, beyond_limit, limit_percent

    limit = limit_percent()
    manual_share = split_proportionally(request.discount_fen, after_lines)
    rows = zip(request.lines, skus, after_lines, manual_share, strict=True)
    beyond = [beyond_limit(sku.price_fen * line.qty, amount - share, limit)
              for line, sku, amount, share in rows]
    if not any(beyond):
        return [None] * len(beyond)
    approver = approving_user_id(request.user, request.approval, request.store_id)
    return [approver if over else None for over in beyond]


def create_sale(request: SaleRequest) -> Order:
    """Book a paid retail sale (commits) or raise ``DomainError`` with nothing written."""
    from app.loyalty.services import (
        change_points,
        check_points_redeem,
        points_earned_for,
        warn_if_large_consumption,
    )
    from app.members.services import apply_paid_amount

    if not request.lines or len(request.lines) > MAX_LINES:
        raise DomainError("ORDER_LINES_INVALID", _l("An order needs 1 to 200 lines."))
    handlers = tender_handlers()
    for tender in request.payments:
        if tender.method not in handlers:
            raise DomainError("UNKNOWN_PAYMENT_METHOD",
                              _l("Unknown payment method: %(method)s.", method=tender.method))
    # each tender names the member check it needs (``TenderHandler.member_purpose``)
    purposes = {p for t in request.payments if (p := handlers[t.method].member_purpose)}
    if request.points_used:
        purposes.add("points")
    with unit_of_work(keep_state=True):  # the caller shows the order it just booked: no reload
        member = _member_for_sale(request.member_id, request.store_id, purposes)
        plugin_host().check_sale(store_id=request.store_id, staff_id=request.staff_id, member=member)
        skus = resolve_skus([(line.sku_code, None if line.sku_code else line.barcode)
                             for line in request.lines])
        prices, gross, line_discounts = [], [], []
        for line, sku in zip(request.lines, skus, strict=True):
            price = sku.price_fen if line.price_fen is None else line.price_fen
            prices.append(price)
            if price > sku.price_fen:
                raise DomainError("PRICE_ABOVE_LIST", _l("The price of %(code)s is above its list price.",
                                                         code=sku.sku_code))
            amount = price * line.qty
            if line.discount_fen > amount:
                raise DomainError("DISCOUNT_TOO_LARGE", _l("A discount is larger than its amount."))
            gross.append(amount)
            line_discounts.append(line.discount_fen)
        total = sum(line.qty * sku.price_fen for line, sku in zip(request.lines, skus, strict=True))
        after_lines = [g - d for g, d in zip(gross, line_discounts, strict=True)]
        if request.discount_fen > sum(after_lines):
            raise DomainError("DISCOUNT_TOO_LARGE", _l("A discount is larger than its amount."))
        points_discount = 0
        if request.points_used:
            if member is None:
                raise DomainError("MEMBER_REQUIRED", _l("Redeeming points needs a member."))
            points_discount = check_points_redeem(
                request.points_used, sum(after_lines) - request.discount_fen, "pos"
            )
        approved_by = _override_approvals(request, skus, after_lines)
        order_share = split_proportionally(request.discount_fen + points_discount, after_lines)
        amounts = [a - s for a, s in zip(after_lines, order_share, strict=True)]
        payable = sum(amounts)
        if sum(t.amount_fen for t in request.payments) != payable:
            raise DomainError("PAYMENT_MISMATCH",
                              _l("Payments add up to %(paid)s fen but %(due)s fen are due.",
                                 paid=sum(t.amount_fen for t in request.payments), due=payable),
                              due_fen=payable)

        store = cached_store(request.store_id)
        order = insert_sale(
            dict(member_id=request.member_id,
                 staff_id=request.staff_id, status="paid", total_fen=total, discount_fen=total - payable,
                 paid_fen=payable, points_used=request.points_used, points_earned=0, note=request.note),
            store,
            [(sku, dict(sku_id=sku.id, qty=line.qty, price_fen=price, discount_fen=price * line.qty - amount,
                        amount_fen=amount, returned_qty=0, list_price_fen=sku.price_fen,
                        approved_by_fk=approver))
             for line, sku, amount, price, approver
             in zip(request.lines, skus, amounts, prices, approved_by, strict=True)],
            [dict(method=t.method, amount_fen=t.amount_fen, refunded_fen=0, reference=t.code or "")
             for t in request.payments],
        )
        order_no = order.order_no
        for tender, payment in zip(request.payments, order.payments, strict=True):
            handlers[tender.method].charge(order, payment)
        if member is not None:
            if request.points_used:
                change_points(member.id, -request.points_used, "redeem", order_no, store.id)
                warn_if_large_consumption(member, request.points_used, order_no)
            order.points_earned = points_earned_for(payable)
            if order.points_earned:
                change_points(member.id, order.points_earned, "earn", order_no, store.id)
            apply_paid_amount(member.id, payable, order_no)
        db.session.flush()
        plugin_host().order_paid(order=order)
    return order


def create_return(order: Order, lines: list[tuple[int, int]] | None, staff_id: int | None) -> Return:
    """Return ``lines`` [(order line id, qty)] of ``order`` (None = everything left); commits."""
    from app.inventory.services import move_stock
    from app.loyalty.services import change_points
    from app.members.services import apply_paid_amount

    by_id = {line.id: line for line in order.lines}
    if lines is None:
        lines = [(line.id, line.qty - line.returned_qty) for line in order.lines
                 if line.qty > line.returned_qty]
        if not lines:
            raise DomainError("ORDER_ALREADY_RETURNED",
                              _l("Everything on this order was returned already."))
    with unit_of_work():
        return_no = next_doc_no("RT", order.store.code)
        doc = Return(return_no=return_no, order_id=order.id, store_id=order.store_id, amount_fen=0)
        db.session.add(doc)
        for line_id, qty in lines:
            line = by_id.get(line_id)
            if line is None:
                raise DomainError("ORDER_LINE_NOT_FOUND", _l("That line is not on this order."))
            if qty <= 0:
                raise DomainError("RETURN_QTY_INVALID", _l("Return quantities must be positive."))
            guarded = db.session.execute(
                update(OrderLine)
                .where(OrderLine.id == line.id, OrderLine.returned_qty + qty <= OrderLine.qty)
                .values(returned_qty=OrderLine.returned_qty + qty)
            )
            if guarded.rowcount != 1:
                raise DomainError("RETURN_EXCEEDS_SOLD", _l("You cannot return more than was sold."),
                                  line_id=line.id)
            db.session.refresh(line)
            already = sum(rl.amount_fen for rl in db.session.scalars(
                select(ReturnLine).where(ReturnLine.order_line_id == line.id)))
            last = line.returned_qty == line.qty
            amount = line.amount_fen - already if last else line.amount_fen * qty // line.qty
            doc.lines.append(ReturnLine(order_line_id=line.id, qty=qty, amount_fen=amount))
            doc.amount_fen += amount
            move_stock(order.store_id, line.sku_id, qty, "return", return_no)
        db.session.flush()
        fully_returned = all(line.returned_qty == line.qty for line in order.lines)
        handlers = tender_handlers()
        payments = list(order.payments)
        remaining = [p.amount_fen - p.refunded_fen for p in payments]
        shares = remaining if fully_returned else split_proportionally(doc.amount_fen, remaining)
        for payment, share in zip(payments, shares, strict=True):
            if share <= 0:
                continue
            handler = handlers.get(payment.method)
            if handler is None:
                raise DomainError("PAYMENT_METHOD_DISABLED",
                                  _l("%(method)s refunds are not available now.", method=payment.method))
            handler.refund(order, payment, share, doc)
            payment.refunded_fen += share
            doc.refunds.append(Refund(payment_id=payment.id, method=payment.method, amount_fen=share))
        if order.member_id is not None:
            earned_back = _proportional_points(order, doc, fully_returned, "earned")
            used_back = _proportional_points(order, doc, fully_returned, "used")
            if earned_back:
                change_points(order.member_id, -earned_back, "reverse", return_no, order.store_id)
            if used_back:
                change_points(order.member_id, used_back, "reverse", return_no, order.store_id)
            doc.points_reversed = earned_back
            apply_paid_amount(order.member_id, -doc.amount_fen, return_no)
        order.status = "returned" if fully_returned else "partially_returned"
        db.session.flush()
        plugin_host().order_returned(order=order, return_doc=doc)
    return doc


def _proportional_points(order: Order, doc: Return, fully_returned: bool, which: str) -> int:
    points = order.points_earned if which == "earned" else order.points_used
    if not points:
        return 0
    earlier = db.session.scalars(select(Return).where(Return.order_id == order.id, Return.id != doc.id)).all()
    returned_before = sum(r.amount_fen for r in earlier)
    if fully_returned:
        done_before = points * returned_before // order.paid_fen if order.paid_fen else 0
        return points - done_before
    if not order.paid_fen:
        return 0
    paid = order.paid_fen
    return points * (returned_before + doc.amount_fen) // paid - points * returned_before // paid
