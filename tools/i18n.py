"""Message catalogs: ``python tools/i18n.py update|compile|check``.

update   extract messages of the core + built-in plugins (and the test plugin)
         and merge them into translations/<lang>/LC_MESSAGES/messages.po (a built-in
         plugin with its own plugins/NAME/translations/ gets its own catalog there,
         without the messages the core catalog translates: those show the core's word);
         English msgids are copied to the English catalog.
compile  build the .mo files (done by dev.py and CI, never committed).
check    list messages lacking a Chinese or English translation, msgids listed twice
         in one catalog, and msgids two catalogs translate differently (at run time the
         catalogs are merged into one, so a plugin's translation would replace the
         core's everywhere) (exit 1 if any).
dedupe   drop msgids listed twice in a catalog (left by union merges), keeping the first.
merge F  update, then fill Chinese strings from the JSON object {msgid: zh} in file F
         (plural messages take a list) where a catalog has none yet; translations already
         made are never changed by a merge (edit the .po to correct one).
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("zh", "en")
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]



def own_catalog_plugins() -> list[Path]:
    """Built-in plugins with catalogs of their own (``plugins/NAME/translations/``, the
    scaffold's shape); the others share the core's ``translations/``."""
    return sorted(path.parent for path in (ROOT / "plugins").glob("*/translations") if path.is_dir())


def _domains() -> list[tuple[list[Path], Path]]:
    """(source dirs, translations dir) of every catalog."""
    own = own_catalog_plugins()
    shared = [path for path in sorted((ROOT / "plugins").iterdir())
              if path.is_dir() and path not in own and not path.name.startswith(("_", "."))]
    return [
        ([ROOT / "app", *shared], ROOT / "translations"),
        *(([plugin], plugin / "translations") for plugin in own),
        ([ROOT / "tests" / "test_plugin"], ROOT / "tests/test_plugin/retail_test_plugin/translations"),
    ]


DOMAINS = _domains()


def _shown(source: Path) -> Path:
    """The source dir as catalog references name it: app/, plugins/NAME/, test_plugin/."""
    relative = source.relative_to(ROOT)
    return relative.relative_to("tests") if relative.parts[0] == "tests" else relative


def extract(sources: list[Path]) -> Catalog:
    # a fixed date keeps the POT-Creation-Date header from churning on every update
    template = Catalog(creation_date=datetime(2026, 1, 1, tzinfo=UTC))
    for source in sources:
        if not source.exists():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            str(source), METHODS, keywords=KEYWORDS,
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.do"}},
        ):
            template.add(message, None, [(str(_shown(source) / filename), lineno)],
                         auto_comments=comments, context=context)
    return template


def po_path(directory: Path, lang: str) -> Path:
    return directory / lang / "LC_MESSAGES" / "messages.po"


def load(path: Path, lang: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=lang)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def save(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, omit_header=False, sort_output=True, width=100)
    path.write_bytes(buffer.getvalue())


def _core_translated(lang: str) -> set[tuple[str, object]]:
    """(msgid, context) the core catalog translates: a built-in plugin's catalog leaves them
    out, so the plugin shows the core's word and can never replace it (at run time all
    catalogs are merged into one)."""
    catalog = load(po_path(ROOT / "translations", lang), lang)
    return {(str(m.id), m.context) for m in catalog if m.id and m.string and all(
        m.string if isinstance(m.string, tuple) else (m.string,))}


def _is_plugin_catalog(directory: Path) -> bool:
    return directory.parent.parent == ROOT / "plugins"


def update() -> None:
    for sources, directory in DOMAINS:
        template = extract(sources)
        for lang in LANGS:
            path = po_path(directory, lang)
            catalog = load(path, lang)
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            if _is_plugin_catalog(directory):
                for key in _core_translated(lang):
                    if catalog.get(*key) is not None:
                        catalog.delete(*key)
            if lang == "en":
                for message in catalog:
                    if message.id and not message.string:
                        message.string = message.id
            save(catalog, path)


def compile_catalogs(directory: Path, target: Path) -> list[Path]:
    """Compile ``directory``'s catalogs into ``.mo`` files under ``target`` (same layout)."""
    written = []
    for lang in LANGS:
        path = po_path(directory, lang)
        if not path.exists():
            continue
        catalog = load(path, lang)
        mo = po_path(target, lang).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(mo)
    return written


def compile_all() -> None:
    for _sources, directory in DOMAINS:
        compile_catalogs(directory, directory)


def _key(block: str) -> tuple[str, str] | None:
    """(msgctxt, msgid with its continuation lines) of an entry; None for the header."""
    lines = block.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("msgid ")), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and lines[end].startswith('"'):
        end += 1
    if end == start + 1 and lines[start] == 'msgid ""':
        return None  # the header
    context = next((line for line in lines if line.startswith("msgctxt ")), "")
    return context, "\n".join(lines[start:end])


def duplicates() -> list[str]:
    """msgids listed twice in one catalog (e.g. after a union merge of two branches)."""
    problems = []
    for _sources, directory in DOMAINS:
        for lang in LANGS:
            path = po_path(directory, lang)
            if not path.exists():
                continue
            seen: set[tuple[str, str]] = set()
            for block in _entries(path.read_text(encoding="utf-8")):
                key = _key(block)
                if key in seen:
                    problems.append(f"{directory.relative_to(ROOT)} [{lang}] duplicate {key[1][6:60]}")
                if key is not None:
                    seen.add(key)
    return problems


def missing() -> list[str]:
    """Messages in the code lacking a zh or en translation (or marked fuzzy)."""
    problems = []
    for sources, directory in DOMAINS:
        template = extract(sources)
        for lang in LANGS:
            catalog = load(po_path(directory, lang), lang)
            core = _core_translated(lang) if _is_plugin_catalog(directory) else set()
            for message in template:
                if not message.id or (str(message.id), message.context) in core:
                    continue  # a plugin's message the core translates: the core's word is used
                found = catalog.get(message.id, message.context)
                strings = found.string if found else None
                values = strings if isinstance(strings, tuple) else (strings,)
                if found is None or not all(values) or found.fuzzy:
                    problems.append(f"{directory.relative_to(ROOT)} [{lang}] {message.id!r}")
    return problems


def conflicts() -> list[str]:
    """msgids that two run-time catalogs (core, built-in plugins) translate differently."""
    seen: dict[tuple[str, object, str], tuple[Path, object]] = {}
    problems = []
    for _sources, directory in DOMAINS:
        if "test_plugin" in directory.parts:
            continue  # the test plugin's catalog is only loaded by the tests
        for lang in LANGS:
            for message in load(po_path(directory, lang), lang):
                if not message.id or not message.string:
                    continue
                key = (lang, message.context, str(message.id))
                first = seen.setdefault(key, (directory, message.string))
                if first[1] != message.string:
                    problems.append(f"{directory.relative_to(ROOT)} [{lang}] {str(message.id)[:60]!r} is "
                                    f"{message.string!r} but {first[1]!r} in {first[0].relative_to(ROOT)}")
    return problems


def _entries(text: str) -> list[str]:
    """The catalog's entries, also where a union merge glued two without a blank line."""
    lines, out, in_msgstr = text.splitlines(), [], False
    for line in lines:
        starts = line.startswith(("#", "msgid ", "msgctxt "))
        if starts and in_msgstr and out and out[-1] != "":
            out.append("")  # the previous entry ended with its msgstr
        if line.startswith("msgstr"):
            in_msgstr = True
        elif starts or not line:
            in_msgstr = False
        out.append(line)
    return "\n".join(out).split("\n\n")


def dedupe() -> None:
    """Drop the later copies of msgids listed twice (a union merge keeps both sides' entries)."""
    for _sources, directory in DOMAINS:
        for lang in LANGS:
            path = po_path(directory, lang)
            if not path.exists():
                continue
            kept, seen = [], set()
            for block in _entries(path.read_text(encoding="utf-8")):
                key = _key(block)
                if key is None or key not in seen:
                    kept.append(block)
                if key is not None:
                    seen.add(key)
            path.write_text("\n\n".join(kept).rstrip("\n") + "\n", encoding="utf-8")


def merge(json_path: str) -> None:
    import json

    update()
    chinese = json.loads(Path(json_path).read_text(encoding="utf-8"))
    for _sources, directory in DOMAINS:
        path = po_path(directory, "zh")
        if not path.exists():
            continue
        catalog = load(path, "zh")
        for message in catalog:
            if message.id and isinstance(message.id, tuple):
                value = chinese.get(message.id[0])
                if value and not all(message.string):
                    message.string = tuple(value) if isinstance(value, list) else (value, value)
            elif message.id in chinese and not message.string:
                message.string = chinese[message.id]
        save(catalog, path)


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else "check"
    if action == "update":
        update()
    elif action == "compile":
        compile_all()
    elif action == "merge":
        merge(sys.argv[2])
    elif action == "dedupe":
        dedupe()
    elif action == "check":
        problems = duplicates() + missing() + conflicts()
        print("\n".join(problems) or "all messages translated")
        sys.exit(1 if problems else 0)
    else:
        sys.exit(__doc__)
