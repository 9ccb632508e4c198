"""Fixtures and helpers of the member_privacy tests.

Test modules import the fixtures (``privacy_fixture``, ``sku_fixture``).

``privacy`` turns the plugin on (and the test plugin ``sample``, which masks
phones itself, off) for one test, and restores everything afterwards.
"""

from __future__ import annotations

import random

import pytest

from app.extensions import db
from tests.support.members import new_phone

PLUGIN = "member_privacy"
KEYS = {
    "mask": "member_privacy.mask_on_pos",
    "other_store": "member_privacy.other_store_may_view",
    "other_staff": "member_privacy.other_staff_may_view",
    "isolation": "member_privacy.isolation",
}
# what every test starts from: nothing restricted, nothing masked (tests switch rules on)
OPEN = {"mask": False, "other_store": True, "other_staff": True, "isolation": False}

def masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def error_code(response) -> str:
    body = response.get_json()
    assert set(body) == {"error"}, body
    return body["error"]["code"]


class Privacy:
    def __init__(self, app):
        self.app = app
        self.host = app.extensions["retail_plugins"]

    def settings(self, **values) -> None:
        from app.platform.settings import set_setting

        with self.app.app_context():
            for name, value in values.items():
                set_setting(KEYS[name], value)

    def store_id(self, code: str) -> int:
        from app.org.models import Store

        with self.app.app_context():
            return db.session.query(Store).filter_by(code=code).one().id

    def staff_id(self, employee_no: str) -> int:
        from app.platform.staff import Staff

        with self.app.app_context():
            return db.session.query(Staff).filter_by(employee_no=employee_no).one().id

    def group(self, name: str, *codes: str) -> int:
        from app.org.models import Store
        from plugins.member_privacy.models import ShareGroup
        from plugins.member_privacy.services import groups_changed

        with self.app.app_context():
            stores = db.session.query(Store).filter(Store.code.in_(codes)).all()
            group = ShareGroup(name=name, note="", stores=stores)
            db.session.add(group)
            groups_changed()  # commits and tells the workers
            return group.id

    def member(self, store: str | None, name: str = "陈晓明", developer: str | None = None,
               stored_value_fen: int = 0, points: int = 0) -> dict:
        """A new active member of ``store`` developed by employee ``developer``."""
        from app.loyalty.services import change_points, change_stored_value
        from app.members.models import Member
        from app.members.services import create_member

        phone = new_phone()
        home = self.store_id(store) if store else None
        developer_id = self.staff_id(developer) if developer else None
        with self.app.app_context():
            member = create_member(phone, name, home, developer_staff_id=developer_id, channel="admin")
            member = db.session.get(Member, member.id)
            member.status = "active"
            if stored_value_fen:
                change_stored_value(member.id, stored_value_fen, "recharge", "TEST", home)
            if points:
                change_points(member.id, points, "adjust", "TEST", home)
            db.session.commit()
            return {"id": member.id, "phone": phone, "name": name, "member_no": member.member_no,
                    "store": store, "developer": developer}


def _reset(app) -> None:
    from app.platform.caches import bump_config_version
    from app.platform.models import Setting
    from plugins.member_privacy.models import ShareGroup

    with app.app_context():
        for group in db.session.query(ShareGroup).all():
            db.session.delete(group)
        db.session.query(Setting).filter(Setting.key.like(f"{PLUGIN}.%")).delete(synchronize_session=False)
        bump_config_version()  # whoever writes core_setting rows tells the workers
        db.session.commit()


@pytest.fixture(name="privacy")
def privacy_fixture(app):
    host = app.extensions["retail_plugins"]
    with app.app_context():
        host.set_enabled("sample_addon", False)
        host.set_enabled("sample", False)
        host.set_enabled(PLUGIN, True)
    helper = Privacy(app)
    helper.settings(**OPEN)
    yield helper
    with app.app_context():
        host.set_enabled(PLUGIN, False)
        _reset(app)
        host.set_enabled("sample", True)
        host.set_enabled("sample_addon", True)


_sku_seq = iter(range(1, 1_000_000))


@pytest.fixture(name="sku")
def sku_fixture(app):
    """A SKU at 50.00 yuan with 100 in stock in every store."""
    from app.catalog.models import Product, Sku
    from app.inventory.services import move_stock
    from app.org.models import Store

    with app.app_context():
        code = f"MP{next(_sku_seq):05d}{random.randrange(10**4):04d}"
        product = Product(code=code, name=f"隐私测试 {code}")
        item = Sku(product=product, sku_code=f"{code}-M", barcode=f"68{code}", spec="M", price_fen=5000)
        db.session.add_all([product, item])
        db.session.flush()
        for store in db.session.query(Store).all():
            move_stock(store.id, item.id, 100, "purchase_in", f"TEST-{code}")
        db.session.commit()
        return item.sku_code


def sale(api, sku_code: str, member_id: int | None, method: str = "cash", points_used: int = 0):
    due = 5000 - points_used * 1  # fen_per_point is 1 in the demo settings (checked by the caller)
    body = {"lines": [{"sku_code": sku_code, "qty": 1}], "payments": [{"method": method, "amount_fen": due}],
            "member_id": member_id, "points_used": points_used}
    return api.post("/api/v1/pos/orders", json=body)
