"""Plugin-level behaviour: demo data, localized errors, endpoints of a disabled plugin, OpenAPI rows."""

from app.extensions import db
from tests.support.coupons import error_code, issue, make_rule_fixture, new_member_fixture  # noqa: F401 (fixtures)


def test_demo_data_is_seeded_once(app):
    from app.demo import seed_demo
    from plugins.coupons.demo import DEMO_CASH, DEMO_CLAIM
    from plugins.coupons.models import Coupon, CouponRule

    with app.app_context():

        def counts():
            return db.session.query(CouponRule).count(), db.session.query(Coupon).count()

        cash = db.session.query(CouponRule).filter_by(name=DEMO_CASH).one()
        assert cash.status == "audited" and cash.issued_count >= 1
        claim = db.session.query(CouponRule).filter_by(name=DEMO_CLAIM).one()
        assert claim.medium == "electronic" and claim.sale_price_fen is None
        before = counts()
        seed_demo("demo1234")
        assert counts() == before


def test_errors_follow_accept_language(app, api_as, make_rule, new_member):
    member_id = new_member()["id"]
    code = issue(app, make_rule(), member_id)
    pos = api_as("pos1")
    sale = {"order_total_fen": 5000, "member_id": member_id}
    assert pos.post(f"/api/v1/pos/coupons/{code}/redeem", json=sale).status_code == 201
    zh = pos.post(
        f"/api/v1/pos/coupons/{code}/redeem",
        json={"order_total_fen": 5000, "member_id": member_id},
        headers={"Accept-Language": "zh"},
    )
    en = pos.post(
        f"/api/v1/pos/coupons/{code}/redeem",
        json={"order_total_fen": 5000, "member_id": member_id},
        headers={"Accept-Language": "en"},
    )
    assert zh.get_json()["error"]["message"] == "该优惠券已核销。"
    assert en.get_json()["error"]["message"] == "This coupon was redeemed already."
    assert error_code(en) == "COUPON_ALREADY_REDEEMED"


def test_endpoints_of_the_disabled_plugin_answer_404(app, api_as, make_rule, new_member):
    member_id = new_member()["id"]
    code = issue(app, make_rule(), member_id)
    pos = api_as("pos1")
    host = app.extensions["retail_plugins"]
    with app.app_context():
        host.set_enabled("points_mall", False)  # depends on coupons: off first
        host.set_enabled("coupons", False)
        db.session.commit()
    try:
        assert pos.get(f"/api/v1/pos/coupons/{code}").status_code == 404
        assert "coupon" not in _methods(app)
    finally:
        with app.app_context():
            host.set_enabled("coupons", True)
            host.set_enabled("points_mall", True)
            db.session.commit()
    assert pos.get(f"/api/v1/pos/coupons/{code}?member_id={member_id}").status_code == 200


def _methods(app):
    from app.sales.tenders import tender_handlers

    with app.test_request_context():
        return list(tender_handlers())


def test_openapi_documents_the_coupon_rows(admin_client):
    spec = admin_client.get("/api/v1/_openapi")
    assert spec.status_code == 200
    paths = spec.get_json()["paths"]
    for path in (
        "/api/v1/pos/coupons/{code}",
        "/api/v1/pos/coupons/{code}/redeem",
        "/api/v1/pos/coupons",
        "/api/v1/mall/coupons/rules/{rule_id}/claim",
        "/api/v1/mall/coupons/bind",
    ):
        assert path in paths, path
    assert "COUPON_ALREADY_REDEEMED" in str(paths["/api/v1/pos/coupons/{code}/redeem"])
