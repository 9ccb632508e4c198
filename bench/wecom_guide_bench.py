"""Guide member search (the wecom_guide workbench) on 1,000,000 members, a guide owning 5,000
(PostgreSQL).

    .venv/bin/python bench/wecom_guide_bench.py [--members 1000000] [--owned 5000] [--requests 100] [--quick]

Creates a fresh database ``retail_bench_guide_<pid>`` (schema via ``flask db upgrade`` +
``seed-demo``), bulk-loads members and sales with the loader of bench/core_bench.py, makes the
demo guide ``guide1`` (store S001) the dedicated guide of ``--owned`` S001 members, tags a
fifth of the members, enables the plugin, serves the app with gunicorn and times
``GET /api/v1/guide/members`` as guide1 (bearer token) with each kind of search: the default
list, phone suffix, member no, tag + level + status + spend range sorted by spend, last
purchase date sorted by last purchase. Prints median and p95 per search and the bare SQL of the
filtered one (EXPLAIN ANALYZE) as a baseline; the target is a median under 50 ms. The
database and gunicorn are removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from core_bench import (  # noqa: E402  (reuse the core bench's loader, server and clients)
    WORKERS,
    Client,
    Gunicorn,
    api_login,
    bulk_load,
    drop_database,
    log,
    percentile,
    pg_url,
    run_cli,
)

TARGET_MS = 50.0
# the ownership row with its copies of the member's search keys, as the app's claim fills them
OWNERSHIP_COLUMNS = (
    "member_id, staff_id, store_id, source, since, phone_last4, paid_total_fen, level_id, member_status, "
    "last_purchase_on"
)
MEMBER_COPIES = (
    "right(m.phone, 4), m.paid_total_fen, m.level_id, m.status, "
    "(SELECT max(o.created_on) FROM sales_order o WHERE o.member_id = m.id)"
)


def prepare(dburl: str, owned: int) -> dict:
    """guide1 owns ``owned`` members of S001; three tags on a fifth of all members; plugin on."""
    with psycopg.connect(dburl) as conn:
        staff_id, store_id = conn.execute(
            "SELECT s.id, s.store_id FROM org_staff s JOIN ab_user u ON u.id = s.user_id "
            "WHERE u.username = 'guide1'"
        ).fetchone()
        conn.execute(
            f"INSERT INTO wecom_guide_member ({OWNERSHIP_COLUMNS}) "
            f"SELECT m.id, %s, %s, 'claim', m.created_on, {MEMBER_COPIES} FROM members_member m "
            "WHERE m.home_store_id = %s AND m.member_no LIKE 'B%%' ORDER BY m.id LIMIT %s",
            (staff_id, store_id, store_id, owned),
        )
        # every other member has a guide too (the demo's other staff, in turn): the table is as
        # big as the member table and guide1's 5,000 rows are a small part of it
        conn.execute(
            f"INSERT INTO wecom_guide_member ({OWNERSHIP_COLUMNS}) "
            f"SELECT m.id, s.id, s.store_id, 'claim', m.created_on, {MEMBER_COPIES} FROM members_member m "
            "JOIN (SELECT id, store_id, row_number() OVER (ORDER BY id) - 1 AS n, count(*) OVER () AS k "
            "      FROM org_staff WHERE id <> %s AND store_id IS NOT NULL) s ON s.n = m.id %% s.k "
            "WHERE m.member_no LIKE 'B%%' AND NOT EXISTS "
            "(SELECT 1 FROM wecom_guide_member g WHERE g.member_id = m.id)",
            (staff_id,),
        )
        tags = []
        for name in ("bench-vip", "bench-dress", "bench-new"):
            tags.append(
                conn.execute("INSERT INTO members_tag (name) VALUES (%s) RETURNING id", (name,)).fetchone()[0]
            )
        for index, tag_id in enumerate(tags):
            conn.execute(
                "INSERT INTO members_member_tag (member_id, tag_id) SELECT id, %s FROM members_member "
                "WHERE member_no LIKE 'B%%' AND id %% 15 = %s",
                (tag_id, index),
            )
        conn.execute(
            "INSERT INTO core_plugin_state (name, enabled, changed_on) VALUES ('wecom_guide', true, now()) "
            "ON CONFLICT (name) DO UPDATE SET enabled = true, changed_on = now()"
        )
        bumped = conn.execute("UPDATE core_plugin_state_version SET version = version + 1 WHERE id = 1")
        if bumped.rowcount == 0:
            conn.execute("INSERT INTO core_plugin_state_version (id, version) VALUES (1, 1)")
        conn.execute("ANALYZE")
    return reused(dburl)


def reused(dburl: str) -> dict:
    """What the timed searches need of a prepared database: guide1, its members, the tags, levels."""
    with psycopg.connect(dburl) as conn:
        staff_id = conn.execute(
            "SELECT s.id FROM org_staff s JOIN ab_user u ON u.id = s.user_id WHERE u.username = 'guide1'"
        ).fetchone()[0]
        tags = [r[0] for r in conn.execute(
            "SELECT id FROM members_tag WHERE name IN ('bench-vip', 'bench-dress', 'bench-new') ORDER BY id"
        ).fetchall()]
        mine = conn.execute(
            "SELECT m.phone, m.member_no FROM wecom_guide_member g "
            "JOIN members_member m ON m.id = g.member_id "
            "WHERE g.staff_id = %s",
            (staff_id,),
        ).fetchall()
        levels = [
            r[0] for r in conn.execute("SELECT id FROM members_level ORDER BY threshold_fen").fetchall()
        ]
    return {"staff_id": staff_id, "tags": tags, "levels": levels, "mine": mine}


def _timed(client: Client, paths: list[str], headers: dict) -> list[float]:
    for path in paths[:5]:  # warm-up
        client.request("GET", path, headers=headers)
    times = []
    for path in paths:
        t = time.perf_counter()
        status, data, _ = client.request("GET", path, headers=headers)
        times.append((time.perf_counter() - t) * 1000)
        if status != 200 or "result" not in json.loads(data):
            raise RuntimeError(f"GET {path} answered {status}: {data[:300]!r}")
    return times


def measure(port: int, facts: dict, count: int) -> dict[str, list[float]]:
    rng = random.Random(7)
    token = api_login(port, "guide1", "demo1234")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    client = Client(port)
    base = "/api/v1/guide/members"
    picks = [facts["mine"][rng.randrange(len(facts["mine"]))] for _ in range(count)]
    since = (date.today() - timedelta(days=30)).isoformat()
    searches = {
        "my members, page 1 (newest of mine)": [f"{base}?page={1 + i % 5}" for i in range(count)],
        "phone, last 4 digits": [f"{base}?q={phone[-4:]}" for phone, _ in picks],
        "whole phone": [f"{base}?q={phone}" for phone, _ in picks],
        "member no": [f"{base}?q={member_no}" for _, member_no in picks],
        "tag + level + status + spend range, by spend": [
            f"{base}?tag_id={facts['tags'][i % 3]}&level_id={facts['levels'][0]}&status=active"
            f"&spend_min_fen=10000&spend_max_fen=400000&sort=spend"
            for i in range(count)
        ],
        "last purchase in 30 days, by last purchase": [
            f"{base}?last_purchase_from={since}&sort=last_purchase" for _ in range(count)
        ],
    }
    results = {name: _timed(client, paths, headers) for name, paths in searches.items()}
    client.close()
    pos = Client(port)
    pos_headers = {
        "Authorization": f"Bearer {api_login(port, 'pos1', 'demo1234')}",
        "Accept": "application/json",
    }
    results["baseline: core POS look-up by exact phone (pos1)"] = _timed(
        pos, [f"/api/v1/pos/members?phone={phone}" for phone, _ in picks], pos_headers
    )
    pos.close()
    return results


def explain(dburl: str, staff_id: int, tag_id: int, level_id: int) -> str:
    sql = (
        # the shape of the app's query: the filters and order on the guide's ownership rows
        "EXPLAIN (ANALYZE, BUFFERS) SELECT m.*, g.since FROM members_member m JOIN wecom_guide_member g "
        "ON g.member_id = m.id WHERE g.staff_id = %s AND (SELECT 1 FROM members_member_tag t "
        "WHERE t.member_id = g.member_id AND t.tag_id = %s LIMIT 1) IS NOT NULL AND g.level_id = %s "
        "AND g.member_status = 'active' AND g.paid_total_fen BETWEEN 10000 AND 400000 "
        "ORDER BY g.paid_total_fen DESC, g.member_id DESC LIMIT 21"
    )
    with psycopg.connect(dburl) as conn:
        return "\n".join(r[0] for r in conn.execute(sql, (staff_id, tag_id, level_id)).fetchall())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--owned", type=int, default=5_000)
    parser.add_argument("--lines", type=int, default=200_000, help="sale lines (orders ~ half)")
    parser.add_argument("--requests", type=int, default=100, help="requests per kind of search")
    parser.add_argument("--quick", action="store_true", help="50,000 members, fewer requests")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end (prints its name)")
    parser.add_argument("--database", help="reuse a database kept by --keep: migrate it, skip the load")
    args = parser.parse_args()
    if args.quick:
        args.members, args.lines, args.requests = 50_000, 20_000, min(args.requests, 40)
    if args.members < args.owned * 3 or args.requests < 10:
        parser.error("--members must be at least 3 x --owned (a third are S001's) and --requests >= 10")

    pid = os.getpid()
    dbname = args.database or f"retail_bench_guide_{pid}"
    dburl = pg_url(dbname)
    tmp = Path(tempfile.mkdtemp(prefix=f"bench_guide_{pid}_"))
    env = dict(os.environ)
    env.update(
        DATABASE_URL=dburl,
        RETAIL_INSTANCE_DIR=str(tmp / "instance"),
        SECRET_KEY=f"bench-{pid}-secret-wecom-guide-bench",
        HUEY_IMMEDIATE="0",
        PYTHONUNBUFFERED="1",
    )
    env.pop("REDIS_URL", None)
    server = None
    if not args.database:  # (a reused one is migrated by the upgrade below, then vacuumed)
        with psycopg.connect(pg_url("postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{dbname}"')
        log(f"database {dbname}; {args.members:,} members, guide1 owns {args.owned:,}")
    try:
        run_cli(["db", "upgrade"], env, timeout=1800)
        if args.database:
            with psycopg.connect(dburl, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE wecom_guide_member")
            facts = reused(dburl)
        else:
            run_cli(["seed-demo"], env)
            bulk_load(dburl, args.members, args.lines)
            facts = prepare(dburl, args.owned)
        log(f"guide1 owns {len(facts['mine']):,} members")
        server = Gunicorn("run:app", env, tmp, "guide")
        server.wait_ready("/login/")
        log(f"app served by gunicorn -w {WORKERS} on 127.0.0.1:{server.port}")
        results = measure(server.port, facts, args.requests)
        plan = explain(dburl, facts["staff_id"], facts["tags"][0], facts["levels"][0])
    finally:
        if server is not None:
            server.stop()
        if args.keep or args.database:
            log(f"kept {dbname}")
        else:
            drop_database(dbname)
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(
        f"wecom_guide: guide member search ({args.members:,} members, guide owning {len(facts['mine']):,}, "
        f"gunicorn -w {WORKERS}, {os.cpu_count()} CPUs, {args.requests} requests each)"
    )
    header = f"{'search':<48} {'median':>9} {'p95':>9}  verdict"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for name, times in results.items():
        median = statistics.median(times)
        if not name.startswith("baseline"):
            worst = max(worst, median)
        print(
            f"{name:<48} {median:>6.2f} ms {percentile(times, 95):>6.1f} ms  "
            f"{'PASS' if median < TARGET_MS else 'FAIL'}"
        )
    print(f"\nworst median: {worst:.2f} ms (target < {TARGET_MS:.0f} ms)")
    print("\nbaseline, the bare SQL of the filtered search (EXPLAIN ANALYZE):")
    print(plan)
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
