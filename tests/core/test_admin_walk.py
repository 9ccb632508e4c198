"""Walk every admin page reachable from the menu, as every demo role, in Chinese and English.

For each user and language: the home page, then every sidebar link (list pages) and the
add page each list offers. Every page must answer 200 and show no raw ``None``/``__None``/
``False``/``True``; in the Chinese UI no English word may be left, except brand and technical
words (POS, SKU, …), names and codes of the data on the page (store names, SKU codes,
user names, …) and permission names on FAB's security pages.

``KNOWN_VALUE_PROBLEMS`` lists what is still raw on a page because the value formatting
of that page is not done yet (owned by the values layer, issue 14 item 3). It must only
shrink: an entry that no longer shows up is reported so it can be deleted.
"""

from __future__ import annotations

import re
import warnings
from html.parser import HTMLParser

import pytest

from tests.support.clients import login

USERS = ("admin", "hq", "manager1", "cashier1", "guide1", "pos1", "cashier2", "provider1")

# brand and technical words a Chinese back office shows as they are
BRAND_WORDS = {
    "POS", "SKU", "SKUs", "CSV", "API", "ID", "QR", "SMS", "PDF", "URL", "JSON", "HTTP", "HQ",
    "WeChat", "Alipay", "Meituan", "Excel", "VIP", "App", "OpenAPI", "Swagger", "Bearer",
    "APPID", "UTC", "appAuthToken",  # parameter names merchants copy from WeChat/Meituan consoles
    "English",  # the language menu names the other language in that language
    "Ctrl", "Alt", "Shift", "Enter", "Tab", "Esc", "Backspace",  # keys in keyboard hints
    "IMEI", "JPEG", "PNG", "WebP",  # a phone's IMEI and the photo formats a trade-in accepts (recycle)
    "GIF", "KB",  # the image formats and size unit of picture uploads (points_mall items)
}

# columns whose values are names, codes or free text typed by people (allowed as they are)
DATA_COLUMNS = re.compile(
    r"^(name|.*_name|title|username|first_name|last_name|email|code|.*_code|.*_no|barcode|"
    r"phone|note|remark|description|address|text|body|content|reason|spec|color|size|label|brand|model|.*_id|.*uuid)$"
)

# pages of the test-only plugin (tests/test_plugin): not part of the product
SKIPPED_PAGES = ("/samplenoteview/",)

# FAB's security pages list permission and view names: stable English keys, data there
SECURITY_PAGES = ("/permissions/", "/viewmenus/", "/permissionviews/", "/roles/", "/users/")

RAW_CELLS = {"None", "False", "True", "[]", "{}"}
PYTHON_OBJECT = re.compile(r"<[\w.]+ object at 0x[0-9a-fA-F]+>")  # a repr() on the page
OBJECT_MARK = "<object>"

# What is still raw on a page because that page's values are not formatted yet:
# {path prefix: {raw words or values}}. Shrink it as pages get their labels; never add a
# page here to hide a layout string. Owners are named so the lead can file them.
KNOWN_VALUE_PROBLEMS: dict[str, set[str]] = {}

# Links a list page offers that do not work: {path: why}. Shrink it too.
KNOWN_BROKEN_LINKS: dict[str, str] = {}

SKIP_TAGS = {"script", "style", "code", "pre", "template"}
SHOWN_ATTRS = ("placeholder", "title", "alt", "aria-label", "data-original-title")
DATA_TEXT = re.compile(r"\bhttps?://\S+|\b[A-Z][a-z]+/[A-Z][A-Za-z_]+\b")  # URLs, IANA time zones
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]")


class VisibleText(HTMLParser):
    """Text a user can read: text nodes (not scripts/code), shown attributes, button values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in SKIP_TAGS:
            self._skip += 1
            return
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in SHOWN_ATTRS:
            if attrs.get(name):
                self.chunks.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset") and attrs.get("value"):
            self.chunks.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.chunks.append(data.strip())


def _read(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    objects = {OBJECT_MARK for chunk in parser.chunks if PYTHON_OBJECT.search(chunk)}
    parser.chunks = [PYTHON_OBJECT.sub("", chunk) for chunk in parser.chunks] + sorted(objects)
    return parser


def _data_words(app) -> set[str]:
    """Words in names, codes and texts people typed into the database (allowed as data)."""
    from app.extensions import db

    words: set[str] = set()
    with app.app_context():
        for mapper in db.Model.registry.mappers:
            table = mapper.local_table
            columns = [c for c in table.columns
                       if DATA_COLUMNS.match(c.name) and getattr(c.type, "python_type", None) is str]
            if not columns or table.name.startswith("ab_permission") or table.name == "ab_view_menu":
                continue
            for row in db.session.execute(table.select().with_only_columns(*columns)):
                for value in row:
                    if value:
                        words.update(WORD.findall(str(value)))
    return words


def _security_words(app) -> set[str]:
    from app.extensions import db

    words: set[str] = set()
    with app.app_context():
        for table in ("ab_permission", "ab_view_menu", "ab_role"):
            for (name,) in db.session.execute(db.text(f"SELECT name FROM {table}")):
                words.update(WORD.findall(name))
    return words


def _menu_links(page: VisibleText, html: str) -> list[str]:
    sidebar = html.split('id="retail-sidebar"', 1)
    if len(sidebar) < 2:
        return []
    nav = sidebar[1].split("</nav>", 1)[0]
    return [href for href in re.findall(r'href="([^"#]+)"', nav) if href.startswith("/")]


def _add_links(page: VisibleText) -> list[str]:
    return sorted({href.split("?")[0] for href in page.links if re.match(r"^/[^/]+/add/?(\?|$)", href)})


def _english_words(text_chunks: list[str], allowed: set[str]) -> set[str]:
    found = set()
    for chunk in text_chunks:
        if chunk == OBJECT_MARK:
            continue
        for word in WORD.findall(DATA_TEXT.sub(" ", chunk)):  # an address or a zone in a record is data
            if word not in allowed and word.rstrip("s") not in allowed:
                found.add(word)
    return found


def _problems(path: str, html: str, lang: str, allowed: set[str]) -> tuple[VisibleText, list[str]]:
    page = _read(html)
    problems = []
    known = set().union(*(words for prefix, words in KNOWN_VALUE_PROBLEMS.items()
                          if path.startswith(prefix)))
    raw = sorted({chunk for chunk in page.chunks
                  if chunk in RAW_CELLS or chunk == OBJECT_MARK or "__None" in chunk} - known)
    if raw:
        problems.append(f"{path} [{lang}] raw values {raw}")
    if lang == "zh":
        english = _english_words(page.chunks, allowed) - known
        if english:
            problems.append(f"{path} [zh] English words {sorted(english)}")
    return page, problems


@pytest.fixture(scope="module")
def allowed_words(app):
    return BRAND_WORDS | _data_words(app)


@pytest.fixture(scope="module")
def security_words(app):
    return _security_words(app)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("username", USERS)
def test_every_menu_page_reads_well(app, username, lang, allowed_words, security_words):
    client = login(app, username)
    assert client.get(f"/lang/{lang}").status_code == 302
    home = client.get("/")
    assert home.status_code == 200, f"/ as {username}"
    html = home.get_data(as_text=True)
    page, problems = _problems("/", html, lang, allowed_words)
    visited = {"/"}
    queue = _menu_links(page, html)
    assert queue or username == "pos1", f"{username} sees no menu"
    while queue:
        path = queue.pop(0)
        if path in visited or path.startswith(("/lang/", "/logout", *SKIPPED_PAGES)):
            continue
        visited.add(path)
        if path in KNOWN_BROKEN_LINKS:
            continue
        response = client.get(path)
        if response.status_code != 200:
            problems.append(f"{path} [{lang}] answered {response.status_code} to {username}")
            continue
        if not response.mimetype.startswith("text/html"):
            continue  # exports (CSV) are checked by their own tests
        allowed = allowed_words | (security_words if path.startswith(SECURITY_PAGES) else set())
        page, found = _problems(path, response.get_data(as_text=True), lang, allowed)
        problems.extend(found)
        queue.extend(link for link in _add_links(page) if link not in visited)
    assert not problems, f"{username} [{lang}]:\n" + "\n".join(problems)


def test_known_problems_still_exist(app, allowed_words):
    """Report entries of the known-problem lists that are fixed (so the lists shrink)."""
    client = login(app, "admin")
    client.get("/lang/zh")
    for prefix, known in KNOWN_VALUE_PROBLEMS.items():
        page = _read(client.get(prefix).get_data(as_text=True))
        shown = _english_words(page.chunks, allowed_words) | set(page.chunks)
        if known - shown:
            warnings.warn(f"{prefix}: {sorted(known - shown)} are fixed; remove them from "
                          "KNOWN_VALUE_PROBLEMS", stacklevel=1)
    for path in KNOWN_BROKEN_LINKS:
        if client.get(path).status_code == 200:
            warnings.warn(f"{path} works now; remove it from KNOWN_BROKEN_LINKS", stacklevel=1)
