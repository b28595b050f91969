"""``docket import-email CASE FILE...``: saved emails (.eml, .msg, .mbox) into a case."""

from __future__ import annotations

import argparse
from typing import Any

from core.cli.output import print_json
from core.exchange import emails as email_import
from core.i18n import _, ngettext
from core.store.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import-email",
        help=_("add saved emails (.eml, .msg, .mbox) to a case's timeline, with their attachments"),
    )
    p.add_argument("case", type=int, metavar="CASE")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--preview", action="store_true", help=_("show what would be added; change nothing"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=run_import_email)


def _describe(item: email_import.ParsedEmail) -> dict[str, Any]:
    return {
        "file": item.label, "at": item.at, "direction": item.direction, "summary": item.summary,
        "from": item.sender.label() if item.sender else None,
        "contact_id": item.contact_id,
        "new_contact": item.new_contact.label() if item.new_contact else None,
        "message_id": item.message_id or None,
        "attachments": [a.name for a in item.attachments if a.stored],
        "notes": item.notes,
    }


def run_import_email(store: Store, args: argparse.Namespace) -> int:
    preview = email_import.preview_emails(store, case_id=args.case, paths=args.files)
    items = preview.items
    if not items:
        print(_("No messages found in the given files."))
        return 0
    if args.preview:
        known = preview.already_imported
        if args.json:
            print_json([{**_describe(i), "already_in_case": k} for i, k in zip(items, known, strict=True)])
            return 0
        for item, k in zip(items, known, strict=True):
            _print_item(item, "already in this case" if k else "would add")
        return 0
    result = email_import.import_emails(store, case_id=args.case, items=items)
    if args.json:
        print_json({"event_ids": result.event_ids,
                    "skipped_duplicates": [i.label for i in result.skipped_duplicates],
                    "notes": result.notes})
        return 0
    added = len(result.event_ids)
    print(ngettext("Added {n} email to case {case}.", "Added {n} emails to case {case}.", added).format(
        n=added, case=args.case))
    skipped = {id(i) for i in result.skipped_duplicates}
    for item in items:
        _print_item(item, _("already in this case, skipped") if id(item) in skipped else _("added"))
    return 0


def _print_item(item: email_import.ParsedEmail, what: str) -> None:
    who = item.new_contact.label() + " " + _("(new contact)") if item.new_contact else (
        _("contact {id}").format(id=item.contact_id) if item.contact_id else _("no contact"))
    stored = [a.name for a in item.attachments if a.stored]
    print(f"{item.at:<25} {item.direction or '':<13} {item.summary}  [{what}]")
    attachments = ngettext("{n} attachment", "{n} attachments", len(stored)).format(n=len(stored))
    print(f"    {item.label}; {who}; {attachments}{': ' + ', '.join(stored) if stored else ''}")
    for note in item.notes:
        print("    " + _("note: {note}").format(note=note))

