"""Electronic coupons in the mall: claim, purchase with finance documents, transfer; limits under races."""

import threading
from datetime import date, timedelta

import pytest

from app.extensions import db
from tests.support.coupons import error_code, make_rule_fixture, mall, new_member_fixture  # noqa: F401 (fixtures)

BASE = "/api/v1/mall/coupons"


def test_claim_issues_at_once_and_counts(app, make_rule, new_member):
    from plugins.coupons.models import CouponRule

    member = new_member()
    rule_id = make_rule(per_member_limit=2, total_count=10)
    client, headers = mall(app, member)
    listed = client.get(f"{BASE}/rules", headers=headers).get_json()["result"]
    assert rule_id in [r["id"] for r in listed]
    first = client.post(f"{BASE}/rules/{rule_id}/claim", headers=headers)
    assert first.status_code == 201, first.get_json()
    coupon = first.get_json()["result"]
    assert coupon["status"] == "issued" and coupon["member_id"] == member["id"]
    assert client.post(f"{BASE}/rules/{rule_id}/claim", headers=headers).status_code == 201
    third = client.post(f"{BASE}/rules/{rule_id}/claim", headers=headers)
    assert third.status_code == 409 and error_code(third) == "COUPON_LIMIT_REACHED"
    mine = client.get(BASE, headers=headers).get_json()
    assert mine["count"] == 2
    with app.app_context():
        assert db.session.get(CouponRule, rule_id).issued_count == 2
    assert client.post(f"{BASE}/rules/{rule_id}/claim").status_code == 401


def test_claim_refusals(app, make_rule, new_member):
    from plugins.coupons.models import CouponRule
    from plugins.coupons.rules import set_disabled

    member = new_member()
    client, headers = mall(app, member)
    physical = make_rule(medium="physical")
    assert (
        error_code(client.post(f"{BASE}/rules/{physical}/claim", headers=headers)) == "COUPON_NOT_CLAIMABLE"
    )
    sold = make_rule(sale_price_fen=500)
    assert (
        error_code(client.post(f"{BASE}/rules/{sold}/claim", headers=headers)) == "COUPON_MUST_BE_PURCHASED"
    )
    pending = make_rule(status="auditing")
    assert (
        error_code(client.post(f"{BASE}/rules/{pending}/claim", headers=headers)) == "COUPON_RULE_NOT_AUDITED"
    )
    closed = make_rule(
        effective_date=date.today() - timedelta(days=5), latest_claim_date=date.today() - timedelta(days=1)
    )
    assert error_code(client.post(f"{BASE}/rules/{closed}/claim", headers=headers)) == "COUPON_CLAIM_CLOSED"
    assert client.post(f"{BASE}/rules/999999/claim", headers=headers).status_code == 404
    disabled = make_rule()
    with app.app_context():
        set_disabled(db.session.get(CouponRule, disabled), True)
    assert (
        error_code(client.post(f"{BASE}/rules/{disabled}/claim", headers=headers)) == "COUPON_RULE_DISABLED"
    )
    assert disabled not in [
        r["id"] for r in client.get(f"{BASE}/rules", headers=headers).get_json()["result"]
    ]
    with app.app_context():
        set_disabled(db.session.get(CouponRule, disabled), False)
    assert client.post(f"{BASE}/rules/{disabled}/claim", headers=headers).status_code == 201


def _race(app, member_list, rule_id, threads_count):
    barrier = threading.Barrier(threads_count)
    results = []

    def claim(member):
        client, headers = mall(app, member)
        barrier.wait()
        response = client.post(f"{BASE}/rules/{rule_id}/claim", headers=headers)
        results.append(response.status_code if response.status_code == 201 else error_code(response))

    workers = [threading.Thread(target=claim, args=(m,)) for m in member_list]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_racing_claims_respect_the_per_member_limit(app, make_rule, new_member, is_postgres):
    from plugins.coupons.models import Coupon, CouponRule

    threads_count = 30 if is_postgres else 6
    member = new_member()
    rule_id = make_rule(per_member_limit=3, total_count=1000)
    results = _race(app, [member] * threads_count, rule_id, threads_count)
    assert results.count(201) == 3
    assert set(results) - {201} <= {"COUPON_LIMIT_REACHED", "BUSY_RETRY"}
    with app.app_context():
        assert db.session.query(Coupon).filter_by(rule_id=rule_id, member_id=member["id"]).count() == 3
        assert db.session.get(CouponRule, rule_id).issued_count == 3


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_racing_claims_respect_the_total_count(app, make_rule, new_member, is_postgres):
    from plugins.coupons.models import Coupon, CouponRule

    threads_count = 30 if is_postgres else 6
    members = [new_member() for _ in range(threads_count)]
    rule_id = make_rule(per_member_limit=1, total_count=5)
    results = _race(app, members, rule_id, threads_count)
    wins = results.count(201)
    assert wins == 5 if is_postgres else 1 <= wins <= 5
    assert set(results) - {201} <= {"COUPON_SOLD_OUT", "BUSY_RETRY"}
    with app.app_context():
        assert db.session.query(Coupon).filter_by(rule_id=rule_id).count() == wins
        assert db.session.get(CouponRule, rule_id).issued_count == wins


def test_purchase_records_payment_and_pushes_finance_documents(app, make_rule, new_member):
    from app.loyalty.services import stored_value_balance
    from plugins.coupons.models import Coupon, FinanceDoc

    member = new_member(sv_fen=1000)
    rule_id = make_rule(sale_price_fen=800)
    client, headers = mall(app, member)
    url = f"{BASE}/rules/{rule_id}/purchase"
    bought = client.post(url, headers=headers, json={"payment_method": "stored_value"})
    assert bought.status_code == 201, bought.get_json()
    code = bought.get_json()["result"]["code"]
    broke = client.post(url, headers=headers, json={"payment_method": "stored_value"})
    assert broke.status_code == 409 and error_code(broke) == "INSUFFICIENT_BALANCE"
    no_ref = client.post(url, headers=headers, json={"payment_method": "wechat"})
    assert error_code(no_ref) == "COUPON_PAYMENT_REF_REQUIRED"
    wechat = client.post(url, headers=headers, json={"payment_method": "wechat", "payment_ref": "WX4200001"})
    assert wechat.status_code == 201
    free = make_rule()
    assert (
        error_code(
            client.post(
                f"{BASE}/rules/{free}/purchase",
                headers=headers,
                json={"payment_method": "wechat", "payment_ref": "x"},
            )
        )
        == "COUPON_NOT_FOR_SALE"
    )
    with app.app_context():
        coupon = db.session.query(Coupon).filter_by(code=code).one()
        assert (coupon.channel, coupon.payment_method, coupon.price_fen) == (
            "mall_purchase",
            "stored_value",
            800,
        )
        docs = db.session.query(FinanceDoc).filter_by(coupon_id=coupon.id).order_by(FinanceDoc.id).all()
        assert [(d.doc_type, d.amount_fen) for d in docs] == [("other_receivable", 800), ("receipt", 800)]
        assert docs[0].doc_no.startswith("OR") and docs[1].doc_no.startswith("RC")
        assert stored_value_balance(member["id"]) == 200
        assert db.session.query(Coupon).filter_by(rule_id=rule_id).count() == 2


def test_transfer_to_a_friend_when_allowed(app, make_rule, new_member):
    owner, friend = new_member(), new_member()
    client, headers = mall(app, owner)
    rule_id = make_rule(transferable=True)
    code = client.post(f"{BASE}/rules/{rule_id}/claim", headers=headers).get_json()["result"]["code"]
    to_self = client.post(f"{BASE}/{code}/transfer", headers=headers, json={"phone": owner["phone"]})
    assert error_code(to_self) == "COUPON_TRANSFER_TO_SELF"
    unknown = client.post(f"{BASE}/{code}/transfer", headers=headers, json={"phone": "13000000000"})
    assert unknown.status_code == 404
    moved = client.post(f"{BASE}/{code}/transfer", headers=headers, json={"phone": friend["phone"]})
    assert moved.status_code == 200 and moved.get_json()["result"]["member_id"] == friend["id"]
    again = client.post(f"{BASE}/{code}/transfer", headers=headers, json={"phone": friend["phone"]})
    assert again.status_code == 404  # no longer the owner's
    fixed = make_rule()
    other = client.post(f"{BASE}/rules/{fixed}/claim", headers=headers).get_json()["result"]["code"]
    refused = client.post(f"{BASE}/{other}/transfer", headers=headers, json={"phone": friend["phone"]})
    assert error_code(refused) == "COUPON_NOT_TRANSFERABLE"
    with app.app_context():
        from plugins.coupons.services import get_coupon

        assert [h.action for h in get_coupon(code).history] == ["issue", "transfer"]


def test_issue_coupon_service_for_other_plugins(app, make_rule, new_member):
    from plugins.coupons.services import issue_coupon

    member = new_member()
    rule_id = make_rule(kind="points", per_member_limit=1)
    with app.app_context():
        first = issue_coupon(rule_id, member["id"], "points_mall")
        second = issue_coupon(rule_id, member["id"], "points_mall", count_against_limit=False)
        assert first.code != second.code and second.channel == "points_mall"


def test_mall_posts_honour_the_idempotency_key(app, make_rule, new_member):
    from app.loyalty.services import stored_value_balance
    from plugins.coupons.models import Coupon, FinanceDoc

    member = new_member(sv_fen=2000)
    rule_id = make_rule(sale_price_fen=500)
    client, headers = mall(app, member)
    keyed = {**headers, "Idempotency-Key": "buy-1"}
    body = {"payment_method": "stored_value"}
    first = client.post(f"{BASE}/rules/{rule_id}/purchase", headers=keyed, json=body)
    again = client.post(f"{BASE}/rules/{rule_id}/purchase", headers=keyed, json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == first.get_json()
    other = client.post(
        f"{BASE}/rules/{rule_id}/purchase",
        headers=keyed,
        json={"payment_method": "wechat", "payment_ref": "WX1"},
    )
    assert other.status_code == 422 and error_code(other) == "IDEMPOTENCY_KEY_REUSED"
    failed = client.post(f"{BASE}/rules/999999/claim", headers={**headers, "Idempotency-Key": "claim-x"})
    assert failed.status_code == 404
    with app.app_context():
        assert stored_value_balance(member["id"]) == 1500
        assert db.session.query(Coupon).filter_by(rule_id=rule_id).count() == 1
        coupon_id = db.session.query(Coupon).filter_by(rule_id=rule_id).one().id
        assert db.session.query(FinanceDoc).filter_by(coupon_id=coupon_id).count() == 2
    claim_rule = make_rule()
    claimed = client.post(
        f"{BASE}/rules/{claim_rule}/claim", headers={**headers, "Idempotency-Key": "claim-x"}
    )
    assert claimed.status_code == 201  # the failed request left the key free
