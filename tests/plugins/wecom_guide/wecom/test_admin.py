"""Admin pages of the WeCom integration: bind a guide, make the QR, read contacts, events, calls."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.platform.staff import Staff
from plugins.wecom_guide.models import WeComContactWay
from tests.support.wecom import wecom_fixture, wecom_sim_fixture  # noqa: F401  (fixtures)
from tests.support.wecom_guide import guides_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("guides")


def staff_id_of(app, username):
    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        return db.session.scalar(select(Staff.id).where(Staff.user_id == user.id))


def way_of(app, staff_id):
    with app.app_context():
        return db.session.scalars(select(WeComContactWay).where(WeComContactWay.staff_id == staff_id)).first()


def test_hq_binds_a_guide_and_makes_the_qr(app, wecom, admin_client):
    staff_id = staff_id_of(app, "guide1")
    added = admin_client.post("/wecomguideview/add", data={"staff": staff_id, "wecom_userid": "guide1"})
    assert added.status_code == 302
    way = way_of(app, staff_id)
    assert (way.wecom_userid, way.status, way.store_id is not None) == ("guide1", "none", True)
    made = admin_client.post("/wecomguideview/action_post", data={"action": "make_qr", "rowid": way.id})
    assert made.status_code == 302
    way = way_of(app, staff_id)
    assert way.status == "active" and way.config_id in wecom.state.ways
    page = admin_client.get("/wecomguideview/list/")
    assert page.status_code == 200 and f'src="{way.qr_code}"' in page.get_data(as_text=True)
    for path in ("/wecomcontactview/list/", "/wecomeventview/list/", "/wecomcallview/list/"):
        assert admin_client.get(path).status_code == 200
    assert admin_client.get("/wecomeventview/add").status_code == 403


def test_bad_input_stays_beside_the_field(app, wecom, admin_client):
    staff_id = staff_id_of(app, "guide1")
    bad = admin_client.post("/wecomguideview/add", data={"staff": staff_id, "wecom_userid": "has space"})
    assert bad.status_code == 200 and way_of(app, staff_id) is None
    assert (
        admin_client.post(
            "/wecomguideview/add", data={"staff": staff_id, "wecom_userid": "guide1"}
        ).status_code
        == 302
    )
    other = staff_id_of(app, "manager1")
    taken = admin_client.post("/wecomguideview/add", data={"staff": other, "wecom_userid": "guide1"})
    assert taken.status_code == 200 and way_of(app, other) is None
    again = admin_client.post("/wecomguideview/add", data={"staff": staff_id, "wecom_userid": "g2"})
    assert again.status_code == 200


def test_an_unknown_userid_is_refused_by_wecom_and_flashed(app, wecom, admin_client):
    staff_id = staff_id_of(app, "manager1")
    admin_client.post("/wecomguideview/add", data={"staff": staff_id, "wecom_userid": "nobody_here"})
    way = way_of(app, staff_id)
    answer = admin_client.post(
        "/wecomguideview/action_post", data={"action": "make_qr", "rowid": way.id}, follow_redirects=True
    )
    assert answer.status_code == 200
    assert "60111" in answer.get_data(as_text=True)
    way = way_of(app, staff_id)
    assert way.status == "failed" and "60111" in way.last_error


def test_store_roles_and_guides(app, client_as):
    assert client_as("manager1").get("/wecomguideview/list/").status_code == 200
    assert client_as("manager1").get("/wecomeventview/list/").status_code == 403
    assert client_as("guide1").get("/wecomguideview/list/").status_code == 403


def test_demo_data_is_idempotent(app):
    from app.platform.settings import get_setting
    from plugins.wecom_guide.wecom.demo import seed_demo
    from plugins.wecom_guide.wecom.simulator import DEMO_CORP_ID

    with app.app_context():
        assert seed_demo() == 6
        assert get_setting("wecom_guide.corp_id") == DEMO_CORP_ID
        assert seed_demo() == 0
        db.session.remove()
    assert way_of(app, staff_id_of(app, "guide1")).wecom_userid == "guide1"
