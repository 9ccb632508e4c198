"""Helpers of the recycle plugin's tests: orders, providers and their users."""

from __future__ import annotations

from app.extensions import db
from tests.support.images import png


def make_order(app, store_code: str = "S001", mode: str = "self_operated", provider_id=None, **fields):
    """A pending trade-in order written directly (for unit tests of the services); inside an app
    context."""
    from app.org.models import Store
    from app.unit_of_work import unit_of_work
    from plugins.recycle.models import RecycleOrder
    from plugins.recycle.services import next_order_no

    store = db.session.query(Store).filter_by(code=store_code).one()
    with unit_of_work():
        order = RecycleOrder(
            order_no=next_order_no(store.id),
            store_id=store.id,
            mode=mode,
            provider_id=provider_id,
            category="phone",
            brand="Apple",
            model="iPhone 13",
            customer_phone="13912345678",
            **fields,
        )
        db.session.add(order)
    return order


VALID_IMEI = "490154203237518"  # Luhn-valid
PNG = png(8, 8, (40, 120, 200))  # a real image: a photo is judged by its content (Pillow reads it)
FAKE_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40  # a PNG's first bytes, no image


def photo_body(data: bytes = PNG) -> dict:
    import base64

    return {"data": base64.b64encode(data).decode()}


def upload_photo(api, data: bytes = PNG) -> int:
    answer = api.post("/api/v1/pos/recycle/photos", json=photo_body(data))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["result"]["id"]


def trade_in_body(photo_ids, **changes) -> dict:
    body = {
        "mode": "self_operated",
        "category": "phone",
        "brand": "Apple",
        "model": "iPhone 13",
        "capacity": "128G",
        "colour": "蓝色",
        "imei": VALID_IMEI,
        "condition": ["powers_on", "screen_intact"],
        "customer_phone": "13912345678",
        "customer_name": "王先生",
        "photo_ids": list(photo_ids),
    }
    body.update(changes)
    return body


def create_trade_in(api, **changes) -> dict:
    """A trade-in taken in through ``pos/recycle/orders`` by ``api``'s account; its JSON."""
    answer = api.post("/api/v1/pos/recycle/orders", json=trade_in_body([upload_photo(api)], **changes))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["result"]


def demo_provider_id(app) -> int:
    from plugins.recycle.demo import DEMO_PROVIDER
    from plugins.recycle.models import RecycleProvider

    with app.app_context():
        return db.session.query(RecycleProvider).filter_by(name=DEMO_PROVIDER).one().id


def add_provider(app, name: str, username: str) -> int:
    """A service provider with one login ``username`` (role ServiceProvider) bound to it (once)."""
    from app.platform.staff import Staff
    from plugins.recycle.models import RecycleProvider, RecycleProviderUser
    from tests.support.app import PASSWORD

    with app.app_context():
        provider = db.session.query(RecycleProvider).filter_by(name=name).one_or_none()
        if provider is None:
            provider = RecycleProvider(name=name, contact_name=name, contact_phone="13800000999")
            db.session.add(provider)
            db.session.flush()
        sm = app.appbuilder.sm
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(
                username,
                username,
                "",
                f"{username}@demo.local",
                sm.find_role("ServiceProvider"),
                password=PASSWORD,
            )
            db.session.add(
                Staff(user_id=user.id, store_id=None, employee_no=f"V{user.id:04d}", name=username)
            )
            db.session.add(RecycleProviderUser(user_id=user.id, provider_id=provider.id))
        db.session.commit()
        return provider.id
