"""Recycle plugin: a provider's scoped order list vs a bare query, and quote throughput.

    .venv/bin/python bench/recycle_bench.py [--orders 20000] [--quotes 500] [--pg postgresql://...]

Builds a fresh database (a temporary SQLite file, or ``retail_bench_recycle_<pid>`` on the
PostgreSQL server given with ``--pg``; migrations, demo data), bulk-inserts ``--orders``
trade-ins (half of them the demo provider's), then:

1. list: the first page (50, newest first) of what ``provider1`` sees, through
   ``services.visible_orders`` (the role-scoped query every list, API and export uses), against
   a bare ``SELECT … WHERE provider_id = :p ORDER BY id DESC LIMIT 50``; prints both and the ratio.
2. quote: ``--quotes`` pending orders quoted one by one through ``services.quote`` (visibility,
   reviewer check, guarded UPDATE, transition row, quote row, SMS + message, one commit each),
   against a bare guarded UPDATE per order; prints quotes per second and the ratio.
The database is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="recycle-bench-"))
os.environ.setdefault("RETAIL_INSTANCE_DIR", str(TMP / "instance"))
os.environ.setdefault("SECRET_KEY", uuid.uuid4().hex * 2)


def database(pg: str | None):
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


def insert_orders(count: int, provider_id: int, store_id: int) -> None:
    from datetime import datetime

    from app.extensions import db
    from plugins.recycle.models import RecycleOrder

    now = datetime.now()
    rows = [
        dict(
            order_no=f"HSBENCH{i:08d}",
            store_id=store_id,
            mode="half_package" if i % 2 else "self_operated",
            provider_id=provider_id if i % 2 else None,
            settlement_method="payment_code",
            category="phone",
            brand="Apple",
            model="iPhone",
            capacity="",
            colour="",
            serial_no=f"SN{i}",
            remark="",
            customer_phone="13900000000",
            customer_name="",
            state="pending_review",
            requote_count=0,
            created_on=now,
            changed_on=now,
        )
        for i in range(count)
    ]
    db.session.execute(RecycleOrder.__table__.insert(), rows)
    db.session.commit()


def timed(call, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--quotes", type=int, default=500)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL"))
    args = parser.parse_args()
    url, drop = database(args.pg)
    try:
        from flask_appbuilder.security.sqla.models import User
        from sqlalchemy import select, update

        from app import create_app, migrations
        from app.demo import seed_demo
        from app.extensions import db
        from app.org.models import Store
        from plugins.recycle import services
        from plugins.recycle.models import RecycleOrder

        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "HUEY_IMMEDIATE": True, "TESTING": True, "SERVER_NAME": None}
        )
        with app.app_context():
            migrations.upgrade()
            app.appbuilder.sm.sync_roles(app.extensions["retail_plugins"].role_grants())
            seed_demo("demo1234")
            print(f"backend: {url.split(':', 1)[0]}")
            store_id = db.session.query(Store).filter_by(code="S001").one().id
            provider = db.session.query(User).filter_by(username="provider1").one()
            hq = db.session.query(User).filter_by(username="hq").one()
            provider_id = services.provider_id_of(provider)
            insert_orders(args.orders, provider_id, store_id)

            scoped = timed(
                lambda: db.session.scalars(
                    services.visible_orders(provider).order_by(RecycleOrder.id.desc()).limit(50)
                ).all(),
                50,
            )
            bare = timed(
                lambda: db.session.scalars(
                    select(RecycleOrder)
                    .where(RecycleOrder.provider_id == provider_id)
                    .order_by(RecycleOrder.id.desc())
                    .limit(50)
                ).all(),
                50,
            )
            print(
                f"provider list, first page of {args.orders} orders: {scoped * 1000:.2f} ms scoped, "
                f"{bare * 1000:.2f} ms bare (ratio {scoped / bare:.2f})"
            )

            pending = list(
                db.session.scalars(
                    select(RecycleOrder.id).where(RecycleOrder.mode == "self_operated").limit(args.quotes * 2)
                )
            )
            mine, baseline = pending[: args.quotes], pending[args.quotes :]
            start = time.perf_counter()
            for order_id in mine:
                services.quote(hq, order_id, 10000)
            quoted = time.perf_counter() - start
            start = time.perf_counter()
            for order_id in baseline:
                db.session.execute(
                    update(RecycleOrder)
                    .where(RecycleOrder.id == order_id, RecycleOrder.state == "pending_review")
                    .values(state="quoted", quote_fen=10000)
                )
                db.session.commit()
            plain = time.perf_counter() - start
            print(
                f"quote {len(mine)} orders through services.quote: {len(mine) / quoted:,.0f}/s; "
                f"bare guarded UPDATE + commit: {len(baseline) / plain:,.0f}/s (ratio {quoted / plain:.2f})"
            )
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
