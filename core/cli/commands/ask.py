"""``docket new --ask``: the guided start's questions in the terminal.

Questions go to stderr and answers come from stdin, so that stdout carries only the new
case's id (or its JSON). An empty answer skips a question, as the window's *Skip* does.
The same wording and mapping as the window, from :mod:`core.journal.intake`.
"""

from __future__ import annotations

import argparse
import locale
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

from core.domain import clock
from core.domain.errors import DocketError, ValidationError
from core.domain.money import check_currency, parse_amount
from core.i18n import _
from core.journal import intake, settings
from core.journal.intake import Answers, Choice, DoneEntry
from core.store.store import Store

T = TypeVar("T")


class _Ended(Exception):
    """Standard input ran out: the remaining questions are skipped."""


def _say(text: str = "") -> None:
    print(text, file=sys.stderr)


def _line(prompt: str) -> str:
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise _Ended
    return line.strip()


def _ask(prompt: str, read: Callable[[str], T]) -> T | None:
    """Ask until the answer reads (or is empty). When input is piped, a bad answer is a user
    error: there is nobody to ask again."""
    while True:
        answer = _line(prompt)
        if not answer:
            return None
        try:
            return read(answer)
        except DocketError as exc:
            if not sys.stdin.isatty():
                raise
            _say(f"  {exc}")


def _pick(title: str, choices: Sequence[Choice], *, many: bool = False, default: str | None = None) -> list[str]:
    _say(title)
    for i, choice in enumerate(choices, 1):
        mark = " " + _("(default)") if default is not None and choice.value == default else ""
        _say(f"  {i}. {choice.label}{mark}")

    def read(text: str) -> list[str]:
        picked = []
        for part in text.replace(",", " ").split() if many else [text]:
            if not part.isdigit() or not 1 <= int(part) <= len(choices):
                raise ValidationError(title.rstrip("?: "), _("answer with a number from 1 to {length}, got {part!r}").format(length=len(choices), part=part))
            picked.append(choices[int(part) - 1].value)
        return picked

    hint = _("numbers, e.g. 1 3") if many else _("a number")
    got = _ask("  " + _("Your answer ({hint}; Enter to skip): ").format(hint=hint), read)
    if got is None:
        return [default] if default is not None else []
    return got


def _date(prompt: str) -> str | None:
    day = _ask(_("{prompt} (YYYY-MM-DD; Enter to skip): ").format(prompt=prompt), lambda t: clock.parse_date(t, prompt).isoformat())
    return day


def _gather(answers: Answers, default_region: str, default_currency: str) -> None:
    happened = _pick(_("1. What happened?"), [Choice(s.value, s.words) for s in intake.SITUATIONS])
    answers.situation = happened[0] if happened else None
    _say()
    _say(_("2. Who is it with?"))
    answers.company = _ask("  " + _("The company's name (Enter to skip): "), str) or ""
    kinds = _pick("  " + _("What kind of company is it?"), intake.COMPANY_KINDS)
    answers.company_kind = kinds[0] if kinds else None
    _say()
    _say(_("3. What did you buy, when, for how much, and how did you pay?"))
    bought = _pick("  " + _("What did you buy?"), intake.PURCHASES)
    answers.purchase = bought[0] if bought else None
    answers.paid_on = _date("  " + _("When did you pay"))
    answers.amount = _ask("  " + _("How much (e.g. 129.00; Enter to skip): "), lambda t: str(parse_amount(t, "amount")))
    answers.currency = _ask("  " + _("Currency (Enter for {default_currency}): ").format(default_currency=default_currency), lambda t: check_currency(t, "currency")) \
        or default_currency
    paid = _pick("  " + _("How did you pay?"), [Choice(p.value, p.words) for p in intake.PAID_BY])
    answers.paid_by = paid[0] if paid else None
    if answers.paid_by in ("card:credit", "card:debit"):
        scheme = _pick("  " + _("Which card network?"), intake.CARD_SCHEMES)
        answers.card_scheme = scheme[0] if scheme else None
    answers.expected_by = _date("  " + _("When was it due to arrive or be done"))
    if answers.situation != "not_arrived":
        answers.delivered_on = _date("  " + _("When did it arrive, or when was it done"))
    _say()
    _say(_("4. What did they promise, and by when? (only if they did)"))
    answers.promise = _ask("  " + _("What they promised (Enter to skip): "), str) or ""
    if answers.promise:
        answers.promised_on = _date("  " + _("When did they promise it"))
        answers.promised_by = _date("  " + _("By when"))
    _say()
    _say(_("5. What have you done so far? One entry at a time; Enter when you are done."))
    while True:
        did = _pick("  " + _("What did you do?"), [Choice(d.value, d.words) for d in intake.DONE_KINDS])
        if not did:
            break
        on = _ask("  " + _("On which day (YYYY-MM-DD): "), lambda t: clock.parse_date(t, "day").isoformat())
        if on is None:
            break
        note = _ask("  " + _("A note (Enter for none): "), str) or ""
        answers.done.append(DoneEntry(did[0], on, note))
    _say()
    answers.wants = _pick(_("6. What do you want?"), intake.REMEDIES, many=True)
    if answers.wants:
        answers.wanted_amount = _ask("  " + _("How much (Enter to skip): "), lambda t: str(parse_amount(t, "amount")))
    _say()
    # The country first, then the part of it when the rules tell its parts apart.
    default_country = default_region.split("-", 1)[0]
    country = _pick(_("7. Where do you live?"), intake.WHERE, default=default_country or None)
    answers.jurisdiction = country[0] if country else answers.jurisdiction
    parts = intake.regions_of(answers.jurisdiction) if answers.jurisdiction else ()
    if parts:
        inside = default_region if default_region.startswith(f"{answers.jurisdiction}-") else None
        part = _pick("  " + _("Which part? (Enter for the country alone)"), parts, default=inside)
        answers.jurisdiction = part[0] if part else answers.jurisdiction.split("-", 1)[0]


def _show(store: Store, answers: Answers) -> None:
    _say()
    for line in intake.outlook_lines(intake.preview(store, answers=answers)):
        _say(line)


def ask_and_start(store: Store, args: argparse.Namespace) -> int | None:
    """Ask the questions, show what Docket understands, and open the case if the user agrees.
    Returns the case's id, or None when the user said no (nothing is written)."""
    given = [name for name in ("title", "company", "kind", "category", "amount", "paid_by", "paid_on",
                               "jurisdiction", "purchase", "expected_by", "status")
             if getattr(args, name, None) is not None]
    if given:
        raise ValidationError("--ask", _("the questions give the case's fields; leave out --{option}").format(option=given[0].replace('_', '-')))
    defaults = settings.get_all(store)
    default_region = intake.preselected_region(locale.getlocale()[0] or "", defaults["default_jurisdiction"])
    answers = Answers(currency=defaults["default_currency"], jurisdiction=default_region)
    try:
        _gather(answers, default_region, defaults["default_currency"])
    except _Ended:
        if answers.situation is None and not answers.company:
            raise DocketError(_("no answers on standard input; nothing was written")) from None
    _show(store, answers)
    try:
        sure = _line(_("Open this case? [Y/n] ")).lower()
    except _Ended:
        sure = "y"  # piped answers that stop here mean yes, as the window's Finish
    # Translators: the answers that mean yes to "Open this case? [Y/n]", besides y and yes.
    if sure not in ("", "y", "yes", _("y"), _("yes")):
        _say(_("Nothing was written."))
        return None
    return intake.start_case(store, answers=answers)
