"""Helpers of the payment_code plugin tests (import the fixtures into the test modules)."""

from __future__ import annotations

import itertools

import pytest

from app.extensions import db
from tests.support.members import new_phone

_seq = itertools.count(1)


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def balance(app, member_id: int) -> int:
    from app.loyalty.services import stored_value_balance

    with app.app_context():
        return stored_value_balance(member_id)


def mall_code(app, member: dict) -> dict:
    """The member's current code, as the mall shows it."""
    headers = {"Authorization": f"Bearer {member['token']}"}
    response = app.test_client().get("/api/v1/mall/pay-code", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["result"]


@pytest.fixture(name="member")
def member_fixture(app):
    """``member(sv_fen=10000, store="S001")`` → {"id", "phone", "member_no", "token"} of an active member."""

    def make(sv_fen=10_000, store="S001"):
        from app.loyalty.services import change_stored_value
        from app.mall.services import issue_member_token
        from app.members.models import Member
        from app.members.services import create_member
        from app.org.models import Store

        with app.app_context():
            home = db.session.query(Store).filter_by(code=store).one()
            phone = new_phone()
            created = create_member(phone, "付款码会员", home.id, channel="admin")
            row = db.session.get(Member, created.id)
            row.status = "active"
            if sv_fen:
                change_stored_value(row.id, sv_fen, "recharge", "TEST-SV", home.id)
            db.session.commit()
            token = issue_member_token(row)
            return {"id": row.id, "phone": phone, "member_no": row.member_no, "token": token}

    return make


@pytest.fixture(name="till")
def till_fixture(app, api_as):
    """``till(store="S001")`` → an API client of a fresh POS account (its own wrong-code count)."""
    from tests.support.clients import add_store_user

    def make(store="S001"):
        name = f"paytill{next(_seq)}{new_phone()[-6:]}"
        add_store_user(app, name, "POS", store)
        return api_as(name)

    return make
