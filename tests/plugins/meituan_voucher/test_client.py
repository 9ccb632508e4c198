"""Signing vectors and the HTTP client against the simulator over real HTTP on loopback."""

from __future__ import annotations

import time

import pytest

from plugins.meituan_voucher.client import MeituanClient, MeituanError, MeituanTimeout, redact, yuan_to_fen
from plugins.meituan_voucher.signing import CurrentDialect, LegacyDialect, md5_sign, sha1_sign
from tests.support.meituan import creds_fixture, sim_fixture  # noqa: F401  (fixtures)

SHOP = "MT-SHOP-S001"


def test_published_sha1_vector():
    fields = {"developerId": "100001", "businessId": "58", "timestamp": "1700000000", "charset": "UTF-8",
              "version": "2", "appAuthToken": "TOKEN", "biz": '{"receiptCode":"0123456789","count":1}'}
    assert sha1_sign(fields, "testsignkey") == "08dba94e8041f3c160b4d3e60ed0d6f25306d5dc"
    form = CurrentDialect().form({"receiptCode": "0123456789", "count": 1}, developer_id="100001",
                                 sign_key="testsignkey", token="TOKEN", timestamp=1700000000)
    assert form["sign"] == "08dba94e8041f3c160b4d3e60ed0d6f25306d5dc"


def test_published_legacy_md5_vector():
    params = {"app_id": "test001", "timestamp": "2017-11-13 14:44:00"}
    assert md5_sign(params, "") == "277094cded19065755c9021dd36b0554"
    form = LegacyDialect().form({"receipt_code": "1"}, developer_id="k", sign_key="s", token="t", timestamp=0)
    assert form["sign"] == md5_sign(form, "s") and form["timestamp"] == "1970-01-01 08:00:00"


def test_yuan_to_fen_uses_decimal_rounding():
    assert yuan_to_fen(45.5) == 4550
    assert yuan_to_fen(0.1 + 0.2) == 30
    assert yuan_to_fen(19.999) == 2000
    assert yuan_to_fen(1.005) == 101  # str(1.005) is "1.005": no binary surprise


def test_redact_hides_secrets():
    shown = redact({"appAuthToken": "abcdefghijkl", "sign": "0123456789abcdef", "biz": "{}"})
    assert shown == {"appAuthToken": "***ijkl", "sign": "***cdef", "biz": "{}"}


def test_prepare_consume_reverse_happy_path(sim, creds):
    client = MeituanClient(creds)
    prepared = client.prepare("1000000002", SHOP)
    assert (prepared.count, prepared.deal_id) == (3, "D200")
    assert (prepared.price_fen, prepared.market_price_fen) == (4550, 5000)
    done = client.consume("1000000002", 2, "req-1", SHOP, "pos1", "POS 1")
    assert len(done) == 2 and done[0]["code"] == "1000000002" and done[0]["order_id"] == "MTO1002"
    assert client.prepare("1000000004", SHOP).count == 1
    assert client.getconsumed("1000000002", SHOP)["request_id"] == "req-1"
    assert [r["code"] for r in client.reverse("1000000002", "D200", SHOP, "pos1", "POS 1")] == ["1000000002"]
    assert client.getconsumed("1000000002", SHOP) is None


def test_count_limits_expired_wrong_shop_and_used(sim, creds):
    client = MeituanClient(creds)
    with pytest.raises(MeituanError) as err:
        client.consume("1000000001", 2, "req-2", SHOP, "pos1", "POS 1")
    assert err.value.code == "MEITUAN_COUNT_INVALID"
    with pytest.raises(MeituanError) as err:
        client.consume("1000000001", 0, "req-2b", SHOP, "pos1", "POS 1")
    assert err.value.code == "MEITUAN_COUNT_INVALID"
    assert client.prepare("1000000006", SHOP).end_ms < time.time() * 1000  # described, with its end date
    with pytest.raises(MeituanError) as err:
        client.consume("1000000006", 1, "req-2c", SHOP, "pos1", "POS 1")
    assert err.value.code == "MEITUAN_VOUCHER_EXPIRED"
    with pytest.raises(MeituanError) as err:
        client.prepare("1000000001", "MT-SHOP-OTHER")
    assert err.value.code == "MEITUAN_SHOP_NOT_AUTHORIZED"
    sim.state.inject("wrong_shop")
    with pytest.raises(MeituanError) as err:
        client.prepare("1000000001", SHOP)
    assert err.value.code == "MEITUAN_SHOP_NOT_AUTHORIZED"
    client.consume("1000000001", 1, "req-3", SHOP, "pos1", "POS 1")
    with pytest.raises(MeituanError) as err:
        client.consume("1000000001", 1, "req-4", SHOP, "pos1", "POS 1")
    assert err.value.code == "MEITUAN_VOUCHER_USED"
    sim.state.inject("already_used")
    with pytest.raises(MeituanError) as err:
        client.prepare("1000000007", SHOP)
    assert err.value.code == "MEITUAN_VOUCHER_USED"


def test_request_id_replays_the_first_result(sim, creds):
    client = MeituanClient(creds)
    first = client.consume("1000000008", 1, "req-same", SHOP, "pos1", "POS 1")
    again = client.consume("1000000008", 1, "req-same", SHOP, "pos1", "POS 1")
    assert first == again


def test_reverse_window_is_ten_minutes(sim, creds):
    client = MeituanClient(creds)
    client.consume("1000000009", 1, "req-w1", SHOP, "pos1", "POS 1")
    sim.state.advance(601)
    with pytest.raises(MeituanError) as err:
        client.reverse("1000000009", "D200", SHOP, "pos1", "POS 1")
    assert err.value.code == "MEITUAN_REVERSE_WINDOW_PASSED"
    client.consume("1000000010", 1, "req-w2", SHOP, "pos1", "POS 1")
    sim.state.advance(599)
    assert client.reverse("1000000010", "D200", SHOP, "pos1", "POS 1")[0]["code"] == "1000000010"


def test_token_expiry_is_refreshed_once(sim, creds):
    tokens = []
    client = MeituanClient(creds, on_token=lambda token, refresh: tokens.append((token, refresh)))
    sim.state.inject("expired_token")
    assert client.prepare("1000000011", SHOP).count == 1
    assert len(tokens) == 1 and tokens[0][0] != "demo-app-auth-token-0001"
    assert creds.token == tokens[0][0] and creds.refresh_token == sim.state.refresh_token
    sim.state.tokens[creds.token]["expires"] = 0
    creds.refresh_token = "stale"
    with pytest.raises(MeituanError) as err:
        client.prepare("1000000011", SHOP)
    assert err.value.code == "MEITUAN_TOKEN_INVALID"


def test_bad_signature_is_refused(sim, creds):
    creds.sign_key = "not-the-key"
    with pytest.raises(MeituanError) as err:
        MeituanClient(creds).prepare("1000000001", SHOP)
    assert err.value.code == "MEITUAN_SIGNATURE_REJECTED"


def test_timeout_after_consume_leaves_the_voucher_consumed(sim, creds):
    creds.timeout = 1.0
    sim.state.delay = 3.0
    sim.state.inject("timeout_after_consume")
    client = MeituanClient(creds)
    with pytest.raises(MeituanTimeout):
        client.consume("1000000012", 1, "req-t", SHOP, "pos1", "POS 1")
    assert client.getconsumed("1000000012", SHOP)["request_id"] == "req-t"


def test_calls_are_recorded_with_secrets_redacted(sim, creds):
    calls = []
    MeituanClient(creds, recorder=lambda **kw: calls.append(kw)).prepare("1000000013", SHOP)
    assert calls[0]["op"] == "prepare" and calls[0]["http_status"] == 200
    assert calls[0]["request"]["appAuthToken"].startswith("***")
    assert "demo-app-auth-token" not in str(calls[0])
