"""How values read in the admin: money in 元, codes as translated labels, empty as a dash,
booleans as 是/否, times to the second in the store's time zone, audit details as rows.

One place for all of it: list and show columns, detail pages and exports call these.
Plugins add their own codes with ``register_labels`` (at import of their views module).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, g, has_app_context
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

EMPTY = "—"
DEFAULT_TIME_ZONE = "Asia/Shanghai"
TIME_ZONES = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "UTC")
MONEY_PATTERN = re.compile(r"^[+-]?(\d+)(\.\d{1,2})?$")


# ---------------------------------------------------------------- money (stored in fen)

def yuan(fen) -> str:
    """``1234`` → ``"12.34"``; ``None`` → ``""``."""
    if fen is None or isinstance(fen, bool):
        return ""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def money(fen) -> str:
    """List/show formatter of a fen column: ``"12.34"``, or a dash when empty."""
    return yuan(fen) or EMPTY


def parse_yuan(text) -> int:
    """``"12.34"`` → ``1234`` fen. At most two decimals; ``ValueError`` with a localized message."""
    cleaned = str(text or "").strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    if cleaned.endswith("元"):
        cleaned = cleaned[:-1].strip()
    if not MONEY_PATTERN.match(cleaned):
        if re.match(r"^[+-]?\d+\.\d{3,}$", cleaned):
            raise ValueError(str(_l("Enter the amount in yuan with at most two decimals, e.g. 12.34.")))
        raise ValueError(str(_l("Enter an amount in yuan, e.g. 12.34.")))
    try:
        return int((Decimal(cleaned) * 100).to_integral_exact())
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        raise ValueError(str(_l("Enter an amount in yuan, e.g. 12.34."))) from None


def check_yuan_range(fen: int, min_fen: int | None = 0, max_fen: int | None = None) -> int:
    """``fen`` if within the bounds, else ``ValueError`` naming the bound in 元."""
    if min_fen is not None and fen < min_fen:
        raise ValueError(str(_l("The amount must be at least %(min)s yuan.", min=yuan(min_fen))))
    if max_fen is not None and fen > max_fen:
        raise ValueError(str(_l("The amount must be at most %(max)s yuan.", max=yuan(max_fen))))
    return fen


# ---------------------------------------------------------------- codes → translated labels

_LABELS: dict[str, dict[str, object]] = {}


def register_labels(kind: str, labels: Mapping[str, object]) -> None:
    """Add ``{code: lazy label}`` to the vocabulary ``kind`` (e.g. ``"order_status"``)."""
    _LABELS.setdefault(kind, {}).update(labels)


def labels_of(kind: str) -> dict[str, object]:
    return dict(_LABELS.get(kind, {}))


def choices_of(kind: str) -> list[tuple[str, object]]:
    """``[(code, label), …]`` for a select field, in registration order."""
    return list(_LABELS.get(kind, {}).items())


def code_label(value, kind: str) -> str:
    """The translated label of ``value`` in ``kind``; a dash when empty; the code when unknown."""
    if value is None or value == "":
        return EMPTY
    label = _LABELS.get(kind, {}).get(value)
    return str(label) if label is not None else str(value)


def label_formatter(kind: str):
    """A column formatter showing codes of ``kind`` as labels."""
    return lambda value: code_label(value, kind)


# ---------------------------------------------------------------- booleans, empties, times

def yes_no(value) -> str:
    if value is None:
        return EMPTY
    return str(_l("Yes")) if value else str(_l("No"))


def time_zone() -> ZoneInfo:
    """The store's time zone: setting ``core.time_zone``, else config ``DISPLAY_TIME_ZONE``."""
    name = None
    if has_app_context():
        cached = g.get("_retail_time_zone")
        if cached is not None:
            return cached
        try:
            from app.platform.settings import get_setting

            name = get_setting("core.time_zone")
        except Exception:  # no database yet (CLI start-up): the configured default
            name = None
        name = name or current_app.config.get("DISPLAY_TIME_ZONE")
    try:
        zone = ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TIME_ZONE)
    if has_app_context():
        g._retail_time_zone = zone  # once per request: a list shows many times
    return zone


def store_today() -> date:
    """Today on the store's clock (``time_zone``), not the server's: at 00:30 Beijing time a UTC
    server is still on the previous day."""
    return datetime.now(time_zone()).date()


def local_time(value: datetime) -> datetime:
    """Naive times are the server's local time (``datetime.now``); aware ones keep their zone."""
    return value.astimezone(time_zone())


def timestamp(value) -> str:
    """``2026-11-26 20:05:03`` in the store's time zone; a dash when empty."""
    if value is None:
        return EMPTY
    if isinstance(value, datetime):
        return local_time(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def display(value) -> str:
    """Any value as a merchant reads it: no ``None``, ``False`` or ``[]``."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, Markup):
        return value
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, datetime | date):
        return timestamp(value)
    if isinstance(value, list | tuple | set):
        parts = [display(v) for v in value]
        return "、".join(p for p in parts if p != EMPTY) or EMPTY
    return str(value)


# ---------------------------------------------------------------- audit details

register_labels("audit_field", {
    "old": _l("Old value"),
    "new": _l("New value"),
    "phone": _l("Phone"),
    "channel": _l("Channel"),
    "amount_fen": _l("Amount (yuan)"),
    "delta": _l("Change"),
    "doc_no": _l("Document no."),
    "reason": _l("Reason"),
})


def _detail_value(key: str, value) -> str:
    if key.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
        return yuan(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {display(v)}" for k, v in value.items()) or EMPTY
    return display(value)


def audit_rows(detail) -> list[tuple[str, str]]:
    """``{"old": 1, "new": 2}`` → ``[("", "1 → 2")]``; ``{"field": {"old":…, "new":…}}`` → rows;
    other keys → ``(label, value)``."""
    if not detail:
        return []
    if not isinstance(detail, Mapping):
        return [("", display(detail))]
    rows: list[tuple[str, str]] = []
    if "old" in detail or "new" in detail:
        rows.append(("", f"{_detail_value('', detail.get('old'))} → {_detail_value('', detail.get('new'))}"))
    for key, value in detail.items():
        if key in ("old", "new"):
            continue
        label = code_label(key, "audit_field")
        if isinstance(value, Mapping) and ("old" in value or "new" in value):
            old, new = _detail_value(key, value.get("old")), _detail_value(key, value.get("new"))
            rows.append((label, f"{old} → {new}"))
        else:
            rows.append((label, _detail_value(key, value)))
    return rows


def audit_detail(detail) -> Markup:
    """Audit-log column: one ``field: old → new`` line per change."""
    rows = audit_rows(detail)
    if not rows:
        return Markup(EMPTY)
    lines = [
        Markup("<div>{}: {}</div>").format(label, text) if label else Markup("<div>{}</div>").format(text)
        for label, text in rows
    ]
    return Markup("").join(lines)


def html_table(headers: Iterable, rows: Iterable[Iterable], css: str = "table table-condensed") -> Markup:
    """A small escaped table for show pages (``rows`` of already formatted cells)."""
    rows = list(rows)
    if not rows:
        return Markup('<p class="text-muted">{}</p>').format(_l("Nothing yet."))
    head = Markup("").join(Markup("<th>{}</th>").format(h) for h in headers)
    body = Markup("").join(
        Markup("<tr>{}</tr>").format(Markup("").join(Markup("<td>{}</td>").format(display(c)) for c in row))
        for row in rows
    )
    return Markup('<table class="{}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>').format(
        css, head, body
    )


def link(url: str, text) -> Markup:
    return Markup('<a href="{}">{}</a>').format(url, text)
