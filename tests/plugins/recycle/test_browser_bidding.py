"""Browser test (Debian chromium through Playwright, as tests/e2e) of the bidding and settlement
pages: HQ opens a new bidding trade-in's bidding page from the order's page (it is open for bids
at once), two providers bid, after the deadline HQ sees the winner, the winner quotes, the
guide opens the settlement page from the order's page and shows the payment QR; a
purchase-credit trade-in's settlement page shows its credit.  Screenshots go to
test-artifacts/."""

from __future__ import annotations

import re

import pytest

from tests.support.browser import browser, expect, live_server, login, new_page, shot  # noqa: F401 (fixtures)
from tests.support.recycle import add_provider, create_trade_in
from tests.support.recycle_bidding import move_deadline

pytestmark = pytest.mark.e2e
SCREEN = {"width": 1366, "height": 900}


def _bid(page, order_id: int, amount: str) -> None:
    page.goto(f"/recycle-bidding/order/{order_id}")
    page.fill("#bid-form input[name=amount]", amount)
    with page.expect_navigation():
        page.click("#bid-form button[type=submit]")
    expect(page.locator("#bids")).to_contain_text(amount)


def test_hq_sees_the_bids_and_winner_the_guide_shows_the_qr_and_credit(app, api_as, new_page):  # noqa: F811
    add_provider(app, "对手回收", "rival1")
    order = create_trade_in(api_as("guide1"), mode="bidding", brand="华为", model="Mate 60")
    order_id = order["id"]

    hq = new_page(viewport=SCREEN, locale="zh-CN")
    login(hq, "hq")
    hq.goto(f"/recycleorderview/show/{order_id}")
    with hq.expect_navigation():
        hq.click(f"#section-pages a[href='/recycle-bidding/order/{order_id}']")
    expect(hq.locator("#bidding-summary")).to_contain_text("是")  # open for bids as it was taken in
    expect(hq.locator("#bids")).to_contain_text("暂无出价")
    shot(hq, "recycle-bidding-01-hq-open-zh")

    provider = new_page(viewport=SCREEN, locale="zh-CN")
    login(provider, "provider1")
    _bid(provider, order_id, "300.00")
    shot(provider, "recycle-bidding-02-provider-bid-zh")
    rival = new_page(viewport=SCREEN, locale="zh-CN")
    login(rival, "rival1")
    _bid(rival, order_id, "250.00")
    expect(rival.locator("#bids")).not_to_contain_text("300.00")  # a provider sees its own bids only

    move_deadline(app, order_id, -1)
    hq.reload()
    summary = hq.locator("#bidding-summary")
    expect(summary).to_contain_text("绿环回收服务商")
    expect(summary).to_contain_text("300.00")
    expect(hq.locator("#bids tbody tr")).to_have_count(2)
    shot(hq, "recycle-bidding-03-hq-winner-zh")

    provider.goto(f"/recycleorderview/show/{order_id}")
    provider.fill("#quote-amount", "300.00")
    with provider.expect_navigation():
        provider.click("#section-quote button[type=submit]")
    expect(provider.locator("body")).to_contain_text("已报价（待付款）")

    guide = new_page(viewport=SCREEN, locale="zh-CN")
    login(guide, "guide1")
    guide.goto(f"/recycleorderview/show/{order_id}")
    with guide.expect_navigation():
        guide.click(f"#section-pages a[href='/recycle-settlement/order/{order_id}']")
    with guide.expect_navigation():
        guide.click("#settle")
    code = guide.locator("#payment-code")
    expect(code.locator("svg")).to_have_count(1)
    expect(code).to_contain_text("300.00")
    shot(guide, "recycle-bidding-04-guide-payment-qr-zh")

    credit = create_trade_in(api_as("guide1"), mode="self_operated", settlement_method="purchase_credit")
    quoted = api_as("hq").post(f"/api/v1/recycle/orders/{credit['id']}/quote", json={"amount_fen": 88800})
    assert quoted.status_code == 200, quoted.get_json()
    guide.goto(f"/recycle-settlement/order/{credit['id']}")
    with guide.expect_navigation():
        guide.click("#settle")
    expect(guide.locator("#credit-code")).to_have_text(re.compile(r"\S{6,}"))
    expect(guide.locator("#order-state")).to_contain_text("已支付")
    expect(guide.locator("#settlement-order")).to_contain_text("888.00")
    shot(guide, "recycle-bidding-05-guide-credit-zh")
