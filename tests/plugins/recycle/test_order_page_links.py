"""The trade-in order's admin page links to its bidding page (a bidding-mode order) and its
settlement page (once quoted), for the accounts that may open them; the links lead to pages
that open."""

from __future__ import annotations

import re

from tests.support.recycle import create_trade_in


def _links(client, order_id) -> set[str]:
    page = client.get(f"/recycleorderview/show/{order_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return set(re.findall(r'href="(/recycle-(?:bidding|settlement)/order/\d+)"', html))


def _quote(api, order_id):
    answer = api.post(f"/api/v1/recycle/orders/{order_id}/quote", json={"amount_fen": 50000})
    assert answer.status_code == 200, answer.get_json()


def test_a_bidding_order_links_to_its_bidding_page(app, api_as, client_as):
    order = create_trade_in(api_as("guide1"), mode="bidding")
    bidding = f"/recycle-bidding/order/{order['id']}"
    for who in ("hq", "provider1"):
        client = client_as(who)
        assert _links(client, order["id"]) == {bidding}, who
        assert client.get(bidding).status_code == 200
    assert _links(client_as("guide1"), order["id"]) == set()  # store staff have no bidding pages


def test_a_quoted_order_links_to_its_settlement_page(app, api_as, client_as):
    order = create_trade_in(api_as("guide1"), mode="self_operated")
    settlement = f"/recycle-settlement/order/{order['id']}"
    assert _links(client_as("hq"), order["id"]) == set()  # pending review: nothing to settle yet
    _quote(api_as("hq"), order["id"])
    for who in ("hq", "guide1", "manager1"):
        client = client_as(who)
        assert _links(client, order["id"]) == {settlement}, who
        assert client.get(settlement).status_code == 200


def test_a_cancelled_order_links_to_neither(app, api_as, client_as):
    order = create_trade_in(api_as("guide1"), mode="bidding")
    cancelled = api_as("guide1").post(f"/api/v1/pos/recycle/orders/{order['id']}/cancel", json={})
    assert cancelled.status_code == 200, cancelled.get_json()
    assert _links(client_as("guide1"), order["id"]) == set()
    assert _links(client_as("hq"), order["id"]) == {f"/recycle-bidding/order/{order['id']}"}
