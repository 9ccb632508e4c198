"""Admin: the item form (kinds, refusals beside the field), bulk shelf actions, exchange orders with
their fulfilment steps, the virtual order's page without delivery sections, store scope, grants."""

import io

from app.extensions import db
from tests.support.images import png
from tests.support.points_mall import DELIVERY, mall_kit_fixture  # noqa: F401 (fixtures)
from tests.support.settings import kept_settings

ITEMS = "/mallitemview"
ORDERS = "/mallorderview"


def _item(app, name):
    from plugins.points_mall.models import MallItem

    with app.app_context():
        item = db.session.query(MallItem).filter_by(name=name).one_or_none()
        return (
            None
            if item is None
            else {
                "id": item.id,
                "kind": item.kind,
                "cash_fen": item.cash_fen,
                "on_shelf": item.on_shelf,
                "coupon_rule_id": item.coupon_rule_id,
            }
        )


def test_hq_adds_a_virtual_item_and_a_refusal_shows_beside_the_field(app, client_as, mall_kit):
    rule_id = mall_kit.rule(name="积分兑换券")
    hq = client_as("hq")
    hq.get("/lang/zh")
    page = hq.get(f"{ITEMS}/add").get_data(as_text=True)
    assert "所需积分" in page and "积分兑换券" in page  # Chinese labels; the audited rule is offered
    form = {
        "name": "十元券",
        "kind": "virtual",
        "coupon_rule": str(rule_id),
        "points_price": "0",
        "cash_fen": "1.50",
        "stock": "20",
        "sort_order": "1",
        "on_shelf": "y",
    }
    refused = hq.post(f"{ITEMS}/add", data=form)
    assert refused.status_code == 200 and "所需积分必须是不小于 1 的整数" in refused.get_data(as_text=True)
    assert _item(app, "十元券") is None
    saved = hq.post(f"{ITEMS}/add", data={**form, "points_price": "500"})
    assert saved.status_code == 302
    item = _item(app, "十元券")
    assert item["kind"] == "virtual" and item["cash_fen"] == 150 and item["coupon_rule_id"] == rule_id
    listing = hq.get(f"{ITEMS}/list/").get_data(as_text=True)
    assert "十元券" in listing and "虚拟商品" in listing and "1.50" in listing
    hq.get("/lang/en")


def test_bulk_shelf_actions(app, client_as, mall_kit):
    first, second = mall_kit.item(name="上架测试甲"), mall_kit.item(name="上架测试乙")
    hq = client_as("hq")
    hq.post(f"{ITEMS}/action_post", data={"action": "shelf_off", "rowid": [first, second]})
    assert not _item(app, "上架测试甲")["on_shelf"] and not _item(app, "上架测试乙")["on_shelf"]
    hq.post(f"{ITEMS}/action_post", data={"action": "shelf_on", "rowid": [first]})
    assert _item(app, "上架测试甲")["on_shelf"] and not _item(app, "上架测试乙")["on_shelf"]
    searched = hq.get(f"{ITEMS}/list/?_flt_0_name=上架测试").get_data(as_text=True)
    assert "上架测试甲" in searched and "上架测试乙" in searched


def test_store_roles_cannot_keep_items(client_as):
    assert client_as("manager1").get(f"{ITEMS}/list/").status_code == 403
    assert client_as("guide1").get(f"{ORDERS}/list/").status_code == 403


def _order_id(app, order_no):
    from plugins.points_mall.models import MallOrder

    with app.app_context():
        return db.session.query(MallOrder).filter_by(order_no=order_no).one().id


def _status(app, order_no):
    from plugins.points_mall.models import MallOrder

    with app.app_context():
        return db.session.query(MallOrder).filter_by(order_no=order_no).one().status


def test_delivery_orders_are_shipped_and_received_by_hq(app, client_as, mall_kit):
    member = mall_kit.member(points=1000)
    item = mall_kit.item(points_price=100)
    order_no = mall_kit.exchange(member, item, **DELIVERY).get_json()["result"]["order_no"]
    pk = _order_id(app, order_no)
    hq = client_as("hq")
    hq.get("/lang/en")
    page = hq.get(f"{ORDERS}/show/{pk}").get_data(as_text=True)
    assert DELIVERY["address"] in page and "Ship" in page
    assert order_no not in client_as("manager1").get(f"{ORDERS}/list/").get_data(as_text=True)
    missing = hq.post(
        f"{ORDERS}/step/{pk}", data={"step": "ship", "carrier": "", "tracking_no": ""}, follow_redirects=True
    )
    assert "Give the carrier and the tracking number." in missing.get_data(as_text=True)
    assert _status(app, order_no) == "pending"
    hq.post(f"{ORDERS}/step/{pk}", data={"step": "ship", "carrier": "顺丰", "tracking_no": "SF123"})
    assert _status(app, order_no) == "shipped"
    hq.post(f"{ORDERS}/step/{pk}", data={"step": "cancel"})  # shipped: too late
    assert _status(app, order_no) == "shipped" and mall_kit.points(member["id"]) == 900
    hq.post(f"{ORDERS}/step/{pk}", data={"step": "complete"})
    assert _status(app, order_no) == "done"
    assert client_as("manager1").post(f"{ORDERS}/step/{pk}", data={"step": "complete"}).status_code == 404


def test_store_staff_see_and_hand_over_only_their_stores_pick_ups(app, client_as, mall_kit):
    member = mall_kit.member(points=1000)
    s001 = mall_kit.item(source="S001", points_price=100)
    s002 = mall_kit.item(source="S002", points_price=100)
    here = mall_kit.exchange(member, s001, fulfilment="pickup").get_json()["result"]
    there = mall_kit.exchange(member, s002, fulfilment="pickup").get_json()["result"]
    manager = client_as("manager1")
    listing = manager.get(f"{ORDERS}/list/").get_data(as_text=True)
    assert here["order_no"] in listing and there["order_no"] not in listing
    assert f"{ORDERS}/edit/" not in listing and f"{ORDERS}/delete/" not in listing  # orders are never edited
    for page in ("edit", "delete"):
        assert manager.get(f"{ORDERS}/{page}/{_order_id(app, here['order_no'])}").status_code == 404
    there_pk, here_pk = _order_id(app, there["order_no"]), _order_id(app, here["order_no"])
    assert manager.get(f"{ORDERS}/show/{there_pk}").status_code == 404
    assert manager.post(f"{ORDERS}/step/{there_pk}", data={"step": "ready"}).status_code == 404
    manager.post(f"{ORDERS}/step/{here_pk}", data={"step": "ready"})
    assert _status(app, here["order_no"]) == "ready"
    cashier = client_as("cashier1")
    wrong = cashier.post(
        f"{ORDERS}/step/{here_pk}", data={"step": "complete", "pickup_code": "000000x"}, follow_redirects=True
    )
    assert wrong.status_code == 200 and _status(app, here["order_no"]) == "ready"
    code = here["pickup"]["pickup_code"]
    cashier.post(f"{ORDERS}/step/{here_pk}", data={"step": "complete", "pickup_code": code})
    assert _status(app, here["order_no"]) == "done"
    # the member no longer sees the code of a done order
    done = mall_kit.get(member, f"/orders/{here['order_no']}").get_json()["result"]
    assert done["status"] == "done" and done["pickup"]["pickup_code"] == ""


def test_cancelling_in_the_admin_refunds_points_and_restocks(app, client_as, mall_kit):
    member = mall_kit.member(points=1000)
    item = mall_kit.item(source="S001", points_price=250)
    order = mall_kit.exchange(member, item, fulfilment="pickup").get_json()["result"]
    assert mall_kit.points(member["id"]) == 750 and mall_kit.on_hand("S001", item) == 99
    manager = client_as("manager1")
    manager.post(
        f"{ORDERS}/step/{_order_id(app, order['order_no'])}", data={"step": "cancel", "reason": "缺货"}
    )
    assert _status(app, order["order_no"]) == "cancelled"
    assert mall_kit.points(member["id"]) == 1000 and mall_kit.on_hand("S001", item) == 100
    assert mall_kit.stock(item) == 10


def test_a_virtual_orders_page_has_no_delivery_sections(app, client_as, mall_kit):
    member = mall_kit.member(points=1000)
    order = mall_kit.exchange(member, mall_kit.item("virtual")).get_json()["result"]
    hq = client_as("hq")
    hq.get("/lang/en")
    page = hq.get(f"{ORDERS}/show/{_order_id(app, order['order_no'])}").get_data(as_text=True)
    assert order["coupon"]["code"] in page
    for absent in (
        "Delivery",
        "Receiver",
        "Address",
        "Pick-up store",
        "Carrier",
        ">SKU<",
        "Stock taken from",
        "Tracking no.",
        "section-fulfilment",
    ):
        assert absent not in page, absent


def test_the_member_page_lists_the_members_exchanges(app, client_as, mall_kit):
    member = mall_kit.member(points=1000)
    order = mall_kit.exchange(member, mall_kit.item("virtual", name="会员页兑换券")).get_json()["result"]
    hq = client_as("hq")
    hq.get("/lang/zh")
    page = hq.get(f"/memberview/show/{member['id']}").get_data(as_text=True)
    assert 'id="section-points-mall"' in page and order["order_no"] in page and "会员页兑换券" in page
    store_view = client_as("manager1").get(f"/memberview/show/{member['id']}").get_data(as_text=True)
    section = store_view.split('id="section-points-mall"')[1].split("detail-section")[0]
    assert order["order_no"] not in section  # not a pick-up at the manager's store
    hq.get("/lang/en")


def _png(size=(8, 8)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_hq_uploads_an_item_picture_members_load_without_a_token(app, client_as, mall_kit):
    client = app.test_client()
    rule_id = mall_kit.rule(name="带图兑换券")
    hq = client_as("hq")
    hq.get("/lang/en")
    form = {"name": "带图券", "kind": "virtual", "coupon_rule": str(rule_id), "points_price": "100",
            "cash_fen": "0", "stock": "5", "sort_order": "1", "on_shelf": "y"}
    not_a_picture = io.BytesIO(b"<svg onload=alert(1)>" * 4)
    fake = hq.post(f"{ITEMS}/add", data={**form, "image_file": (not_a_picture, "x.png")},
                   content_type="multipart/form-data")
    assert fake.status_code == 200 and "Upload a JPEG, PNG, GIF or WebP image." in fake.get_data(as_text=True)
    assert _item(app, "带图券") is None
    script = hq.post(f"{ITEMS}/add", data={**form, "image_url": "javascript:alert(1)"})
    assert "Give the picture's web address" in script.get_data(as_text=True) and _item(app, "带图券") is None
    saved = hq.post(f"{ITEMS}/add", data={**form, "image_file": (io.BytesIO(png()), "photo.png")},
                    content_type="multipart/form-data")
    assert saved.status_code == 302
    with app.app_context():
        from plugins.points_mall.models import MallItem

        item = db.session.query(MallItem).filter_by(name="带图券").one()
        url, item_id = item.image_url, item.id
    assert url.startswith("/api/v1/mall/points-mall/images/") and url.endswith(".png")
    picture = client.get(url)  # no token: an <img> sends none
    assert picture.status_code == 200 and picture.mimetype == "image/png" and picture.data == png()
    assert picture.headers["X-Content-Type-Options"] == "nosniff"
    assert f'<img src="{url}"' in hq.get(f"{ITEMS}/show/{item_id}").get_data(as_text=True)
    member = mall_kit.member(points=10)
    assert mall_kit.get(member, f"/items/{item_id}").get_json()["result"]["image_url"] == url
    for bad in ("../../secret_key", "0" * 32 + ".svg", "nosuch.png"):
        assert client.get(f"/api/v1/mall/points-mall/images/{bad}").status_code == 404


def test_a_picture_over_the_size_limit_is_refused(app, client_as, mall_kit):
    rule_id = mall_kit.rule(name="大图兑换券")
    hq = client_as("hq")
    hq.get("/lang/en")
    form = {"name": "大图券", "kind": "virtual", "coupon_rule": str(rule_id), "points_price": "100",
            "cash_fen": "0", "stock": "5", "sort_order": "1"}
    big = png(2000, 2000) + b"\0" * 60 * 1024
    with kept_settings(app, {"points_mall.image_max_kb": 50}):
        refused = hq.post(f"{ITEMS}/add", data={**form, "image_file": (io.BytesIO(big), "big.png")},
                          content_type="multipart/form-data")
    assert refused.status_code == 200 and "The image is larger than 50 KB." in refused.get_data(as_text=True)
    assert _item(app, "大图券") is None
