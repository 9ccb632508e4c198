"""The ownership row's copies of the member's last 4 phone digits and last purchase (what the
workbench searches on the guide's own index): right when the row is made, after a POS sale,
after a phone change, and brought up to date by the refresh job."""

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from tests.support.sales import one_item_cash_sale
from tests.support.wecom_guide import guides_fixture  # noqa: F401

pytestmark = pytest.mark.usefixtures("guides")


def _ids(response):
    assert response.status_code == 200, response.get_json()
    return [m["id"] for m in response.get_json()["result"]["members"]]


def _sale(app, api_as, member):
    """A POS sale (pos1, S001, one item in cash) to ``member``."""
    body = {**one_item_cash_sale(app), "member_id": member["id"]}
    sale = api_as("pos1").post("/api/v1/pos/orders", json=body)
    assert sale.status_code == 201, sale.get_json()
    return sale.get_json()["result"]


def _row(app, member_id):
    from plugins.wecom_guide.models import GuideMember

    with app.app_context():
        row = db.session.get(GuideMember, member_id)
        return row.phone_last4, row.last_purchase_on


def test_a_pos_sale_makes_the_member_a_recent_buyer_of_their_guide(guides, app, api_as):
    guide = guides.guide("S001")
    buyer = guides.member("S001", owner=guide)
    idle = guides.member("S001", owner=guide)
    api = guides.api(guide)
    today = date.today().isoformat()
    assert _ids(api.get(f"/members?last_purchase_from={today}")) == []
    _sale(app, api_as, buyer)
    assert _ids(api.get(f"/members?last_purchase_from={today}&sort=last_purchase")) == [buyer["id"]]
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert _ids(api.get(f"/members?last_purchase_to={yesterday}")) == []
    assert _row(app, idle["id"])[1] is None
    listed = api.get(f"/members?q={buyer['phone'][-4:]}").get_json()["result"]["members"]
    assert [m["last_purchase"] is not None for m in listed if m["id"] == buyer["id"]] == [True]


def test_a_new_ownership_row_copies_the_members_phone_and_latest_order(guides, app, api_as):
    guide = guides.guide("S001")
    member = guides.member("S001")  # in the pool, then a sale, then claimed
    _sale(app, api_as, member)
    api = guides.api(guide)
    assert api.post(f"/pool/{member['id']}/claim").status_code == 200
    last4, bought = _row(app, member["id"])
    assert last4 == member["phone"][-4:] and bought is not None
    assert _ids(api.get(f"/members?q={member['phone'][-4:]}")) == [member["id"]]
    assert _ids(api.get(f"/members?q={member['phone'][-6:]}")) == [member["id"]]  # 4+ digits
    assert _ids(api.get(f"/members?last_purchase_from={date.today().isoformat()}")) == [member["id"]]


def test_a_changed_phone_is_found_by_its_new_last_digits(guides, app):
    from app.members.models import Member
    from tests.support.members import new_phone

    guide = guides.guide("S001")
    member = guides.member("S001", owner=guide)
    phone = new_phone()
    while phone[-4:] == member["phone"][-4:]:
        phone = new_phone()
    with app.app_context():
        db.session.get(Member, member["id"]).phone = phone
        db.session.commit()
    api = guides.api(guide)
    assert _ids(api.get(f"/members?q={phone[-4:]}")) == [member["id"]]
    assert member["id"] not in _ids(api.get(f"/members?q={member['phone'][-4:]}"))


def test_the_refresh_job_brings_stale_copies_up_to_date(guides, app, api_as):
    from app.platform.jobs import enqueue_job
    from app.platform.models import Job
    from plugins.wecom_guide.models import GuideMember

    guide = guides.guide("S001")
    member = guides.member("S001", owner=guide)
    _sale(app, api_as, member)
    with app.app_context():  # as if the sale was booked while the plugin was off
        db.session.execute(update(GuideMember).where(GuideMember.member_id == member["id"])
                           .values(phone_last4="", last_purchase_on=None))
        db.session.commit()
    api = guides.api(guide)
    assert _ids(api.get(f"/members?q={member['phone'][-4:]}")) == []
    with app.app_context():
        job_id = enqueue_job("wecom_guide.refresh_search_copies").id
        job = db.session.get(Job, job_id)
        assert job.status == "done", job.message
        assert "brought up to date" in job.message, job.message
        db.session.commit()  # (tests: the job ran inline, inside this session's savepoint)
    assert _ids(api.get(f"/members?q={member['phone'][-4:]}")) == [member["id"]]
    assert _ids(api.get(f"/members?last_purchase_from={date.today().isoformat()}")) == [member["id"]]


def test_the_spend_filter_follows_sales_and_returns(guides, app, api_as):
    guide = guides.guide("S001")
    member = guides.member("S001", owner=guide)
    api = guides.api(guide)
    assert _ids(api.get("/members?spend_min_fen=1")) == []
    sale = _sale(app, api_as, member)
    paid = sale["paid_fen"]
    assert _ids(api.get(f"/members?spend_min_fen={paid}&spend_max_fen={paid}&sort=spend")) == [member["id"]]
    order_no = sale["order_no"]
    returned = api_as("pos1").post(f"/api/v1/pos/orders/{order_no}/returns", json={})
    assert returned.status_code == 201, returned.get_json()
    assert _ids(api.get("/members?spend_min_fen=1")) == []
    assert _ids(api.get("/members?spend_max_fen=0&sort=spend_asc")) == [member["id"]]


def test_the_status_and_level_filters_follow_activation_and_a_level_change(guides, app, api_as):
    import re

    from app.members.models import Member, MemberLevel
    from plugins.wecom_guide.activation import activation_url

    guide = guides.guide("S001")
    member = guides.member("S001", owner=guide)
    api = guides.api(guide)
    assert _ids(api.get("/members?status=active")) == []
    with app.test_request_context("/"):
        path = activation_url(db.session.get(Member, member["id"])).removeprefix("http://localhost")
    visitor = app.test_client()
    page = visitor.get(path).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert visitor.post(path, data={"csrf_token": csrf}).status_code == 200
    assert _ids(api.get("/members?status=active")) == [member["id"]]
    with app.app_context():
        top = db.session.query(MemberLevel).order_by(MemberLevel.threshold_fen.desc()).first()
        level_id = top.id
        sale_fen = top.threshold_fen
    assert _ids(api.get(f"/members?level_id={level_id}")) == []
    sku_price = one_item_cash_sale(app)["payments"][0]["amount_fen"]  # the sale moves the member up
    qty = max(1, -(-sale_fen // sku_price))
    body = {"lines": [{"sku_code": "P1001-03", "qty": qty}],
            "payments": [{"method": "cash", "amount_fen": sku_price * qty}], "member_id": member["id"]}
    sale = api_as("pos1").post("/api/v1/pos/orders", json=body)
    assert sale.status_code == 201, sale.get_json()
    assert _ids(api.get(f"/members?level_id={level_id}&status=active&sort=spend")) == [member["id"]]


def test_the_refresh_command(guides, app):
    from plugins.wecom_guide.models import GuideMember

    guide = guides.guide("S001")
    member = guides.member("S001", owner=guide)
    with app.app_context():
        db.session.execute(update(GuideMember).where(GuideMember.member_id == member["id"])
                           .values(phone_last4=""))
        db.session.commit()
    out = app.test_cli_runner().invoke(args=["wecom-guide-refresh"])
    assert out.exit_code == 0 and "ownership rows brought up to date" in out.output, out.output
    assert _row(app, member["id"])[0] == member["phone"][-4:]
