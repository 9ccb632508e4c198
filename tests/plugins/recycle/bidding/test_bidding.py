"""Bidding (F3.12) through the API and the admin pages: opening, bids, minimum, deadline,
the winner (highest, ties to the earliest), what providers see, the results setting."""

import pytest

from app.extensions import db
from tests.support.recycle_bidding import error_code, make_order, make_provider, move_deadline, open_bidding
from tests.support.settings import kept_settings


def _bid(api_as, provider, order_id, amount_fen, **kwargs):
    return api_as(provider["username"]).post(f"/api/v1/recycle/bidding/{order_id}/bids",
                                             json={"amount_fen": amount_fen}, **kwargs)


def _winner(app, order_id):
    from plugins.recycle.bidding import winning_provider_id

    with app.app_context():
        winner = winning_provider_id(order_id)
        db.session.commit()
        return winner


def test_hq_opens_providers_bid_and_the_highest_wins(app, api_as):
    first, second, third = make_provider(app), make_provider(app), make_provider(app)
    order_id = make_order(app)
    hq = api_as("hq")
    opened = hq.post(f"/api/v1/recycle/bidding/{order_id}/open", json={"minutes": 30, "min_bid_fen": 5000})
    assert opened.status_code == 201, opened.get_json()
    assert opened.get_json()["result"]["open"] is True
    assert opened.get_json()["result"]["min_bid_fen"] == 5000
    assert _bid(api_as, first, order_id, 60000).status_code == 201
    assert _bid(api_as, second, order_id, 70000).status_code == 201
    assert _bid(api_as, third, order_id, 70000).status_code == 201  # a tie: later, loses
    raised = _bid(api_as, first, order_id, 65000)
    assert raised.status_code == 201 and raised.get_json()["result"]["provider_id"] == first["id"]
    assert _winner(app, order_id) is None  # open until the deadline
    move_deadline(app, order_id, -1)
    assert _winner(app, order_id) == second["id"]
    shown = hq.get(f"/api/v1/recycle/bidding/{order_id}").get_json()["result"]
    assert shown["open"] is False and shown["winning_provider_id"] == second["id"]
    assert shown["winning_amount_fen"] == 70000 and shown["bid_count"] == 4
    assert [b["amount_fen"] for b in shown["bids"]] == [70000, 70000, 65000, 60000]
    assert [b["provider_id"] for b in shown["bids"][:2]] == [second["id"], third["id"]]


def test_bad_bids_are_refused_and_change_nothing(app, api_as):
    provider = make_provider(app)
    order_id = make_order(app)
    open_bidding(app, order_id, min_bid_fen=10000)
    below = _bid(api_as, provider, order_id, 9999)
    assert below.status_code == 422 and error_code(below) == "RECYCLE_BID_BELOW_MINIMUM"
    assert below.get_json()["error"]["min_bid_fen"] == 10000
    for amount in (0, -100):
        bad = _bid(api_as, provider, order_id, amount)
        assert bad.status_code == 422 and error_code(bad) == "VALIDATION_ERROR"
    text = api_as(provider["username"]).post(f"/api/v1/recycle/bidding/{order_id}/bids",
                                             json={"amount_fen": "100.00"})
    assert text.status_code == 422
    assert _bid(api_as, provider, order_id, 10000).status_code == 201  # the minimum itself is fine
    move_deadline(app, order_id, -1)
    late = _bid(api_as, provider, order_id, 20000)
    assert late.status_code == 409 and error_code(late) == "RECYCLE_BID_LATE"
    english = _bid(api_as, provider, order_id, 20000, headers={"Accept-Language": "en"})
    assert "deadline" in english.get_json()["error"]["message"]
    chinese = _bid(api_as, provider, order_id, 20000, headers={"Accept-Language": "zh"})
    assert "截止" in chinese.get_json()["error"]["message"]
    with app.app_context():
        from plugins.recycle.models import RecycleBid

        assert [b.amount_fen for b in db.session.query(RecycleBid).filter_by(order_id=order_id)] == [10000]
    assert _winner(app, order_id) == provider["id"]
    stranger = _bid(api_as, make_provider(app), order_id, 20000)  # never bid: the order is gone for it
    assert stranger.status_code == 404 and error_code(stranger) == "RECYCLE_ORDER_NOT_FOUND"


def test_only_provider_users_bid_and_only_on_bidding_orders(app, api_as):
    provider = make_provider(app)
    order_id = make_order(app)
    open_bidding(app, order_id)
    as_hq = api_as("hq").post(f"/api/v1/recycle/bidding/{order_id}/bids", json={"amount_fen": 20000})
    assert as_hq.status_code == 403 and error_code(as_hq) == "RECYCLE_NOT_PROVIDER_USER"
    as_pos = api_as("pos1").post(f"/api/v1/recycle/bidding/{order_id}/bids", json={"amount_fen": 20000})
    assert as_pos.status_code == 403 and error_code(as_pos) == "FORBIDDEN"  # no bidding permission
    self_operated = make_order(app, mode="self_operated")
    hidden = _bid(api_as, provider, self_operated, 20000)
    assert hidden.status_code == 404 and error_code(hidden) == "RECYCLE_ORDER_NOT_FOUND"
    refused = api_as("hq").post(f"/api/v1/recycle/bidding/{self_operated}/open", json={})
    assert refused.status_code == 409 and error_code(refused) == "RECYCLE_NOT_BIDDING"
    by_provider = api_as(provider["username"]).post(f"/api/v1/recycle/bidding/{order_id}/open", json={})
    assert by_provider.status_code == 403


def test_a_provider_sees_only_its_own_bids_and_orders_open_or_bid_on(app, api_as):
    mine, other = make_provider(app), make_provider(app)
    order_id = make_order(app)
    open_bidding(app, order_id)
    assert _bid(api_as, mine, order_id, 20000).status_code == 201
    assert _bid(api_as, other, order_id, 30000).status_code == 201
    shown = api_as(mine["username"]).get(f"/api/v1/recycle/bidding/{order_id}").get_json()["result"]
    assert [b["amount_fen"] for b in shown["bids"]] == [20000]
    assert shown["winning_provider_id"] is None and "result" not in shown
    never_opened = make_order(app)  # a bidding order not open for bids: nobody's
    missing = api_as(mine["username"]).get(f"/api/v1/recycle/bidding/{never_opened}")
    assert missing.status_code == 404
    late_comer = make_provider(app)
    move_deadline(app, order_id, -1)  # closed: only those who bid still see it
    assert api_as(late_comer["username"]).get(f"/api/v1/recycle/bidding/{order_id}").status_code == 404
    assert api_as(mine["username"]).get(f"/api/v1/recycle/bidding/{order_id}").status_code == 200


def test_a_bidding_without_bids_opens_again_one_with_a_winner_does_not(app, api_as):
    provider = make_provider(app)
    order_id = make_order(app)
    open_bidding(app, order_id)
    hq = api_as("hq")
    twice = hq.post(f"/api/v1/recycle/bidding/{order_id}/open", json={})
    assert twice.status_code == 409 and error_code(twice) == "RECYCLE_BIDDING_ALREADY_OPEN"
    move_deadline(app, order_id, -1)
    again = hq.post(f"/api/v1/recycle/bidding/{order_id}/open", json={"minutes": 5})
    assert again.status_code == 201 and again.get_json()["result"]["open"] is True
    assert _bid(api_as, provider, order_id, 20000).status_code == 201
    move_deadline(app, order_id, -1)
    won = hq.post(f"/api/v1/recycle/bidding/{order_id}/open", json={})
    assert won.status_code == 409 and error_code(won) == "RECYCLE_BIDDING_ALREADY_OPEN"
    assert _winner(app, order_id) == provider["id"]


def test_the_results_setting_adds_a_result_column_and_filter(app, client_as, api_as):
    winner, loser = make_provider(app), make_provider(app)
    won_order, open_order = make_order(app), make_order(app)
    for order_id in (won_order, open_order):
        open_bidding(app, order_id)
    assert _bid(api_as, winner, won_order, 50000).status_code == 201
    assert _bid(api_as, loser, won_order, 40000).status_code == 201
    assert _bid(api_as, loser, open_order, 40000).status_code == 201
    move_deadline(app, won_order, -1)
    page = client_as(loser["username"]).get("/recycle-bidding/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "bid-result" not in html and "竞价结果" not in html
    with kept_settings(app, {"recycle.bid_results_visible": True}):
        client = client_as(loser["username"])
        html = client.get("/recycle-bidding/").get_data(as_text=True)
        rows = html.count('href="/recycle-bidding/order/')  # its two, and any open for its bids
        assert "竞价结果" in html and rows >= 2 and html.count('class="bid-result"') == rows
        failed = client.get("/recycle-bidding/?result=fail").get_data(as_text=True)
        assert _order_no(app, won_order) in failed and _order_no(app, open_order) not in failed
        succeeded = client.get("/recycle-bidding/?result=success").get_data(as_text=True)
        assert _order_no(app, won_order) not in succeeded
        winners = client_as(winner["username"]).get("/recycle-bidding/?result=success").get_data(as_text=True)
        assert _order_no(app, won_order) in winners
        shown = api_as(loser["username"]).get(f"/api/v1/recycle/bidding/{won_order}").get_json()["result"]
        assert shown["result"] == "fail" and shown["winning_provider_id"] is None
        mine = api_as(winner["username"]).get(f"/api/v1/recycle/bidding/{won_order}").get_json()["result"]
        assert mine["result"] == "success" and mine["winning_provider_id"] == winner["id"]


def _order_no(app, order_id):
    from plugins.recycle.models import RecycleOrder

    with app.app_context():
        return db.session.get(RecycleOrder, order_id).order_no


def test_bidding_pages_bid_and_open_in_yuan(app, client_as):
    provider = make_provider(app)
    order_id = make_order(app)
    hq = client_as("hq")
    page = hq.get(f"/recycle-bidding/order/{order_id}")
    assert page.status_code == 200 and 'id="open-form"' in page.get_data(as_text=True)
    bad = hq.post(f"/recycle-bidding/order/{order_id}/open", data={"minutes": "abc", "min_bid": "1.234"})
    assert bad.status_code == 200 and "has-error" in bad.get_data(as_text=True)
    opened = hq.post(f"/recycle-bidding/order/{order_id}/open", data={"minutes": "30", "min_bid": "100.50"})
    assert opened.status_code == 302
    client = client_as(provider["username"])
    below = client.post(f"/recycle-bidding/order/{order_id}/bid", data={"amount": "100.49"})
    assert below.status_code == 200 and "最低" in below.get_data(as_text=True)
    placed = client.post(f"/recycle-bidding/order/{order_id}/bid", data={"amount": "888.88"})
    assert placed.status_code == 302
    detail = client.get(f"/recycle-bidding/order/{order_id}").get_data(as_text=True)
    assert "888.88" in detail
    other = client_as(make_provider(app)["username"])
    assert "888.88" not in other.get(f"/recycle-bidding/order/{order_id}").get_data(as_text=True)
    assert client_as("manager1").get(f"/recycle-bidding/order/{order_id}").status_code == 403


@pytest.mark.parametrize("path", ["/recycle-bidding/order/999999", "/recycle-bidding/order/999999/bid"])
def test_unknown_orders_are_404(client_as, path, app):
    client = client_as(make_provider(app)["username"])
    response = client.get(path) if path.endswith("999999") else client.post(path, data={"amount": "1"})
    assert response.status_code == 404
