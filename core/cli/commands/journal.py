"""``docket new``, ``log``, ``attach``, ``edit``, ``edit-event`` and ``status``: writing the
case journal from the command line, through the same use cases as the window.

Each command is one transaction: a bad value prints one line on stderr, exits 2 and leaves
the store as it was.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from core.cli.output import print_json
from core.domain import clock
from core.domain.errors import NotFoundError, ValidationError
from core.domain.meaning import guess_meaning
from core.domain.models import (
    CardScheme,
    Case,
    Category,
    CompanyKind,
    Direction,
    Event,
    EventKind,
    EventMeaning,
    Outcome,
    PaymentMethod,
    Purchase,
    Status,
)
from core.i18n import _
from core.journal import cases, intake, queries
from core.store.store import Store

DIRECTIONS = {"to": Direction.TO_COMPANY.value, "from": Direction.FROM_COMPANY.value,
              "internal": Direction.INTERNAL.value}
# The guided start's words (card:credit) and the payment methods' own values (credit_card).
PAID_BY_CHOICES = [p.value for p in intake.PAID_BY] + [
    m.value for m in PaymentMethod if m.value not in {p.value for p in intake.PAID_BY}]
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m?)?$")


def _choices(enum: Any) -> list[str]:
    return [m.value for m in enum]


def minutes(text: str | None, where: str) -> int | None:
    """``12m``, ``1h30m``, ``2h`` or ``90`` as minutes."""
    if text is None:
        return None
    cleaned = text.strip().lower().replace(" ", "")
    match = _DURATION.match(cleaned)
    if not cleaned or match is None or not any(match.groups()):
        raise ValidationError(where, _("expected minutes such as 12m, 1h30m or 90, got {text!r}").format(text=text))
    return int(match.group(1) or 0) * 60 + int(match.group(2) or 0)


def direction(text: str) -> str:
    return DIRECTIONS.get(text, text)


# -- plain data for --json ----------------------------------------------------------------------
def _money(value: Any, currency: str) -> dict[str, str] | None:
    return None if value is None else {"value": str(value), "currency": currency}


def event_data(event: Event, currency: str) -> dict[str, Any]:
    """An event as plain data (the shape documented in docs/cli.md)."""
    return {
        "id": event.id, "case_id": event.case_id, "at": event.at, "kind": event.kind,
        "direction": event.direction, "meaning": event.meaning, "amount": _money(event.amount, currency),
        "summary": event.summary, "details": event.details,
        "contact": event.contact.name if event.contact else None, "contact_id": event.contact_id,
        "duration_minutes": event.duration_minutes, "waiting_minutes": event.waiting_minutes,
        "promised_by": event.promised_by, "reference": event.reference,
        "evidence": [x.id for x in event.evidence],
    }


def case_data(case: Case) -> dict[str, Any]:
    """A whole case as plain data (the shape documented in docs/cli.md)."""
    return {
        "id": case.id, "title": case.title,
        "company": None if case.company is None else {
            "id": case.company.id, "name": case.company.name, "kind": case.company.kind},
        "category": case.category, "status": case.status, "outcome": case.outcome,
        "opened_on": case.opened_on, "resolved_on": case.resolved_on,
        "amount": _money(case.amount, case.currency), "recovered": _money(case.recovered, case.currency),
        "currency": case.currency, "purchase": case.purchase, "payment_method": case.payment_method,
        "card_scheme": case.card_scheme, "payment_date": case.payment_date, "expected_by": case.expected_by,
        "jurisdiction": case.jurisdiction, "references": case.references, "tags": case.tags,
        "desired_outcome": case.desired_outcome, "impact": case.impact, "notes": case.notes,
        "silence_days": case.silence_days, "next_due": case.next_due,
        "contacts": [{"id": c.id, "name": c.name, "role": c.role, "organisation": c.organisation,
                      "email": c.email, "phone": c.phone} for c in case.contacts],
        "events": [event_data(e, case.currency) for e in case.events],
        "evidence": [{"id": x.id, "name": x.original_name, "sha256": x.sha256, "size": x.size,
                      "media_type": x.media_type, "description": x.description,
                      "captured_on": x.captured_on, "events": [e.id for e in x.events]}
                     for x in case.evidence],
    }


def _event(store: Store, event_id: int) -> Event:
    from sqlalchemy.orm import selectinload

    with store.read() as session:
        event = session.get(Event, event_id, options=[selectinload(Event.evidence), selectinload(Event.contact),
                                                      selectinload(Event.case)])
        if event is None:
            raise NotFoundError(_("There is no event {event_id}.").format(event_id=event_id))
        return event


# -- registering ------------------------------------------------------------------------------
def _case_options(p: argparse.ArgumentParser, *, creating: bool) -> None:
    """The flags for every case field, shared by ``new`` and ``edit``."""
    p.add_argument("--title", help=_("a few words about what went wrong (required)") if creating
                   else _("a few words about what went wrong"))
    p.add_argument("--company", metavar="NAME", help=_("who the dispute is with (found by name, created if new)"))
    if creating:
        p.add_argument("--kind", choices=_choices(CompanyKind), help=_("what kind of company it is, if new to Docket"))
    p.add_argument("--category", choices=_choices(Category))
    p.add_argument("--amount", metavar="AMOUNT", help=_("the amount in dispute, e.g. 129.00"))
    p.add_argument("--currency", metavar="CODE", help=_("ISO 4217 code, e.g. EUR (default: the setting)"))
    p.add_argument("--paid-by", metavar="HOW", choices=PAID_BY_CHOICES,
                   help=_("how you paid: {ways}").format(ways=", ".join(p_.value for p_ in intake.PAID_BY)))
    p.add_argument("--card-scheme", choices=_choices(CardScheme), help=_("the card network, for a card payment"))
    p.add_argument("--paid-on", metavar="DATE", help=_("the payment date, YYYY-MM-DD"))
    p.add_argument("--purchase", choices=_choices(Purchase), help=_("what was bought"))
    p.add_argument("--expected-by", metavar="DATE", help=_("when it was due to arrive or be done"))
    p.add_argument("--jurisdiction", metavar="REGION",
                   help=_("where you live: a country (FR, DE, US...) or a region Docket knows (GB-ENG, GB-WLS, "
                          "GB-SCT, GB-NIR, US-CA, CA-ON, CA-QC, AU-NSW...; shell completion lists them)")
                   + (" " + _("(default: the setting)") if creating else ""))
    p.add_argument("--opened-on", metavar="DATE", help=_("when the case began (default: today)"))
    p.add_argument("--reference", dest="references", action="append", metavar="REF",
                   help=_("an order, account or ticket number (repeat for several)"))
    p.add_argument("--desired-outcome", metavar="TEXT", help=_("what would put it right"))
    p.add_argument("--impact", metavar="TEXT", help=_("what it has cost you besides money"))
    p.add_argument("--notes", metavar="TEXT")
    p.add_argument("--tag", dest="tags", action="append", metavar="TAG", help=_("a tag (repeat for several)"))
    p.add_argument("--silence-days", type=int, metavar="DAYS", help=_("days of silence before a reminder (default 14)"))
    p.add_argument("--json", action="store_true", help=_("print the whole case as JSON"))


def _event_options(p: argparse.ArgumentParser, *, creating: bool) -> None:
    p.add_argument("--kind", choices=_choices(EventKind), required=creating, help=_("what sort of event"))
    p.add_argument("--direction", choices=list(dict.fromkeys([*DIRECTIONS, *_choices(Direction)])),
                   help=_("to the company, from it, or internal (default: internal)") if creating else None)
    p.add_argument("--at", metavar="WHEN", help=_("YYYY-MM-DD or an ISO date-time with offset")
                   + (" " + _("(default: today)") if creating else ""))
    p.add_argument("--summary", required=creating, metavar="TEXT", help=_("one line saying what happened"))
    p.add_argument("--details", metavar="TEXT")
    p.add_argument("--meaning", choices=[*_choices(EventMeaning), "none"],
                   help=_("what it means in the story") + (" " + _("(default: read from kind and direction)")
                                                            if creating else ""))

    p.add_argument("--amount", metavar="AMOUNT", help=_("money moved or offered, in the case's currency"))
    p.add_argument("--duration", metavar="TIME", help=_("how long it took, e.g. 12m or 1h30m"))
    p.add_argument("--waited", metavar="TIME", help=_("time spent waiting on hold, e.g. 40m"))
    p.add_argument("--promised-by", metavar="DATE", help=_("the date they promised something by"))
    p.add_argument("--reference", metavar="REF", help=_("their reference for it"))
    p.add_argument("--contact", type=int, metavar="ID", help=_("the contact (see 'docket contact list CASE')"))
    p.add_argument("--json", action="store_true", help=_("print the event as JSON"))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("new", help=_("open a case from flags, or answer the guided questions with --ask; prints its id"),
                       description=_("Open a case. Give its fields as flags, or --ask to answer the same questions as the window's guided start (read from standard input)."))
    p.add_argument("--ask", action="store_true", help=_("ask the guided start's questions in the terminal"))
    _case_options(p, creating=True)
    p.add_argument("--status", choices=_choices(Status))
    p.set_defaults(func=run_new)

    p = sub.add_parser("log", help=_("add an event to a case's timeline; prints its id"))
    p.add_argument("case", type=int, metavar="CASE")
    _event_options(p, creating=True)
    p.add_argument("--evidence", nargs="+", type=Path, default=[], metavar="FILE",
                   help=_("files to keep as evidence of this event"))
    p.set_defaults(func=run_log)

    p = sub.add_parser("attach", help=_("keep files as evidence of a case; prints their evidence ids"))
    p.add_argument("case", type=int, metavar="CASE")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--event", dest="events", type=int, action="append", default=[], metavar="N",
                   help=_("link the files to this event (repeat for several)"))
    p.add_argument("--description", default="", metavar="TEXT")
    p.add_argument("--captured-on", metavar="DATE", help=_("when the screenshot or photo was taken"))
    p.add_argument("--json", action="store_true", help=_("print the evidence items as JSON"))
    p.set_defaults(func=run_attach)

    p = sub.add_parser("edit", help=_("change a case's fields"))
    p.add_argument("case", type=int, metavar="CASE")
    _case_options(p, creating=False)
    p.set_defaults(func=run_edit)

    p = sub.add_parser("edit-event", help=_("change an event of a timeline"))
    p.add_argument("event", type=int, metavar="EVENT")
    _event_options(p, creating=False)
    p.set_defaults(func=run_edit_event)

    p = sub.add_parser("status", help=_("move a case to a status: open, awaiting_reply, escalated, resolved, closed"))
    p.add_argument("case", type=int, metavar="CASE")
    p.add_argument("status", choices=_choices(Status), metavar="STATUS", help=", ".join(_choices(Status)))
    p.add_argument("--outcome", choices=_choices(Outcome), help=_("for resolved or closed: how it ended"))
    p.add_argument("--recovered", metavar="AMOUNT", help=_("the money you got back"))
    p.add_argument("--on", metavar="DATE", help=_("the day it was resolved (default: today)"))
    p.add_argument("--json", action="store_true", help=_("print the case as JSON"))
    p.set_defaults(func=run_status)


# -- running ------------------------------------------------------------------------------------
def _case_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The case fields the flags give (only those given)."""
    fields: dict[str, Any] = {}
    plain = ("title", "category", "amount", "currency", "card_scheme", "purchase", "jurisdiction",
             "desired_outcome", "impact", "notes", "silence_days", "references", "tags")
    for name in plain:
        value = getattr(args, name, None)
        if value is not None:
            fields[name] = value
    if fields.get("jurisdiction"):
        from core.escalation.rules import check_jurisdiction

        fields["jurisdiction"] = check_jurisdiction(fields["jurisdiction"], "--jurisdiction")
    if args.paid_by is not None:
        fields["payment_method"] = intake.paid_by_method(args.paid_by, "--paid-by")
    for flag, name in (("paid_on", "payment_date"), ("expected_by", "expected_by"), ("opened_on", "opened_on")):
        value = getattr(args, flag)
        if value is not None:
            fields[name] = clock.parse_date(value, "--" + flag.replace("_", "-"))
    return fields


def _print_case(store: Store, case_id: int) -> None:
    print_json(case_data(queries.load_case(store, case_id)))


def run_new(store: Store, args: argparse.Namespace) -> int:
    if args.ask:
        from core.cli.commands.ask import ask_and_start

        case_id = ask_and_start(store, args)
        if case_id is None:
            return 1
    else:
        from core.journal import settings

        fields = _case_fields(args)
        if not args.title:
            raise ValidationError("--title", _("is required (or use --ask to answer questions instead)"))
        defaults = settings.get_all(store)
        fields.setdefault("currency", defaults["default_currency"])
        fields.setdefault("jurisdiction", defaults["default_jurisdiction"])
        if args.status:
            fields["status"] = args.status
        case_id = intake.open_case_with_company(store, company=args.company, company_kind=args.kind, **fields)
    if args.json:
        _print_case(store, case_id)
    else:
        print(case_id)
        if not args.ask:  # --ask showed it before asking to open the case
            _say_outlook(store, case_id)
    return 0


def _say_outlook(store: Store, case_id: int) -> None:
    """What Docket understands of the case, on stderr (stdout carries only the id): the
    clocks running, those the company's kind and the payment unlock, what is missing and what
    it would unlock, and the next step. The same words as the guided start's last page."""
    for line in intake.outlook_lines(intake.outlook(store, case_id)):
        print(line, file=sys.stderr)


def _event_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in ("kind", "summary", "details", "amount", "reference", "at"):
        value = getattr(args, name)
        if value is not None:
            fields[name] = value
    if args.direction is not None:
        fields["direction"] = direction(args.direction)
    if args.meaning is not None:
        fields["meaning"] = None if args.meaning == "none" else args.meaning
    if args.duration is not None:
        fields["duration_minutes"] = minutes(args.duration, "--duration")
    if args.waited is not None:
        fields["waiting_minutes"] = minutes(args.waited, "--waited")
    if args.promised_by is not None:
        fields["promised_by"] = clock.parse_date(args.promised_by, "--promised-by")
    if args.contact is not None:
        fields["contact_id"] = args.contact
    return fields


def run_log(store: Store, args: argparse.Namespace) -> int:
    fields = _event_fields(args)
    fields.setdefault("at", clock.today())
    fields.setdefault("direction", Direction.INTERNAL.value)
    if "meaning" not in fields:
        guessed = guess_meaning(fields["kind"], fields["direction"], fields["summary"])
        fields["meaning"] = guessed.value if guessed else None
    for path in args.evidence:
        if not path.is_file():
            raise ValidationError("--evidence", _("there is no file {value!r}").format(value=str(path)))
    with store.write() as session:
        event_id = cases.log_event(session, case_id=args.case, **fields)
        for path in args.evidence:
            cases.attach_evidence(session, case_id=args.case, path=path, event_ids=[event_id])
    if args.json:
        event = _event(store, event_id)
        print_json(event_data(event, event.case.currency))
    else:
        print(event_id)
    return 0


def run_attach(store: Store, args: argparse.Namespace) -> int:
    for path in args.files:
        if not path.is_file():
            raise ValidationError("FILE", _("there is no file {value!r}").format(value=str(path)))
    captured = clock.parse_date(args.captured_on, "--captured-on") if args.captured_on else None
    with store.write() as session:
        ids = [cases.attach_evidence(session, case_id=args.case, path=path, description=args.description,
                                     captured_on=captured, event_ids=args.events)
               for path in args.files]
    if args.json:
        case = queries.load_case(store, args.case)
        print_json([item for item in case_data(case)["evidence"] if item["id"] in ids])
    else:
        for evidence_id in ids:
            print(evidence_id)
    return 0


def run_edit(store: Store, args: argparse.Namespace) -> int:
    fields = _case_fields(args)
    if not fields and args.company is None:
        raise ValidationError("", _("say what to change, e.g. --title TEXT or --amount 129.00 (see 'docket edit --help')"))
    cases.update_case(store, case_id=args.case, company=args.company, **fields)
    if args.json:
        _print_case(store, args.case)
    else:
        print(_("Case {id} changed.").format(id=args.case))
        _say_outlook(store, args.case)
    return 0


def run_edit_event(store: Store, args: argparse.Namespace) -> int:
    fields = _event_fields(args)
    if not fields:
        raise ValidationError("", _("say what to change, e.g. --summary TEXT or --at DATE (see 'docket edit-event --help')"))
    cases.update_event(store, event_id=args.event, **fields)
    if args.json:
        event = _event(store, args.event)
        print_json(event_data(event, event.case.currency))
    else:
        print(_("Event {id} changed.").format(id=args.event))
    return 0


def run_status(store: Store, args: argparse.Namespace) -> int:
    if args.outcome and args.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError("--outcome", _("an outcome is only recorded for a resolved or closed case"))
    resolved_on = clock.parse_date(args.on, "--on") if args.on else None
    cases.change_status(store, case_id=args.case, status=args.status, outcome=args.outcome,
                        resolved_on=resolved_on, recovered=args.recovered)
    if args.json:
        _print_case(store, args.case)
    else:
        print(_("Case {id} is now {status}.").format(id=args.case, status=args.status))

    return 0
