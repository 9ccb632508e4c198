"""Gift binding code (F0.5): signed, expiring, one-time token shown as a QR PNG; bound in the mall."""

import base64
import struct
from datetime import datetime, timedelta

import pytest

from app.extensions import db
from tests.support.coupons import error_code, make_rule_fixture, mall, new_member_fixture  # noqa: F401 (fixtures)


def _collected_coupon(app, make_rule, store="S001", **fields):
    from app.org.models import Store
    from plugins.coupons.generation import request_generation
    from plugins.coupons.models import Coupon, CouponRule
    from plugins.coupons.services import collect_coupons

    rule_id = make_rule(medium="physical", total_count=1, **fields)
    with app.app_context():
        request_generation(db.session.get(CouponRule, rule_id))
        coupon = db.session.query(Coupon).filter_by(rule_id=rule_id).one()
        collect_coupons([coupon.id], db.session.query(Store).filter_by(code=store).one().id)
        return rule_id, coupon.code


def _gift_code(api_as, code, user="pos1"):
    return api_as(user).post(f"/api/v1/pos/coupons/{code}/gift-code")


def test_gift_code_is_a_qr_png_and_binds_once(app, api_as, make_rule, new_member):
    _, code = _collected_coupon(app, make_rule)
    response = _gift_code(api_as, code)
    assert response.status_code == 201, response.get_json()
    result = response.get_json()["result"]
    png = base64.b64decode(result["qr_png_base64"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height and width >= 21 * 6
    assert "/api/v1/mall/coupons/bind/" in result["url"] and result["token"] in result["url"]
    image = app.test_client().get(result["qr_png_url"])
    assert image.status_code == 200 and image.mimetype == "image/png"
    member = new_member()
    client, headers = mall(app, member)
    bound = client.post("/api/v1/mall/coupons/bind", headers=headers, json={"token": result["token"]})
    assert bound.status_code == 200, bound.get_json()
    coupon = bound.get_json()["result"]
    assert coupon["member_id"] == member["id"] and coupon["status"] == "issued" and coupon["valid_to"]
    other, other_headers = mall(app, new_member())
    reused = other.post("/api/v1/mall/coupons/bind", headers=other_headers, json={"token": result["token"]})
    assert reused.status_code == 409 and error_code(reused) == "GIFT_TOKEN_USED"
    assert _gift_code(api_as, code).status_code == 409  # now held by a member: not giftable


def test_forged_and_expired_tokens_are_refused(app, api_as, make_rule, new_member, monkeypatch):
    from plugins.coupons.models import GiftToken

    _, code = _collected_coupon(app, make_rule)
    token = _gift_code(api_as, code).get_json()["result"]["token"]
    client, headers = mall(app, new_member())
    forged = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    response = client.post("/api/v1/mall/coupons/bind", headers=headers, json={"token": forged})
    assert response.status_code == 400 and error_code(response) == "GIFT_TOKEN_INVALID"
    response = client.post("/api/v1/mall/coupons/bind", headers=headers, json={"token": "not-a-token"})
    assert error_code(response) == "GIFT_TOKEN_INVALID"
    with app.app_context():
        db.session.query(GiftToken).update({"expires_on": datetime.now() - timedelta(seconds=1)})
        db.session.commit()
    expired = client.post("/api/v1/mall/coupons/bind", headers=headers, json={"token": token})
    assert expired.status_code == 410 and error_code(expired) == "GIFT_TOKEN_EXPIRED"
    # a token whose signature is older than the lifetime is refused by its signature alone
    import itsdangerous.timed

    fresh = _gift_code(api_as, code).get_json()["result"]["token"]
    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() + 31 * 60)
    late = client.post("/api/v1/mall/coupons/bind", headers=headers, json={"token": fresh})
    assert late.status_code == 410 and error_code(late) == "GIFT_TOKEN_EXPIRED"


def test_gift_code_only_for_the_stores_own_giftable_coupon(app, api_as, make_rule, new_member):
    from plugins.coupons.models import CouponRule
    from plugins.coupons.rules import set_disabled

    rule_id, code = _collected_coupon(app, make_rule)
    assert _gift_code(api_as, code, "cashier2").status_code == 404
    with app.app_context():
        set_disabled(db.session.get(CouponRule, rule_id), True)
    assert error_code(_gift_code(api_as, code)) == "COUPON_RULE_DISABLED"


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_racing_binds_of_one_token_bind_once(app, api_as, make_rule, new_member, is_postgres):
    import threading

    from plugins.coupons.models import Coupon

    _, code = _collected_coupon(app, make_rule)
    token = _gift_code(api_as, code).get_json()["result"]["token"]
    members = [new_member() for _ in range(20 if is_postgres else 5)]
    barrier = threading.Barrier(len(members))
    results = []

    def bind(member):
        client, headers = mall(app, member)
        barrier.wait()
        response = client.post("/api/v1/mall/coupons/bind", headers=headers, json={"token": token})
        results.append(response.status_code if response.status_code == 200 else error_code(response))

    workers = [threading.Thread(target=bind, args=(m,)) for m in members]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert results.count(200) == 1
    assert set(results) - {200} <= {"GIFT_TOKEN_USED", "BUSY_RETRY"}
    with app.app_context():
        owner = db.session.query(Coupon).filter_by(code=code).one().member_id
        assert owner in {m["id"] for m in members}
