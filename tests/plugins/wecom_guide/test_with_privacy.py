"""With member_privacy on, the workbench shows what the privacy rules let store staff see:
masked phones (no call, no copy), and share-group isolation still narrows the lists."""

import pytest

from tests.support.privacy import privacy_fixture  # noqa: F401
from tests.support.wecom_guide import guides_fixture  # noqa: F401

pytestmark = pytest.mark.usefixtures("guides", "privacy")


def test_a_masked_phone_is_masked_on_the_workbench(guides, privacy):
    privacy.settings(mask=True)
    guide = guides.guide("S001")
    member = guides.member("S001", name="欧阳娜娜", owner=guide)
    api = guides.api(guide)
    listed = api.get("/members").get_json()["result"]["members"]
    assert [m["phone"] for m in listed] == [member["phone"][:3] + "****" + member["phone"][-4:]]
    shown = api.get(f"/members/{member['id']}").get_json()["result"]
    assert shown["phone_masked"] is True and member["phone"] not in str(shown)
    found = api.get(f"/members?q={member['phone']}").get_json()["result"]["members"]
    assert [m["id"] for m in found] == [member["id"]]  # still found by the whole number


def test_share_group_isolation_still_applies_to_the_pool(guides, privacy):
    privacy.settings(isolation=True)
    privacy.group("北区", "S001")
    guide = guides.guide("S001")
    outside = guides.member("S002")
    mall = guides.member(None)
    api = guides.api(guide)
    pool = [
        m["id"] for m in api.get("/pool?page_size=100&q=" + outside["phone"]).get_json()["result"]["members"]
    ]
    assert outside["id"] not in pool
    assert api.post(f"/pool/{outside['id']}/claim", json={}).status_code == 404
    assert api.get("/pool?q=" + mall["phone"]).status_code == 200
