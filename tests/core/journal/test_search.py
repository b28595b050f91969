"""Full-text search: a person types any word they remember and finds the case."""

from __future__ import annotations

import pytest

from core.journal import cases, queries
from core.store.store import Store


def found(store: Store, words: str) -> set[int]:
    return {hit.case_id for hit in queries.search(store, words)}


@pytest.fixture
def journal(store: Store) -> dict[str, int]:
    perfume = cases.open_case(store, title="Perfume never delivered", company="Maison Example",
                              notes="Paid with the Visa ending 4417", references=["Order PF-88213"])
    gym = cases.open_case(store, title="Membership still billed", company="FitCo Ltd")
    cases.log_event(store, case_id=gym, at="2024-01-12", kind="call", summary="Asked to cancel",
                    details="The agent said the cancellation form was lost in the archive", reference="TCK-5521")
    cases.add_contact(store, case_id=gym, name="Priya Raman", role="Retention team")
    boiler = cases.open_case(store, title="Boiler repair warranty", company="Heatwell Services")
    return {"perfume": perfume, "gym": gym, "boiler": boiler}


@pytest.mark.parametrize(("words", "case"), [
    ("perfume", "perfume"),  # title
    ("visa 4417", "perfume"),  # notes
    ("PF-88213", "perfume"),  # references
    ("archive", "gym"),  # event details
    ("TCK-5521", "gym"),  # event reference
    ("priya", "gym"),  # contact name
    ("retention", "gym"),  # contact role
    ("heatwell", "boiler"),  # company name
    ("Maison", "perfume"),
    ("deliv", "perfume"),  # a word being typed matches as a prefix
    ("PERFUME NEVER", "perfume"),
])
def test_any_word_of_a_case_finds_it(store: Store, journal: dict[str, int], words: str, case: str) -> None:
    assert found(store, words) == {journal[case]}


def test_every_word_must_match(store: Store, journal: dict[str, int]) -> None:
    assert found(store, "perfume archive") == set()
    assert found(store, "cancel archive") == {journal["gym"]}


def test_accents_do_not_matter(store: Store) -> None:
    case = cases.open_case(store, title="Remboursement promis par la société Élan")
    assert found(store, "societe elan") == {case}
    assert found(store, "Société") == {case}


def test_the_index_follows_updates_and_deletions(store: Store, journal: dict[str, int]) -> None:
    cases.update_case(store, case_id=journal["boiler"], title="Boiler broke again")
    assert found(store, "warranty") == set()
    assert found(store, "broke") == {journal["boiler"]}

    (event,) = queries.case_events(store, journal["gym"])
    cases.update_event(store, event_id=event.id, details="They found the form after all")
    assert found(store, "archive") == set()
    assert found(store, "found form") == {journal["gym"]}
    cases.delete_event(store, event_id=event.id)
    assert found(store, "found") == set()

    (contact,) = queries.list_contacts(store, journal["gym"])
    cases.update_contact(store, contact_id=contact.id, name="Tom Baker")
    assert found(store, "priya") == set() and found(store, "baker") == {journal["gym"]}
    cases.delete_contact(store, contact_id=contact.id)
    assert found(store, "baker") == set()

    with store.write() as session:
        company_id = cases.get_case(session, journal["perfume"]).company_id
    cases.update_company(store, company_id=company_id, name="Parfums Lumière")
    assert found(store, "lumiere") == {journal["perfume"]}
    assert found(store, "maison") == set()

    cases.delete_case(store, case_id=journal["perfume"])
    assert found(store, "perfume") == set() and found(store, "visa") == set()


@pytest.mark.parametrize("odd", [
    '"', "'", '"unbalanced', "AND(", "OR", "NOT perfume", "perfume*", "NEAR(a b)", "title:perfume",
    "^perfume", "-", "()", "{x}", "%", "_", ";DROP TABLE cases;--", "\x00", "   ", "", "😀", "a" * 5000,
])
def test_odd_input_never_errors(store: Store, journal: dict[str, int], odd: str) -> None:
    hits = queries.search(store, odd)
    assert {h.case_id for h in hits} <= set(journal.values())
    rows = queries.list_cases(store, search=odd)
    assert {r.id for r in rows} <= set(journal.values())
    assert queries.count_cases(store, search=odd) == len(rows)


def test_operators_are_plain_words(store: Store, journal: dict[str, int]) -> None:
    """What looks like FTS5 syntax is searched for as the words it contains."""
    assert found(store, "perfume OR boiler") == set()  # "or" is just another word that must match
    assert found(store, '"perfume"') == {journal["perfume"]}
    assert found(store, "NOT perfume") == set()


def test_results_are_paged_and_carry_a_snippet(store: Store) -> None:
    ids = [cases.open_case(store, title=f"Parcel {n} lost by the courier") for n in range(30)]
    first = queries.search(store, "courier", limit=20)
    rest = queries.search(store, "courier", limit=20, offset=20)
    assert len(first) == 20 and len(rest) == 10
    assert {h.case_id for h in first + rest} == set(ids)
    assert "[courier]" in first[0].snippet
    assert queries.count_cases(store, search="courier") == 30
