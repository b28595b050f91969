"""``docket remind CASE --on DATE --note TEXT`` and ``docket snooze|done|dismiss REMINDER``.

A reminder is named ``CASE:KEY``, as ``docket due`` shows it: ``12:user:3`` (your own),
``12:promise:40`` (a promise falling due), ``12:silence:2026-11-12``, ``12:clock:RULE:DATE``.
"""

from __future__ import annotations

import argparse

from core.cli.output import print_json
from core.domain import clock
from core.domain.errors import ValidationError
from core.escalation import reminders
from core.i18n import N_, _
from core.store.store import Store


def reminder_ref(case_id: int, key: str) -> str:
    """How the command line names a reminder."""
    return f"{case_id}:{key}"


def parse_ref(text: str) -> tuple[int, str]:
    """``12:user:3`` as (12, "user:3")."""
    case, sep, key = text.partition(":")
    if not sep or not case.strip().isdigit() or not key.strip():
        raise ValidationError("REMINDER", _("expected CASE:KEY as 'docket due' shows it, e.g. 12:user:3, got {text!r}").format(text=text))
    return int(case), key.strip()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("remind", help=_("add your own reminder to a case; prints its name (CASE:KEY)"))
    p.add_argument("case", type=int, metavar="CASE")
    p.add_argument("--on", required=True, metavar="DATE", help=_("the day to be reminded"))
    p.add_argument("--note", required=True, metavar="TEXT", help=_("what to do then"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=run_remind)

    for verb, text in (("snooze", N_("hide a reminder until a later day")),
                       ("done", N_("mark a reminder as done: it moves to the history")),
                       ("dismiss", N_("dismiss a reminder you do not want: it moves to the history"))):
        p = sub.add_parser(verb, help=_(text))

        p.add_argument("reminder", metavar="REMINDER", help=_("CASE:KEY, as 'docket due' shows it"))
        if verb == "snooze":
            p.add_argument("--until", required=True, metavar="DATE", help=_("the day it comes back"))
        p.add_argument("--json", action="store_true", help=_("print JSON"))
        p.set_defaults(func=run_choice, verb=verb)


def run_remind(store: Store, args: argparse.Namespace) -> int:
    day = clock.parse_date(args.on, "--on")
    key = reminders.add_user_reminder(store, case_id=args.case, due=day, reason=args.note)
    ref = reminder_ref(args.case, key)
    if args.json:
        print_json({"reminder": ref, "case_id": args.case, "key": key, "due": day, "reason": args.note.strip()})
    else:
        print(ref)
    return 0


def run_choice(store: Store, args: argparse.Namespace) -> int:
    case_id, key = parse_ref(args.reminder)
    if args.verb == "snooze":
        until = clock.parse_date(args.until, "--until")
        reminders.snooze(store, case_id=case_id, key=key, until=until)
        state = "snoozed"
        said = _("Reminder {reminder} snoozed until {day}.").format(reminder=args.reminder, day=until.isoformat())
    elif args.verb == "done":
        reminders.mark_done(store, case_id=case_id, key=key)
        state, said = "done", _("Reminder {reminder} done.").format(reminder=args.reminder)
    else:
        reminders.dismiss(store, case_id=case_id, key=key)
        state, said = "dismissed", _("Reminder {reminder} dismissed.").format(reminder=args.reminder)
    if args.json:
        print_json({"reminder": args.reminder, "case_id": case_id, "key": key, "state": state,
                    "snoozed_until": args.until if args.verb == "snooze" else None})
    else:
        print(said)

    return 0
