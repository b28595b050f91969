"""``docket company list|show|edit`` and ``docket contact add|edit|list``."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select

from core.cli.output import print_json
from core.domain.errors import NotFoundError, ValidationError
from core.domain.models import Case, Company, CompanyKind, Contact
from core.i18n import N_, _, ngettext
from core.journal import cases, queries
from core.store.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("company", help=_("the companies: list, show one with its cases, edit its details"))
    verbs = p.add_subparsers(dest="verb", metavar="list|show|edit", required=True, parser_class=type(p))
    v = verbs.add_parser("list", help=_("every company with its cases and days to reply"))
    v.add_argument("--json", action="store_true", help=_("print JSON"))
    v.set_defaults(func=run_company_list)
    v = verbs.add_parser("show", help=_("one company's details and cases"))
    v.add_argument("company", type=int, metavar="COMPANY")
    v.add_argument("--json", action="store_true", help=_("print JSON"))
    v.set_defaults(func=run_company_show)
    v = verbs.add_parser("edit", help=_("change a company's details"))
    v.add_argument("company", type=int, metavar="COMPANY")
    v.add_argument("--name")
    v.add_argument("--kind", choices=[k.value for k in CompanyKind])
    v.add_argument("--address")
    v.add_argument("--email")
    v.add_argument("--phone")
    v.add_argument("--website")
    v.add_argument("--account-number", dest="account_numbers", action="append", metavar="NUMBER",
                   help=_("your account number with them (repeat for several; replaces those kept)"))
    v.add_argument("--notes")
    v.add_argument("--json", action="store_true", help=_("print the company as JSON"))
    v.set_defaults(func=run_company_edit)

    p = sub.add_parser("contact", help=_("the people and departments of a case: add, edit, list"))
    verbs = p.add_subparsers(dest="verb", metavar="add|edit|list", required=True, parser_class=type(p))
    v = verbs.add_parser("add", help=_("add a contact to a case; prints its id"))
    v.add_argument("case", type=int, metavar="CASE")
    v.add_argument("--name", required=True)
    _contact_options(v)
    v.set_defaults(func=run_contact_add)
    v = verbs.add_parser("edit", help=_("change a contact's details"))
    v.add_argument("contact", type=int, metavar="CONTACT")
    v.add_argument("--name")
    _contact_options(v)
    v.set_defaults(func=run_contact_edit)
    v = verbs.add_parser("list", help=_("the contacts of a case"))
    v.add_argument("case", type=int, metavar="CASE")
    v.add_argument("--json", action="store_true", help=_("print JSON"))
    v.set_defaults(func=run_contact_list)


def _contact_options(p: argparse.ArgumentParser) -> None:
    for name in ("role", "organisation", "email", "phone", "address", "notes"):
        p.add_argument(f"--{name}")
    p.add_argument("--json", action="store_true", help=_("print the contact as JSON"))


# -- companies ------------------------------------------------------------------------------
def company_data(store: Store, company_id: int) -> dict[str, Any]:
    """A company with its details and cases, as plain data (see docs/cli.md)."""
    with store.read() as session:
        company = session.get(Company, company_id)
        if company is None:
            raise NotFoundError(_("There is no company {company_id}.").format(company_id=company_id))
        rows = session.execute(select(Case.id, Case.title, Case.status).where(Case.company_id == company_id)
                               .order_by(Case.id)).all()
        return {
            "id": company.id, "name": company.name, "kind": company.kind, "address": company.address,
            "email": company.email, "phone": company.phone, "website": company.website,
            "account_numbers": company.account_numbers, "notes": company.notes,
            "cases": [{"id": r[0], "title": r[1], "status": r[2]} for r in rows],
        }


# The company's details as ``docket company show`` labels them.
_FIELD_LABELS = {"address": N_("Address: {value}"), "email": N_("Email: {value}"), "phone": N_("Phone: {value}"),
                 "website": N_("Website: {value}"), "notes": N_("Notes: {value}")}


def run_company_list(store: Store, args: argparse.Namespace) -> int:

    records = queries.company_records(store)
    if args.json:
        print_json([{"id": r.id, "name": r.name, "cases": r.cases, "open_cases": r.open_cases,
                     "avg_days_to_reply": r.avg_days_to_reply} for r in records])
        return 0
    if not records:
        print(_("No companies yet. Open a case with 'docket new'."))
    for r in records:
        reply = "-" if r.avg_days_to_reply is None else _("{n} days").format(n=r.avg_days_to_reply)
        counts = ngettext("{n} case", "{n} cases", r.cases).format(n=r.cases)
        print(f"{r.id:>6}  {r.name[:32]:<32}  "
              + _("{cases}, {open} open, replies in {reply}").format(cases=counts, open=r.open_cases, reply=reply))
    return 0


def run_company_show(store: Store, args: argparse.Namespace) -> int:
    data = company_data(store, args.company)
    if args.json:
        print_json(data)
        return 0
    print(_("Company {id}: {name}").format(id=data["id"], name=data["name"])
          + (f" ({data['kind']})" if data["kind"] else ""))
    for key, label in _FIELD_LABELS.items():
        if data[key]:
            print(_(label).format(value=data[key]))
    if data["account_numbers"]:
        print(_("Account numbers: {numbers}").format(numbers=", ".join(data["account_numbers"])))
    for row in data["cases"]:
        print(f"{row['id']:>6}  {row['status']:<15} {row['title']}")
    return 0


def run_company_edit(store: Store, args: argparse.Namespace) -> int:
    changes = {k: getattr(args, k) for k in cases.COMPANY_FIELDS if getattr(args, k) is not None}
    if not changes:
        raise ValidationError("", _("say what to change, e.g. --kind bank (see 'docket company edit --help')"))
    cases.update_company(store, company_id=args.company, **changes)
    if args.json:
        print_json(company_data(store, args.company))
    else:
        print(_("Company {id} changed.").format(id=args.company))
    return 0


# -- contacts -------------------------------------------------------------------------------
def contact_data(contact: Contact) -> dict[str, Any]:
    return {"id": contact.id, "case_id": contact.case_id,
            **{k: getattr(contact, k) for k in cases.CONTACT_FIELDS}}


def _contact(store: Store, contact_id: int) -> dict[str, Any]:
    with store.read() as session:
        return contact_data(cases.get_contact(session, contact_id))


def _contact_fields(args: argparse.Namespace) -> dict[str, Any]:
    return {k: getattr(args, k) for k in cases.CONTACT_FIELDS if getattr(args, k) is not None}


def run_contact_add(store: Store, args: argparse.Namespace) -> int:
    fields = _contact_fields(args)
    contact_id = cases.add_contact(store, case_id=args.case, **fields)
    if args.json:
        print_json(_contact(store, contact_id))
    else:
        print(contact_id)
    return 0


def run_contact_edit(store: Store, args: argparse.Namespace) -> int:
    fields = _contact_fields(args)
    if not fields:
        raise ValidationError("", _("say what to change, e.g. --phone NUMBER (see 'docket contact edit --help')"))
    cases.update_contact(store, contact_id=args.contact, **fields)
    if args.json:
        print_json(_contact(store, args.contact))
    else:
        print(_("Contact {id} changed.").format(id=args.contact))
    return 0


def run_contact_list(store: Store, args: argparse.Namespace) -> int:
    with store.read() as session:
        cases.get_case(session, args.case)
    contacts = queries.list_contacts(store, args.case)
    if args.json:
        print_json([contact_data(c) for c in contacts])
        return 0
    if not contacts:
        print(_("Case {id} has no contacts yet. Add one with 'docket contact add {id} --name NAME'.").format(
            id=args.case))
    for c in contacts:
        extra = ", ".join(x for x in (c.role, c.organisation, c.email, c.phone) if x)
        print(f"{c.id:>6}  {c.name}" + (f"  ({extra})" if extra else ""))
    return 0
