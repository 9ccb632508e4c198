"""Signing and envelope dialects of the Meituan/Dianping open platforms.

A dialect turns business parameters into the signed form fields of one
request and reads the platform's answer envelope.  The POS code only sees
``Dialect``; the legacy Dianping MD5 dialect (or 到餐) plugs in beside the
current one without touching it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Envelope:
    ok: bool
    code: str  # platform code as a string ("OP_SUCCESS", "200", "SIM_RECEIPT_USED", ...)
    message: str
    data: Any
    trace_id: str = ""


class Dialect(Protocol):
    name: str
    paths: dict  # operation -> path

    def form(self, biz: dict, *, developer_id: str, sign_key: str, token: str, timestamp: int) -> dict:
        """The signed form fields of a request carrying ``biz``."""

    def headers(self, developer_id: str) -> dict: ...

    def envelope(self, body: dict) -> Envelope: ...


def business_date(epoch_seconds: float) -> str:
    """The platform's calendar day (China time) of an instant, ``yyyy-MM-dd``."""
    return datetime.fromtimestamp(epoch_seconds, CHINA).strftime("%Y-%m-%d")


def _concat(fields: dict) -> str:
    return "".join(f"{k}{fields[k]}" for k in sorted(fields) if k != "sign" and fields[k] not in ("", None))


def sha1_sign(fields: dict, sign_key: str) -> str:
    """Current platform: ``sha1_hex(signKey + k1v1k2v2…)``, keys sorted, ``sign`` left out."""
    return hashlib.sha1((sign_key + _concat(fields)).encode("utf-8")).hexdigest()


def md5_sign(params: dict, secret: str) -> str:
    """Legacy Dianping platform: ``md5_hex(secret + k1v1k2v2… + secret)``, empty values dropped."""
    return hashlib.md5((secret + _concat(params) + secret).encode("utf-8")).hexdigest()


def biz_json(biz: dict) -> str:
    return json.dumps(biz, ensure_ascii=False, separators=(",", ":"))


class CurrentDialect:
    """Meituan open platform (到综, businessId 58): form fields, ``biz`` JSON, SHA-1."""

    name = "meituan_sha1"
    business_id = "58"
    paths = {
        "prepare": "/ddzh/tuangou/receipt/prepare",
        "consume": "/ddzh/tuangou/receipt/consume",
        "reverse": "/ddzh/tuangou/receipt/reverseconsume",
        "getconsumed": "/ddzh/tuangou/receipt/getconsumed",
        "querylist": "/ddzh/tuangou/receipt/querylistbydate",
        "refresh": "/oauth/refresh",
    }

    def form(self, biz: dict, *, developer_id: str, sign_key: str, token: str, timestamp: int) -> dict:
        fields = {
            "developerId": str(developer_id),
            "businessId": self.business_id,
            "timestamp": str(timestamp),
            "charset": "UTF-8",
            "version": "2",
            "appAuthToken": token,
            "biz": biz_json(biz),
        }
        fields["sign"] = sha1_sign(fields, sign_key)
        return fields

    def headers(self, developer_id: str) -> dict:
        return {"DeveloperId": str(developer_id)}

    def envelope(self, body: dict) -> Envelope:
        code = str(body.get("code", ""))
        return Envelope(code == "OP_SUCCESS", code, str(body.get("msg", "")), body.get("data"),
                        str(body.get("traceId", "")))


class LegacyDialect:
    """Dianping open platform (being retired): snake_case form fields, ``session``, MD5."""

    name = "dianping_md5"
    paths = {
        "prepare": "/router/tuangou/receipt/prepare",
        "consume": "/router/tuangou/receipt/consume",
        "reverse": "/router/tuangou/receipt/reverseconsume",
        "getconsumed": "/router/tuangou/receipt/getconsumed",
        "querylist": "/router/tuangou/receipt/querylistbydate",
        "refresh": "/router/oauth/token",
    }

    def form(self, biz: dict, *, developer_id: str, sign_key: str, token: str, timestamp: int) -> dict:
        fields = {
            "app_key": str(developer_id),
            "timestamp": datetime.fromtimestamp(timestamp, CHINA).strftime("%Y-%m-%d %H:%M:%S"),
            "session": token,
            "format": "json",
            "v": "1",
            "sign_method": "MD5",
            **{k: (v if isinstance(v, str) else json.dumps(v)) for k, v in biz.items()},
        }
        fields["sign"] = md5_sign(fields, sign_key)
        return fields

    def headers(self, developer_id: str) -> dict:
        return {}

    def envelope(self, body: dict) -> Envelope:
        code = str(body.get("code", ""))
        return Envelope(code == "200", code, str(body.get("msg", "")), body.get("data"))


DIALECTS = {d.name: d for d in (CurrentDialect(), LegacyDialect())}
