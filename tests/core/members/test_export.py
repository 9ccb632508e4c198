"""Member export (CSV): HQ gets every member, a store manager only the home-store members the
core rule lets them see, other roles nothing; the header follows the admin language."""

import csv
import io

import pytest

from app.extensions import db
from app.members.models import Member
from app.org.models import Store

URL = "/member-export/members.csv"


def _rows(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_hq_exports_every_member(app, client_as):
    rows = _rows(client_as("hq").get(URL))
    assert rows[0][:3] == ["会员号", "电话", "名称"]  # the admin list's column labels
    with app.app_context():
        assert len(rows) - 1 == db.session.query(Member).count()
        phones = {r[1] for r in rows[1:]}
        # the test plugin's retail_present_member masks every phone: the export goes through it
        assert "139****0001" in phones and "13900000001" not in phones


def test_store_manager_exports_own_store_members_only(app, client_as):
    rows = _rows(client_as("manager1").get(URL))
    with app.app_context():
        s001 = db.session.query(Store).filter_by(code="S001").one().id
        expected = {m.member_no for m in db.session.query(Member).filter_by(home_store_id=s001)}
    assert {r[0] for r in rows[1:]} == expected
    assert all(r[4] == "S001" for r in rows[1:])


def test_english_header(client_as):
    client = client_as("hq")
    client.get("/lang/en")
    assert _rows(client.get(URL))[0][:3] == ["Member no.", "Phone", "Name"]


@pytest.mark.parametrize("user", ["cashier1", "guide1", "provider1"])
def test_other_roles_cannot_export(client_as, user):
    response = client_as(user).get(URL)
    assert response.status_code == 403
    assert response.mimetype != "text/csv"


def test_the_menu_link_shows_only_for_those_who_may_export(client_as):
    assert "/member-export/members.csv" in client_as("manager1").get("/").get_data(as_text=True)
    assert "/member-export/members.csv" not in client_as("cashier1").get("/").get_data(as_text=True)
