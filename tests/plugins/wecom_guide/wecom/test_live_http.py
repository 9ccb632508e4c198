"""Over real HTTP both ways: the app served on loopback, the simulator delivering to its
``/wecom/callback`` and the app calling the simulator back (own database: other threads commit)."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.support.wecom import configure, guide_with_qr, new_member, wecom_sim_fixture  # noqa: F401
from tests.support.wecom_guide import guides_fixture  # noqa: F401  (fixture)

pytestmark = [pytest.mark.own_database, pytest.mark.usefixtures("guides")]


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)
    server.server_close()


def test_url_verification_and_a_scan_over_http(app, wecom_sim, served):
    from app.extensions import db
    from plugins.wecom_guide.ownership import owner_of

    configure(app, wecom_sim)
    wecom_sim.state.callback_url = f"{served}/wecom/callback"
    assert wecom_sim.state.verify_url()["ok"] is True
    qr = guide_with_qr(app)
    member = new_member(app)
    scanned = wecom_sim.state.scan(qr["config_id"], name="赵六", phone=member["phone"])
    assert [(d["status"], d["answer"]) for d in scanned["deliveries"]] == [(200, "success")]
    with app.app_context():
        assert owner_of(member["id"]) == qr["staff_id"]
        db.session.remove()
    [welcome] = wecom_sim.state.welcomes
    assert welcome["external_userid"] == scanned["external_userid"]
    again = wecom_sim.state.deliver(scanned["event"])
    assert [d["status"] for d in again] == [200] and len(wecom_sim.state.welcomes) == 1
