"""payment_code plugin: making 100,000 cards vs a raw bulk insert, and pay-code charge throughput
against the core sale throughput in the same run (PostgreSQL, gunicorn, 8 client threads).

    .venv/bin/python bench/payment_code_bench.py [--cards 100000] [--members 30000] [--threads 8]
                                                 [--seconds 20] [--rounds 4]

Builds a fresh PostgreSQL database ``retail_bench_paycode_<pid>`` on 127.0.0.1 (schema by the
migrations, demo data seeded), then:

1. cards: a batch of ``--cards`` cards with an opening balance made through the real path
   (``request_batch`` → Huey job in immediate mode → chunks of 5,000 cards, each with its
   opening ledger rows by INSERT … SELECT, progress written per chunk), against a raw
   baseline: the same rows (cards and their opening rows, other prefix) built in Python and
   inserted with SQLAlchemy Core executemany in one transaction. Ratio target: within 2×.
   A second batch with printed QR pay codes (HMAC + Fernet per card) is timed for
   information.
2. throughput: ``--members`` members with stored value and a pay-code secret are bulk
   loaded (COPY); the app is served by gunicorn (2 sync workers); ``--threads`` clients
   alternate rounds of ``POST /api/v1/pos/pay-code/charge`` (each request a fresh, valid
   code of a member not yet charged in this run, computed by the client from the member's
   secret) and of the core ``POST /api/v1/pos/orders`` (one-line cash sale). Prints the
   median rates and the ratio charge/sale (target ≥ 1×: a charge is smaller than a sale).
The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.core_bench import (  # noqa: E402  (the project root first)
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

CARD_TARGET = 2.0
CHARGE_TARGET = 1.0
CHARGE_FEN = 100


# ---------------------------------------------------------------- 1. making cards


def bench_cards(app, count: int) -> dict:
    from sqlalchemy import func, insert, select

    from app.extensions import db
    from plugins.payment_code import cards
    from plugins.payment_code.models import Card, CardBatch, CardTxn

    def batch(prefix: str, code_kind: str = "none") -> CardBatch:
        return CardBatch(name=f"bench {prefix}", count=count, card_prefix=prefix, number_length=9,
                         start_value=1, face_value_fen=10_000, code_kind=code_kind,
                         leak_acknowledged=code_kind != "none")

    with app.app_context():
        started = time.perf_counter()
        made = cards.request_batch(batch("GEN"))
        real = time.perf_counter() - started
        assert db.session.scalar(select(func.count(Card.id)).where(Card.batch_id == made.id)) == count
        assert db.session.get(CardBatch, made.id).status == "done"

        started = time.perf_counter()
        coded = cards.request_batch(batch("QR", "qr"))
        with_codes = time.perf_counter() - started
        assert db.session.get(CardBatch, coded.id).status == "done"

        raw_batch = batch("RAW")
        raw_batch.batch_no = f"RAW{uuid.uuid4().hex[:10]}"
        raw_batch.status = "done"
        db.session.add(raw_batch)
        db.session.commit()
        started = time.perf_counter()
        now = datetime.now()
        rows = [{"batch_id": raw_batch.id, "card_no": f"RAW{n:09d}", "balance_fen": 10_000,
                 "status": "active", "valid_until": None, "created_on": now, "code_hash": None,
                 "code_enc": None} for n in range(1, count + 1)]
        with db.engine.begin() as conn:  # one transaction: the cards, their ids, the opening rows
            conn.execute(insert(Card), rows)
            ids = conn.execute(select(Card.id).where(Card.batch_id == raw_batch.id)).scalars().all()
            conn.execute(insert(CardTxn), [
                {"card_id": card_id, "kind": "issue", "amount_fen": 10_000, "balance_after_fen": 10_000,
                 "txn_no": raw_batch.batch_no, "doc_no": raw_batch.batch_no, "created_on": now}
                for card_id in ids])
        raw = time.perf_counter() - started
        db.session.remove()
    return {"real": real, "raw": raw, "with_codes": with_codes}


# ---------------------------------------------------------------- 2. charge vs sale


def load_members(app, dburl: str, count: int) -> list[tuple[str, str]]:
    """``count`` members with 1,000,000.00 of stored value and a pay-code secret (COPY);
    returns their (reference, secret) for the clients."""
    from plugins.payment_code import crypto, totp

    with app.app_context():
        secrets_ = [totp.new_secret() for _ in range(count)]
        encrypted = [crypto.encrypt(s) for s in secrets_]
    refs = [f"{(i * 7_654_321 + 13) % 10**9:09d}" for i in range(count)]  # distinct: 7654321 is odd
    stamp = datetime.now().replace(microsecond=0).isoformat(sep=" ")
    with psycopg.connect(dburl) as conn, conn.cursor() as cur:
        store = cur.execute("SELECT id FROM org_store WHERE code = 'S001'").fetchone()[0]
        with cur.copy("COPY members_member (member_no, phone, name, gender, home_store_id, status, "
                      "channel, paid_total_fen, created_on, changed_on) FROM STDIN") as copy:
            for i in range(count):
                copy.write_row((f"PB{i:09d}", f"16{i:09d}", f"付款码{i}", "unknown", store, "active",
                                "import", 0, stamp, stamp))
        lo = cur.execute("SELECT min(id) FROM members_member WHERE member_no LIKE 'PB%'").fetchone()[0]
        with cur.copy("COPY loyalty_sv_account (member_id, balance_fen) FROM STDIN") as copy:
            for i in range(count):
                copy.write_row((lo + i, 100_000_000))
        with cur.copy("COPY payment_code_secret (member_id, ref, secret_enc, last_counter, created_on) "
                      "FROM STDIN") as copy:
            for i in range(count):
                copy.write_row((lo + i, refs[i], encrypted[i], 0, stamp))
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM (ANALYZE) members_member, loyalty_sv_account, payment_code_secret")
    return list(zip(refs, secrets_, strict=True))


def drive_charges(port: int, token: str, members: list, cursor: list, threads: int, seconds: float) -> dict:
    """``threads`` clients charging fresh codes for ``seconds`` (each member once per run)."""
    from plugins.payment_code import totp

    lock = threading.Lock()
    ok, failed, samples = [0] * threads, [0] * threads, {}
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    barrier = threading.Barrier(threads + 1)
    box: list[float] = []

    def next_code() -> str | None:
        with lock:
            if cursor[0] >= len(members):
                return None
            ref, secret = members[cursor[0]]
            cursor[0] += 1
        return totp.member_code(secret, ref, totp.counter_at(time.time()))

    def worker(index: int) -> None:
        client = Client(port, timeout=30)
        barrier.wait(timeout=120)
        while time.monotonic() < box[0]:
            code = next_code()
            if code is None:
                break
            body = json.dumps({"code": code, "amount_fen": CHARGE_FEN}).encode()
            status, data, _ = client.request("POST", "/api/v1/pos/pay-code/charge", body, headers)
            if status == 201:
                ok[index] += 1
            else:
                failed[index] += 1
                samples.setdefault(status, data[:300])
        client.close()

    pool = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for t in pool:
        t.start()
    box.append(time.monotonic() + seconds)
    barrier.wait(timeout=120)
    t0 = time.monotonic()
    for t in pool:
        t.join(timeout=seconds + 60)
    elapsed = time.monotonic() - t0
    return {"ok": sum(ok), "failed": sum(failed), "rate": sum(ok) / elapsed, "samples": samples}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=30_000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="driving time per kind of request")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--cards-only", action="store_true", help="skip the charge/sale throughput")
    args = parser.parse_args()

    pid = os.getpid()
    dbname = f"retail_bench_paycode_{pid}"
    dburl = pg_url(dbname)
    tmp = Path(tempfile.mkdtemp(prefix=f"paycode_bench_{pid}_"))
    secret_key = f"bench-{pid}-{uuid.uuid4().hex}"
    env = dict(os.environ)
    env.update(DATABASE_URL=dburl, RETAIL_INSTANCE_DIR=str(tmp / "instance"), SECRET_KEY=secret_key,
               HUEY_IMMEDIATE="0", PYTHONUNBUFFERED="1")
    env.pop("REDIS_URL", None)
    os.environ.update(RETAIL_INSTANCE_DIR=env["RETAIL_INSTANCE_DIR"], SECRET_KEY=secret_key)
    with psycopg.connect(pg_url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{dbname}"')
    server = None
    try:
        run_cli(["db", "upgrade"], env)
        run_cli(["seed-demo"], env)
        from app import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": dburl, "HUEY_IMMEDIATE": True,
                          "SECRET_KEY": secret_key})

        log(f"making {args.cards:,} cards (job) and the raw baseline")
        made = bench_cards(app, args.cards)
        card_ratio = made["real"] / made["raw"]
        print(f"make {args.cards:,} cards, job + progress + opening rows: {made['real']:.2f} s "
              f"({args.cards / made['real']:,.0f} cards/s)")
        print(f"raw bulk insert of the same rows (executemany):    {made['raw']:.2f} s")
        print(f"ratio job/raw: {card_ratio:.2f}x (target <= {CARD_TARGET:.0f}x: "
              f"{'met' if card_ratio <= CARD_TARGET else 'NOT met'})")
        print(f"with printed QR pay codes (HMAC + Fernet per card): {made['with_codes']:.2f} s (info)")

        if args.cards_only:
            return 0
        log(f"loading {args.members:,} members with stored value and pay-code secrets")
        members = load_members(app, dburl, args.members)
        add_sale_stock(dburl)
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()
        server = Gunicorn("run:app", env, tmp, "app")
        server.wait_ready("/login/")
        token = api_login(server.port, "pos1", "demo1234")
        cursor = [0]
        drive_charges(server.port, token, members, cursor, args.threads, 1.0)  # warm-up
        round_seconds = args.seconds / args.rounds
        charges, sales = [], []
        for number in range(1, args.rounds + 1):
            charges.append(drive_charges(server.port, token, members, cursor, args.threads, round_seconds))
            sales.append(drive_sales(server.port, "/api/v1/pos/orders", token, args.threads, round_seconds))
            log(f"  round {number}: charges {charges[-1]['rate']:.1f}/s, sales {sales[-1]['rate']:.1f}/s")
            if cursor[0] >= len(members):
                log("  members used up: raise --members")
                break
        charge_rate = statistics.median(r["rate"] for r in charges)
        sale = combine_runs(sales)
        failed = sum(r["failed"] for r in charges)
        ratio = charge_rate / max(sale["rate"], 1e-9)
        charge_rounds = ", ".join(f"{r['rate']:.0f}" for r in charges)
        sale_rounds = ", ".join(f"{r['rate']:.0f}" for r in sales)
        print(f"pay-code charges/s ({args.threads} clients, median of {len(charges)} rounds): "
              f"{charge_rate:.1f} (rounds {charge_rounds}; {failed} failed)")
        print(f"core sales/s      ({args.threads} clients, median of {len(sales)} rounds): "
              f"{sale['rate']:.1f} (rounds {sale_rounds}; {sale['failed']} failed)")
        print(f"ratio charge/sale: {ratio:.2f}x (target >= {CHARGE_TARGET:.0f}x: "
              f"{'met' if ratio >= CHARGE_TARGET else 'NOT met'})")
        samples = dict(sale["samples"])
        for run in charges:
            samples.update(run["samples"])
        for status, sample in samples.items():
            print(f"  sample failure {status}: {sample!r}")
        return 0
    finally:
        if server is not None:
            server.stop()
        drop_database(dbname)


if __name__ == "__main__":
    raise SystemExit(main())
