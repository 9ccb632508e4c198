"""A local simulator of the WeCom (企业微信) customer-contact API and its callbacks.

Run it on its own: ``python -m plugins.wecom_guide.wecom.simulator --port 5056
--callback http://127.0.0.1:5000/wecom/callback`` (``dev.py run`` does).  It implements
``gettoken`` (expiry, a bad secret), ``externalcontact/add_contact_way`` / ``get_contact_way`` /
``del_contact_way`` with validation, ``externalcontact/get`` and ``send_welcome_msg`` (within 20 s
of the event, once: a second use is 41051), every answer HTTP 200 with ``errcode``.

``POST /_sim/scan`` (``config_id``, ``name``, ``unionid``, ``phone``) is "a customer scans the
guide's QR": it creates the external user and delivers a real encrypted, signed
``change_external_contact``/``add_external_contact`` event (with the way's ``State`` and a
fresh ``WelcomeCode``) to the callback URL, as WeCom does: an answer other than 200 within 5 s
is retried up to 3 times with the same ``CreateTime``.  ``POST /_sim/verify-url`` runs the URL
verification handshake against the callback.  ``/_sim/fault`` injects faults (an expired
token, a rate limit, a slow answer).  Error codes are WeCom's published ones.
"""

from __future__ import annotations

import argparse
import io
import itertools
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, jsonify, request
from markupsafe import escape

from plugins.wecom_guide.wecom.crypto import WXBizMsgCrypt, parse_xml, signature

DEMO_CORP_ID = "wwdemo0000000001"
DEMO_SECRET = "demo-wecom-secret-0001"
DEMO_CALLBACK_TOKEN = "demoCallbackToken"
DEMO_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters
DEMO_AGENT_ID = "1000002"
DEMO_USERS = ("guide1", "guide2", "manager1")  # WeCom userids of the demo staff
DEMO_PORT = 5056
WELCOME_WINDOW_S = 20
DELIVERY_TIMEOUT_S = 5
DELIVERY_RETRIES = 3
FAULTS = (
    "expired_token",  # the next call with a token answers 42001
    "rate_limit",  # the next API call answers 45009
    "slow",  # the next API call answers after `delay` seconds
    "server_error",  # the next API call answers HTTP 502 with an HTML page
)

Transport = Callable[[str, dict, bytes, float], tuple[int, str]]


def http_transport(url: str, params: dict, body: bytes, timeout: float) -> tuple[int, str]:
    """POST ``body`` to ``url?params`` over HTTP: (status, text); (0, reason) without an answer."""
    full = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    req = urllib.request.Request(full, data=body, method="POST", headers={"Content-Type": "text/xml"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as err:
        return 0, str(getattr(err, "reason", err))


def http_get(url: str, params: dict, timeout: float) -> tuple[int, str]:
    full = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(full, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as err:
        return 0, str(getattr(err, "reason", err))


@dataclass
class ExternalUser:
    external_userid: str
    name: str
    unionid: str = ""
    phone: str = ""
    follow: dict = field(default_factory=dict)  # userid -> {"state", "createtime", "remark_mobiles"}


@dataclass
class SimState:
    corp_id: str = DEMO_CORP_ID
    secret: str = DEMO_SECRET
    callback_token: str = DEMO_CALLBACK_TOKEN
    aes_key: str = DEMO_AES_KEY
    agent_id: str = DEMO_AGENT_ID
    callback_url: str = ""
    base_url: str = f"http://127.0.0.1:{DEMO_PORT}"  # for the QR image links
    users: set = field(default_factory=lambda: set(DEMO_USERS))
    tokens: dict = field(default_factory=dict)  # token -> expires at
    ways: dict = field(default_factory=dict)  # config_id -> {"user", "state", "remark", ...}
    externals: dict = field(default_factory=dict)  # external_userid -> ExternalUser
    welcome_codes: dict = field(default_factory=dict)  # code -> {"created", "used", "user", "external"}
    welcomes: list = field(default_factory=list)  # messages sent: {"welcome_code", "text", "user", ...}
    deliveries: list = field(default_factory=list)  # [{"event", "attempt", "status", "answer"}]
    faults: dict = field(default_factory=dict)
    delay: float = 4.0
    offset: float = 0.0
    calls: list = field(default_factory=list)
    transport: Transport = http_transport
    lock: threading.RLock = field(default_factory=threading.RLock)
    _seq: itertools.count = field(default_factory=lambda: itertools.count(1))

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def inject(self, fault: str, times: int = 1) -> None:
        if fault not in FAULTS:
            raise ValueError(fault)
        with self.lock:
            self.faults[fault] = self.faults.get(fault, 0) + times

    def take(self, fault: str) -> bool:
        with self.lock:
            if self.faults.get(fault, 0) > 0:
                self.faults[fault] -= 1
                return True
            return False

    def crypt(self) -> WXBizMsgCrypt:
        return WXBizMsgCrypt(self.callback_token, self.aes_key, self.corp_id)

    # ------------------------------------------------------------ the customer's side
    def scan(
        self, config_id: str, name: str = "", unionid: str = "", phone: str = "", external_userid: str = ""
    ) -> dict:
        """A customer scans the QR of ``config_id`` and adds its user: the event is delivered."""
        with self.lock:
            way = self.ways.get(config_id)
            if way is None:
                raise KeyError(config_id)
            n = next(self._seq)
            external_userid = external_userid or f"wmSIM{n:06d}{secrets.token_hex(4)}"
            user = self.externals.get(external_userid) or ExternalUser(
                external_userid, name or f"客户{n}", unionid=unionid, phone=phone
            )
            self.externals[external_userid] = user
            userid = way["user"][0]
            created = int(self.now())
            user.follow[userid] = {
                "state": way["state"],
                "createtime": created,
                "remark_mobiles": [phone] if phone else [],
            }
            welcome_code = f"WC{n:06d}{secrets.token_hex(8)}"
            self.welcome_codes[welcome_code] = {
                "created": self.now(),
                "used": False,
                "user": userid,
                "external": external_userid,
            }
        event = {
            "ToUserName": self.corp_id,
            "FromUserName": "sys",
            "CreateTime": str(created),
            "MsgType": "event",
            "Event": "change_external_contact",
            "ChangeType": "add_external_contact",
            "UserID": userid,
            "ExternalUserID": external_userid,
            "State": way["state"],
            "WelcomeCode": welcome_code,
        }
        deliveries = self.deliver(event)
        return {
            "external_userid": external_userid,
            "welcome_code": welcome_code,
            "event": event,
            "deliveries": deliveries,
        }

    def remove(self, external_userid: str, userid: str, change_type: str = "del_follow_user") -> dict:
        """The customer deletes the user (``del_follow_user``) or the user deletes the customer
        (``del_external_contact``): the event is delivered."""
        with self.lock:
            user = self.externals[external_userid]
            user.follow.pop(userid, None)
        event = {
            "ToUserName": self.corp_id,
            "FromUserName": "sys",
            "CreateTime": str(int(self.now())),
            "MsgType": "event",
            "Event": "change_external_contact",
            "ChangeType": change_type,
            "UserID": userid,
            "ExternalUserID": external_userid,
        }
        return {"event": event, "deliveries": self.deliver(event)}

    def event_xml(self, event: dict) -> str:
        inner = "".join(
            f"<{k}>{v}</{k}>" if k == "CreateTime" else f"<{k}><![CDATA[{v}]]></{k}>"
            for k, v in event.items()
        )
        return f"<xml>{inner}</xml>"

    def encrypted_body(self, event: dict, nonce: str, timestamp: str) -> tuple[bytes, str]:
        encrypt = self.crypt().encrypt(self.event_xml(event))
        sign = signature(self.callback_token, timestamp, nonce, encrypt)
        body = (
            f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
            f"<AgentID><![CDATA[{self.agent_id}]]></AgentID><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        )
        return body.encode("utf-8"), sign

    def deliver(self, event: dict, retries: int = DELIVERY_RETRIES) -> list[dict]:
        """POST the event to the callback until it answers 200 (at most ``retries`` more times)."""
        results = []
        if not self.callback_url:
            return results
        for attempt in range(1 + retries):
            timestamp, nonce = str(int(self.now())), str(secrets.randbelow(10**10))
            body, sign = self.encrypted_body(event, nonce, timestamp)
            status, answer = self.transport(
                self.callback_url,
                {"msg_signature": sign, "timestamp": timestamp, "nonce": nonce},
                body,
                DELIVERY_TIMEOUT_S,
            )
            results.append({"attempt": attempt + 1, "status": status, "answer": answer[:200]})
            with self.lock:
                self.deliveries.append({"event": event.get("ChangeType", ""), **results[-1]})
            if status == 200:
                break
        return results

    def verify_url(self) -> dict:
        """WeCom's URL verification: GET the callback with an encrypted echostr."""
        echo = str(secrets.randbelow(10**18))
        timestamp, nonce = str(int(self.now())), str(secrets.randbelow(10**10))
        echostr = self.crypt().encrypt(echo)
        sign = signature(self.callback_token, timestamp, nonce, echostr)
        status, answer = http_get(
            self.callback_url,
            {"msg_signature": sign, "timestamp": timestamp, "nonce": nonce, "echostr": echostr},
            1.0,
        )
        return {"ok": status == 200 and answer == echo, "status": status, "answer": answer[:200]}


def _answer(errcode: int = 0, errmsg: str = "ok", **data):
    return jsonify({"errcode": errcode, "errmsg": errmsg, **data})


class SimError(Exception):
    def __init__(self, errcode: int, errmsg: str):
        super().__init__(errmsg)
        self.errcode, self.errmsg = errcode, errmsg


def qr_png(text: str) -> bytes:
    import qrcode

    out = io.BytesIO()
    qrcode.make(text, box_size=6, border=2).save(out, format="PNG")
    return out.getvalue()


def create_simulator(state: SimState | None = None) -> Flask:
    state = state or SimState()
    app = Flask("wecom_simulator")
    app.config["SIM_STATE"] = state

    @app.errorhandler(SimError)
    def sim_error(err: SimError):
        return _answer(err.errcode, err.errmsg)

    @app.before_request
    def faults():
        state.calls.append(request.path)
        if not request.path.startswith("/cgi-bin/"):
            return None
        if state.take("slow"):
            time.sleep(state.delay)
        if state.take("server_error"):
            return app.response_class("<html>502 Bad Gateway</html>", status=502, mimetype="text/html")
        if request.path != "/cgi-bin/gettoken" and state.take("rate_limit"):
            return _answer(45009, "api freq out of limit")
        return None

    def authenticate() -> None:
        token = request.args.get("access_token", "")
        with state.lock:
            if token not in state.tokens:
                raise SimError(40014, "invalid access_token")
            if state.take("expired_token"):
                state.tokens[token] = state.now() - 1
            if state.tokens[token] <= state.now():
                raise SimError(42001, "access_token expired")

    def body() -> dict:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise SimError(47001, "data format error")
        return data

    @app.get("/cgi-bin/gettoken")
    def gettoken():
        if request.args.get("corpid") != state.corp_id:
            raise SimError(40013, "invalid corpid")
        if request.args.get("corpsecret") != state.secret:
            raise SimError(40001, "invalid credential")
        token = f"simtoken-{secrets.token_hex(12)}"
        with state.lock:
            state.tokens[token] = state.now() + 7200
        return _answer(access_token=token, expires_in=7200)

    @app.post("/cgi-bin/externalcontact/add_contact_way")
    def add_contact_way():
        authenticate()
        data = body()
        users = data.get("user")
        if data.get("type") not in (1, 2) or data.get("scene") not in (1, 2):
            raise SimError(40058, "type and scene are required")
        if not isinstance(users, list) or not users or (data["type"] == 1 and len(users) != 1):
            raise SimError(40058, "user is required (one for type 1)")
        unknown = [u for u in users if u not in state.users]
        if unknown:
            raise SimError(60111, f"userid not found: {unknown[0]}")
        state_text = str(data.get("state", ""))
        if len(state_text) > 30 or len(str(data.get("remark", ""))) > 30:
            raise SimError(40058, "state and remark are at most 30 characters")
        config_id = secrets.token_hex(16)
        with state.lock:
            state.ways[config_id] = {
                "config_id": config_id,
                "type": data["type"],
                "scene": data["scene"],
                "user": list(users),
                "state": state_text,
                "remark": data.get("remark", ""),
                "skip_verify": bool(data.get("skip_verify", True)),
            }
        qr = f"{state.base_url.rstrip('/')}/qr/{config_id}.png" if data["scene"] == 2 else ""
        state.ways[config_id]["qr_code"] = qr
        return _answer(config_id=config_id, qr_code=qr)

    @app.post("/cgi-bin/externalcontact/get_contact_way")
    def get_contact_way():
        authenticate()
        way = state.ways.get(str(body().get("config_id", "")))
        if way is None:
            raise SimError(41044, "invalid config_id")
        return _answer(contact_way=way)

    @app.post("/cgi-bin/externalcontact/del_contact_way")
    def del_contact_way():
        authenticate()
        with state.lock:
            if state.ways.pop(str(body().get("config_id", "")), None) is None:
                raise SimError(41044, "invalid config_id")
        return _answer()

    @app.get("/cgi-bin/externalcontact/get")
    def get_external():
        authenticate()
        user = state.externals.get(request.args.get("external_userid", ""))
        if user is None:
            raise SimError(40096, "invalid external userid")
        contact = {"external_userid": user.external_userid, "name": user.name, "type": 1}
        if user.unionid:
            contact["unionid"] = user.unionid
        follow = [
            {
                "userid": userid,
                "remark": "",
                "state": f["state"],
                "createtime": f["createtime"],
                "remark_mobiles": f["remark_mobiles"],
            }
            for userid, f in user.follow.items()
        ]
        return _answer(external_contact=contact, follow_user=follow)

    @app.post("/cgi-bin/externalcontact/send_welcome_msg")
    def send_welcome_msg():
        authenticate()
        data = body()
        code = str(data.get("welcome_code", ""))
        text = (data.get("text") or {}).get("content", "") if isinstance(data.get("text"), dict) else ""
        attachments = data.get("attachments") or []
        if not text and not attachments:
            raise SimError(41048, "text or attachments required")
        if not isinstance(attachments, list) or len(attachments) > 9:
            raise SimError(40058, "at most 9 attachments")
        with state.lock:
            entry = state.welcome_codes.get(code)
            if entry is None:
                raise SimError(41096, "invalid welcome_code")
            if entry["used"]:
                raise SimError(41051, "welcome_code already used")
            if state.now() - entry["created"] > WELCOME_WINDOW_S:
                raise SimError(41096, "welcome_code expired")
            entry["used"] = True
            state.welcomes.append(
                {
                    "welcome_code": code,
                    "text": text,
                    "attachments": attachments,
                    "user": entry["user"],
                    "external_userid": entry["external"],
                }
            )
        return _answer()

    @app.get("/qr/<config_id>.png")
    def qr_image(config_id):
        if config_id not in state.ways:
            return app.response_class("no such contact way", status=404, mimetype="text/plain")
        return app.response_class(
            qr_png(f"https://work.weixin.qq.com/ca/sim/{config_id}"), mimetype="image/png"
        )

    # ---------------------------------------------------------------- test/demo controls
    @app.post("/_sim/scan")
    def sim_scan():
        try:
            return jsonify(
                state.scan(
                    request.values.get("config_id", ""),
                    request.values.get("name", ""),
                    request.values.get("unionid", ""),
                    request.values.get("phone", ""),
                )
            )
        except KeyError:
            return jsonify({"error": "unknown config_id"}), 404

    @app.post("/_sim/remove")
    def sim_remove():
        try:
            return jsonify(
                state.remove(
                    request.values.get("external_userid", ""),
                    request.values.get("userid", ""),
                    request.values.get("change_type", "del_follow_user"),
                )
            )
        except KeyError:
            return jsonify({"error": "unknown external_userid"}), 404

    @app.post("/_sim/verify-url")
    def sim_verify_url():
        return jsonify(state.verify_url())

    @app.post("/_sim/fault")
    def sim_fault():
        name = request.values.get("name", "")
        if name not in FAULTS:
            return jsonify({"error": f"fault must be one of {', '.join(FAULTS)}"}), 400
        state.inject(name, int(request.values.get("times", 1)))
        if request.values.get("delay"):
            state.delay = float(request.values["delay"])
        return jsonify({"faults": state.faults})

    @app.post("/_sim/advance")
    def sim_advance():
        state.advance(float(request.values.get("seconds", 0)))
        return jsonify({"offset": state.offset})

    @app.get("/_sim/state")
    def sim_state():
        return jsonify(
            {
                "ways": list(state.ways.values()),
                "welcomes": state.welcomes,
                "deliveries": state.deliveries[-50:],
                "externals": [
                    {
                        "external_userid": u.external_userid,
                        "name": u.name,
                        "unionid": u.unionid,
                        "follow": list(u.follow),
                    }
                    for u in state.externals.values()
                ],
            }
        )

    @app.get("/")
    def index():
        rows = "".join(
            f"<li>{escape(w['user'][0])} — state {escape(w['state'])} — <img src='/qr/{cid}.png' width=96> "
            f"<form method=post action='/_sim/scan' style='display:inline'><input type=hidden name=config_id "
            f"value='{cid}'>name <input name=name size=6> unionid <input name=unionid size=8> phone "
            f"<input name=phone size=11><button>customer scans this QR</button></form></li>"
            for cid, w in state.ways.items()
        )
        return (
            f"<h1>WeCom simulator</h1><p>corp {state.corp_id}, callback {state.callback_url or '—'}</p>"
            f"<ul>{rows or '<li>no contact way yet</li>'}</ul>"
        )

    return app


def parse_event(xml: str) -> dict[str, str]:
    """A decrypted event as a dict (for tests)."""
    return parse_xml(xml)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="WeCom customer-contact simulator (demo corp)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEMO_PORT)
    parser.add_argument(
        "--callback",
        default="http://127.0.0.1:5000/wecom/callback",
        help="our callback URL the events are delivered to",
    )
    args = parser.parse_args(argv)
    state = SimState(callback_url=args.callback, base_url=f"http://{args.host}:{args.port}")
    create_simulator(state).run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
