"""HQ balance adjustments through the admin page: signed amounts with a reason, own document
numbers, never below zero, HQ only, and the ledger still sums to the balance."""

import re

import pytest
from sqlalchemy import func

from app.errors import DomainError
from app.extensions import db
from app.loyalty.models import PointsAccount, PointsTxn, StoredValueAccount, StoredValueTxn
from app.loyalty.services import parse_adjustment
from app.platform.models import AuditLog
from tests.support.members import new_phone

URL = "/balance-adjustment/"


def _member(api_as):
    response = api_as("pos1").post("/api/v1/pos/members", json={"phone": new_phone(), "name": "Adjust Me"})
    assert response.status_code == 201
    return response.get_json()["result"]


def _post(client, member_no, ledger, amount, reason="盘点差异更正"):
    return client.post(URL, data={"member": member_no, "ledger": ledger, "amount": amount, "reason": reason},
                       follow_redirects=True)


def _sv(member_id):
    balance = db.session.query(StoredValueAccount.balance_fen).filter_by(member_id=member_id).scalar() or 0
    total = db.session.query(func.coalesce(func.sum(StoredValueTxn.amount_fen), 0)).filter_by(
        member_id=member_id).scalar()
    return balance, total


def _points(member_id):
    balance = db.session.query(PointsAccount.balance).filter_by(member_id=member_id).scalar() or 0
    total = db.session.query(func.coalesce(func.sum(PointsTxn.points), 0)).filter_by(
        member_id=member_id).scalar()
    return balance, total


def test_hq_adjusts_stored_value_and_points_with_a_reason(app, api_as, client_as):
    member = _member(api_as)
    hq = client_as("hq")
    page = hq.get(f"{URL}?member={member['member_no']}")
    assert page.status_code == 200 and member["member_no"] in page.get_data(as_text=True)

    answer = _post(hq, member["member_no"], "stored_value", "12.50")
    assert answer.status_code == 200 and "SV" in answer.get_data(as_text=True)
    assert _post(hq, member["member_no"], "points", "300").status_code == 200
    assert _post(hq, member["member_no"], "points", "-100").status_code == 200
    with app.app_context():
        assert _sv(member["id"]) == (1250, 1250)
        assert _points(member["id"]) == (200, 200)
        txn = db.session.query(StoredValueTxn).filter_by(member_id=member["id"], kind="adjust").one()
        assert txn.note == "盘点差异更正" and txn.txn_no == txn.doc_no and txn.txn_no.startswith("SV")
        kinds = {t.kind for t in db.session.query(PointsTxn).filter_by(member_id=member["id"])}
        assert kinds == {"adjust"}
        audits = db.session.query(AuditLog).filter(AuditLog.action.in_(
            ["stored_value.adjust", "points.adjust"]), AuditLog.object_id == str(member["id"])).count()
        assert audits == 3


@pytest.mark.parametrize("ledger, amount, reason, message", [
    ("stored_value", "-0.01", "too much", "not enough"),
    ("points", "-1", "too much", "not have enough points"),
    ("stored_value", "abc", "typo", "Enter an amount in yuan, e.g. 12.34."),
    ("stored_value", "1.234", "three decimals", "at most two decimals"),
    ("stored_value", "1000000.01", "too large", "at most 1000000.00 yuan"),
    ("stored_value", "-1000000.01", "too small", "at least -1000000.00 yuan"),
    ("stored_value", "0.00", "nothing", "must not be 0"),
    ("points", "1.5", "half a point", "whole number of points"),
    ("points", "0", "nothing", "must not be 0"),
    ("points", "5", "", "reason"),
    ("bogus", "5", "bad ledger", "Choose stored value or points"),
])
def test_bad_adjustments_are_refused_and_change_nothing(app, api_as, client_as, ledger, amount, reason,
                                                        message):
    member = _member(api_as)
    hq = client_as("hq")
    hq.get("/lang/en")
    answer = _post(hq, member["member_no"], ledger, amount, reason)
    assert answer.status_code == 200
    assert message in answer.get_data(as_text=True)
    with app.app_context():
        assert _sv(member["id"]) == (0, 0) and _points(member["id"]) == (0, 0)


@pytest.mark.parametrize("typed, fen", [
    ("12.5", 1250), ("12.50", 1250), ("1,000", 100000), ("+7", 700), ("¥3.05", 305), ("8元", 800),
])
def test_stored_value_is_read_like_every_money_field(app, api_as, client_as, typed, fen):
    member = _member(api_as)
    answer = _post(client_as("hq"), member["member_no"], "stored_value", typed)
    assert answer.status_code == 200 and "SV" in answer.get_data(as_text=True)
    with app.app_context():
        assert _sv(member["id"]) == (fen, fen)


def test_a_negative_stored_value_adjustment_deducts(app, api_as, client_as):
    member = _member(api_as)
    hq = client_as("hq")
    assert _post(hq, member["member_no"], "stored_value", "1,000").status_code == 200
    assert _post(hq, member["member_no"], "stored_value", "-20.5").status_code == 200
    with app.app_context():
        assert _sv(member["id"]) == (97950, 97950)
    page = hq.get(f"{URL}?member={member['member_no']}").get_data(as_text=True)
    assert "979.50" in page


def test_a_bad_amount_is_shown_beside_the_field_with_the_input_kept(app, api_as, client_as):
    member = _member(api_as)
    answer = _post(client_as("hq"), member["member_no"], "stored_value", "12.345", "录入错误")
    html = answer.get_data(as_text=True)
    amount_group = re.search(r'<div class="form-group has-error">.*?name="amount".*?</div>', html, flags=re.S)
    assert amount_group and "最多两位小数" in amount_group.group(0)
    assert 'value="12.345"' in amount_group.group(0) and 'value="录入错误"' in html
    with app.app_context():
        assert _sv(member["id"]) == (0, 0)


def test_messages_are_chinese_by_default(api_as, client_as):
    member = _member(api_as)
    answer = _post(client_as("hq"), member["member_no"], "points", "5", "")
    assert "请填写调整原因" in answer.get_data(as_text=True)


@pytest.mark.parametrize("user", ["manager1", "cashier1", "guide1"])
def test_only_hq_may_adjust(app, api_as, client_as, user):
    member = _member(api_as)
    client = client_as(user)
    assert client.get(URL).status_code == 403
    answer = client.post(URL, data={"member": member["member_no"], "ledger": "points", "amount": "999",
                                    "reason": "sneaky"})
    assert answer.status_code == 403
    with app.app_context():
        assert _points(member["id"]) == (0, 0)


def test_parse_adjustment_units():
    assert parse_adjustment("stored_value", "+50") == 5000
    assert parse_adjustment("stored_value", "-0.5") == -50
    assert parse_adjustment("stored_value", "1,000.05") == 100005
    assert parse_adjustment("points", "-7") == -7
    assert parse_adjustment("stored_value", "12.5") == parse_adjustment("stored_value", "12.50") == 1250
    with pytest.raises(DomainError):
        parse_adjustment("stored_value", "9999999999")
    with pytest.raises(DomainError) as refused:
        parse_adjustment("stored_value", "1.234")
    assert refused.value.details["field"] == "amount"
