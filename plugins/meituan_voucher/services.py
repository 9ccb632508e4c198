"""Business rules of Meituan vouchers: prepare, consume, reverse, the tender, reconciliation.

A timeout during consume is resolved by asking the platform (getconsumed)
before any retry, and every retry reuses the first ``requestId`` (the platform
replays its first answer): a voucher is never consumed twice.  A voucher
consumed inside a sale that then rolls back is reversed on the platform.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.api import ApiError
from app.extensions import db
from app.org.models import Staff, Store
from plugins.meituan_voucher.client import MeituanClient, MeituanError, MeituanTimeout
from plugins.meituan_voucher.models import DealMapping, ShopBinding, Verification
from plugins.meituan_voucher.platform import (
    api_error,
    compensate_on_rollback,
    make_client,
    recorder,
    store_token,
)
from plugins.meituan_voucher.signing import business_date

NOT_VERIFIED_HERE = _l("No verified voucher with this code in this store.")


def binding_for(store_id: int) -> ShopBinding:
    binding = db.session.scalars(
        select(ShopBinding).where(ShopBinding.store_id == store_id, ShopBinding.active.is_(True))
    ).one_or_none()
    if binding is None:
        raise ApiError("MEITUAN_SHOP_NOT_BOUND", _l("This store is not bound to a Meituan shop."), 409)
    return binding


def request_id_for(user_id: int | None, key: str, scope: str) -> str:
    """A stable ``requestId`` from an idempotency key (a POS retry reuses it), else a random one."""
    if not key:
        return uuid.uuid4().hex
    return hashlib.sha1(f"{user_id}:{scope}:{key}".encode()).hexdigest()[:32]


def _account(staff_id: int | None) -> tuple[str, str]:
    staff = db.session.get(Staff, staff_id) if staff_id else None
    return (staff.employee_no, staff.name) if staff else ("system", "system")


def deal_value(deal_id: str, price_fen: int) -> dict:
    """What one voucher of ``deal_id`` pays for, as the merchant mapped it."""
    mapping = db.session.scalars(
        select(DealMapping).where(DealMapping.deal_id == deal_id, DealMapping.active.is_(True))
    ).one_or_none()
    if mapping is None:
        return {"mode": "tender", "value_fen": price_fen, "sku_code": None, "qty": 0}
    if mapping.mode == "product" and mapping.sku is not None:
        return {"mode": "product", "value_fen": mapping.sku.price_fen * mapping.qty,
                "sku_code": mapping.sku.sku_code, "qty": mapping.qty}
    value = price_fen if mapping.amount_fen is None else mapping.amount_fen
    return {"mode": "tender", "value_fen": value, "sku_code": None, "qty": 0}


def prepare_voucher(store_id: int, staff_id: int | None, code: str) -> dict:
    binding = binding_for(store_id)
    client = make_client(store_id, staff_id)
    try:
        prepared = client.prepare(code, binding.open_shop_uuid)
    except MeituanError as err:
        raise api_error(err) from err
    db.session.commit()  # the call record
    return {
        "code": code, "deal_id": prepared.deal_id, "deal_group_id": prepared.deal_group_id,
        "deal_title": prepared.deal_title, "count": prepared.count, "price_fen": prepared.price_fen,
        "market_price_fen": prepared.market_price_fen, "mobile": prepared.mobile,
        "biz_type": prepared.biz_type,
        "end_date": datetime.fromtimestamp(prepared.end_ms / 1000).isoformat(timespec="seconds")
        if prepared.end_ms else None,
        **deal_value(prepared.deal_id, prepared.price_fen),
    }


def _consume_resolving_timeout(client: MeituanClient, code: str, count: int, request_id: str, shop: str,
                               account: tuple[str, str]) -> list[dict]:
    try:
        return client.consume(code, count, request_id, shop, *account)
    except MeituanTimeout:
        pass
    found = client.getconsumed(code, shop)  # ask before any retry
    if found is not None and found["request_id"] and found["request_id"] != request_id:
        raise MeituanError("MEITUAN_VOUCHER_USED", "consumed by another request")
    # ours (the platform replays the first answer) or not consumed yet: the same requestId is safe
    return client.consume(code, count, request_id, shop, *account)


def consume_voucher(store_id: int, staff_id: int | None, code: str, count: int, request_id: str,
                    order_no: str | None = None, call_order_no: str = "") -> list[Verification]:
    """Verify ``count`` vouchers starting at ``code``; writes rows, does not commit."""
    binding = binding_for(store_id)
    existing = db.session.scalars(select(Verification).where(Verification.request_id == request_id)).all()
    if existing:
        return list(existing)
    client = make_client(store_id, staff_id, order_no or call_order_no)
    account = _account(staff_id)
    try:
        results = _consume_resolving_timeout(client, code, count, request_id, binding.open_shop_uuid, account)
    except MeituanError as err:
        raise api_error(err) from err
    now = datetime.now()
    day = business_date(time.time())
    store = db.session.get(Store, store_id)
    rows = [
        Verification(
            verification_no=f"MV{now:%Y%m%d}{store.code}{request_id[:10].upper()}", store_id=store_id,
            staff_id=staff_id, receipt_code=item["code"], live_code=item["code"], request_id=request_id,
            platform_order_id=item["order_id"], deal_id=item["deal_id"], deal_title=item["deal_title"][:100],
            price_fen=item["price_fen"], status="consumed", order_no=order_no, business_date=day,
            consumed_at=now,
        )
        for item in results
    ]
    _undo_on_rollback(client, binding.open_shop_uuid, account, "consume", request_id,
                      [(item["code"], item["deal_id"]) for item in results])
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _undo_on_rollback(client: MeituanClient, shop: str, account: tuple[str, str], done: str, request_id: str,
                      items: list[tuple[str, str]]):
    """If the caller's transaction rolls back, undo on the platform what was just done there
    (reverse a consume, re-consume a reverse), unless a committed twin already recorded it."""
    context = client.context

    def undo(fresh) -> None:
        client.recorder = recorder(*context, fresh)
        client.on_token = lambda token, refresh: store_token(fresh, token, refresh)
        if done == "consume":
            if fresh.scalars(select(Verification.id).where(Verification.request_id == request_id)).first():
                return  # a concurrent twin with the same requestId committed it
            for code, deal_id in items:  # every voucher the consume verified
                client.reverse(code, deal_id, shop, *account)
            return
        for code, _deal_id in items:
            live = fresh.scalars(select(Verification).where(Verification.live_code == code)).first()
            if live is not None and live.status == "consumed":
                client.consume(code, 1, uuid.uuid4().hex, shop, *account)

    compensate_on_rollback(undo)


def _reverse_on_platform(client: MeituanClient, row: Verification, shop: str,
                         account: tuple[str, str]) -> None:
    try:
        client.reverse(row.receipt_code, row.deal_id, shop, *account)
    except MeituanError as err:
        if err.code != "MEITUAN_NOT_CONSUMED":  # already reversed (an earlier answer was lost)
            raise api_error(err) from err


def reverse_voucher(store_id: int, staff_id: int | None, code: str, *,
                    order_no: str | None = None) -> Verification:
    """Reverse the live verification of ``code`` in this store (within the platform's window)."""
    row = db.session.scalars(
        select(Verification).where(Verification.live_code == code, Verification.store_id == store_id)
    ).one_or_none()
    if row is None:
        raise ApiError("MEITUAN_VERIFICATION_NOT_FOUND", NOT_VERIFIED_HERE, 404)
    if row.applied_fen and row.order_no != order_no:  # it paid for that order
        raise ApiError("MEITUAN_VOUCHER_ON_ORDER",
                       _l("This voucher paid for order %(order_no)s: return the order instead.",
                          order_no=row.order_no), 409)
    binding = binding_for(store_id)
    client, account = make_client(store_id, staff_id, row.order_no or ""), _account(staff_id)
    _reverse_on_platform(client, row, binding.open_shop_uuid, account)
    _undo_on_rollback(client, binding.open_shop_uuid, account, "reverse", row.request_id,
                      [(code, row.deal_id)])
    done = db.session.execute(
        update(Verification).where(Verification.id == row.id, Verification.status == "consumed")
        .values(status="reversed", live_code=None, reversed_at=datetime.now())
    )
    if done.rowcount != 1:
        raise ApiError("MEITUAN_VERIFICATION_NOT_FOUND", NOT_VERIFIED_HERE, 404)
    db.session.refresh(row)
    return row


def check_deal_mapping(mapping: DealMapping) -> None:
    """Refuse an inconsistent deal mapping (raised as ``ValueError`` with a localized message)."""
    from plugins.meituan_voucher.models import DEAL_MODES

    if mapping.mode not in DEAL_MODES:
        raise ValueError(str(_l("Pays for must be tender or product.")))
    if mapping.mode == "product" and (mapping.sku_id is None and mapping.sku is None):
        raise ValueError(str(_l("A product mapping needs a product SKU.")))
    if (mapping.qty or 0) < 1 or (mapping.amount_fen is not None and mapping.amount_fen < 0):
        raise ValueError(str(_l("Quantity must be at least 1 and the amount cannot be negative.")))
