"""Physical coupons: generation job, collect → issue → redeem, void, refused transitions."""

import pytest

from app.errors import DomainError
from app.extensions import db
from tests.support.coupons import error_code, issue, make_rule_fixture, new_member_fixture  # noqa: F401 (fixtures)


def _store_id(code):
    from app.org.models import Store

    return db.session.query(Store).filter_by(code=code).one().id


def _generate(app, rule_id):
    from plugins.coupons.generation import request_generation
    from plugins.coupons.models import Coupon, CouponRule

    with app.app_context():
        batch = request_generation(db.session.get(CouponRule, rule_id))
        coupons = db.session.query(Coupon).filter_by(rule_id=rule_id).order_by(Coupon.id).all()
        return batch.id, batch.job_id, [(c.id, c.code) for c in coupons]


def test_generation_follows_the_code_rule_as_a_job_with_progress(app, make_rule):
    from app.platform.models import Job
    from plugins.coupons.models import CouponBatch, CouponRule

    rule_id = make_rule(
        medium="physical", code_prefix="PG", code_suffix="Z", code_length=5, start_value=7, total_count=25
    )
    batch_id, job_id, coupons = _generate(app, rule_id)
    assert [code for _, code in coupons][:2] == ["PG00007Z", "PG00008Z"]
    assert coupons[-1][1] == "PG00031Z" and len(coupons) == 25
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert (job.status, job.done, job.total) == ("done", 25, 25)
        assert db.session.get(CouponBatch, batch_id).batch_no.startswith("CB")
        rule = db.session.get(CouponRule, rule_id)
        assert rule.end_value == 31 and rule.generated_count == 25 and rule.issued_count == 0
        with pytest.raises(DomainError) as exc:
            from plugins.coupons.generation import request_generation

            request_generation(rule)
        assert exc.value.code == "COUPON_ALREADY_GENERATED"


def test_generation_is_safe_to_run_twice(app, make_rule):
    from plugins.coupons.generation import generate_batch
    from plugins.coupons.models import Coupon

    rule_id = make_rule(medium="physical", total_count=12)
    batch_id, _, coupons = _generate(app, rule_id)
    with app.app_context():
        assert generate_batch(batch_id) == 0
        assert db.session.query(Coupon).filter_by(rule_id=rule_id).count() == 12


def test_only_audited_enabled_physical_rules_generate(app, make_rule):
    from plugins.coupons.generation import request_generation
    from plugins.coupons.models import CouponRule

    with app.app_context():
        for rule_id, code in (
            (make_rule(), "COUPON_NOT_PHYSICAL"),
            (make_rule(medium="physical", status="auditing"), "COUPON_RULE_NOT_AUDITED"),
        ):
            with pytest.raises(DomainError) as exc:
                request_generation(db.session.get(CouponRule, rule_id))
            assert exc.value.code == code


def test_lifecycle_collect_issue_redeem_and_refusals(app, api_as, make_rule, new_member):
    from plugins.coupons.services import collect_coupons, get_coupon, void_coupons

    member = new_member()
    rule_id = make_rule(medium="physical", total_count=4)
    _, _, coupons = _generate(app, rule_id)
    ids = [cid for cid, _ in coupons]
    codes = [code for _, code in coupons]
    pos = api_as("pos1")
    not_collected = pos.post(f"/api/v1/pos/coupons/{codes[0]}/issue", json={"member_id": member["id"]})
    assert not_collected.status_code == 404  # not collected to this store yet
    with app.app_context():
        collect_coupons(ids[:3], _store_id("S001"))
        with pytest.raises(DomainError) as exc:
            collect_coupons(ids[:1], _store_id("S002"))  # already collected
        assert exc.value.code == "COUPON_STATUS_INVALID"
    assert (
        error_code(pos.post(f"/api/v1/pos/coupons/{codes[0]}/redeem", json={"order_total_fen": 5000}))
        == "COUPON_NOT_ISSUED"
    )
    assert api_as("cashier2").post(f"/api/v1/pos/coupons/{codes[0]}/issue", json={}).status_code == 404
    issued = pos.post(f"/api/v1/pos/coupons/{codes[0]}/issue", json={"member_id": member["id"]})
    assert issued.status_code == 201 and issued.get_json()["result"]["member_id"] == member["id"]
    assert issued.get_json()["result"]["valid_to"] is not None
    bearer = pos.post(f"/api/v1/pos/coupons/{codes[1]}/issue", json={})
    assert bearer.status_code == 201 and bearer.get_json()["result"]["member_id"] is None
    twice = pos.post(f"/api/v1/pos/coupons/{codes[0]}/issue", json={})
    assert twice.status_code == 409 and error_code(twice) == "COUPON_STATUS_INVALID"
    assert (
        pos.post(f"/api/v1/pos/coupons/{codes[1]}/redeem", json={"order_total_fen": 5000}).status_code == 201
    )
    with app.app_context():
        void_coupons([ids[2], ids[3]])
        with pytest.raises(DomainError):
            void_coupons([ids[1]])  # redeemed coupons cannot be voided
        assert get_coupon(codes[1]).status == "redeemed"
        history = [h.action for h in get_coupon(codes[0]).history]
        assert history == ["collect", "issue"]
    assert (
        error_code(pos.post(f"/api/v1/pos/coupons/{codes[2]}/redeem", json={"order_total_fen": 5000}))
        == "COUPON_VOID"
    )


def test_recharge_numbers_are_unique_random_digits(app, make_rule):
    rule_id = make_rule(medium="physical", offer_type="recharge", recharge_code_length=15, total_count=2000)
    _, _, coupons = _generate(app, rule_id)
    codes = [code for _, code in coupons]
    assert len(set(codes)) == 2000
    assert all(len(c) == 15 and c.isdigit() and c[0] != "0" for c in codes)
    assert codes != sorted(codes)


def test_member_recharges_with_a_voucher_number_in_the_mall(app, make_rule, new_member):
    from app.loyalty.services import stored_value_balance
    from plugins.coupons.services import collect_coupons, issue_physical

    rule_id = make_rule(
        medium="physical", offer_type="recharge", recharge_code_length=20, face_value_fen=5000, total_count=3
    )
    _, _, coupons = _generate(app, rule_id)
    with app.app_context():
        s001 = _store_id("S001")
        collect_coupons([cid for cid, _ in coupons], s001)
        for cid, _ in coupons[:2]:
            issue_physical(cid, s001, None)
    member, other = new_member(), new_member()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {member['token']}"}
    done = client.post("/api/v1/mall/coupons/recharge", headers=headers, json={"code": coupons[0][1]})
    assert done.status_code == 201, done.get_json()
    assert done.get_json()["result"]["balance_fen"] == 5000
    twice = client.post("/api/v1/mall/coupons/recharge", headers=headers, json={"code": coupons[0][1]})
    assert error_code(twice) == "COUPON_ALREADY_REDEEMED"
    not_issued = client.post("/api/v1/mall/coupons/recharge", headers=headers, json={"code": coupons[2][1]})
    assert error_code(not_issued) == "COUPON_NOT_ISSUED"
    cash = make_rule()
    cash_code = issue(app, cash, member["id"])
    wrong = client.post("/api/v1/mall/coupons/recharge", headers=headers, json={"code": cash_code})
    assert error_code(wrong) == "COUPON_NOT_RECHARGE"
    with app.app_context():
        assert stored_value_balance(member["id"]) == 5000
        assert stored_value_balance(other["id"]) == 0
