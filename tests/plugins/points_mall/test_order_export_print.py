"""Exchange orders leave the admin two ways: the filtered list as CSV/XLSX (labels and 元 as on
the page, the store scope applied) and a physical order's A4 picking slip (never the pick-up
code; store staff only for pick-ups at their store)."""

import csv
import io

from app.extensions import db
from tests.support.points_mall import DELIVERY, mall_kit_fixture  # noqa: F401 (fixtures)

ORDERS = "/mallorderview"
SLIP = "/print/points-mall/order"


def _order_id(app, order_no):
    from plugins.points_mall.models import MallOrder

    with app.app_context():
        return db.session.query(MallOrder).filter_by(order_no=order_no).one().id


def _rows(answer):
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_filtered_list_exports_with_labels_and_yuan_within_the_store_scope(app, client_as, mall_kit):
    member = mall_kit.member(points=5000)
    shipped = mall_kit.exchange(member, mall_kit.item(source="S001", points_price=300, name="导出保温杯"),
                                **DELIVERY).get_json()["result"]
    here = mall_kit.exchange(member, mall_kit.item(source="S001", points_price=200, name="导出雨伞"),
                             fulfilment="pickup").get_json()["result"]
    there = mall_kit.exchange(member, mall_kit.item(source="S002", points_price=100, name="导出毛巾"),
                              fulfilment="pickup").get_json()["result"]
    hq = client_as("hq")
    hq.get("/lang/en")
    rows = _rows(hq.get(f"{ORDERS}/export/?_flt_0_item_name=导出&format=csv"))
    assert rows[0][:5] == ["Exchange order no.", "Exchanged on", "Member", "Item name", "Kind"]
    by_no = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_no) == {shipped["order_no"], here["order_no"], there["order_no"]}
    cup = by_no[shipped["order_no"]]
    labels = (cup["Kind"], cup["Status"], cup["Fulfilment"])
    assert labels == ("Physical goods", "Awaiting fulfilment", "Delivery")
    assert cup["Points"] == "300" and cup["Cash part (yuan)"] == "0.00"
    assert cup["Receiver"] == DELIVERY["receiver_name"] and cup["Address"] == DELIVERY["address"]
    assert by_no[here["order_no"]]["Pick-up store"] and here["pickup"]["pickup_code"] not in str(rows[1:])
    xlsx = hq.get(f"{ORDERS}/export/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.get_data()[:2] == b"PK"
    assert hq.get(f"{ORDERS}/export/?format=pdf").status_code == 422
    assert "export-xlsx" in hq.get(f"{ORDERS}/list/").get_data(as_text=True)

    manager = client_as("manager1")  # S001: only the pick-ups at S001
    numbers = [row[0] for row in _rows(manager.get(f"{ORDERS}/export/?format=csv"))[1:]]
    assert here["order_no"] in numbers
    assert shipped["order_no"] not in numbers and there["order_no"] not in numbers


def test_a_physical_order_prints_a_picking_slip_without_the_pick_up_code(app, client_as, mall_kit):
    member = mall_kit.member(points=5000)
    pickup = mall_kit.exchange(member, mall_kit.item(source="S001", points_price=200, name="打印雨伞"),
                               fulfilment="pickup").get_json()["result"]
    delivered = mall_kit.exchange(member, mall_kit.item(source="S001", points_price=300),
                                  **DELIVERY).get_json()["result"]
    virtual = mall_kit.exchange(member, mall_kit.item("virtual")).get_json()["result"]
    pickup_pk, delivered_pk = _order_id(app, pickup["order_no"]), _order_id(app, delivered["order_no"])
    hq = client_as("hq")
    hq.get("/lang/zh")
    page = hq.get(f"{ORDERS}/show/{pickup_pk}").get_data(as_text=True)
    assert f"{SLIP}/{pickup_pk}" in page
    slip = hq.get(f"{SLIP}/{pickup_pk}")
    text = slip.get_data(as_text=True)
    assert slip.status_code == 200 and 'id="mall-order-slip"' in text
    assert pickup["order_no"] in text and "打印雨伞" in text and "拣货单" in text
    assert pickup["pickup"]["pickup_code"] not in text
    shipping = hq.get(f"{SLIP}/{delivered_pk}").get_data(as_text=True)
    assert DELIVERY["address"] in shipping and DELIVERY["receiver_name"] in shipping
    assert hq.get(f"{SLIP}/{_order_id(app, virtual['order_no'])}").status_code == 404

    manager = client_as("manager1")
    assert manager.get(f"{SLIP}/{pickup_pk}").status_code == 200
    assert manager.get(f"{SLIP}/{delivered_pk}").status_code == 404  # a delivery: HQ's
    assert client_as("cashier2").get(f"{SLIP}/{pickup_pk}").status_code == 404  # another store
