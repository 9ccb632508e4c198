"""Member tags: HQ keeps the list (unique ignoring case, 1-32 characters, not deleted while in
use); store staff cannot edit the list but tag members on the member page."""

import pytest

from app.extensions import db
from app.members.models import Member, MemberTag

ADD = "/membertagview/add"


def _tags():
    return sorted(t.name for t in db.session.query(MemberTag))


def _add(client, name):
    return client.post(ADD, data={"name": name}, follow_redirects=True)


def test_hq_creates_tags_and_duplicates_are_refused(app, client_as):
    hq = client_as("hq")
    assert _add(hq, "  VIP客户 ").status_code == 200
    answer = _add(hq, "vip客户")
    assert "标签已存在" in answer.get_data(as_text=True)
    assert _add(hq, "x" * 33).status_code == 200  # the form refuses it (field length)
    with app.app_context():
        assert _tags().count("VIP客户") == 1 and "vip客户" not in _tags()
        assert "x" * 33 not in _tags()
    listing = hq.get("/membertagview/list/").get_data(as_text=True)
    assert "VIP客户" in listing


def test_a_tag_in_use_is_not_deleted(app, client_as):
    hq = client_as("hq")
    _add(hq, "老客户")
    with app.app_context():
        tag = db.session.query(MemberTag).filter_by(name="老客户").one()
        member = db.session.query(Member).filter_by(phone="13900000002").one()
        member.tags.append(tag)
        db.session.commit()
        tag_id = tag.id
    answer = hq.post(f"/membertagview/delete/{tag_id}", follow_redirects=True)
    assert "有 1 名会员带有此标签" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MemberTag, tag_id) is not None
        member = db.session.query(Member).filter_by(phone="13900000002").one()
        member.tags = []
        db.session.commit()
    hq.post(f"/membertagview/delete/{tag_id}", follow_redirects=True)
    with app.app_context():
        assert db.session.get(MemberTag, tag_id) is None


@pytest.mark.parametrize("user", ["manager1", "cashier1", "guide1"])
def test_store_staff_cannot_edit_the_tag_list(app, client_as, user):
    client = client_as(user)
    assert client.get("/membertagview/list/").status_code == 403
    assert client.post(ADD, data={"name": f"by-{user}"}).status_code == 403
    with app.app_context():
        assert f"by-{user}" not in _tags()
