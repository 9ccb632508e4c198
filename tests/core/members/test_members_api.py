"""POS member API and admin views: create, look-up, visibility, validation."""

import pytest

from app.extensions import db
from app.members.models import Member
from tests.support.members import count, error_code, new_phone

URL = "/api/v1/pos/members"


def _create(api, name="Test member", phone=None, **headers):
    phone = phone or new_phone()
    response = api.post(URL, json={"phone": phone, "name": name}, headers=headers or None)
    assert response.status_code == 201, response.get_json()
    return phone, response.get_json()["result"]


def test_pos_creates_an_inactive_member_of_its_store(app, api_as):
    phone, result = _create(api_as("pos1"), name="张三")
    assert result["member_no"].startswith("MB") and "S001" in result["member_no"]
    assert result["home_store"] == "S001" and result["status"] == "inactive"
    assert result["available"] is True and result["name"] == "张三"
    assert result["phone"] == phone[:3] + "****" + phone[-4:]  # the test plugin masks phones
    with app.app_context():
        member = db.session.query(Member).filter_by(phone=phone).one()
        assert member.channel == "pos" and member.developer_staff.employee_no == "P0101"
        assert member.created_by_fk is not None


def test_duplicate_phone_is_a_409(app, api_as):
    pos = api_as("pos1")
    phone, _ = _create(pos)
    again = api_as("cashier2").post(URL, json={"phone": phone, "name": "dup"})
    assert again.status_code == 409 and error_code(again) == "MEMBER_PHONE_EXISTS"
    assert count(app, Member, phone=phone) == 1


@pytest.mark.parametrize(
    "body, code",
    [
        ({"phone": "12345678901", "name": "x"}, "INVALID_PHONE"),
        ({"phone": "1381234567", "name": "x"}, "INVALID_PHONE"),
        ({"phone": "1381234567\n", "name": "x"}, "INVALID_PHONE"),
        ({"phone": "１３８１２３４５６７８", "name": "x"}, "INVALID_PHONE"),
        ({"phone": "13812345678x", "name": "x"}, "VALIDATION_ERROR"),
        ({"phone": 13812345678, "name": "x"}, "VALIDATION_ERROR"),
        ({"phone": "13812345678", "name": "x" * 51}, "VALIDATION_ERROR"),
        ({"phone": "13812345678", "name": ""}, "VALIDATION_ERROR"),
        ({"phone": "13812345678", "name": None}, "VALIDATION_ERROR"),
        ({"phone": "13812345678"}, "VALIDATION_ERROR"),
        ({"phone": "13812345678", "name": "x", "home_store_id": 2}, "VALIDATION_ERROR"),
        ({"phone": "13812345678", "name": ["x"]}, "VALIDATION_ERROR"),
    ],
)
def test_bad_input_is_a_4xx_and_writes_nothing(app, api_as, body, code):
    before = count(app, Member)
    response = api_as("pos1").post(URL, json=body)
    assert response.status_code == 422
    assert error_code(response) == code
    assert count(app, Member) == before


def test_bad_body_and_hq_without_store(app, api_as):
    pos = api_as("pos1")
    bad = pos.post(URL, data="{", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and error_code(bad) == "MALFORMED_JSON"
    hq = api_as("hq").post(URL, json={"phone": new_phone(), "name": "hq"})
    assert hq.status_code == 403 and error_code(hq) == "STORE_REQUIRED"


def test_messages_follow_accept_language(api_as):
    pos = api_as("pos1")
    body = {"phone": "12345678901", "name": "x"}
    en = pos.post(URL, json=body, headers={"Accept-Language": "en"}).get_json()["error"]["message"]
    assert en == "Enter a mainland mobile number: 11 digits starting with 13-19."


def test_lookup_by_phone_crosses_stores_but_search_does_not(app, api_as, client_as):
    phone, created = _create(api_as("pos1"), name="Crossstore Wang")
    member_no = created["member_no"]

    by_phone = api_as("cashier2").get(f"{URL}?phone={phone}").get_json()
    assert by_phone["count"] == 1 and by_phone["result"][0]["member_no"] == member_no
    assert by_phone["result"][0]["home_store"] == "S001"
    for q in (member_no, "Crossstore"):
        assert api_as("cashier2").get(URL, query_string={"q": q}).get_json() == {"count": 0, "result": []}
        own = api_as("cashier1").get(URL, query_string={"q": q}).get_json()
        assert [m["member_no"] for m in own["result"]] == [member_no]
        assert api_as("hq").get(URL, query_string={"q": q}).get_json()["count"] == 1

    # the admin list and show pages follow the search rule
    assert member_no in client_as("cashier1").get("/memberview/list/").get_data(as_text=True)
    assert member_no in client_as("hq").get("/memberview/list/").get_data(as_text=True)
    assert member_no not in client_as("cashier2").get("/memberview/list/").get_data(as_text=True)
    other = client_as("cashier2").get(f"/memberview/show/{created['id']}")
    assert other.status_code == 404
    assert client_as("cashier1").get(f"/memberview/show/{created['id']}").status_code == 200


def test_lookup_input_errors(api_as):
    pos = api_as("pos1")
    assert error_code(pos.get(f"{URL}?phone=123")) == "INVALID_PHONE"
    assert error_code(pos.get(f"{URL}?q=a")) == "QUERY_TOO_SHORT"
    assert error_code(pos.get(URL)) == "QUERY_REQUIRED"
    assert pos.get(f"{URL}?phone={new_phone()}").get_json() == {"count": 0, "result": []}


def test_like_wildcards_are_literal(api_as):
    pos = api_as("pos1")
    _create(pos, name="Percent Li")
    assert pos.get(URL, query_string={"q": "%%"}).get_json()["count"] == 0
    assert pos.get(URL, query_string={"q": "__"}).get_json()["count"] == 0


def test_wallet_and_permissions(app, api_as):
    _, created = _create(api_as("pos1"))
    wallet = api_as("cashier2").get(f"{URL}/{created['id']}/wallet")
    assert wallet.status_code == 200
    result = wallet.get_json()["result"]
    assert {k: result[k] for k in ("member_id", "stored_value_fen", "points")} == {
        "member_id": created["id"], "stored_value_fen": 0, "points": 0
    }
    # the test plugin's retail_member_wallet adds to the list and a key of its own
    with app.app_context():
        from app.org.models import Store

        s002 = db.session.query(Store).filter_by(code="S002").one().id
    assert {"code": "SAMPLE-1", "store_id": s002} in result["coupons"]
    assert result["sample_stamps"] == 3
    missing = api_as("pos1").get(f"{URL}/999999999/wallet")
    assert missing.status_code == 404 and error_code(missing) == "NOT_FOUND"
    guide = api_as("guide1").get(f"{URL}?q=xx")
    assert guide.status_code == 403


def test_admin_add_goes_through_the_service(app, client_as):
    client = client_as("cashier1")
    phone = new_phone()
    data = {"phone": phone, "name": "Admin Added", "gender": "female"}
    response = client.post("/memberview/add", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]  # saved (the row below)
    assert not response.headers["Location"].startswith("/login/")
    with app.app_context():
        member = db.session.query(Member).filter_by(phone=phone).one()
        assert member.member_no.startswith("MB") and member.channel == "admin"
        assert member.home_store.code == "S001" and member.status == "inactive"
    before = count(app, Member)
    refused = client.post("/memberview/add", data={"phone": "12345678901", "name": "Bad", "gender": "male"})
    assert refused.status_code == 200 and "alert-danger" in refused.get_data(as_text=True)  # the form again
    assert count(app, Member) == before
