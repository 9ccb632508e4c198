"""Coupons plugin: generating physical coupons vs a bare bulk insert, and redemption throughput.

    .venv/bin/python bench/coupons_bench.py [--count 100000] [--redeem 2000] [--pg postgresql://...]

Builds a fresh database (a temporary SQLite file, or ``retail_bench_coupons_<pid>`` on the
PostgreSQL server given with ``--pg``; schema by the migrations, demo data seeded), then:

1. generation: an audited physical rule of ``--count`` coupons generated through the real
   path (``request_generation`` → Huey job in immediate mode → chunked bulk INSERT with a
   progress bar), against a bare baseline: the same rows (same code format, other prefix)
   built in Python and inserted with one SQLAlchemy Core executemany in one transaction.
   Prints both times and the ratio (target: within 2×).
2. redemption: ``--redeem`` issued coupons redeemed one by one through
   ``POST /api/v1/pos/coupons/{code}/redeem`` (JWT of pos1, in-process test client, one
   request per coupon, each its own transaction with the guarded UPDATE), and through the
   service function alone. Prints redemptions per second.
The database is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="coupons-bench-"))
os.environ.setdefault("RETAIL_INSTANCE_DIR", str(TMP / "instance"))
os.environ.setdefault("SECRET_KEY", uuid.uuid4().hex * 2)

TARGET_RATIO = 2.0


def database(pg: str | None) -> tuple[str, callable]:
    if not pg:
        return f"sqlite:///{TMP / 'bench.db'}", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(pg)
    name = f"retail_bench_coupons_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def make_rule(prefix: str, count: int, **fields):
    from app.extensions import db
    from plugins.coupons.models import CouponRule
    from plugins.coupons.rules import validate_rule

    rule = CouponRule(
        name=f"bench {prefix}",
        medium=fields.pop("medium", "physical"),
        kind="normal",
        offer_type="cash",
        face_value_fen=1000,
        effective_date=date.today(),
        validity_type="days",
        valid_days=30,
        code_prefix=prefix,
        code_length=8,
        total_count=count,
        start_value=0,
        **fields,
    )
    validate_rule(rule)
    rule.status = "audited"
    db.session.add(rule)
    db.session.commit()
    return rule


def bench_generation(count: int) -> tuple[float, float]:
    from sqlalchemy import func, insert, select

    from app.extensions import db
    from plugins.coupons.generation import request_generation
    from plugins.coupons.models import Coupon
    from plugins.coupons.rules import coupon_code

    rule = make_rule("GEN", count)
    started = time.perf_counter()
    batch = request_generation(rule)
    generated = time.perf_counter() - started
    assert db.session.scalar(select(func.count(Coupon.id)).where(Coupon.batch_id == batch.id)) == count

    bare_rule = make_rule("BARE", count)
    started = time.perf_counter()
    now = datetime.now()
    rows = [
        {
            "rule_id": bare_rule.id,
            "batch_id": None,
            "code": coupon_code(bare_rule, n),
            "status": "generated",
            "channel": "",
            "app_id": "",
            "payment_method": "",
            "created_on": now,
        }
        for n in range(count)
    ]
    with db.engine.begin() as conn:
        conn.execute(insert(Coupon), rows)
    bare = time.perf_counter() - started
    return generated, bare


def issued_codes(count: int) -> list[str]:
    """``count`` issued electronic coupons of a fresh rule, bulk-inserted (the set-up, not timed)."""
    from sqlalchemy import insert

    from app.extensions import db
    from plugins.coupons.models import Coupon
    from plugins.coupons.rules import coupon_code

    rule = make_rule("RED", count, medium="electronic")
    today, now = date.today(), datetime.now()
    rows = [
        {
            "rule_id": rule.id,
            "code": coupon_code(rule, n),
            "status": "issued",
            "channel": "admin",
            "app_id": "",
            "payment_method": "",
            "valid_from": today,
            "valid_to": today + timedelta(days=30),
            "issued_on": now,
            "created_on": now,
        }
        for n in range(count)
    ]
    db.session.execute(insert(Coupon), rows)
    db.session.commit()
    return [r["code"] for r in rows]


def redeem_over_http(app, codes: list[str]) -> float:
    """Redemptions per second through the POS endpoint (outside any app context, like a server)."""
    client = app.test_client()
    login = {"username": "pos1", "password": "demo1234", "provider": "db", "refresh": False}
    token = client.post("/api/v1/security/login", json=login).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    for code in codes:
        response = client.post(
            f"/api/v1/pos/coupons/{code}/redeem", json={"order_total_fen": 5000}, headers=headers
        )
        assert response.status_code == 201, response.get_data(as_text=True)
    return len(codes) / (time.perf_counter() - started)


def redeem_in_service(codes: list[str]) -> float:
    from app.extensions import db
    from app.org.models import Store
    from plugins.coupons.services import redeem_coupon

    store_id = db.session.query(Store).filter_by(code="S001").one().id
    started = time.perf_counter()
    for code in codes:
        redeem_coupon(code, store_id, 5000)
    return len(codes) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--redeem", type=int, default=2000)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL"))
    args = parser.parse_args()

    url, drop = database(args.pg)
    try:
        from app import create_app, migrations
        from app.demo import seed_demo

        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "HUEY_IMMEDIATE": True,
                "TESTING": True,
                "AUTH_RATE_LIMIT": "100000 per second",
                "SERVER_NAME": None,
            }
        )
        with app.app_context():
            migrations.upgrade()
            app.appbuilder.sm.sync_roles(app.extensions["retail_plugins"].role_grants())
            seed_demo("demo1234")
            backend = url.split(":", 1)[0]
            print(f"backend: {backend}")
            generated, bare = bench_generation(args.count)
            ratio = generated / bare
            verdict = "OK" if ratio <= TARGET_RATIO else "ABOVE TARGET"
            print(
                f"generate {args.count} coupons (job + progress): {generated:.2f} s "
                f"({args.count / generated:,.0f} rows/s)"
            )
            print(
                f"bare bulk insert of the same rows:         {bare:.2f} s ({args.count / bare:,.0f} rows/s)"
            )
            print(f"ratio generate/bare: {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x: {verdict})")
            codes = issued_codes(2 * args.redeem)
        over_http = redeem_over_http(app, codes[: args.redeem])
        with app.app_context():
            in_service = redeem_in_service(codes[args.redeem :])
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
        print(f"redeem {args.redeem} coupons over HTTP (one client): {over_http:,.0f} redemptions/s")
        print(f"redeem {args.redeem} coupons in the service:        {in_service:,.0f} redemptions/s")
    finally:
        drop()


if __name__ == "__main__":
    main()
