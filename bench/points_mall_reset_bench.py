"""Points mall plugin: a points reset (积分清零) of many members vs one hand-written set-based SQL statement.

    .venv/bin/python bench/points_mall_reset_bench.py [--members 1000000] [--pg postgresql://...]

Builds a fresh PostgreSQL database ``retail_bench_reset_<pid>`` on the server given with ``--pg``
(or ``BENCH_PG_URL``; default ``postgresql://postgres@127.0.0.1:5432/postgres``): schema by the
migrations, demo data seeded, then ``--members`` members each holding points (one ``earn``
ledger row and the account balance, written with set-based SQL). Then, each from the same
state (balances restored, reset rows deleted, ``VACUUM ANALYZE``):

1. baseline: ONE hand-written statement doing the same writes as the reset: every positive
   balance set to 0 and one ``loyalty_points_txn`` row per member (kind ``reset``, signed
   points, balance after, its own document number, the reason as the note);
2. the real path: ``request_reset`` (all members) → Huey job in immediate mode → batches of
   ``points_mall.reset_batch_size`` member ids, each claimed on its checkpoint and written by
   the plugin's set-based statement, the job's progress bar moved after each batch.

Prints both times, rows per second and the ratio (target: ≤ 1.5×), then checks that every
member was reset once and that balances equal the sum of the ledger. The database is removed
at the end. Not run in CI.
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
TMP = Path(tempfile.mkdtemp(prefix="reset-bench-"))
os.environ.setdefault("RETAIL_INSTANCE_DIR", str(TMP / "instance"))
os.environ.setdefault("SECRET_KEY", uuid.uuid4().hex * 2)

TARGET_RATIO = 1.5
REASON = "年度积分清零"

BASELINE = """
WITH changed AS (
    UPDATE loyalty_points_account a SET balance = 0
    FROM loyalty_points_account o
    WHERE o.id = a.id AND o.balance > 0
    RETURNING a.id, a.member_id, o.balance AS amount
)
INSERT INTO loyalty_points_txn
    (account_id, member_id, kind, points, balance_after, doc_no, store_id, note, created_on)
SELECT id, member_id, 'reset', -amount, 0,
       'BASE20261127HQ0001-' || lpad(CAST(row_number() OVER (ORDER BY member_id) AS text), 7, '0'),
       NULL, :note, now()
FROM changed
"""


def database(pg: str) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(pg)
    name = f"retail_bench_reset_{os.getpid()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


def make_members(count: int) -> None:
    """``count`` members holding 1..500 points each: members, accounts and earn rows, set-based."""
    from sqlalchemy import text

    from app.extensions import db

    statements = [
        "INSERT INTO members_member (member_no, phone, name, gender, status, channel, paid_total_fen,"
        " created_on, changed_on)"
        " SELECT 'BM' || lpad(n::text, 9, '0'), '16' || lpad(n::text, 9, '0'), '会员' || n, 'unknown',"
        " 'active', 'pos', 0, now(), now() FROM generate_series(1, :count) AS n",
        "INSERT INTO loyalty_points_account (member_id, balance)"
        " SELECT id, 1 + id % 500 FROM members_member WHERE member_no LIKE 'BM%'",
        "INSERT INTO loyalty_points_txn"
        " (account_id, member_id, kind, points, balance_after, doc_no, store_id, note, created_on)"
        " SELECT a.id, a.member_id, 'earn', a.balance, a.balance, 'BENCH-EARN', NULL, '',"
        " now() - interval '30 days'"
        " FROM loyalty_points_account a JOIN members_member m ON m.id = a.member_id"
        " WHERE m.member_no LIKE 'BM%'",
        "CREATE TABLE bench_balances AS SELECT id, balance FROM loyalty_points_account",
    ]
    for statement in statements:
        db.session.execute(text(statement), {"count": count})
    db.session.commit()


def restore(engine) -> None:
    """Back to the state before a reset: balances as they were, no reset rows, fresh statistics."""
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text("DELETE FROM loyalty_points_txn WHERE kind = 'reset'"))
        conn.execute(text("UPDATE loyalty_points_account a SET balance = b.balance FROM bench_balances b"
                          " WHERE b.id = a.id AND a.balance <> b.balance"))
        conn.execute(text("DELETE FROM points_mall_reset"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE loyalty_points_account"))
        conn.execute(text("VACUUM ANALYZE loyalty_points_txn"))
        conn.execute(text("CHECKPOINT"))


def check(expected_members: int) -> None:
    from sqlalchemy import text

    from app.extensions import db

    reset_rows, members = db.session.execute(text(
        "SELECT count(*), count(DISTINCT member_id) FROM loyalty_points_txn WHERE kind = 'reset'")).one()
    off = db.session.scalar(text(
        "SELECT count(*) FROM loyalty_points_account a WHERE a.balance <>"
        " (SELECT coalesce(sum(points), 0) FROM loyalty_points_txn t WHERE t.member_id = a.member_id)"))
    positive = db.session.scalar(text("SELECT count(*) FROM loyalty_points_account WHERE balance > 0"))
    assert reset_rows == members == expected_members, (reset_rows, members, expected_members)
    assert off == 0 and positive == 0, (off, positive)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL",
                                                       "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()

    url, drop = database(args.pg)
    try:
        from sqlalchemy import text

        from app import create_app, migrations
        from app.demo import seed_demo
        from app.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "HUEY_IMMEDIATE": True, "TESTING": True,
                          "SERVER_NAME": None})
        with app.app_context():
            migrations.upgrade()
            app.appbuilder.sm.sync_roles(app.extensions["retail_plugins"].role_grants())
            seed_demo("demo1234")
            started = time.perf_counter()
            make_members(args.members)
            print(f"backend: postgresql · {args.members:,} members with points made in "
                  f"{time.perf_counter() - started:.1f} s")
            holders = db.session.scalar(text("SELECT count(*) FROM loyalty_points_account WHERE balance > 0"))
            engine = db.engine

            restore(engine)
            started = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(text(BASELINE), {"note": REASON})
            bare = time.perf_counter() - started
            check(holders)

            restore(engine)
            db.session.remove()
            from plugins.points_mall.reset.services import batch_size, parse_reset_form, request_reset

            params = parse_reset_form({"reason": REASON, "remark": "bench", "scope": "all"})
            started = time.perf_counter()
            reset = request_reset(params)
            real = time.perf_counter() - started
            assert reset.status == "completed", (reset.status, reset.message)
            check(holders)
            size = batch_size()

            ratio = real / bare
            verdict = "OK" if ratio <= TARGET_RATIO else "ABOVE TARGET"
            print(f"members holding points: {holders:,}")
            print(f"one hand-written statement (same writes):    {bare:6.2f} s "
                  f"({holders / bare:,.0f} members/s)")
            print(f"points reset job ({size:,} ids a batch, resumable): {real:6.2f} s "
                  f"({holders / real:,.0f} members/s)")
            print(f"ratio reset/statement: {ratio:.2f}x (target <= {TARGET_RATIO}x: {verdict})")
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
