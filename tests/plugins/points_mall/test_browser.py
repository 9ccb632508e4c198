"""Browser (Debian chromium through Playwright): an HQ user creates a virtual mall item in the admin,
a member exchanges it through the mall API, and the exchange order's page shows the coupon and no
delivery sections (F3.1). Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.support.browser import browser, expect, live_server, login, new_page, shot  # noqa: F401 (fixtures)
from tests.support.images import png
from tests.support.points_mall import mall_kit_fixture  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(new_page):  # noqa: F811 - a Chinese browser at 1366 px
    return new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")


def _row(page, field: str):
    return page.locator("tr", has=page.locator(f"[name='{field}']"))


def test_hq_creates_a_virtual_item_a_member_exchanges_it_and_the_order_has_no_delivery(app, page, mall_kit):
    from plugins.points_mall.models import MallItem, MallOrder

    rule_id = mall_kit.rule(name="浏览器十元券")
    login(page, "hq")
    page.goto("/mallitemview/add")
    page.fill("input[name=name]", "浏览器兑换券")
    kind = page.locator("select[name=kind]")
    _row(page, "kind").locator(".select2-container").click()
    page.locator(".select2-results li", has_text="虚拟商品").click()
    expect(kind).to_have_value("virtual")
    expect(_row(page, "sku")).to_be_hidden()  # physical-only fields vanish for virtual goods
    expect(_row(page, "allow_delivery")).to_be_hidden()
    _row(page, "coupon_rule").locator(".select2-container").click()
    page.locator(".select2-results li", has_text="浏览器十元券").click()
    page.fill("input[name=points_price]", "300")
    page.fill("input[name=stock]", "5")
    page.check("input[name=on_shelf]")
    shot(page, "points-mall-01-virtual-item-form-zh")
    with page.expect_navigation():
        page.locator("form button[type=submit], form input[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    with app.app_context():
        item = db.session.query(MallItem).filter_by(name="浏览器兑换券").one()
        assert item.kind == "virtual" and item.coupon_rule_id == rule_id and item.on_shelf
        item_id = item.id
    page.goto("/mallitemview/list/")
    expect(page.locator("body")).to_contain_text("浏览器兑换券")
    shot(page, "points-mall-02-item-list-zh")

    member = mall_kit.member(points=1000)
    answer = mall_kit.exchange(member, item_id, key="browser-exchange-1")
    assert answer.status_code == 201, answer.get_json()
    order = answer.get_json()["result"]
    assert "delivery" not in order and "pickup" not in order and order["coupon"]["code"]
    with app.app_context():
        order_id = db.session.query(MallOrder).filter_by(order_no=order["order_no"]).one().id

    page.goto("/mallorderview/list/")
    expect(page.locator("body")).to_contain_text(order["order_no"])
    page.goto(f"/mallorderview/show/{order_id}")
    body = page.locator("body")
    expect(body).to_contain_text(order["coupon"]["code"])
    expect(body).to_contain_text("虚拟商品")
    for absent in ("快递配送", "收货人", "地址", "自提门店", "快递公司", "运单号", "出库门店"):
        expect(page.locator(".panel-heading, th", has_text=absent)).to_have_count(0)
    expect(page.locator("#section-fulfilment")).to_have_count(0)
    shot(page, "points-mall-03-virtual-order-zh")


def test_hq_uploads_an_item_picture_exports_orders_and_prints_a_picking_slip(app, page, mall_kit):
    from plugins.points_mall.models import MallItem, MallOrder

    item_id = mall_kit.item(source="S001", points_price=200, name="浏览器雨伞")
    login(page, "hq")
    page.goto(f"/mallitemview/edit/{item_id}")
    picture = png(320, 240, (250, 240, 220), spot=(110, 70, 210, 170))
    page.set_input_files("input[name=image_file]",
                         files=[{"name": "umbrella.png", "mimeType": "image/png", "buffer": picture}])
    shot(page, "points-mall-04-item-picture-upload-zh")
    with page.expect_navigation():
        page.locator("form button[type=submit], form input[type=submit]").first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    with app.app_context():
        url = db.session.get(MallItem, item_id).image_url
    assert url.startswith("/api/v1/mall/points-mall/images/")
    page.goto(f"/mallitemview/show/{item_id}")
    picture = page.locator(f"img[src='{url}']")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.naturalWidth") == 320  # the browser loaded the stored picture
    shot(page, "points-mall-05-item-with-picture-zh")

    member = mall_kit.member(points=1000)
    answer = mall_kit.exchange(member, item_id, fulfilment="pickup")
    assert answer.status_code == 201, answer.get_json()
    order = answer.get_json()["result"]
    with app.app_context():
        order_id = db.session.query(MallOrder).filter_by(order_no=order["order_no"]).one().id

    page.goto("/mallorderview/list/")
    for button in ("#export-csv", "#export-xlsx"):
        expect(page.locator(button)).to_be_visible()
    shot(page, "points-mall-06-order-list-export-zh")
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert order["order_no"] in text and "浏览器雨伞" in text

    page.goto(f"/mallorderview/show/{order_id}")
    with page.expect_popup() as popup:
        page.locator(f"a[href='/print/points-mall/order/{order_id}']").first.click()
    slip = popup.value
    slip.wait_for_load_state()
    expect(slip.locator("#mall-order-slip")).to_contain_text("拣货单")
    expect(slip.locator("#mall-order-slip")).to_contain_text("浏览器雨伞")
    expect(slip.locator("#mall-order-slip")).not_to_contain_text(order["pickup"]["pickup_code"])
    shot(slip, "points-mall-07-picking-slip-zh")
