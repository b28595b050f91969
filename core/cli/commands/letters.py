"""``docket letter CASE --template ID --out FILE`` and ``docket letter --list``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli.output import write_text_atomically
from core.documents import letters
from core.domain.errors import DocketError, ValidationError
from core.i18n import _, ngettext
from core.store.store import Store

FORMATS = (".pdf", ".txt", ".html", ".htm")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "letter",
        help=_("draft a letter for a case from a template, as PDF, text or HTML"),
        description=_("Draft a letter for CASE and write it to FILE (.pdf, .txt or .html). Facts the case lacks are marked [missing: ...] in the letter and listed on stderr."),
    )
    p.add_argument("case", type=int, nargs="?", metavar="CASE", help=_("the case's number"))
    p.add_argument("--list", action="store_true", help=_("list the letter templates and exit"))
    p.add_argument("--template", metavar="ID", help=_("template id (see --list)"))
    p.add_argument("--out", metavar="FILE", help=_("where to write the letter: .pdf, .txt or .html"))
    p.add_argument("--language", default=None, choices=letters.LANGUAGES,
                   help=_("the letter's language (default: the language of the company's country, else Docket's)"))
    p.add_argument("--events", metavar="IDS", help=_("events for the chronology, e.g. 1,2,5 (default: every exchange with the company)"))
    p.add_argument("--evidence", metavar="IDS", help=_("evidence to list as enclosures, e.g. 3,4"))
    p.add_argument("--contact", type=int, metavar="ID", help=_("the contact to write to"))
    p.add_argument("--fact", action="append", default=[], metavar="KEY=VALUE",
                   help=_("an extra fact, e.g. card_last4=1234 (keys: {keys})").format(
                       keys=", ".join(letters.EXTRA_FACTS)))

    p.add_argument("--save", action="store_true", help=_("also keep the letter as a draft with the case"))
    p.set_defaults(func=run_letter)


def _ids(value: str | None, where: str) -> list[int] | None:
    if value is None:
        return None
    out = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise ValidationError(where, _("expected numbers separated by commas, got {part!r}").format(part=part))
        out.append(int(part))
    return out


def _facts(pairs: list[str]) -> dict[str, str]:
    facts = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or key not in letters.EXTRA_FACTS:
            raise ValidationError("--fact", _("expected KEY=VALUE with KEY one of {keys}, got {pair!r}").format(keys=', '.join(letters.EXTRA_FACTS), pair=pair))
        facts[key] = value.strip()
    return facts


def run_list(store: Store) -> int:
    for tpl in letters.list_templates(store):
        where = _("yours") if tpl.user else _("built-in")
        juris = ", ".join(tpl.jurisdictions)
        days = ngettext("{n} day", "{n} days", tpl.response_days).format(n=f"{tpl.response_days:>3}")
        print(f"{tpl.id:<22} {tpl.language}  {tpl.step:<16} {days}  "
              f"[{juris}]  {tpl.title}  ({where})")
    for problem in letters.template_problems(store):
        print("docket: " + _("left out: {problem}").format(problem=problem), file=sys.stderr)
    return 0


def run_letter(store: Store, args: argparse.Namespace) -> int:
    if args.list:
        return run_list(store)
    if args.case is None or not args.template or not args.out:
        raise DocketError(_("give CASE, --template ID and --out FILE (or --list to see the templates)"))
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError("--out", _("the file must end in .pdf, .txt or .html, got {name!r}").format(name=out.name))
    if not out.parent.is_dir():
        raise ValidationError("--out", _("the folder {parent} does not exist").format(parent=out.parent))

    language = args.language or letters.letter_language(store, case_id=args.case, template_id=args.template)
    draft = letters.draft_letter(
        store, case_id=args.case, template_id=args.template, language=language,
        event_ids=_ids(args.events, "--events"), evidence_ids=_ids(args.evidence, "--evidence"),
        contact_id=args.contact, facts=_facts(args.fact),
    )
    if suffix == ".pdf":
        letters.draft_pdf(store, draft=draft, out=out)
    elif suffix == ".txt":
        write_text_atomically(out, draft.text)
    else:
        write_text_atomically(out, draft.html)
    print(_("Wrote {path} ({title}, reply by {day})").format(path=out, title=draft.template.title,
                                                           day=draft.reply_by.isoformat()))
    if args.save:
        letter_id = letters.save_draft(store, case_id=args.case, draft=draft)
        print(_("Kept as draft letter {id} of case {case}.").format(id=letter_id, case=args.case))
    if draft.missing:
        print(_("Missing facts, marked [missing: ...] in the letter: {facts}").format(facts="; ".join(draft.missing)),
              file=sys.stderr)

    return 0
