"""``docket import FILE`` and ``docket export CASE --format ... --out PATH``."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.domain import clock
from core.domain.errors import DocketError
from core.exchange import casefile
from core.i18n import _
from core.store.store import Store

FORMATS = ("json", "zip", "pdf", "md", "csv")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import", help=_("add a case from a case file (.json or .zip); prints its id"))
    p.add_argument("file", metavar="FILE", type=Path)
    p.set_defaults(func=run_import)

    p = sub.add_parser("export", help=_("write one case as a case file (json, zip) or a report (pdf, md, csv); or --summary: a one-page year in disputes (pdf)"))
    p.add_argument("case", type=int, metavar="CASE", nargs="?")
    p.add_argument("--format", choices=FORMATS)
    p.add_argument("--summary", action="store_true", help=_("the one-page summary of a year (with --year) as a PDF"))
    p.add_argument("--year", type=int, metavar="YYYY", help=_("with --summary: which year (default: this year)"))
    p.add_argument("--out", metavar="PATH", type=Path, required=True)
    report = p.add_argument_group("reports (pdf, md, csv)")
    report.add_argument("--redact", action="store_true", help=_("hide account numbers, emails and phone numbers"))
    report.add_argument("--mask-name", dest="mask_names", action="append", default=[], metavar="NAME",
                        help=_("with --redact, also hide this name (repeat for several)"))
    report.add_argument("--from", dest="date_from", metavar="DATE", help=_("first day of the timeline to include"))
    report.add_argument("--to", dest="date_to", metavar="DATE", help=_("last day of the timeline to include"))
    report.add_argument("--no-private-notes", action="store_true", help=_("leave out internal notes"))
    report.add_argument("--paper", choices=("A4", "Letter"), help=_("paper size (default: the setting)"))
    p.set_defaults(func=run_export)


def run_import(store: Store, args: argparse.Namespace) -> int:
    case_id = casefile.import_case(store, path=args.file)
    print(case_id)
    return 0


def run_export(store: Store, args: argparse.Namespace) -> int:
    if args.summary or args.year is not None:
        if not args.summary or args.case is not None or args.format not in (None, "pdf"):
            raise DocketError(_("--summary --year YYYY --out FILE.pdf writes a year's summary; it takes no CASE."))
        from core.documents.summary import export_year_summary
        from core.journal import settings

        export_year_summary(store, year=args.year or clock.today().year, out=args.out,
                            paper=args.paper or settings.get(store, "paper_size"))
        return 0
    if args.case is None or args.format is None:
        raise DocketError(_("export needs CASE and --format (or --summary --year YYYY)."))
    report_options = (args.redact or args.mask_names or args.date_from or args.date_to
                      or args.no_private_notes or args.paper)
    if args.mask_names and not args.redact:
        raise DocketError(_("--mask-name hides names in a redacted copy: add --redact."))
    if args.format in ("json", "zip"):
        if report_options:
            raise DocketError(_("--redact, --mask-name, --from, --to, --no-private-notes and --paper apply to pdf, md and csv exports only; a case file always holds the whole case."))
        write = casefile.write_json if args.format == "json" else casefile.write_zip
        write(store, case_id=args.case, out=args.out)
        return 0
    from core.documents.report import export_case_report
    from core.journal import settings

    date_from = clock.parse_date(args.date_from, "--from") if args.date_from else None
    date_to = clock.parse_date(args.date_to, "--to") if args.date_to else None
    if date_from and date_to and date_from > date_to:
        raise DocketError(_("--from {date_from} is after --to {date_to}.").format(date_from=date_from, date_to=date_to))
    export_case_report(
        store, case_id=args.case, fmt=args.format, out=args.out, redact=args.redact,
        redact_names=args.mask_names, date_from=date_from, date_to=date_to, include_private_notes=not args.no_private_notes,
        paper=args.paper or settings.get(store, "paper_size"),
    )
    return 0
