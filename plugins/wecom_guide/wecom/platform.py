"""Our side of the WeCom connection: settings → client, the shared access-token cache, the call
log and the callback crypto.

Call records and tokens are written in a session of their own, committed at once: a WeCom
call happened whatever becomes of the caller's transaction.  WeCom is never called inside a
write transaction of ours (SQLite would hold its lock across the call).
"""

from __future__ import annotations

import threading

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from app.errors import DomainError
from app.extensions import db
from app.platform.settings import get_setting
from app.unit_of_work import in_fresh_session
from plugins.wecom_guide.models import WeComCall, WeComToken
from plugins.wecom_guide.settings import (
    WECOM_AES_KEY,
    WECOM_BASE_URL,
    WECOM_CALLBACK_TOKEN,
    WECOM_CORP_ID,
    WECOM_SECRET,
    WECOM_TIMEOUT,
)
from plugins.wecom_guide.wecom.client import Credentials, WeComClient, WeComError
from plugins.wecom_guide.wecom.crypto import WeComCryptoError, WXBizMsgCrypt

_MEMORY: dict[str, tuple[str, float]] = {}  # corp id -> (token, expires at): this process
_LOCK = threading.Lock()


class DbTokens:
    """The access token in this process and in ``wecom_guide_token`` (every worker)."""

    def get(self, corp_id):
        with _LOCK:
            cached = _MEMORY.get(corp_id)
        if cached:
            return cached
        row = db.session.get(WeComToken, corp_id)
        if row is None:
            return None
        with _LOCK:
            _MEMORY[corp_id] = (row.token, row.expires_at)
        return row.token, row.expires_at

    def put(self, corp_id, token, expires_at):
        with _LOCK:
            _MEMORY[corp_id] = (token, expires_at)

        def write(session):
            row = session.get(WeComToken, corp_id) or WeComToken(corp_id=corp_id)
            row.token, row.expires_at = token, expires_at
            session.add(row)

        in_fresh_session(write, "wecom token")

    def drop(self, corp_id, token):
        with _LOCK:
            if _MEMORY.get(corp_id, ("",))[0] == token:
                _MEMORY.pop(corp_id, None)
        in_fresh_session(
            lambda s: s.execute(
                delete(WeComToken).where(WeComToken.corp_id == corp_id, WeComToken.token == token)
            ),
            "wecom token",
        )


def record_call(op, request, response, http_status, errcode, error_code, duration_ms) -> None:
    if error_code:
        current_app.logger.warning(
            "wecom: %s failed: %s (errcode %s, HTTP %s)", op, error_code, errcode, http_status
        )
    row = dict(
        op=op,
        ok=not error_code,
        errcode=errcode,
        error_code=error_code or "",
        http_status=http_status,
        duration_ms=duration_ms,
        request=request,
        response=response,
    )
    in_fresh_session(lambda s: s.add(WeComCall(**row)), "wecom call record")


def make_client() -> WeComClient:
    base_url, corp_id, secret = (
        get_setting(WECOM_BASE_URL),
        get_setting(WECOM_CORP_ID),
        get_setting(WECOM_SECRET),
    )
    if not (base_url and corp_id and secret):
        raise DomainError(
            "WECOM_NOT_CONFIGURED",
            _l("WeCom is not set up: fill in the corp ID and the customer-contact secret."),
        )
    creds = Credentials(base_url, corp_id, secret, float(get_setting(WECOM_TIMEOUT)))
    return WeComClient(creds, tokens=DbTokens(), recorder=record_call)


def callback_crypt() -> WXBizMsgCrypt:
    """The callback's crypto; ``WeComCryptoError(-40004)`` when the settings are incomplete."""
    token, key, corp_id = (
        get_setting(WECOM_CALLBACK_TOKEN),
        get_setting(WECOM_AES_KEY),
        get_setting(WECOM_CORP_ID),
    )
    if not (token and key and corp_id):
        raise WeComCryptoError(-40004, "the callback token, EncodingAESKey and corp ID are not set")
    return WXBizMsgCrypt(token, key, corp_id)


def api_error(err: WeComError) -> DomainError:
    """WeCom's refusal or silence as our domain error (status registered in errors.py)."""
    if err.transient:
        return DomainError(
            "WECOM_UNAVAILABLE",
            _l("WeCom cannot be reached right now (%(code)s); try again.", code=err.code),
            cause=err.code,
        )
    return DomainError(
        "WECOM_REFUSED",
        _l(
            "WeCom refused the request: %(message)s (errcode %(errcode)s).",
            message=err.message or "-",
            errcode=err.errcode or "-",
        ),
        wecom_code=err.code,
        errcode=err.errcode,
    )


def forget_tokens() -> None:
    """Tests: this process forgets the cached tokens."""
    with _LOCK:
        _MEMORY.clear()
