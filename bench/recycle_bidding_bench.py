"""Recycle plugin (bidding part): trade-in export vs a bare CSV dump, and bid throughput.

    .venv/bin/python bench/recycle_bidding_bench.py [--orders 20000] [--bids 1000] [--pg postgresql://...]

Builds a fresh database (a temporary SQLite file, or ``retail_bench_recycle_<pid>`` on the
PostgreSQL server given with ``--pg``; schema by the migrations, demo data seeded), then:

1. export: ``--orders`` trade-ins bulk-inserted, exported as CSV with every optional column
   through the admin page (``/recycle-export/download``, HQ login, streamed, role-scoped
   query read in batches), against a bare baseline: the same rows selected with SQLAlchemy
   Core and written with ``csv.writer``.  Prints both times and the ratio (target: within 3×).
2. bids: ``--bids`` bids of ten providers on one open bidding order, through
   ``POST /api/v1/recycle/bidding/<id>/bids`` (in-process client, one request each: the
   guarded UPDATE on the bidding row, the insert) and through the service alone; then the
   close (``winning_provider_id``) once.  Prints bids per second and the close time.
The database is removed at the end.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="recycle-bench-"))
os.environ.setdefault("RETAIL_INSTANCE_DIR", str(TMP / "instance"))
os.environ.setdefault("SECRET_KEY", uuid.uuid4().hex * 2)

TARGET_RATIO = 3.0
PROVIDERS = 10


def database(pg: str | None) -> tuple[str, callable]:
    if not pg:
        return f"sqlite:///{TMP / 'bench.db'}", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(pg)
    name = f"retail_bench_recycle_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def insert_orders(count: int) -> None:
    from sqlalchemy import insert

    from app.extensions import db
    from app.org.models import Store
    from plugins.recycle.models import RecycleOrder

    store_ids = [s.id for s in db.session.query(Store).all()]
    now = datetime.now()
    rows = [
        {"order_no": f"BENCH{n:08d}", "store_id": store_ids[n % len(store_ids)],
         "customer_phone": "13912345678",
         "customer_name": "张三", "mode": "self_operated", "settlement_method": "payment_code",
         "category": "phone", "brand": "Apple", "model": "iPhone 13", "capacity": "128G", "colour": "黑色",
         "imei": "490154203237518", "serial_no": "", "remark": "", "state": "quoted", "quote_fen": 100000 + n,
         "requote_count": 0, "created_on": now, "changed_on": now}
        for n in range(count)
    ]
    db.session.execute(insert(RecycleOrder), rows)
    db.session.commit()


def export_over_http(app) -> tuple[float, int]:
    client = app.test_client()
    client.post("/login/", data={"username": "hq", "password": "demo1234"})
    keys = ("category", "capacity", "colour", "serial_no", "customer_name", "customer_phone", "guide",
            "provider", "settlement_method", "quoted_at", "paid_at", "completed_at", "requote_count",
            "remark")
    fields = "&".join(f"fields={key}" for key in keys)
    started = time.perf_counter()
    response = client.get(f"/recycle-export/download?q=BENCH&{fields}")
    body = response.get_data()
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, body[:300]
    return elapsed, body.count(b"\n") - 1


def export_bare() -> tuple[float, int]:
    from sqlalchemy import select

    from app.extensions import db
    from app.org.models import Store
    from plugins.recycle.models import RecycleOrder as O

    started = time.perf_counter()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    query = (select(O.order_no, O.created_on, Store.name, O.mode, O.state, O.brand, O.model, O.imei,
                    O.quote_fen, O.category, O.capacity, O.colour, O.serial_no, O.customer_name,
                    O.customer_phone, O.settlement_method, O.quoted_at, O.paid_at, O.completed_at,
                    O.requote_count, O.remark)
             .join(Store, Store.id == O.store_id).where(O.order_no.like("BENCH%")).order_by(O.id))
    rows = 0
    for row in db.session.execute(query.execution_options(yield_per=500)):
        writer.writerow(row)
        rows += 1
    return time.perf_counter() - started, rows


def make_providers():
    from flask import current_app

    from app.extensions import db
    from app.roles import SERVICE_PROVIDER
    from plugins.recycle.models import RecycleProvider, RecycleProviderUser

    security = current_app.appbuilder.sm
    made = []
    for n in range(PROVIDERS):
        provider = RecycleProvider(name=f"bench provider {n}")
        db.session.add(provider)
        user = security.add_user(f"benchprov{n}", "bench", "provider", f"benchprov{n}@bench.local",
                                 security.find_role(SERVICE_PROVIDER), password="demo1234")
        db.session.add(RecycleProviderUser(user_id=user.id, provider_id=provider.id))
        db.session.commit()
        made.append((SimpleNamespace(id=user.id), provider.id))
    return made


def bidding_order() -> int:
    from app.extensions import db
    from app.org.models import Store
    from plugins.recycle.bidding import open_bidding
    from plugins.recycle.models import RecycleOrder

    store = db.session.query(Store).filter_by(code="S001").one()
    order = RecycleOrder(order_no=f"BID{uuid.uuid4().hex[:10]}", store_id=store.id, mode="bidding",
                         category="phone", brand="Apple", model="iPhone 13", customer_phone="13912345678")
    db.session.add(order)
    db.session.commit()
    open_bidding(order.id, None, 60, 100)
    return order.id


def bids_over_http(app, order_id: int, count: int) -> float:
    client = app.test_client()
    headers = []
    for n in range(PROVIDERS):
        login = {"username": f"benchprov{n}", "password": "demo1234", "provider": "db", "refresh": False}
        token = client.post("/api/v1/security/login", json=login).get_json()["access_token"]
        headers.append({"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    for n in range(count):
        response = client.post(f"/api/v1/recycle/bidding/{order_id}/bids", json={"amount_fen": 1000 + n},
                               headers=headers[n % PROVIDERS])
        assert response.status_code == 201, response.get_data(as_text=True)
    return count / (time.perf_counter() - started)


def bids_in_service(order_id: int, providers, count: int) -> float:
    from plugins.recycle.bidding import place_bid

    started = time.perf_counter()
    for n in range(count):
        user, provider_id = providers[n % PROVIDERS]
        place_bid(order_id, 1000 + n, user, provider_id)
    return count / (time.perf_counter() - started)


def close_time(order_id: int) -> float:
    from sqlalchemy import update

    from app.extensions import db
    from plugins.recycle.bidding import winning_provider_id
    from plugins.recycle.models import RecycleBidding

    db.session.execute(update(RecycleBidding).where(RecycleBidding.order_id == order_id)
                       .values(deadline=datetime.now()))
    db.session.commit()
    started = time.perf_counter()
    assert winning_provider_id(order_id) is not None
    db.session.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--bids", type=int, default=1000)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL"))
    args = parser.parse_args()

    url, drop = database(args.pg)
    try:
        from app import create_app, migrations
        from app.demo import seed_demo

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "HUEY_IMMEDIATE": True, "TESTING": True,
                          "AUTH_RATE_LIMIT": "100000 per second", "SERVER_NAME": None,
                          "WTF_CSRF_ENABLED": False})
        with app.app_context():
            migrations.upgrade()
            app.appbuilder.sm.sync_roles(app.extensions["retail_plugins"].role_grants())
            seed_demo("demo1234")
            print(f"backend: {url.split(':', 1)[0]}")
            insert_orders(args.orders)
            providers = make_providers()
            http_order, service_order = bidding_order(), bidding_order()
            bare, bare_rows = export_bare()
        exported, rows = export_over_http(app)
        assert rows == bare_rows == args.orders, (rows, bare_rows)
        ratio = exported / bare
        verdict = "OK" if ratio <= TARGET_RATIO else "ABOVE TARGET"
        print(f"export {rows} trade-ins as CSV (admin page, all columns): {exported:.2f} s "
              f"({rows / exported:,.0f} rows/s)")
        print(f"bare select + csv.writer of the same rows:             {bare:.2f} s "
              f"({rows / bare:,.0f} rows/s)")
        print(f"ratio export/bare: {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x: {verdict})")
        over_http = bids_over_http(app, http_order, args.bids)
        with app.app_context():
            in_service = bids_in_service(service_order, providers, args.bids)
            closed = close_time(service_order)
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
        print(f"{args.bids} bids over HTTP (one client):   {over_http:,.0f} bids/s")
        print(f"{args.bids} bids in the service:           {in_service:,.0f} bids/s")
        print(f"close of a bidding with {args.bids} bids: {closed * 1000:.1f} ms")
    finally:
        drop()


if __name__ == "__main__":
    main()
