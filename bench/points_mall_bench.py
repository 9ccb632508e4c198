"""Points mall: exchange throughput with 8 clients against the core POS sale in the same run.

    .venv/bin/python bench/points_mall_bench.py [--threads 8] [--seconds 30] [--rounds 3] [--with-reset]

Creates a fresh database ``retail_bench_<pid>`` on 127.0.0.1:5432 (user postgres), builds the
schema with ``flask db upgrade`` + ``seed-demo`` (bench/core_bench.py's helpers), serves the app
with gunicorn (``-w 2``) and drives, in alternating rounds on the same server:

* POS sales (``POST /api/v1/pos/orders``, the core's hot path, as bench/core_bench.py)
* exchanges of a physical HQ good for delivery (``POST /api/v1/mall/points-mall/orders``), one
  member per client (each its own points account), all on ONE hot item (every exchange waits
  for the item row: the worst case) and on one item per client
* exchanges of a virtual good (the coupon is issued through the coupons service), one item per
  client

and prints exchanges/s, sales/s and their ratio (median rounds). Each exchange is a unit of work of
guarded updates (stock, limits, points, the coupon) plus the order row and a document number.
``--with-reset`` runs bench/points_mall_reset_bench.py afterwards (the points reset part).
The database and the gunicorn processes are removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from core_bench import (  # noqa: E402  (the core bench's server and client helpers)
    WORKERS,
    Client,
    Gunicorn,
    add_sale_stock,
    api_login,
    combine_runs,
    drive_sales,
    drop_database,
    log,
    pg_url,
    run_cli,
)

DELIVERY = {
    "fulfilment": "delivery",
    "receiver_name": "压测",
    "receiver_phone": "13800000000",
    "address": "上海市黄浦区南京东路 1 号",
}
POINTS = 1_000_000_000


def prepare(dburl: str, secret: str, threads: int) -> dict:
    """Members with points, a hot physical item, one physical and one virtual item per client
    (in-process app on the bench database; the tokens are signed with the served app's key)."""
    os.environ["DATABASE_URL"] = dburl
    os.environ["SECRET_KEY"] = secret
    from datetime import date

    from sqlalchemy import text

    from app import create_app
    from app.extensions import db
    from app.loyalty.services import change_points
    from app.mall.services import issue_member_token
    from app.members.models import Member
    from plugins.coupons.models import CouponRule
    from plugins.coupons.rules import validate_rule
    from plugins.points_mall.items import validate_item
    from plugins.points_mall.models import MallItem

    app = create_app({"SQLALCHEMY_DATABASE_URI": dburl, "SECRET_KEY": secret, "SERVER_NAME": None})
    with app.app_context():
        sku_id = db.session.execute(text("SELECT id FROM catalog_sku WHERE sku_code = 'P1001-01'")).scalar()

        def item(kind: str, name: str, **fields) -> int:
            row = MallItem(name=name, kind=kind, points_price=10, stock=100_000_000, on_shelf=True, **fields)
            validate_item(row)
            db.session.add(row)
            db.session.flush()
            return row.id

        tokens, physical, virtual = [], [], []
        hot = item("physical", "bench hot", sku_id=sku_id)
        for n in range(threads):
            member = Member(
                member_no=f"BENCHPM{n:04d}", phone=f"1990000{n:04d}", name="压测会员", status="active"
            )
            db.session.add(member)
            db.session.flush()
            change_points(member.id, POINTS, "adjust", "BENCH", None)
            tokens.append(issue_member_token(member))
            physical.append(item("physical", f"bench physical {n}", sku_id=sku_id))
            rule = CouponRule(
                name=f"bench {n}",
                medium="electronic",
                kind="normal",
                offer_type="cash",
                face_value_fen=100,
                effective_date=date.today(),
                validity_type="days",
                valid_days=30,
                code_prefix=f"BPM{n}",
                code_length=9,
                total_count=10_000_000,
                start_value=0,
                min_order_fen=0,
            )
            validate_rule(rule)
            rule.status = "audited"
            db.session.add(rule)
            db.session.flush()
            virtual.append(item("virtual", f"bench virtual {n}", coupon_rule_id=rule.id))
        db.session.commit()
    return {"tokens": tokens, "hot": hot, "physical": physical, "virtual": virtual}


def drive_exchanges(port: int, tokens: list[str], item_ids: list[int], extra: dict, seconds: float) -> dict:
    """Like core_bench.drive_sales: each client its own member token and item."""
    threads = len(tokens)
    ok, failed = [0] * threads, [0] * threads
    samples: dict[int, bytes] = {}
    barrier = threading.Barrier(threads + 1)
    deadline_box: list[float] = []

    def worker(index: int) -> None:
        client = Client(port, timeout=30)
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {tokens[index]}",
        }
        body = json.dumps({"item_id": item_ids[index], **extra}).encode()
        path = "/api/v1/mall/points-mall/orders"
        for _ in range(2):  # warm-up (not counted)
            client.request("POST", path, body, headers)
        barrier.wait(timeout=120)
        while time.monotonic() < deadline_box[0]:
            try:
                status, data, _ = client.request("POST", path, body, headers)
            except OSError as exc:
                failed[index] += 1
                samples.setdefault(-1, repr(exc).encode())
                continue
            if status == 201:
                ok[index] += 1
            else:
                failed[index] += 1
                samples.setdefault(status, data[:300])
        client.close()

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    deadline_box.append(time.monotonic() + seconds)
    barrier.wait(timeout=120)
    t0 = time.monotonic()
    for t in pool:
        t.join(timeout=seconds + 60)
    elapsed = time.monotonic() - t0
    return {
        "ok": sum(ok),
        "failed": sum(failed),
        "rate": sum(ok) / elapsed,
        "elapsed": elapsed,
        "samples": samples,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="driving time per kind of request")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--with-reset", action="store_true", help="then run bench/points_mall_reset_bench.py")
    args = parser.parse_args()

    pid = os.getpid()
    dbname = f"retail_bench_pm_{pid}"
    dburl = pg_url(dbname)
    tmp = Path(tempfile.mkdtemp(prefix=f"bench_pm_{pid}_"))
    secret = f"bench-{pid}-secret-points-mall-0123456789"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=dburl,
        RETAIL_INSTANCE_DIR=str(tmp / "instance"),
        SECRET_KEY=secret,
        HUEY_IMMEDIATE="0",
        PYTHONUNBUFFERED="1",
        AUTH_RATE_LIMITED="0",
    )
    env.pop("REDIS_URL", None)
    os.environ["RETAIL_INSTANCE_DIR"] = env["RETAIL_INSTANCE_DIR"]
    servers: list[Gunicorn] = []
    figures: list[tuple[str, str]] = []
    notes: list[str] = []
    with psycopg.connect(pg_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{dbname}"')
    log(f"database {dbname}, temp dir {tmp}")
    try:
        run_cli(["db", "upgrade"], env)
        run_cli(["seed-demo"], env)
        add_sale_stock(dburl)
        data = prepare(dburl, secret, args.threads)
        server = Gunicorn("run:app", env, tmp, "app")
        servers.append(server)
        server.wait_ready("/login/")
        token = api_login(server.port, "pos1", "demo1234")
        per_round = args.seconds / args.rounds
        kinds = {
            "sale": lambda: drive_sales(server.port, "/api/v1/pos/orders", token, args.threads, per_round),
            "hot": lambda: drive_exchanges(
                server.port, data["tokens"], [data["hot"]] * args.threads, DELIVERY, per_round
            ),
            "physical": lambda: drive_exchanges(
                server.port, data["tokens"], data["physical"], DELIVERY, per_round
            ),
            "virtual": lambda: drive_exchanges(server.port, data["tokens"], data["virtual"], {}, per_round),
        }
        runs: dict[str, list[dict]] = {name: [] for name in kinds}
        log(f"{args.rounds} rounds of {per_round:.1f}s x {args.threads} clients per kind, in turn")
        for number in range(1, args.rounds + 1):
            for name, drive in kinds.items():
                runs[name].append(drive())
            log(f"  round {number}: " + ", ".join(f"{n} {runs[n][-1]['rate']:.1f}/s" for n in kinds))
        combined = {name: combine_runs(r) for name, r in runs.items()}
        sale = combined["sale"]["rate"]
        labels = {
            "sale": "POS sales/s (core hot path)",
            "hot": "exchanges/s, physical, one hot item",
            "physical": "exchanges/s, physical, one item per client",
            "virtual": "exchanges/s, virtual (coupon issued), one item per client",
        }
        for name, label in labels.items():
            run = combined[name]
            ratio = "" if name == "sale" else f"  ratio to sales {run['rate'] / sale:.2f}" if sale else ""
            figures.append((label, f"{run['rate']:.1f}/s ({run['failed']} failed){ratio}"))
            for status, sample in run["samples"].items():
                notes.append(f"{name} failure sample (status {status}): {sample.decode(errors='replace')}")
        with psycopg.connect(dburl) as conn:
            bad = conn.execute(
                "SELECT count(*) FROM loyalty_points_account a WHERE a.balance <> "
                "(SELECT coalesce(sum(t.points), 0) FROM loyalty_points_txn t WHERE t.account_id = a.id)"
            ).fetchone()[0]
            oversold = conn.execute(
                "SELECT count(*) FROM points_mall_item i WHERE i.stock + i.exchanged_count <> 100000000"
            ).fetchone()[0]
        figures.append(("points accounts differing from their ledger", str(bad)))
        figures.append(("items whose stock + exchanged differ from the start", str(oversold)))
    finally:
        for server in servers:
            server.stop()
        drop_database(dbname)
        shutil.rmtree(tmp, ignore_errors=True)

    width = max(len(f[0]) for f in figures)
    print()
    print(
        f"Points mall exchange figures (gunicorn -w {WORKERS}, {args.threads} clients, "
        f"{os.cpu_count()} CPUs, "
        f"median of {args.rounds} rounds)"
    )
    for name, value in figures:
        print(f"{name.ljust(width)}  {value}")
    for note in notes:
        print(f"note: {note}")
    if args.with_reset:
        reset = ROOT / "bench" / "points_mall_reset_bench.py"
        if reset.exists():
            return subprocess.call([sys.executable, str(reset)], cwd=ROOT)
        print("bench/points_mall_reset_bench.py is not there (yet)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
