"""The WeCom HTTP client against the simulator over real HTTP on loopback: tokens cached and
renewed on 42001, WeCom's error codes, timeouts, the call log."""

from __future__ import annotations

import pytest

from plugins.wecom_guide.wecom.client import Credentials, MemoryTokens, WeComClient, WeComError, redact
from plugins.wecom_guide.wecom.simulator import DEMO_CORP_ID, DEMO_SECRET
from tests.support.wecom import wecom_sim_fixture  # noqa: F401  (fixture)


def client_for(sim, secret=DEMO_SECRET, timeout=3.0, calls=None, tokens=None):
    record = (lambda **row: calls.append(row)) if calls is not None else None
    return WeComClient(Credentials(sim.url, DEMO_CORP_ID, secret, timeout), tokens=tokens, recorder=record)


def test_token_is_cached_and_contact_way_made(wecom_sim):
    calls = []
    client = client_for(wecom_sim, calls=calls)
    way = client.add_contact_way("guide1", "g:7", remark="S001 导购")
    second = client.add_contact_way("guide2", "g:8")
    assert way["config_id"] != second["config_id"] and way["qr_code"].endswith(f"/qr/{way['config_id']}.png")
    assert [c["op"] for c in calls] == ["gettoken", "add_contact_way", "add_contact_way"]  # one token
    assert wecom_sim.state.ways[way["config_id"]]["user"] == ["guide1"]
    assert wecom_sim.state.ways[way["config_id"]]["state"] == "g:7"
    assert all("simtoken" not in str(c["request"]) for c in calls)  # the token is redacted
    assert "corpsecret" in calls[0]["request"] and DEMO_SECRET not in str(calls[0]["request"])


def test_expired_token_42001_is_renewed_once(wecom_sim):
    calls = []
    client = client_for(wecom_sim, calls=calls)
    client.add_contact_way("guide1", "g:1")
    wecom_sim.state.inject("expired_token")
    client.add_contact_way("guide1", "g:2")
    assert [(c["op"], c["errcode"]) for c in calls] == [
        ("gettoken", 0),
        ("add_contact_way", 0),
        ("add_contact_way", 42001),
        ("gettoken", 0),
        ("add_contact_way", 0),
    ]
    assert calls[2]["error_code"] == "WECOM_TOKEN_INVALID"


def test_token_cache_is_shared_through_the_store(wecom_sim):
    tokens = MemoryTokens()
    client_for(wecom_sim, tokens=tokens).add_contact_way("guide1", "g:1")
    calls = []
    client_for(wecom_sim, tokens=tokens, calls=calls).add_contact_way("guide1", "g:2")
    assert [c["op"] for c in calls] == ["add_contact_way"]


def test_bad_secret_and_error_codes(wecom_sim):
    with pytest.raises(WeComError) as err:
        client_for(wecom_sim, secret="wrong").add_contact_way("guide1", "g:1")
    assert (err.value.code, err.value.errcode, err.value.uncertain) == ("WECOM_TOKEN_INVALID", 40001, False)
    client = client_for(wecom_sim)
    with pytest.raises(WeComError) as err:
        client.add_contact_way("nobody", "g:1")
    assert (err.value.code, err.value.errcode) == ("WECOM_USER_UNKNOWN", 60111)
    with pytest.raises(WeComError) as err:
        client.get_external_contact("wmNOBODY")
    assert err.value.code == "WECOM_EXTERNAL_USER_UNKNOWN"
    wecom_sim.state.inject("rate_limit")
    with pytest.raises(WeComError) as err:
        client.add_contact_way("guide1", "g:1")
    assert (err.value.code, err.value.transient) == ("WECOM_RATE_LIMITED", True)
    wecom_sim.state.inject("server_error")
    with pytest.raises(WeComError) as err:
        client.add_contact_way("guide1", "g:1")
    assert (err.value.code, err.value.uncertain) == ("WECOM_BAD_RESPONSE", True)


def test_timeout_is_uncertain_and_recorded(wecom_sim):
    calls = []
    client = client_for(wecom_sim, timeout=0.5, calls=calls)
    client.access_token()
    wecom_sim.state.delay = 1.5
    wecom_sim.state.inject("slow")
    with pytest.raises(WeComError) as err:
        client.add_contact_way("guide1", "g:1")
    assert (err.value.code, err.value.uncertain, err.value.transient) == ("WECOM_TIMEOUT", True, True)
    assert calls[-1]["error_code"] == "WECOM_TIMEOUT" and calls[-1]["http_status"] is None


def test_unreachable_wecom():
    client = WeComClient(Credentials("http://127.0.0.1:9", DEMO_CORP_ID, DEMO_SECRET, 1.0))
    with pytest.raises(WeComError) as err:
        client.access_token()
    assert (err.value.code, err.value.uncertain) == ("WECOM_UNAVAILABLE", False)


def test_welcome_message_once_within_20_seconds(wecom_sim):
    client = client_for(wecom_sim)
    way = client.add_contact_way("guide1", "g:1")
    scanned = wecom_sim.state.scan(way["config_id"], name="张三", unionid="u-1", phone="13900001111")
    contact = client.get_external_contact(scanned["external_userid"])
    assert contact["external_contact"]["unionid"] == "u-1"
    assert contact["follow_user"][0]["remark_mobiles"] == ["13900001111"]
    client.send_welcome_msg(scanned["welcome_code"], "欢迎")
    with pytest.raises(WeComError) as err:
        client.send_welcome_msg(scanned["welcome_code"], "again")
    assert (err.value.code, err.value.errcode) == ("WECOM_WELCOME_CODE_USED", 41051)
    late = wecom_sim.state.scan(way["config_id"], name="李四")
    wecom_sim.state.advance(21)
    with pytest.raises(WeComError) as err:
        client.send_welcome_msg(late["welcome_code"], "too late")
    assert err.value.errcode == 41096
    assert [w["text"] for w in wecom_sim.state.welcomes] == ["欢迎"]


def test_redact_nested():
    shown = redact({"access_token": "abcdefghijkl", "body": {"welcome_code": "WC0123456789"}, "x": [1]})
    assert shown == {"access_token": "***ijkl", "body": {"welcome_code": "***6789"}, "x": [1]}
