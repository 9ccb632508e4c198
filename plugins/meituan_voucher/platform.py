"""Our side of the platform connection: settings → client, call records, token persistence,
error mapping, and compensation when a transaction that consumed a voucher rolls back.

Call records are written in the caller's transaction; if it rolls back they are
written again in a fresh session afterwards (a failed call is recorded too).  A
refreshed token is stored in a fresh session once the caller's transaction ends,
so a rolled-back sale never loses it.
"""

from __future__ import annotations

import json
import threading

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.extensions import db
from app.hookspecs import SettingDef
from app.platform.caches import bump_config_version
from app.platform.models import AuditLog, Setting
from app.platform.settings import get_setting, mask_secret
from app.unit_of_work import in_fresh_session
from plugins.meituan_voucher.client import Credentials, MeituanClient, MeituanError
from plugins.meituan_voucher.models import PlatformCall

PENDING_CALLS = "meituan_voucher.calls"
COMPENSATIONS = "meituan_voucher.compensations"
PENDING_TOKEN = "meituan_voucher.token"
PENDING_ROWS = "meituan_voucher.pending_rows"
_TOKENS: dict = {}  # (base_url, developer id) -> (token, refresh): newest in this process
_TOKENS_LOCK = threading.Lock()

SETTINGS = [
    SettingDef("meituan_voucher.base_url", _l("Meituan API base URL"), "str", default="http://127.0.0.1:5055",
               description=_l("The Meituan open platform, or the local simulator (the default).")),
    SettingDef("meituan_voucher.developer_id", _l("Meituan developer ID"), "str", default="", max_length=32),
    SettingDef("meituan_voucher.sign_key", _l("Meituan sign key"), "str", default="", secret=True),
    SettingDef("meituan_voucher.app_auth_token", _l("Meituan app auth token"), "str", default="",
               secret=True),
    SettingDef("meituan_voucher.refresh_token", _l("Meituan refresh token"), "str", default="", secret=True,
               description=_l("Used to renew the app auth token when it expires.")),
    SettingDef("meituan_voucher.timeout_seconds", _l("Meituan request timeout (seconds)"), "int", default=5,
               min_value=1, max_value=60),
]

ERRORS = {
    "MEITUAN_VOUCHER_NOT_FOUND": (_l("This voucher code is not known to Meituan for this shop."), 404),
    "MEITUAN_VOUCHER_USED": (_l("This voucher has already been verified."), 409),
    "MEITUAN_VOUCHER_EXPIRED": (_l("This voucher has expired."), 409),
    "MEITUAN_COUNT_INVALID": (_l("That many vouchers cannot be verified for this code."), 422),
    "MEITUAN_SHOP_NOT_AUTHORIZED": (_l("This store's Meituan shop is not authorized for our app."), 409),
    "MEITUAN_REVERSE_WINDOW_PASSED": (
        _l("Meituan allows reversing a voucher only within 10 minutes of verifying it; "
           "this one can no longer be reversed."), 409),
    "MEITUAN_NOT_CONSUMED": (_l("Meituan says this voucher is not verified."), 409),
    "MEITUAN_DEAL_MISMATCH": (_l("The deal does not match this voucher."), 409),
    # Meituan answered, and refused: a 4xx (the platform's code and message are passed on)
    "MEITUAN_SIGNATURE_REJECTED": (_l("Meituan refused our signature: check the sign key."), 409),
    "MEITUAN_TOKEN_EXPIRED": (_l("The Meituan authorization expired: renew it."), 409),
    "MEITUAN_TOKEN_INVALID": (_l("The Meituan authorization is invalid: authorize the app again."), 409),
    "MEITUAN_REQUEST_INVALID": (_l("Meituan refused the request as invalid."), 422),
    "MEITUAN_REFUSED": (_l("Meituan refused the request."), 409),
    # Meituan did not answer sensibly: 5xx
    "MEITUAN_TIMEOUT": (_l("Meituan did not answer in time; check the voucher before trying again."), 504),
    "MEITUAN_UNAVAILABLE": (_l("Meituan cannot be reached right now."), 503),
    "MEITUAN_BAD_RESPONSE": (_l("Meituan sent an answer we cannot read."), 502),
}


def api_error(err: MeituanError) -> DomainError:
    """The platform's refusal as our domain error (its status is the one ``ERRORS`` registers)."""
    code = err.code if err.code in ERRORS else "MEITUAN_REFUSED"
    message, _status = ERRORS[code]
    if code == "MEITUAN_REFUSED":
        message = _l("Meituan refused the request: %(platform_message)s (code %(platform_code)s).",
                     platform_message=err.message or "-", platform_code=err.platform_code or "-")
    return DomainError(code, message, platform_code=err.platform_code, platform_message=err.message)


def pending_error(err: Exception, verification_no: str) -> DomainError:
    """The outcome of a state-changing call stays unknown: a pending row was recorded (504 when
    Meituan did not answer in time, 502 when its answer could not be read or it could not be asked)."""
    status = 504 if getattr(err, "code", "") == "MEITUAN_TIMEOUT" else 502
    message = _l("Meituan did not confirm whether the voucher was verified. It is kept as pending "
                 "(%(verification_no)s) until reconciliation settles it; retry with the same "
                 "Idempotency-Key, and do not take this voucher as payment until then.",
                 verification_no=verification_no)
    return DomainError("MEITUAN_VERIFICATION_PENDING", message, status, verification_no=verification_no,
                    cause=getattr(err, "code", "") or type(err).__name__)


def _creds() -> Credentials:
    base_url = get_setting("meituan_voucher.base_url")
    developer_id = get_setting("meituan_voucher.developer_id")
    sign_key = get_setting("meituan_voucher.sign_key")
    token = get_setting("meituan_voucher.app_auth_token")
    if not (base_url and developer_id and sign_key and token):
        raise DomainError("MEITUAN_NOT_CONFIGURED",
                          _l("Meituan is not set up: fill in the developer ID, sign key and token."))
    refresh = get_setting("meituan_voucher.refresh_token")
    with _TOKENS_LOCK:
        cached = _TOKENS.get((base_url, developer_id))
    if cached and cached[2] == (token, refresh):  # settings not changed since our refresh
        token, refresh = cached[0], cached[1]
    timeout = float(get_setting("meituan_voucher.timeout_seconds"))
    return Credentials(base_url, developer_id, sign_key, token, refresh, timeout)


def make_client(store_id=None, staff_id=None, order_no: str = "", session: Session | None = None):
    """A client whose calls are recorded (in ``session``, default: the caller's transaction)."""
    creds = _creds()
    stored = (creds.token, creds.refresh_token)

    def on_token(token, refresh):
        with _TOKENS_LOCK:
            _TOKENS[(creds.base_url, creds.developer_id)] = (token, refresh, stored)
        db.session.info[PENDING_TOKEN] = (token, refresh)

    client = MeituanClient(creds, recorder=recorder(store_id, staff_id, order_no, session), on_token=on_token,
                           reload=_stored_tokens)
    client.context = (store_id, staff_id, order_no)  # what its call records name
    return client


def _stored_tokens() -> tuple[str, str] | None:
    """The tokens committed now (another worker may have refreshed), read in a fresh session."""
    fresh = Session(bind=db.engine)
    try:
        token = fresh.get(Setting, "meituan_voucher.app_auth_token")
        refresh = fresh.get(Setting, "meituan_voucher.refresh_token")
        return (token.value, refresh.value) if token and refresh else None
    finally:
        fresh.close()


def _receipt_code(fields: dict) -> str:
    try:
        biz = json.loads(fields.get("biz") or "{}")
    except ValueError:
        return ""
    return str(biz.get("receiptCode", ""))[:32] if isinstance(biz, dict) else ""


def recorder(store_id, staff_id, order_no, session: Session | None):
    def record(op, request, response, http_status, error_code, duration_ms):
        row = dict(store_id=store_id, staff_id=staff_id, op=op, receipt_code=_receipt_code(request),
                   order_no=order_no or "", ok=not error_code, error_code=error_code or "",
                   http_status=http_status, duration_ms=duration_ms, request=request, response=response)
        if session is not None:
            session.add(PlatformCall(**row))
            return
        db.session.add(PlatformCall(**row))
        db.session.info.setdefault(PENDING_CALLS, []).append(row)
        db.session.flush()  # opens the transaction, so its rollback is seen by the listener below

    return record


def keep_pending(row: dict) -> None:
    """Write a pending verification (columns of ``Verification``) once the caller's transaction
    ends, committed or not: the request that found the outcome unknown usually fails."""
    db.session.info.setdefault(PENDING_ROWS, []).append(row)


def write_pending(session: Session, row: dict) -> None:
    from plugins.meituan_voucher.models import Verification

    taken = session.query(Verification.id).filter_by(request_id=row["request_id"],
                                                       receipt_code=row["receipt_code"]).first()
    if taken is None:
        session.add(Verification(**row))
        session.flush()


def compensate_on_rollback(action) -> None:
    """Run ``action(fresh_session)`` if the caller's transaction rolls back (e.g. reverse a consume)."""
    db.session.info.setdefault(COMPENSATIONS, []).append(action)


def store_token(session: Session, token: str, refresh: str) -> None:
    for key, value in (("meituan_voucher.app_auth_token", token), ("meituan_voucher.refresh_token", refresh)):
        row = session.get(Setting, key) or Setting(key=key)
        old = row.value
        row.value = value
        session.add(row)
        session.add(AuditLog(user_id=None, username="", action="setting.change", object_type="setting",
                             object_id=key, detail={"old": mask_secret(old), "new": mask_secret(value),
                                                    "by": "token refresh"}))
    bump_config_version(session)  # workers cache settings per configuration version


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(PENDING_CALLS, None)  # committed with the work
    session.info.pop(COMPENSATIONS, None)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    """Rolled back or closed without commit: write the call records again, run compensations;
    in every case store a refreshed token."""
    if transaction.parent is not None:
        return
    rows = session.info.pop(PENDING_CALLS, None)
    actions = session.info.pop(COMPENSATIONS, None)
    token = session.info.pop(PENDING_TOKEN, None)
    pending = session.info.pop(PENDING_ROWS, None)
    if not (rows or actions or token or pending):
        return

    def work(fresh: Session) -> None:
        for row in rows or ():
            fresh.add(PlatformCall(**row))
        fresh.flush()  # the calls first, then what the compensations do
        for row in pending or ():
            write_pending(fresh, row)
        for action in actions or ():
            try:
                action(fresh)
            except Exception:  # its own call record says why; reconciliation flags the voucher
                current_app.logger.exception("meituan compensation failed")
        if token is not None:
            store_token(fresh, *token)

    in_fresh_session(work, "meituan records")


