"""The guide's and the reviewers' API over HTTP: take a device in, quote it, follow it; bad input
refused with a localized 4xx and nothing changed."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.support.members import error_code
from tests.support.recycle import (
    FAKE_PNG,
    PNG,
    VALID_IMEI,
    create_trade_in,
    photo_body,
    trade_in_body,
    upload_photo,
)


def _count_orders(app) -> int:
    from plugins.recycle.models import RecycleOrder

    with app.app_context():
        return db.session.query(RecycleOrder).count()


def _quote(api, order_id, amount_fen, lang="zh"):
    return api.post(
        f"/api/v1/recycle/orders/{order_id}/quote",
        json={"amount_fen": amount_fen},
        headers={"Accept-Language": lang},
    )


def test_guide_takes_in_a_device_hq_quotes_it_and_the_guide_sees_the_quote(app, api_as):
    from app.messages.models import Message, SmsOutbox

    guide = api_as("guide1")
    order = create_trade_in(guide)
    assert (order["state"], order["mode"], order["imei"], order["store"]) == (
        "pending_review",
        "self_operated",
        VALID_IMEI,
        order["store"],
    )
    assert order["order_no"].startswith("HS") and order["guide"] and len(order["photo_ids"]) == 1
    assert [(t["from_state"], t["to_state"], t["by"]) for t in order["transitions"]] == [
        (None, "pending_review", "guide1")
    ]

    quoted = _quote(api_as("hq"), order["id"], 88800)
    assert quoted.status_code == 200, quoted.get_json()
    seen = guide.get(f"/api/v1/pos/recycle/orders/{order['id']}").get_json()["result"]
    assert (seen["state"], seen["quote_fen"]) == ("quoted", 88800)
    assert [q["amount_fen"] for q in seen["quote_history"]] == [88800]
    assert [t["to_state"] for t in seen["transitions"]] == ["pending_review", "quoted"]
    listed = guide.get("/api/v1/pos/recycle/orders?state=quoted").get_json()["result"]
    assert order["id"] in [o["id"] for o in listed]
    with app.app_context():
        sms = db.session.query(SmsOutbox).filter_by(phone="13912345678", template="recycle_quoted").all()
        assert any("888.00" in s.body and order["order_no"] in s.body for s in sms)
        guide_id = app.appbuilder.sm.find_user(username="guide1").id
        assert (
            db.session.query(Message)
            .filter(Message.user_id == guide_id, Message.title.contains(order["order_no"]))
            .count()
            == 1
        )
        hq_id = app.appbuilder.sm.find_user(username="hq").id  # told when it was taken in
        assert (
            db.session.query(Message)
            .filter(Message.user_id == hq_id, Message.title.contains(order["order_no"]))
            .count()
            == 1
        )


def test_the_photo_is_served_to_who_may_see_the_order(app, api_as):
    guide = api_as("guide1")
    order = create_trade_in(guide)
    photo_id = order["photo_ids"][0]
    answer = guide.get(f"/api/v1/pos/recycle/photos/{photo_id}")
    assert answer.status_code == 200 and answer.mimetype == "image/png" and answer.data == PNG
    assert api_as("hq").get(f"/api/v1/recycle/photos/{photo_id}").status_code == 200
    assert api_as("cashier2").get(f"/api/v1/pos/recycle/photos/{photo_id}").status_code == 404  # other store


def test_a_member_customer_takes_the_member_phone(app, api_as):
    from tests.support.members import new_phone

    phone = new_phone()
    guide = api_as("guide1")
    member = api_as("pos1").post("/api/v1/pos/members", json={"phone": phone, "name": "回收会员"})
    assert member.status_code == 201, member.get_json()
    order = create_trade_in(guide, member_id=member.get_json()["result"]["id"], customer_phone=None)
    # shown as every member display shows the member: the test plugin (enabled here) masks phones
    assert (order["member_id"], order["customer_phone"]) == (member.get_json()["result"]["id"],
                                                             phone[:3] + "****" + phone[-4:])
    with app.app_context():
        from plugins.recycle.models import RecycleOrder

        assert db.session.get(RecycleOrder, order["id"]).customer_phone == phone  # the SMS goes there


@pytest.mark.parametrize(
    "changes, status, code",
    [
        ({"imei": "490154203237519"}, 422, "RECYCLE_IMEI_INVALID"),  # wrong check digit
        ({"imei": "49015420323751A"}, 422, "RECYCLE_IMEI_INVALID"),
        ({"imei": None, "serial_no": ""}, 422, "RECYCLE_DEVICE_ID_REQUIRED"),
        ({"photo_ids": []}, 422, "RECYCLE_PHOTOS_REQUIRED"),
        ({"photo_ids": [10**8]}, 422, "RECYCLE_PHOTO_NOT_FOUND"),
        ({"customer_phone": None}, 422, "RECYCLE_CUSTOMER_REQUIRED"),
        ({"customer_phone": "12345"}, 422, "INVALID_PHONE"),
        ({"member_id": 10**8}, 404, "MEMBER_NOT_FOUND"),
        ({"mode": "half_package"}, 422, "RECYCLE_PROVIDER_REQUIRED"),
        ({"mode": "half_package", "provider_id": 10**8}, 422, "RECYCLE_PROVIDER_NOT_FOUND"),
        ({"mode": "resale"}, 422, "VALIDATION_ERROR"),
        ({"category": "car"}, 422, "VALIDATION_ERROR"),
    ],
)
def test_bad_trade_ins_are_refused_and_nothing_is_written(app, api_as, changes, status, code):
    guide = api_as("guide1")
    before = _count_orders(app)
    body = (
        trade_in_body([upload_photo(guide)], **changes)
        if "photo_ids" not in changes
        else trade_in_body(changes.pop("photo_ids"), **changes)
    )
    answer = guide.post("/api/v1/pos/recycle/orders", json=body, headers={"Accept-Language": "en"})
    assert answer.status_code == status, answer.get_json()
    assert error_code(answer) == code
    assert _count_orders(app) == before


def test_errors_are_localized(app, api_as):
    guide = api_as("guide1")
    body = trade_in_body([upload_photo(guide)], imei="490154203237519")
    zh = guide.post("/api/v1/pos/recycle/orders", json=body, headers={"Accept-Language": "zh"})
    en = guide.post("/api/v1/pos/recycle/orders", json=body, headers={"Accept-Language": "en"})
    assert en.get_json()["error"]["message"] == "The IMEI must be 15 digits with a valid check digit."
    assert zh.get_json()["error"]["message"] == "IMEI 须为 15 位数字且校验位正确。"


def test_a_photo_on_one_order_cannot_be_claimed_by_another(app, api_as):
    guide = api_as("guide1")
    order = create_trade_in(guide)
    answer = guide.post("/api/v1/pos/recycle/orders", json=trade_in_body(order["photo_ids"]))
    assert answer.status_code == 422 and error_code(answer) == "RECYCLE_PHOTO_NOT_FOUND"
    other_store = api_as("cashier2")  # a photo of S001 cannot go on an S002 order
    answer = other_store.post("/api/v1/pos/recycle/orders", json=trade_in_body([upload_photo(guide)]))
    assert answer.status_code == 422 and error_code(answer) == "RECYCLE_PHOTO_NOT_FOUND"


@pytest.mark.parametrize(
    "data, status, code",
    [
        (b"GIF89a" + b"\x00" * 40, 422, "RECYCLE_PHOTO_TYPE_INVALID"),
        (FAKE_PNG, 422, "RECYCLE_PHOTO_TYPE_INVALID"),  # a PNG's first bytes are not a PNG
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>" + b" " * 10, 422, "RECYCLE_PHOTO_TYPE_INVALID"),
        (PNG + b"\x00" * (101 * 1024), 413, "RECYCLE_PHOTO_TOO_LARGE"),
    ],
)
def test_photos_are_checked_by_content_and_size(app, api_as, data, status, code):
    from plugins.recycle.models import RecyclePhoto
    from tests.support.settings import kept_settings

    with kept_settings(app, {"recycle.photo_max_kb": 100}):
        with app.app_context():
            before = db.session.query(RecyclePhoto).count()
        answer = api_as("guide1").post("/api/v1/pos/recycle/photos", json=photo_body(data))
        assert answer.status_code == status, answer.get_json()
        assert error_code(answer) == code
        with app.app_context():
            assert db.session.query(RecyclePhoto).count() == before
    bad = api_as("guide1").post("/api/v1/pos/recycle/photos", json={"data": "not base64!"})
    assert bad.status_code == 422 and error_code(bad) == "RECYCLE_PHOTO_TYPE_INVALID"


@pytest.mark.parametrize("amount", [0, -100])
def test_a_zero_or_negative_quote_is_refused(app, api_as, amount):
    order = create_trade_in(api_as("guide1"))
    answer = _quote(api_as("hq"), order["id"], amount, lang="en")
    assert answer.status_code == 422 and error_code(answer) == "RECYCLE_QUOTE_INVALID"
    assert answer.get_json()["error"]["message"] == "The quote must be more than zero yuan."
    seen = api_as("hq").get(f"/api/v1/recycle/orders/{order['id']}").get_json()["result"]
    assert (seen["state"], seen["quote_fen"], seen["quote_history"]) == ("pending_review", None, [])


def test_quoting_twice_is_refused(app, api_as):
    order = create_trade_in(api_as("guide1"))
    assert _quote(api_as("hq"), order["id"], 1000).status_code == 200
    again = _quote(api_as("admin"), order["id"], 2000)
    assert again.status_code == 409 and error_code(again) == "RECYCLE_STATE_INVALID"
    assert again.get_json()["error"]["state"] == "quoted"


def test_guide_cancels_and_a_cancelled_order_cannot_be_quoted(app, api_as):
    guide = api_as("guide1")
    order = create_trade_in(guide)
    cancelled = guide.post(f"/api/v1/pos/recycle/orders/{order['id']}/cancel", json={"reason": "客户改主意"})
    assert cancelled.status_code == 200 and cancelled.get_json()["result"]["state"] == "cancelled"
    answer = _quote(api_as("hq"), order["id"], 1000)
    assert answer.status_code == 409 and error_code(answer) == "RECYCLE_STATE_INVALID"


def test_store_staff_cannot_quote_and_hq_has_no_store_to_take_in(app, api_as):
    order = create_trade_in(api_as("guide1"))
    assert _quote(api_as("guide1"), order["id"], 1000).status_code == 403  # no RecycleReview grant
    assert api_as("hq").post("/api/v1/pos/recycle/photos", json=photo_body()).status_code == 403  # no grant
    answer = api_as("admin").post("/api/v1/pos/recycle/photos", json=photo_body())  # every grant, no store
    assert answer.status_code == 403 and error_code(answer) == "STORE_REQUIRED"


def test_an_unknown_state_filter_is_a_validation_error(app, api_as):
    answer = api_as("guide1").get("/api/v1/pos/recycle/orders?state=lost")
    assert answer.status_code == 422 and error_code(answer) == "VALIDATION_ERROR"
