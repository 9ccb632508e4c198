"""Helpers of the recycle plugin's bidding / settlement / export tests."""

from __future__ import annotations

import itertools
import secrets
from datetime import datetime, timedelta

from app.extensions import db
from tests.support.app import PASSWORD

_seq = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_seq):03d}{secrets.token_hex(3)}"


def error_code(response):
    return response.get_json()["error"]["code"]


def make_provider(app, name: str | None = None) -> dict:
    """A service provider with one login of role ServiceProvider bound to it."""
    from app.roles import SERVICE_PROVIDER
    from plugins.recycle.models import RecycleProvider, RecycleProviderUser

    username = unique("prov")
    with app.app_context():
        sm = app.appbuilder.sm
        provider = RecycleProvider(name=name or unique("回收商"), contact_phone="13800000000")
        db.session.add(provider)
        user = sm.add_user(username, username, "", f"{username}@demo.local", sm.find_role(SERVICE_PROVIDER),
                           password=PASSWORD)
        db.session.add(RecycleProviderUser(user_id=user.id, provider_id=provider.id))
        db.session.commit()
        return {"id": provider.id, "username": username, "user_id": user.id, "name": provider.name}


def make_order(app, mode: str = "bidding", state: str = "pending_review", store_code: str = "S001",
               quote_fen: int | None = None, settlement_method: str = "payment_code",
               provider_id: int | None = None, **fields) -> int:
    """A trade-in order row (as the owner's create service leaves it), in ``state``."""
    from app.org.models import Store
    from plugins.recycle.models import RecycleOrder

    with app.app_context():
        store = db.session.query(Store).filter_by(code=store_code).one()
        values = dict(
            order_no=unique("RT"), store_id=store.id, customer_phone="13912345678", customer_name="张三",
            mode=mode, provider_id=provider_id, settlement_method=settlement_method, category="phone",
            brand="Apple", model="iPhone 13", capacity="128G", colour="黑色", imei="490154203237518",
            state=state, quote_fen=quote_fen,
        )
        values.update(fields)
        order = RecycleOrder(**values)
        db.session.add(order)
        db.session.commit()
        return order.id


def open_bidding(app, order_id: int, minutes: int = 60, min_bid_fen: int = 10000) -> None:
    from plugins.recycle.bidding import open_bidding as open_

    with app.app_context():
        open_(order_id, None, minutes, min_bid_fen)
        db.session.commit()


def move_deadline(app, order_id: int, seconds_from_now: float) -> None:
    """Put the order's bidding deadline ``seconds_from_now`` away (negative: passed)."""
    from sqlalchemy import update

    from plugins.recycle.models import RecycleBidding

    with app.app_context():
        db.session.execute(update(RecycleBidding).where(RecycleBidding.order_id == order_id)
                           .values(deadline=datetime.now() + timedelta(seconds=seconds_from_now)))
        db.session.commit()


def order_state(app, order_id: int) -> str:
    from plugins.recycle.models import RecycleOrder

    with app.app_context():
        return db.session.get(RecycleOrder, order_id, populate_existing=True).state
