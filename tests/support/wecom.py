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


def client_transport(app):
    """Deliver the simulator's callbacks through ``app``'s test client (this thread, this test's
    transaction): the same encrypted, signed requests as over HTTP."""
    from urllib.parse import urlsplit

    client = app.test_client()

    def send(url, params, body, timeout):
        answer = client.post(urlsplit(url).path, query_string=params, data=body, content_type="text/xml")
        return answer.status_code, answer.get_data(as_text=True)

    return send


def configure(app, sim, timeout: int = 2) -> None:
    """Point the plugin's WeCom settings at the simulator (its demo corp)."""
    from app.extensions import db
    from app.platform.settings import set_setting
    from plugins.wecom_guide.wecom.platform import forget_tokens

    state = sim.state
    with app.app_context():
        for key, value in (
            ("wecom_base_url", sim.url),
            ("corp_id", state.corp_id),
            ("corp_secret", state.secret),
            ("callback_token", state.callback_token),
            ("encoding_aes_key", state.aes_key),
            ("agent_id", state.agent_id),
            ("wecom_timeout_seconds", timeout),
        ):
            set_setting(f"wecom_guide.{key}", value)
        db.session.remove()
    forget_tokens()


@pytest.fixture(name="wecom")
def wecom_fixture(app, guides, wecom_sim):
    """The plugin on (``guides``), pointed at a fresh WeCom simulator whose events reach the
    app's callback through the test client."""
    configure(app, wecom_sim)
    wecom_sim.state.callback_url = "http://testserver/wecom/callback"
    wecom_sim.state.transport = client_transport(app)
    yield wecom_sim
    from plugins.wecom_guide.wecom.platform import forget_tokens

    forget_tokens()


def guide_with_qr(app, username: str = "guide1", userid: str | None = None) -> dict:
    """Bind ``username``'s staff row to a WeCom userid known to the simulator and make its QR."""
    from app.extensions import db
    from app.platform.staff import Staff
    from plugins.wecom_guide.wecom.contact_way import bind_wecom_user, make_guide_qr

    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        staff_id = db.session.query(Staff).filter_by(user_id=user.id).one().id
        bind_wecom_user(staff_id, userid or username)
        qr = make_guide_qr(staff_id)
        db.session.remove()
    return {**qr, "staff_id": staff_id}


def new_member(app, phone=None, status="inactive", store_code="S001") -> dict:
    from app.extensions import db
    from app.members.models import Member
    from app.org.models import Store
    from tests.support.values import new_phone, unique

    with app.app_context():
        store = db.session.query(Store).filter_by(code=store_code).one()
        member = Member(
            member_no=unique("WC"),
            phone=phone or new_phone(),
            name="企微会员",
            home_store_id=store.id,
            status=status,
        )
        db.session.add(member)
        db.session.commit()
        return {"id": member.id, "phone": member.phone}
