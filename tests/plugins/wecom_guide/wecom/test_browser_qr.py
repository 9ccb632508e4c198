"""In the browser: the admin order page shows the closing guide's WeCom QR image (加微信聊),
and the WeCom guides page lists the guide with the QR (screenshots in test-artifacts/)."""

# ruff: noqa: F811  (the fixtures imported from tests.support.browser are test arguments)
from __future__ import annotations

import pytest

from tests.support.browser import browser, expect, live_server, login, new_page, shot  # noqa: F401
from tests.support.values import paid_sale
from tests.support.wecom import configure, guide_with_qr, wecom_sim_fixture  # noqa: F401  (fixture)
from tests.support.wecom_guide import guides_fixture  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("guides")


def test_order_page_and_guides_page_show_the_qr(app, api_as, wecom_sim, new_page):
    page = new_page()
    configure(app, wecom_sim)
    wecom_sim.state.users.add("pos1")
    qr = guide_with_qr(app, "pos1")
    sale = paid_sale(app, api_as)
    page.context.route(f"{wecom_sim.url}/**", lambda route: route.continue_())  # the simulator's QR images
    login(page, "admin")
    page.goto(f"/orderview/show/{sale['order_id']}")
    section = page.locator("#section-wecom-guide-qr")
    expect(section).to_be_visible()
    image = section.locator("img")
    expect(image).to_have_attribute("src", qr["qr_code"])
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    shot(page, "wecom_order_guide_qr")
    page.goto("/wecomguideview/list/")
    row_image = page.locator(f'img[src="{qr["qr_code"]}"]')
    expect(row_image).to_be_visible()
    shot(page, "wecom_guides_list")
