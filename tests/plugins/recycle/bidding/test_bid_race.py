"""Bids racing the deadline, and closers racing each other: one winner, the best accepted bid."""

import threading
import time

import pytest

from app.extensions import db
from tests.support.recycle_bidding import make_order, make_provider, move_deadline, open_bidding


@pytest.mark.own_database  # concurrent transactions on connections of their own
def test_bids_racing_the_deadline_give_one_winner(app, api_as, is_postgres):
    from plugins.recycle.bidding import winning_provider_id
    from plugins.recycle.models import RecycleBid, RecycleBidding

    bidders = 16 if is_postgres else 6
    closers = 4
    providers = [make_provider(app) for _ in range(bidders)]
    order_id = make_order(app)
    open_bidding(app, order_id, min_bid_fen=100)
    clients = [api_as(p["username"]) for p in providers]
    window = 0.6
    move_deadline(app, order_id, window)
    barrier = threading.Barrier(bidders + closers)
    answers, winners, errors = [], [], []

    def bid(index, client):
        barrier.wait()
        time.sleep(index * 2 * window / bidders)  # spread across the deadline: some before, some after
        response = client.post(f"/api/v1/recycle/bidding/{order_id}/bids", json={"amount_fen": 1000 + index})
        body = response.get_json()
        code = body["error"]["code"] if response.status_code >= 400 else ""
        answers.append((index, response.status_code, code))

    def close():
        barrier.wait()
        time.sleep(window)  # right at the deadline, racing the last bids
        try:
            with app.app_context():
                for _ in range(5):
                    winners.append(winning_provider_id(order_id))
                    db.session.commit()
                    time.sleep(0.05)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(repr(exc))

    threads = [threading.Thread(target=bid, args=(i, c)) for i, c in enumerate(clients)]
    threads += [threading.Thread(target=close) for _ in range(closers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == bidders
    accepted = [index for index, status, _ in answers if status == 201]
    refused = {(status, code) for _, status, code in answers if status != 201}
    # late: refused, or (a provider that never bid) the order is no longer open to it at all
    assert refused <= {(409, "RECYCLE_BID_LATE"), (404, "RECYCLE_ORDER_NOT_FOUND"), (409, "BUSY_RETRY")}
    assert accepted, answers
    with app.app_context():
        final = winning_provider_id(order_id)
        db.session.commit()
        rows = db.session.query(RecycleBid).filter_by(order_id=order_id).all()
        bidding = db.session.query(RecycleBidding).filter_by(order_id=order_id).one()
        assert bidding.closed_on is not None and bidding.closed_on >= bidding.deadline
        assert all(row.created_on < bidding.deadline for row in rows)  # nothing after the deadline
    assert sorted(row.amount_fen - 1000 for row in rows) == sorted(accepted)
    best = providers[max(accepted)]["id"]
    assert final == best
    assert errors == []
    decided = [w for w in winners if w is not None]
    assert set(decided) == {best}  # every closer saw the one winner, never another
