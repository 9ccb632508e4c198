"""Fixtures of the meituan_voucher tests: a simulator on loopback, in a thread, over real HTTP."""

from __future__ import annotations

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


@pytest.fixture
def sim():
    running = RunningSimulator()
    yield running
    running.stop()


@pytest.fixture
def creds(sim):
    from plugins.meituan_voucher.client import Credentials

    return Credentials(sim.url, DEMO_DEVELOPER_ID, DEMO_SIGN_KEY, DEMO_TOKEN, DEMO_REFRESH, timeout=3.0)
