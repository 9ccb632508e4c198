"""HTTP client of the WeCom server API (``/cgi-bin/...``), stdlib only.

Every answer is HTTP 200 with ``{errcode, errmsg}``: we judge by ``errcode`` only.  The
access token is cached (``TokenStore``: this process, and the database through
``plugins.wecom_guide.wecom.platform``) and fetched again when WeCom calls it expired or invalid
(40001, 40014, 42001), then the call is retried once.  Every request is handed to a
recorder (the call log), secrets redacted.  A timeout or a broken connection raises
``WeComError`` with ``uncertain`` set: WeCom may or may not have acted.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

TOKEN_ERRCODES = (40001, 40014, 42001)  # invalid credential, invalid token, token expired
RATE_LIMIT_ERRCODES = (45009, 45033, 45035)  # api freq out of limit, too many concurrent calls …
TOKEN_MARGIN_S = 300  # renew a token this long before WeCom says it expires
SECRET_KEYS = ("corpsecret", "access_token", "welcome_code")

# WeCom errcode → our stable code (the rest are WECOM_REFUSED with the errcode passed on)
CODE_MAP = {
    40001: "WECOM_TOKEN_INVALID",
    40013: "WECOM_CORP_INVALID",
    40014: "WECOM_TOKEN_INVALID",
    42001: "WECOM_TOKEN_INVALID",
    40096: "WECOM_EXTERNAL_USER_UNKNOWN",  # invalid external userid
    84061: "WECOM_EXTERNAL_USER_UNKNOWN",  # not a contact of this user
    41051: "WECOM_WELCOME_CODE_USED",
    41096: "WECOM_WELCOME_CODE_USED",  # welcome code expired / invalid
    60111: "WECOM_USER_UNKNOWN",  # userid not found
    41054: "WECOM_USER_UNKNOWN",  # the user may not use customer contact
    45009: "WECOM_RATE_LIMITED",
    45033: "WECOM_RATE_LIMITED",
    45035: "WECOM_RATE_LIMITED",
    40058: "WECOM_REQUEST_INVALID",
    40097: "WECOM_REQUEST_INVALID",
}


class WeComError(Exception):
    """WeCom refused (``uncertain`` False: nothing changed there), or we do not know what it did
    (``uncertain`` True: no answer in time, a broken connection, an answer we cannot read)."""

    def __init__(self, code: str, message: str = "", errcode: int | None = None, uncertain: bool = False):
        super().__init__(f"{code}: {message}" + (f" (errcode {errcode})" if errcode is not None else ""))
        self.code = code
        self.message = message
        self.errcode = errcode
        self.uncertain = uncertain

    @property
    def transient(self) -> bool:
        """Worth trying again later: no answer, or a rate limit."""
        return self.uncertain or self.code in ("WECOM_RATE_LIMITED", "WECOM_UNAVAILABLE")


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (
                "***" + str(v)[-4:]
                if k in SECRET_KEYS and v and len(str(v)) > 8
                else "***"
                if k in SECRET_KEYS and v
                else redact(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


@dataclass
class Credentials:
    base_url: str
    corp_id: str
    secret: str
    timeout: float = 3.0


class TokenStore(Protocol):
    def get(self, corp_id: str) -> tuple[str, float] | None:
        """The cached (token, expires_at epoch seconds), or None."""

    def put(self, corp_id: str, token: str, expires_at: float) -> None: ...

    def drop(self, corp_id: str, token: str) -> None: ...


class MemoryTokens:
    """A token cache of this process only (tests, CLI)."""

    def __init__(self):
        self.tokens: dict[str, tuple[str, float]] = {}

    def get(self, corp_id):
        return self.tokens.get(corp_id)

    def put(self, corp_id, token, expires_at):
        self.tokens[corp_id] = (token, expires_at)

    def drop(self, corp_id, token):
        if self.tokens.get(corp_id, ("",))[0] == token:
            self.tokens.pop(corp_id, None)


Recorder = Callable[..., None]


class WeComClient:
    def __init__(
        self,
        creds: Credentials,
        tokens: TokenStore | None = None,
        recorder: Recorder | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.creds = creds
        self.tokens = tokens if tokens is not None else MemoryTokens()
        self.recorder = recorder
        self.clock = clock

    # ------------------------------------------------------------ transport
    def _http(self, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict]:
        url = self.creds.base_url.rstrip("/") + path + "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if body is not None else {}
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.creds.timeout) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        except TimeoutError as err:
            raise WeComError("WECOM_TIMEOUT", "no answer in time", uncertain=True) from err
        except urllib.error.URLError as err:
            if isinstance(err.reason, TimeoutError):
                raise WeComError("WECOM_TIMEOUT", "no answer in time", uncertain=True) from err
            refused = isinstance(err.reason, ConnectionRefusedError)  # the request never left
            raise WeComError("WECOM_UNAVAILABLE", str(err.reason), uncertain=not refused) from err
        except OSError as err:  # the connection dropped while we waited
            raise WeComError("WECOM_UNAVAILABLE", str(err), uncertain=True) from err
        try:
            answer = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as err:
            raise WeComError("WECOM_BAD_RESPONSE", f"HTTP {status}: not JSON", uncertain=True) from err
        if not isinstance(answer, dict) or not isinstance(answer.get("errcode", 0), int):
            raise WeComError("WECOM_BAD_RESPONSE", f"HTTP {status}: not a WeCom answer", uncertain=True)
        return status, answer

    def _exchange(self, op: str, method: str, path: str, query: dict, body: dict | None) -> dict:
        started = time.monotonic()
        status, answer, error = None, None, ""
        try:
            status, answer = self._http(method, path, query, body)
            errcode = answer.get("errcode", 0)
            if errcode:
                error = CODE_MAP.get(errcode, "WECOM_REFUSED")
                raise WeComError(error, str(answer.get("errmsg", "")), errcode)
            return answer
        except WeComError as err:
            error = err.code
            raise
        finally:
            if self.recorder is not None:
                self.recorder(
                    op=op,
                    request=redact({**query, **(body or {})}),
                    response=redact(answer) if answer is not None else None,
                    http_status=status,
                    errcode=(answer or {}).get("errcode"),
                    error_code=error,
                    duration_ms=int((time.monotonic() - started) * 1000),
                )

    # ------------------------------------------------------------ token
    def access_token(self, force: bool = False) -> str:
        cached = None if force else self.tokens.get(self.creds.corp_id)
        if cached and cached[1] > self.clock():
            return cached[0]
        answer = self._exchange(
            "gettoken",
            "GET",
            "/cgi-bin/gettoken",
            {"corpid": self.creds.corp_id, "corpsecret": self.creds.secret},
            None,
        )
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise WeComError("WECOM_BAD_RESPONSE", "gettoken: no access_token", uncertain=True)
        expires_in = int(answer.get("expires_in") or 7200)
        self.tokens.put(self.creds.corp_id, token, self.clock() + max(expires_in - TOKEN_MARGIN_S, 60))
        return token

    def call(self, op: str, path: str, body: dict | None = None, query: dict | None = None) -> dict:
        """A call with the access token; renewed once if WeCom calls it expired or invalid."""
        token = self.access_token()
        method = "GET" if body is None else "POST"
        try:
            return self._exchange(op, method, path, {"access_token": token, **(query or {})}, body)
        except WeComError as err:
            if err.errcode not in TOKEN_ERRCODES:
                raise
        self.tokens.drop(self.creds.corp_id, token)
        token = self.access_token(force=True)
        return self._exchange(op, method, path, {"access_token": token, **(query or {})}, body)

    # ------------------------------------------------------------ operations
    def add_contact_way(self, userid: str, state: str, remark: str = "", skip_verify: bool = True) -> dict:
        """A "contact me" QR of one user: ``{"config_id", "qr_code"}``."""
        answer = self.call(
            "add_contact_way",
            "/cgi-bin/externalcontact/add_contact_way",
            {
                "type": 1,
                "scene": 2,
                "user": [userid],
                "state": state[:30],
                "remark": remark[:30],
                "skip_verify": skip_verify,
            },
        )
        if not answer.get("config_id") or not answer.get("qr_code"):
            raise WeComError("WECOM_BAD_RESPONSE", "add_contact_way: no config_id/qr_code", uncertain=True)
        return {"config_id": str(answer["config_id"]), "qr_code": str(answer["qr_code"])}

    def del_contact_way(self, config_id: str) -> None:
        self.call("del_contact_way", "/cgi-bin/externalcontact/del_contact_way", {"config_id": config_id})

    def get_external_contact(self, external_userid: str) -> dict:
        """``{"external_contact": {...}, "follow_user": [...]}`` of an external user."""
        answer = self.call(
            "get_external_contact", "/cgi-bin/externalcontact/get", query={"external_userid": external_userid}
        )
        if not isinstance(answer.get("external_contact"), dict):
            raise WeComError("WECOM_BAD_RESPONSE", "get: no external_contact", uncertain=True)
        return answer

    def send_welcome_msg(self, welcome_code: str, text: str, attachments: list | None = None) -> None:
        body: dict[str, Any] = {"welcome_code": welcome_code, "text": {"content": text}}
        if attachments:
            body["attachments"] = attachments[:9]
        self.call("send_welcome_msg", "/cgi-bin/externalcontact/send_welcome_msg", body)
