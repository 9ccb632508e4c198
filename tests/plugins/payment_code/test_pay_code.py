"""The dynamic pay code: RFC 6238 at step boundaries, the mall endpoint, POST pos/pay-code/charge
(once per code, idempotent, rate-limited guesses, share groups) and the pay_code tender."""

import base64
import threading

import pytest

from app.extensions import db
from plugins.payment_code import totp
from tests.support.payment_code import (  # noqa: F401 (fixtures)
    balance,
    error_code,
    mall_code,
    member_fixture,
    till_fixture,
)
from tests.support.privacy import privacy_fixture, sku_fixture  # noqa: F401 (fixtures)

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()  # RFC 6238 appendix B, SHA-1


def test_rfc_6238_vectors_and_step_boundaries():
    # RFC 6238 test vectors (8 digits, SHA-1, 30 s)
    for at, expected in ((59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
                         (1234567890, "89005924"), (2000000000, "69279037")):
        assert totp.otp(RFC_SECRET, totp.counter_at(at)) == expected
    start = 1_111_111_110  # the first second of a step
    value = totp.otp(RFC_SECRET, totp.counter_at(start))
    assert totp.match(RFC_SECRET, value, start - 1) == ("wrong", None)  # not before its step
    assert totp.match(RFC_SECRET, value, start) == ("ok", totp.counter_at(start))
    assert totp.match(RFC_SECRET, value, start + 59.999) == ("ok", totp.counter_at(start))  # previous step
    assert totp.match(RFC_SECRET, value, start + 60)[0] == "expired"
    assert totp.match(RFC_SECRET, "00000000", start)[0] == "wrong"


def test_code_layout_carries_no_phone_or_member_id(app, member):
    someone = member()
    shown = mall_code(app, someone)
    code = shown["code"]
    assert len(code) == 18 and code.isdigit() and code.startswith("8")
    assert someone["phone"] not in code
    # the reference is random, not the member id written out (a short id may turn up inside
    # nine random digits by chance, so "not contained" would fail now and then)
    assert code[1:10] != f"{someone['id']:09d}" and code[1:10].lstrip("0") != str(someone["id"])
    assert shown["barcode_png"].startswith("data:image/png;base64,")
    assert shown["qr_png"].startswith("data:image/png;base64,")
    assert shown["expires_at"].endswith("Z") and 1 <= shown["refresh_in"] <= 30
    with app.app_context():
        from plugins.payment_code.models import PayCodeSecret

        row = db.session.query(PayCodeSecret).filter_by(member_id=someone["id"]).one()
        assert row.ref == code[1:10]
        assert totp.new_secret()[:4] not in row.secret_enc  # stored encrypted (Fernet token)
        assert row.secret_enc.startswith("gAAAAA")


def test_charge_once_then_replay_refused(app, member, till, monkeypatch):
    someone = member(sv_fen=10_000)
    pos = till()
    now = totp.now()
    monkeypatch.setattr(totp, "now", lambda: now)  # one step throughout (a slow run crossed into the next)
    code = mall_code(app, someone)["code"]
    paid = pos.post("/api/v1/pos/pay-code/charge", json={"code": code, "amount_fen": 3000})
    assert paid.status_code == 201, paid.get_json()
    result = paid.get_json()["result"]
    assert result["member_id"] == someone["id"] and result["balance_fen"] == 7000
    assert result["source"] == "stored_value" and result["txn_no"].startswith("SV")
    again = pos.post("/api/v1/pos/pay-code/charge", json={"code": code, "amount_fen": 100})
    assert again.status_code == 409 and error_code(again) == "PAY_CODE_USED"
    assert balance(app, someone["id"]) == 7000
    assert mall_code(app, someone)["code"] == code  # same step: the same code; the next step pays


def test_time_controlled_window(app, member, till, monkeypatch):
    someone = member(sv_fen=10_000)
    pos = till()
    start = (int(totp.now()) // 30 + 10) * 30  # a step start in the near future
    monkeypatch.setattr(totp, "now", lambda: float(start))
    first = mall_code(app, someone)["code"]
    monkeypatch.setattr(totp, "now", lambda: start + 59.5)  # the next step: previous code still good
    ok = pos.post("/api/v1/pos/pay-code/charge", json={"code": first, "amount_fen": 100})
    assert ok.status_code == 201, ok.get_json()
    second = mall_code(app, someone)["code"]
    assert second != first
    monkeypatch.setattr(totp, "now", lambda: start + 89.9)  # ``first`` is two steps old now
    late = pos.post("/api/v1/pos/pay-code/charge", json={"code": first, "amount_fen": 100})
    assert late.status_code == 410 and error_code(late) == "PAY_CODE_EXPIRED"
    monkeypatch.setattr(totp, "now", lambda: start + 90.0)  # ``second`` too, from this second on
    expired = pos.post("/api/v1/pos/pay-code/charge", json={"code": second, "amount_fen": 100})
    assert expired.status_code == 410 and error_code(expired) == "PAY_CODE_EXPIRED"
    assert balance(app, someone["id"]) == 9900


def test_an_older_step_is_refused_after_a_newer_one_was_used(app, member, till, monkeypatch):
    someone = member()
    pos = till()
    start = (int(totp.now()) // 30 + 20) * 30
    monkeypatch.setattr(totp, "now", lambda: float(start))
    older = mall_code(app, someone)["code"]
    monkeypatch.setattr(totp, "now", lambda: start + 30.0)
    newer = mall_code(app, someone)["code"]
    assert pos.post("/api/v1/pos/pay-code/charge", json={"code": newer, "amount_fen": 100}).status_code == 201
    stale = pos.post("/api/v1/pos/pay-code/charge", json={"code": older, "amount_fen": 100})
    assert stale.status_code == 409 and error_code(stale) == "PAY_CODE_USED"


def test_idempotency_key_replays_the_charge(app, member, till):
    someone = member(sv_fen=5000)
    pos = till()
    code = mall_code(app, someone)["code"]
    body = {"code": code, "amount_fen": 1200}
    first = pos.post("/api/v1/pos/pay-code/charge", json=body, headers={"Idempotency-Key": "pc-1"})
    second = pos.post("/api/v1/pos/pay-code/charge", json=body, headers={"Idempotency-Key": "pc-1"})
    assert first.status_code == 201 and second.status_code == 201
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert second.get_json() == first.get_json()
    assert balance(app, someone["id"]) == 3800


def test_over_balance_changes_nothing_and_keeps_the_code(app, member, till):
    someone = member(sv_fen=1000)
    pos = till()
    code = mall_code(app, someone)["code"]
    over = pos.post("/api/v1/pos/pay-code/charge", json={"code": code, "amount_fen": 1001})
    assert over.status_code == 409 and error_code(over) == "INSUFFICIENT_BALANCE"
    assert balance(app, someone["id"]) == 1000
    ok = pos.post("/api/v1/pos/pay-code/charge", json={"code": code, "amount_fen": 1000})
    assert ok.status_code == 201 and ok.get_json()["result"]["balance_fen"] == 0


@pytest.mark.parametrize("code", ["12345", "8" * 17 + "x", "", "912345678901234567", 123456789012345678])
def test_malformed_codes(app, till, code):
    response = till().post("/api/v1/pos/pay-code/charge", json={"code": code, "amount_fen": 100},
                           headers={"Accept-Language": "zh"})
    assert response.status_code == 422
    assert error_code(response) in ("PAY_CODE_MALFORMED", "VALIDATION_ERROR")
    assert not response.get_json()["error"]["message"].isascii()


def test_guessing_is_rate_limited_per_till_and_logged(app, member, till, caplog):
    someone = member()
    guesser, other = till(), till()
    code = mall_code(app, someone)["code"]
    wrong = code[:10] + f"{(int(code[10:]) + 1) % 10**8:08d}"
    statuses = [guesser.post("/api/v1/pos/pay-code/charge", json={"code": wrong, "amount_fen": 100})
                for _ in range(6)]
    assert [r.status_code for r in statuses] == [422] * 5 + [429]
    assert {error_code(r) for r in statuses[:5]} == {"PAY_CODE_INVALID"}
    assert error_code(statuses[5]) == "RATE_LIMITED"
    blocked = guesser.post("/api/v1/pos/pay-code/charge", json={"code": code, "amount_fen": 100})
    assert blocked.status_code == 429  # even the right code, until the minute is over
    allowed = other.post("/api/v1/pos/pay-code/charge", json={"code": code, "amount_fen": 100})
    assert allowed.status_code == 201
    logged = [r.getMessage() for r in caplog.records if r.name == "retail_admin.payment_code"]
    assert any("PAY_CODE_INVALID" in line for line in logged)
    assert not any(wrong in line for line in logged)  # never the whole code


def test_a_member_of_another_share_group_is_refused(app, privacy, member, till):
    privacy.group("East", "S001", "S002")
    privacy.settings(isolation=True)
    outsider = member(store="S003")
    code = mall_code(app, outsider)["code"]
    refused = till("S001").post("/api/v1/pos/pay-code/charge", json={"code": code, "amount_fen": 100})
    assert refused.status_code == 403 and error_code(refused) == "MEMBER_NOT_IN_GROUP"
    assert balance(app, outsider["id"]) == 10_000
    inside = till("S003").post("/api/v1/pos/pay-code/charge", json={"code": code, "amount_fen": 100})
    assert inside.status_code == 201


def test_pay_code_tender_in_a_sale_and_its_return(app, member, till, sku):
    someone = member(sv_fen=10_000)
    pos = till()
    code = mall_code(app, someone)["code"]
    who = pos.post("/api/v1/pos/pay-code/identify", json={"code": code})
    assert who.status_code == 200 and who.get_json()["result"]["member_id"] == someone["id"]
    order = {"member_id": someone["id"], "lines": [{"sku_code": sku, "qty": 1}],
             "payments": [{"method": "pay_code", "amount_fen": 1000, "code": code}]}
    price = _price(app, sku)
    order["payments"][0]["amount_fen"] = price
    sold = pos.post("/api/v1/pos/orders", json=order)
    assert sold.status_code == 201, sold.get_json()
    payment = sold.get_json()["result"]["payments"][0]
    assert payment["method"] == "pay_code" and code not in str(sold.get_json())
    assert balance(app, someone["id"]) == 10_000 - price
    again = pos.post("/api/v1/pos/orders", json=order)
    assert again.status_code == 409 and error_code(again) == "PAY_CODE_USED"
    returned = pos.post(f"/api/v1/pos/orders/{sold.get_json()['result']['order_no']}/returns", json={})
    assert returned.status_code == 201, returned.get_json()
    assert balance(app, someone["id"]) == 10_000


def test_pay_code_of_another_member_on_the_sale_is_refused(app, member, till, sku):
    payer, other = member(), member()
    code = mall_code(app, payer)["code"]
    price = _price(app, sku)
    sale = {"member_id": other["id"], "lines": [{"sku_code": sku, "qty": 1}],
            "payments": [{"method": "pay_code", "amount_fen": price, "code": code}]}
    refused = till().post("/api/v1/pos/orders", json=sale)
    assert refused.status_code == 409 and error_code(refused) == "PAY_CODE_MEMBER_MISMATCH"
    sale["payments"][0].pop("code")
    missing = till().post("/api/v1/pos/orders", json={**sale, "member_id": payer["id"]})
    assert missing.status_code == 422 and error_code(missing) == "PAY_CODE_REQUIRED"
    assert balance(app, payer["id"]) == 10_000 and balance(app, other["id"]) == 10_000


def _price(app, sku_code):
    from app.catalog.models import Sku

    with app.app_context():
        return db.session.query(Sku).filter_by(sku_code=sku_code).one().price_fen


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_thirty_concurrent_charges_of_one_code_exactly_one_wins(app, member, till, is_postgres):
    count = 30 if is_postgres else 8
    someone = member(sv_fen=100_000)
    code = mall_code(app, someone)["code"]
    clients = [till() for _ in range(count)]
    barrier = threading.Barrier(count)
    answers = []

    def charge(client):
        barrier.wait()
        response = client.post("/api/v1/pos/pay-code/charge", json={"code": code, "amount_fen": 500})
        body = response.get_json()
        answers.append((response.status_code, body["error"]["code"] if response.status_code >= 400 else "ok"))

    workers = [threading.Thread(target=charge, args=(c,)) for c in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(answers) == count
    assert [a for a in answers if a[0] == 201] == [(201, "ok")]
    assert {a for a in answers if a[0] != 201} <= {(409, "PAY_CODE_USED"), (409, "BUSY_RETRY")}
    assert balance(app, someone["id"]) == 99_500
    with app.app_context():
        from app.loyalty.models import StoredValueTxn

        rows = db.session.query(StoredValueTxn.amount_fen).filter_by(member_id=someone["id"]).all()
        assert sorted(amount for (amount,) in rows) == [-500, 100_000]  # one charge, one ledger row


@pytest.mark.own_database  # counts its statements: the test transaction's savepoints would add to them
def test_a_charge_takes_the_caller_the_code_and_one_write(app, member, till, is_postgres):
    """Caller, the code's secret with its member, then the write: on PostgreSQL the step used
    up, the balance taken and the numbered ledger row are one statement."""
    from tests.support.clients import statements_of

    first, second = member(), member()
    pos = till()
    code = mall_code(app, first)["code"]
    assert pos.post("/api/v1/pos/pay-code/charge", json={"code": code, "amount_fen": 100}).status_code == 201
    code = mall_code(app, second)["code"]
    answer, statements = statements_of(
        app, lambda: pos.post("/api/v1/pos/pay-code/charge", json={"code": code, "amount_fen": 100}))
    assert answer.status_code == 201 and answer.get_json()["result"]["balance_fen"] == 9_900
    writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert len(writes) == (1 if is_postgres else 4), "\n".join(s[:100] for s in statements)
    assert len(statements) <= (4 if is_postgres else 8), "\n".join(s[:100] for s in statements)
