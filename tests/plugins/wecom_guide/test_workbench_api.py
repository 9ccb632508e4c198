"""The guide workbench API: my members (search, filters, sorting), member 360 and what a guide
records (visits, fittings, tags, album images)."""

import base64

import pytest

from app.extensions import db
from tests.support.images import png
from tests.support.members import error_code
from tests.support.wecom_guide import guides_fixture  # noqa: F401

pytestmark = pytest.mark.usefixtures("guides")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _tag(app, name):
    from app.members.models import MemberTag

    with app.app_context():
        tag = db.session.query(MemberTag).filter_by(name=name).one_or_none()
        if tag is None:
            tag = MemberTag(name=name)
            db.session.add(tag)
            db.session.commit()
        return tag.id


def _ids(response):
    assert response.status_code == 200, response.get_json()
    return [m["id"] for m in response.get_json()["result"]["members"]]


def test_my_members_search_filters_and_sorting(guides, app):
    guide = guides.guide("S001")
    big = guides.member("S001", name="大客户", owner=guide, paid_total_fen=500_000)
    small = guides.member("S001", name="小客户", owner=guide, paid_total_fen=1_000)
    guides.member("S001", owner=guides.guide("S001"), paid_total_fen=900_000)  # another guide's
    api = guides.api(guide)
    assert sorted(_ids(api.get("/members"))) == sorted([big["id"], small["id"]])
    assert _ids(api.get("/members?sort=spend")) == [big["id"], small["id"]]
    assert _ids(api.get("/members?sort=spend_asc")) == [small["id"], big["id"]]
    assert _ids(api.get(f"/members?q={big['phone']}")) == [big["id"]]
    assert _ids(api.get(f"/members?q={big['phone'][-4:]}")) in ([big["id"]], [big["id"], small["id"]])
    assert _ids(api.get(f"/members?q={small['member_no']}")) == [small["id"]]
    assert _ids(api.get("/members?spend_min_fen=100000")) == [big["id"]]
    assert _ids(api.get("/members?spend_max_fen=100000")) == [small["id"]]
    assert _ids(api.get("/members?status=active")) == []
    assert sorted(_ids(api.get("/members?status=inactive"))) == sorted([big["id"], small["id"]])
    vip = _tag(app, "VIP导购测试")
    assert api.post(f"/members/{big['id']}/tags", json={"tag_id": vip}).status_code == 200
    assert _ids(api.get(f"/members?tag_id={vip}")) == [big["id"]]
    assert _ids(api.get("/members?last_purchase_from=2020-01-01")) == []  # no orders yet
    page = api.get("/members?page_size=1&page=2").get_json()["result"]
    assert page["total"] == 2 and len(page["members"]) == 1 and page["has_more"] is False
    first = api.get("/members?page_size=1&sort=spend").get_json()["result"]
    assert first["has_more"] is True and [m["id"] for m in first["members"]] == [big["id"]]
    assert api.get("/members?q=1").get_json()["result"]["total"] is None  # a search counts nothing
    bad = api.get("/members?sort=nonsense&spend_min_fen=-1")
    assert bad.status_code == 422 and error_code(bad) == "VALIDATION_ERROR"


def test_member_360_and_the_guides_records(guides, app):
    guide = guides.guide("S001")
    member = guides.member("S001", name="李四", owner=guide)
    api = guides.api(guide)
    visit = api.post(f"/members/{member['id']}/visits", json={"method": "wecom", "note": "问了尺码"})
    assert visit.status_code == 201, visit.get_json()
    fitting = api.post(f"/members/{member['id']}/fittings", json={"item": "羊毛大衣", "size": "M"})
    assert fitting.status_code == 201
    tag = _tag(app, "爱穿大衣")
    tagged = api.post(f"/members/{member['id']}/tags", json={"tag_id": tag})
    assert tagged.status_code == 200 and "爱穿大衣" in tagged.get_json()["result"]["tags"]
    photo = api.post(f"/members/{member['id']}/photos", json={"data": _b64(png()), "caption": "试穿"})
    assert photo.status_code == 201, photo.get_json()
    shown = api.get(f"/members/{member['id']}", headers={"Accept-Language": "zh"})
    assert shown.status_code == 200
    data = shown.get_json()["result"]
    assert data["name"] == "李四" and data["phone"] == member["phone"] and data["phone_masked"] is False
    assert data["points"] == 0 and data["stored_value_fen"] == 0 and data["orders"] == []
    visits = [(v["method"], v["method_label"], v["note"]) for v in data["visits"]]
    assert visits == [("wecom", "企业微信", "问了尺码")]
    assert [(f["item"], f["size"]) for f in data["fittings"]] == [("羊毛大衣", "M")]
    assert {t["name"] for t in data["tags"] if t["selected"]} == {"爱穿大衣"}
    assert [p["caption"] for p in data["album"]] == ["试穿"]
    image = api.get(f"/photos/{photo.get_json()['result']['id']}")
    assert image.status_code == 200 and image.mimetype == "image/png" and image.data == png()
    untagged = api.post(f"/members/{member['id']}/tags", json={"tag_id": tag, "selected": False})
    assert untagged.get_json()["result"]["tags"] == []


def test_records_refuse_bad_input(guides, app):
    guide = guides.guide("S001")
    member = guides.member("S001", owner=guide)
    api = guides.api(guide)
    url = f"/members/{member['id']}"
    assert error_code(api.post(f"{url}/visits", json={"method": "pigeon"})) == "VALIDATION_ERROR"
    assert error_code(api.post(f"{url}/fittings", json={"item": ""})) == "VALIDATION_ERROR"
    unknown_tag = api.post(f"{url}/tags", json={"tag_id": 99_999_999})
    assert unknown_tag.status_code == 422 and error_code(unknown_tag) == "TAG_NOT_FOUND"
    text = api.post(f"{url}/photos", json={"data": _b64(b"<svg onload=alert(1)>")})
    assert text.status_code == 415 and error_code(text) == "PHOTO_TYPE_NOT_ALLOWED"
    not_base64 = api.post(f"{url}/photos", json={"data": "%%%"})
    assert not_base64.status_code == 415
    assert error_code(api.post(f"{url}/photos", json={})) == "VALIDATION_ERROR"
    guides.settings(photo_max_kb=16)
    big = api.post(f"{url}/photos", json={"data": _b64(png() + b"\0" * 20_000)})
    assert big.status_code == 413 and error_code(big) == "PHOTO_TOO_LARGE"
    assert big.get_json()["error"]["max_bytes"] == 16 * 1024


def test_the_guide_code_asks_for_a_qr_when_there_is_none(guides):
    me = guides.api(guides.guide("S001")).get("/me", headers={"Accept-Language": "zh"})
    assert me.status_code == 200
    result = me.get_json()["result"]
    assert result["qr_code"] is None and result["qr_notice"] == "请联系管理员设置您的企业微信二维码。"
    assert {m["code"] for m in result["visit_methods"]} == {"phone", "wecom", "in_store", "sms", "other"}


def test_only_guides_use_the_workbench(guides, api_as):
    assert api_as("cashier1").get("/api/v1/guide/members").status_code == 403
    assert api_as("hq").get("/api/v1/guide/members").status_code == 403
    assert api_as("guide1").get("/api/v1/guide/members").status_code == 200
