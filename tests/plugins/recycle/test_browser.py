"""Browser test (Debian chromium through Playwright, as tests/e2e): a guide takes in a device on
the intake page with a photo, the assigned provider quotes it on the order's page, the guide
sees the quote.  Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest

from tests.support.browser import browser, expect, live_server, login, new_page, shot  # noqa: F401 (fixtures)
from tests.support.images import png

pytestmark = pytest.mark.e2e
PHOTO = png(240, 160, (40, 120, 200), spot=(70, 20, 170, 140))


def test_guide_takes_in_a_device_provider_quotes_it_guide_sees_the_quote(app, new_page):  # noqa: F811
    guide = new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    login(guide, "guide1")
    guide.goto("/recycle-intake/")
    guide.select_option("select[name=mode]", "half_package")
    guide.select_option("select[name=provider_id]", label="绿环回收服务商")
    guide.fill("input[name=brand]", "Apple")
    guide.fill("input[name=model]", "iPhone 14 Pro")
    guide.fill("input[name=capacity]", "256G")
    guide.fill("input[name=imei]", "490154203237518")
    guide.check("input[name=condition][value=powers_on]")
    guide.check("input[name=condition][value=screen_intact]")
    guide.fill("input[name=customer_phone]", "13912345678")
    guide.fill("input[name=customer_name]", "张先生")
    guide.set_input_files(
        "input[name=photos]", files=[{"name": "front.png", "mimeType": "image/png", "buffer": PHOTO}]
    )
    shot(guide, "recycle-01-intake-zh")
    with guide.expect_navigation():
        guide.click("#intake button[type=submit]")
    expect(guide).to_have_url(re.compile(r"/recycleorderview/show/\d+"))
    order_url = guide.url
    expect(guide.locator("body")).to_contain_text("待审核")
    expect(guide.locator("#section-photos img")).to_have_count(1)
    order_no = re.search(r"HS\d+S\d+", guide.locator("body").inner_text()).group(0)
    shot(guide, "recycle-02-taken-in-zh")

    provider = new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    login(provider, "provider1")
    provider.goto("/recycleorderview/list/")
    row = provider.locator("tr", has_text=order_no)
    expect(row).to_have_count(1)
    shot(provider, "recycle-03-provider-list-zh")
    provider.goto(order_url.replace(re.match(r"https?://[^/]+", order_url).group(0), ""))
    expect(provider.locator("#section-quote")).to_be_visible()
    provider.fill("#quote-amount", "1280.50")
    with provider.expect_navigation():
        provider.click("#section-quote button[type=submit]")
    expect(provider.locator("body")).to_contain_text("已报价（待付款）")
    shot(provider, "recycle-04-provider-quoted-zh")

    guide.reload()
    expect(guide.locator("body")).to_contain_text("已报价（待付款）")
    expect(guide.locator("#section-quotes")).to_contain_text("1280.50")
    shot(guide, "recycle-05-guide-sees-quote-zh")
