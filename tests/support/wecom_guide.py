"""Fixtures and helpers of the wecom_guide tests.

``guides`` turns the plugin on (and the test plugins ``sample``/``sample_addon``, which mask
phones themselves, off) for one test and restores everything afterwards; its helper makes
guides, members and ownership.
"""

from __future__ import annotations

import itertools

import pytest

from app.extensions import db
from tests.support.app import PASSWORD
from tests.support.clients import api_token, login
from tests.support.members import new_phone

PLUGIN = "wecom_guide"
_seq = itertools.count(1)


class Guides:
    def __init__(self, app):
        self.app = app

    def store_id(self, code: str) -> int:
        from app.org.models import Store

        with self.app.app_context():
            return db.session.query(Store).filter_by(code=code).one().id

    def guide(self, store: str = "S001", role: str = "Guide") -> dict:
        """A new user with ``role`` working at ``store``: {"username", "user_id", "staff_id"}."""
        from app.org.models import Store
        from app.platform.staff import Staff

        username = f"wg_{role.lower()}_{next(_seq)}_{new_phone()[-6:]}"
        with self.app.app_context():
            sm = self.app.appbuilder.sm
            user = sm.add_user(username, username, "", f"{username}@demo.local", sm.find_role(role),
                               password=PASSWORD)
            store_row = db.session.query(Store).filter_by(code=store).one()
            staff = Staff(user_id=user.id, store_id=store_row.id, employee_no=f"WG{user.id:06d}",
                          name=f"导购{user.id}")
            db.session.add(staff)
            db.session.commit()
            return {"username": username, "user_id": user.id, "staff_id": staff.id, "store": store}

    def member(self, store: str | None = "S001", name: str = "王晓红", owner: dict | None = None,
               paid_total_fen: int = 0) -> dict:
        """A new member of ``store`` (None: a mall sign-up), owned by guide ``owner`` if given."""
        from app.members.models import Member
        from app.members.services import create_member

        phone = new_phone()
        with self.app.app_context():
            home = self.store_id(store) if store else None
            member = create_member(phone, name, home, channel="admin")
            if paid_total_fen:
                row = db.session.get(Member, member.id)
                row.paid_total_fen = paid_total_fen
                db.session.commit()
            data = {"id": member.id, "phone": phone, "member_no": member.member_no, "name": name}
        if owner is not None:
            self.own(data, owner)
        return data

    def own(self, member: dict, guide: dict) -> None:
        from plugins.wecom_guide.ownership import link_member_to_guide

        with self.app.app_context():
            assert link_member_to_guide(member["id"], guide["staff_id"], "test") is True

    def owner(self, member: dict) -> int | None:
        from plugins.wecom_guide.ownership import owner_of

        with self.app.app_context():
            return owner_of(member["id"])

    def api(self, guide: dict):
        return GuideApiClient(self.app, guide["username"])

    def browser(self, guide: dict):
        return login(self.app, guide["username"])

    def settings(self, **values) -> None:
        from app.platform.settings import set_setting

        with self.app.app_context():
            for name, value in values.items():
                set_setting(f"{PLUGIN}.{name}", value)


class GuideApiClient:
    """Requests with the guide's bearer token to ``/api/v1/guide``."""

    def __init__(self, app, username):
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {api_token(app, username)}"}

    def get(self, path, headers=None, **kwargs):
        return self.client.get(f"/api/v1/guide{path}", headers={**self.headers, **(headers or {})}, **kwargs)

    def post(self, path, headers=None, **kwargs):
        return self.client.post(f"/api/v1/guide{path}", headers={**self.headers, **(headers or {})}, **kwargs)


def _reset(app) -> None:
    from app.platform.caches import bump_config_version
    from app.platform.models import Setting

    with app.app_context():
        db.session.query(Setting).filter(Setting.key.like(f"{PLUGIN}.%")).delete(synchronize_session=False)
        bump_config_version()
        db.session.commit()


@pytest.fixture(name="guides")
def guides_fixture(app):
    host = app.extensions["retail_plugins"]
    with app.app_context():
        host.set_enabled("sample_addon", False)
        host.set_enabled("sample", False)
        host.set_enabled(PLUGIN, True)
    yield Guides(app)
    with app.app_context():
        host.set_enabled(PLUGIN, False)
        _reset(app)
        host.set_enabled("sample", True)
        host.set_enabled("sample_addon", True)
