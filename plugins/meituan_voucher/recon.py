"""Daily reconciliation per store: our verifications of a day against the platform's list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.unit_of_work import unit_of_work
from plugins.meituan_voucher.client import MeituanError
from plugins.meituan_voucher.models import Reconciliation, ShopBinding, Verification
from plugins.meituan_voucher.platform import make_client
from plugins.meituan_voucher.services import settle_rows

PAGE = 100


def _platform_list(store_id: int, shop: str, day: str) -> dict[str, dict]:
    client = make_client(store_id)
    found: dict[str, dict] = {}
    offset = 0
    while True:
        total, items = client.querylist(shop, day, offset, PAGE)
        for item in items:
            found[item["code"]] = item
        offset += len(items)
        if not items or offset >= total:
            return found


def compare(ours: dict[str, Verification], theirs: dict[str, dict]) -> list[dict]:
    mismatches = []
    for code in sorted(set(theirs) - set(ours)):
        mismatches.append({"code": code, "kind": "platform_only", "deal_id": theirs[code]["deal_id"],
                           "platform_order_id": theirs[code]["order_id"]})
    for code in sorted(set(ours) - set(theirs)):
        mismatches.append({"code": code, "kind": "ours_only", "verification_no": ours[code].verification_no,
                           "order_no": ours[code].order_no})
    for code in sorted(set(ours) & set(theirs)):
        mine, other = ours[code], theirs[code]
        if mine.deal_id != other["deal_id"] or mine.price_fen != other["price_fen"]:
            mismatches.append({"code": code, "kind": "different", "ours": [mine.deal_id, mine.price_fen],
                               "platform": [other["deal_id"], other["price_fen"]]})
    return mismatches


def settle_pending(binding: ShopBinding) -> tuple[int, int]:
    """Ask the platform about every pending verification of the store (a consume whose outcome was
    unknown): verified by its ``requestId`` → ``consumed`` (its value can pay a sale or be reversed);
    not verified, or by another request → ``void``; the platform cannot be asked → still pending.
    Returns (settled, still pending).  Commits."""
    with unit_of_work():
        pending = db.session.scalars(select(Verification).where(
            Verification.store_id == binding.store_id, Verification.status == "pending")
            .order_by(Verification.id)).all()
        if not pending:
            return 0, 0
        settled = settle_rows(make_client(binding.store_id), binding.open_shop_uuid, pending)
    return settled, len(pending) - settled


def reconcile_store(binding: ShopBinding, day: str) -> Reconciliation:
    """Settle the store's pending verifications, then compare and store the result for (store, day);
    safe to run again (the row is updated). Commits."""
    settled, _still = settle_pending(binding)
    with unit_of_work():
        ours = {v.receipt_code: v for v in db.session.scalars(select(Verification).where(
            Verification.store_id == binding.store_id, Verification.business_date == day,
            Verification.status == "consumed"))}
        row = db.session.scalars(select(Reconciliation).where(
            Reconciliation.store_id == binding.store_id, Reconciliation.business_date == day)).one_or_none()
        if row is None:
            row = Reconciliation(store_id=binding.store_id, business_date=day, status="ok")
            db.session.add(row)
        waiting = db.session.scalars(select(Verification).where(
            Verification.store_id == binding.store_id, Verification.status == "pending")).all()
        try:
            theirs = _platform_list(binding.store_id, binding.open_shop_uuid, day)
        except MeituanError as err:
            row.status, row.message, row.mismatches = "failed", f"{err.code}: {err.message}"[:200], None
            row.ours, row.platform = len(ours), 0
        else:
            row.mismatches = compare(ours, theirs) + [
                {"code": v.receipt_code, "kind": "pending", "verification_no": v.verification_no}
                for v in waiting]
            row.status = "mismatch" if row.mismatches else "ok"
            row.ours, row.platform = len(ours), len(theirs)
            row.message = f"pending settled: {settled}" if settled else ""
        row.checked_on = datetime.now()
    return row


def reconcile_all(day: str, store_code: str | None = None, progress=None) -> list[Reconciliation]:
    from app.org.models import Store

    query = (select(ShopBinding).join(Store, Store.id == ShopBinding.store_id)
             .where(ShopBinding.active.is_(True)))
    if store_code:
        query = query.where(Store.code == store_code)
    bindings = db.session.scalars(query.order_by(Store.code)).all()
    results = []
    for n, binding in enumerate(bindings, 1):
        results.append(reconcile_store(binding, day))
        if progress is not None:
            progress(n, len(bindings))
    return results
