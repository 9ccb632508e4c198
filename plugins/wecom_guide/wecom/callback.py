"""``/wecom/callback``: WeCom's URL verification (GET) and its encrypted events (POST).

No login and no token: the signature is the authentication (``WXBizMsgCrypt``).  A refused
request (bad signature, tampered ciphertext, another corp's receiveid, unreadable XML, a signed
timestamp outside the replay window — ``wecom_guide.callback_window_seconds``, 5 minutes by
default, either way) answers 4xx with a short text, is logged and leaves an audit row; nothing
else is written.  An event
answers ``success`` once recorded (a duplicate too: WeCom stops retrying), or 503 when it
failed for a passing reason (WeCom did not answer us in time…): WeCom then retries it.
"""

from __future__ import annotations

import time

from flask import current_app, request
from flask_appbuilder import BaseView, expose

from app.platform.audit import audit
from app.platform.settings import get_setting
from app.unit_of_work import unit_of_work
from plugins.wecom_guide.settings import CALLBACK_WINDOW
from plugins.wecom_guide.wecom.crypto import (
    KEY_INVALID,
    RECEIVEID_INVALID,
    SIGNATURE_INVALID,
    WeComCryptoError,
    parse_xml,
)
from plugins.wecom_guide.wecom.events import Outcome, handle
from plugins.wecom_guide.wecom.platform import callback_crypt

MAX_BODY = 64 * 1024
TIMESTAMP_REFUSED = "timestamp"  # the audit row's id when a signed timestamp is outside the window


def _text(body: str, status: int):
    return current_app.response_class(body, status=status, mimetype="text/plain")


def _refuse(err: WeComCryptoError, kind: str):
    status = (
        503 if err.code == KEY_INVALID else 403 if err.code in (SIGNATURE_INVALID, RECEIVEID_INVALID) else 400
    )
    return _refused(err.code, err.reason, kind, status)


def _refused(code, reason: str, kind: str, status: int):
    current_app.logger.warning("wecom: callback %s refused from %s: %s %s", kind, request.remote_addr, code,
                               reason)
    with unit_of_work():
        audit(
            "wecom.callback_refused",
            "wecom_callback",
            code,
            reason=reason,
            kind=kind,
            remote=request.remote_addr or "",
        )
    return _text(f"refused: {code} {reason}", status)


def _outside_window(timestamp: str) -> str | None:
    """Why the signed ``timestamp`` is refused (a replay: older, or further ahead, than the
    window allows), or None.  Checked after the signature, which covers the timestamp."""
    window = int(get_setting(CALLBACK_WINDOW))
    try:
        skew = int(timestamp) - time.time()
    except ValueError:
        return "the timestamp is not a number"
    if abs(skew) > window:
        direction = "old" if skew < 0 else "ahead"
        return f"the timestamp is {abs(skew):.0f} s {direction}: outside the {window} s replay window"
    return None


def _params(*names: str) -> list[str] | None:
    values = [request.args.get(name, "") for name in names]
    if not all(values) or any(len(v) > 1024 for v in values):
        return None
    return values


class WeComCallbackView(BaseView):
    """Public by design (no ``has_access``): WeCom calls it; the signature is checked."""

    route_base = "/wecom"
    default_view = "verify"

    @expose("/callback", methods=["GET"])
    def verify(self):
        params = _params("msg_signature", "timestamp", "nonce", "echostr")
        if params is None:
            return _text("msg_signature, timestamp, nonce and echostr are required", 400)
        try:
            echo = callback_crypt().verify_url(*params)
        except WeComCryptoError as err:
            return _refuse(err, "verification")
        stale = _outside_window(params[1])
        if stale:
            return _refused(TIMESTAMP_REFUSED, stale, "verification", 403)
        return _text(echo, 200)

    @expose("/callback", methods=["POST"])
    def receive(self):
        params = _params("msg_signature", "timestamp", "nonce")
        if params is None:
            return _text("msg_signature, timestamp and nonce are required", 400)
        body = request.get_data(cache=False)
        if len(body) > MAX_BODY:
            return _text("body too large", 413)
        try:
            fields = parse_xml(callback_crypt().decrypt_message(body, *params))
        except WeComCryptoError as err:
            return _refuse(err, "event")
        stale = _outside_window(params[1])
        if stale:
            return _refused(TIMESTAMP_REFUSED, stale, "event", 403)
        outcome = handle(fields)
        if outcome == Outcome.FAILED:
            return _text("failed for now: retry", 503)
        return _text("success", 200)
