"""Helpers of the coupons plugin tests (imported by conftest and the tests)."""

import itertools
import secrets
from datetime import date

from app.extensions import db  # noqa: F401

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_seq):03d}{secrets.token_hex(3).upper()}"


def build_rule(**fields):
    """An unsaved valid electronic cash rule; ``fields`` override."""
    from plugins.coupons.models import CouponRule

    values = dict(
        name="测试券",
        medium="electronic",
        kind="normal",
        offer_type="cash",
        face_value_fen=1000,
        effective_date=date.today(),
        validity_type="days",
        valid_days=30,
        code_prefix=unique("C"),
        code_length=6,
        total_count=100,
        start_value=0,
        min_order_fen=0,
    )
    values.update(fields)
    return CouponRule(**values)


def mall(app, member):
    """A test client and headers of a member token."""
    return app.test_client(), {"Authorization": f"Bearer {member['token']}"}


def issue(app, rule_id, member_id, channel="admin"):
    from plugins.coupons.services import issue_coupon

    with app.app_context():
        coupon = issue_coupon(rule_id, member_id, channel, commit=True)
        return coupon.code


def error_code(response):
    return response.get_json()["error"]["code"]
