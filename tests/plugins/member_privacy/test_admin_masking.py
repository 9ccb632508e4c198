"""With masking on, store staff see members masked on every admin surface (list, detail,
edit, export, coupons), not only on the POS; HQ sees them in full; a masked user cannot
overwrite the stored name with the mask."""

import csv
import io

import pytest

from app.extensions import db
from tests.support.privacy import masked_phone, privacy_fixture  # noqa: F401 (fixture)


@pytest.fixture
def own_member(privacy):
    """A member of S001 (manager1's store), visible to its staff."""
    return privacy.member("S001", name="欧阳娜娜")


def _pages(client, member_id):
    return {
        "list": client.get("/memberview/list/", query_string={"psize_MemberView": 100}),
        "show": client.get(f"/memberview/show/{member_id}"),
        "edit": client.get(f"/memberview/edit/{member_id}"),
        "export": client.get("/member-export/members.csv"),
    }


def _export_row(response, member_no):
    rows = csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    return next(row for row in rows if row and row[0] == member_no)


def test_store_staff_see_masked_members_on_every_admin_page(privacy, client_as, own_member):
    phone, name = own_member["phone"], own_member["name"]
    privacy.settings(mask=True)
    pages = _pages(client_as("manager1"), own_member["id"])
    cashier = client_as("cashier1")  # a cashier reads the list and detail pages (no edit, no export)
    pages["cashier list"] = cashier.get("/memberview/list/", query_string={"psize_MemberView": 100})
    pages["cashier show"] = cashier.get(f"/memberview/show/{own_member['id']}")
    for kind, response in pages.items():
        assert response.status_code == 200, kind
        text = response.get_data(as_text=True)
        assert phone not in text and name not in text, kind
    assert _export_row(pages["export"], own_member["member_no"])[1:3] == [masked_phone(phone), "欧阳**"]
    for kind in ("list", "show", "cashier list", "cashier show"):
        text = pages[kind].get_data(as_text=True)
        assert masked_phone(phone) in text and "欧阳**" in text, kind
    for kind, response in _pages(client_as("hq"), own_member["id"]).items():
        text = response.get_data(as_text=True)
        assert phone in text or kind == "edit", kind  # the edit form has no phone field
        assert name in text, kind


def test_without_masking_store_staff_see_their_members_in_full(privacy, client_as, own_member):
    for kind, response in _pages(client_as("manager1"), own_member["id"]).items():
        assert own_member["name"] in response.get_data(as_text=True), kind


def test_saving_the_edit_form_never_writes_the_mask(privacy, client_as, own_member, app):
    from app.members.models import Member

    privacy.settings(mask=True)
    manager = client_as("manager1")
    form = manager.get(f"/memberview/edit/{own_member['id']}").get_data(as_text=True)
    assert 'value="欧阳**"' in form and "readonly" in form
    for typed in ("欧阳**", "别的名字"):
        saved = manager.post(
            f"/memberview/edit/{own_member['id']}",
            data={"name": typed, "gender": "female", "status": "active", "birthday": ""},
        )
        assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
        with app.app_context():
            member = db.session.get(Member, own_member["id"])
            assert (member.name, member.phone, member.gender) == ("欧阳娜娜", own_member["phone"], "female")
    privacy.settings(mask=False)  # unmasked, the same manager may correct the name
    manager.post(f"/memberview/edit/{own_member['id']}",
                 data={"name": "欧阳娜", "gender": "female", "status": "active", "birthday": ""})
    with app.app_context():
        assert db.session.get(Member, own_member["id"]).name == "欧阳娜"


def test_the_coupon_list_shows_the_member_masked(privacy, client_as, own_member, app):
    from datetime import date

    from app.org.models import Store
    from plugins.coupons.generation import request_generation
    from plugins.coupons.models import Coupon, CouponRule
    from plugins.coupons.rules import validate_rule
    from plugins.coupons.services import collect_coupons, issue_physical

    with app.app_context():
        rule = CouponRule(name="隐私券", medium="physical", kind="normal", offer_type="cash",
                          face_value_fen=500, effective_date=date.today(), validity_type="days",
                          valid_days=10, code_prefix=f"PV{own_member['id']}", code_length=6,
                          total_count=1, start_value=0, min_order_fen=0)
        validate_rule(rule)
        rule.status = "audited"
        db.session.add(rule)
        db.session.commit()
        request_generation(db.session.get(CouponRule, rule.id))
        coupon = db.session.query(Coupon).filter_by(rule_id=rule.id).one()
        s001 = db.session.query(Store).filter_by(code="S001").one().id
        collect_coupons([coupon.id], s001)
        issue_physical(coupon.id, s001, own_member["id"])  # given to the member at the store
        code = coupon.code
    manager = client_as("manager1")
    shown = manager.get("/couponview/list/", query_string={"_flt_0_code": code}).get_data(as_text=True)
    assert code in shown and "欧阳娜娜" in shown
    privacy.settings(mask=True)
    page = manager.get("/couponview/list/", query_string={"_flt_0_code": code})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and code in text
    assert "欧阳娜娜" not in text and "欧阳**" in text


def test_a_masked_viewer_cannot_search_fragments_of_names_or_phones(privacy, client_as, own_member):
    def found(client, **query):
        page = client.get("/memberview/list/", query_string={"psize_MemberView": 100, **query})
        assert page.status_code == 200
        return own_member["member_no"] in page.get_data(as_text=True)

    phone = own_member["phone"]
    fragments = [{"_flt_0_name": "欧阳娜"}, {"_flt_2_phone": phone[3:9]}, {"_flt_0_phone": phone[:7]}]
    manager = client_as("manager1")
    assert all(found(manager, **query) for query in fragments)  # masking off: the search works
    privacy.settings(mask=True)
    for query in fragments:
        assert not found(manager, **query), query  # a match would tell the hidden characters
    assert found(manager, _flt_3_phone=phone)  # the exact phone still finds the member (masked)
    assert found(manager, _flt_0_member_no=own_member["member_no"])
    assert all(found(client_as("hq"), **query) for query in fragments)
