"""Browser test: log in, switch the UI language, toggle a plugin on the plugins page.

Drives Debian's chromium (``/usr/bin/chromium``) through Playwright against the
session ``app`` served by werkzeug on a free loopback port. Screenshots go to
``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 15_000

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(browser, live_server):
    # An English-speaking browser: the admin UI must still default to Chinese.
    context = browser.new_context(
        base_url=live_server, locale="en-US", viewport={"width": 1920, "height": 1000}
    )
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
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield pg
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _navbar(page):
    """The menu on the left of the navbar (the right side holds the user's name, 系统管理员)."""
    return page.locator(".navbar ul.navbar-nav:not(.navbar-right)").first


def _login(page, username: str, password: str = "demo1234") -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[name=login] [type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def _language_menu(page):
    """FAB's language dropdown in the navbar (the one whose items link to /lang/<code>)."""
    return page.locator("li.dropdown:has(a[href*='/lang/'])").first


def _switch_language_by_click(page, lang: str) -> None:
    page.locator("h1, h2, .container").last.click(position={"x": 2, "y": 2})  # close open menus
    expect(page.locator("li.dropdown.open")).to_have_count(0)
    menu = _language_menu(page)
    menu.locator("a.dropdown-toggle").click()
    link = menu.locator(f"a[href$='/lang/{lang}']")
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()


def _plugin_row(page, name: str):
    return page.locator(f"#plugins tr[data-plugin='{name}']")


def _toggle_plugin(page, name: str) -> None:
    with page.expect_navigation():
        _plugin_row(page, name).locator(".plugin-toggle").click()
    expect(page).to_have_url(re.compile(r"/plugins/$"))


def test_login_language_switch_and_plugin_toggle(page, restore_plugins):
    _login(page, "admin")
    navbar = _navbar(page)

    # Chinese by default, even though the browser asks for English.
    expect(navbar).to_contain_text("系统")
    expect(navbar).not_to_contain_text("System")
    _shot(page, "01-home-zh")

    # To English by clicking English in the language menu (a link to /lang/en).
    _switch_language_by_click(page, "en")
    expect(navbar).to_contain_text("System")
    expect(navbar).not_to_contain_text("系统")
    navbar.get_by_text("System", exact=True).first.click()
    expect(navbar.get_by_role("link", name="Plugins")).to_be_visible()
    _shot(page, "02-home-en")

    # Back to Chinese by clicking 中文 in the language menu (a link to /lang/zh).
    _switch_language_by_click(page, "zh")
    expect(page).not_to_have_url(re.compile(r"/lang/"))
    expect(navbar).to_contain_text("系统")
    expect(navbar).not_to_contain_text("System")
    navbar.get_by_text("系统", exact=True).first.click()
    expect(navbar.get_by_role("link", name="插件")).to_be_visible()

    # Plugins page (Chinese).
    page.goto("/plugins/")
    expect(page.locator("#plugins")).to_be_visible()
    expect(page.locator("h2")).to_have_text("插件")
    addon = _plugin_row(page, "sample_addon")
    state = addon.locator(".plugin-state")
    expect(state).to_have_text("已启用")
    expect(_plugin_row(page, "sample").locator(".plugin-state")).to_have_text("已启用")
    _shot(page, "03-plugins-zh")

    # Disable the add-on.
    _toggle_plugin(page, "sample_addon")
    expect(state).to_have_text(re.compile("停用"))
    expect(addon.locator(".plugin-toggle")).to_have_text("启用")
    flash = page.locator(".alert-success")
    expect(flash).to_be_visible()
    expect(flash).to_contain_text("示例附加插件")
    expect(flash).to_contain_text("已停用")
    _shot(page, "04-addon-disabled-zh")

    # Enable it again.
    _toggle_plugin(page, "sample_addon")
    expect(state).to_have_text("已启用")
    expect(addon.locator(".plugin-toggle")).to_have_text("停用")
    expect(flash).to_be_visible()
    expect(flash).to_contain_text("示例附加插件")
    expect(flash).to_contain_text("已启用")
    _shot(page, "05-addon-enabled-zh")


def test_language_menu_offers_english_by_default(page):
    _login(page, "admin")
    expect(_navbar(page)).to_contain_text("系统")
    menu = _language_menu(page)
    menu.locator("a.dropdown-toggle").click()
    _shot(page, "06-language-menu-default")
    expect(menu.locator("a[href$='/lang/en']")).to_be_visible(timeout=2_000)
