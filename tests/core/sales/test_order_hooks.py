"""retail_order_fields and retail_order_detail_sections: what packages add to an order,
seen through the POS API and the admin order page (the test plugin `sample` adds both)."""

from __future__ import annotations

import pytest

from tests.support.sales import one_item_cash_sale
from tests.support.values import paid_sale


@pytest.fixture
def sample_off(app):
    host = app.extensions["retail_plugins"]
    with app.app_context():
        host.set_enabled("sample_addon", False)  # depends on sample
        host.set_enabled("sample", False)
    yield
    with app.app_context():
        host.set_enabled("sample", True)
        host.set_enabled("sample_addon", True)


def _sell(api_as, body):
    response = api_as("pos1").post("/api/v1/pos/orders", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["result"]


def test_a_package_adds_fields_to_the_sale_answer_and_the_order(app, api_as):
    body = one_item_cash_sale(app) | {"note": "sample stamps"}
    sold = _sell(api_as, body)
    assert sold["sample_stamps"] == sold["paid_fen"] // 10000
    fetched = api_as("pos1").get(f"/api/v1/pos/orders/{sold['order_no']}")
    assert fetched.status_code == 200
    assert fetched.get_json()["result"]["sample_stamps"] == sold["sample_stamps"]


def test_nothing_is_added_where_the_package_has_nothing_to_say(app, api_as):
    sold = _sell(api_as, one_item_cash_sale(app))
    assert "sample_stamps" not in sold


def test_a_disabled_package_adds_no_field(app, api_as, sample_off):
    sold = _sell(api_as, one_item_cash_sale(app) | {"note": "sample stamps"})
    assert "sample_stamps" not in sold


def test_the_order_page_shows_the_package_section_after_the_core_ones(app, api_as, admin_client):
    sale = paid_sale(app, api_as)
    response = admin_client.get(f"/orderview/show/{sale['order_id']}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="section-sample-order-stamps"' in html
    assert html.index('id="section-points"') < html.index('id="section-sample-order-stamps"')
    assert sale["order_no"] in html.split('id="section-sample-order-stamps"')[1]


def test_a_disabled_package_adds_no_section(app, api_as, admin_client, sample_off):
    sale = paid_sale(app, api_as)
    response = admin_client.get(f"/orderview/show/{sale['order_id']}")
    assert response.status_code == 200
    assert 'id="section-sample-order-stamps"' not in response.get_data(as_text=True)
