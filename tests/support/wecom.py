"""Fixtures of the wecom_guide WeCom tests: the WeCom simulator on loopback, in a thread, over
real HTTP.  The test modules import the fixtures."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from plugins.wecom_guide.wecom.simulator import SimState, create_simulator


class RunningSimulator:
    def __init__(self):
        self.state = SimState()
        self.server = make_server("127.0.0.1", 0, create_simulator(self.state), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.state.base_url = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)
        self.server.server_close()


@pytest.fixture(name="wecom_sim")
def wecom_sim_fixture():
    running = RunningSimulator()
    yield running
    running.stop()
