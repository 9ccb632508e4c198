"""retail_member_segments: each share group is a member segment other packages can target
(a points reset, a guide task): its members are those whose home store is in the group."""

from sqlalchemy import select

from app.extensions import db
from app.members.models import Member
from tests.support.privacy import privacy_fixture  # noqa: F401 (fixtures)


def _segments(app) -> dict:
    with app.app_context():
        host = app.extensions["retail_plugins"]
        found = {}
        for segment in host.member_segments():
            ids = set(db.session.scalars(select(Member.id).where(segment.criteria)))
            found[segment.key] = (str(segment.label), ids)
        return found


def test_a_share_group_is_a_segment_of_its_stores_members(privacy, app):
    east = privacy.group("East", "S001", "S002")
    in_s001 = privacy.member("S001", "赵一")
    in_s002 = privacy.member("S002", "钱二")
    in_s003 = privacy.member("S003", "孙三")
    homeless = privacy.member(None, "李四")
    segments = _segments(app)
    label, ids = segments[f"share_group:{east}"]
    assert "East" in label
    assert {in_s001["id"], in_s002["id"]} <= ids
    assert in_s003["id"] not in ids and homeless["id"] not in ids


def test_no_share_group_segments_while_the_plugin_is_off(app):
    assert not [key for key in _segments(app) if key.startswith("share_group:")]
