"""Share groups: HQ-only admin, one group per store (form check and database key), demo seed."""

import threading

import pytest
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from plugins.member_privacy.models import ShareGroup, group_store
from tests.support.privacy import privacy_fixture  # noqa: F401 (fixtures)


def _group_names(app):
    with app.app_context():
        return sorted(g.name for g in db.session.query(ShareGroup).all())


def test_hq_adds_a_group_and_a_store_cannot_join_two(privacy, client_as, app):
    hq = client_as("hq")
    s1, s2, s3 = (privacy.store_id(c) for c in ("S001", "S002", "S003"))
    response = hq.post("/sharegroupview/add", data={"name": "East", "stores": [s1, s2], "note": "direct"})
    assert response.status_code == 302
    assert _group_names(app) == ["East"]
    response = hq.post("/sharegroupview/add", data={"name": "West", "stores": [s2, s3], "note": ""},
                       follow_redirects=True)
    assert "S002" in response.get_data(as_text=True)  # the flashed message names the store
    assert _group_names(app) == ["East"]  # nothing written
    with app.app_context():
        assert db.session.query(group_store).count() == 2
    assert hq.get("/sharegroupview/list/").status_code == 200


@pytest.mark.parametrize("user", ["manager1", "cashier1", "guide1"])
def test_store_roles_cannot_manage_groups(privacy, client_as, app, user):
    client = client_as(user)
    s1 = privacy.store_id("S001")
    for response in (
        client.get("/sharegroupview/list/"),
        client.post("/sharegroupview/add", data={"name": f"Mine {user}", "stores": [s1], "note": ""}),
    ):
        assert response.status_code == 403
    assert _group_names(app) == []


def test_the_database_refuses_a_store_in_two_groups(privacy, app):
    privacy.group("East", "S001")
    with app.app_context():
        other = ShareGroup(name="Other", note="")
        db.session.add(other)
        db.session.flush()
        s001 = privacy.store_id("S001")
        with pytest.raises(IntegrityError):
            db.session.execute(group_store.insert().values(store_id=s001, group_id=other.id))
            db.session.flush()
        db.session.rollback()


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_racing_groups_cannot_share_a_store(privacy, app, is_postgres):
    """Twenty concurrent transactions put S003 into twenty groups: exactly one wins."""
    if not is_postgres:
        pytest.skip("a real race needs PostgreSQL")
    store = privacy.store_id("S003")
    ids = []
    with app.app_context():
        for n in range(20):
            group = ShareGroup(name=f"Race {n}", note="")
            db.session.add(group)
            db.session.flush()
            ids.append(group.id)
        db.session.commit()
    barrier = threading.Barrier(len(ids))
    results = []

    def join(group_id):
        with app.app_context():
            barrier.wait()
            try:
                db.session.execute(group_store.insert().values(store_id=store, group_id=group_id))
                db.session.commit()
                results.append("ok")
            except IntegrityError:
                db.session.rollback()
                results.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=join, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok"] + ["refused"] * 19
    with app.app_context():
        assert db.session.query(group_store).filter_by(store_id=store).count() == 1


def test_demo_seed_is_idempotent(privacy, app):
    from plugins.member_privacy.demo import DEMO_GROUP, seed_share_groups

    with app.app_context():
        seed_share_groups()
        seed_share_groups()
        group = db.session.query(ShareGroup).filter_by(name=DEMO_GROUP).one()
        assert [s.code for s in group.stores] == ["S001", "S002"]
        assert db.session.query(ShareGroup).count() == 1
