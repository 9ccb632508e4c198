"""Member search with the member_privacy filters on vs the plugin disabled (PostgreSQL).

    .venv/bin/python bench/member_privacy_bench.py [--members 1000000] [--quick] [--requests 300]

Creates a fresh database ``retail_bench_<pid>`` (schema via ``flask db upgrade`` + ``seed-demo``),
bulk-loads members with the loader of bench/core_bench.py (members spread over the three demo
stores), serves the app with gunicorn and times, as store staff of S001, each member search
path twice: with the plugin disabled (plain core behaviour) and with it enabled under its
strictest settings that still show members (mask on POS, own store only, share group
isolation with S001+S002 in one group). Prints medians, p95 and the ratio on/off per path;
the target is a ratio of at most 1.5. The database and the gunicorn processes are removed
at the end.
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
import urllib.parse
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from core_bench import (  # noqa: E402  (reuse the core bench's loader, server and clients)
    WORKERS,
    Client,
    Gunicorn,
    admin_session,
    api_login,
    bulk_load,
    drop_database,
    log,
    member_phone,
    percentile,
    pg_url,
    run_cli,
)

TARGET_RATIO = 1.5
ROUNDS = 5  # off/on pairs
STRICT_SETTINGS = {
    "member_privacy.mask_on_pos": True,
    "member_privacy.other_store_may_view": False,
    "member_privacy.other_staff_may_view": True,
    "member_privacy.isolation": True,
}


def configure(dburl: str, enabled: bool) -> None:
    """Enable/disable the plugin as ``flask plugins enable`` does (its row and the version every
    worker checks at each request, in one transaction) and set its strictest settings."""
    with psycopg.connect(dburl) as conn:
        conn.execute(
            "INSERT INTO core_plugin_state (name, enabled, changed_on) VALUES ('member_privacy', %s, now()) "
            "ON CONFLICT (name) DO UPDATE SET enabled = EXCLUDED.enabled, changed_on = now()", (enabled,))
        bumped = conn.execute("UPDATE core_plugin_state_version SET version = version + 1 WHERE id = 1")
        if bumped.rowcount == 0:
            conn.execute("INSERT INTO core_plugin_state_version (id, version) VALUES (1, 1)")
        if not enabled:
            return
        for key, value in STRICT_SETTINGS.items():
            conn.execute(
                "INSERT INTO core_setting (key, value, changed_on) VALUES (%s, %s, now()) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                (key, json.dumps(value)),
            )
        if conn.execute("SELECT count(*) FROM member_privacy_share_group").fetchone()[0] == 0:
            group_id = conn.execute(
                "INSERT INTO member_privacy_share_group (name, note, created_on, changed_on) "
                "VALUES ('bench', '', now(), now()) RETURNING id").fetchone()[0]
            conn.execute(
                "INSERT INTO member_privacy_group_store (store_id, group_id) "
                "SELECT id, %s FROM org_store WHERE code IN ('S001', 'S002')", (group_id,))


def _timed(client: Client, path: str, headers: dict, count: int, check) -> list[float]:
    for _ in range(5):  # warm-up
        client.request("GET", path(0), headers=headers)
    times = []
    for i in range(count):
        url = path(i)
        t = time.perf_counter()
        status, data, _ = client.request("GET", url, headers=headers)
        times.append((time.perf_counter() - t) * 1000)
        if status != 200 or not check(data):
            raise RuntimeError(f"GET {url} answered {status}: {data[:300]!r}")
    return times


def measure(port: int, n_members: int, count: int, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)  # the same members in the off and the on round
    picks = [rng.randrange(n_members) for _ in range(count + 5)]
    token = api_login(port, "pos1", "demo1234")
    api = Client(port)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    results = {
        "POS look-up by exact phone": _timed(
            api, lambda i: f"/api/v1/pos/members?phone={member_phone(picks[i])}", headers, count,
            lambda data: json.loads(data)["count"] <= 1),
        "POS search by member no.": _timed(
            api, lambda i: f"/api/v1/pos/members?q=B{picks[i]:09d}", headers, max(count // 5, 4),
            lambda data: json.loads(data)["count"] <= 1),
    }
    api.close()
    admin = admin_session(port, "manager1", "demo1234")
    results["admin member list page 1 (S001 manager)"] = _timed(
        admin, lambda i: "/memberview/list/", {}, max(count // 5, 4), lambda data: b"B0" in data)
    results["admin list filtered by phone prefix, sorted by name"] = _timed(
        admin,
        lambda i: "/memberview/list/?" + urllib.parse.urlencode(
            {"_flt_0_phone": member_phone(picks[i])[:6], "_oc_MemberView": "name", "_od_MemberView": "asc"}),
        {}, max(count // 5, 4), lambda data: True)
    admin.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 members, fewer requests")
    parser.add_argument("--requests", type=int, default=500, help="phone look-ups per mode")
    args = parser.parse_args()
    if args.quick:
        args.members, args.requests = 20_000, min(args.requests, 100)
    if args.members < 1 or args.requests < 50:
        parser.error("--members must be positive and --requests at least 50")

    pid = os.getpid()
    dbname = f"retail_bench_{pid}"
    dburl = pg_url(dbname)
    tmp = Path(tempfile.mkdtemp(prefix=f"bench_privacy_{pid}_"))
    env = dict(os.environ)
    env.update(DATABASE_URL=dburl, RETAIL_INSTANCE_DIR=str(tmp / "instance"),
               SECRET_KEY=f"bench-{pid}-secret-member-privacy", HUEY_IMMEDIATE="0", PYTHONUNBUFFERED="1")
    env.pop("REDIS_URL", None)
    server = None
    runs: dict[str, dict[str, list[float]]] = {}
    with psycopg.connect(pg_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{dbname}"')
    log(f"database {dbname}; {args.members:,} members")
    try:
        run_cli(["db", "upgrade"], env)
        run_cli(["seed-demo"], env)
        bulk_load(dburl, args.members, 10)
        server = Gunicorn("run:app", env, tmp, "privacy")
        server.wait_ready("/login/")
        log(f"app served by gunicorn -w {WORKERS} on 127.0.0.1:{server.port}")
        # the machine is shared: many short rounds, off and on interleaved, so load drifts hit both
        per_round = max(args.requests // ROUNDS, 10)
        for round_no in range(ROUNDS * 2):
            enabled = bool(round_no % 2)
            configure(dburl, enabled)
            mode = "on" if enabled else "off"
            log(f"round {round_no // 2 + 1}/{ROUNDS}, plugin {mode}")
            for name, times in measure(server.port, args.members, per_round, seed=round_no // 2).items():
                runs.setdefault(name, {}).setdefault(mode, []).extend(times)
    finally:
        if server is not None:
            server.stop()
        drop_database(dbname)
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"member_privacy: member search, plugin on vs off ({args.members:,} members, "
          f"gunicorn -w {WORKERS}, {os.cpu_count()} CPUs)")
    header = (f"{'path':<54} {'off median':>11} {'on median':>10} {'off p95':>9} {'on p95':>9} "
              f"{'ratio':>6}  verdict")
    print(header)
    print("-" * len(header))
    worst = 0.0
    for name, modes in runs.items():
        off, on = statistics.median(modes["off"]), statistics.median(modes["on"])
        ratio = on / off
        worst = max(worst, ratio)
        verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
        print(f"{name:<54} {off:>8.2f} ms {on:>7.2f} ms {percentile(modes['off'], 95):>6.1f} ms "
              f"{percentile(modes['on'], 95):>6.1f} ms {ratio:>6.2f}  {verdict}")
    print(f"\nworst ratio on/off: {worst:.2f} (target <= {TARGET_RATIO})")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
