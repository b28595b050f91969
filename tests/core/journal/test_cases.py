"""The use cases a person performs on their case journal, and what they refuse."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from core.domain import clock
from core.domain.errors import NotFoundError, ValidationError
from core.journal import cases, queries
from core.store.store import Store

TABLES = ("companies", "cases", "contacts", "events", "evidence", "event_evidence")


def everything(store: Store) -> dict[str, list[Any]]:
    with store.read() as session:
        return {t: session.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all() for t in TABLES}


@pytest.fixture
def perfume(store: Store) -> int:
    return cases.open_case(
        store, title="Perfume never delivered", company="Maison Example", category="non_delivery",
        amount="129.00", currency="eur", opened_on="2014-11-20", references=["Order PF-88213", "  "],
        jurisdiction="fr", payment_method="credit_card", payment_date="2014-11-03",
    )


def test_opening_a_case_records_it_with_exact_money(store: Store, perfume: int) -> None:
    case = queries.load_case(store, perfume)
    assert case.title == "Perfume never delivered"
    assert case.company.name == "Maison Example"
    assert case.amount == Decimal("129.00") and str(case.amount) == "129.00"
    assert case.currency == "EUR" and case.jurisdiction == "FR"
    assert case.references == ["Order PF-88213"]  # blank references are dropped
    assert case.opened_on == date(2014, 11, 20)
    assert case.status == "open" and case.category == "non_delivery"


def test_a_case_opened_without_a_date_is_opened_today(store: Store) -> None:
    clock.set_today("2025-02-03")
    case_id = cases.open_case(store, title="Phone bill doubled")
    assert queries.load_case(store, case_id).opened_on == date(2025, 2, 3)


def test_companies_are_reused_by_name_and_details_are_never_overwritten(store: Store, perfume: int) -> None:
    first = cases.find_or_create_company(store, name="maison example", email="service@example.fr")
    again = cases.find_or_create_company(store, name="MAISON EXAMPLE", email="other@example.fr", phone="01 23")
    assert first == again == queries.load_case(store, perfume).company_id
    with store.read() as session:
        company = session.execute(text("SELECT name, email, phone FROM companies")).one()
    assert tuple(company) == ("Maison Example", "service@example.fr", "01 23")


BAD_CASES = [
    ({"title": "   "}, "case.title: is required"),
    ({"title": 12}, "case.title: expected text, got int"),
    ({"title": "x" * 501}, "case.title: is 501 characters long; the limit is 500"),
    ({"category": "scam"}, "case.category: unknown value 'scam'; expected one of: refund, non_delivery"),
    ({"status": "pending"}, "case.status: unknown value 'pending'"),
    ({"amount": 129.99}, "case.amount: amounts are written as text such as \"129.00\", not as a float"),
    ({"amount": "-5"}, "case.amount: an amount cannot be negative"),
    ({"amount": "12,50"}, "case.amount: expected an amount such as 129.00, got '12,50'"),
    ({"currency": "euro"}, "case.currency: expected a three-letter ISO 4217 currency code"),
    ({"jurisdiction": "France"}, "case.jurisdiction: expected a country code such as GB, US or FR, got 'FRANCE'"),
    ({"opened_on": "20/11/2014"}, "case.opened_on: expected a date as YYYY-MM-DD, got '20/11/2014'"),
    ({"silence_days": 0}, "case.silence_days: expected a number of days from 1 to 365, got 0"),
    ({"outcome": "won"}, "case.outcome: an outcome is only recorded for a resolved or closed case"),
    ({"tags": "urgent"}, "case.tags: expected a list of texts"),
    ({"colour": "red"}, "case.colour: is not a case field"),
]


@pytest.mark.parametrize(("fields", "message"), BAD_CASES, ids=[m.split(":")[0] + "-" + str(i) for i, (_, m) in enumerate(BAD_CASES)])
def test_a_bad_case_is_refused_naming_the_field(store: Store, perfume: int, fields: dict[str, Any], message: str) -> None:
    before = everything(store)
    with pytest.raises(ValidationError) as caught:
        cases.open_case(store, **{"title": "A case", "company": "New Company Ltd", **fields})
    assert str(caught.value).startswith(message)
    assert everything(store) == before  # not even the new company was kept


def test_a_failed_update_leaves_the_case_as_it_was(store: Store, perfume: int) -> None:
    before = everything(store)
    with pytest.raises(ValidationError, match="case.outcome: an outcome is only recorded"):
        cases.update_case(store, case_id=perfume, title="Renamed", company="Another Shop", outcome="won")
    assert everything(store) == before


def test_resolving_records_outcome_and_date_and_reopening_clears_them(store: Store, perfume: int) -> None:
    clock.set_today("2015-01-31")
    cases.change_status(store, case_id=perfume, status="resolved", outcome="won", recovered="129.00")
    case = queries.load_case(store, perfume)
    assert (case.status, case.outcome, case.resolved_on, case.recovered) == ("resolved", "won", date(2015, 1, 31), Decimal("129.00"))
    cases.change_status(store, case_id=perfume, status="open")
    case = queries.load_case(store, perfume)
    assert (case.status, case.outcome, case.resolved_on) == ("open", None, None)
    with pytest.raises(ValidationError, match="^status: unknown value 'done'"):
        cases.change_status(store, case_id=perfume, status="done")
    with pytest.raises(NotFoundError, match="There is no case 999"):
        cases.change_status(store, case_id=999, status="closed")


def test_the_timeline_is_ordered_by_the_moment_in_utc_and_a_date_alone_is_allowed(store: Store, perfume: int) -> None:
    late_evening_new_york = cases.log_event(store, case_id=perfume, at="2014-12-01T23:30:00-05:00", kind="call",
                                            direction="to_company", summary="Called from New York")
    early_paris = cases.log_event(store, case_id=perfume, at="2014-12-02T02:00:00+01:00", kind="email",
                                  direction="from_company", summary="Email from Paris")
    day_only = cases.log_event(store, case_id=perfume, at="2014-12-02", kind="letter", summary="Letter arrived")
    timeline = queries.case_events(store, perfume)
    # 02:00 in Paris is 01:00 UTC, before 23:30 in New York (04:30 UTC); a bare date sorts at midnight.
    assert [e.id for e in timeline] == [day_only, early_paris, late_evening_new_york]
    assert [e.at for e in timeline] == ["2014-12-02", "2014-12-02T02:00:00+01:00", "2014-12-01T23:30:00-05:00"]
    assert queries.load_case(store, perfume).last_activity == "2014-12-02T04:30:00"


BAD_EVENTS = [
    ({"at": "2014-12-01T10:00:00"}, "event.at: date-time '2014-12-01T10:00:00' has no UTC offset"),
    ({"at": "yesterday"}, "event.at: expected an ISO 8601 date-time"),
    ({"at": "2014-02-30"}, "event.at: expected a date as YYYY-MM-DD, got '2014-02-30'"),
    ({"kind": "fax"}, "event.kind: unknown value 'fax'; expected one of: call, email"),
    ({"direction": "up"}, "event.direction: unknown value 'up'"),
    ({"summary": ""}, "event.summary: is required"),
    ({"duration_minutes": -1}, "event.duration_minutes: expected 0 to 100000 minutes, got -1"),
    ({"waiting_minutes": "40"}, "event.waiting_minutes: expected a whole number of minutes, got '40'"),
    ({"promised_by": "soon"}, "event.promised_by: expected a date as YYYY-MM-DD, got 'soon'"),
]


@pytest.mark.parametrize(("fields", "message"), BAD_EVENTS)
def test_a_bad_event_is_refused_naming_the_field(store: Store, perfume: int, fields: dict[str, Any], message: str) -> None:
    before = everything(store)
    with pytest.raises(ValidationError) as caught:
        cases.log_event(store, case_id=perfume, **{"at": "2014-12-01", "kind": "call", "summary": "Called", **fields})
    assert str(caught.value).startswith(message)
    assert everything(store) == before


def test_a_call_records_time_on_hold(store: Store, perfume: int) -> None:
    cases.log_event(store, case_id=perfume, at="2014-12-01T10:00:00+01:00", kind="call", summary="Called",
                    duration_minutes=55, waiting_minutes=40, reference="Ticket 7")
    cases.log_event(store, case_id=perfume, at="2014-12-03", kind="visit", summary="Went to the shop", waiting_minutes=25)
    spent = queries.time_spent(store, perfume)
    assert (spent.total_minutes, spent.waiting_minutes) == (80, 65)
    assert spent.describe() == "1 h 20 min, 1 h 05 min of it on hold"


def test_contacts_and_evidence_stay_within_their_case(store: Store, perfume: int, tmp_path: Path) -> None:
    other = cases.open_case(store, title="Other case")
    stranger = cases.add_contact(store, case_id=other, name="Someone else")
    with pytest.raises(ValidationError, match=f"event.contact_id: contact {stranger} is not a contact of this case"):
        cases.log_event(store, case_id=perfume, at="2014-12-01", kind="call", summary="x", contact_id=stranger)
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF receipt")
    foreign = cases.attach_evidence(store, case_id=other, path=receipt)
    event = cases.log_event(store, case_id=perfume, at="2014-12-01", kind="call", summary="Called")
    with pytest.raises(ValidationError, match=f"evidence: evidence {foreign} belongs to another case"):
        cases.link_evidence(store, event_id=event, evidence_id=foreign)


def test_deleting_an_event_can_be_undone_with_its_links(store: Store, perfume: int, tmp_path: Path) -> None:
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF receipt")
    desk = cases.add_contact(store, case_id=perfume, name="Customer service")
    event = cases.log_event(store, case_id=perfume, at="2014-12-01", kind="promise", summary="Refund promised",
                            contact_id=desk, promised_by="2014-12-15")
    item = cases.attach_evidence(store, case_id=perfume, path=receipt, event_ids=[event])
    before = everything(store)
    snapshot = cases.delete_event(store, event_id=event)
    assert queries.case_events(store, perfume) == []
    assert cases.restore_event(store, snapshot=snapshot) == event
    restored = queries.case_events(store, perfume)[0]
    assert [x.id for x in restored.evidence] == [item]
    assert (restored.contact_id, restored.promised_by) == (desk, date(2014, 12, 15))
    assert everything(store)["event_evidence"] == before["event_evidence"]


def test_removing_a_contact_keeps_the_events_that_named_them(store: Store, perfume: int) -> None:
    desk = cases.add_contact(store, case_id=perfume, name="Customer service", email="cs@example.fr")
    event = cases.log_event(store, case_id=perfume, at="2014-12-01", kind="call", summary="Spoke to them", contact_id=desk)
    cases.delete_contact(store, contact_id=desk)
    (kept,) = queries.case_events(store, perfume)
    assert (kept.id, kept.summary, kept.contact_id) == (event, "Spoke to them", None)


def test_a_removed_contact_comes_back_with_the_events_that_named_them(store: Store, perfume: int) -> None:
    desk = cases.add_contact(store, case_id=perfume, name="Customer service", email="cs@example.fr", phone="+33 1 23")
    first = cases.log_event(store, case_id=perfume, at="2014-12-01", kind="call", summary="Spoke to them", contact_id=desk)
    cases.log_event(store, case_id=perfume, at="2014-12-02", kind="note", summary="Wrote it down")
    later = cases.log_event(store, case_id=perfume, at="2014-12-09", kind="call", summary="Again", contact_id=desk)
    before = everything(store)
    snapshot = cases.delete_contact(store, contact_id=desk)
    assert queries.list_contacts(store, perfume) == []
    assert cases.restore_contact(store, snapshot=snapshot) == desk
    assert everything(store)["contacts"] == before["contacts"]
    assert [e.id for e in queries.case_events(store, perfume) if e.contact_id == desk] == [first, later]


def test_a_contact_whose_case_is_gone_is_not_half_restored(store: Store, perfume: int) -> None:
    desk = cases.add_contact(store, case_id=perfume, name="Customer service")
    cases.log_event(store, case_id=perfume, at="2014-12-01", kind="call", summary="Spoke to them", contact_id=desk)
    snapshot = cases.delete_contact(store, contact_id=desk)
    cases.delete_case(store, case_id=perfume)
    before = everything(store)
    with pytest.raises(NotFoundError):
        cases.restore_contact(store, snapshot=snapshot)
    assert everything(store) == before


def test_deleting_a_case_removes_its_records_but_keeps_evidence_files(store: Store, perfume: int, tmp_path: Path) -> None:
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF receipt")
    event = cases.log_event(store, case_id=perfume, at="2014-12-01", kind="call", summary="Called")
    item = cases.attach_evidence(store, case_id=perfume, path=receipt, event_ids=[event])
    with store.read() as session:
        sha = cases.get_evidence(session, item).sha256
    cases.delete_case(store, case_id=perfume)
    rows = everything(store)
    assert rows["cases"] == rows["events"] == rows["evidence"] == rows["event_evidence"] == []
    assert store.evidence.has(sha)
    with pytest.raises(NotFoundError, match=f"There is no case {perfume}"):
        queries.load_case(store, perfume)


def test_contact_details_are_validated(store: Store, perfume: int) -> None:
    with pytest.raises(ValidationError, match="^contact.name: is required"):
        cases.add_contact(store, case_id=perfume, name="  ")
    with pytest.raises(ValidationError, match="^contact.shoe_size: is not a contact field"):
        cases.add_contact(store, case_id=perfume, name="Ann", shoe_size="42")
    contact = cases.add_contact(store, case_id=perfume, name="Ann", role="Manager", organisation="Maison Example")
    cases.update_contact(store, contact_id=contact, email="ann@example.fr")
    (ann,) = queries.list_contacts(store, perfume)
    assert (ann.name, ann.role, ann.email) == ("Ann", "Manager", "ann@example.fr")


def test_describing_evidence_later_changes_its_record_never_its_file(store, tmp_path) -> None:
    from core.domain.errors import ValidationError
    from core.journal import cases, queries

    case_id = cases.open_case(store, title="Lenses lost", company="ClearSight Opticians")
    photo = tmp_path / "ticket.png"
    photo.write_bytes(b"\x89PNG repair ticket")
    evidence_id = cases.attach_evidence(store, case_id=case_id, path=photo)
    item = queries.load_case(store, case_id).evidence[0]
    before = store.evidence.path_for(item.sha256).read_bytes()

    cases.update_evidence(store, evidence_id=evidence_id, description="Repair ticket, job 7719",
                          captured_on="2026-10-23")
    with pytest.raises(ValidationError, match="evidence.captured_on"):
        cases.update_evidence(store, evidence_id=evidence_id, captured_on="23/10/2026")

    item = queries.load_case(store, case_id).evidence[0]
    assert (item.description, item.captured_on.isoformat()) == ("Repair ticket, job 7719", "2026-10-23")
    assert store.evidence.path_for(item.sha256).read_bytes() == before
