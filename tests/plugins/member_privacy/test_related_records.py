"""Members shown on other records to store staff: admin orders and ledgers, the POS order detail."""

import pytest

from tests.support.privacy import masked_phone, privacy_fixture, sale, sku_fixture  # noqa: F401 (fixtures)

PAGES = ["/orderview/list/", "/storedvalueledgerview/list/", "/pointsledgerview/list/"]


@pytest.fixture
def bought_elsewhere(privacy, api_as, sku, app):
    """An S002 member who bought at S001 with stored value (earning points)."""
    member = privacy.member("S002", name="韩梅梅", stored_value_fen=10000)
    response = sale(api_as("pos1"), sku, member["id"], method="stored_value")
    assert response.status_code == 201, response.get_json()
    order = response.get_json()["result"]
    from app.extensions import db
    from app.sales.models import Order

    with app.app_context():
        order["id"] = db.session.query(Order).filter_by(order_no=order["order_no"]).one().id
    return member, order


def _pages(client, order_id):
    return [client.get(p, query_string={"psize_OrderView": 100}).get_data(as_text=True) for p in PAGES] + [
        client.get(f"/orderview/show/{order_id}").get_data(as_text=True)
    ]


def test_store_staff_see_hidden_members_masked_on_orders_and_ledgers(privacy, client_as, bought_elsewhere):
    member, order = bought_elsewhere
    privacy.settings(other_store=False)  # S001 staff may no longer see S002 members
    for page in _pages(client_as("manager1"), order["id"]):
        assert "韩梅梅" not in page
        assert f"{member['member_no']} 韩**" in page
    for page in _pages(client_as("hq"), order["id"]):
        assert f"{member['member_no']} 韩梅梅" in page  # HQ always sees full data


def test_masking_applies_to_store_staff_in_the_admin_too(privacy, client_as, bought_elsewhere):
    member, order = bought_elsewhere
    for page in _pages(client_as("manager1"), order["id"]):
        assert f"{member['member_no']} 韩梅梅" in page  # masking off: a visible member is plain
    privacy.settings(mask=True)  # masking on: every surface of a store role, not only the POS
    for page in _pages(client_as("manager1"), order["id"]):
        assert "韩梅梅" not in page and f"{member['member_no']} 韩**" in page
    for page in _pages(client_as("hq"), order["id"]):
        assert f"{member['member_no']} 韩梅梅" in page


def test_pos_order_detail_masks_the_member(privacy, api_as, bought_elsewhere):
    member, order = bought_elsewhere
    pos = api_as("pos1")
    url = f"/api/v1/pos/orders/{order['order_no']}"
    shown = pos.get(url).get_json()["result"]["member"]
    assert shown["name"] == "韩梅梅" and shown["phone"] == member["phone"]
    privacy.settings(mask=True)
    shown = pos.get(url).get_json()["result"]["member"]
    assert shown["name"] == "韩**" and shown["phone"] == masked_phone(member["phone"])
    privacy.settings(mask=False, other_store=False)
    shown = pos.get(url).get_json()["result"]["member"]
    assert shown["name"] == "韩**" and shown["phone"] == masked_phone(member["phone"])
    privacy.group("East", "S001", "S002")
    privacy.settings(other_store=True, isolation=True)
    shown = pos.get(url).get_json()["result"]["member"]
    assert shown["name"] == "韩梅梅" and shown["available"] is True


def test_related_members_are_plain_when_the_plugin_is_off(privacy, client_as, app, bought_elsewhere):
    member, order = bought_elsewhere
    privacy.settings(mask=True, other_store=False, other_staff=False)
    with app.app_context():
        privacy.host.set_enabled("member_privacy", False)
    for page in _pages(client_as("manager1"), order["id"]):
        assert f"{member['member_no']} 韩梅梅" in page
