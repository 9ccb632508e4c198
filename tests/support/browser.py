"""Shared browser-test fixtures: Debian's chromium (``/usr/bin/chromium``) through
Playwright against the session ``app`` served by werkzeug on a free loopback port.

Import the fixtures into a test module (``from tests.support.browser import browser, live_server, page``).
Screenshots go to ``test-artifacts/`` (gitignored). No request may leave the machine.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000
DESKTOP = {"width": 1920, "height": 1000}


@pytest.fixture(scope="module")
def live_server(app):
    """Serve the session app on 127.0.0.1:<free port> in a background thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page(viewport=…)`` → a page in its own browser context; JS errors fail the test."""
    contexts = []
    errors: list[str] = []

    def make(viewport: dict | None = None, locale: str = "en-US"):
        # An English-speaking browser by default: the admin UI must still default to Chinese.
        context = browser.new_context(base_url=live_server, locale=locale, viewport=viewport or DESKTOP)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)

        # No internet here: anything not served by the live server fails fast instead of hanging.
        def only_local(route):
            if route.request.url.startswith(live_server):
                route.continue_()
            else:
                route.abort()

        context.route(re.compile(r"^https?://"), only_local)
        pg = context.new_page()
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        return pg

    try:
        yield make
    finally:
        for context in contexts:
            context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(new_page):
    return new_page()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def login(page, username: str, password: str = "demo1234") -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[name=login] [type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def sidebar(page):
    """The admin's main menu (left sidebar)."""
    return page.locator("#retail-sidebar")
