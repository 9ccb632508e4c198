"""F4.16: a member registered at the POS stays inactive until they open the activation link
or log in to the mall with an SMS code (through the core's retail_member_logged_in)."""

import re

from app.extensions import db
from tests.support.wecom_guide import guides_fixture  # noqa: F401 (fixture)


def _sms_login(app, client, phone: str):
    from datetime import timedelta

    from app.mall.models import MallLoginCode
    from app.messages.models import SmsOutbox

    with app.app_context():  # an earlier code was sent long enough ago to ask for another
        for row in db.session.query(MallLoginCode).filter_by(phone=phone):
            row.created_on -= timedelta(minutes=10)
            row.expires_at -= timedelta(minutes=10)
        db.session.commit()
    assert client.post("/api/v1/mall/login/code", json={"phone": phone}).status_code == 200
    with app.app_context():
        sms = db.session.query(SmsOutbox).filter_by(phone=phone, template="mall_login") \
            .order_by(SmsOutbox.id.desc()).first()
        code = re.search(r"\d{6}", sms.body).group(0)
    return client.post("/api/v1/mall/login", json={"phone": phone, "code": code})


def test_an_sms_login_activates_an_inactive_member_once(app, guides):
    from app.members.models import Member
    from plugins.wecom_guide.models import Activation

    member = guides.member("S001")
    with app.app_context():
        assert db.session.get(Member, member["id"]).status == "inactive"
    client = app.test_client()
    assert _sms_login(app, client, member["phone"]).status_code == 200
    with app.app_context():
        row = db.session.get(Member, member["id"])
        assert row.status == "active" and row.activated_on is not None
        assert db.session.query(Activation).filter_by(member_id=member["id"]).one().method == "sms"
    assert _sms_login(app, client, member["phone"]).status_code == 200  # a second login: nothing new
    with app.app_context():
        assert db.session.query(Activation).filter_by(member_id=member["id"]).count() == 1


def test_with_the_plugin_off_a_login_activates_nothing(app, guides):
    from app.members.models import Member

    member = guides.member("S001")
    with app.app_context():
        app.extensions["retail_plugins"].set_enabled("wecom_guide", False)
    try:
        assert _sms_login(app, app.test_client(), member["phone"]).status_code == 200
        with app.app_context():
            assert db.session.get(Member, member["id"]).status == "inactive"
    finally:
        with app.app_context():
            app.extensions["retail_plugins"].set_enabled("wecom_guide", True)
