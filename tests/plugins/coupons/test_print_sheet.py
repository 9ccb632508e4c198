"""Printable coupon sheets: codes with server-drawn QR codes, the coupon list's read right
and store scope (store staff print only coupons collected to their store)."""

from __future__ import annotations

import re

from app.extensions import db


def _gift_rule_id(app) -> int:
    from plugins.coupons.demo import DEMO_GIFT
    from plugins.coupons.models import CouponRule

    with app.app_context():
        return db.session.query(CouponRule.id).filter_by(name=DEMO_GIFT).scalar()


def test_hq_prints_every_coupon_with_a_qr_code(app, client_as):
    response = client_as("hq").get(f"/print/coupons/rule/{_gift_rule_id(app)}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    codes = re.findall(r'data-code="(PG\d{6})"', html)
    assert codes == [f"PG{n:06d}" for n in range(1, 21)]  # 10 collected to S001, 10 still generated
    assert html.count("<svg") == 20 and "<?xml" not in html
    assert "size: A4" in html and "data-print" in html


def test_store_staff_print_only_their_stores_coupons(app, client_as):
    url = f"/print/coupons/rule/{_gift_rule_id(app)}"
    s001 = re.findall(r'data-code="(PG\d{6})"', client_as("manager1").get(url).get_data(as_text=True))
    assert s001 == [f"PG{n:06d}" for n in range(1, 11)]
    s002 = client_as("cashier2").get(url)
    assert s002.status_code == 200 and "data-code=" not in s002.get_data(as_text=True)


def test_status_filter_and_permissions(app, client_as):
    url = f"/print/coupons/rule/{_gift_rule_id(app)}"
    generated = client_as("hq").get(f"{url}?status=generated").get_data(as_text=True)
    assert re.findall(r'data-code="(PG\d{6})"', generated) == [f"PG{n:06d}" for n in range(11, 21)]
    assert client_as("guide1").get(url).status_code == 403  # guides do not read coupons
    assert client_as("hq").get("/print/coupons/rule/999999999").status_code == 404


def test_the_qr_code_encodes_the_coupon_code():
    from app.qr import qr_svg

    svg = qr_svg("PG000001")
    assert svg.startswith("<svg") and 'viewBox="0 0' in svg
    assert qr_svg("PG000001") == svg and qr_svg("PG000002") != svg


def test_the_manuals_pos_examples_work_on_the_demo(app, api_as):
    """docs/plugins/coupons.md, POS API section: the codes it names exist in the demo."""
    from plugins.coupons.services import get_coupon

    with app.app_context():
        owner = get_coupon("DC000001").member_id  # a member's coupon: the member is on the sale
    pos = api_as("pos1")  # S001
    assert pos.get("/api/v1/pos/coupons/DC000001?order_total_fen=8800").status_code == 403
    looked_up = pos.get(f"/api/v1/pos/coupons/DC000001?order_total_fen=8800&member_id={owner}")
    assert looked_up.status_code == 200, looked_up.get_data(as_text=True)
    gift = pos.post("/api/v1/pos/coupons/PG000001/gift-code")
    assert gift.status_code == 201, gift.get_data(as_text=True)
    assert gift.get_json()["result"]["token"]
    # another store cannot give S001's coupon away
    assert api_as("cashier2").post("/api/v1/pos/coupons/PG000001/gift-code").status_code == 404
