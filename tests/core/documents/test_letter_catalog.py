"""The letters' own gettext catalog (``letters.po``): every language has every phrase the
letters are composed from, with the same placeholders, and nothing stale; a letter never
shows an English phrase or an English ``[missing: ...]`` label in French, German or Spanish."""

from __future__ import annotations

import re
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from core.documents import wording
from core.documents.letters.draft import EXTRA_FACTS

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "packaging"))
import catalogs  # noqa: E402

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TRANSLATED = ("fr", "de", "es")
# Phrases that are the same word in a language (a brand, a loan word, a bare placeholder).
SAME_ALLOWED = {"PayPal", "{subject}", "{day} {month} {year}", "April", "August", "September", "November",
                "{n} minute", "note"}


@pytest.fixture(scope="module")
def template() -> object:
    return catalogs.build_template("letters")


def _read(language: str) -> object:
    from babel.messages.pofile import read_po

    with catalogs._po(language, "letters").open("rb") as handle:
        return read_po(handle, locale=language)


def test_every_language_has_every_letter_phrase_and_none_stale(capsys: pytest.CaptureFixture[str]) -> None:
    assert catalogs.check("letters") == 0, capsys.readouterr().out


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_phrase_is_translated_with_exactly_its_placeholders(language: str) -> None:
    catalog = _read(language)
    seen = 0
    for message in catalog:  # type: ignore[attr-defined]
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{language}: {message.context} {ids[0]!r} has no translation"
        assert not message.fuzzy, f"{language}: {ids[0]!r} is fuzzy"
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == set(PLACEHOLDER.findall(ids[-1])), (language, ids, string)
            if string == ids[0] and ids[0] not in SAME_ALLOWED and message.context != "missing label":
                pytest.fail(f"{language}: {message.context} {string!r} is left in English")
        seen += 1
    assert seen >= 140


def test_the_tables_ask_the_catalog_for_the_phrases_it_holds(template: object) -> None:
    held = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id}  # type: ignore[attr-defined]
    tables = [wording.WORDS, wording.KIND_WORDS, wording.PAYMENT_WORDS, wording.VIA_WORDS, wording.HOW,
              wording.STORY_WORDS, wording.STORY, wording.PAGE_LABEL]
    asked = [(context, english) for table in tables for context, english in table.contexts() if english]
    assert len(asked) > 100
    assert [pair for pair in asked if pair not in held] == []


def test_every_label_a_letter_can_mark_missing_is_in_the_catalog() -> None:
    used: set[str] = set()
    for entry in files("resources").joinpath("letters").iterdir():
        if entry.name.endswith(".j2"):
            source = entry.read_text(encoding="utf-8")
            used |= set(re.findall(r'(?:need\([^()]*(?:\([^()]*\))?[^()]*?|missing\()"([^"]+)"\)', source))
    used |= set(EXTRA_FACTS.values()) | {"your postal address", "company postal address"}
    assert "what you bought" in used and "your name" in used
    assert sorted(used - set(wording.MISSING_LABELS)) == []
    for language in TRANSLATED:
        for label in used:
            assert wording.missing_label(label, language) != label, (language, label)


def test_the_build_compiles_the_letters_catalog_too(tmp_path: Path) -> None:
    import gettext
    import shutil

    shutil.copytree(ROOT / "resources" / "locale", tmp_path / "resources" / "locale")
    written = catalogs.compile_all(tmp_path)
    compiled = {(mo.parent.parent.name, mo.name) for mo in written}
    assert {("fr", "letters.mo"), ("de", "letters.mo"), ("es", "letters.mo")} <= compiled
    with (tmp_path / "resources" / "locale" / "es" / "LC_MESSAGES" / "letters.mo").open("rb") as handle:
        spanish = gettext.GNUTranslations(handle)
    assert spanish.pgettext("story:complaint", "I complained to you {how}.") == "Les presenté una reclamación {how}."
    assert spanish.npgettext("duration", "{n} hour", "{n} hours", 2) == "{n} horas"
