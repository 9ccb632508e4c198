"""Modes decide the reviewer (F3.10): each mode × who quotes; a provider sees only its own orders;
two reviewers racing to quote: one wins."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from tests.support.members import error_code
from tests.support.recycle import add_provider, create_trade_in, demo_provider_id
from tests.support.recycle_bidding import move_deadline


def _quote(api, order_id, amount_fen=50000):
    return api.post(f"/api/v1/recycle/orders/{order_id}/quote", json={"amount_fen": amount_fen})


@pytest.fixture
def providers(app):
    """(demo provider id, a second provider's id); provider1 works for the first, rival1 the second."""
    return demo_provider_id(app), add_provider(app, "对手回收", "rival1")


# who quotes → expected status (404: the order does not exist for that account)
MERCHANT_MODE = {"hq": 200, "admin": 200, "provider1": 404, "rival1": 404}
PACKAGE_MODE = {"hq": 403, "admin": 403, "provider1": 200, "rival1": 404}


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("self_operated", MERCHANT_MODE),
        ("data_authorized", MERCHANT_MODE),
        ("half_package", PACKAGE_MODE),
        ("full_package", PACKAGE_MODE),
    ],
)
@pytest.mark.parametrize("who", ["hq", "admin", "provider1", "rival1"])
def test_the_mode_decides_who_may_quote(app, api_as, providers, mode, expected, who):
    extra = {"provider_id": providers[0]} if mode in ("half_package", "full_package") else {}
    order = create_trade_in(api_as("guide1"), mode=mode, **extra)
    answer = _quote(api_as(who), order["id"])
    assert answer.status_code == expected[who], answer.get_json()
    if expected[who] == 403:
        assert error_code(answer) == "RECYCLE_NOT_REVIEWER"
    if expected[who] == 404:
        assert error_code(answer) == "RECYCLE_ORDER_NOT_FOUND"
    state = api_as("guide1").get(f"/api/v1/pos/recycle/orders/{order['id']}").get_json()["result"]["state"]
    assert state == ("quoted" if expected[who] == 200 else "pending_review")


def test_a_new_bidding_order_opens_for_bids_with_the_settings(app, api_as, providers):
    order = create_trade_in(api_as("guide1"), mode="bidding")
    shown = api_as("hq").get(f"/api/v1/recycle/bidding/{order['id']}")
    assert shown.status_code == 200, shown.get_json()
    bidding = shown.get_json()["result"]
    assert bidding["open"] is True and bidding["min_bid_fen"] == 100 and bidding["bid_count"] == 0
    open_for = datetime.fromisoformat(bidding["deadline"]) - datetime.fromisoformat(order["created_on"])
    assert timedelta(minutes=59) <= open_for <= timedelta(minutes=61)  # setting recycle.bid_minutes
    listed = {o["id"] for o in api_as("provider1").get("/api/v1/recycle/orders").get_json()["result"]}
    assert order["id"] in listed  # open for every provider's bids
    other = create_trade_in(api_as("guide1"), mode="self_operated")
    none = api_as("hq").get(f"/api/v1/recycle/bidding/{other['id']}")
    assert none.status_code == 409 and error_code(none) == "RECYCLE_BIDDING_NOT_OPEN"


def _bid(api, order_id, amount_fen):
    answer = api.post(f"/api/v1/recycle/bidding/{order_id}/bids", json={"amount_fen": amount_fen})
    assert answer.status_code == 201, answer.get_json()


def test_a_bidding_order_is_quoted_by_its_winning_bidder_only(app, api_as, providers):
    order = create_trade_in(api_as("guide1"), mode="bidding")
    answer = _quote(api_as("hq"), order["id"])
    assert answer.status_code == 409 and error_code(answer) == "RECYCLE_NO_WINNER"
    assert error_code(_quote(api_as("provider1"), order["id"])) == "RECYCLE_NO_WINNER"  # still open
    _bid(api_as("provider1"), order["id"], 30000)
    _bid(api_as("rival1"), order["id"], 20000)
    move_deadline(app, order["id"], -1)
    assert error_code(_quote(api_as("rival1"), order["id"])) == "RECYCLE_NOT_REVIEWER"
    assert error_code(_quote(api_as("hq"), order["id"])) == "RECYCLE_NOT_REVIEWER"
    won = _quote(api_as("provider1"), order["id"])
    assert won.status_code == 200 and won.get_json()["result"]["provider_id"] == providers[0]
    assert won.get_json()["result"]["state"] == "quoted"


def test_a_provider_lists_only_its_own_orders(app, api_as, providers):
    guide = api_as("guide1")
    mine = create_trade_in(guide, mode="half_package", provider_id=providers[0])
    theirs = create_trade_in(guide, mode="full_package", provider_id=providers[1])
    merchant = create_trade_in(guide, mode="self_operated")
    listed = {o["id"] for o in api_as("provider1").get("/api/v1/recycle/orders").get_json()["result"]}
    assert mine["id"] in listed and not {theirs["id"], merchant["id"]} & listed
    rival = {o["id"] for o in api_as("rival1").get("/api/v1/recycle/orders").get_json()["result"]}
    assert theirs["id"] in rival and not {mine["id"], merchant["id"]} & rival
    hq = {o["id"] for o in api_as("hq").get("/api/v1/recycle/orders").get_json()["result"]}
    assert {mine["id"], theirs["id"], merchant["id"]} <= hq
    for path in (
        f"/api/v1/recycle/orders/{theirs['id']}",
        f"/api/v1/recycle/photos/{theirs['photo_ids'][0]}",
    ):
        answer = api_as("provider1").get(path)
        assert answer.status_code == 404, path


def test_store_staff_see_only_their_store(app, api_as):
    order = create_trade_in(api_as("guide1"))
    assert api_as("manager1").get(f"/api/v1/pos/recycle/orders/{order['id']}").status_code == 200
    answer = api_as("cashier2").get(f"/api/v1/pos/recycle/orders/{order['id']}")
    assert answer.status_code == 404 and error_code(answer) == "RECYCLE_ORDER_NOT_FOUND"
    listed = api_as("cashier2").get("/api/v1/pos/recycle/orders").get_json()["result"]
    assert order["id"] not in [o["id"] for o in listed]
    cancel = api_as("cashier2").post(f"/api/v1/pos/recycle/orders/{order['id']}/cancel", json={})
    assert cancel.status_code == 404


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_two_reviewers_quoting_at_once_one_wins(app, api_as, is_postgres):
    if not is_postgres:
        pytest.skip("race test runs on PostgreSQL")
    order = create_trade_in(api_as("guide1"))
    reviewers = [api_as("hq"), api_as("admin")] * 4
    barrier = threading.Barrier(len(reviewers))
    answers = []

    def quote(api, amount):
        barrier.wait()
        answers.append(_quote(api, order["id"], amount))

    threads = [threading.Thread(target=quote, args=(api, 1000 + i)) for i, api in enumerate(reviewers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * (len(reviewers) - 1), [a.get_json() for a in answers]
    assert {error_code(a) for a in answers if a.status_code == 409} <= {
        "RECYCLE_STATE_CHANGED",
        "RECYCLE_STATE_INVALID",
    }
    seen = api_as("hq").get(f"/api/v1/recycle/orders/{order['id']}").get_json()["result"]
    winner = next(a for a in answers if a.status_code == 200).get_json()["result"]["quote_fen"]
    assert seen["quote_fen"] == winner and [q["amount_fen"] for q in seen["quote_history"]] == [winner]
    assert [t["to_state"] for t in seen["transitions"]] == ["pending_review", "quoted"]
