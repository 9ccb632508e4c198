"""Stored value and points ledgers: recharge over HTTP, guarded changes, concurrency, rules."""

import sys
import threading
import types
import uuid

import pytest
from sqlalchemy import func
from sqlalchemy.exc import OperationalError

from app.errors import DomainError
from app.extensions import db
from app.loyalty import services
from app.loyalty.models import PointsTxn, StoredValueAccount, StoredValueTxn
from app.members.models import Member
from app.messages.models import SmsOutbox
from tests.support.members import count, error_code, new_phone, store_id

RECHARGE = "/api/v1/pos/stored-value/recharge"


def _member(api_as, user="pos1"):
    phone = new_phone()
    response = api_as(user).post("/api/v1/pos/members", json={"phone": phone, "name": "Wallet"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["result"]["id"], phone


def _ledger_sum(member_id):
    return db.session.query(func.coalesce(func.sum(StoredValueTxn.amount_fen), 0)).filter_by(
        member_id=member_id).scalar()


def _balance(member_id):
    return db.session.query(StoredValueAccount.balance_fen).filter_by(member_id=member_id).scalar()


def test_recharge_writes_ledger_sms_and_balance(app, api_as, client_as):
    member_id, phone = _member(api_as)
    pos = api_as("pos1")
    first = pos.post(RECHARGE, json={"member_id": member_id, "amount_fen": 15000})
    assert first.status_code == 201, first.get_json()
    result = first.get_json()["result"]
    assert result["balance_fen"] == 15000 and result["txn_no"].startswith("SV")
    second = api_as("cashier2").post(RECHARGE, json={"member_id": member_id, "amount_fen": 250})
    assert second.get_json()["result"]["balance_fen"] == 15250
    with app.app_context():
        rows = (db.session.query(StoredValueTxn).filter_by(member_id=member_id)
                .order_by(StoredValueTxn.id).all())
        assert [(r.kind, r.amount_fen, r.balance_after_fen) for r in rows] == [
            ("recharge", 15000, 15000), ("recharge", 250, 15250)]
        assert rows[0].txn_no == result["txn_no"] == rows[0].doc_no
        assert rows[0].store_id == store_id(app, "S001") and rows[1].store_id == store_id(app, "S002")
        assert rows[0].staff_id is not None
        assert _balance(member_id) == _ledger_sum(member_id) == 15250
        sms = db.session.query(SmsOutbox).filter_by(phone=phone, template="sv_recharge").order_by(
            SmsOutbox.id).all()
        assert len(sms) == 2 and "150.00" in sms[0].body and "152.50" in sms[1].body
    wallet = api_as("cashier1").get(f"/api/v1/pos/members/{member_id}/wallet").get_json()["result"]
    assert wallet["stored_value_fen"] == 15250
    # ledgers are store scoped in the admin: S002's row is not S001's to see
    s001 = client_as("cashier1").get("/storedvalueledgerview/list/").get_data(as_text=True)
    s002 = client_as("cashier2").get("/storedvalueledgerview/list/").get_data(as_text=True)
    assert result["txn_no"] in s001 and result["txn_no"] not in s002
    assert result["txn_no"] in client_as("hq").get("/storedvalueledgerview/list/").get_data(as_text=True)
    assert client_as("cashier1").get(f"/memberview/show/{member_id}").status_code == 200


def test_recharge_retry_with_idempotency_key_acts_once(app, api_as):
    member_id, phone = _member(api_as)
    pos = api_as("pos1")
    headers = {"Idempotency-Key": f"rc-{uuid.uuid4().hex}"}
    body = {"member_id": member_id, "amount_fen": 999}
    first = pos.post(RECHARGE, json=body, headers=headers)
    again = pos.post(RECHARGE, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert count(app, StoredValueTxn, member_id=member_id) == 1
    assert count(app, SmsOutbox, phone=phone) == 1


@pytest.mark.parametrize(
    "amount, code",
    [
        (0, "INVALID_AMOUNT"),
        (-100, "INVALID_AMOUNT"),
        (10_000_001, "INVALID_AMOUNT"),
        ("100", "VALIDATION_ERROR"),
        (1.5, "VALIDATION_ERROR"),
        (True, "VALIDATION_ERROR"),
        (None, "VALIDATION_ERROR"),
        (10**30, "INVALID_AMOUNT"),
    ],
)
def test_bad_recharges_write_nothing(app, api_as, amount, code):
    member_id, phone = _member(api_as)
    response = api_as("pos1").post(RECHARGE, json={"member_id": member_id, "amount_fen": amount})
    assert response.status_code == 422 and error_code(response) == code
    assert count(app, StoredValueTxn, member_id=member_id) == 0
    assert count(app, SmsOutbox, phone=phone) == 0


def test_recharge_other_errors(app, api_as):
    pos = api_as("pos1")
    member_id, _ = _member(api_as)
    unknown = pos.post(RECHARGE, json={"member_id": 987654321, "amount_fen": 100})
    assert unknown.status_code == 404
    extra = pos.post(RECHARGE, json={"member_id": member_id, "amount_fen": 100, "store_id": 2})
    assert extra.status_code == 422 and error_code(extra) == "VALIDATION_ERROR"
    assert pos.post(RECHARGE, json={"amount_fen": 100}).status_code == 422
    assert api_as("guide1").post(RECHARGE, json={"member_id": member_id, "amount_fen": 1}).status_code == 403
    hq = api_as("hq").post(RECHARGE, json={"member_id": member_id, "amount_fen": 1})
    assert hq.status_code == 403 and error_code(hq) == "STORE_REQUIRED"
    with app.app_context():
        db.session.get(Member, member_id).status = "frozen"
        db.session.commit()
    frozen = pos.post(RECHARGE, json={"member_id": member_id, "amount_fen": 100})
    assert frozen.status_code == 409 and error_code(frozen) == "MEMBER_FROZEN"
    assert count(app, StoredValueTxn, member_id=member_id) == 0


def test_guarded_changes_refuse_overdraft(app, api_as):
    member_id, _ = _member(api_as)
    sid = store_id(app, "S001")
    with app.app_context():
        services.change_stored_value(member_id, 500, "adjust", "ADJ-1", sid)
        with pytest.raises(DomainError) as exc:
            services.change_stored_value(member_id, -501, "consume", "SO-X", sid)
        assert exc.value.code == "INSUFFICIENT_BALANCE" and exc.value.status == 409
        txn = services.change_stored_value(member_id, -500, "consume", "SO-Y", sid)
        assert txn.balance_after_fen == 0
        for bad in (0, 1.5, "5", True):
            with pytest.raises(DomainError):
                services.change_stored_value(member_id, bad, "consume", "SO-Z", sid)
        services.change_points(member_id, 30, "earn", "SO-P", sid)
        with pytest.raises(DomainError) as exc:
            services.change_points(member_id, -31, "redeem", "SO-Q", sid)
        assert exc.value.code == "INSUFFICIENT_POINTS"
        assert services.change_points(member_id, -30, "redeem", "SO-R", sid).balance_after == 0
        db.session.commit()
        assert _balance(member_id) == _ledger_sum(member_id) == 0
        points = db.session.query(PointsTxn).filter_by(member_id=member_id).all()
        assert sum(p.points for p in points) == services.points_balance(member_id) == 0


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_concurrent_consumption_never_overdraws(app, api_as, is_postgres):
    member_id, _ = _member(api_as)
    sid = store_id(app, "S001")
    threads_n, price, covered = (50, 300, 17) if is_postgres else (16, 300, 5)
    with app.app_context():
        services.change_stored_value(member_id, price * covered + price - 1, "adjust", "ADJ-C", sid)
        db.session.commit()
    results = []
    barrier = threading.Barrier(threads_n)

    def consume(i):
        barrier.wait()
        with app.app_context():
            for _attempt in range(50):
                try:
                    services.change_stored_value(member_id, -price, "consume", f"SO-C{i}", sid)
                    db.session.commit()
                    results.append("ok")
                    return
                except DomainError as exc:
                    db.session.rollback()
                    results.append(exc.code)
                    return
                except OperationalError:  # SQLite: "database is locked" → retry
                    db.session.rollback()
            results.append("gave-up")

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == threads_n
    assert results.count("ok") == covered
    assert results.count("INSUFFICIENT_BALANCE") == threads_n - covered
    with app.app_context():
        assert _balance(member_id) == _ledger_sum(member_id) == price - 1


def test_points_rules(app_ctx, monkeypatch):
    from app.platform.settings import set_setting

    assert services.points_earned_for(12_345) == 123
    assert services.points_earned_for(-100) == 0
    assert services.check_points_redeem(100, 1000, "pos") == 100
    assert services.check_points_redeem(0, 1000, "mall") == 0
    with pytest.raises(DomainError) as exc:
        services.check_points_redeem(501, 1000, "pos")
    assert exc.value.code == "POINTS_OVER_CAP" and exc.value.status == 422
    with pytest.raises(DomainError) as exc:
        services.check_points_redeem(10, 1000, "mall")
    assert exc.value.code == "POINTS_NOT_USABLE"
    set_setting("loyalty.points_usable_online", True)
    set_setting("loyalty.fen_per_point", 2)
    try:
        assert services.check_points_redeem(10, 1000, "mall") == 20
    finally:
        set_setting("loyalty.points_usable_online", False)
        set_setting("loyalty.fen_per_point", 1)

    posted = []
    fake = types.ModuleType("app.messages.services")
    fake.notify_hq = lambda title, body: posted.append((title, body))
    monkeypatch.setitem(sys.modules, "app.messages.services", fake)
    member = Member(member_no="MB-WARN", name="Big Spender", phone="13900000000")
    assert services.warn_if_large_consumption(member, 10_000, "SO-1") is False
    assert services.warn_if_large_consumption(member, -10_001, "SO-2") is True
    assert len(posted) == 1 and "MB-WARN" in posted[0][1] and "SO-2" in posted[0][1]


def test_a_change_numbers_its_row_also_with_the_days_first_number(app, api_as, monkeypatch):
    """The ledger row's own SV number is drawn with the change; on a day (and store) without a
    counter row yet, the row is made (PostgreSQL: in the same statement)."""
    import random
    from datetime import UTC, datetime

    from tests.support.clock import frozen_at

    member_id, _ = _member(api_as)
    sid = store_id(app, "S002")
    day = datetime(random.randrange(2100, 9000), 6, 15, 4, 0, tzinfo=UTC)  # a day no test numbered
    with app.app_context():
        services.change_stored_value(member_id, 1000, "adjust", "ADJ-N", sid)
        frozen_at(monkeypatch, day)
        prefix = "SV" + day.strftime("%Y%m%d") + "S002"
        first = services.change_stored_value(member_id, -300, "consume", None, sid)
        second = services.change_stored_value(member_id, -300, "consume", "SO-OWN", sid)
        assert (first.txn_no, first.doc_no) == (prefix + "0001", prefix + "0001")  # its own document
        assert (second.txn_no, second.doc_no) == (prefix + "0002", "SO-OWN")
        assert (first.balance_after_fen, second.balance_after_fen) == (700, 400)
        db.session.commit()
        db.session.expire_all()
        stored = db.session.get(StoredValueTxn, second.id)
        assert (stored.amount_fen, stored.kind, stored.store_id, stored.member_id, stored.txn_no) == (
            -300, "consume", sid, member_id, prefix + "0002")
        assert _balance(member_id) == _ledger_sum(member_id) == 400


def test_a_callers_condition_is_written_with_the_change_or_refuses_it(app, api_as):
    """``only_if``: the caller's guarded UPDATE is part of the change; when it changes no row
    nothing moves and the caller's refusal is raised."""
    from datetime import datetime

    from sqlalchemy import bindparam, update

    member_id, _ = _member(api_as)
    sid = store_id(app, "S001")
    members = Member.__table__
    refusal = DomainError("PROBE_USED", "used already")

    rename = (update(members)  # one statement with bind parameters, as callers pass it
              .where(members.c.id == bindparam("m_id"), members.c.name == bindparam("m_old"))
              .values(name=bindparam("m_new"), changed_on=bindparam("m_on"), changed_by_fk=None))

    def rename_once(old, new):  # onupdate defaults are not run inside the statement: give them
        return rename, refusal, {"m_id": member_id, "m_old": old, "m_new": new, "m_on": datetime.now()}

    with app.app_context():
        services.change_stored_value(member_id, 1000, "adjust", "ADJ-O", sid)
        txn = services.change_stored_value(member_id, -100, "consume", None, sid,
                                           only_if=rename_once("Wallet", "Wallet once"))
        assert txn.balance_after_fen == 900
        db.session.commit()
        with pytest.raises(DomainError) as exc:  # the condition holds no more
            services.change_stored_value(member_id, -100, "consume", None, sid,
                                         only_if=rename_once("Wallet", "Wallet twice"))
        assert exc.value is refusal
        db.session.rollback()  # a refusal: the caller's unit of work rolls back (as every service's)
        with pytest.raises(DomainError) as exc:  # the condition holds, the balance does not
            services.change_stored_value(member_id, -901, "consume", None, sid,
                                         only_if=rename_once("Wallet once", "Wallet twice"))
        assert exc.value.code == "INSUFFICIENT_BALANCE"
        db.session.rollback()
        assert db.session.get(Member, member_id).name == "Wallet once"
        assert _balance(member_id) == _ledger_sum(member_id) == 900
        assert count(app, StoredValueTxn, member_id=member_id) == 2


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_concurrent_recharges_and_consumptions_neither_deadlock_nor_drift(app, api_as, is_postgres):
    """Recharges (number first, then balance) and consumptions numbering their own rows take
    the store's counter and the account in one order: all succeed, the ledger sums up."""
    member_id, _ = _member(api_as)
    sid = store_id(app, "S001")
    threads_n = 24 if is_postgres else 8
    with app.app_context():
        services.change_stored_value(member_id, 100 * threads_n, "adjust", "ADJ-D", sid)
        db.session.commit()
    results = []
    barrier = threading.Barrier(threads_n)

    def work(i):
        barrier.wait()
        with app.app_context():
            for _attempt in range(50):
                try:
                    if i % 2:
                        services.recharge_stored_value(member_id, 100, sid, None)
                    else:
                        services.change_stored_value(member_id, -150, "consume", None, sid)
                        db.session.commit()
                    results.append("ok")
                    return
                except OperationalError as exc:  # SQLite: "database is locked" → retry
                    db.session.rollback()
                    if is_postgres:
                        results.append(type(exc.orig).__name__)
                        return
            results.append("gave-up")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["ok"] * threads_n
    with app.app_context():
        expected = 100 * threads_n + 100 * (threads_n // 2) - 150 * (threads_n // 2)
        assert _balance(member_id) == _ledger_sum(member_id) == expected
        numbers = [t for (t,) in db.session.query(StoredValueTxn.txn_no).filter_by(member_id=member_id)]
        assert len(numbers) == len(set(numbers)) == threads_n + 1
