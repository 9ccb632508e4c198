"""Bad input never causes a 500: seeded random bodies against every POST endpoint."""

import json
import random

import pytest

ENDPOINTS = {
    "/api/v1/pos/orders": ["member_id", "lines", "payments", "discount_fen", "points_used", "note"],
    "/api/v1/pos/orders/SO00000000S0000001/returns": ["lines"],
    "/api/v1/pos/members": ["phone", "name"],
    "/api/v1/pos/stored-value/recharge": ["member_id", "amount_fen"],
    "/api/v1/mall/login/code": ["phone"],
    "/api/v1/mall/login": ["phone", "code"],
    "/api/v1/sample/notes": ["text", "count"],
}
NESTED_KEYS = ["sku_code", "barcode", "qty", "price_fen", "method", "amount_fen", "code", "line_id"]


def _value(rng: random.Random, depth: int = 0):
    choices = [
        lambda: rng.choice([0, -1, 1, 2**31, -(2**63), 10**30, 13800138000]),
        lambda: rng.random() * rng.choice([1, -1e12, 1e300]),
        lambda: rng.choice(["", "x" * rng.randint(1, 5000), "13800138000", "P1001-01", "6901100101",
                            "cash", "stored_value", "金额", "\x00", "' OR 1=1 --", "1e309", "NaN"]),
        lambda: rng.choice([None, True, False]),
    ]
    if depth < 2:
        choices.append(lambda: [_nested(rng, depth + 1) for _ in range(rng.randint(0, 3))])
        choices.append(lambda: _nested(rng, depth + 1))
    return rng.choice(choices)()


def _nested(rng, depth):
    return {rng.choice(NESTED_KEYS + ["zzz"]): _value(rng, depth) for _ in range(rng.randint(0, 4))}


def _body(rng: random.Random, fields: list[str]) -> str:
    kind = rng.random()
    if kind < 0.05:
        return rng.choice(["{", "[]", "null", "1", '"s"', "{\"a\": }", "\xff\xfe"])
    body = {f: _value(rng) for f in fields if rng.random() < 0.7}
    if rng.random() < 0.1:
        body["unexpected"] = 1
    return json.dumps(body, allow_nan=True)


@pytest.mark.parametrize("path", sorted(ENDPOINTS))
def test_random_bodies_never_500(app, api_as, path):
    rng = random.Random(f"fuzz:{path}")
    client = api_as("pos1")
    for _ in range(120):
        raw = _body(rng, ENDPOINTS[path])
        response = client.post(path, data=raw, headers={"Content-Type": "application/json"})
        assert response.status_code < 500, (path, raw[:300], response.get_data(as_text=True)[:300])
        if response.status_code >= 400:
            error = response.get_json()["error"]
            assert error["code"].isupper() and error["message"], (path, raw[:300])


GET_ENDPOINTS = {
    "/api/v1/pos/members": ["phone", "q"],
    "/api/v1/pos/products": ["barcode", "q"],
    "/api/v1/pos/stock": ["sku_code"],
    "/api/v1/sample/notes": ["page"],
}


@pytest.mark.parametrize("path", sorted(GET_ENDPOINTS))
def test_random_queries_never_500(app, api_as, path):
    rng = random.Random(f"fuzz-get:{path}")
    client = api_as("pos1")
    for _ in range(80):
        names = [name for name in GET_ENDPOINTS[path] if rng.random() < 0.8]
        params = {name: str(_value(rng, depth=2))[:3000] for name in names}
        response = client.get(path, query_string=params)
        assert response.status_code < 500, (path, params, response.get_data(as_text=True)[:300])
    for tail in ("/%00", "/" + "9" * 40, "/-1", "/%E9%87%91"):
        assert client.get(f"/api/v1/pos/orders{tail}").status_code < 500
        assert client.get(f"/api/v1/pos/members{tail}/wallet").status_code < 500
