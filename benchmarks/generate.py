"""Make a realistic large Docket store, reproducibly from a seed.

The default is the size the benchmarks are judged at: 10,000 cases across 2,000 companies,
200,000 events with real-looking text, 20,000 small evidence files and 2,000 letters. Rows
go in with bulk inserts in a few large transactions (the triggers keep search and last
activity in step as for any other write), so a full store takes a minute or two, not hours.

    python -m benchmarks.generate DATA_DIR [--cases N] [--seed S]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from core.domain.models import Case, Company, Contact, Event, Evidence, Letter, event_evidence
from core.escalation.reminders import keep_facts
from core.store.store import Store


@dataclass(frozen=True)
class Size:
    cases: int = 10_000
    companies: int = 2_000
    events: int = 200_000
    evidence: int = 20_000
    letters: int = 2_000
    big_case_events: int = 2_000  # case 1 gets this many events (for "open a big case")

    @classmethod
    def scaled(cls, cases: int) -> Size:
        f = cases / 10_000
        return cls(cases, max(2, int(2_000 * f)), int(200_000 * f), int(20_000 * f),
                   int(2_000 * f), min(2_000, max(10, int(200_000 * f) // 4)))


SHOPS = ["Maison", "Northwind", "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli",
         "Vandelay", "Soylent", "Tyrell", "Cyberdyne", "Gringotts", "Ollivander", "Dunder", "Pied Piper",
         "Bluth", "Wonka", "Monarch"]
TRADES = ["Telecom", "Energy", "Fitness", "Optics", "Airlines", "Streaming", "Electronics", "Insurance",
          "Furniture", "Travel", "Bank", "Parcels", "Books", "Software", "Perfumes"]
PROBLEMS = [
    ("refund", "Refund promised for cancelled order, never paid"),
    ("non_delivery", "Paid for {item}, never delivered"),
    ("faulty_goods", "{item} broke after two weeks; repair refused"),
    ("billing_error", "Charged twice for {item}"),
    ("subscription", "Trial subscription that cannot be cancelled"),
    ("cancellation", "Membership cancelled by recorded letter, still invoiced"),
    ("warranty", "Warranty claim on {item} ignored"),
    ("service", "Engineer never came to fix {item}"),
]
ITEMS = ["a washing machine", "glasses", "a sofa", "a laptop", "concert tickets", "a phone", "a bicycle",
         "a flight", "perfume", "a boiler service", "a yoga course", "a software licence"]
SUMMARIES = {
    "call": ["Called customer service, on hold then cut off", "Spoke to {name}, promised a call back",
             "Manager refused to correct the charge", "Asked for a supervisor; none available"],
    "email": ["Emailed complaint with order number", "Sent copies of the receipt", "Chased by email"],
    "letter": ["Formal complaint sent by recorded post", "Final notice before court action"],
    "response": ["Reply: 'we are looking into it'", "Reply refusing a refund under policy",
                 "Automated acknowledgement, ticket opened"],
    "promise": ["{name} promised a refund within 10 days", "Promised a replacement by next week"],
    "payment": ["Paid by card", "Paid by PayPal"],
    "note": ["Checked bank statement: no refund yet", "Found the original receipt"],
    "visit": ["Visited the shop; waited 40 minutes", "Store manager took the details"],
    "chat": ["Web chat with an agent, transcript saved"],
    "delivery": ["Tracking says delivered, nothing arrived"],
}
DETAILS = ("The agent said the refund had been approved and would reach my card within five working "
           "days. I asked for this in writing and was told it would be emailed. Reference given on the call.")
NAMES = ["Alice Martin", "Ben Okafor", "Chloé Dubois", "Dmitri Ivanov", "Emma Schulz", "Farah Haddad",
         "Giulia Rossi", "Hiro Tanaka", "Isla Byrne", "Jonas Berg"]
KINDS = list(SUMMARIES)
DIRECTION = {"call": "to_company", "email": "to_company", "letter": "to_company", "response": "from_company",
             "promise": "from_company", "payment": "to_company", "note": "internal", "visit": "to_company",
             "chat": "to_company", "delivery": "from_company"}


def generate(data_dir: Path, size: Size = Size(), seed: int = 1, today: date | None = None) -> dict[str, float]:
    """Fill a new store in ``data_dir``; returns counts and the seconds it took."""
    rng = random.Random(seed)
    today = today or date(2026, 11, 1)
    started = time.perf_counter()
    now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    # The plain store (no reaction but the revision chain): the due list's facts are kept
    # once at the end rather than after each batch of bulk inserts.
    with Store.open(data_dir) as store:
        with store.writer.connect() as conn:
            # The writer is one pooled connection, so these last for the whole generation. A
            # large page cache keeps the events' indexes (keyed by case, which arrive in random
            # order) in memory; without it 2 million events take half an hour of page reads.
            raw = conn.connection.driver_connection  # outside a transaction, as pragmas need
            raw.execute("PRAGMA cache_size = -400000")
            raw.execute("PRAGMA synchronous = OFF")
        with store.write() as s:
            s.execute(insert(Company), [
                {"id": i + 1, "name": f"{rng.choice(SHOPS)} {rng.choice(TRADES)} {i + 1}", "address": f"{i} High Street\nTown",
                 "email": f"care{i}@example.com", "phone": "", "website": "", "account_numbers": [], "notes": "",
                 "created_at": now}
                for i in range(size.companies)
            ])
            cases = []
            for i in range(size.cases):
                category, title = rng.choice(PROBLEMS)
                opened = today - timedelta(days=rng.randint(1, 900))
                cases.append({
                    "id": i + 1, "title": title.format(item=rng.choice(ITEMS)), "company_id": rng.randint(1, size.companies),
                    "category": category, "status": rng.choice(["open", "awaiting_reply", "escalated", "resolved", "closed"]),
                    "opened_on": opened, "currency": rng.choice(["GBP", "EUR", "USD"]),
                    "amount": f"{rng.randint(5, 2500)}.{rng.randint(0, 99):02d}", "references": [f"Order {rng.randint(10000, 99999)}"],
                    "desired_outcome": "A full refund", "impact": "", "jurisdiction": rng.choice(["GB", "US", "FR", "DE", "CA", "AU"]),
                    "notes": "Keep all receipts.", "tags": [], "silence_days": 14, "created_at": now, "updated_at": now,
                })
            s.execute(insert(Case), cases)
            contacts = [
                {"id": i + 1, "case_id": i + 1, "name": rng.choice(NAMES), "role": "Customer service", "organisation": "",
                 "email": "", "phone": "", "address": "", "notes": ""}
                for i in range(size.cases)
            ]
            s.execute(insert(Contact), contacts)
        # Events: case 1 is the big one; the rest are spread over all cases.
        batch: list[dict] = []
        for n in range(size.events):
            case_id = 1 if n < size.big_case_events else rng.randint(1, size.cases)
            opened = cases[case_id - 1]["opened_on"]
            day = opened + timedelta(days=rng.randint(0, max(0, (today - opened).days)))
            at = datetime(day.year, day.month, day.day, rng.randint(8, 18), rng.randint(0, 59), tzinfo=UTC)
            kind = rng.choice(KINDS)
            batch.append({
                "id": n + 1, "case_id": case_id, "at": at.isoformat(), "sort_key": at.strftime("%Y-%m-%dT%H:%M:%S"),
                "kind": kind, "direction": DIRECTION[kind], "contact_id": case_id if kind in ("call", "promise") else None,
                "summary": rng.choice(SUMMARIES[kind]).format(name=rng.choice(NAMES)),
                "details": DETAILS if rng.random() < 0.3 else "", "duration_minutes": rng.randint(5, 90) if kind == "call" else None,
                "waiting_minutes": rng.randint(0, 60) if kind in ("call", "visit") else None, "reference": "",
                "promised_by": day + timedelta(days=10) if kind == "promise" else None, "created_at": now, "updated_at": now,
            })
            if len(batch) == 20_000:
                _insert_events(store, batch)
                batch = []
        if batch:
            _insert_events(store, batch)
        # Evidence: small distinct files, each linked to one event of its case.
        # Written straight to their content-addressed place, read-only as Docket keeps them, but
        # without the two fsyncs per file an import makes: a benchmark store is thrown away after a
        # crash, and 200,000 fsyncs were most of the 40 minutes a 100,000-case store used to take.
        evidence_rows = []
        for i in range(size.evidence):
            content = f"Receipt {i}\nOrder {rng.randint(10000, 99999)}\nAmount {rng.randint(5, 500)}.00\n".encode()
            sha = _write_evidence(store, content)
            case_id = rng.randint(1, size.cases)
            evidence_rows.append({
                "id": i + 1, "case_id": case_id, "sha256": sha, "original_name": f"receipt-{i}.txt",
                "media_type": "text/plain", "size": len(content), "added_at": now, "captured_on": None, "description": "Receipt",
            })
        with store.write() as s:
            if evidence_rows:
                s.execute(insert(Evidence), evidence_rows)
            links = s.execute(_link_sql()).fetchall() if evidence_rows else []
            if links:
                s.execute(insert(event_evidence), [{"event_id": e, "evidence_id": v} for e, v in links])
            s.execute(insert(Letter), [
                {"case_id": rng.randint(1, size.cases), "template_id": "first_complaint", "language": "en",
                 "subject": "Formal complaint", "body": "<p>Dear Sir or Madam, ...</p>", "contact_id": None,
                 "status": rng.choice(["draft", "sent"]), "sent_via": "", "tracking": "", "options": {},
                 "created_at": now, "updated_at": now}
                for _ in range(size.letters)
            ])
            keep_facts(s.connection())
    return {"cases": size.cases, "events": size.events, "evidence": size.evidence, "seconds": round(time.perf_counter() - started, 1)}


def _insert_events(store: Store, batch: list[dict]) -> None:
    with store.write() as s:
        s.execute(insert(Event), batch)


def _write_evidence(store: Store, content: bytes) -> str:
    """Put one evidence file where the store keeps it (no fsync: see the caller); its SHA-256."""
    sha = hashlib.sha256(content).hexdigest()
    final = store.evidence.path_for(sha)
    if not final.exists():
        final.parent.mkdir(mode=0o700, exist_ok=True)
        final.write_bytes(content)
        os.chmod(final, 0o400)
    return sha


def _link_sql():  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    # Each evidence item supports the earliest event of its case.
    return text(
        "SELECT (SELECT id FROM events WHERE events.case_id = evidence.case_id ORDER BY sort_key LIMIT 1), evidence.id "
        "FROM evidence WHERE EXISTS (SELECT 1 FROM events WHERE events.case_id = evidence.case_id)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate(args.data_dir, Size.scaled(args.cases), args.seed))


if __name__ == "__main__":
    main()
