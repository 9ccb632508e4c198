"""Points mall rules: what a member may see, the atomic exchange, fulfilment and cancel.

An exchange is one unit of work of guarded statements, taken in one fixed order (item stock →
the member's counts → the source store's stock → points → the coupon), so concurrent exchanges
from many members, or from one member on several devices, can neither oversell nor overdraw:
the loser of a race is refused with a clear code and nothing it wrote stays.

F3.2: an exchange ignores the "points usable online" switch and the per-order deduction cap of
the points rules (it is not a sale paid with points), but a large consumption still warns HQ
through the core's ``warn_if_large_consumption``.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.docnumbers.services import next_store_doc_no, register_doc_types
from app.errors import DomainError
from app.extensions import db
from app.formatting import store_today, yuan
from app.members.models import Member
from app.platform.audit import audit
from app.platform.settings import get_setting
from app.plugins import plugin_host
from app.unit_of_work import unit_of_work
from plugins.points_mall.models import FULFILMENTS, MallItem, MallMemberCount, MallOrder

EXCHANGE = "PM"
register_doc_types({EXCHANGE: "points mall exchange"})

PAYMENT_METHODS = ("stored_value", "wechat", "alipay")
MAX_QTY = 99
OPEN_STATUSES = ("pending", "shipped", "ready")


# ---------------------------------------------------------------- what a member sees


def mall_store_ids(member: Member) -> set[int]:
    """The stores open to ``member`` in the mall (the core's list, narrowed by plugins such as
    member_privacy's share groups through ``retail_mall_store_filters``)."""
    from app.mall.services import mall_stores

    return {store.id for store in mall_stores(member)}


def _visible_criteria(store_ids: set[int]):
    return or_(MallItem.source_store_id.is_(None), MallItem.source_store_id.in_(store_ids or {-1}))


def shelf_items(member: Member, now: datetime | None = None) -> list[MallItem]:
    """Items on the shelf now that ``member`` may see (HQ items, and items whose source store is
    one of the member's mall stores), in display order."""
    now = now or datetime.now()
    query = (
        select(MallItem)
        .where(
            MallItem.on_shelf.is_(True),
            or_(MallItem.valid_from.is_(None), MallItem.valid_from <= now),
            or_(MallItem.valid_to.is_(None), MallItem.valid_to >= now),
            _visible_criteria(mall_store_ids(member)),
        )
        .order_by(MallItem.sort_order, MallItem.id)
    )
    return list(db.session.scalars(query).all())


def item_not_found() -> DomainError:
    return DomainError("MALL_ITEM_NOT_FOUND", _l("Mall item not found."))


def visible_item(member: Member, item_id) -> MallItem:
    """The item if ``member`` may see it (another share group's item is "not found")."""
    item = db.session.get(MallItem, item_id) if isinstance(item_id, int) else None
    if item is None:
        raise item_not_found()
    if item.source_store_id is not None and item.source_store_id not in mall_store_ids(member):
        raise item_not_found()
    return item


def check_exchangeable(item: MallItem, now: datetime | None = None) -> None:
    now = now or datetime.now()
    if not item.on_shelf:
        raise DomainError("MALL_ITEM_OFF_SHELF", _l("This item is off the shelf."))
    if item.valid_from is not None and item.valid_from > now:
        raise DomainError("MALL_ITEM_NOT_STARTED", _l("This item cannot be exchanged yet."))
    if item.valid_to is not None and item.valid_to < now:
        raise DomainError("MALL_ITEM_EXPIRED", _l("The exchange period of this item has ended."))


# ---------------------------------------------------------------- the exchange


def _take_stock(item_id: int, qty: int) -> None:
    done = db.session.execute(
        update(MallItem)
        .where(MallItem.id == item_id, MallItem.stock >= qty)
        .values(stock=MallItem.stock - qty, exchanged_count=MallItem.exchanged_count + qty)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise DomainError("MALL_OUT_OF_STOCK", _l("Not enough stock of this item."))


def _ensure_count_row(item_id: int, member_id: int, period: str) -> None:
    exists = db.session.scalar(
        select(MallMemberCount.id).where(
            MallMemberCount.item_id == item_id,
            MallMemberCount.member_id == member_id,
            MallMemberCount.period == period,
        )
    )
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.execute(
                    insert(MallMemberCount).values(
                        item_id=item_id, member_id=member_id, period=period, count=0
                    )
                )
        except IntegrityError:
            pass  # a concurrent exchange created it


def _count(item_id: int, member_id: int, period: str, qty: int, limit: int | None) -> bool:
    """Add ``qty`` to the member's count of ``period`` unless it would pass ``limit`` (guarded)."""
    _ensure_count_row(item_id, member_id, period)
    query = update(MallMemberCount).where(
        MallMemberCount.item_id == item_id,
        MallMemberCount.member_id == member_id,
        MallMemberCount.period == period,
    )
    if limit is not None:
        query = query.where(MallMemberCount.count + qty <= limit)
    done = db.session.execute(
        query.values(count=MallMemberCount.count + qty).execution_options(synchronize_session=False)
    ).rowcount
    return done == 1


def _take_limits(item: MallItem, member_id: int, qty: int, day: str) -> None:
    if item.per_member_limit is not None and not _count(
        item.id, member_id, "total", qty, item.per_member_limit
    ):
        raise DomainError(
            "MALL_LIMIT_REACHED", _l("You have exchanged the most of this item allowed per member.")
        )
    if item.per_member_daily_limit is not None and not _count(
        item.id, member_id, day, qty, item.per_member_daily_limit
    ):
        raise DomainError(
            "MALL_DAILY_LIMIT_REACHED", _l("You have exchanged the most of this item allowed today.")
        )


def _give_back_limits(order: MallOrder) -> None:
    for period in ("total", order.created_on.date().isoformat()):
        db.session.execute(
            update(MallMemberCount)
            .where(
                MallMemberCount.item_id == order.item_id,
                MallMemberCount.member_id == order.member_id,
                MallMemberCount.period == period,
                MallMemberCount.count >= order.qty,
            )
            .values(count=MallMemberCount.count - order.qty)
            .execution_options(synchronize_session=False)
        )


def _check_qty(item: MallItem, qty) -> int:
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= MAX_QTY:
        raise DomainError("MALL_QTY_INVALID", _l("The quantity must be a whole number from 1 to 99."))
    return qty


def _check_cash(item: MallItem, qty: int, cash_fen, payment_method: str, payment_ref: str) -> int:
    expected = item.cash_fen * qty
    given = 0 if cash_fen is None else cash_fen
    if isinstance(given, bool) or not isinstance(given, int) or given != expected:
        raise DomainError(
            "MALL_CASH_MISMATCH",
            _l(
                "The cash part does not match the item's: it must be %(expected)s yuan.",
                expected=yuan(expected),
            ),
            expected_cash_fen=expected,
        )
    if expected == 0:
        return 0
    if payment_method not in PAYMENT_METHODS:
        raise DomainError(
            "MALL_PAYMENT_METHOD_INVALID", _l("Pay the cash part with stored value, WeChat Pay or Alipay.")
        )
    if payment_method != "stored_value" and not 1 <= len(payment_ref or "") <= 64:
        raise DomainError("MALL_PAYMENT_REF_REQUIRED", _l("Give the payment reference of the paid order."))
    return expected


def _delivery(item: MallItem, member: Member, fulfilment: str, delivery: dict) -> dict:
    """The fulfilment fields of a physical order (virtual orders take none)."""
    if item.kind == "virtual":
        if fulfilment:
            raise DomainError(
                "MALL_FULFILMENT_INVALID", _l("Virtual goods are neither delivered nor picked up.")
            )
        return {}
    if fulfilment not in FULFILMENTS:
        raise DomainError("MALL_FULFILMENT_INVALID", _l("Choose delivery or store pick-up."))
    if (fulfilment == "delivery" and not item.allow_delivery) or (
        fulfilment == "pickup" and not item.allow_pickup
    ):
        raise DomainError(
            "MALL_FULFILMENT_NOT_OFFERED", _l("This item does not offer this way of fulfilment.")
        )
    if fulfilment == "delivery":
        fields = {k: (delivery.get(k) or "").strip() for k in ("receiver_name", "receiver_phone", "address")}
        if not all(fields.values()):
            raise DomainError("MALL_ADDRESS_REQUIRED", _l("Give the receiver's name, phone and address."))
        return {"fulfilment": "delivery", **fields}
    store_id = _pickup_store_id(item, member, delivery.get("pickup_store"))
    digits = int(get_setting("points_mall.pickup_code_digits"))
    code = "".join(secrets.choice("0123456789") for _ in range(digits))
    return {"fulfilment": "pickup", "store_id": store_id, "pickup_code": code}


def _pickup_store_id(item: MallItem, member: Member, store_code) -> int:
    """Goods of a store are picked up there; HQ goods at any of the member's mall stores."""
    from app.org.models import Store

    if item.source_store_id is not None and not store_code:
        return item.source_store_id
    if not store_code:
        raise DomainError("MALL_PICKUP_STORE_REQUIRED", _l("Choose the store to pick the goods up at."))
    store = db.session.scalar(select(Store).where(Store.code == str(store_code)))
    allowed = mall_store_ids(member)
    if (
        store is None
        or store.id not in allowed
        or (item.source_store_id is not None and store.id != item.source_store_id)
    ):
        raise DomainError("MALL_STORE_NOT_ALLOWED", _l("You cannot pick the goods up at this store."))
    return store.id


def exchange(
    member: Member,
    item_id: int,
    qty: int = 1,
    *,
    cash_fen: int | None = None,
    payment_method: str = "",
    payment_ref: str = "",
    fulfilment: str = "",
    delivery: dict | None = None,
) -> MallOrder:
    """Exchange ``qty`` of an item for points (plus its cash part); all or nothing. Commits."""
    from app.inventory.services import move_stock
    from app.loyalty.services import change_points, change_stored_value, warn_if_large_consumption

    delivery = delivery or {}
    with unit_of_work():
        item = visible_item(member, item_id)
        check_exchangeable(item)
        qty = _check_qty(item, qty)
        cash = _check_cash(item, qty, cash_fen, payment_method, (payment_ref or "").strip())
        shape = _delivery(item, member, (fulfilment or "").strip(), delivery)
        store_for_use = shape.get("store_id") or item.source_store_id
        refused = plugin_host().member_usable(member=member, store_id=store_for_use, purpose="points")
        if refused is not None:
            raise refused
        points = item.points_price * qty
        order_no = next_store_doc_no(EXCHANGE, item.source_store_id)
        _take_stock(item.id, qty)
        _take_limits(item, member.id, qty, store_today().isoformat())
        if item.kind == "physical" and item.source_store_id is not None:
            move_stock(item.source_store_id, item.sku_id, -qty, "other_out", order_no)
        change_points(
            member.id,
            -points,
            "redeem",
            order_no,
            item.source_store_id,
            note=str(_l("Points mall: %(item)s", item=item.name)),
        )
        if cash:
            if payment_method == "stored_value":
                change_stored_value(
                    member.id,
                    -cash,
                    "consume",
                    order_no,
                    item.source_store_id,
                    note=str(_l("Points mall: %(item)s", item=item.name)),
                )
        order = MallOrder(
            order_no=order_no,
            member_id=member.id,
            item_id=item.id,
            kind=item.kind,
            item_name=item.name,
            qty=qty,
            points=points,
            cash_fen=cash,
            payment_method=payment_method if cash else "",
            payment_ref=(payment_ref or "").strip()[:64] if cash else "",
            status="done" if item.kind == "virtual" else "pending",
            sku_id=item.sku_id if item.kind == "physical" else None,
            source_store_id=item.source_store_id if item.kind == "physical" else None,
            done_on=datetime.now() if item.kind == "virtual" else None,
            **shape,
        )
        db.session.add(order)
        if item.kind == "virtual":
            from plugins.coupons.services import issue_coupon

            coupons = [
                issue_coupon(item.coupon_rule_id, member.id, "points_mall", doc_no=order_no)
                for _ in range(qty)
            ]
            order.coupon_id = coupons[0].id
        db.session.flush()
        warn_if_large_consumption(member, points, order_no)
        audit(
            "points_mall.exchange",
            "member",
            member.id,
            user=None,
            order_no=order_no,
            item_id=item.id,
            qty=qty,
            points=points,
        )
    return order


# ---------------------------------------------------------------- fulfilment


def _order_in_scope(order_id, store_id: int | None) -> MallOrder:
    """The order if a viewer scoped to ``store_id`` (None = HQ) may act on it: store staff only
    on pick-ups at their store."""
    order = db.session.get(MallOrder, order_id) if isinstance(order_id, int) else None
    if order is None or (store_id is not None and order.store_id != store_id):
        raise DomainError("MALL_ORDER_NOT_FOUND", _l("Exchange order not found."))
    return order


def _move_status(order: MallOrder, from_statuses: tuple[str, ...], to_status: str, **values) -> None:
    """Guarded status step: a concurrent step on the same order loses cleanly."""
    done = db.session.execute(
        update(MallOrder)
        .where(MallOrder.id == order.id, MallOrder.status.in_(from_statuses))
        .values(status=to_status, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise DomainError("MALL_ORDER_STATUS_INVALID", _l("The exchange order cannot take this step now."))
    db.session.refresh(order)


def ship_order(
    order_id: int, carrier: str, tracking_no: str, store_id: int | None = None, user_id: int | None = None
) -> MallOrder:
    """Delivery: pending → shipped with the carrier and tracking number (HQ). Commits."""
    carrier, tracking_no = (carrier or "").strip(), (tracking_no or "").strip()
    with unit_of_work():
        order = _order_in_scope(order_id, store_id)
        if order.fulfilment != "delivery":
            raise DomainError(
                "MALL_ORDER_STATUS_INVALID", _l("The exchange order cannot take this step now.")
            )
        if not (1 <= len(carrier) <= 50 and 1 <= len(tracking_no) <= 50):
            raise DomainError("MALL_TRACKING_REQUIRED", _l("Give the carrier and the tracking number."))
        _move_status(
            order,
            ("pending",),
            "shipped",
            carrier=carrier,
            tracking_no=tracking_no,
            shipped_on=datetime.now(),
            handled_by_fk=user_id,
        )
        audit("points_mall.ship", "points_mall_order", order.id, order_no=order.order_no)
    return order


def mark_ready(order_id: int, store_id: int | None = None, user_id: int | None = None) -> MallOrder:
    """Pick-up: pending → ready (the goods wait at the store). Commits."""
    with unit_of_work():
        order = _order_in_scope(order_id, store_id)
        if order.fulfilment != "pickup":
            raise DomainError(
                "MALL_ORDER_STATUS_INVALID", _l("The exchange order cannot take this step now.")
            )
        _move_status(order, ("pending",), "ready", handled_by_fk=user_id)
        audit("points_mall.ready", "points_mall_order", order.id, order_no=order.order_no)
    return order


def complete_order(
    order_id: int, store_id: int | None = None, user_id: int | None = None, pickup_code: str | None = None
) -> MallOrder:
    """Done: a shipped delivery received, or a ready pick-up handed over against its code. Commits."""
    with unit_of_work():
        order = _order_in_scope(order_id, store_id)
        if order.fulfilment == "pickup":
            given = (pickup_code or "").strip()
            if not given or not secrets.compare_digest(given, order.pickup_code):
                raise DomainError("MALL_PICKUP_CODE_INVALID", _l("The pick-up code is wrong."))
            from_statuses = ("ready",)
        elif order.fulfilment == "delivery":
            from_statuses = ("shipped",)
        else:
            raise DomainError(
                "MALL_ORDER_STATUS_INVALID", _l("The exchange order cannot take this step now.")
            )
        _move_status(order, from_statuses, "done", done_on=datetime.now(), handled_by_fk=user_id)
        audit("points_mall.done", "points_mall_order", order.id, order_no=order.order_no)
    return order


def cancel_order(
    order_id: int,
    reason: str,
    store_id: int | None = None,
    user_id: int | None = None,
    member_id: int | None = None,
) -> MallOrder:
    """Cancel a physical order not shipped or handed over yet: points (and a stored-value cash
    part) refunded, stock put back, the member's limits given back. Commits."""
    from app.inventory.services import move_stock
    from app.loyalty.services import change_points, change_stored_value

    reason = (reason or "").strip()[:200]
    with unit_of_work():
        order = _order_in_scope(order_id, store_id)
        if member_id is not None and order.member_id != member_id:
            raise DomainError("MALL_ORDER_NOT_FOUND", _l("Exchange order not found."))
        if order.kind != "physical":
            raise DomainError(
                "MALL_ORDER_STATUS_INVALID", _l("The exchange order cannot take this step now.")
            )
        _move_status(
            order,
            ("pending", "ready"),
            "cancelled",
            cancelled_on=datetime.now(),
            cancel_reason=reason,
            handled_by_fk=user_id,
        )
        db.session.execute(
            update(MallItem)
            .where(MallItem.id == order.item_id)
            .values(stock=MallItem.stock + order.qty, exchanged_count=MallItem.exchanged_count - order.qty)
            .execution_options(synchronize_session=False)
        )
        _give_back_limits(order)
        if order.source_store_id is not None:
            move_stock(order.source_store_id, order.sku_id, order.qty, "other_in", order.order_no)
        change_points(
            order.member_id,
            order.points,
            "reverse",
            order.order_no,
            order.source_store_id,
            note=str(_l("Points mall order cancelled: %(order)s", order=order.order_no)),
        )
        if order.cash_fen and order.payment_method == "stored_value":
            change_stored_value(
                order.member_id,
                order.cash_fen,
                "refund",
                order.order_no,
                order.source_store_id,
                note=str(_l("Points mall order cancelled: %(order)s", order=order.order_no)),
            )
        audit("points_mall.cancel", "points_mall_order", order.id, order_no=order.order_no, reason=reason)
    return order


# ---------------------------------------------------------------- answers


def item_summary(item: MallItem) -> dict:
    data = {
        "id": item.id,
        "name": item.name,
        "kind": item.kind,
        "description": item.description,
        "image_url": item.image_url,
        "points_price": item.points_price,
        "cash_fen": item.cash_fen,
        "stock": item.stock,
        "per_member_limit": item.per_member_limit,
        "per_member_daily_limit": item.per_member_daily_limit,
        "valid_from": item.valid_from.isoformat(timespec="seconds") if item.valid_from else None,
        "valid_to": item.valid_to.isoformat(timespec="seconds") if item.valid_to else None,
    }
    if item.kind == "physical":
        data["fulfilments"] = [
            f for f, on in (("delivery", item.allow_delivery), ("pickup", item.allow_pickup)) if on
        ]
        data["pickup_store"] = item.source_store.code if item.source_store else None
    else:
        rule = item.coupon_rule
        data["coupon"] = {
            "rule_id": rule.id,
            "name": rule.name,
            "offer_type": rule.offer_type,
            "face_value_fen": rule.face_value_fen,
        }
    return data


def order_summary(order: MallOrder) -> dict:
    """The member's view of an order: a virtual order has no specs, address, delivery,
    appointment, store or freight fields at all (F3.1), only the coupon."""
    data = {
        "order_no": order.order_no,
        "kind": order.kind,
        "status": order.status,
        "item_id": order.item_id,
        "item_name": order.item_name,
        "qty": order.qty,
        "points": order.points,
        "cash_fen": order.cash_fen,
        "created_on": order.created_on.isoformat(timespec="seconds"),
    }
    if order.kind == "virtual":
        coupon = order.coupon
        data["coupon"] = {
            "code": coupon.code,
            "valid_from": coupon.valid_from.isoformat() if coupon.valid_from else None,
            "valid_to": coupon.valid_to.isoformat() if coupon.valid_to else None,
        }
        return data
    data["fulfilment"] = order.fulfilment
    data["spec"] = order.sku.spec if order.sku else ""
    if order.fulfilment == "delivery":
        data["delivery"] = {
            "receiver_name": order.receiver_name,
            "receiver_phone": order.receiver_phone,
            "address": order.address,
            "carrier": order.carrier,
            "tracking_no": order.tracking_no,
        }
    else:
        data["pickup"] = {
            "store": order.store.code if order.store else None,
            "store_name": order.store.name if order.store else None,
            "pickup_code": order.pickup_code if order.status in OPEN_STATUSES else "",
        }
    return data


def store_pickups(store_id: int, statuses: tuple[str, ...] = ("pending", "ready"), limit: int = 100):
    """The pick-up orders waiting at ``store_id``, oldest first (the POS's to-do list)."""
    return list(db.session.scalars(
        select(MallOrder)
        .where(MallOrder.store_id == store_id, MallOrder.fulfilment == "pickup",
               MallOrder.status.in_(statuses))
        .order_by(MallOrder.created_on, MallOrder.id)
        .limit(limit)
    ).all())


def store_pickup(store_id: int, order_no: str) -> MallOrder:
    """A pick-up order at ``store_id`` by its number; any other order is unknown here (404)."""
    order = db.session.scalar(select(MallOrder).where(MallOrder.order_no == order_no))
    if order is None or order.fulfilment != "pickup" or order.store_id != store_id:
        raise DomainError("MALL_ORDER_NOT_FOUND", _l("Exchange order not found."))
    return order


def pickup_summary(order: MallOrder, viewer) -> dict:
    """A pick-up order as the store sees it: never its pick-up code (the member shows that),
    the member as their label (masked where privacy says so)."""
    from app.members.services import member_label

    data = order_summary(order)
    data["pickup"] = {key: value for key, value in data["pickup"].items() if key != "pickup_code"}
    data["member"] = member_label(order.member, viewer)
    return data


def member_orders(member_id: int, limit: int = 100) -> list[MallOrder]:
    return list(
        db.session.scalars(
            select(MallOrder)
            .where(MallOrder.member_id == member_id)
            .order_by(MallOrder.created_on.desc(), MallOrder.id.desc())
            .limit(limit)
        ).all()
    )


def member_order(member_id: int, order_no: str) -> MallOrder:
    order = db.session.scalar(select(MallOrder).where(MallOrder.order_no == order_no))
    if order is None or order.member_id != member_id:
        raise DomainError("MALL_ORDER_NOT_FOUND", _l("Exchange order not found."))
    return order
