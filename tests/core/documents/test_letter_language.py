"""Which language a new letter is drafted in: the company's country's, else the one the user
saved for letters, else the window's, else English; always one the template exists in. The
window and the command line ask the same function."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core import i18n
from core.documents import letters
from core.journal import cases, settings
from core.store.store import Store


@pytest.fixture
def window_language() -> Iterator[object]:
    before = i18n.current_language()

    def use(code: str) -> None:
        i18n.set_language(code)

    yield use
    i18n.set_language(before)


def _case(store: Store, jurisdiction: str) -> int:
    return cases.open_case(store, title="Coat", company="Maison", amount="80.00", currency="EUR",
                           jurisdiction=jurisdiction)


@pytest.mark.parametrize(("jurisdiction", "expected"), [
    ("FR", "fr"), ("DE", "de"), ("AT", "de"), ("ES", "es"), ("GB", "en"), ("US-CA", "en"), ("IT", "en"),
])
def test_a_letter_to_a_company_is_in_its_countrys_language(
        store: Store, window_language: object, jurisdiction: str, expected: str) -> None:
    window_language("en")  # type: ignore[operator]
    case_id = _case(store, jurisdiction)
    assert letters.letter_language(store, case_id=case_id, template_id="first_complaint") == expected


def test_a_country_without_a_letter_language_gets_the_windows_language(store: Store, window_language: object) -> None:
    window_language("de")  # type: ignore[operator]
    italian = _case(store, "IT")
    assert letters.letter_language(store, case_id=italian, template_id="first_complaint") == "de"
    # A Spanish company, but the formal complaint exists in en, fr and de only: the window's.
    spanish = _case(store, "ES")
    assert letters.letter_language(store, case_id=spanish, template_id="first_complaint") == "es"
    assert letters.letter_language(store, case_id=spanish, template_id="formal_complaint") == "de"
    window_language("es")  # type: ignore[operator]
    assert letters.letter_language(store, case_id=spanish, template_id="formal_complaint") == "en"


def test_the_us_billing_error_notice_is_always_english(store: Store, window_language: object) -> None:
    window_language("fr")  # type: ignore[operator]
    assert letters.letter_language(store, case_id=_case(store, "FR"), template_id="us_billing_error") == "en"


def test_in_a_country_of_several_languages_the_windows_one_wins(store: Store, window_language: object) -> None:
    belgian = _case(store, "BE")
    window_language("de")  # type: ignore[operator]
    assert letters.letter_language(store, case_id=belgian, template_id="chaser") == "de"
    window_language("en")  # type: ignore[operator]
    assert letters.letter_language(store, case_id=belgian, template_id="chaser") == "fr"
    window_language("fr")  # type: ignore[operator]
    assert letters.letter_language(store, case_id=_case(store, "CH"), template_id="chaser") == "fr"


def test_a_saved_letter_language_comes_before_the_windows(store: Store, window_language: object) -> None:
    window_language("en")  # type: ignore[operator]
    british = _case(store, "GB")
    settings.update(store, letter_language="de")
    assert letters.letter_language(store, case_id=british, template_id="chaser") == "de"
    # The company's country still comes first.
    assert letters.letter_language(store, case_id=_case(store, "FR"), template_id="chaser") == "fr"


def test_a_case_without_a_jurisdiction_follows_the_default_one_in_settings(store: Store, window_language: object) -> None:
    window_language("en")  # type: ignore[operator]
    settings.update(store, default_jurisdiction="DE")
    case_id = cases.open_case(store, title="Gym", company="FitWerk", amount="30.00", currency="EUR")
    assert letters.letter_language(store, case_id=case_id, template_id="stop_billing") == "de"


def test_an_unknown_template_is_named_in_the_error(store: Store) -> None:
    from core.domain.errors import NotFoundError

    with pytest.raises(NotFoundError, match="no letter template 'nope'"):
        letters.letter_language(store, case_id=_case(store, "FR"), template_id="nope")


def test_a_list_of_letters_shows_titles_in_the_readers_language() -> None:
    templates = letters.list_templates(None)
    french = letters.template_titles(templates, "fr")
    assert french["final_notice"] == "Mise en demeure"
    assert french["us_billing_error"].startswith("Billing error notice")  # English only
    assert letters.template_titles(templates, "de")["faulty_goods"].startswith("Mangelhafte Ware")
    spanish = letters.template_titles(templates, "es")
    assert spanish["chaser"] == "Recordatorio: reclamación sin respuesta"
    assert spanish["formal_complaint"] == "Formal complaint to management"
    assert list(french) == list(dict.fromkeys(t.id for t in templates))


def test_a_letter_sent_from_a_french_window_is_recorded_without_mixing_languages(
        store: Store, window_language: object) -> None:
    from core.domain.models import Event

    window_language("fr")  # type: ignore[operator]
    settings.update(store, your_name="Camille Durand", your_address="8 rue des Lilas\n69003 Lyon")
    case_id = _case(store, "FR")
    draft = letters.draft_letter(store, case_id=case_id, template_id="first_complaint", language="fr")
    letter_id = letters.save_draft(store, case_id=case_id, draft=draft)
    event_id = letters.mark_as_sent(store, letter_id=letter_id, via="recorded_post", sent_on="2026-11-30")
    with store.read() as session:
        event = session.get(Event, event_id)
        assert event is not None
        details, summary = event.details, event.summary
    # The timeline's words are the window's where translated, English where not: never both
    # in one sentence ("Sent by lettre recommandée").
    assert ("Sent by recorded post." in details) != ("lettre recommandée" in details), details
    assert "Réclamation : Coat" in summary
    # The letter itself says how it went, in its own language.
    kept = letters.get_letter(store, letter_id=letter_id)
    assert "Envoyé par lettre recommandée le 30 novembre 2026" in kept.body
