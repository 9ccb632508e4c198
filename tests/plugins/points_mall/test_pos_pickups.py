"""Mall pick-ups at the POS (``pos/points-mall/pickups``): the store's list, ready, hand-over against
the member's code; other stores' orders and delivery orders do not exist there, the code never
leaves the member's side, a retried hand-over replays."""

from tests.support.points_mall import DELIVERY, error_code, mall_kit_fixture  # noqa: F401 (fixtures)

PICKUPS = "/api/v1/pos/points-mall/pickups"


def _pickup(mall_kit, source="S001", points_price=100):
    member = mall_kit.member(points=1000)
    item = mall_kit.item(source=source, points_price=points_price)
    order = mall_kit.exchange(member, item, fulfilment="pickup").get_json()["result"]
    return member, order


def test_the_pos_lists_readies_and_hands_over_its_stores_pick_up(api_as, mall_kit):
    member, order = _pickup(mall_kit)
    _, elsewhere = _pickup(mall_kit, source="S002")
    pos = api_as("pos1")  # S001
    listing = pos.get(PICKUPS)
    assert listing.status_code == 200
    numbers = [o["order_no"] for o in listing.get_json()["result"]]
    assert order["order_no"] in numbers and elsewhere["order_no"] not in numbers
    shown = pos.get(f"{PICKUPS}/{order['order_no']}").get_json()["result"]
    assert shown["status"] == "pending" and shown["pickup"]["store"] == "S001"
    assert "pickup_code" not in shown["pickup"] and shown["member"].startswith("PM")

    code = order["pickup"]["pickup_code"]
    early = pos.post(f"{PICKUPS}/{order['order_no']}/handover", json={"pickup_code": code})
    assert (early.status_code, error_code(early)) == (409, "MALL_ORDER_STATUS_INVALID")
    ready = pos.post(f"{PICKUPS}/{order['order_no']}/ready")
    assert ready.status_code == 200 and ready.get_json()["result"]["status"] == "ready"
    ready_ones = pos.get(f"{PICKUPS}?status=ready").get_json()["result"]
    assert [o["order_no"] for o in ready_ones] == [order["order_no"]]

    wrong = pos.post(f"{PICKUPS}/{order['order_no']}/handover", json={"pickup_code": "0000000"})
    assert (wrong.status_code, error_code(wrong)) == (422, "MALL_PICKUP_CODE_INVALID")
    assert mall_kit.get(member, f"/orders/{order['order_no']}").get_json()["result"]["status"] == "ready"

    key = {"Idempotency-Key": "handover-1"}
    done = pos.post(f"{PICKUPS}/{order['order_no']}/handover", headers=key,
                    json={"pickup_code": code})
    assert done.status_code == 200 and done.get_json()["result"]["status"] == "done"
    again = pos.post(f"{PICKUPS}/{order['order_no']}/handover", headers=key,
                     json={"pickup_code": code})
    assert again.status_code == 200 and again.get_json() == done.get_json()  # the lost answer, replayed
    assert mall_kit.get(member, f"/orders/{order['order_no']}").get_json()["result"]["status"] == "done"
    assert order["order_no"] not in [o["order_no"] for o in pos.get(PICKUPS).get_json()["result"]]


def test_other_stores_and_delivery_orders_do_not_exist_at_the_pos(api_as, mall_kit):
    _, elsewhere = _pickup(mall_kit, source="S002")
    member = mall_kit.member(points=1000)
    item = mall_kit.item(source="S001", points_price=100)
    delivered = mall_kit.exchange(member, item, **DELIVERY).get_json()["result"]
    pos = api_as("pos1")
    for order_no in (elsewhere["order_no"], delivered["order_no"], "PMNOSUCH"):
        for answer in (pos.get(f"{PICKUPS}/{order_no}"), pos.post(f"{PICKUPS}/{order_no}/ready"),
                       pos.post(f"{PICKUPS}/{order_no}/handover", json={"pickup_code": "123456"})):
            assert (answer.status_code, error_code(answer)) == (404, "MALL_ORDER_NOT_FOUND")
    still = mall_kit.get(member, f"/orders/{delivered['order_no']}").get_json()["result"]
    assert still["status"] == "pending"
    other = api_as("cashier2")  # S002's cashier may hand over there
    assert other.post(f"{PICKUPS}/{elsewhere['order_no']}/ready").status_code == 200


def test_bad_input_and_callers_without_a_store(api_as, mall_kit):
    _, order = _pickup(mall_kit)
    pos = api_as("pos1")
    missing = pos.post(f"{PICKUPS}/{order['order_no']}/handover", json={})
    assert missing.status_code == 422
    assert error_code(api_as("hq").get(PICKUPS)) == "FORBIDDEN"  # HQ staff: not a store's job
    refused = api_as("admin").get(PICKUPS)  # may call everything, but has no store
    assert (refused.status_code, error_code(refused)) == (403, "STORE_REQUIRED")
