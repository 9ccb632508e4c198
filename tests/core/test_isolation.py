"""Tests cannot see each other's data: each runs in a transaction rolled back at its end,
or (``own_database``) on its own copy of the seeded database."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.members.models import Member

PHONE = "13900009999"  # not in the demo data; each run below adds it


def _members_with_the_phone(app) -> int:
    with app.app_context():
        return len(db.session.execute(select(Member.id).where(Member.phone == PHONE)).all())


def _add_member(api_as) -> None:
    response = api_as("pos1").post("/api/v1/pos/members", json={"phone": PHONE, "name": "Isolation"})
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize("run", ["first", "second"])
def test_a_member_added_through_the_api_is_gone_in_the_next_test(app, api_as, run):
    assert _members_with_the_phone(app) == 0  # whichever run comes second: the first one's was rolled back
    _add_member(api_as)
    assert _members_with_the_phone(app) == 1


@pytest.mark.own_database
def test_a_commit_in_an_own_database_stays_in_that_copy(app, api_as, db_url, seeded_db_url):
    assert _members_with_the_phone(app) == 0
    _add_member(api_as)
    assert _members_with_the_phone(app) == 1
    assert db_url != seeded_db_url


def test_a_second_app_on_the_database_sees_the_tests_commits(app, api_as, db_url):
    from tests.support.app import make_app

    other_worker = make_app(db_url)
    _add_member(api_as)
    assert _members_with_the_phone(other_worker) == 1
