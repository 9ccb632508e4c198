"""Masking rules, POS name search under masking, HQ-only settings, the member's own mall view."""

import pytest

from app.masking import mask_name, mask_phone
from tests.support.privacy import (
    masked_phone,
    privacy_fixture,  # noqa: F401 (fixtures)
)
from tests.support.settings import settings_form


@pytest.mark.parametrize("phone, masked", [("13800000000", "138****0000"), ("", ""), (None, None)])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    "name, masked",
    [("张三", "张*"), ("张三丰", "张**"), ("欧阳娜娜", "欧阳**"), ("欧阳锋", "欧阳*"), ("欧阳", "欧*"),
     ("李", "李"), ("", ""), ("Tom", "T**")],
)
def test_mask_name_keeps_the_surname(name, masked):
    assert mask_name(name) == masked


def test_masked_pos_search_does_not_match_hidden_name_characters(privacy, api_as):
    member = privacy.member("S001", name="司马相如")
    pos = api_as("pos1")
    by_name = pos.get("/api/v1/pos/members", query_string={"q": "相如"}).get_json()["result"]
    assert [m["id"] for m in by_name] == [member["id"]]  # unmasked: names are searchable
    privacy.settings(mask=True)
    assert pos.get("/api/v1/pos/members", query_string={"q": "相如"}).get_json()["result"] == []
    by_no = pos.get("/api/v1/pos/members", query_string={"q": member["member_no"]}).get_json()["result"]
    assert [(m["id"], m["name"], m["phone"]) for m in by_no] == [
        (member["id"], "司马**", masked_phone(member["phone"]))
    ]
    hq = api_as("hq").get("/api/v1/pos/members", query_string={"q": "相如"}).get_json()["result"]
    assert member["id"] in [m["id"] for m in hq]  # HQ searches names (core: HQ sees every store)


def test_new_member_registered_at_the_pos_comes_back_masked(privacy, api_as):
    from tests.support.members import new_phone

    privacy.settings(mask=True)
    phone = new_phone()
    response = api_as("pos1").post("/api/v1/pos/members", json={"phone": phone, "name": "欧阳娜娜"})
    assert response.status_code == 201
    result = response.get_json()["result"]
    assert result["phone"] == masked_phone(phone) and result["name"] == "欧阳**"


def test_settings_are_hq_only(privacy, client_as, app):
    from app.platform.settings import get_setting

    for user in ("manager1", "cashier1"):
        response = client_as(user).post("/settings/", data={"member_privacy.isolation": "on"})
        assert response.status_code == 403
    with app.app_context():
        assert get_setting("member_privacy.isolation") is False
    page = client_as("hq").get("/settings/").get_data(as_text=True)
    assert "member_privacy.isolation" in page and "member_privacy.mask_on_pos" in page
    form = settings_form(app, {"member_privacy.isolation": "on"})  # the others as they are
    response = client_as("hq").post("/settings/", data=form)
    assert response.status_code == 302
    with app.app_context():
        assert get_setting("member_privacy.isolation") is True
