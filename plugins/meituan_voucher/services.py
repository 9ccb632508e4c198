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

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from app.docnumbers.services import keyed_doc_no, register_doc_types
from app.errors import DomainError
from app.extensions import db
from app.org.models import Store
from app.platform.staff import Staff
from app.unit_of_work import unit_of_work
from plugins.meituan_voucher.client import MeituanClient, MeituanError, Prepared
from plugins.meituan_voucher.models import DealMapping, ShopBinding, Verification
from plugins.meituan_voucher.platform import (
    api_error,
    compensate_on_rollback,
    keep_pending,
    make_client,
    pending_error,
    recorder,
    store_token,
    write_pending,
)
from plugins.meituan_voucher.signing import business_date

VERIFICATION_DOC = "MV"  # numbered by the request id: a retried request keeps its number
register_doc_types({VERIFICATION_DOC: "Meituan voucher verification"})
NOT_VERIFIED_HERE = _l("No verified voucher with this code in this store.")
VERIFIED = ("consumed", "reversed")  # settled with the platform
UNSETTLED = ("pending", "void")  # pending: the outcome is unknown; void: settled as not verified
RETRY_AFTER_SECONDS = 1  # our failure after a consume: reversed (or pending) by the time we answer


def binding_for(store_id: int) -> ShopBinding:
    binding = db.session.scalars(
        select(ShopBinding).where(ShopBinding.store_id == store_id, ShopBinding.active.is_(True))
    ).one_or_none()
    if binding is None:
        raise DomainError("MEITUAN_SHOP_NOT_BOUND", _l("This store is not bound to a Meituan shop."))
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
    with unit_of_work():  # the call record (written in a fresh session if the call fails)
        try:
            prepared = client.prepare(code, binding.open_shop_uuid)
        except MeituanError as err:
            raise api_error(err) from err
    if prepared.end_ms and prepared.end_ms <= time.time() * 1000:
        raise api_error(MeituanError("MEITUAN_VOUCHER_EXPIRED", "receiptEndDate has passed"))
    return {
        "code": code, "deal_id": prepared.deal_id, "deal_group_id": prepared.deal_group_id,
        "deal_title": prepared.deal_title, "count": prepared.count, "price_fen": prepared.price_fen,
        "market_price_fen": prepared.market_price_fen, "mobile": prepared.mobile,
        "biz_type": prepared.biz_type,
        "end_date": datetime.fromtimestamp(prepared.end_ms / 1000).isoformat(timespec="seconds")
        if prepared.end_ms else None,
        **deal_value(prepared.deal_id, prepared.price_fen),
    }


class _Unknown(Exception):
    """A state-changing call whose outcome stays unknown even after asking the platform."""

    def __init__(self, cause: Exception):
        super().__init__(str(cause))
        self.cause = cause


def _check_usable(client: MeituanClient, code: str, request_id: str, shop: str) -> Prepared | None:
    """Prepare before consuming: an expired voucher is refused here, whatever code the platform
    would give.  A voucher already verified by this very ``requestId`` (an earlier attempt whose
    answer was lost) goes on to the consume, which the platform replays."""
    try:
        prepared = client.prepare(code, shop)
    except MeituanError as err:
        if err.code == "MEITUAN_VOUCHER_USED":
            found = client.getconsumed(code, shop)
            if found is not None and found["request_id"] == request_id:
                return None
        raise
    if prepared.end_ms and prepared.end_ms <= time.time() * 1000:
        raise MeituanError("MEITUAN_VOUCHER_EXPIRED", "receiptEndDate has passed")
    return prepared


def _consume_known(client: MeituanClient, code: str, count: int, request_id: str, shop: str,
                   account: tuple[str, str]) -> list[dict]:
    """Consume, and when the outcome is unknown (no answer in time, an answer we cannot read, our
    own failure reading it) ask ``getconsumed`` before anything else: verified by our ``requestId``
    → take it (the same ``requestId`` replays the first answer); not verified → verify now with the
    same ``requestId``; verified by another request → ``MEITUAN_VOUCHER_USED``.  Raises ``_Unknown``
    when even that cannot settle it."""
    try:
        return client.consume(code, count, request_id, shop, *account)
    except MeituanError as err:
        if not err.uncertain:
            raise  # a refusal: nothing was verified
        cause: Exception = err
    except Exception as exc:  # noqa: BLE001  our own code failed after the platform may have acted
        current_app.logger.exception("meituan consume answer not handled; reconciling")
        cause = exc
    try:
        found = client.getconsumed(code, shop)
    except Exception as exc:  # noqa: BLE001  cannot ask: the outcome stays unknown
        raise _Unknown(cause) from exc
    if found is not None and found["request_id"] and found["request_id"] != request_id:
        raise MeituanError("MEITUAN_VOUCHER_USED", "consumed by another request")
    try:
        return client.consume(code, count, request_id, shop, *account)
    except Exception as exc:  # noqa: BLE001
        if found is not None and count == 1:
            return [found]  # getconsumed already said what our request verified
        if found is None and isinstance(exc, MeituanError) and not exc.uncertain:
            raise  # not verified, and refused now: nothing happened
        raise _Unknown(cause) from exc


def _row(store: Store, staff_id: int | None, request_id: str, item: dict, status: str,
         order_no: str | None, now: datetime, day: str) -> dict:
    live = item["code"] if status == "consumed" else None
    number = keyed_doc_no(VERIFICATION_DOC, store.code, request_id[:10].upper(), now.date())
    return dict(verification_no=number, store_id=store.id, staff_id=staff_id, receipt_code=item["code"],
                live_code=live, request_id=request_id,
                platform_order_id=item.get("order_id", ""), deal_id=item.get("deal_id", ""),
                deal_title=item.get("deal_title", "")[:100], price_fen=item.get("price_fen", 0),
                status=status, order_no=order_no, business_date=day, consumed_at=now)


def _keep_pending(store_id: int, staff_id: int | None, code: str, request_id: str, order_no: str | None,
                  prepared: Prepared | None) -> str:
    """Record that ``code`` may have been verified by ``request_id``: written whatever happens to the
    caller's transaction; reconciliation (or a retry with the same requestId) settles it."""
    now = datetime.now()
    item = {"code": code}
    if prepared is not None:
        item.update(deal_id=prepared.deal_id, deal_title=prepared.deal_title, price_fen=prepared.price_fen)
    row = _row(db.session.get(Store, store_id), staff_id, request_id, item, "pending", order_no, now,
               business_date(time.time()))
    keep_pending(row)
    return row["verification_no"]


def consume_voucher(store_id: int, staff_id: int | None, code: str, count: int, request_id: str,
                    order_no: str | None = None, call_order_no: str = "") -> list[Verification]:
    """Verify ``count`` vouchers starting at ``code``; writes rows, does not commit.

    Every way out ends in a known state: verified and recorded; refused (nothing verified);
    verified, then reversed on the platform when the caller's transaction rolls back (our own
    failure after the consume included); or, when the platform cannot tell us, a ``pending`` row
    and ``MEITUAN_VERIFICATION_PENDING`` (502/504)."""
    binding = binding_for(store_id)
    existing = db.session.scalars(select(Verification).where(Verification.request_id == request_id)).all()
    settled = [row for row in existing if row.status in VERIFIED]
    if settled:
        return settled
    client = make_client(store_id, staff_id, order_no or call_order_no)
    account, shop = _account(staff_id), binding.open_shop_uuid
    prepared = None
    try:
        prepared = _check_usable(client, code, request_id, shop)
        results = _consume_known(client, code, count, request_id, shop, account)
    except _Unknown as unknown:
        raise pending_error(unknown.cause, _keep_pending(store_id, staff_id, code, request_id, order_no,
                                                         prepared)) from unknown
    except MeituanError as err:
        raise api_error(err) from err
    # from here on the vouchers are verified: a rollback of the caller reverses them
    _undo_on_rollback(client, shop, account, "consume", request_id,
                      [(item["code"], item["deal_id"]) for item in results],
                      keep=lambda fresh, n: _row(fresh.get(Store, store_id), staff_id, request_id, results[n],
                                                 "pending", None, datetime.now(), business_date(time.time())))
    try:
        return _record(store_id, staff_id, request_id, results, order_no)
    except (DomainError, SQLAlchemyError):
        raise
    except Exception as exc:  # noqa: BLE001  our failure: the caller's rollback reverses the vouchers
        current_app.logger.exception("meituan verification not recorded")
        raise DomainError("MEITUAN_VOUCHER_NOT_RECORDED",
                          _l("The verification could not be recorded here, so it was reversed on Meituan "
                             "(or kept as pending if Meituan could not be reached). Try again in a moment "
                             "(with the same Idempotency-Key)."), retry_after=RETRY_AFTER_SECONDS) from exc


def _record(store_id: int, staff_id: int | None, request_id: str, results: list[dict],
            order_no: str | None) -> list[Verification]:
    now = datetime.now()
    day = business_date(time.time())
    store = db.session.get(Store, store_id)
    # an earlier attempt of this requestId left a pending (or void) row: this result settles it
    db.session.execute(delete(Verification).where(Verification.request_id == request_id,
                                                  Verification.status.in_(UNSETTLED)))
    rows = [Verification(**_row(store, staff_id, request_id, item, "consumed", order_no, now, day))
            for item in results]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _undo_on_rollback(client: MeituanClient, shop: str, account: tuple[str, str], done: str, request_id: str,
                      items: list[tuple[str, str]], keep=None):
    """If the caller's transaction rolls back, undo on the platform what was just done there
    (reverse a consume, re-consume a reverse), unless a committed twin already recorded it.
    The n-th voucher of a consume that cannot be reversed is kept as the pending row
    ``keep(fresh_session, n)``, for reconciliation to settle."""
    context = client.context

    def undo(fresh) -> None:
        client.recorder = recorder(*context, fresh)
        client.on_token = lambda token, refresh: store_token(fresh, token, refresh)
        if done == "consume":
            if fresh.scalars(select(Verification.id).where(Verification.request_id == request_id,
                                                           Verification.status == "consumed")).first():
                return  # a concurrent twin with the same requestId committed it
            kept = []
            for n, (code, deal_id) in enumerate(items):  # every voucher the consume verified
                try:
                    client.reverse(code, deal_id, shop, *account)
                except Exception:  # noqa: BLE001  not reversed (or unknown): reconciliation settles it
                    current_app.logger.exception("meituan reverse after rollback failed")
                    kept.append(code)
                    if keep is not None:
                        write_pending(fresh, keep(fresh, n))
            # reversed: a pending row of an earlier attempt of this requestId is settled as void
            fresh.execute(update(Verification).where(Verification.request_id == request_id,
                                                     Verification.status == "pending",
                                                     Verification.receipt_code.notin_(kept))
                          .values(status="void"))
            return
        for code, _deal_id in items:
            live = fresh.scalars(select(Verification).where(Verification.live_code == code)).first()
            if live is not None and live.status == "consumed":
                client.consume(code, 1, uuid.uuid4().hex, shop, *account)

    compensate_on_rollback(undo)


def settle_rows(client: MeituanClient, shop: str, rows: list[Verification]) -> int:
    """Settle pending verifications by asking ``getconsumed``: verified by the row's ``requestId``
    → ``consumed`` (live: it can pay a sale or be reversed); not verified, or by another request
    → ``void``; the platform cannot be asked → left pending.  Returns how many were settled;
    flushes, does not commit."""
    settled = 0
    for row in rows:
        try:
            found = client.getconsumed(row.receipt_code, shop)
        except MeituanError:
            continue
        live = db.session.scalars(select(Verification.id).where(
            Verification.live_code == row.receipt_code)).first()
        if found is not None and found["request_id"] in ("", row.request_id) and live is None:
            row.status, row.live_code = "consumed", row.receipt_code
            row.platform_order_id, row.deal_id = found["order_id"], found["deal_id"]
            row.deal_title, row.price_fen = found["deal_title"][:100], found["price_fen"]
            if found["consumed_at_ms"]:
                at = found["consumed_at_ms"] / 1000
                row.consumed_at, row.business_date = datetime.fromtimestamp(at), business_date(at)
        else:
            row.status = "void"
        db.session.flush()
        settled += 1
    return settled


def settle_pending_code(store_id: int, staff_id: int | None, code: str) -> bool:
    """A voucher shown again at the POS (to pay a sale, to be reversed) while a verification of it
    in this store is pending: settle it now.  True when it became a live verification."""
    rows = db.session.scalars(select(Verification).where(
        Verification.store_id == store_id, Verification.receipt_code == code,
        Verification.status == "pending").order_by(Verification.id)).all()
    if not rows:
        return False
    binding = binding_for(store_id)
    settle_rows(make_client(store_id, staff_id), binding.open_shop_uuid, rows)
    return any(row.status == "consumed" for row in rows)


def _reverse_on_platform(client: MeituanClient, row: Verification, shop: str,
                         account: tuple[str, str]) -> None:
    """Reverse on the platform; an unknown outcome is settled by asking ``getconsumed``."""
    try:
        client.reverse(row.receipt_code, row.deal_id, shop, *account)
    except MeituanError as err:
        if err.code == "MEITUAN_NOT_CONSUMED":  # already reversed (an earlier answer was lost)
            return
        if err.uncertain:
            try:
                found = client.getconsumed(row.receipt_code, shop)
            except MeituanError:
                raise api_error(err) from err  # still verified here: reconciliation flags a difference
            if found is None or found["request_id"] != row.request_id:
                return  # the reversal went through
        raise api_error(err) from err


def reverse_voucher(store_id: int, staff_id: int | None, code: str, *,
                    order_no: str | None = None) -> Verification:
    """Reverse the live verification of ``code`` in this store (within the platform's window)."""
    def live():
        return db.session.scalars(
            select(Verification).where(Verification.live_code == code, Verification.store_id == store_id)
        ).one_or_none()

    row = live()
    if row is None and settle_pending_code(store_id, staff_id, code):
        row = live()
    if row is None:
        raise DomainError("MEITUAN_VERIFICATION_NOT_FOUND", NOT_VERIFIED_HERE)
    if row.applied_fen and row.order_no != order_no:  # it paid for that order
        raise DomainError("MEITUAN_VOUCHER_ON_ORDER",
                          _l("This voucher paid for order %(order_no)s: return the order instead.",
                             order_no=row.order_no))
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
        raise DomainError("MEITUAN_VERIFICATION_NOT_FOUND", NOT_VERIFIED_HERE)
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
