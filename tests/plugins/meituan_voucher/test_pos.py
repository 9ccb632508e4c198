"""POS rows pos/meituan/prepare|consume|reverse over HTTP, against the simulator over real HTTP."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.support.meituan import mt_fixture, sim_fixture  # noqa: F401  (fixtures)


def _post(api, path, body, key=None, lang="zh"):
    headers = {"Accept-Language": lang}
    if key:
        headers["Idempotency-Key"] = key
    return api.post(f"/api/v1/pos/meituan/{path}", json=body, headers=headers)


def _calls(app, code):
    from plugins.meituan_voucher.models import PlatformCall

    with app.app_context():
        rows = db.session.scalars(
            select(PlatformCall).where(PlatformCall.receipt_code == code).order_by(PlatformCall.id)
        ).all()
        return [(r.op, r.ok, r.error_code, r.request, r.store_id, r.staff_id) for r in rows]


def test_prepare_consume_reverse_happy_path(app, api_as, mt):
    api = api_as("pos1")
    codes = mt.new(3)
    prepared = _post(api, "prepare", {"code": codes[0]})
    assert prepared.status_code == 200, prepared.get_json()
    info = prepared.get_json()["result"]
    assert (info["deal_title"], info["count"], info["price_fen"], info["deal_id"]) == (
        "50元代金券",
        3,
        4550,
        "D200",
    )
    assert (info["mode"], info["value_fen"]) == ("tender", 5000)  # the demo maps D200 to 50 yuan

    consumed = _post(api, "consume", {"code": codes[0], "count": 2}, key=f"k-{codes[0]}")
    assert consumed.status_code == 201, consumed.get_json()
    result = consumed.get_json()["result"]
    assert (
        result["consumed"] == 2
        and result["codes"] == codes[:2]
        and result["verification_no"].startswith("MV")
    )
    assert [mt.state.vouchers[c].state for c in codes] == ["CONSUMED", "CONSUMED", "UNUSED"]

    reversed_ = _post(api, "reverse", {"code": codes[1]})
    assert reversed_.status_code == 200 and reversed_.get_json()["result"]["reversed"] is True
    assert mt.state.vouchers[codes[1]].state == "UNUSED"
    again = _post(api, "reverse", {"code": codes[1]}, lang="en")
    assert again.status_code == 404
    assert again.get_json()["error"] == {
        "code": "MEITUAN_VERIFICATION_NOT_FOUND",
        "message": "No verified voucher with this code in this store.",
    }

    calls = _calls(app, codes[0])
    # consume prepares first (an expired voucher is refused before any state change)
    assert [c[0] for c in calls] == ["prepare", "prepare", "consume"] and all(c[1] for c in calls)
    assert calls[0][3]["appAuthToken"].startswith("***") and calls[0][3]["sign"].startswith("***")
    assert calls[0][4] is not None and calls[0][5] is not None  # store and staff recorded


def test_idempotent_retry_consumes_once(app, api_as, mt):
    api = api_as("pos1")
    code = mt.new(2)[0]
    first = _post(api, "consume", {"code": code, "count": 1}, key=f"retry-{code}")
    second = _post(api, "consume", {"code": code, "count": 1}, key=f"retry-{code}")
    assert first.status_code == second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert first.get_json() == second.get_json()
    assert mt.state.calls.count("/ddzh/tuangou/receipt/consume") == 1


def test_refusals_are_localized_and_write_nothing(app, api_as, mt):
    from plugins.meituan_voucher.models import Verification

    api = api_as("pos1")
    code = mt.new(1)[0]
    too_many = _post(api, "consume", {"code": code, "count": 2}, key=f"many-{code}", lang="en")
    assert too_many.status_code == 422 and too_many.get_json()["error"]["code"] == "MEITUAN_COUNT_INVALID"
    zh = _post(api, "consume", {"code": code, "count": 2}, lang="zh").get_json()["error"]["message"]
    assert zh != too_many.get_json()["error"]["message"]
    bad = _post(api, "consume", {"code": code, "count": 0})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "VALIDATION_ERROR"

    expired = mt.new(1, days=-1)[0]
    answer = _post(api, "prepare", {"code": expired})
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "MEITUAN_VOUCHER_EXPIRED"

    other_shop = mt.new(1, shop="MT-SHOP-S002")[0]
    answer = _post(api, "prepare", {"code": other_shop})
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "MEITUAN_VOUCHER_NOT_FOUND"
    assert _post(api_as("cashier2"), "prepare", {"code": other_shop}).status_code == 200

    mt.state.inject("wrong_shop")
    answer = _post(api, "consume", {"code": code, "count": 1})
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "MEITUAN_SHOP_NOT_AUTHORIZED"
    mt.state.inject("already_used")
    answer = _post(api, "consume", {"code": code, "count": 1})
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "MEITUAN_VOUCHER_USED"
    with app.app_context():
        assert db.session.scalars(select(Verification).where(Verification.receipt_code == code)).all() == []
    assert ("prepare", False, "MEITUAN_VOUCHER_USED") in [c[:3] for c in _calls(app, code)]
    assert "consume" not in [c[0] for c in _calls(app, code) if c[1]]


def test_reversal_after_ten_minutes_is_refused(app, api_as, mt):
    api = api_as("pos1")
    late, early = mt.new(1)[0], mt.new(1)[0]
    assert _post(api, "consume", {"code": late}).status_code == 201
    assert _post(api, "consume", {"code": early}).status_code == 201
    mt.state.advance(599)
    assert _post(api, "reverse", {"code": early}).status_code == 200
    mt.state.advance(2)
    refused = _post(api, "reverse", {"code": late}, lang="en")
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "MEITUAN_REVERSE_WINDOW_PASSED"
    assert "10 minutes" in refused.get_json()["error"]["message"]
    assert mt.state.vouchers[late].state == "CONSUMED"


def test_token_expiry_refreshes_and_stores_the_new_token(app, api_as, mt):
    from app.platform.models import AuditLog
    from app.platform.settings import get_setting

    mt.state.inject("expired_token")
    code = mt.new(1)[0]
    answer = _post(api_as("pos1"), "prepare", {"code": code})
    assert answer.status_code == 200, answer.get_json()
    with app.app_context():
        token = get_setting("meituan_voucher.app_auth_token")
        assert token != "demo-app-auth-token-0001" and token in mt.state.tokens
        assert get_setting("meituan_voucher.refresh_token") == mt.state.refresh_token
        logged = db.session.scalars(
            select(AuditLog)
            .where(AuditLog.object_id == "meituan_voucher.app_auth_token")
            .order_by(AuditLog.id.desc())
        ).first()
        assert token not in str(logged.detail) and logged.detail["new"].startswith("••••")
    assert [c[:3] for c in _calls(app, code)] == [
        ("prepare", False, "MEITUAN_TOKEN_EXPIRED"),
        ("prepare", True, ""),
    ]
    assert _post(api_as("pos1"), "prepare", {"code": code}).status_code == 200  # the new token is used


def test_bad_signature_is_refused_by_the_simulator(app, api_as, mt):
    from app.platform.settings import set_setting

    with app.app_context():
        set_setting("meituan_voucher.sign_key", "wrong-key-0000")
    answer = _post(api_as("pos1"), "prepare", {"code": mt.new(1)[0]})
    # Meituan answered sensibly and refused: a 4xx, not a 502
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "MEITUAN_SIGNATURE_REJECTED"


def test_timeout_after_consume_is_resolved_by_getconsumed(app, api_as, mt):
    from app.platform.settings import set_setting
    from plugins.meituan_voucher.models import Verification

    with app.app_context():
        set_setting("meituan_voucher.timeout_seconds", 2)
    mt.state.delay = 4.5  # well past the timeout, even on a loaded machine
    mt.state.inject("timeout_after_consume")
    code = mt.new(1)[0]
    answer = _post(api_as("pos1"), "consume", {"code": code}, key=f"to-{code}")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["result"]["codes"] == [code]
    ops = [c[:3] for c in _calls(app, code)]
    assert ops == [
        ("prepare", True, ""),
        ("consume", False, "MEITUAN_TIMEOUT"),
        ("getconsumed", True, ""),
        ("consume", True, ""),
    ]
    with app.app_context():
        rows = db.session.scalars(select(Verification).where(Verification.receipt_code == code)).all()
        assert len(rows) == 1 and rows[0].status == "consumed"


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_two_terminals_one_code_exactly_one_wins(app, api_as, mt, is_postgres):
    if not is_postgres:
        pytest.skip("race test runs on PostgreSQL")
    code = mt.new(1)[0]
    clients = [api_as("pos1"), api_as("cashier1")] * 4
    barrier = threading.Barrier(len(clients))
    answers = []

    def consume(api):
        barrier.wait()
        answers.append(_post(api, "consume", {"code": code}, key=uuid.uuid4().hex))

    threads = [threading.Thread(target=consume, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * (len(clients) - 1), [a.get_json() for a in answers]
    assert {a.get_json()["error"]["code"] for a in answers if a.status_code == 409} == {
        "MEITUAN_VOUCHER_USED"
    }


def test_store_not_bound_and_not_configured(app, api_as, mt):
    from app.platform.settings import set_setting
    from plugins.meituan_voucher.models import ShopBinding

    with app.app_context():
        binding = db.session.scalars(
            select(ShopBinding).where(ShopBinding.open_shop_uuid == "MT-SHOP-S002")
        ).one()
        binding.active = False
        db.session.commit()
    try:
        answer = _post(api_as("cashier2"), "prepare", {"code": mt.new(1)[0]})
        assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "MEITUAN_SHOP_NOT_BOUND"
    finally:
        with app.app_context():
            db.session.scalars(
                select(ShopBinding).where(ShopBinding.open_shop_uuid == "MT-SHOP-S002")
            ).one().active = True
            db.session.commit()
    with app.app_context():
        set_setting("meituan_voucher.developer_id", "")
    answer = _post(api_as("pos1"), "prepare", {"code": "1000000001"})
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "MEITUAN_NOT_CONFIGURED"


def test_a_consume_we_cannot_record_is_reversed_for_every_voucher(app, api_as, mt):
    """Meituan verified two vouchers but our write fails (a stale live row holds the second
    code): nothing is recorded, so both are reversed on Meituan."""
    from datetime import datetime

    from app.org.models import Store
    from plugins.meituan_voucher.models import Verification

    first, second = mt.new(2)
    with app.app_context():
        store = db.session.query(Store).filter_by(code="S001").one()
        db.session.add(
            Verification(
                verification_no="MVSTALE",
                store_id=store.id,
                receipt_code=second,
                live_code=second,
                request_id="stale",
                business_date="2026-01-01",
                consumed_at=datetime.now(),
            )
        )
        db.session.commit()
    answer = _post(api_as("pos1"), "consume", {"code": first, "count": 2}, key=f"stale-{first}")
    assert answer.status_code == 409, answer.get_json()
    assert [mt.state.vouchers[c].state for c in (first, second)] == ["UNUSED", "UNUSED"]
    assert [c[0] for c in _calls(app, first)] == ["prepare", "consume", "reverse"]
    assert [c[0] for c in _calls(app, second)] == ["reverse"]
