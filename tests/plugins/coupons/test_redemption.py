"""POS coupon look-up, verification and redemption over HTTP (SPEC §7 coupon rows, F2.10, F4.15)."""

import threading
from datetime import date, timedelta

import pytest

from app.extensions import db
from app.formatting import store_today
from tests.support.coupons import error_code, goods_fixture, issue, make_rule_fixture, new_member_fixture  # noqa: F401 (fixtures)


def _coupon(app, code):
    from plugins.coupons.services import get_coupon

    with app.app_context():
        coupon = get_coupon(code)
        return {"status": coupon.status, "history": [h.action for h in coupon.history]}


def test_lookup_verifies_against_the_order(app, api_as, make_rule, new_member):
    rule = make_rule(face_value_fen=1000, min_order_fen=5000)
    member_id = new_member()["id"]
    code = issue(app, rule, member_id)
    pos = api_as("pos1")
    ok = pos.get(f"/api/v1/pos/coupons/{code}?order_total_fen=8000&member_id={member_id}")
    ok = ok.get_json()["result"]
    assert ok["usable"] is True and ok["discount_fen"] == 1000 and ok["status"] == "issued"
    assert ok["name"] == "测试券" and ok["offer_type"] == "cash"
    small = pos.get(f"/api/v1/pos/coupons/{code}?order_total_fen=4999&member_id={member_id}")
    small = small.get_json()["result"]
    assert small["usable"] is False and small["reason"] == "COUPON_MIN_ORDER"
    assert pos.get("/api/v1/pos/coupons/NOPE000").status_code == 404
    bad = pos.get(f"/api/v1/pos/coupons/{code}?order_total_fen=abc&member_id={member_id}")
    assert bad.status_code == 422


def test_cash_coupon_never_beyond_the_payable_amount(app, api_as, make_rule, new_member):
    member_id = new_member()["id"]
    code = issue(app, make_rule(face_value_fen=5000), member_id)
    result = api_as("pos1").get(f"/api/v1/pos/coupons/{code}?order_total_fen=3000&member_id={member_id}")
    result = result.get_json()["result"]
    assert result["discount_fen"] == 3000


def test_discount_rate_coupon(app, api_as, make_rule, new_member):
    rule = make_rule(offer_type="discount", face_value_fen=None, discount_rate=85)
    member_id = new_member()["id"]
    code = issue(app, rule, member_id)
    pos = api_as("pos1")
    body = {"order_total_fen": 10000, "member_id": member_id}
    result = pos.post(f"/api/v1/pos/coupons/{code}/redeem", json=body).get_json()
    assert result["result"]["discount_fen"] == 1500


def test_product_voucher_makes_the_exchange_product_free(app, api_as, make_rule, new_member, goods):
    rule = make_rule(
        offer_type="product", face_value_fen=None, exchange_product_id=goods["excluded"]["product_id"]
    )
    member_id = new_member()["id"]
    code = issue(app, rule, member_id)
    result = api_as("pos1").get(f"/api/v1/pos/coupons/{code}?order_total_fen=10000&member_id={member_id}")
    result = result.get_json()["result"]
    assert result["discount_fen"] == 3000


def test_redeem_once_then_refused_and_idempotent_retry(app, api_as, make_rule, new_member):
    member_id = new_member()["id"]
    code = issue(app, make_rule(), member_id)
    sale = {"order_total_fen": 5000, "member_id": member_id}
    pos = api_as("pos1")
    headers = {"Idempotency-Key": f"redeem-{code}"}
    first = pos.post(f"/api/v1/pos/coupons/{code}/redeem", json=sale, headers=headers)
    assert first.status_code == 201
    body = first.get_json()["result"]
    assert body["redemption_no"].startswith("CR") and body["discount_fen"] == 1000
    again = pos.post(f"/api/v1/pos/coupons/{code}/redeem", json=sale, headers=headers)
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["result"]["redemption_no"] == body["redemption_no"]
    other = pos.post(f"/api/v1/pos/coupons/{code}/redeem", json=sale)
    assert other.status_code == 409 and error_code(other) == "COUPON_ALREADY_REDEEMED"
    assert _coupon(app, code) == {"status": "redeemed", "history": ["issue", "redeem"]}
    with app.app_context():
        from plugins.coupons.models import Redemption

        assert db.session.query(Redemption).join(Redemption.coupon).filter_by(code=code).count() == 1


def test_redemption_numbers_are_the_stores_document_numbers(app, api_as, make_rule, new_member):
    from app.docnumbers.services import format_doc_no
    from app.org.models import Store

    rule, pos = make_rule(), api_as("pos1")
    numbers = []
    for _ in range(2):
        member_id = new_member()["id"]
        code = issue(app, rule, member_id)
        sale = {"order_total_fen": 5000, "member_id": member_id}
        redeemed = pos.post(f"/api/v1/pos/coupons/{code}/redeem", json=sale)
        numbers.append(redeemed.get_json()["result"]["redemption_no"])
    with app.app_context():
        from plugins.coupons.models import Redemption

        redemption = db.session.query(Redemption).filter_by(redemption_no=numbers[0]).one()
        code = db.session.get(Store, redemption.store_id).code
        day = store_today().strftime("%Y%m%d")  # the store's date, as in the numbers
    first = int(numbers[0][-4:])
    assert numbers == [format_doc_no("CR", day, code, first), format_doc_no("CR", day, code, first + 1)]


def test_usable_stores_and_validity(app, api_as, make_rule, new_member):
    from plugins.coupons.models import Coupon

    member = new_member()
    sale = {"order_total_fen": 5000, "member_id": member["id"]}
    only_s002 = issue(app, make_rule(stores=["S002"]), member["id"])
    refused = api_as("pos1").post(f"/api/v1/pos/coupons/{only_s002}/redeem", json=sale)
    assert refused.status_code == 422 and error_code(refused) == "COUPON_STORE_NOT_ALLOWED"
    assert (
        api_as("cashier2")
        .post(f"/api/v1/pos/coupons/{only_s002}/redeem", json=sale)
        .status_code
        == 201
    )
    expired = issue(app, make_rule(), member["id"])
    with app.app_context():
        db.session.query(Coupon).filter_by(code=expired).update(
            {"valid_to": date.today() - timedelta(days=1)}
        )
        db.session.commit()
    response = api_as("pos1").post(f"/api/v1/pos/coupons/{expired}/redeem", json=sale)
    assert response.status_code == 409 and error_code(response) == "COUPON_EXPIRED"
    looked_up = api_as("pos1").get(f"/api/v1/pos/coupons/{expired}?member_id={member['id']}")
    assert looked_up.get_json()["result"]["status"] == "expired"


def test_validity_computed_at_issue(app, make_rule, new_member):
    from plugins.coupons.services import get_coupon

    member = new_member()
    days = issue(app, make_rule(valid_days=7), member["id"])
    until_date = date.today() + timedelta(days=40)
    later = date.today() + timedelta(days=3)
    until = issue(
        app,
        make_rule(validity_type="until", valid_days=None, valid_until=until_date, effective_date=later),
        member["id"],
    )
    with app.app_context():
        first = get_coupon(days)
        assert (first.valid_from, first.valid_to) == (date.today(), date.today() + timedelta(days=6))
        second = get_coupon(until)
        assert (second.valid_from, second.valid_to) == (later, until_date)


def test_disabled_rule_keeps_held_coupons_redeemable(app, api_as, make_rule, new_member):
    from plugins.coupons.models import CouponRule
    from plugins.coupons.rules import set_disabled
    from plugins.coupons.services import issue_coupon

    member = new_member()
    rule_id = make_rule()
    held = issue(app, rule_id, member["id"])
    with app.app_context():
        set_disabled(db.session.get(CouponRule, rule_id), True)
        with pytest.raises(Exception) as exc:
            issue_coupon(rule_id, member["id"], "admin")
        assert exc.value.code == "COUPON_RULE_DISABLED"
        db.session.rollback()
    assert (
        api_as("pos1")
        .post(f"/api/v1/pos/coupons/{held}/redeem", json={"order_total_fen": 5000, "member_id": member["id"]})
        .status_code
        == 201
    )
    with app.app_context():
        set_disabled(db.session.get(CouponRule, rule_id), False)
        assert issue_coupon(rule_id, member["id"], "admin").status == "issued"


def test_member_coupons_by_phone_and_wallet(app, api_as, make_rule, new_member):
    member = new_member()
    code = issue(app, make_rule(min_order_fen=3000), member["id"])
    elsewhere = issue(app, make_rule(stores=["S002"]), member["id"])
    pos = api_as("pos1")
    listed = pos.get(f"/api/v1/pos/coupons?phone={member['phone']}&order_total_fen=2000").get_json()
    assert [c["code"] for c in listed["result"]] == [code]
    assert listed["result"][0]["usable"] is False and listed["result"][0]["reason"] == "COUPON_MIN_ORDER"
    assert pos.get("/api/v1/pos/coupons?phone=123").status_code == 422
    wallet = pos.get(f"/api/v1/pos/members/{member['id']}/wallet").get_json()["result"]
    codes = [c["code"] for c in wallet["coupons"]]
    assert code in codes and elsewhere not in codes


def test_redeem_needs_a_store_account_and_permission(app, api_as, make_rule, new_member):
    code = issue(app, make_rule(), new_member()["id"])
    response = api_as("admin").post(f"/api/v1/pos/coupons/{code}/redeem", json={"order_total_fen": 100})
    assert response.status_code == 403 and error_code(response) == "STORE_REQUIRED"
    looked_up = api_as("guide1").get(f"/api/v1/pos/coupons/{code}")
    assert looked_up.status_code == 403 and error_code(looked_up) == "FORBIDDEN"


def test_bad_input_writes_nothing(app, api_as, make_rule, new_member):
    code = issue(app, make_rule(), new_member()["id"])
    pos = api_as("pos1")
    for body in ({}, {"order_total_fen": -1}, {"order_total_fen": "10"}, {"order_total_fen": 10, "x": 1}):
        response = pos.post(f"/api/v1/pos/coupons/{code}/redeem", json=body)
        assert response.status_code == 422, body
    assert _coupon(app, code)["status"] == "issued"


def test_recharge_voucher_tops_up_stored_value(app, api_as, make_rule, new_member):
    from app.loyalty.services import stored_value_balance
    from plugins.coupons.services import collect_coupons, get_coupon, issue_physical

    member = new_member(sv_fen=500)
    rule_id = make_rule(
        medium="physical", offer_type="recharge", recharge_code_length=18, face_value_fen=20000, total_count=3
    )
    with app.app_context():
        from app.org.models import Store
        from plugins.coupons.generation import request_generation
        from plugins.coupons.models import Coupon, CouponBatch, CouponRule

        batch = request_generation(db.session.get(CouponRule, rule_id))
        assert db.session.get(CouponBatch, batch.id).status == "done"
        codes = [c.code for c in db.session.query(Coupon).filter_by(rule_id=rule_id)]
        assert len(codes) == 3 and all(len(c) == 18 and c.isdigit() for c in codes)
        s001 = db.session.query(Store).filter_by(code="S001").one().id
        collect_coupons([get_coupon(c).id for c in codes], s001)
        issue_physical(get_coupon(codes[0]).id, s001, None)
    pos = api_as("pos1")
    no_member = pos.post(f"/api/v1/pos/coupons/{codes[0]}/redeem", json={"order_total_fen": 0})
    assert error_code(no_member) == "MEMBER_REQUIRED"
    unknown = pos.post(  # the named member goes through the core's POS member checks
        f"/api/v1/pos/coupons/{codes[0]}/redeem", json={"order_total_fen": 0, "member_id": 999_999_999}
    )
    assert unknown.status_code == 404 and error_code(unknown) == "MEMBER_NOT_FOUND"
    done = pos.post(
        f"/api/v1/pos/coupons/{codes[0]}/redeem", json={"order_total_fen": 0, "member_id": member["id"]}
    )
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["result"]["balance_fen"] == 20500
    with app.app_context():
        assert stored_value_balance(member["id"]) == 20500
    not_issued = pos.post(
        f"/api/v1/pos/coupons/{codes[1]}/redeem", json={"order_total_fen": 0, "member_id": member["id"]}
    )
    assert error_code(not_issued) == "COUPON_NOT_ISSUED"


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_fifty_concurrent_redemptions_exactly_one_wins(app, api_as, make_rule, new_member, is_postgres):
    threads_count = 50 if is_postgres else 8
    member_id = new_member()["id"]
    code = issue(app, make_rule(), member_id)
    clients = [api_as("pos1") for _ in range(threads_count)]
    barrier = threading.Barrier(threads_count)
    statuses = []

    def redeem(client):
        barrier.wait()
        body = {"order_total_fen": 5000, "member_id": member_id}
        response = client.post(f"/api/v1/pos/coupons/{code}/redeem", json=body)
        statuses.append(
            (
                response.status_code,
                response.get_json()["error"]["code"] if response.status_code >= 400 else "ok",
            )
        )

    workers = [threading.Thread(target=redeem, args=(c,)) for c in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(statuses) == threads_count
    assert [s for s in statuses if s[0] == 201] == [(201, "ok")]
    refused = [s for s in statuses if s[0] != 201]
    assert {s[0] for s in refused} <= {409}
    assert {s[1] for s in refused} <= {"COUPON_ALREADY_REDEEMED", "BUSY_RETRY"}
    with app.app_context():
        from plugins.coupons.models import Redemption

        assert db.session.query(Redemption).join(Redemption.coupon).filter_by(code=code).count() == 1


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_concurrent_redemptions_of_different_coupons_get_distinct_numbers(
    app, api_as, make_rule, new_member, is_postgres
):
    """Redemption numbers come from the store's document counter: racing redemptions at one
    store queue on it and never share a number (PostgreSQL: SQLite serialises writers)."""
    if not is_postgres:
        pytest.skip("concurrent writers need PostgreSQL")
    count = 20
    rule = make_rule()
    members = [new_member()["id"] for _ in range(count)]
    codes = [issue(app, rule, member_id) for member_id in members]
    clients = [api_as("pos1") for _ in range(count)]
    barrier = threading.Barrier(count)
    numbers, failures = [], []

    def redeem(client, code, member_id):
        barrier.wait()
        response = client.post(f"/api/v1/pos/coupons/{code}/redeem",
                               json={"order_total_fen": 5000, "member_id": member_id})
        if response.status_code == 201:
            numbers.append(response.get_json()["result"]["redemption_no"])
        else:
            failures.append(response.get_json())

    jobs = zip(clients, codes, members, strict=True)
    workers = [threading.Thread(target=redeem, args=job) for job in jobs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == [] and len(numbers) == count
    sequence = sorted(int(number[-4:]) for number in numbers)
    assert sequence == list(range(sequence[0], sequence[0] + count))  # distinct, no gaps
    assert len({number[:-4] for number in numbers}) == 1  # one type, day and store
