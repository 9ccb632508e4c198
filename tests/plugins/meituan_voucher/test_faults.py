"""Fault injection: whatever goes wrong after Meituan verified a voucher (an answer in the documented
``data.result[]`` shape, a malformed body, no answer in time, our own exception), the voucher ends
in a known state — recorded, or reversed, or kept as a pending row that reconciliation settles —
never a 500 with the voucher consumed and no row.  Business refusals are 4xx."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.support.meituan import mt_fixture, sim_fixture, stocked_sku  # noqa: F401  (fixtures)


def _consume(api, code, key=None, count=1, lang="en"):
    headers = {"Accept-Language": lang, **({"Idempotency-Key": key} if key else {})}
    return api.post("/api/v1/pos/meituan/consume", json={"code": code, "count": count}, headers=headers)


def _rows(app, code):
    from plugins.meituan_voucher.models import Verification

    with app.app_context():
        rows = db.session.scalars(
            select(Verification).where(Verification.receipt_code == code).order_by(Verification.id)
        ).all()
        return [(r.status, r.live_code, r.order_no, r.applied_fen) for r in rows]


def _ops(app, code):
    from plugins.meituan_voucher.models import PlatformCall

    with app.app_context():
        return [
            (c.op, c.error_code)
            for c in db.session.scalars(
                select(PlatformCall).where(PlatformCall.receipt_code == code).order_by(PlatformCall.id)
            )
        ]


def _fail_once(monkeypatch, owner, name, exc, wrap=None):
    """Make our own function ``owner.name`` raise ``exc`` on its first call only."""
    original = getattr(owner, name)
    state = {"raised": False}

    def failing(*args, **kwargs):
        if not state["raised"]:
            state["raised"] = True
            raise exc
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrap(failing) if wrap else failing)
    return state


def _short_timeout(app, mt):
    from app.platform.settings import set_setting

    with app.app_context():
        set_setting("meituan_voucher.timeout_seconds", 1)
    mt.state.delay = 3.0  # the answer comes well after the client gave up


@pytest.fixture
def goods(app):
    """A 99.00 yuan SKU with stock at S001."""
    return stocked_sku(app, "MTF")[0]


def _sale(api, sku_code, code, key):
    return api.post(
        "/api/v1/pos/orders",
        headers={"Idempotency-Key": key, "Accept-Language": "en"},
        json={
            "lines": [{"sku_code": sku_code, "qty": 1}],
            "payments": [
                {"method": "meituan", "amount_fen": 5000, "code": code},
                {"method": "cash", "amount_fen": 4900},
            ],
        },
    )


# ---------------------------------------------------------------- pos/meituan/consume


def test_documented_result_shape_is_read_for_several_vouchers(app, api_as, mt):
    codes = mt.new(2)
    answer = _consume(api_as("pos1"), codes[0], key=f"shape-{codes[0]}", count=2)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["result"]["codes"] == codes
    assert [_rows(app, c) for c in codes] == [[("consumed", c, None, 0)] for c in codes]


def test_malformed_body_after_consume_is_reconciled_and_recorded(app, api_as, mt):
    mt.state.inject("malformed_after_consume")
    code = mt.new(1)[0]
    answer = _consume(api_as("pos1"), code, key=f"mal-{code}")
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["result"]["codes"] == [code]
    assert mt.state.vouchers[code].state == "CONSUMED"
    assert _rows(app, code) == [("consumed", code, None, 0)]
    assert _ops(app, code) == [
        ("prepare", ""),
        ("consume", "MEITUAN_BAD_RESPONSE"),
        ("getconsumed", ""),
        ("consume", ""),  # the same requestId: Meituan replays its first answer
    ]
    assert len(mt.state.replays) == 1


def test_our_exception_reading_the_consume_answer_is_reconciled(app, api_as, mt, monkeypatch):
    from plugins.meituan_voucher.client import MeituanClient

    _fail_once(monkeypatch, MeituanClient, "_verified", AttributeError("boom"), wrap=staticmethod)
    code = mt.new(1)[0]
    answer = _consume(api_as("pos1"), code, key=f"ours-{code}")
    assert answer.status_code == 201, answer.get_json()
    assert _rows(app, code) == [("consumed", code, None, 0)]
    assert mt.state.vouchers[code].state == "CONSUMED"


def test_our_exception_after_consume_reverses_and_a_retry_succeeds(app, api_as, mt, monkeypatch):
    from plugins.meituan_voucher import services

    _fail_once(monkeypatch, services, "business_date", RuntimeError("disk full"))
    api = api_as("pos1")
    code = mt.new(1)[0]
    failed = _consume(api, code, key=f"rec-{code}")
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "1"  # a known state: retry
    assert failed.get_json()["error"]["code"] == "MEITUAN_VOUCHER_NOT_RECORDED"
    assert mt.state.vouchers[code].state == "UNUSED"  # reversed: nothing was taken
    assert _rows(app, code) == []
    assert [op for op, _ in _ops(app, code)] == ["prepare", "consume", "reverse"]

    retry = _consume(api, code, key=f"rec-{code}")
    assert retry.status_code == 201, retry.get_json()
    assert mt.state.vouchers[code].state == "CONSUMED"
    assert _rows(app, code) == [("consumed", code, None, 0)]


def test_timeout_and_no_way_to_ask_keeps_a_pending_row_that_recon_settles(app, api_as, mt):
    from plugins.meituan_voucher.models import Reconciliation
    from plugins.meituan_voucher.signing import business_date

    _short_timeout(app, mt)
    mt.state.inject("timeout_after_consume")
    mt.state.inject("malformed_getconsumed")
    code = mt.new(1)[0]
    answer = _consume(api_as("pos1"), code, key=f"pend-{code}")
    assert answer.status_code == 504, answer.get_json()
    error = answer.get_json()["error"]
    assert error["code"] == "MEITUAN_VERIFICATION_PENDING" and error["verification_no"] in error["message"]
    assert mt.state.vouchers[code].state == "CONSUMED"
    assert _rows(app, code) == [("pending", None, None, 0)]  # the value is not lost

    day = business_date(time.time())
    out = app.test_cli_runner().invoke(args=["meituan-reconcile", "--date", day, "--store", "S001"])
    assert out.exit_code == 0, out.output
    assert _rows(app, code) == [("consumed", code, None, 0)]
    with app.app_context():
        row = db.session.scalars(
            select(Reconciliation).where(Reconciliation.business_date == day)
        ).one()
        assert code not in {m["code"] for m in row.mismatches or []}
    # settled as ours: reversible at the POS like any verification
    assert api_as("pos1").post("/api/v1/pos/meituan/reverse", json={"code": code}).status_code == 200
    assert mt.state.vouchers[code].state == "UNUSED"


def test_pending_row_of_a_voucher_never_consumed_is_voided_by_recon(app, api_as, mt):
    from plugins.meituan_voucher.models import Reconciliation
    from plugins.meituan_voucher.signing import business_date

    mt.state.inject("malformed_after_consume")
    mt.state.inject("malformed_getconsumed")
    code = mt.new(1)[0]
    answer = _consume(api_as("pos1"), code, key=f"void-{code}")
    assert answer.status_code == 502 and answer.get_json()["error"]["code"] == "MEITUAN_VERIFICATION_PENDING"
    day = business_date(time.time())
    mt.state.inject("malformed_getconsumed")  # recon cannot ask either: still pending, and flagged
    app.test_cli_runner().invoke(args=["meituan-reconcile", "--date", day, "--store", "S001"])
    assert _rows(app, code) == [("pending", None, None, 0)]
    with app.app_context():
        row = db.session.scalars(select(Reconciliation).where(Reconciliation.business_date == day)).one()
        assert (code, "pending") in {(m["code"], m["kind"]) for m in row.mismatches}
    mt.state.vouchers[code].state = "UNUSED"  # e.g. reversed on the platform's side meanwhile
    app.test_cli_runner().invoke(args=["meituan-reconcile", "--date", day, "--store", "S001"])
    assert _rows(app, code) == [("void", None, None, 0)]


def test_retry_with_the_same_key_settles_a_pending_consume(app, api_as, mt):
    mt.state.inject("malformed_after_consume")
    mt.state.inject("malformed_getconsumed")
    api = api_as("pos1")
    code = mt.new(1)[0]
    first = _consume(api, code, key=f"again-{code}")
    assert first.status_code == 502 and first.get_json()["error"]["code"] == "MEITUAN_VERIFICATION_PENDING"
    retry = _consume(api, code, key=f"again-{code}")
    assert retry.status_code == 201, retry.get_json()
    assert _rows(app, code) == [("consumed", code, None, 0)]
    assert len(mt.state.replays) == 1  # one consume on the platform, replayed


def test_expired_voucher_is_409_whatever_the_platform_code(app, api_as, mt):
    mt.state.expired_code = "E30107"  # not a code we know
    code = mt.new(1, days=-1)[0]
    answer = _consume(api_as("pos1"), code, key=f"exp-{code}")
    assert answer.status_code == 409, answer.get_json()
    assert answer.get_json()["error"]["code"] == "MEITUAN_VOUCHER_EXPIRED"
    assert [op for op, _ in _ops(app, code)] == ["prepare"]  # refused before any state change
    assert _rows(app, code) == []


def test_unknown_platform_refusal_is_a_4xx_keeping_its_code_and_message(app, api_as, mt):
    mt.state.refusal = ("E40021", "门店已暂停营业")
    mt.state.inject("refuse_consume")
    code = mt.new(1)[0]
    answer = _consume(api_as("pos1"), code, key=f"ref-{code}")
    assert answer.status_code == 409, answer.get_json()
    error = answer.get_json()["error"]
    assert error["code"] == "MEITUAN_REFUSED"
    assert (error["platform_code"], error["platform_message"]) == ("E40021", "门店已暂停营业")
    assert "门店已暂停营业" in error["message"] and "E40021" in error["message"]
    assert mt.state.vouchers[code].state == "UNUSED" and _rows(app, code) == []


# ---------------------------------------------------------------- the meituan tender of a sale


def test_sale_with_a_malformed_consume_answer_is_paid_once(app, api_as, mt, goods):
    mt.state.inject("malformed_after_consume")
    code = mt.new(1)[0]
    sold = _sale(api_as("pos1"), goods, code, key=f"smal-{code}")
    assert sold.status_code == 201, sold.get_json()
    order_no = sold.get_json()["result"]["order_no"]
    assert _rows(app, code) == [("consumed", code, order_no, 5000)]
    assert len(mt.state.replays) == 1


def test_sale_with_our_exception_after_consume_reverses_then_retry_pays(app, api_as, mt, goods, monkeypatch):
    from plugins.meituan_voucher import services

    _fail_once(monkeypatch, services, "business_date", RuntimeError("disk full"))
    api = api_as("pos1")
    code = mt.new(1)[0]
    failed = _sale(api, goods, code, key=f"sour-{code}")
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "1"  # a known state: retry
    assert failed.get_json()["error"]["code"] == "MEITUAN_VOUCHER_NOT_RECORDED"
    assert mt.state.vouchers[code].state == "UNUSED" and _rows(app, code) == []

    retry = _sale(api, goods, code, key=f"sour-{code}")
    assert retry.status_code == 201, retry.get_json()
    assert _rows(app, code) == [("consumed", code, retry.get_json()["result"]["order_no"], 5000)]
    assert mt.state.vouchers[code].state == "CONSUMED"


def test_sale_pending_after_timeout_then_the_same_key_pays(app, api_as, mt, goods):
    _short_timeout(app, mt)
    mt.state.inject("timeout_after_consume")
    mt.state.inject("malformed_getconsumed")
    api = api_as("pos1")
    code = mt.new(1)[0]
    failed = _sale(api, goods, code, key=f"spend-{code}")
    assert failed.status_code == 504, failed.get_json()
    assert failed.get_json()["error"]["code"] == "MEITUAN_VERIFICATION_PENDING"
    assert _rows(app, code) == [("pending", None, None, 0)]
    assert mt.state.vouchers[code].state == "CONSUMED"

    retry = _sale(api, goods, code, key=f"spend-{code}")
    assert retry.status_code == 201, retry.get_json()
    order_no = retry.get_json()["result"]["order_no"]
    assert _rows(app, code) == [("consumed", code, order_no, 5000)]
    assert len(mt.state.replays) == 1


def test_sale_with_an_expired_voucher_is_409(app, api_as, mt, goods):
    mt.state.expired_code = "E30107"
    code = mt.new(1, days=-1)[0]
    refused = _sale(api_as("pos1"), goods, code, key=f"sexp-{code}")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "MEITUAN_VOUCHER_EXPIRED"
    assert [op for op, _ in _ops(app, code)] == ["prepare"]


def test_a_voucher_that_cannot_be_reversed_after_our_failure_stays_usable(
    app, api_as, mt, goods, monkeypatch
):
    """Our failure after the consume, and the reversal fails too: a pending row keeps the value;
    showing the voucher again (a new sale, new key) settles it with Meituan and it pays."""
    from plugins.meituan_voucher import services

    _fail_once(monkeypatch, services, "business_date", RuntimeError("disk full"))
    mt.state.inject("malformed_reverse")
    api = api_as("pos1")
    code = mt.new(1)[0]
    failed = _sale(api, goods, code, key=f"keep-{code}")
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "1"  # a known state: retry
    assert failed.get_json()["error"]["code"] == "MEITUAN_VOUCHER_NOT_RECORDED"
    assert mt.state.vouchers[code].state == "CONSUMED"
    assert _rows(app, code) == [("pending", None, None, 0)]

    sold = _sale(api, goods, code, key=f"keep2-{code}")
    assert sold.status_code == 201, sold.get_json()
    assert _rows(app, code) == [("consumed", code, sold.get_json()["result"]["order_no"], 5000)]
    assert mt.state.calls.count("/ddzh/tuangou/receipt/consume") == 1


def test_reverse_at_the_pos_settles_a_pending_verification_first(app, api_as, mt):
    mt.state.inject("malformed_after_consume")
    mt.state.inject("malformed_getconsumed")
    api = api_as("pos1")
    code = mt.new(1)[0]
    assert _consume(api, code, key=f"prev-{code}").status_code == 502
    assert _rows(app, code) == [("pending", None, None, 0)]
    answer = api.post("/api/v1/pos/meituan/reverse", json={"code": code})
    assert answer.status_code == 200, answer.get_json()
    assert mt.state.vouchers[code].state == "UNUSED"
    assert _rows(app, code) == [("reversed", None, None, 0)]


def test_reverse_with_an_unreadable_answer_is_settled_by_getconsumed(app, api_as, mt):
    api = api_as("pos1")
    done, kept = mt.new(1)[0], mt.new(1)[0]
    for code in (done, kept):
        assert _consume(api, code, key=f"rv-{code}").status_code == 201
    mt.state.inject("malformed_after_reverse")  # reversed on Meituan, answer unreadable
    answer = api.post("/api/v1/pos/meituan/reverse", json={"code": done})
    assert answer.status_code == 200, answer.get_json()
    assert _rows(app, done) == [("reversed", None, None, 0)]
    mt.state.inject("malformed_reverse")  # not reversed, answer unreadable
    answer = api.post("/api/v1/pos/meituan/reverse", json={"code": kept})
    assert answer.status_code == 502 and answer.get_json()["error"]["code"] == "MEITUAN_BAD_RESPONSE"
    assert mt.state.vouchers[kept].state == "CONSUMED"
    assert _rows(app, kept) == [("consumed", kept, None, 0)]  # still true: it is still verified
