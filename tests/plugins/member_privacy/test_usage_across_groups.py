"""Benefits across share groups: every tender, recharge and wallet refused with a clear code,
nothing written; inside the group everything works; disabling the plugin lifts it at once."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.support.privacy import error_code, privacy_fixture, sale, sku_fixture  # noqa: F401 (fixtures)


def _ledger_rows(app, member_id):
    from app.loyalty.models import PointsTxn, StoredValueTxn
    from app.sales.models import Order

    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model).where(model.member_id == member_id))
            for model in (StoredValueTxn, PointsTxn, Order)
        )


@pytest.fixture
def isolated(privacy, app):
    from app.platform.settings import get_setting, set_setting

    privacy.group("East", "S001", "S002")
    privacy.settings(isolation=True)
    with app.app_context():  # points at the POS must be on for the points cases
        before = get_setting("loyalty.points_usable_pos")
        set_setting("loyalty.points_usable_pos", True)
    yield privacy
    with app.app_context():
        set_setting("loyalty.points_usable_pos", before)


@pytest.mark.parametrize(
    "method, points_used", [("cash", 0), ("stored_value", 0), ("cash", 100), ("wechat", 0), ("alipay", 0)]
)
def test_a_member_of_another_group_cannot_buy_or_pay(isolated, api_as, app, sku, method, points_used):
    member = isolated.member("S003", stored_value_fen=20000, points=500)
    before = _ledger_rows(app, member["id"])
    response = sale(api_as("pos1"), sku, member["id"], method=method, points_used=points_used)
    assert response.status_code == 403 and error_code(response) == "MEMBER_NOT_IN_GROUP"
    assert _ledger_rows(app, member["id"]) == before
    # the same sale inside the member's group goes through
    home = isolated.member("S002", stored_value_fen=20000, points=500)
    ok = sale(api_as("pos1"), sku, home["id"], method=method, points_used=points_used)
    assert ok.status_code == 201, ok.get_json()


def test_the_usable_hook_refuses_each_benefit(isolated, app):
    """Tenders added by plugins (coupon, pay_code) ask the same hook: it refuses every purpose."""
    from app.members.models import Member
    from app.plugins import plugin_host

    member = isolated.member("S003")
    with app.test_request_context():
        m = db.session.get(Member, member["id"])
        usable = plugin_host().member_usable
        for purpose in ("stored_value", "points", "coupon", "pay_code", "member", "wallet"):
            assert usable(member=m, store_id=isolated.store_id("S001"), purpose=purpose).code == (
                "MEMBER_NOT_IN_GROUP"
            )
            assert usable(member=m, store_id=isolated.store_id("S003"), purpose=purpose) is None
            assert usable(member=m, store_id=None, purpose=purpose) is None  # HQ


def test_recharge_and_wallet_are_refused_outside_the_group(isolated, api_as, app):
    member = isolated.member("S003", stored_value_fen=1000)
    pos = api_as("pos1")
    before = _ledger_rows(app, member["id"])
    body = {"member_id": member["id"], "amount_fen": 100}
    recharge = pos.post("/api/v1/pos/stored-value/recharge", json=body)
    assert recharge.status_code == 403 and error_code(recharge) == "MEMBER_NOT_IN_GROUP"
    wallet = pos.get(f"/api/v1/pos/members/{member['id']}/wallet")
    assert wallet.status_code == 403 and error_code(wallet) == "MEMBER_NOT_IN_GROUP"
    assert _ledger_rows(app, member["id"]) == before
    # the member's own group
    s3 = api_as("hq")  # HQ has no store: nothing to refuse
    assert s3.get(f"/api/v1/pos/members/{member['id']}/wallet").status_code == 200


def test_exact_phone_lookup_across_groups_is_masked_and_flagged_in_both_languages(isolated, api_as):
    member = isolated.member("S003", name="刘洋")
    pos = api_as("pos1")
    zh = pos.get("/api/v1/pos/members", query_string={"phone": member["phone"]},
                 headers={"Accept-Language": "zh"}).get_json()["result"]
    en = pos.get("/api/v1/pos/members", query_string={"phone": member["phone"]},
                 headers={"Accept-Language": "en"}).get_json()["result"]
    assert zh[0]["available"] is False and zh[0]["name"] == "刘*"
    assert zh[0]["notice"] == "该会员在本共享组不可用。"
    assert en[0]["notice"] == "This member is not available in this group."
    # not by a partial phone, not by member no. or name
    for q in (member["phone"][:10], member["member_no"], "刘洋"):
        assert pos.get("/api/v1/pos/members", query_string={"q": q}).get_json()["result"] == []


def test_disabling_the_plugin_restores_plain_behaviour_at_once(isolated, api_as, app, sku):
    member = isolated.member("S003", name="刘洋", stored_value_fen=20000)
    isolated.settings(mask=True, other_store=False, other_staff=False)
    pos = api_as("pos1")
    assert sale(pos, sku, member["id"], method="stored_value").status_code == 403
    with app.app_context():
        isolated.host.set_enabled("member_privacy", False)
    found = pos.get("/api/v1/pos/members", query_string={"phone": member["phone"]}).get_json()["result"]
    assert found[0]["name"] == "刘洋" and found[0]["phone"] == member["phone"] and found[0]["available"]
    assert pos.get(f"/api/v1/pos/members/{member['id']}/wallet").status_code == 200
    assert sale(pos, sku, member["id"], method="stored_value").status_code == 201
    with app.app_context():
        isolated.host.set_enabled("member_privacy", True)
    assert pos.get(f"/api/v1/pos/members/{member['id']}/wallet").status_code == 403


def test_a_recharge_voucher_cannot_top_up_a_member_of_another_group(isolated, api_as, app):
    """The coupons plugin asks the core's POS member checks for a member named in the request."""
    import secrets
    from datetime import date

    from app.loyalty.services import stored_value_balance
    from app.org.models import Store
    from plugins.coupons.generation import request_generation
    from plugins.coupons.models import Coupon, CouponRule
    from plugins.coupons.rules import validate_rule
    from plugins.coupons.services import collect_coupons, get_coupon, issue_physical

    member = isolated.member("S003")
    with app.app_context():
        s001 = db.session.query(Store).filter_by(code="S001").one().id
        rule = CouponRule(name="跨组充值券", medium="physical", kind="normal", offer_type="recharge",
                          face_value_fen=10000, recharge_code_length=16, total_count=1,
                          code_prefix=f"X{secrets.token_hex(3).upper()}", code_length=6, start_value=0,
                          min_order_fen=0, effective_date=date.today(), validity_type="days", valid_days=30)
        validate_rule(rule)
        rule.status = "audited"
        db.session.add(rule)
        db.session.commit()
        request_generation(db.session.get(CouponRule, rule.id))
        code = db.session.query(Coupon).filter_by(rule_id=rule.id).one().code
        collect_coupons([get_coupon(code).id], s001)
        issue_physical(get_coupon(code).id, s001, None)
    answer = api_as("pos1").post(f"/api/v1/pos/coupons/{code}/redeem",
                                 json={"order_total_fen": 0, "member_id": member["id"]})
    assert answer.status_code == 403 and error_code(answer) == "MEMBER_NOT_IN_GROUP"
    with app.app_context():
        assert stored_value_balance(member["id"]) == 0
        assert get_coupon(code).status == "issued"
