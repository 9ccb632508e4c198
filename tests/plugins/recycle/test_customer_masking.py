"""A service provider sees the trade-in customer's phone and name masked on every surface it
reaches (the reviewer API's list and detail, the quote answer, the order's admin page; the
export is in bidding/test_export.py); HQ and the store see them whole."""

from __future__ import annotations

import pytest

from tests.support.privacy import privacy_fixture  # noqa: F401  (fixture)
from tests.support.recycle import create_trade_in, demo_provider_id

PHONE, MASKED_PHONE = "13912345678", "139****5678"
NAME, MASKED_NAME = "王先生", "王**"


@pytest.fixture
def package_order(app, api_as):
    return create_trade_in(api_as("guide1"), mode="half_package", provider_id=demo_provider_id(app))


def _customer(result):
    return result["customer_phone"], result["customer_name"]


def test_the_provider_api_masks_the_customer(app, api_as, package_order):
    provider = api_as("provider1")
    listed = provider.get("/api/v1/recycle/orders").get_json()["result"]
    assert [_customer(o) for o in listed if o["id"] == package_order["id"]] == [(MASKED_PHONE, MASKED_NAME)]
    detail = provider.get(f"/api/v1/recycle/orders/{package_order['id']}")
    assert _customer(detail.get_json()["result"]) == (MASKED_PHONE, MASKED_NAME)
    quoted = provider.post(f"/api/v1/recycle/orders/{package_order['id']}/quote", json={"amount_fen": 500})
    assert quoted.status_code == 200 and _customer(quoted.get_json()["result"]) == (MASKED_PHONE, MASKED_NAME)
    assert PHONE not in quoted.get_data(as_text=True) and PHONE not in detail.get_data(as_text=True)


def test_a_bidding_provider_sees_the_customer_masked(app, api_as):
    order = create_trade_in(api_as("guide1"), mode="bidding")
    detail = api_as("provider1").get(f"/api/v1/recycle/orders/{order['id']}")
    assert detail.status_code == 200 and _customer(detail.get_json()["result"]) == (MASKED_PHONE, MASKED_NAME)


def test_hq_and_the_store_see_the_customer_whole(app, api_as, package_order):
    hq = api_as("hq").get(f"/api/v1/recycle/orders/{package_order['id']}").get_json()["result"]
    store = api_as("manager1").get(f"/api/v1/pos/recycle/orders/{package_order['id']}").get_json()["result"]
    assert _customer(hq) == _customer(store) == _customer(package_order) == (PHONE, NAME)


def test_the_order_page_masks_the_customer_for_the_provider(app, client_as, package_order):
    page = client_as("provider1").get(f"/recycleorderview/show/{package_order['id']}").get_data(as_text=True)
    assert MASKED_PHONE in page and MASKED_NAME in page and PHONE not in page and NAME not in page
    page = client_as("hq").get(f"/recycleorderview/show/{package_order['id']}").get_data(as_text=True)
    assert PHONE in page and NAME in page


def test_a_member_customer_is_masked_for_the_provider(app, api_as, client_as):
    from tests.support.members import new_phone

    phone = new_phone()
    member = api_as("pos1").post("/api/v1/pos/members", json={"phone": phone, "name": "欧阳娜娜"})
    assert member.status_code == 201, member.get_json()
    order = create_trade_in(api_as("guide1"), mode="half_package", provider_id=demo_provider_id(app),
                            member_id=member.get_json()["result"]["id"], customer_phone=None)
    shown = api_as("provider1").get(f"/api/v1/recycle/orders/{order['id']}").get_json()["result"]
    assert _customer(shown) == (f"{phone[:3]}****{phone[-4:]}", "欧阳**")
    page = client_as("provider1").get(f"/recycleorderview/show/{order['id']}").get_data(as_text=True)
    assert phone not in page and "欧阳娜娜" not in page and "欧阳**" in page
    hq = client_as("hq").get(f"/recycleorderview/show/{order['id']}").get_data(as_text=True)
    # HQ sees the member as every member display shows it: whole, but for the test plugin
    # (enabled here), which masks every member's phone for everyone
    assert "欧阳娜娜" in hq and f"{phone[:3]}****{phone[-4:]}" in hq and phone not in hq


def test_store_staff_see_a_member_customer_as_the_members_privacy_rules_show_them(app, api_as, client_as,
                                                                                   privacy):
    """With member_privacy masking store roles, a member's phone and name copied onto a trade-in
    are masked for the store too (API, order page, export); HQ still sees them whole; a
    walk-in customer is no member: the store sees what it took in."""
    import csv
    import io

    member = privacy.member("S001", name="欧阳娜娜")
    order = create_trade_in(api_as("guide1"), member_id=member["id"], customer_phone=None)
    walk_in = create_trade_in(api_as("guide1"))
    phone, masked = member["phone"], member["phone"][:3] + "****" + member["phone"][-4:]
    privacy.settings(mask=True)

    store = api_as("guide1").get(f"/api/v1/pos/recycle/orders/{order['id']}").get_json()["result"]
    assert _customer(store) == (masked, "欧阳**")
    assert _customer(api_as("guide1").get(f"/api/v1/pos/recycle/orders/{walk_in['id']}")
                     .get_json()["result"]) == (PHONE, NAME)
    page = client_as("manager1").get(f"/recycleorderview/show/{order['id']}").get_data(as_text=True)
    assert masked in page and phone not in page and "欧阳娜娜" not in page
    exported = client_as("manager1").get(
        f"/recycle-export/download?q={order['order_no']}&fields=customer_phone&fields=customer_name")
    assert exported.status_code == 200, exported.get_data(as_text=True)[:300]
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == [order["order_no"]]
    assert masked in rows[1] and "欧阳**" in rows[1] and phone not in rows[1]

    hq = api_as("hq").get(f"/api/v1/recycle/orders/{order['id']}").get_json()["result"]
    assert _customer(hq) == (phone, "欧阳娜娜")
    privacy.settings(mask=False)  # the rules off: the store sees the member whole again
    store = api_as("guide1").get(f"/api/v1/pos/recycle/orders/{order['id']}").get_json()["result"]
    assert _customer(store) == (phone, "欧阳娜娜")
