"""A local simulator of the Meituan open-platform group-buy receipt contract (到综).

Run it on its own: ``python -m plugins.meituan_voucher.simulator --port 5055`` or
``flask --app run meituan-simulator --port 5055``.  It checks signatures,
tokens and shop scope, keeps per-code state (UNUSED → CONSUMED → UNUSED by a
reverse within 600 s; EXPIRED after the end date), replays ``requestId`` and
injects faults.  consume, reverseconsume and getconsumed answer with
``data.result[]`` (one entry per voucher), as the 到综 generation documents.
Error codes are the simulator's own (``SIM_*``): Meituan does not publish its
codes.  ``/_sim/*`` endpoints drive it from curl or tests.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from dataclasses import dataclass, field

from flask import Flask, jsonify, request

from plugins.meituan_voucher.signing import business_date, sha1_sign

REVERSE_WINDOW_S = 600
DEMO_DEVELOPER_ID = "100001"
DEMO_SIGN_KEY = "demo-sign-key-0001"
DEMO_TOKEN = "demo-app-auth-token-0001"
DEMO_REFRESH = "demo-refresh-token-0001"
DEMO_SHOPS = ("MT-SHOP-S001", "MT-SHOP-S002")
FAULTS = (
    "timeout_after_consume",  # the vouchers are verified, the answer comes after `delay` seconds
    "malformed_after_consume",  # the vouchers are verified, the answer is `malformed_body`
    "malformed_getconsumed",  # getconsumed answers `malformed_body`
    "timeout_getconsumed",  # getconsumed answers after `delay` seconds
    "refuse_consume",  # consume refuses with `refusal` (code, message), nothing verified
    "malformed_reverse",  # reverseconsume answers `malformed_body` without reversing
    "malformed_after_reverse",  # the voucher is reversed, the answer is `malformed_body`
    "expired_token",
    "wrong_shop",
    "already_used",
)


@dataclass
class Voucher:
    code: str
    order_id: str
    deal_id: str
    deal_group_id: str
    title: str
    price: float  # yuan, as Meituan sends it
    market_price: float
    shop: str
    end_ms: int
    mobile: str = "138****0000"
    biz_type: int = 0
    state: str = "UNUSED"
    consumed_at: float | None = None
    request_id: str = ""
    account: str = ""


@dataclass
class SimState:
    developer_id: str = DEMO_DEVELOPER_ID
    sign_key: str = DEMO_SIGN_KEY
    refresh_token: str = DEMO_REFRESH
    tokens: dict = field(default_factory=dict)  # token -> {"expires": t, "shops": set}
    vouchers: dict = field(default_factory=dict)  # code -> Voucher
    replays: dict = field(default_factory=dict)  # requestId -> first answer
    faults: dict = field(default_factory=dict)  # fault -> remaining times
    offset: float = 0.0  # controllable clock
    delay: float = 2.0  # seconds slept by timeout_after_consume / timeout_getconsumed
    malformed_body: str = "<html><body>502 Bad Gateway</body></html>"
    refusal: tuple = ("SIM_DEAL_OFFLINE", "deal is offline")  # what refuse_consume answers
    expired_code: str = "SIM_RECEIPT_EXPIRED"  # the real code is not public: tests change it
    calls: list = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds

    def inject(self, fault: str, times: int = 1) -> None:
        if fault not in FAULTS:
            raise ValueError(fault)
        self.faults[fault] = self.faults.get(fault, 0) + times

    def take(self, fault: str) -> bool:
        with self.lock:
            if self.faults.get(fault, 0) > 0:
                self.faults[fault] -= 1
                return True
            return False

    def add_token(self, token: str, shops, ttl: float = 7200) -> None:
        self.tokens[token] = {"expires": self.now() + ttl, "shops": set(shops)}

    def add_order(self, order_id: str, codes, deal_id: str, title: str, price: float, shop: str,
                  days: float = 30, market_price: float | None = None, deal_group_id: str = "") -> None:
        end_ms = int((self.now() + days * 86400) * 1000)
        for code in codes:
            self.vouchers[code] = Voucher(
                code, order_id, deal_id, deal_group_id or f"G{deal_id}", title, price,
                market_price if market_price is not None else price, shop, end_ms,
            )


def demo_state() -> SimState:
    """Demo tokens, shops and vouchers (documented in docs/plugins/meituan_voucher.md)."""
    state = SimState()
    state.add_token(DEMO_TOKEN, DEMO_SHOPS)
    state.add_order("MTO1001", ["1000000001"], "D100", "纯棉T恤团购券", 88.0, "MT-SHOP-S001",
                    market_price=128.0)
    state.add_order("MTO1002", ["1000000002", "1000000003", "1000000004"], "D200", "50元代金券", 45.5,
                    "MT-SHOP-S001", market_price=50.0)
    state.add_order("MTO1003", ["1000000005"], "D100", "纯棉T恤团购券", 88.0, "MT-SHOP-S002")
    state.add_order("MTO1004", ["1000000006"], "D300", "过期的券", 10.0, "MT-SHOP-S001", days=-1)
    for n in range(7, 40):
        state.add_order(f"MTO1{n:03d}", [f"10000000{n:02d}"], "D200", "50元代金券", 45.5, "MT-SHOP-S001",
                        market_price=50.0)
    return state


def _answer(code: str = "OP_SUCCESS", msg: str = "success", data=None):
    return jsonify({"code": code, "msg": msg, "data": data, "traceId": f"sim-{time.time_ns()}"})


class SimError(Exception):
    def __init__(self, code: str, msg: str):
        super().__init__(code)
        self.code, self.msg = code, msg


def _verified(v: Voucher) -> dict:
    return {"receiptCode": v.code, "orderId": v.order_id, "dealId": v.deal_id, "dealGroupId": v.deal_group_id,
            "dealTitle": v.title, "dealPrice": v.price, "requestId": v.request_id,
            "appShopAccount": v.account, "openShopUuid": v.shop, "receiptEndDate": v.end_ms,
            "flowId": f"F{v.code}{int(v.consumed_at or 0)}",
            "verifyTime": int(v.consumed_at * 1000) if v.consumed_at else 0}


def create_simulator(state: SimState | None = None) -> Flask:
    state = state or demo_state()
    app = Flask("meituan_simulator")
    app.config["SIM_STATE"] = state

    def authenticate() -> tuple[dict, set]:
        form = request.form.to_dict()
        developer = state.developer_id
        if form.get("developerId") != developer or request.headers.get("DeveloperId") != developer:
            raise SimError("SIM_PARAM_INVALID", "unknown developerId")
        if not form.get("sign") or sha1_sign(form, state.sign_key) != form["sign"]:
            raise SimError("SIM_SIGN_INVALID", "signature mismatch")
        token = state.tokens.get(form.get("appAuthToken", ""))
        if token is None:
            raise SimError("SIM_TOKEN_INVALID", "unknown appAuthToken")
        if state.take("expired_token"):
            token["expires"] = state.now() - 1
        if token["expires"] <= state.now():
            raise SimError("SIM_TOKEN_EXPIRED", "appAuthToken expired")
        try:
            biz = json.loads(form.get("biz", ""))
        except ValueError as err:
            raise SimError("SIM_PARAM_INVALID", "biz is not JSON") from err
        if not isinstance(biz, dict):
            raise SimError("SIM_PARAM_INVALID", "biz is not an object")
        return biz, token["shops"]

    def shop_of(biz: dict, shops: set) -> str:
        shop = str(biz.get("openShopUuid", ""))
        if shop not in shops or state.take("wrong_shop"):
            raise SimError("SIM_SHOP_NOT_AUTHORIZED", "shop not in the token's scope")
        return shop

    def voucher(biz: dict, shop: str) -> Voucher:
        v = state.vouchers.get(str(biz.get("receiptCode", "")))
        if v is None or v.shop != shop:
            raise SimError("SIM_RECEIPT_NOT_FOUND", "no such receipt in this shop")
        return v

    def usable(v: Voucher) -> None:
        if state.take("already_used") and v.state == "UNUSED":
            v.state, v.consumed_at = "CONSUMED", state.now()
            v.request_id, v.account = "other-terminal", "other"
        if v.state == "CONSUMED":
            raise SimError("SIM_RECEIPT_USED", "receipt already verified")
        if v.end_ms <= state.now() * 1000:
            raise SimError(state.expired_code, "receipt expired")

    def siblings(v: Voucher) -> list[Voucher]:
        return [o for o in state.vouchers.values() if o.order_id == v.order_id and o.state == "UNUSED"
                and o.end_ms > state.now() * 1000]

    @app.errorhandler(SimError)
    def sim_error(err: SimError):
        return _answer(err.code, err.msg)

    @app.before_request
    def log_call():
        state.calls.append(request.path)

    def malformed():
        return app.response_class(state.malformed_body, status=200, mimetype="text/html")

    @app.post("/ddzh/tuangou/receipt/prepare")
    def prepare():
        biz, shops = authenticate()
        with state.lock:
            v = voucher(biz, shop_of(biz, shops))
            if v.end_ms > state.now() * 1000:  # an expired voucher is described: its end date says so
                usable(v)
            return _answer(data={
                "receiptCode": v.code, "count": len(siblings(v)), "dealId": v.deal_id,
                "dealGroupId": v.deal_group_id, "dealTitle": v.title, "dealPrice": v.price,
                "dealMarketPrice": v.market_price, "mobile": v.mobile, "bizType": v.biz_type,
                "receiptEndDate": v.end_ms, "paymentDetail": [{"amount": v.price, "paymentDetailId": 1}],
            })

    @app.post("/ddzh/tuangou/receipt/consume")
    def consume():
        biz, shops = authenticate()
        request_id = str(biz.get("requestId", ""))
        if not request_id:
            raise SimError("SIM_PARAM_INVALID", "requestId is required")
        with state.lock:
            if request_id in state.replays:
                return _answer(data=state.replays[request_id])
            v = voucher(biz, shop_of(biz, shops))
            usable(v)
            if state.take("refuse_consume"):
                raise SimError(*state.refusal)
            count = biz.get("count")
            group = siblings(v)
            if not isinstance(count, int) or not 1 <= count <= 100 or count > len(group):
                raise SimError("SIM_COUNT_INVALID", f"count must be 1..{len(group)}")
            chosen = [v] + [o for o in group if o is not v][: count - 1]
            for item in chosen:
                item.state, item.consumed_at = "CONSUMED", state.now()
                item.request_id, item.account = request_id, str(biz.get("appShopAccount", ""))
            data = {"result": [_verified(item) for item in chosen]}
            state.replays[request_id] = data
        if state.take("timeout_after_consume"):
            time.sleep(state.delay)  # the state changed; the caller gives up before hearing it
        if state.take("malformed_after_consume"):
            return malformed()  # the state changed; the answer cannot be read
        return _answer(data=data)

    @app.post("/ddzh/tuangou/receipt/reverseconsume")
    def reverse():
        biz, shops = authenticate()
        if state.take("malformed_reverse"):
            return malformed()
        with state.lock:
            v = voucher(biz, shop_of(biz, shops))
            if v.state != "CONSUMED":
                raise SimError("SIM_NOT_CONSUMED", "receipt is not verified")
            if str(biz.get("dealId", "")) != v.deal_id:
                raise SimError("SIM_DEAL_MISMATCH", "dealId does not match the receipt")
            if state.now() - (v.consumed_at or 0) > REVERSE_WINDOW_S:
                raise SimError("SIM_REVERSE_WINDOW_PASSED", "reversal allowed within 10 minutes only")
            entry = _verified(v)
            state.replays.pop(v.request_id, None)
            v.state, v.consumed_at, v.request_id, v.account = "UNUSED", None, "", ""
        if state.take("malformed_after_reverse"):
            return malformed()
        return _answer(data={"result": [entry]})

    @app.post("/ddzh/tuangou/receipt/getconsumed")
    def getconsumed():
        biz, shops = authenticate()
        if state.take("timeout_getconsumed"):
            time.sleep(state.delay)
        if state.take("malformed_getconsumed"):
            return malformed()
        with state.lock:
            v = voucher(biz, shop_of(biz, shops))
            if v.state != "CONSUMED":
                raise SimError("SIM_NOT_CONSUMED", "receipt is not verified")
            return _answer(data={"result": [_verified(v)]})

    @app.post("/ddzh/tuangou/receipt/querylistbydate")
    def querylist():
        biz, shops = authenticate()
        shop = shop_of(biz, shops)
        day = str(biz.get("date", ""))
        offset, limit = int(biz.get("offset", 0)), min(int(biz.get("limit", 100)), 100)
        with state.lock:
            rows = sorted((v for v in state.vouchers.values() if v.shop == shop and v.state == "CONSUMED"
                           and business_date(v.consumed_at) == day),
                          key=lambda v: (v.consumed_at, v.code))
            page = [_verified(v) for v in rows[offset:offset + limit]]
            return _answer(data={"totalCount": len(rows), "records": page})

    @app.post("/oauth/refresh")
    def refresh():
        form = request.form.to_dict()
        if form.get("developerId") != state.developer_id:
            raise SimError("SIM_PARAM_INVALID", "unknown developerId")
        if not form.get("sign") or sha1_sign(form, state.sign_key) != form["sign"]:
            raise SimError("SIM_SIGN_INVALID", "signature mismatch")
        with state.lock:
            if form.get("refreshToken") != state.refresh_token:
                raise SimError("SIM_REFRESH_INVALID", "unknown refreshToken")
            shops = set().union(*(t["shops"] for t in state.tokens.values())) if state.tokens else set()
            token = f"sim-token-{time.time_ns()}"
            state.refresh_token = f"sim-refresh-{time.time_ns()}"
            state.add_token(token, shops)
            return _answer(data={"accessToken": token, "refreshToken": state.refresh_token, "expireIn": 7200})

    # ---------------------------------------------------------------- test/demo controls
    @app.post("/_sim/fault")
    def fault():
        name = request.values.get("name", "")
        if name not in FAULTS:
            return jsonify({"error": f"fault must be one of {', '.join(FAULTS)}"}), 400
        state.inject(name, int(request.values.get("times", 1)))
        if request.values.get("delay"):
            state.delay = float(request.values["delay"])
        return jsonify({"faults": state.faults})

    @app.post("/_sim/advance")
    def advance():
        state.advance(float(request.values.get("seconds", 0)))
        return jsonify({"offset": state.offset})

    @app.get("/_sim/vouchers")
    def vouchers():
        return jsonify([{"code": v.code, "state": v.state, "shop": v.shop, "deal": v.deal_id,
                         "title": v.title} for v in state.vouchers.values()])

    return app


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Meituan open-platform simulator (demo vouchers)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    create_simulator().run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
