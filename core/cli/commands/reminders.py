"""``docket due``, ``docket next CASE``, ``docket export-reminders --out FILE.ics``."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from core.cli.output import print_json, print_json_records
from core.domain import clock
from core.escalation import reminders
from core.escalation.calendar import export_reminders
from core.escalation.ladder import NextStep, Step, day_text, route_text, step_name
from core.escalation.rules import DISCLAIMER
from core.i18n import N_, _, ngettext
from core.store.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("due", help=_("list reminders that are due: overdue first, then by date"))
    p.add_argument("--json", action="store_true", help=_("print JSON (for a scheduler)"))
    p.add_argument("--case", type=int, metavar="CASE", help=_("only this case"))
    p.add_argument("--history", action="store_true", help=_("also snoozed, done and dismissed reminders"))
    p.set_defaults(func=run_due)

    p = sub.add_parser("next", help=_("where a case stands on the escalation ladder and what to do next"))
    p.add_argument("case", type=int, metavar="CASE")
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=run_next)

    p = sub.add_parser("export-reminders", help=_("write the reminders to an iCalendar (.ics) file"))
    p.add_argument("--out", required=True, metavar="FILE.ics", help=_("the file to write"))
    p.add_argument("--case", type=int, metavar="CASE", help=_("only this case"))
    p.set_defaults(func=run_export)

# A reminder's state as the due list shows it (the stored value stays English).
_STATES = {"snoozed": N_("snoozed"), "done": N_("done"), "dismissed": N_("dismissed")}


def item_data(item: reminders.DueItem) -> dict[str, Any]:
    return {"reminder": f"{item.case_id}:{item.key}", "key": item.key, "case_id": item.case_id, "case_title": item.case_title,
            "company": item.company, "due": item.due.isoformat(), "reason": item.reason,
            "rule_id": item.rule_id, "kind": item.kind, "state": item.state, "overdue": item.overdue,
            "next_step": item.step}


def run_due(store: Store, args: argparse.Namespace) -> int:
    items = reminders.due_items(store, case_id=args.case, include_history=args.history)
    if args.json:
        print_json_records(item_data(i) for i in items)
        return 0
    if not items:
        print(_("Nothing is due."))
        return 0
    today = clock.today()
    for i in items:
        if i.state != "open":
            flag = _(_STATES.get(i.state, i.state)).upper()
        elif i.overdue:
            flag = _("OVERDUE")
        elif i.due == today:
            flag = _("TODAY")
        else:
            flag = ""
        # The bracketed name is what 'docket snooze|done|dismiss' take. The case's next step (the one the window's banner shows) is marked with ">".
        mark = ">" if i.step else " "
        case = _("case {id}").format(id=i.case_id)
        print(f"{flag:<9} {day_text(i.due, today):<11} {mark} {case:<10} {i.company[:20]:<20}  {i.reason}"
              f"  [{i.case_id}:{i.key}]")
    return 0


def _when(step: NextStep, today: date) -> str:
    if step.due is None:
        return _("nothing due yet")
    if step.due < today:
        return _("overdue since {day}").format(day=day_text(step.due, today))
    if step.due == today:
        return _("due today")
    return _("due {day}").format(day=day_text(step.due, today))


def step_data(case_id: int, step: NextStep) -> dict[str, Any]:
    """The next step as ``docket next --json`` prints it."""
    promise = step.promise
    return {
        "case_id": case_id,
        "current_step": step.current_step, "step": step.step, "kind": step.kind, "title": step.title,
        "reason": step.reason, "due": step.due, "urgency": step.urgency, "template_id": step.template_id,
        "rule_id": step.rule_id,
        "promise": None if promise is None else {
            "event_id": promise.event_id, "made_on": promise.made_on, "promised_by": promise.promised_by,
            "summary": promise.summary, "days_late": step.late_days},
        "routes": [{"step": r.step, "text": r.text, "opens": r.opens, "closes": r.closes, "rule_id": r.rule_id,
                    "source": r.source} for r in step.routes],
        "missing_amount": step.missing_amount,
        "missing_facts": list(step.missing_facts),
        "notes": list(step.notes),
        "clocks": [{"label": c.label, "date": c.date, "opens": c.opens, "text": c.text,
                    "rule_id": c.rule_id, "source": c.source} for c in step.clocks],
        "disclaimer": DISCLAIMER,
    }


def run_next(store: Store, args: argparse.Namespace) -> int:
    # One reading of the case: the clocks, the rules behind them and the missing facts are
    # the ones the ladder decided the step with (the banner and the due list show the same).
    step = reminders.next_step(store, case_id=args.case)
    rule_clocks, missing = step.clocks, step.missing
    if args.json:
        data = step_data(args.case, step)
        # The rule packs' own clocks, each with its source, and the facts that would unlock more.
        data["rules"] = [{"rule_id": c.rule_id, "label": c.label, "start": c.start, "deadline": c.date,
                          "opens": c.opens, "text": c.sentence or c.text, "source": c.source,
                          "checked": c.checked, "confidence": c.confidence} for c in rule_clocks]
        data["missing_facts"] = [{"fact": m.fact, "text": m.text, "rule_ids": list(m.rule_ids)} for m in missing]
        print_json(data)
        return 0
    today = clock.today()
    if step.current_step:
        print(_("Case {id}: at the {step} step.").format(id=args.case, step=step_name(Step(step.current_step))))
    else:
        print(_("Case {id}: not started.").format(id=args.case))
    if step.step:
        letter = " " + _("(letter template: {id})").format(id=step.template_id) if step.template_id else ""
        print(_("Next: {title}, {when}").format(title=step.title, when=_when(step, today)) + letter)
    print(step.reason)
    if step.routes:
        print("\n" + _("Ways out of the company's hands:"))
        for route in step.routes:
            print(f"  {route_text(route, today)}")
    if rule_clocks:
        print("\n" + _("Clocks, and the rules that decide them:"))
        for c in rule_clocks:
            print(f"  {c.sentence or c.text}")
            print(f"    {c.rule_id}: {c.provenance}")
    if missing:
        print("\n" + _("Worth adding to the case:"))
        for m in missing:
            print(f"  {m.text}")
    print("\n" + _(DISCLAIMER))
    return 0


def run_export(store: Store, args: argparse.Namespace) -> int:
    count = export_reminders(store, args.out, case_id=args.case)
    print(ngettext("Wrote {n} reminder to {path}", "Wrote {n} reminders to {path}", count).format(
        n=count, path=args.out))

    return 0
