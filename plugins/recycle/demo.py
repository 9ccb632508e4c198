"""Demo data: one service provider, with the demo login ``provider1`` bound to it, and a few
trade-ins at store S001 in every mode and state, made through the services as a guide, HQ
and the provider would (photos, quotes, a bid, settlements): pending review, quoted with a
payment code to show, paid by a purchase credit, completed, cancelled, open for bids."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.org.models import Store
from app.platform.staff import Staff
from app.unit_of_work import unit_of_work
from plugins.recycle import bidding, services, settlement
from plugins.recycle.models import RecycleOrder, RecycleProvider, RecycleProviderUser

DEMO_PROVIDER = "绿环回收服务商"
DEMO_REMARK = "演示数据 / demo"  # marks the demo's trade-ins (a second run adds none)
DEMO_STORE = "S001"

# (mode, settlement method, device, customer phone, customer name, quote in fen, how far it goes)
DEMO_ORDERS = (
    ("self_operated", "payment_code", ("phone", "Apple", "iPhone 12", "128G", "黑色"),
     "13900000011", "周先生", None, "pending"),
    ("self_operated", "payment_code", ("phone", "Huawei", "Mate 40 Pro", "256G", "银色"),
     "13900000012", "吴女士", 180_000, "settling"),
    ("half_package", "purchase_credit", ("tablet", "Apple", "iPad Air 4", "64G", "蓝色"),
     "13900000013", "郑先生", 150_000, "paid"),
    ("full_package", "purchase_credit", ("phone", "Xiaomi", "Mi 11", "256G", "白色"),
     "13900000014", "王女士", 90_000, "completed"),
    ("data_authorized", "payment_code", ("laptop", "Lenovo", "ThinkPad X1", "512G", "黑色"),
     "13900000015", "冯先生", None, "cancelled"),
    ("bidding", "payment_code", ("phone", "OPPO", "Find X3", "256G", "蓝色"),
     "13900000016", "陈女士", 120_000, "bid"),
)



def _photo() -> bytes:
    """A small PNG standing for a photo of the device."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 200), (70, 90, 120)).save(buffer, format="PNG")
    return buffer.getvalue()


def _seed_provider() -> int:
    added = 0
    with unit_of_work():
        provider = db.session.query(RecycleProvider).filter_by(name=DEMO_PROVIDER).one_or_none()
        if provider is None:
            provider = RecycleProvider(name=DEMO_PROVIDER, contact_name="李经理", contact_phone="13800000901",
                                       settlement_account="6222 0000 0000 0901")
            db.session.add(provider)
            db.session.flush()
            added += 1
        user = _user("provider1")
        bound = user is not None and db.session.query(RecycleProviderUser).filter_by(user_id=user.id).first()
        if user is not None and not bound:
            db.session.add(RecycleProviderUser(user_id=user.id, provider_id=provider.id))
            added += 1
    return added


def _user(username: str):
    from flask_appbuilder.security.sqla.models import User

    return db.session.query(User).filter_by(username=username).one_or_none()


def _seed_orders() -> int:
    """The demo trade-ins (none when they exist already or the demo logins are missing)."""
    guide, hq, reviewer = _user("guide1"), _user("hq"), _user("provider1")
    store = db.session.scalar(select(Store).where(Store.code == DEMO_STORE))
    done = db.session.scalar(select(RecycleOrder.id).where(RecycleOrder.remark == DEMO_REMARK).limit(1))
    if done is not None or None in (guide, hq, reviewer, store):
        return 0
    staff = db.session.scalar(select(Staff).where(Staff.user_id == guide.id))
    provider_id = services.provider_id_of(reviewer)
    photo = _photo()
    for number, (mode, method, device, phone, name, quote_fen, goal) in enumerate(DEMO_ORDERS):
        category, brand, model, capacity, colour = device
        order = services.create_order(guide, store.id, staff.id if staff else None, {
            "mode": mode, "provider_id": provider_id if mode in ("half_package", "full_package") else None,
            "settlement_method": method, "category": category, "brand": brand, "model": model,
            "capacity": capacity, "colour": colour, "remark": DEMO_REMARK,
            "imei": f"35693803{number:06d}" + services.luhn_digit(f"35693803{number:06d}"),
            "condition": ["powers_on", "screen_intact", "battery_ok", "account_removed"],
            "customer_phone": phone, "customer_name": name,
            "photo_ids": [services.save_photo(store.id, guide, photo).id],
        })
        if goal == "cancelled":
            services.cancel(guide, order.id, "顾客改变主意 / the customer changed their mind")
        elif goal == "bid":
            bidding.place_bid(order.id, quote_fen, reviewer, provider_id)
        elif quote_fen is not None:
            quoter = hq if mode in ("self_operated", "data_authorized") else reviewer
            order = services.quote(quoter, order.id, quote_fen)
            if goal in ("paid", "completed", "settling"):
                settlement.settle(order, guide)
            if goal == "completed":
                settlement.complete(db.session.get(RecycleOrder, order.id), guide)
    return len(DEMO_ORDERS)


def seed_demo() -> int:
    """Idempotent: a second run adds nothing.  Returns how many rows it added."""
    added = _seed_provider()
    return added + _seed_orders()
