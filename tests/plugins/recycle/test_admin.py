"""Admin pages: providers and their logins (HQ), the trade-in list and detail page per role, the
quote and re-quote forms, the guide's intake form with photo upload; provider isolation on every
page."""

from __future__ import annotations

import io
import re

import pytest

from app.extensions import db
from tests.support.recycle import PNG, add_provider, create_trade_in, demo_provider_id
from tests.support.settings import kept_settings


def _csrf(client, path):
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    return found.group(1) if found else ""


def test_hq_adds_a_provider_and_binds_a_login(app, client_as):
    from plugins.recycle.models import RecycleProvider, RecycleProviderUser

    add_provider(app, "临时回收", "temp_provider")  # a ServiceProvider login (bound; rebind below)
    hq = client_as("hq")
    answer = hq.post(
        "/providerview/add",
        data={
            "name": "新回收商",
            "contact_name": "赵",
            "contact_phone": "13800000777",
            "settlement_account": "6222",
            "active": "y",
        },
    )
    assert answer.status_code == 302
    bad = hq.post(
        "/providerview/add",
        data={"name": "坏电话", "contact_name": "钱", "contact_phone": "123", "settlement_account": "6222"},
    )
    assert bad.status_code == 200 and "请输入中国大陆手机号" in bad.get_data(as_text=True)
    with app.app_context():
        provider = db.session.query(RecycleProvider).filter_by(name="新回收商").one()
        assert db.session.query(RecycleProvider).filter_by(name="坏电话").count() == 0
        guide_id = app.appbuilder.sm.find_user(username="guide1").id
    refused = hq.post("/provideruserview/add", data={"user": str(guide_id), "provider": str(provider.id)})
    assert refused.status_code == 200  # a guide is not a provider login
    with app.app_context():
        assert db.session.query(RecycleProviderUser).filter_by(user_id=guide_id).count() == 0
    for page in ("/providerview/list/", "/provideruserview/list/"):
        assert hq.get(page).status_code == 200
        assert client_as("provider1").get(page).status_code == 403


def test_each_role_lists_only_what_it_may_see(app, api_as, client_as):
    provider_id = demo_provider_id(app)
    rival_id = add_provider(app, "对手回收", "rival1")
    guide = api_as("guide1")
    mine = create_trade_in(guide, mode="half_package", provider_id=provider_id)
    theirs = create_trade_in(guide, mode="half_package", provider_id=rival_id)
    merchant = create_trade_in(guide)
    s002 = create_trade_in(api_as("cashier2"))
    expected = {
        "hq": {mine["order_no"], theirs["order_no"], merchant["order_no"], s002["order_no"]},
        "provider1": {mine["order_no"]},
        "rival1": {theirs["order_no"]},
        "guide1": {mine["order_no"], theirs["order_no"], merchant["order_no"]},
        "cashier2": {s002["order_no"]},
    }
    every = expected["hq"]
    for who, visible in expected.items():
        client = client_as(who)
        page = client.get("/recycleorderview/list/?psize_RecycleOrderView=100").get_data(as_text=True)
        assert {no for no in every if no in page} == visible, who
        for order in (mine, theirs, merchant, s002):
            status = client.get(f"/recycleorderview/show/{order['id']}").status_code
            assert status == (200 if order["order_no"] in visible else 404), (who, order["order_no"])
            photo = client.get(f"/recycleorderview/photo/{order['photo_ids'][0]}").status_code
            assert photo == (200 if order["order_no"] in visible else 404), (who, "photo")


def test_no_add_edit_or_delete_pages_for_orders(app, api_as, client_as):
    order = create_trade_in(api_as("guide1"))
    hq = client_as("hq")
    for path in (
        "/recycleorderview/add",
        f"/recycleorderview/edit/{order['id']}",
        f"/recycleorderview/delete/{order['id']}",
    ):
        assert hq.get(path).status_code == 403, path


def test_provider_quotes_on_the_page_and_the_wrong_reviewer_gets_no_form(app, api_as, client_as):
    provider_id = demo_provider_id(app)
    order = create_trade_in(api_as("guide1"), mode="full_package", provider_id=provider_id)
    hq_page = client_as("hq").get(f"/recycleorderview/show/{order['id']}").get_data(as_text=True)
    assert 'id="section-quote"' not in hq_page  # the merchant does not review a package order
    provider = client_as("provider1")
    page = provider.get(f"/recycleorderview/show/{order['id']}").get_data(as_text=True)
    assert 'id="section-quote"' in page and 'id="section-photos"' in page
    token = _csrf(provider, f"/recycleorderview/show/{order['id']}")
    zero = provider.post(f"/recycleorderview/quote/{order['id']}", data={"amount": "0", "csrf_token": token})
    assert zero.status_code == 302
    done = provider.post(
        f"/recycleorderview/quote/{order['id']}",
        data={"amount": "1280.50", "csrf_token": token},
        follow_redirects=True,
    )
    assert done.status_code == 200 and "1280.50" in done.get_data(as_text=True)
    seen = api_as("guide1").get(f"/api/v1/pos/recycle/orders/{order['id']}").get_json()["result"]
    assert (seen["state"], seen["quote_fen"], len(seen["quote_history"])) == ("quoted", 128050, 1)
    hq = client_as("hq")  # the wrong reviewer posting the form anyway
    wrong = create_trade_in(api_as("guide1"), mode="full_package", provider_id=provider_id)
    answer = hq.post(
        f"/recycleorderview/quote/{wrong['id']}",
        data={"amount": "10", "csrf_token": _csrf(hq, f"/recycleorderview/show/{wrong['id']}")},
        follow_redirects=True,
    )
    assert "您不是该回收订单的审核员" in answer.get_data(as_text=True)
    assert (
        api_as("hq").get(f"/api/v1/recycle/orders/{wrong['id']}").get_json()["result"]["state"]
        == "pending_review"
    )


def test_guide_requests_a_requote_on_the_page(app, api_as, client_as):
    order = create_trade_in(api_as("guide1"))
    assert (
        api_as("hq")
        .post(f"/api/v1/recycle/orders/{order['id']}/quote", json={"amount_fen": 9900})
        .status_code
        == 200
    )
    guide = client_as("guide1")
    assert 'id="section-requote"' not in guide.get(f"/recycleorderview/show/{order['id']}").get_data(
        as_text=True
    )
    with kept_settings(app, {"recycle.requote_enabled": True}):
        page = guide.get(f"/recycleorderview/show/{order['id']}").get_data(as_text=True)
        assert 'id="section-requote"' in page and 'id="section-quotes"' in page
        answer = guide.post(
            f"/recycleorderview/requote/{order['id']}",
            data={"confirm": "yes", "csrf_token": _csrf(guide, f"/recycleorderview/show/{order['id']}")},
        )
        assert answer.status_code == 302
    seen = api_as("guide1").get(f"/api/v1/pos/recycle/orders/{order['id']}").get_json()["result"]
    assert (seen["state"], seen["requote_count"]) == ("pending_review", 1)


def test_intake_form_takes_in_a_device_with_photos(app, client_as):
    from plugins.recycle.models import RecycleOrder, RecyclePhoto

    guide = client_as("guide1")
    assert guide.get("/recycle-intake/").status_code == 200
    form = {
        "mode": "self_operated",
        "category": "phone",
        "brand": "华为",
        "model": "Mate 60",
        "imei": "490154203237518",
        "condition": ["powers_on", "battery_ok"],
        "customer_phone": "13912340000",
        "customer_name": "李",
        "settlement_method": "purchase_credit",
        "csrf_token": _csrf(guide, "/recycle-intake/"),
    }
    missing = guide.post("/recycle-intake/", data=dict(form), content_type="multipart/form-data")
    assert missing.status_code == 200 and "请至少上传一张设备照片" in missing.get_data(as_text=True)
    bad_type = guide.post(
        "/recycle-intake/",
        data={**form, "photos": (io.BytesIO(b"GIF89a" + b"0" * 40), "a.png")},
        content_type="multipart/form-data",
    )
    assert bad_type.status_code == 200 and "照片须为 JPEG、PNG 或 WebP 图片" in bad_type.get_data(
        as_text=True
    )
    bad_imei = guide.post(
        "/recycle-intake/",
        data={**form, "imei": "490154203237519", "photos": (io.BytesIO(PNG), "a.png")},
        content_type="multipart/form-data",
    )
    assert bad_imei.status_code == 200 and 'value="华为"' in bad_imei.get_data(
        as_text=True
    )  # keeps the input
    with app.app_context():
        before = (
            db.session.query(RecycleOrder).count(),
            db.session.query(RecyclePhoto).filter(RecyclePhoto.order_id.isnot(None)).count(),
        )
    done = guide.post(
        "/recycle-intake/",
        data={**form, "photos": [(io.BytesIO(PNG), "a.png"), (io.BytesIO(PNG), "b.png")]},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302 and "/recycleorderview/show/" in done.headers["Location"]
    with app.app_context():
        order = db.session.query(RecycleOrder).order_by(RecycleOrder.id.desc()).first()
        assert (order.brand, order.settlement_method, order.condition) == (
            "华为",
            "purchase_credit",
            ["powers_on", "battery_ok"],
        )
        assert db.session.query(RecycleOrder).count() == before[0] + 1
        assert db.session.query(RecyclePhoto).filter_by(order_id=order.id).count() == 2


@pytest.mark.parametrize("who", ["hq", "provider1"])
def test_intake_form_is_for_store_staff(app, client_as, who):
    assert client_as(who).get("/recycle-intake/").status_code == 403


def test_a_provider_sees_its_completed_trade_ins(app, api_as, client_as):
    from flask_appbuilder.security.sqla.models import User

    from plugins.recycle.services import transition

    provider_id = demo_provider_id(app)
    rival_id = add_provider(app, "对手回收", "rival1")
    guide = api_as("guide1")
    done, open_, rivals = (
        create_trade_in(guide, mode="half_package", provider_id=provider_id),
        create_trade_in(guide, mode="half_package", provider_id=provider_id),
        create_trade_in(guide, mode="full_package", provider_id=rival_id),
    )
    for order, reviewer in ((done, "provider1"), (rivals, "rival1")):
        answer = api_as(reviewer).post(
            f"/api/v1/recycle/orders/{order['id']}/quote", json={"amount_fen": 100}
        )
        assert answer.status_code == 200
        with app.app_context():
            transition(order["id"], "paid", None)
            transition(order["id"], "completed", db.session.query(User).filter_by(username="admin").one())
    client = client_as("provider1")
    menu = client.get("/recycleorderview/list/").get_data(as_text=True)
    assert "/recycleorderview/list/?_flt_0_state=completed" in menu.replace("&amp;", "&")
    page = client.get("/recycleorderview/list/?_flt_0_state=completed").get_data(as_text=True)
    assert done["order_no"] in page and open_["order_no"] not in page and rivals["order_no"] not in page
