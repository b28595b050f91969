"""``docket cases``, ``docket show CASE``, ``docket search TEXT``.

``cases`` and ``show`` only read, in plain SQL (:mod:`core.journal.case_list`,
:mod:`core.journal.case_view`): the command line opens the store for them without SQLAlchemy
when it can (:mod:`core.store.quick`), which is most of their time saved.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Iterator
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any

from core.cli.output import print_json
from core.i18n import _, ngettext
from core.journal.case_list import VIEWS, CaseRow, ListPosition, page_on
from core.journal.case_view import CaseView, load_case_view, time_spent_on
from core.store.quick import QuickStore, reading

if TYPE_CHECKING:
    from core.store.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("cases", help=_("list cases: id, title, company, status, last activity"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.add_argument("--view", choices=VIEWS, default="all")
    # reads_only: the command line may open the store the quick way (core.store.quick).
    p.set_defaults(func=run_cases, reads_only=True)

    p = sub.add_parser("show", help=_("show one case with its timeline"))
    p.add_argument("case", type=int, metavar="CASE")
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=run_show, reads_only=True)

    p = sub.add_parser("search", help=_("find cases by any word in them, their events or contacts"))
    p.add_argument("text", metavar="TEXT")
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=run_search)


def _as_json(r: CaseRow) -> dict[str, Any]:
    return {"id": r.id, "title": r.title, "company": r.company, "status": r.status,
            "last_activity": r.last_activity, "next_due": r.next_due,
            "amount": None if r.amount is None else {"value": str(r.amount), "currency": r.currency}}


# Without indent, json encodes in C; the layout of json.dumps(indent=2) is added here, since the
# pure-Python indenting encoder was half the time of listing 10,000 cases.
_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _value(value: Any) -> str:
    """``_encode(value)``, without its set-up for the values a case row holds (text, numbers,
    None): at 100,000 cases that set-up, 17 times a row, was most of the listing's time."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if type(value) is int:
        return int.__repr__(value)
    return _encode(value)  # a date (as its text), True, False...


@functools.cache
def _key(key: str) -> str:
    return encode_basestring(key)


def _indented(item: dict[str, Any]) -> str:
    """One case of the list as json.dumps(list, indent=2) lays it out (two levels deep)."""
    lines = []
    for key, value in item.items():
        if isinstance(value, dict) and value:
            inner = ",\n".join(f"      {_key(k)}: {_value(v)}" for k, v in value.items())
            lines.append(f"    {_key(key)}: {{\n{inner}\n    }}")
        else:
            lines.append(f"    {_key(key)}: {_value(value)}")
    return "  {\n" + ",\n".join(lines) + "\n  }"


def _every_case(store: Store | QuickStore, view: str, page_size: int = 1000) -> Iterator[CaseRow]:
    """Every case of a view, most recent activity first, one page (read from an index) at a
    time, each page in its own read (as :func:`core.journal.queries.iter_cases`)."""
    after: ListPosition | None = None
    while True:
        with reading(store) as run:
            page = page_on(run, view=view, limit=page_size, after=after)
        yield from page.rows
        if page.complete:
            return
        after = page.end


def run_cases(store: Store | QuickStore, args: argparse.Namespace) -> int:
    # Streamed a page at a time (each read from an index), so 100,000 cases start printing at
    # once and memory stays flat.
    rows = _every_case(store, args.view)
    if args.json:
        # The same text print_json writes for the whole list: an indented array.
        out = sys.stdout
        out.write("[")
        count = 0
        for count, r in enumerate(rows, 1):
            out.write(("," if count > 1 else "") + "\n" + _indented(_as_json(r)))
        out.write("\n]\n" if count else "]\n")
        return 0
    empty = True
    for r in rows:
        empty = False
        last = (r.last_activity or "")[:10] or "-"
        print(f"{r.id:>6}  {r.status:<15} {last:<10}  {r.company[:24]:<24}  {r.title}")
    if empty:
        print(_("No cases yet. Import one with 'docket import FILE' or load examples with 'docket demo'."))
    return 0


def case_summary(case: CaseView) -> dict[str, Any]:
    """A case as plain data for ``show --json``."""
    return {
        "id": case.id,
        "title": case.title,
        "company": case.company,
        "category": case.category,
        "status": case.status,
        "outcome": case.outcome,
        "opened_on": case.opened_on,
        "amount": None if case.amount is None else {"value": str(case.amount), "currency": case.currency},
        "recovered": None if case.recovered is None else {"value": str(case.recovered), "currency": case.currency},
        "references": case.references,
        "jurisdiction": case.jurisdiction,
        "contacts": [{"id": c.id, "name": c.name, "role": c.role, "organisation": c.organisation} for c in case.contacts],
        "events": [
            {"id": e.id, "at": e.at, "kind": e.kind, "direction": e.direction, "summary": e.summary,
             "details": e.details, "contact": e.contact.name if e.contact else None,
             "duration_minutes": e.duration_minutes, "waiting_minutes": e.waiting_minutes,
             "promised_by": e.promised_by, "evidence": [x.id for x in e.evidence]}
            for e in case.events
        ],
        "evidence": [
            {"id": x.id, "name": x.original_name, "sha256": x.sha256, "size": x.size,
             "media_type": x.media_type, "description": x.description}
            for x in case.evidence
        ],
    }


def run_show(store: Store | QuickStore, args: argparse.Namespace) -> int:
    with reading(store) as run:
        case = load_case_view(run, args.case)
        spent = time_spent_on(run, case.id) if not args.json else None
    if args.json or spent is None:
        print_json(case_summary(case))
        return 0
    print(_("Case {id}: {title}").format(id=case.id, title=case.title))
    print(_("Company: {company}").format(company="-" if case.company is None else case.company) + "    "
          + _("Status: {status}").format(status=case.status))
    if case.amount is not None:
        print(_("Amount in dispute: {amount}").format(amount=f"{case.currency} {case.amount}"))
    if case.references:
        print(_("References: {references}").format(references=", ".join(case.references)))
    print(_("Time spent: {time}").format(time=spent.describe()))
    print()
    for e in case.events:
        who = f" ({e.contact.name})" if e.contact else ""
        print(f"{e.at:<25} {e.kind:<9} {e.direction:<13} {e.summary}{who}")
    if case.evidence:
        print()
        for x in case.evidence:
            size = ngettext("{n:,} byte", "{n:,} bytes", x.size).format(n=x.size)
            print(_("evidence {id}: {name}").format(id=x.id, name=x.original_name) + f"  {size}  sha256 {x.sha256}")
    return 0


def run_search(store: Store, args: argparse.Namespace) -> int:
    from core.journal import queries

    hits = queries.search(store, args.text)
    if args.json:
        print_json([{"case_id": h.case_id, "title": h.title, "company": h.company, "snippet": h.snippet,
                     "where": h.where, "evidence_id": h.evidence_id} for h in hits])
        return 0
    if not hits:
        print(_("No case mentions {text!r}.").format(text=args.text))

    for h in hits:
        print(f"{h.case_id:>6}  {h.title}  ({h.company})\n        {h.snippet}" + (f"  ({h.where})" if h.where else ""))
    return 0
