"""Building cases for the ladder and reminder tests through the real use-case functions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core.domain.models import Letter
from core.journal import cases
from core.store.store import Store

TODAY = date(2026, 11, 23)


def ago(days: int) -> str:
    """A date ``days`` before the tests' today, as the user would type it."""
    return (TODAY - timedelta(days=days)).isoformat()


def make_case(store: Store, *, events: list[dict[str, Any]] = (), letters: list[dict[str, Any]] = (),
              company: str = "Acme Ltd", title: str = "Refund never paid", company_kind: str | None = None,
              **fields: Any) -> int:
    """Open a case, log its events and record its sent letters; returns its id.
    ``company_kind`` (bank, trader...) is set on the company, as the user would in its details."""
    fields.setdefault("opened_on", ago(200))
    case_id = cases.open_case(store, title=title, company=company, **fields)
    if company_kind is not None:
        with store.read() as session:
            company_id = cases.get_case(session, case_id).company_id
        cases.update_company(store, company_id=company_id, kind=company_kind)
    for i, event in enumerate(events):
        event = dict(event)
        event.setdefault("summary", f"event {i}")
        event.setdefault("direction", "internal")
        cases.log_event(store, case_id=case_id, **event)
    for letter in letters:
        with store.write() as session:
            now = cases.clock.now()
            session.add(Letter(case_id=case_id, template_id=letter["template_id"], status="sent",
                               sent_on=date.fromisoformat(letter["sent_on"]),
                               reply_by=letter.get("reply_by"), options=letter.get("options", {}),
                               language="en", subject="", body="", sent_via="post", tracking="",
                               created_at=now, updated_at=now))
    return case_id


def to_company(days_ago: int, kind: str = "email", **extra: Any) -> dict[str, Any]:
    return {"at": ago(days_ago), "kind": kind, "direction": "to_company", **extra}


def from_company(days_ago: int, kind: str = "email", **extra: Any) -> dict[str, Any]:
    return {"at": ago(days_ago), "kind": kind, "direction": "from_company", **extra}


def note(days_ago: int, kind: str = "note", **extra: Any) -> dict[str, Any]:
    return {"at": ago(days_ago), "kind": kind, "direction": "internal", **extra}
