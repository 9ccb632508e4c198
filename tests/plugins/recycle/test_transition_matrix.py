"""Every mode × every transition × every role, through the HTTP API: the allowed call answers
its exact status and moves the order; a refused one answers its exact 4xx and code and changes
nothing (state, price, quote history, transitions, settlement).

Roles: ``hq`` (merchant reviewer; also settles), ``guide1`` (store S001, the order's store), ``cashier2``
(another store), ``provider1`` (the order's provider: assigned, or the winning bidder),
``rival1`` (another provider; in bidding mode a losing bidder).
"""

from __future__ import annotations

import pytest

from tests.support.members import error_code
from tests.support.recycle import add_provider, create_trade_in, demo_provider_id
from tests.support.recycle_bidding import move_deadline
from tests.support.settings import kept_settings

MODES = ("self_operated", "data_authorized", "half_package", "full_package", "bidding")
ROLES = ("hq", "guide1", "cashier2", "provider1", "rival1")
MERCHANT = ("self_operated", "data_authorized")
FORBIDDEN = (403, "FORBIDDEN")  # the role has no such permission
HIDDEN = (404, "RECYCLE_ORDER_NOT_FOUND")  # the order does not exist for the caller
NOT_REVIEWER = (403, "RECYCLE_NOT_REVIEWER")

# transition → (the state it starts from, the state it leads to, the call)
POS = "/api/v1/pos/recycle/orders/{id}"
TRANSITIONS = {
    "quote": ("pending_review", "quoted", ("/api/v1/recycle/orders/{id}/quote", {"amount_fen": 66600})),
    "requote": ("quoted", "pending_review", (POS + "/requote", {"confirm": True})),
    "cancel": ("pending_review", "cancelled", (POS + "/cancel", {})),
    "cancel_quoted": ("quoted", "cancelled", (POS + "/cancel", {})),
    "settle": ("quoted", "paid", (POS + "/settle", {})),
    "complete": ("paid", "completed", (POS + "/complete", {})),
}


def expected(mode: str, transition: str, role: str):
    """The answer: an int status (allowed) or (status, code) (refused)."""
    if transition == "quote":
        if mode in MERCHANT:
            return {"hq": 200, "provider1": HIDDEN, "rival1": HIDDEN}.get(role, FORBIDDEN)
        if mode == "bidding":
            return {"hq": NOT_REVIEWER, "provider1": 200, "rival1": NOT_REVIEWER}.get(role, FORBIDDEN)
        return {"hq": NOT_REVIEWER, "provider1": 200, "rival1": HIDDEN}.get(role, FORBIDDEN)
    # the store's calls: the order's store does them, another store does not see the order;
    # HQ also settles and completes (its settlement pages), but never re-quotes or cancels
    allowed = {"settle": 201, "complete": 200}.get(transition, 200)
    hq = allowed if transition in ("settle", "complete") else FORBIDDEN
    return {"guide1": allowed, "cashier2": HIDDEN, "hq": hq}.get(role, FORBIDDEN)


@pytest.fixture
def providers(app):
    return demo_provider_id(app), add_provider(app, "对手回收", "rival1")


def _order_in(app, api_as, providers, mode: str, state: str) -> int:
    """A trade-in of ``mode`` (purchase credit, so settling pays it at once) brought to ``state``
    through the API by the roles allowed to."""
    extra = {"provider_id": providers[0]} if mode in ("half_package", "full_package") else {}
    order = create_trade_in(api_as("guide1"), mode=mode, settlement_method="purchase_credit", **extra)
    order_id = order["id"]
    if mode == "bidding":  # provider1 outbids rival1, then the deadline passes: provider1 reviews
        for who, amount in (("provider1", 30000), ("rival1", 20000)):
            bid = api_as(who).post(f"/api/v1/recycle/bidding/{order_id}/bids", json={"amount_fen": amount})
            assert bid.status_code == 201, bid.get_json()
        move_deadline(app, order_id, -1)
    steps = {"quoted": ["quote"], "paid": ["quote", "settle"]}.get(state, [])
    for step in steps:
        who = ("hq" if mode in MERCHANT else "provider1") if step == "quote" else "guide1"
        answer = _call(api_as(who), step, order_id)
        assert answer.status_code in (200, 201), answer.get_json()
    return order_id


def _call(api, transition: str, order_id: int):
    path, body = TRANSITIONS[transition][2]
    return api.post(path.format(id=order_id), json=body)


def _snapshot(api_as, order_id: int) -> dict:
    order = api_as("hq").get(f"/api/v1/recycle/orders/{order_id}").get_json()["result"]
    settlement = api_as("guide1").get(f"/api/v1/pos/recycle/orders/{order_id}/settlement").get_json()
    return {key: order[key] for key in ("state", "quote_fen", "requote_count", "provider_id",
                                        "quote_history", "transitions")} | {"settlement": settlement}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("transition", list(TRANSITIONS))
@pytest.mark.parametrize("mode", MODES)
def test_mode_transition_role(app, api_as, providers, mode, transition, role):
    start, end, _ = TRANSITIONS[transition]
    with kept_settings(app, {"recycle.requote_enabled": True}):
        order_id = _order_in(app, api_as, providers, mode, start)
        before = _snapshot(api_as, order_id)
        assert before["state"] == start
        answer = _call(api_as(role), transition, order_id)
        want = expected(mode, transition, role)
        after = _snapshot(api_as, order_id)
    if isinstance(want, int):
        assert answer.status_code == want, answer.get_json()
        assert after["state"] == end
        last = after["transitions"][-1]
        assert (last["from_state"], last["to_state"], last["by"]) == (start, end, role)
    else:
        assert (answer.status_code, error_code(answer)) == want, answer.get_json()
        assert after == before
