"""Figures of the meituan_voucher plugin (in-process, SQLite, simulator on loopback).

    .venv/bin/python bench/meituan_voucher_bench.py [--n 200]

* SHA-1 signing of a request (the current dialect): signatures per second
* client ↔ simulator over real HTTP: prepare round trip median / p95
* POS sale paid by a Meituan voucher (``POST /api/v1/pos/orders``, the voucher consumed
  inside the sale) against the same sale paid in cash: median ms and the ratio, i.e. what
  the platform round trip costs a sale
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="mt-bench-"))
os.environ.setdefault("RETAIL_INSTANCE_DIR", str(TMP / "instance"))
os.environ.setdefault("SECRET_KEY", "b" * 64)


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    n = parser.parse_args().n

    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from plugins.meituan_voucher.client import Credentials, MeituanClient
    from plugins.meituan_voucher.signing import CurrentDialect
    from plugins.meituan_voucher.simulator import (
        DEMO_DEVELOPER_ID,
        DEMO_REFRESH,
        DEMO_SIGN_KEY,
        DEMO_TOKEN,
        create_simulator,
        demo_state,
    )

    dialect = CurrentDialect()
    started = time.perf_counter()
    for i in range(20000):
        dialect.form({"receiptCode": f"{i:010d}", "count": 1}, developer_id="100001", sign_key="k",
                     token="t", timestamp=1700000000)
    signs = 20000 / (time.perf_counter() - started)

    state = demo_state()
    codes = [f"88{i:08d}" for i in range(2 * n + 10)]
    for code in codes:
        state.add_order(f"B{code}", [code], "D200", "50元代金券", 45.5, "MT-SHOP-S001")
    server = make_server("127.0.0.1", 0, create_simulator(state), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    client = MeituanClient(Credentials(url, DEMO_DEVELOPER_ID, DEMO_SIGN_KEY, DEMO_TOKEN, DEMO_REFRESH))
    trips = []
    for i in range(n):
        t0 = time.perf_counter()
        client.prepare(codes[i], "MT-SHOP-S001")
        trips.append((time.perf_counter() - t0) * 1000)

    from app import create_app, migrations
    from app.demo import seed_demo
    from app.platform.settings import set_setting

    app = create_app({"TESTING": True, "HUEY_IMMEDIATE": True, "WTF_CSRF_ENABLED": False,
                      "AUTH_RATE_LIMIT": "10000 per second",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{TMP / 'bench.db'}"})
    with app.app_context():
        migrations.upgrade()
        app.appbuilder.sm.sync_roles(app.extensions["retail_plugins"].role_grants())
        seed_demo("demo1234")
        set_setting("meituan_voucher.base_url", url)
        from app.catalog.models import Sku
        from app.extensions import db
        from app.inventory.services import move_stock
        from app.org.models import Store

        store = db.session.query(Store).filter_by(code="S001").one()
        sku = db.session.query(Sku).filter_by(sku_code="P1004-01").one()
        move_stock(store.id, sku.id, 10 * n, "purchase_in", "BENCH")
        db.session.commit()
        price = sku.price_fen
    http = app.test_client()
    token = http.post("/api/v1/security/login", json={"username": "pos1", "password": "demo1234",
                                                      "provider": "db"}).get_json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}

    def sale(payments):
        t0 = time.perf_counter()
        answer = http.post("/api/v1/pos/orders", headers=auth,
                           json={"lines": [{"sku_code": "P1004-01", "qty": 1}], "payments": payments})
        assert answer.status_code == 201, answer.get_json()
        return (time.perf_counter() - t0) * 1000

    cash = [sale([{"method": "cash", "amount_fen": price}]) for _ in range(n)]
    voucher = [sale([{"method": "meituan", "amount_fen": 5000, "code": codes[n + i]},
                     {"method": "cash", "amount_fen": price - 5000}]) for i in range(n)]
    server.shutdown()

    print(f"{'figure':52} value")
    print(f"{'SHA-1 request signing':52} {signs:,.0f} /s")
    print(f"{'client prepare round trip (loopback) median / p95':52} "
          f"{statistics.median(trips):.2f} / {pct(trips, 95):.2f} ms")
    print(f"{'POS sale, cash only: median / p95':52} {statistics.median(cash):.2f} / {pct(cash, 95):.2f} ms")
    print(f"{'POS sale paid by a voucher (consumed in the sale)':52} "
          f"{statistics.median(voucher):.2f} / {pct(voucher, 95):.2f} ms")
    print(f"{'ratio voucher / cash (median)':52} {statistics.median(voucher) / statistics.median(cash):.2f}x")
    print(f"(n={n}, SQLite, simulator in-process on loopback)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
