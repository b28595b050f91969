"""Docket's translation catalogs: extract the marked strings, update each language, compile.

    python packaging/catalogs.py extract   # resources/locale/docket.pot (not committed), for tools
    python packaging/catalogs.py update    # merge the template into every docket.po
    python packaging/catalogs.py compile   # docket.po -> docket.mo (build output, not committed)
    python packaging/catalogs.py check     # exit 1 if a catalog lacks a string or keeps a stale one

Two domains: ``docket`` (the window, the command line, the advice, the reports) and
``letters`` (the phrases letters are composed from, marked ``letter_(context, message)`` in
core/documents/wording.py; a letter's language is chosen per letter). ``--domain letters``
works on ``letters.po``; ``compile`` compiles every domain.

The install (packaging/docket_build.py) and the bundle run ``compile``; docs/translating.md
tells translators the rest. Uses Babel, the extractor Picard and most Python projects use.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "resources" / "locale"
TEMPLATE = LOCALE / "docket.pot"
DOMAIN = "docket"
LANGUAGES = ("fr", "de", "es")

# Where Docket marks strings: gettext's names (core/i18n.py). ``tr`` is not here on purpose.
KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    # The window's counts: gui.kit.formatting.count_text("%n event", "%n events", n).
    "count_text": (1, 2),
}
SOURCES = ("core", "gui")

# The letters' phrases: their own keywords, so that neither domain picks up the other's strings.
LETTER_KEYWORDS = {
    "letter_": ((1, "c"), 2),
    "nletter_": ((1, "c"), 2, 3),
}
LETTER_SOURCES = ("core",)
DOMAINS = ("docket", "letters")

# Text in the rule packs a user reads (resources/rules/*.json), by key.
RULE_TEXT_KEYS = ("name", "label", "title", "explanation", "note", "text", "final_response_note")


def _python_messages(domain: str = DOMAIN) -> Iterator[tuple[str, int, Any, list[str], str | None]]:
    from babel.messages.extract import extract_from_dir

    keywords = LETTER_KEYWORDS if domain == "letters" else KEYWORDS
    for source in (LETTER_SOURCES if domain == "letters" else SOURCES):
        for filename, lineno, message, comments, context in extract_from_dir(
                ROOT / source, [("**.py", "python")], keywords=keywords,
                comment_tags=("Translators:",), strip_comment_tags=True):
            yield f"{source}/{filename}", lineno, message, comments, context


def _rule_messages() -> Iterator[tuple[str, int, Any, list[str], str | None]]:
    """The user-facing texts of every rule pack, with the rule's id as the translators' note."""
    folder = ROOT / "resources" / "rules"
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        rel = path.relative_to(ROOT).as_posix()

        def walk(node: Any, where: str, rel: str = rel
                 ) -> Iterator[tuple[str, int, Any, list[str], str | None]]:
            if isinstance(node, dict):
                ident = str(node.get("id", where))
                for key, value in node.items():
                    if key in RULE_TEXT_KEYS and isinstance(value, str) and value.strip():
                        yield rel, 0, value, [f"rule {ident}: {key}"], None
                    else:
                        yield from walk(value, ident)
            elif isinstance(node, list):
                for item in node:
                    yield from walk(item, where)

        yield from walk(data, path.stem)


def build_template(domain: str = DOMAIN) -> Any:
    """The catalog of every marked string now in the code and the rule packs (``docket``),
    or of every letter phrase (``letters``)."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(project="Docket", domain=domain, charset="utf-8",
                      msgid_bugs_address="", copyright_holder="Docket developers")
    found = (_python_messages("letters") if domain == "letters"
             else (*_python_messages(), *_rule_messages()))
    for filename, lineno, message, comments, context in found:
        if isinstance(message, tuple):
            if not message[0]:
                continue
        elif not message:
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def extract(domain: str = DOMAIN) -> None:
    from babel.messages.pofile import write_po

    LOCALE.mkdir(parents=True, exist_ok=True)
    target = LOCALE / f"{domain}.pot"
    with target.open("wb") as handle:
        write_po(handle, build_template(domain), width=100, omit_header=False, sort_output=True,
                 include_lineno=False)
    print(f"{target.relative_to(ROOT)}: written")


def _po(language: str, domain: str = DOMAIN) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


def update(languages: tuple[str, ...] = LANGUAGES, domain: str = DOMAIN) -> None:
    """Merge the template into each language's catalog (new strings empty, gone ones dropped)."""
    from babel.core import Locale
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = build_template(domain)
    for language in languages:
        path = _po(language, domain)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=Locale.parse(language), domain=domain, project="Docket")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True, include_lineno=False,
                     ignore_obsolete=True)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} strings")


def compile_all(root: Path = ROOT) -> list[Path]:
    """Compile every catalog under ``root``'s resources/locale (``docket.po``, and any other
    domain such as the letters' ``letters.po``) to its ``.mo``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted((root / "resources" / "locale").glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def check(domain: str = DOMAIN) -> int:
    """Every language has exactly the template's strings: none missing, none stale."""
    from babel.messages.pofile import read_po

    template = {(m.id if isinstance(m.id, str) else m.id[0], m.context)
                for m in build_template(domain) if m.id}
    problems = 0
    for language in LANGUAGES:
        with _po(language, domain).open("rb") as handle:
            catalog = read_po(handle, locale=language)
        have = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in catalog if m.id}
        for missing in sorted(template - have, key=str):
            print(f"{language}: missing {missing[0]!r}")
            problems += 1
        for stale in sorted(have - template, key=str):
            print(f"{language}: stale {stale[0]!r}")
            problems += 1
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("extract", "update", "compile", "check"))
    parser.add_argument("--language", choices=LANGUAGES, action="append",
                        help="update only this language's catalog (may be repeated)")
    parser.add_argument("--domain", choices=DOMAINS, default=DOMAIN,
                        help="the catalog: docket (default) or letters")
    args = parser.parse_args(argv)
    action = args.action
    if action == "extract":
        extract(args.domain)
    elif action == "update":
        update(tuple(args.language or LANGUAGES), args.domain)
    elif action == "compile":
        for mo in compile_all():
            print(f"{mo.relative_to(ROOT)}: compiled")
    else:
        return check(args.domain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
