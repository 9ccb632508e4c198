"""Fixtures of the meituan_voucher tests: a simulator on loopback, in a thread, over real HTTP.

The test modules import the fixtures."""

from __future__ import annotations

import itertools
import threading

import pytest
from werkzeug.serving import make_server

from plugins.meituan_voucher.simulator import (
    DEMO_DEVELOPER_ID,
    DEMO_REFRESH,
    DEMO_SIGN_KEY,
    DEMO_TOKEN,
    create_simulator,
    demo_state,
)


class RunningSimulator:
    def __init__(self):
        self.state = demo_state()
        self.server = make_server("127.0.0.1", 0, create_simulator(self.state), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture(name="sim")
def sim_fixture():
    running = RunningSimulator()
    yield running
    running.stop()


@pytest.fixture(name="creds")
def creds_fixture(sim):
    from plugins.meituan_voucher.client import Credentials

    return Credentials(sim.url, DEMO_DEVELOPER_ID, DEMO_SIGN_KEY, DEMO_TOKEN, DEMO_REFRESH, timeout=3.0)


_codes = itertools.count(1)


def new_vouchers(state, n=1, deal="D200", price=45.5, shop="MT-SHOP-S001", title="50元代金券", days=30):
    """Fresh codes (unique over the test session) of one Meituan order, added to the simulator."""
    first = next(_codes)
    for _ in range(n - 1):
        next(_codes)
    codes = [f"77{first + i:08d}" for i in range(n)]
    state.add_order(f"T{codes[0]}", codes, deal, title, price, shop, days=days)
    return codes


@pytest.fixture(name="mt")
def mt_fixture(app, sim):
    """The app pointed at a fresh simulator (demo credentials), with helpers for tests."""
    from app.extensions import db
    from app.platform.settings import set_setting

    with app.app_context():
        for key, value in (
            ("base_url", sim.url),
            ("developer_id", DEMO_DEVELOPER_ID),
            ("sign_key", DEMO_SIGN_KEY),
            ("app_auth_token", DEMO_TOKEN),
            ("refresh_token", DEMO_REFRESH),
            ("timeout_seconds", 3),
        ):
            set_setting(f"meituan_voucher.{key}", value)
        db.session.remove()
    sim.new = lambda n=1, **kw: new_vouchers(sim.state, n, **kw)
    return sim


_skus = itertools.count(1)


def stocked_sku(app, prefix: str) -> tuple[str, int]:
    """A new 99.00 yuan SKU with 50 in stock at S001: (sku code, sku id)."""
    import uuid

    from app.catalog.models import Product, Sku
    from app.extensions import db
    from app.inventory.services import move_stock
    from app.org.models import Store

    with app.app_context():
        code = f"{prefix}{next(_skus):03d}{uuid.uuid4().hex[:4]}"
        product = Product(code=code, name=f"团购测试 {code}")
        sku = Sku(product=product, sku_code=f"{code}-1", barcode=f"68{code}", spec="", price_fen=9900)
        db.session.add_all([product, sku])
        db.session.flush()
        store = db.session.query(Store).filter_by(code="S001").one()
        move_stock(store.id, sku.id, 50, "purchase_in", f"TEST-{code}")
        db.session.commit()
        return sku.sku_code, sku.id
