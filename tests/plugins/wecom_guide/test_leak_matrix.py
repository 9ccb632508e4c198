"""No guide sees another guide's member anywhere: every guide endpoint answers 404 for it,
and the core's member pages, search and export (which a guide may open) leave it out."""


import pytest

from tests.support.images import png_base64
from tests.support.members import error_code
from tests.support.wecom_guide import guides_fixture  # noqa: F401

pytestmark = pytest.mark.usefixtures("guides")


@pytest.fixture
def two_guides(guides):
    mine, theirs = guides.guide("S001"), guides.guide("S001")
    return {
        "me": mine,
        "other": theirs,
        "my_member": guides.member("S001", name="我的会员", owner=mine),
        "their_member": guides.member("S001", name="别人会员", owner=theirs),
    }


def _their_photo(guides, world) -> int:
    answer = guides.api(world["other"]).post(
        f"/members/{world['their_member']['id']}/photos", json={"data": png_base64()}
    )
    assert answer.status_code == 201
    return answer.get_json()["result"]["id"]


API_PROBES = [
    ("get", "/members/{id}", None),
    ("post", "/members/{id}/visits", {"method": "phone", "note": "x"}),
    ("post", "/members/{id}/fittings", {"item": "x"}),
    ("post", "/members/{id}/tags", {"tag_id": 1}),
    ("post", "/members/{id}/photos", {"data": "iVBORw0KGgo="}),
    ("post", "/members/{id}/coupons", {"rule_id": 1}),
    ("post", "/pool/{id}/claim", {}),
]


@pytest.mark.parametrize(("method", "path", "body"), API_PROBES)
def test_every_guide_endpoint_answers_404_for_another_guides_member(guides, two_guides, method, path, body):
    api = guides.api(two_guides["me"])
    url = path.format(id=two_guides["their_member"]["id"])
    answer = api.get(url) if method == "get" else api.post(url, json=body)
    assert answer.status_code == 404 and error_code(answer) == "NOT_FOUND", (url, answer.get_json())
    own = path.format(id=two_guides["my_member"]["id"])
    if method == "get":
        assert api.get(own).status_code == 200  # the same request on one's own member works


def test_lists_searches_and_photos_never_show_another_guides_member(guides, two_guides):
    api = guides.api(two_guides["me"])
    theirs = two_guides["their_member"]
    for query in ("", f"?q={theirs['phone']}", f"?q={theirs['phone'][-4:]}", f"?q={theirs['member_no']}"):
        for listing in ("/members", "/pool"):
            found = api.get(listing + query).get_json()["result"]["members"]
            assert theirs["id"] not in [m["id"] for m in found], (listing, query)
    photo = _their_photo(guides, two_guides)
    assert api.get(f"/photos/{photo}").status_code == 404
    assert guides.api(two_guides["other"]).get(f"/photos/{photo}").status_code == 200


def test_the_core_member_pages_and_export_leave_another_guides_member_out(app, guides, two_guides):
    browser = guides.browser(two_guides["me"])
    theirs, mine = two_guides["their_member"], two_guides["my_member"]
    listing = browser.get("/memberview/list/?psize_MemberView=100")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert mine["member_no"] in html and theirs["member_no"] not in html
    assert browser.get(f"/memberview/show/{theirs['id']}").status_code == 404
    assert browser.get(f"/memberview/show/{mine['id']}").status_code == 200
    search = browser.get(f"/memberview/list/?_flt_0_phone={theirs['phone']}").get_data(as_text=True)
    assert theirs["member_no"] not in search
    export = browser.get("/member-export/members.csv")
    assert theirs["phone"] not in export.get_data(as_text=True)
    assert browser.get("/guide/").status_code == 200


def test_the_own_members_rule_can_be_turned_off_for_the_core_pages(guides, two_guides):
    guides.settings(own_members_only=False)
    browser = guides.browser(two_guides["me"])
    html = browser.get("/memberview/list/?psize_MemberView=100").get_data(as_text=True)
    assert two_guides["their_member"]["member_no"] in html  # the store's members, as without the plugin
    api = guides.api(two_guides["me"])
    assert api.get(f"/members/{two_guides['their_member']['id']}").status_code == 404  # workbench: own only
