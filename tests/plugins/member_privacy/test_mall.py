"""The mall: the member's own view is never masked; the store list follows the share group."""

from app.extensions import db
from tests.support.privacy import privacy_fixture  # noqa: F401 (fixtures)


def _token(app, member_id):
    from app.mall.services import issue_member_token
    from app.members.models import Member

    with app.app_context():
        return {"Authorization": f"Bearer {issue_member_token(db.session.get(Member, member_id))}"}


def _stores(app, member_id):
    response = app.test_client().get("/api/v1/mall/stores", headers=_token(app, member_id))
    assert response.status_code == 200
    return [s["code"] for s in response.get_json()["result"]]


def test_mall_store_list_follows_the_share_group(privacy, app):
    privacy.group("East", "S001", "S002")
    east = privacy.member("S002")
    west = privacy.member("S003")
    online = privacy.member(None)
    assert _stores(app, west["id"]) == ["S001", "S002", "S003"]  # isolation off: every store
    privacy.settings(isolation=True)
    assert _stores(app, east["id"]) == ["S001", "S002"]
    assert _stores(app, west["id"]) == ["S003"]  # a store in no group is a group of its own
    assert _stores(app, online["id"]) == ["S001", "S002", "S003"]


def test_the_members_own_mall_view_is_never_masked(privacy, app):
    member = privacy.member("S003", name="欧阳娜娜")
    privacy.group("East", "S001", "S002")
    privacy.settings(mask=True, other_store=False, other_staff=False, isolation=True)
    response = app.test_client().get("/api/v1/mall/me", headers=_token(app, member["id"]))
    me = response.get_json()["result"]
    assert me["phone"] == member["phone"] and me["name"] == "欧阳娜娜"
