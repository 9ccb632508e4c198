"""Member ownership: pool, claim (one winner), link from WeCom, transfer, release when a guide leaves."""

import threading

import pytest

from app.extensions import db
from tests.support.members import error_code
from tests.support.wecom_guide import guides_fixture  # noqa: F401

pytestmark = pytest.mark.usefixtures("guides")


def _ids(response):
    assert response.status_code == 200, response.get_json()
    return [m["id"] for m in response.get_json()["result"]["members"]]


def test_a_guide_claims_a_pool_member_and_then_owns_it(guides):
    guide = guides.guide("S001")
    member = guides.member("S001")
    mall_member = guides.member(None)
    other_store = guides.member("S002")
    api = guides.api(guide)
    pool = _ids(api.get("/pool?page_size=100&q=" + member["phone"]))
    assert pool == [member["id"]]
    assert mall_member["id"] in _ids(api.get("/pool?q=" + mall_member["phone"]))  # no home store: any store
    assert _ids(api.get("/pool?q=" + other_store["phone"])) == []  # another store's pool
    claimed = api.post(f"/pool/{member['id']}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["result"] == {"member_id": member["id"],
                                                                           "claimed": True}
    assert guides.owner(member) == guide["staff_id"]
    assert _ids(api.get("/pool?q=" + member["phone"])) == []
    assert _ids(api.get("/members?q=" + member["phone"])) == [member["id"]]
    again = api.post(f"/pool/{member['id']}/claim")
    assert again.status_code == 409 and error_code(again) == "MEMBER_ALREADY_CLAIMED"
    rival = guides.api(guides.guide("S001"))
    lost = rival.post(f"/pool/{member['id']}/claim")  # not in the pool any more: not shown to them
    assert lost.status_code == 404 and error_code(lost) == "NOT_FOUND"
    not_mine = api.post(f"/pool/{other_store['id']}/claim")
    assert not_mine.status_code == 404
    with guides.app.app_context():
        from plugins.wecom_guide.models import OwnershipEvent

        events = db.session.query(OwnershipEvent).filter_by(member_id=member["id"]).all()
        assert [(e.action, e.to_staff_id) for e in events] == [("claim", guide["staff_id"])]


def test_linking_from_wecom_is_idempotent_and_never_steals(guides, app):
    from plugins.wecom_guide.ownership import find_member_for_contact, link_member_to_guide

    first, second = guides.guide("S001"), guides.guide("S001")
    member = guides.member("S001")
    with app.app_context():
        assert link_member_to_guide(member["id"], first["staff_id"], "wecom") is True
        assert link_member_to_guide(member["id"], first["staff_id"], "wecom") is False  # already linked
        assert link_member_to_guide(member["id"], second["staff_id"], "wecom") is False  # never stolen
        assert link_member_to_guide(999_999_999, first["staff_id"], "wecom") is False
        assert link_member_to_guide(member["id"], 999_999_999, "wecom") is False
        assert find_member_for_contact(None, member["phone"]).id == member["id"]
        assert find_member_for_contact("o-unknown-unionid", "13000000000") is None
        assert find_member_for_contact(None, None) is None
    assert guides.owner(member) == first["staff_id"]


def test_a_store_manager_is_not_a_guide_for_links(guides, app):
    from plugins.wecom_guide.ownership import link_member_to_guide

    manager = guides.guide("S001", role="StoreManager")
    member = guides.member("S001")
    with app.app_context():
        assert link_member_to_guide(member["id"], manager["staff_id"], "wecom") is False
    assert guides.owner(member) is None


def test_a_guide_who_leaves_returns_their_members_to_the_pool_with_history(guides, app):
    from app.org.services import mark_staff_left
    from app.platform.staff import Staff
    from plugins.wecom_guide.models import OwnershipEvent

    leaving, staying = guides.guide("S001"), guides.guide("S001")
    theirs = [guides.member("S001", owner=leaving) for _ in range(3)]
    kept = guides.member("S001", owner=staying)
    with app.app_context():
        mark_staff_left(db.session.get(Staff, leaving["staff_id"]))
    assert [guides.owner(m) for m in theirs] == [None, None, None]
    assert guides.owner(kept) == staying["staff_id"]
    api = guides.api(staying)
    for member in theirs:
        assert _ids(api.get("/pool?q=" + member["phone"])) == [member["id"]]
    with app.app_context():
        history = db.session.query(OwnershipEvent).filter(
            OwnershipEvent.member_id.in_([m["id"] for m in theirs])).order_by(OwnershipEvent.id).all()
        assert [(e.action, e.source, e.from_staff_id) for e in history] == (
            [("link", "test", None)] * 3 + [("release", "staff_left", leaving["staff_id"])] * 3)
    reclaimed = api.post(f"/pool/{theirs[0]['id']}/claim")
    assert reclaimed.status_code == 200
    assert guides.owner(theirs[0]) == staying["staff_id"]


def test_transfer_and_release_by_the_services(guides, app):
    from app.errors import DomainError
    from app.platform.staff import Staff
    from plugins.wecom_guide.ownership import release_member, transfer_member

    first, second = guides.guide("S001"), guides.guide("S001")
    manager = guides.guide("S001", role="StoreManager")
    member = guides.member("S001", owner=first)
    with app.app_context():
        transfer_member(member["id"], db.session.get(Staff, second["staff_id"]))
        with pytest.raises(DomainError) as refused:
            transfer_member(member["id"], db.session.get(Staff, manager["staff_id"]))
        assert refused.value.code == "GUIDE_NOT_FOUND"
    assert guides.owner(member) == second["staff_id"]
    with app.app_context():
        assert release_member(member["id"]) is True
        assert release_member(member["id"]) is False
    assert guides.owner(member) is None


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_racing_claims_have_exactly_one_winner(guides, app, is_postgres):
    racers = [guides.guide("S001") for _ in range(8 if is_postgres else 4)]
    clients = [guides.api(g) for g in racers]
    members = [guides.member("S001") for _ in range(2)]
    guides.own({"id": members[1]["id"]}, racers[0])
    with app.app_context():
        from plugins.wecom_guide.ownership import release_member

        release_member(members[1]["id"])  # a released member (a pool row) races too
    for member in members:
        barrier = threading.Barrier(len(clients))
        results = []

        def claim(client, member_id=member["id"], barrier=barrier, results=results):
            barrier.wait()
            response = client.post(f"/pool/{member_id}/claim")
            results.append(response.status_code if response.status_code == 200 else error_code(response))

        workers = [threading.Thread(target=claim, args=(c,)) for c in clients]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert results.count(200) == 1, results
        assert set(results) - {200} <= {"MEMBER_ALREADY_CLAIMED", "NOT_FOUND", "BUSY_RETRY"}, results
        assert guides.owner(member) in {g["staff_id"] for g in racers}
