"""The WeCom callback end to end with the simulator: URL verification, a customer scanning a
guide's QR (real encrypted, signed events) links member ↔ guide and sends the welcome once;
retries, duplicates, refusals, unknown users and WeCom faults end in a known state."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from app.extensions import db
from app.platform.models import AuditLog
from plugins.wecom_guide.models import GuideMember, WeComCall, WeComContact, WeComEvent
from plugins.wecom_guide.wecom.crypto import WXBizMsgCrypt, signature
from tests.support.values import new_phone, unique
from tests.support.wecom import guide_with_qr, new_member, wecom_fixture, wecom_sim_fixture  # noqa: F401  (fixtures)
from tests.support.wecom_guide import guides_fixture  # noqa: F401  (fixture)


def rows(app, model, **where):
    with app.app_context():
        return db.session.scalars(select(model).filter_by(**where)).all()


def owner(app, member_id):
    with app.app_context():
        return db.session.scalar(select(GuideMember.staff_id).where(GuideMember.member_id == member_id))


def audits(app, action):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == action))


def test_url_verification(app, wecom):
    crypt = wecom.state.crypt()
    echostr = crypt.encrypt("8373526164563")
    now = str(int(time.time()))
    params = {
        "msg_signature": signature(wecom.state.callback_token, now, "42", echostr),
        "timestamp": now,
        "nonce": "42",
        "echostr": echostr,
    }
    answer = app.test_client().get("/wecom/callback", query_string=params)
    assert answer.status_code == 200
    assert answer.get_data(as_text=True) == "8373526164563" and answer.mimetype == "text/plain"
    before = audits(app, "wecom.callback_refused")
    answer = app.test_client().get("/wecom/callback", query_string={**params, "nonce": "43"})
    assert answer.status_code == 403
    assert audits(app, "wecom.callback_refused") == before + 1
    other = WXBizMsgCrypt(wecom.state.callback_token, wecom.state.aes_key, "wwothercorp")  # another corp's
    echostr = other.encrypt("1")
    answer = app.test_client().get(
        "/wecom/callback",
        query_string={
            "msg_signature": signature(wecom.state.callback_token, now, "2", echostr),
            "timestamp": now,
            "nonce": "2",
            "echostr": echostr,
        },
    )
    assert answer.status_code == 403
    assert app.test_client().get("/wecom/callback").status_code == 400


def test_customer_scans_the_guides_qr(app, wecom):
    qr = guide_with_qr(app)
    member = new_member(app)
    scanned = wecom.state.scan(qr["config_id"], name="王五", unionid=unique("un"), phone=member["phone"])
    assert [d["status"] for d in scanned["deliveries"]] == [200]
    assert scanned["deliveries"][0]["answer"] == "success"
    assert owner(app, member["id"]) == qr["staff_id"]
    [contact] = rows(app, WeComContact, external_userid=scanned["external_userid"])
    assert (contact.member_id, contact.staff_id, contact.status, contact.name) == (
        member["id"],
        qr["staff_id"],
        "friend",
        "王五",
    )
    [event] = rows(app, WeComEvent, external_userid=scanned["external_userid"])
    assert (event.status, event.result, event.welcome_status, event.attempts) == ("done", "linked", "sent", 1)
    assert event.payload["WelcomeCode"] == "***"  # not kept
    [welcome] = wecom.state.welcomes
    assert welcome["external_userid"] == scanned["external_userid"]
    assert (
        "/activate/" in welcome["text"] or "activat" in welcome["text"].lower() or "激活" in welcome["text"]
    )


def test_a_retried_event_is_processed_once(app, wecom):
    qr = guide_with_qr(app)
    member = new_member(app)
    scanned = wecom.state.scan(qr["config_id"], phone=member["phone"])
    again = wecom.state.deliver(scanned["event"])  # WeCom's retry: same CreateTime, new nonce
    assert [d["status"] for d in again] == [200]
    events = rows(app, WeComEvent, external_userid=scanned["external_userid"])
    assert len(events) == 1 and events[0].attempts == 1
    assert len(wecom.state.welcomes) == 1
    assert len(rows(app, WeComContact, external_userid=scanned["external_userid"])) == 1


def test_the_next_member_is_found_by_unionid(app, wecom):
    qr = guide_with_qr(app)
    member = new_member(app)
    unionid = unique("un")
    wecom.state.scan(qr["config_id"], unionid=unionid, phone=member["phone"])
    second = guide_with_qr(app, "manager1")  # the customer adds another staff member, without a phone note
    scanned = wecom.state.scan(second["config_id"], unionid=unionid)
    [contact] = rows(app, WeComContact, external_userid=scanned["external_userid"])
    assert contact.member_id == member["id"]
    assert owner(app, member["id"]) == qr["staff_id"]  # kept: never taken from the first guide
    [event] = rows(app, WeComEvent, external_userid=scanned["external_userid"])
    assert event.result == "kept"


def test_a_member_of_another_guide_is_not_taken(app, wecom):
    from plugins.wecom_guide.ownership import link_member_to_guide
    from tests.support.clients import add_store_user

    mine = guide_with_qr(app)
    add_store_user(app, "wecom_guide2", role="Guide")
    wecom.state.users.add("wecom_guide2")
    other = guide_with_qr(app, "wecom_guide2")
    member = new_member(app)
    with app.app_context():
        assert link_member_to_guide(member["id"], other["staff_id"], "claim")
        db.session.commit()
    scanned = wecom.state.scan(mine["config_id"], phone=member["phone"])
    assert owner(app, member["id"]) == other["staff_id"]
    [event] = rows(app, WeComEvent, external_userid=scanned["external_userid"])
    assert (event.status, event.result) == ("done", "kept")


def test_an_unmatched_customer_is_recorded_without_a_member(app, wecom):
    qr = guide_with_qr(app)
    before = audits(app, "wecom.contact_unmatched")
    scanned = wecom.state.scan(qr["config_id"], name="路人", phone=new_phone())
    [contact] = rows(app, WeComContact, external_userid=scanned["external_userid"])
    assert contact.member_id is None and contact.status == "friend"
    [event] = rows(app, WeComEvent, external_userid=scanned["external_userid"])
    assert (event.status, event.result, event.welcome_status) == ("done", "unmatched", "sent")
    assert audits(app, "wecom.contact_unmatched") == before + 1
    assert "activat" not in wecom.state.welcomes[0]["text"].lower()


def test_unknown_external_user_is_refused_without_a_link(app, wecom):
    qr = guide_with_qr(app)
    event = {
        "ToUserName": wecom.state.corp_id,
        "FromUserName": "sys",
        "CreateTime": "1700000001",
        "MsgType": "event",
        "Event": "change_external_contact",
        "ChangeType": "add_external_contact",
        "UserID": qr["wecom_userid"],
        "ExternalUserID": "wmNOBODY",
        "State": "g1",
        "WelcomeCode": "x",
    }
    before = audits(app, "wecom.event_failed")
    assert [d["status"] for d in wecom.state.deliver(event)] == [200]  # refused for good: no retry
    [row] = rows(app, WeComEvent, external_userid="wmNOBODY")
    assert (row.status, row.result, row.error_code) == (
        "ignored",
        "wecom_error",
        "WECOM_EXTERNAL_USER_UNKNOWN",
    )
    assert rows(app, WeComContact, external_userid="wmNOBODY") == []
    assert audits(app, "wecom.event_failed") == before + 1


def test_unknown_guide_is_ignored(app, wecom):
    event = {
        "ToUserName": wecom.state.corp_id,
        "CreateTime": "1700000002",
        "MsgType": "event",
        "Event": "change_external_contact",
        "ChangeType": "add_external_contact",
        "UserID": "stranger",
        "ExternalUserID": "wmX1",
    }
    assert [d["status"] for d in wecom.state.deliver(event)] == [200]
    [row] = rows(app, WeComEvent, external_userid="wmX1")
    assert (row.status, row.result) == ("ignored", "unknown_guide")


def test_a_wecom_timeout_fails_the_event_and_weComs_retry_processes_it(app, wecom):
    from tests.support.wecom import configure

    qr = guide_with_qr(app)
    configure(app, wecom, timeout=1)
    member = new_member(app)
    wecom.state.delay = 1.6
    wecom.state.inject("slow")  # externalcontact/get answers too late
    scanned = wecom.state.scan(qr["config_id"], phone=member["phone"])
    assert [d["status"] for d in scanned["deliveries"]] == [503, 200]  # WeCom retried
    [event] = rows(app, WeComEvent, external_userid=scanned["external_userid"])
    assert (event.status, event.result, event.attempts, event.error_code) == ("done", "linked", 2, "")
    assert owner(app, member["id"]) == qr["staff_id"]
    assert len(wecom.state.welcomes) == 1
    timeouts = [c for c in rows(app, WeComCall, op="get_external_contact") if c.error_code == "WECOM_TIMEOUT"]
    assert len(timeouts) == 1


def test_a_failed_event_keeps_a_known_state_until_retried(app, wecom, admin_client):
    qr = guide_with_qr(app)
    member = new_member(app)
    wecom.state.inject("rate_limit", times=10)  # every attempt and WeCom's 3 retries are refused
    scanned = wecom.state.scan(qr["config_id"], phone=member["phone"])
    assert [d["status"] for d in scanned["deliveries"]] == [503, 503, 503, 503]
    [event] = rows(app, WeComEvent, external_userid=scanned["external_userid"])
    assert (event.status, event.error_code, event.attempts) == ("failed", "WECOM_RATE_LIMITED", 4)
    assert (
        owner(app, member["id"]) is None
        and rows(app, WeComContact, external_userid=event.external_userid) == []
    )
    wecom.state.faults.clear()
    answer = admin_client.post(
        "/wecomeventview/action_post", data={"action": "retry_event", "rowid": event.id}
    )
    assert answer.status_code == 302
    [event] = rows(app, WeComEvent, external_userid=scanned["external_userid"])
    assert (event.status, event.result) == ("done", "linked")
    assert owner(app, member["id"]) == qr["staff_id"]


def test_token_expired_42001_is_renewed_inside_the_flow(app, wecom):
    qr = guide_with_qr(app)
    member = new_member(app)
    wecom.state.inject("expired_token")
    scanned = wecom.state.scan(qr["config_id"], phone=member["phone"])
    assert [d["status"] for d in scanned["deliveries"]] == [200]
    assert owner(app, member["id"]) == qr["staff_id"]
    assert any(c.errcode == 42001 for c in rows(app, WeComCall, op="get_external_contact"))


def test_deleting_the_friendship(app, wecom):
    qr = guide_with_qr(app)
    member = new_member(app)
    scanned = wecom.state.scan(qr["config_id"], phone=member["phone"])
    removed = wecom.state.remove(scanned["external_userid"], qr["wecom_userid"])
    assert [d["status"] for d in removed["deliveries"]] == [200]
    [contact] = rows(app, WeComContact, external_userid=scanned["external_userid"])
    assert contact.status == "deleted" and contact.removed_at is not None
    assert owner(app, member["id"]) == qr["staff_id"]  # ownership is not a friendship


def test_refused_events(app, wecom):
    qr = guide_with_qr(app)
    client = app.test_client()
    now = str(int(time.time()))
    event = {
        "ToUserName": wecom.state.corp_id,
        "CreateTime": now,
        "MsgType": "event",
        "Event": "change_external_contact",
        "ChangeType": "add_external_contact",
        "UserID": qr["wecom_userid"],
        "ExternalUserID": "wmREFUSED",
    }
    body, sign = wecom.state.encrypted_body(event, "7", now)
    params = {"msg_signature": sign, "timestamp": now, "nonce": "7"}
    before = audits(app, "wecom.callback_refused")
    bad_sign = client.post("/wecom/callback", query_string={**params, "msg_signature": "0" * 40}, data=body)
    assert bad_sign.status_code == 403
    tampered = body.replace(b"<Encrypt><![CDATA[", b"<Encrypt><![CDATA[AAAA")
    assert client.post("/wecom/callback", query_string=params, data=tampered).status_code == 403  # signature
    not_xml = client.post("/wecom/callback", query_string=params, data=b"<xml><Encrypt>")
    assert not_xml.status_code == 400
    assert client.post("/wecom/callback", data=body).status_code == 400  # no signature parameters
    other = WXBizMsgCrypt(wecom.state.callback_token, wecom.state.aes_key, "wwothercorp")
    encrypt = other.encrypt(wecom.state.event_xml(event))
    wrong_corp = (f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>").encode()
    answer = client.post(
        "/wecom/callback",
        data=wrong_corp,
        query_string={
            **params,
            "msg_signature": signature(wecom.state.callback_token, now, "7", encrypt),
        },
    )
    assert answer.status_code == 403
    assert audits(app, "wecom.callback_refused") == before + 4
    assert rows(app, WeComEvent, external_userid="wmREFUSED") == []
    assert client.post("/wecom/callback", query_string=params, data=body).status_code == 200  # the real one


def test_callback_without_settings_is_refused(app, guides):
    answer = app.test_client().get(
        "/wecom/callback", query_string={"msg_signature": "a", "timestamp": "1", "nonce": "2", "echostr": "x"}
    )
    assert answer.status_code == 503


def test_a_disabled_plugin_has_no_callback(app):
    answer = app.test_client().get(
        "/wecom/callback", query_string={"msg_signature": "a", "timestamp": "1", "nonce": "2", "echostr": "x"}
    )
    assert answer.status_code == 404


def test_a_replayed_callback_outside_the_window_is_refused(app, wecom, guides):
    """A correctly signed request whose timestamp is older (or further ahead) than the replay
    window is refused with 403, a clear text and an audit row; nothing is recorded."""
    qr = guide_with_qr(app)
    member = new_member(app)
    before = audits(app, "wecom.callback_refused")
    wecom.state.advance(-301)  # WeCom's clock (the signed timestamp) 5 minutes and 1 s behind ours
    old = wecom.state.scan(qr["config_id"], phone=member["phone"])
    assert {d["status"] for d in old["deliveries"]} == {403}  # each of WeCom's retries too
    assert "outside the 300 s replay window" in old["deliveries"][0]["answer"]
    assert rows(app, WeComEvent, external_userid=old["external_userid"]) == []
    assert owner(app, member["id"]) is None
    assert audits(app, "wecom.callback_refused") == before + len(old["deliveries"])
    wecom.state.advance(301 + 400)  # 400 s ahead: refused too
    ahead = wecom.state.deliver(old["event"], retries=0)
    assert [d["status"] for d in ahead] == [403] and "ahead" in ahead[0]["answer"]
    guides.settings(callback_window_seconds=600)  # a wider window lets it in
    assert [d["status"] for d in wecom.state.deliver(old["event"], retries=0)] == [200]
    assert owner(app, member["id"]) == qr["staff_id"]
    wecom.state.advance(-400)
    crypt = wecom.state.crypt()  # URL verification is held to the same window
    echostr = crypt.encrypt("1")
    stale = str(int(time.time()) - 3600)
    answer = app.test_client().get("/wecom/callback", query_string={
        "msg_signature": signature(wecom.state.callback_token, stale, "9", echostr),
        "timestamp": stale, "nonce": "9", "echostr": echostr,
    })
    assert answer.status_code == 403 and "replay window" in answer.get_data(as_text=True)
