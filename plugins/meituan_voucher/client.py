"""HTTP client of the Meituan open platform (到综 group-buy receipts), stdlib only.

Form-encoded requests signed by a ``Dialect``; answers read through its
envelope; platform codes mapped to our stable error codes; yuan → fen here,
once.  A token the platform calls expired is refreshed and the call retried
once (an expired-token answer means nothing changed on the platform).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from plugins.meituan_voucher.signing import DIALECTS, Dialect

SECRET_FIELDS = ("appAuthToken", "session", "sign", "refreshToken", "signKey", "secret")

# Platform codes → our stable codes.  Meituan does not publish its error codes: the
# SIM_* codes are the simulator's (labelled so); real codes are added here, in one place.
CODE_MAP = {
    "SIM_SIGN_INVALID": "MEITUAN_SIGNATURE_REJECTED",
    "SIM_TOKEN_EXPIRED": "MEITUAN_TOKEN_EXPIRED",
    "SIM_TOKEN_INVALID": "MEITUAN_TOKEN_INVALID",
    "SIM_REFRESH_INVALID": "MEITUAN_TOKEN_INVALID",
    "SIM_SHOP_NOT_AUTHORIZED": "MEITUAN_SHOP_NOT_AUTHORIZED",
    "SIM_RECEIPT_NOT_FOUND": "MEITUAN_VOUCHER_NOT_FOUND",
    "SIM_RECEIPT_USED": "MEITUAN_VOUCHER_USED",
    "SIM_RECEIPT_EXPIRED": "MEITUAN_VOUCHER_EXPIRED",
    "SIM_COUNT_INVALID": "MEITUAN_COUNT_INVALID",
    "SIM_REVERSE_WINDOW_PASSED": "MEITUAN_REVERSE_WINDOW_PASSED",
    "SIM_NOT_CONSUMED": "MEITUAN_NOT_CONSUMED",
    "SIM_DEAL_MISMATCH": "MEITUAN_DEAL_MISMATCH",
    "SIM_PARAM_INVALID": "MEITUAN_REQUEST_INVALID",
}


def yuan_to_fen(value: Any) -> int:
    """Meituan money is yuan as a float: to integer fen with decimal rounding."""
    return int((Decimal(str(value)) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


class MeituanError(Exception):
    """The platform refused (``uncertain`` False: nothing changed there), or we do not know what it
    did (``uncertain`` True: no answer in time, a broken connection, an answer we cannot read)."""

    uncertain = False

    def __init__(self, code: str, message: str = "", platform_code: str = "", uncertain: bool | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.platform_code = platform_code
        if uncertain is not None:
            self.uncertain = uncertain


class MeituanTimeout(MeituanError):
    """No answer in time: the platform may or may not have acted."""

    uncertain = True

    def __init__(self, message: str = "timeout"):
        super().__init__("MEITUAN_TIMEOUT", message)


def bad_response(message: str) -> MeituanError:
    """An answer we cannot read: after a state-changing call, the platform may have acted."""
    return MeituanError("MEITUAN_BAD_RESPONSE", message, uncertain=True)


def result_items(data: Any) -> list[dict]:
    """The per-voucher entries of a consume / reverseconsume / getconsumed answer: ``data.result[]``
    in the current 到综 generation, a bare array in the legacy ``/router/...`` one.  Anything else
    raises ``MEITUAN_BAD_RESPONSE`` (uncertain: reconcile, never crash)."""
    items = data.get("result") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("receiptCode") for i in items):
        raise bad_response(f"unexpected answer shape: {str(data)[:200]}")
    return items


def redact(fields: dict) -> dict:
    out = {}
    for key, value in fields.items():
        if key in SECRET_FIELDS and value:
            text = str(value)
            out[key] = "***" + text[-4:] if len(text) > 8 else "***"
        else:
            out[key] = value
    return out


@dataclass
class Prepared:
    code: str
    count: int
    deal_id: str
    deal_group_id: str
    deal_title: str
    price_fen: int
    market_price_fen: int
    mobile: str
    biz_type: int
    end_ms: int
    raw: dict = field(default_factory=dict)


@dataclass
class Credentials:
    base_url: str
    developer_id: str
    sign_key: str
    token: str
    refresh_token: str = ""
    timeout: float = 5.0


Recorder = Callable[..., None]


class MeituanClient:
    def __init__(self, creds: Credentials, dialect: Dialect | None = None, recorder: Recorder | None = None,
                 on_token: Callable[[str, str], None] | None = None, clock: Callable[[], float] = time.time,
                 reload: Callable[[], tuple[str, str] | None] | None = None):
        self.creds = creds
        self.dialect = dialect or DIALECTS["meituan_sha1"]
        self.recorder = recorder
        self.on_token = on_token
        self.clock = clock
        self.reload = reload  # the (token, refresh token) stored now, e.g. by another worker

    # ------------------------------------------------------------ transport
    def _post(self, path: str, fields: dict) -> tuple[int, dict]:
        url = self.creds.base_url.rstrip("/") + path
        data = urllib.parse.urlencode(fields).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                   **self.dialect.headers(self.creds.developer_id)}
        req = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.creds.timeout) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        except TimeoutError as err:
            raise MeituanTimeout(str(err)) from err
        except urllib.error.URLError as err:
            if isinstance(err.reason, TimeoutError):
                raise MeituanTimeout(str(err.reason)) from err
            # refused: the request never left; anything else may have reached the platform
            sent = not isinstance(err.reason, ConnectionRefusedError)
            raise MeituanError("MEITUAN_UNAVAILABLE", str(err.reason), uncertain=sent) from err
        except OSError as err:  # e.g. the connection dropped while we waited for the answer
            raise MeituanError("MEITUAN_UNAVAILABLE", str(err), uncertain=True) from err
        try:
            body = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as err:
            raise bad_response(f"HTTP {status}: not JSON") from err
        if not isinstance(body, dict):
            raise bad_response(f"HTTP {status}: not an object")
        return status, body

    def _record(self, op: str, fields: dict, status: int | None, body: Any, error: str, started: float):
        if self.recorder is not None:
            self.recorder(op=op, request=redact(fields), response=body, http_status=status,
                          error_code=error, duration_ms=int((time.monotonic() - started) * 1000))

    def call(self, op: str, biz: dict, *, retry_on_expiry: bool = True) -> Any:
        fields = self.dialect.form(biz, developer_id=self.creds.developer_id, sign_key=self.creds.sign_key,
                                   token=self.creds.token, timestamp=int(self.clock()))
        started = time.monotonic()
        try:
            status, body = self._post(self.dialect.paths[op], fields)
        except MeituanError as err:
            self._record(op, fields, None, {"error": err.message}, err.code, started)
            raise
        env = self.dialect.envelope(body)
        if not env.ok and not env.code:  # no code at all: not an answer of the platform
            self._record(op, fields, status, body, "MEITUAN_BAD_RESPONSE", started)
            raise bad_response(f"HTTP {status}: no code in the answer")
        error = "" if env.ok else CODE_MAP.get(env.code, "MEITUAN_REFUSED")
        self._record(op, fields, status, body, error, started)
        if env.ok:
            return env.data
        if error == "MEITUAN_TOKEN_EXPIRED" and retry_on_expiry and self.creds.refresh_token:
            self._renew()
            return self.call(op, biz, retry_on_expiry=False)
        raise MeituanError(error, env.message, env.code)

    def _renew(self) -> None:
        """Refresh the token; if our refresh token was already used (another worker refreshed
        first), take the tokens that worker stored instead."""
        try:
            self.refresh()
        except MeituanError as err:
            used = err.code == "MEITUAN_TOKEN_INVALID" and self.reload is not None
            stored = self.reload() if used else None
            if not stored or stored[0] == self.creds.token:
                raise
            self.creds.token, self.creds.refresh_token = stored

    def refresh(self) -> str:
        """Trade the refresh token for a new app auth token (``/oauth/refresh``)."""
        fields = {"developerId": self.creds.developer_id, "refreshToken": self.creds.refresh_token,
                  "grantType": "refresh_token", "timestamp": str(int(self.clock())), "charset": "UTF-8"}
        from plugins.meituan_voucher.signing import sha1_sign

        fields["sign"] = sha1_sign(fields, self.creds.sign_key)
        started = time.monotonic()
        try:
            status, body = self._post(self.dialect.paths["refresh"], fields)
        except MeituanError as err:
            self._record("refresh", fields, None, {"error": err.message}, err.code, started)
            raise
        env = self.dialect.envelope(body)
        data = env.data or {}
        logged = {**body, "data": redact({"accessToken": data.get("accessToken"),
                                          "refreshToken": data.get("refreshToken")})} if env.ok else body
        error = "" if env.ok else CODE_MAP.get(env.code, "MEITUAN_REFUSED")
        self._record("refresh", fields, status, logged, error, started)
        if not env.ok or not data.get("accessToken"):
            raise MeituanError(error or "MEITUAN_TOKEN_INVALID", env.message, env.code)
        self.creds.token = data["accessToken"]
        self.creds.refresh_token = data.get("refreshToken") or self.creds.refresh_token
        if self.on_token is not None:
            self.on_token(self.creds.token, self.creds.refresh_token)
        return self.creds.token

    # ------------------------------------------------------------ operations
    def prepare(self, code: str, shop: str) -> Prepared:
        data = self.call("prepare", {"receiptCode": code, "openShopUuid": shop}) or {}
        if not isinstance(data, dict):
            raise bad_response(f"prepare: unexpected answer shape: {str(data)[:200]}")
        try:
            return Prepared(
                code=code, count=int(data.get("count", 0)), deal_id=str(data.get("dealId", "")),
                deal_group_id=str(data.get("dealGroupId", "")), deal_title=str(data.get("dealTitle", "")),
                price_fen=yuan_to_fen(data.get("dealPrice", 0)),
                market_price_fen=yuan_to_fen(data.get("dealMarketPrice", 0)),
                mobile=str(data.get("mobile", "")), biz_type=int(data.get("bizType", 0)),
                end_ms=int(data.get("receiptEndDate", 0) or 0), raw=data,
            )
        except (TypeError, ValueError, ArithmeticError) as err:
            raise bad_response(f"prepare: unreadable field: {err}") from err

    def consume(self, code: str, count: int, request_id: str, shop: str, account: str,
                account_name: str) -> list[dict]:
        """Verify ``count`` vouchers; a ``MeituanError`` with ``uncertain`` set means the platform may
        have verified them anyway (reconcile with ``getconsumed``)."""
        data = self.call("consume", {"receiptCode": code, "count": count, "requestId": request_id,
                                     "openShopUuid": shop, "appShopAccount": account,
                                     "appShopAccountName": account_name})
        return self._read(data)

    def reverse(self, code: str, deal_id: str, shop: str, account: str, account_name: str) -> list[dict]:
        data = self.call("reverse", {"receiptCode": code, "dealId": deal_id, "openShopUuid": shop,
                                     "appShopAccount": account, "appShopAccountName": account_name})
        return self._read(data)

    def getconsumed(self, code: str, shop: str) -> dict | None:
        """The verification of ``code`` as the platform knows it, or None if it is not consumed."""
        try:
            data = self.call("getconsumed", {"receiptCode": code, "openShopUuid": shop})
        except MeituanError as err:
            if err.code == "MEITUAN_NOT_CONSUMED":
                return None
            raise
        if not data or (isinstance(data, dict) and data.get("result") == []):
            return None
        items = self._read(data)
        return next((i for i in items if i["code"] == code), items[0])

    def querylist(self, shop: str, date: str, offset: int = 0, limit: int = 100) -> tuple[int, list[dict]]:
        data = self.call("querylist", {"openShopUuid": shop, "date": date, "offset": offset,
                                       "limit": limit}) or {}
        if not isinstance(data, dict) or not isinstance(data.get("records", []), list):
            raise bad_response(f"querylist: unexpected answer shape: {str(data)[:200]}")
        try:
            return int(data.get("totalCount", 0)), [self._verified(i) for i in data.get("records", [])]
        except (AttributeError, TypeError, ValueError, ArithmeticError) as err:
            raise bad_response(f"querylist: unreadable record: {err}") from err

    def _read(self, data: Any) -> list[dict]:
        try:
            return [self._verified(item) for item in result_items(data)]
        except MeituanError:
            raise
        except (TypeError, ValueError, ArithmeticError) as err:
            raise bad_response(f"unreadable field: {err}") from err

    @staticmethod
    def _verified(item: dict) -> dict:
        return {
            "code": str(item.get("receiptCode", "")),
            "order_id": str(item.get("orderId", "")),
            "deal_id": str(item.get("dealId", "")),
            "deal_title": str(item.get("dealTitle", "")),
            "price_fen": yuan_to_fen(item.get("dealPrice", 0)),
            "request_id": str(item.get("requestId", "")),
            "account": str(item.get("appShopAccount", "")),
            "status": str(item.get("status", "consumed")),
            "consumed_at_ms": int(item.get("verifyTime", 0) or 0),
        }
