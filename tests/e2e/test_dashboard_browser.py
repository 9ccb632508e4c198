"""Browser test of the home dashboard and the receipt print view (Debian chromium + Playwright).

The demo data (a month of sales) is seeded with the session app.  Every request that
does not go to the live server is aborted *and recorded*: the test fails on any.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re

import pytest

from tests.support.browser import browser, expect, live_server, shot  # noqa: F401  (fixtures)
from tests.support.browser import login as _login

TIMEOUT_MS = 15_000
pytestmark = pytest.mark.e2e

# a canvas Chart.js drew on: some pixel is not transparent
CANVAS_PAINTED = """canvas => {
  const ctx = canvas.getContext('2d');
  const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) painted++; }
  return {width: canvas.width, height: canvas.height, painted: painted,
          chart: typeof Chart !== 'undefined' && !!Chart.getChart(canvas)};
}"""


@pytest.fixture
def page(browser, live_server):  # noqa: F811  (like tests.support.browser's, but records outside requests)
    context = browser.new_context(base_url=live_server, locale="zh-CN",
                                  viewport={"width": 1366, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    outside: list[str] = []

    def only_local(route):
        if route.request.url.startswith(live_server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route(re.compile(r"^(https?|wss?)://"), only_local)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield pg
    finally:
        context.close()
    assert not outside, f"requests left the machine: {outside}"
    assert not errors, f"JavaScript errors on the page: {errors}"


def _assert_chart_drawn(page, canvas_id: str) -> None:
    canvas = page.locator(f"canvas#{canvas_id}")
    expect(canvas).to_be_visible()
    drawn = canvas.evaluate(CANVAS_PAINTED)
    assert drawn["chart"] and drawn["width"] > 100 and drawn["height"] > 100, drawn
    assert drawn["painted"] > 500, drawn


def test_hq_dashboard_draws_its_charts_from_the_package(page):
    _login(page, "hq")
    page.goto("/?period=30d")
    expect(page.locator("#dash-scope")).to_have_text("全部门店")
    for canvas_id in ("chart-trend", "chart-tenders", "chart-stores"):
        _assert_chart_drawn(page, canvas_id)
    for code in ("S001", "S002", "S003"):  # the demo stores all sold in the last 30 days
        expect(page.locator(f"#dash-by-store tbody tr[data-store={code}]")).to_have_count(1)
    expect(page.locator("#dash-by-tender tbody tr[data-method=wechat]")).to_have_count(1)
    expect(page.locator("#dash-stock-alerts tbody tr")).not_to_have_count(0)
    shot(page, "dashboard-hq-30d")
    page.goto("/?period=today")
    _assert_chart_drawn(page, "chart-trend")
    shot(page, "dashboard-hq-today")


def test_store_manager_sees_only_their_store(page):
    _login(page, "manager1")
    page.goto("/?period=30d")
    expect(page.locator("#dash-scope")).to_contain_text("S001")
    expect(page.locator("#dash-by-store tbody tr")).to_have_count(1)
    expect(page.locator("#dash-by-store tbody tr[data-store=S001]")).to_have_count(1)
    expect(page.locator("#chart-stores")).to_have_count(0)  # one store: no per-store chart
    _assert_chart_drawn(page, "chart-trend")
    legend = page.evaluate(
        "Chart.getChart(document.getElementById('chart-trend')).data.datasets.map(d => d.label)"
    )
    assert len(legend) == 1 and legend[0].startswith("S001"), legend
    for row in page.locator("#dash-stock-alerts tbody tr td:first-child").all_inner_texts():
        assert row == "S001"
    shot(page, "dashboard-manager1")


def test_receipt_print_view(page, app):
    from app.extensions import db
    from app.sales.models import Order

    with app.app_context():
        order = db.session.query(Order).order_by(Order.id.desc()).first()
        order_id, order_no, lines = order.id, order.order_no, len(order.lines)
    _login(page, "admin")
    for layout, width_mm in (("58", 58), ("80", 80), ("a4", 210)):
        page.goto(f"/print/order/{order_id}?layout={layout}")
        expect(page.locator("#receipt-order-no")).to_have_text(order_no)
        sheet = page.locator("#receipt").bounding_box()
        assert abs(sheet["width"] - width_mm * 96 / 25.4) < 3, (layout, sheet)
        shot(page, f"receipt-{layout}")
    expect(page.locator("#receipt-lines tbody tr")).to_have_count(lines)
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.click("[data-print]")
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    expect(page.locator(".toolbar")).to_be_hidden()


def test_stock_document_and_coupon_sheet_print_views(page, app):
    from app.extensions import db
    from app.inventory.models import StockDoc
    from plugins.coupons.demo import DEMO_GIFT
    from plugins.coupons.models import CouponRule

    with app.app_context():
        doc = db.session.query(StockDoc).filter_by(kind="inbound").order_by(StockDoc.id).first()
        doc_id, doc_no, lines = doc.id, doc.doc_no, len(doc.lines)
        rule_id = db.session.query(CouponRule.id).filter_by(name=DEMO_GIFT).scalar()
    _login(page, "manager1")
    page.goto(f"/print/stock-doc/{doc_id}")
    expect(page.locator("#doc-no")).to_have_text(doc_no)
    expect(page.locator("#stock-doc-lines tbody tr")).to_have_count(lines)
    shot(page, "print-stock-doc")
    page.goto(f"/print/coupons/rule/{rule_id}")
    coupons = page.locator("#coupon-sheet .coupon")
    expect(coupons).to_have_count(10)  # the ten collected to S001
    box = coupons.first.locator("svg").bounding_box()
    assert box["width"] > 50 and box["height"] > 50, box
    shot(page, "print-coupon-sheet")
