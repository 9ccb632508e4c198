"""``/wecom/callback``: WeCom's URL verification (GET) and its encrypted events (POST).

No login and no token: the signature is the authentication (``WXBizMsgCrypt``).  A refused
request (bad signature, tampered ciphertext, another corp's receiveid, unreadable XML) answers
4xx with a short text, is logged and leaves an audit row; nothing else is written.  An event
answers ``success`` once recorded (a duplicate too: WeCom stops retrying), or 503 when it
failed for a passing reason (WeCom did not answer us in time…): WeCom then retries it.
"""

from __future__ import annotations

from flask import current_app, request
from flask_appbuilder import BaseView, expose

from app.platform.audit import audit
from app.unit_of_work import unit_of_work
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


def _text(body: str, status: int):
    return current_app.response_class(body, status=status, mimetype="text/plain")


def _refuse(err: WeComCryptoError, kind: str):
    status = (
        503 if err.code == KEY_INVALID else 403 if err.code in (SIGNATURE_INVALID, RECEIVEID_INVALID) else 400
    )
    current_app.logger.warning("wecom: callback %s refused from %s: %s", kind, request.remote_addr, err)
    with unit_of_work():
        audit(
            "wecom.callback_refused",
            "wecom_callback",
            err.code,
            reason=err.reason,
            kind=kind,
            remote=request.remote_addr or "",
        )
    return _text(f"refused: {err.code} {err.reason}", status)


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
            return _text(callback_crypt().verify_url(*params), 200)
        except WeComCryptoError as err:
            return _refuse(err, "verification")

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
        outcome = handle(fields)
        if outcome == Outcome.FAILED:
            return _text("failed for now: retry", 503)
        return _text("success", 200)
