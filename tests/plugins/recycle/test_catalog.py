"""The plugin's own catalog never retranslates a message the core's catalog translates: catalogs
of one language share one namespace, so a different translation would change core pages."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]


def _catalog(path: Path) -> dict[str, str]:
    with path.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id and m.string}


def test_shared_messages_are_translated_as_the_core_translates_them():
    for lang in ("zh", "en"):
        core = _catalog(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po")
        mine = _catalog(ROOT / "plugins" / "recycle" / "translations" / lang / "LC_MESSAGES" / "messages.po")
        differing = {
            msgid: (text, core[msgid])
            for msgid, text in mine.items()
            if msgid in core and core[msgid] != text
        }
        assert differing == {}, lang
