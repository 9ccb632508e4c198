"""The closing guide's WeCom QR on an order (加微信聊): the POS order JSON and the admin page."""

from __future__ import annotations

import pytest

from tests.support.sales import one_item_cash_sale
from tests.support.values import paid_sale
from tests.support.wecom import guide_with_qr, wecom_fixture, wecom_sim_fixture  # noqa: F401  (fixtures)
from tests.support.wecom_guide import guides_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("guides")


def test_no_qr_no_field(app, api_as):
    response = api_as("pos1").post("/api/v1/pos/orders", json=one_item_cash_sale(app))
    assert response.status_code == 201
    assert "guide_wecom_qr" not in response.get_json()["result"]


def test_the_order_shows_the_closing_guides_wecom_qr(app, api_as, wecom, admin_client):
    wecom.state.users.add("pos1")
    qr = guide_with_qr(app, "pos1")
    sold = api_as("pos1").post("/api/v1/pos/orders", json=one_item_cash_sale(app))
    assert sold.status_code == 201
    assert sold.get_json()["result"]["guide_wecom_qr"] == {
        "staff_id": qr["staff_id"],
        "name": "POS 终端 1",
        "qr_code": qr["qr_code"],
    }
    fetched = api_as("pos1").get(f"/api/v1/pos/orders/{sold.get_json()['result']['order_no']}")
    assert fetched.status_code == 200
    assert fetched.get_json()["result"]["guide_wecom_qr"]["qr_code"] == qr["qr_code"]
    sale = paid_sale(app, api_as)
    page = admin_client.get(f"/orderview/show/{sale['order_id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="section-wecom-guide-qr"' in html
    assert f'src="{qr["qr_code"]}"' in html


def test_the_qr_is_read_without_a_query_on_the_sale(app, api_as, wecom):
    from tests.support.clients import statements_of

    wecom.state.users.add("pos1")
    guide_with_qr(app, "pos1")
    client = api_as("pos1")
    client.post("/api/v1/pos/orders", json=one_item_cash_sale(app))  # warms the worker's caches
    answer, seen = statements_of(app, lambda: client.post("/api/v1/pos/orders", json=one_item_cash_sale(app)))
    assert answer.status_code == 201 and "guide_wecom_qr" in answer.get_json()["result"]
    assert not any("wecom_guide_contact_way" in s for s in seen)
