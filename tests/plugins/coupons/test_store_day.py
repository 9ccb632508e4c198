"""Coupon validity runs on the store's clock (``core.time_zone``), not the server's: at 00:30
in Beijing a coupon valid to yesterday has expired, though a UTC server is still on it."""

from datetime import UTC, date, datetime

from app.extensions import db
from tests.support.clock import frozen_at, utc_server_fixture  # noqa: F401 (fixture)
from tests.support.coupons import issue, make_rule_fixture, new_member_fixture  # noqa: F401


def _valid_until(app, code: str, last_day: date) -> None:
    from plugins.coupons.models import Coupon

    with app.app_context():
        coupon = db.session.query(Coupon).filter_by(code=code).one()
        coupon.valid_from, coupon.valid_to = date(2031, 1, 1), last_day
        db.session.commit()


def test_a_coupon_expires_at_the_store_midnight(app, api_as, make_rule, new_member, utc_server, monkeypatch):
    member = new_member()
    code = issue(app, make_rule(), member["id"])
    _valid_until(app, code, date(2031, 6, 30))
    pos = api_as("pos1")
    frozen_at(monkeypatch, datetime(2031, 6, 30, 15, 30, tzinfo=UTC))  # 23:30 in Beijing: the last day
    url = f"/api/v1/pos/coupons/{code}?order_total_fen=100000&member_id={member['id']}"
    first = pos.get(url)
    assert first.status_code == 200
    assert first.get_json()["result"]["usable"] is True
    frozen_at(monkeypatch, datetime(2031, 6, 30, 16, 30, tzinfo=UTC))  # 00:30 on 1 July in Beijing
    late = pos.get(url)
    assert late.status_code == 200
    verdict = late.get_json()["result"]
    assert (verdict["usable"], verdict["reason"]) == (False, "COUPON_EXPIRED")
