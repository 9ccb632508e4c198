"""Re-quote (重新报价, F3.10): the setting, the confirmation, the quote history, the notifications
sent again and the right reviewer re-reviewing; the reviewer ↔ guide phone setting (F3.9)."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.support.members import error_code
from tests.support.recycle import add_provider, create_trade_in, demo_provider_id
from tests.support.settings import kept_settings


def _quote(api, order_id, amount_fen):
    return api.post(f"/api/v1/recycle/orders/{order_id}/quote", json={"amount_fen": amount_fen})


def _requote(api, order_id, body=None, lang="zh"):
    return api.post(
        f"/api/v1/pos/recycle/orders/{order_id}/requote",
        json=body if body is not None else {"confirm": True},
        headers={"Accept-Language": lang},
    )


def _sms_count(app, template: str, order_no: str) -> int:
    from app.messages.models import SmsOutbox

    with app.app_context():
        return (
            db.session.query(SmsOutbox)
            .filter(SmsOutbox.template == template, SmsOutbox.body.contains(order_no))
            .count()
        )


def _messages(app, username: str, order_no: str) -> list[str]:
    from app.messages.models import Message

    with app.app_context():
        user_id = app.appbuilder.sm.find_user(username=username).id
        return [
            m.title
            for m in db.session.query(Message)
            .filter(Message.user_id == user_id, Message.title.contains(order_no))
            .order_by(Message.id)
        ]


def test_requote_is_refused_while_the_setting_is_off(app, api_as):
    guide = api_as("guide1")
    order = create_trade_in(guide)
    assert _quote(api_as("hq"), order["id"], 50000).status_code == 200
    answer = _requote(guide, order["id"], lang="en")
    assert answer.status_code == 409 and error_code(answer) == "RECYCLE_REQUOTE_DISABLED"
    assert answer.get_json()["error"]["message"] == "Re-quoting is turned off."
    seen = guide.get(f"/api/v1/pos/recycle/orders/{order['id']}").get_json()["result"]
    assert (seen["state"], seen["quote_fen"], seen["requote_count"]) == ("quoted", 50000, 0)


@pytest.mark.parametrize("body", [{}, {"confirm": False}])
def test_requote_needs_the_confirmation(app, api_as, body):
    guide = api_as("guide1")
    order = create_trade_in(guide)
    assert _quote(api_as("hq"), order["id"], 50000).status_code == 200
    with kept_settings(app, {"recycle.requote_enabled": True}):
        answer = _requote(guide, order["id"], body)
    assert answer.status_code == 422 and error_code(answer) == "RECYCLE_CONFIRM_REQUIRED"


def test_merchant_mode_requote_keeps_history_notifies_again_and_hq_re_reviews(app, api_as):
    guide, hq = api_as("guide1"), api_as("hq")
    order = create_trade_in(guide)
    no = order["order_no"]
    assert _quote(hq, order["id"], 50000).status_code == 200
    assert _sms_count(app, "recycle_quoted", no) == 1 and len(_messages(app, "hq", no)) == 1
    with kept_settings(app, {"recycle.requote_enabled": True}):
        pending = _requote(guide, order["id"])
        assert pending.status_code == 200, pending.get_json()
        before_quote = _requote(guide, order["id"])  # not quoted any more
        assert before_quote.status_code == 409 and error_code(before_quote) == "RECYCLE_STATE_INVALID"
    result = pending.get_json()["result"]
    assert (result["state"], result["quote_fen"], result["requote_count"]) == ("pending_review", None, 1)
    assert [(q["amount_fen"], q["superseded_at"] is not None) for q in result["quote_history"]] == [
        (50000, True)
    ]
    # the customer's SMS and the reviewers' message are sent again
    assert _sms_count(app, "recycle_requote", no) == 1
    assert len(_messages(app, "hq", no)) == 2 and len(_messages(app, "admin", no)) == 2
    assert _quote(hq, order["id"], 46000).status_code == 200  # the merchant re-reviews
    final = hq.get(f"/api/v1/recycle/orders/{order['id']}").get_json()["result"]
    assert [(q["amount_fen"], q["superseded_at"] is None) for q in final["quote_history"]] == [
        (50000, False),
        (46000, True),
    ]
    assert [t["to_state"] for t in final["transitions"]] == [
        "pending_review",
        "quoted",
        "pending_review",
        "quoted",
    ]
    assert [t["note"] for t in final["transitions"]][2] == "requote"
    assert _sms_count(app, "recycle_quoted", no) == 2


def test_package_mode_requote_goes_back_to_the_provider(app, api_as):
    provider_id = demo_provider_id(app)
    add_provider(app, "对手回收", "rival1")
    guide, provider = api_as("guide1"), api_as("provider1")
    order = create_trade_in(guide, mode="full_package", provider_id=provider_id)
    no = order["order_no"]
    assert len(_messages(app, "provider1", no)) == 1 and _messages(app, "hq", no) == []
    assert _quote(provider, order["id"], 30000).status_code == 200
    with kept_settings(app, {"recycle.requote_enabled": True}):
        assert _requote(guide, order["id"]).status_code == 200
    assert len(_messages(app, "provider1", no)) == 2 and _messages(app, "rival1", no) == []
    assert error_code(_quote(api_as("hq"), order["id"], 1)) == "RECYCLE_NOT_REVIEWER"
    assert _quote(provider, order["id"], 28000).status_code == 200
    history = provider.get(f"/api/v1/recycle/orders/{order['id']}").get_json()["result"]["quote_history"]
    assert [(q["amount_fen"], q["provider"]) for q in history] == [
        (30000, "绿环回收服务商"),
        (28000, "绿环回收服务商"),
    ]


def test_phone_contact_setting_shows_or_hides_each_sides_phone(app, api_as):
    provider_id = demo_provider_id(app)
    guide, provider = api_as("guide1"), api_as("provider1")
    order = create_trade_in(guide, mode="half_package", provider_id=provider_id)
    assert _quote(provider, order["id"], 30000).status_code == 200

    def phones():
        to_guide = guide.get(f"/api/v1/pos/recycle/orders/{order['id']}").get_json()["result"]
        to_reviewer = provider.get(f"/api/v1/recycle/orders/{order['id']}").get_json()["result"]
        return to_guide["reviewer_phone"], to_reviewer["guide_phone"], to_guide["guide_phone"]

    assert phones() == (None, None, None)  # default off
    with app.app_context():
        from app.platform.staff import Staff

        guide_phone = (
            db.session.query(Staff)
            .filter_by(user_id=app.appbuilder.sm.find_user(username="guide1").id)
            .one()
            .phone
        )
    with kept_settings(app, {"recycle.phone_contact": True}):
        assert phones() == ("13800000901", guide_phone or None, None)
