"""Scan-to-open-bill modes: the guide's screen and who a bill may be opened for."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.platform.settings import set_setting
from tests.support.members import error_code
from tests.support.wecom import guide_with_qr, new_member, wecom_fixture, wecom_sim_fixture  # noqa: F401  (fixtures)
from tests.support.wecom_guide import guides_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("guides")


def set_mode(app, mode):
    with app.app_context():
        set_setting("wecom_guide.open_bill_mode", mode)
        db.session.remove()


@pytest.mark.parametrize("mode", ["miniprogram", "h5"])
def test_plain_modes_need_no_wecom(app, api_as, mode):
    set_mode(app, mode)
    screen = api_as("guide1").get("/api/v1/guide/open-bill")
    assert screen.status_code == 200
    assert screen.get_json()["result"] | {"hint": ""} == {
        "mode": mode,
        "mode_label": screen.get_json()["result"]["mode_label"],
        "wecom": False,
        "qr_code": None,
        "hint": "",
        "problem": None,
    }
    check = api_as("guide1").get("/api/v1/guide/open-bill/check?member_id=1")
    assert check.status_code == 200 and check.get_json()["result"] == {"allowed": True, "mode": mode}


def test_off(app, api_as):
    set_mode(app, "off")
    answer = api_as("guide1").get("/api/v1/guide/open-bill")
    assert answer.status_code == 409 and error_code(answer) == "OPEN_BILL_OFF"


@pytest.mark.parametrize("mode", ["wecom_miniprogram", "wecom_h5"])
def test_a_guide_without_a_wecom_qr_is_told_to_ask_the_admin(app, api_as, mode):
    set_mode(app, mode)
    screen = api_as("guide1").get("/api/v1/guide/open-bill", headers={"Accept-Language": "en"})
    assert screen.status_code == 200
    result = screen.get_json()["result"]
    assert (result["wecom"], result["qr_code"], result["problem"]) == (True, None, "WECOM_QR_MISSING")
    assert "ask your admin" in result["hint"].lower()
    zh = api_as("guide1").get("/api/v1/guide/open-bill", headers={"Accept-Language": "zh"})
    assert "管理员" in zh.get_json()["result"]["hint"]
    check = api_as("guide1").get("/api/v1/guide/open-bill/check?member_id=1")
    assert check.status_code == 409 and error_code(check) == "WECOM_QR_MISSING"


def test_wecom_modes_need_the_guides_wecom_friendship(app, api_as, wecom):
    set_mode(app, "wecom_h5")
    qr = guide_with_qr(app)
    screen = api_as("guide1").get("/api/v1/guide/open-bill").get_json()["result"]
    assert (screen["qr_code"], screen["problem"]) == (qr["qr_code"], None)
    friend, stranger = new_member(app), new_member(app)
    wecom.state.scan(qr["config_id"], phone=friend["phone"])
    ok = api_as("guide1").get(f"/api/v1/guide/open-bill/check?member_id={friend['id']}")
    assert ok.status_code == 200 and ok.get_json()["result"]["allowed"] is True
    for member_id in (stranger["id"], 2_000_000_000):  # a stranger and no one answer alike
        refused = api_as("guide1").get(f"/api/v1/guide/open-bill/check?member_id={member_id}")
        assert refused.status_code == 409 and error_code(refused) == "WECOM_NOT_FRIEND"
    for bad in ("", "x", "0", "99999999999"):
        answer = api_as("guide1").get(f"/api/v1/guide/open-bill/check?member_id={bad}")
        assert answer.status_code == 422


def test_a_store_account_without_the_grant_is_refused(app, api_as):
    assert api_as("pos1").get("/api/v1/guide/open-bill").status_code == 403
