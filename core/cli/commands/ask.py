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
        mark = " (default)" if default is not None and choice.value == default else ""
        _say(f"  {i}. {choice.label}{mark}")

    def read(text: str) -> list[str]:
        picked = []
        for part in text.replace(",", " ").split() if many else [text]:
            if not part.isdigit() or not 1 <= int(part) <= len(choices):
                raise ValidationError(title.rstrip("?: "), f"answer with a number from 1 to {len(choices)}, got {part!r}")
            picked.append(choices[int(part) - 1].value)
        return picked

    hint = "numbers, e.g. 1 3" if many else "a number"
    got = _ask(f"  Your answer ({hint}; Enter to skip): ", read)
    if got is None:
        return [default] if default is not None else []
    return got


def _date(prompt: str) -> str | None:
    day = _ask(f"{prompt} (YYYY-MM-DD; Enter to skip): ", lambda t: clock.parse_date(t, prompt).isoformat())
    return day


def _gather(answers: Answers, default_region: str, default_currency: str) -> None:
    happened = _pick("1. What happened?", [Choice(s.value, s.label) for s in intake.SITUATIONS])
    answers.situation = happened[0] if happened else None
    _say()
    _say("2. Who is it with?")
    answers.company = _ask("  The company's name (Enter to skip): ", str) or ""
    kinds = _pick("  What kind of company is it?", intake.COMPANY_KINDS)
    answers.company_kind = kinds[0] if kinds else None
    _say()
    _say("3. What did you buy, when, for how much, and how did you pay?")
    bought = _pick("  What did you buy?", intake.PURCHASES)
    answers.purchase = bought[0] if bought else None
    answers.paid_on = _date("  When did you pay")
    answers.amount = _ask("  How much (e.g. 129.00; Enter to skip): ", lambda t: str(parse_amount(t, "amount")))
    answers.currency = _ask(f"  Currency (Enter for {default_currency}): ", lambda t: check_currency(t, "currency")) \
        or default_currency
    paid = _pick("  How did you pay?", [Choice(p.value, p.label) for p in intake.PAID_BY])
    answers.paid_by = paid[0] if paid else None
    if answers.paid_by in ("card:credit", "card:debit"):
        scheme = _pick("  Which card network?", intake.CARD_SCHEMES)
        answers.card_scheme = scheme[0] if scheme else None
    answers.expected_by = _date("  When was it due to arrive or be done")
    if answers.situation != "not_arrived":
        answers.delivered_on = _date("  When did it arrive, or when was it done")
    _say()
    _say("4. What did they promise, and by when? (only if they did)")
    answers.promise = _ask("  What they promised (Enter to skip): ", str) or ""
    if answers.promise:
        answers.promised_on = _date("  When did they promise it")
        answers.promised_by = _date("  By when")
    _say()
    _say("5. What have you done so far? One entry at a time; Enter when you are done.")
    while True:
        did = _pick("  What did you do?", [Choice(d.value, d.label) for d in intake.DONE_KINDS])
        if not did:
            break
        on = _ask("  On which day (YYYY-MM-DD): ", lambda t: clock.parse_date(t, "day").isoformat())
        if on is None:
            break
        note = _ask("  A note (Enter for none): ", str) or ""
        answers.done.append(DoneEntry(did[0], on, note))
    _say()
    answers.wants = _pick("6. What do you want?", intake.REMEDIES, many=True)
    if answers.wants:
        answers.wanted_amount = _ask("  How much (Enter to skip): ", lambda t: str(parse_amount(t, "amount")))
    _say()
    region = _pick("7. Where do you live?", intake.REGIONS, default=default_region or None)
    answers.jurisdiction = region[0] if region else answers.jurisdiction


def _show(store: Store, answers: Answers) -> None:
    seen = intake.preview(store, answers=answers)
    _say()
    _say(f"Case: {seen.title}")
    if seen.clocks:
        _say("Clocks running now:")
        for c in seen.clocks:
            _say(f"  {c.text}  (source: {c.source})")
    if seen.missing:
        _say("Missing, and what it would unlock:")
        for m in seen.missing:
            _say(f"  {m.fact}: {m.unlocks}")
    if seen.step:
        due = f", by {seen.due.isoformat()}" if seen.due else ""
        _say(f"Next step: {seen.step}{due} (letter template: {seen.template_id})")
        _say(f"  {seen.reason}")
    _say(seen.disclaimer)


def ask_and_start(store: Store, args: argparse.Namespace) -> int | None:
    """Ask the questions, show what Docket understands, and open the case if the user agrees.
    Returns the case's id, or None when the user said no (nothing is written)."""
    given = [name for name in ("title", "company", "kind", "category", "amount", "paid_by", "paid_on",
                               "jurisdiction", "purchase", "expected_by", "status")
             if getattr(args, name, None) is not None]
    if given:
        raise ValidationError("--ask", f"the questions give the case's fields; leave out --{given[0].replace('_', '-')}")
    defaults = settings.get_all(store)
    default_region = intake.region_for_locale(locale.getlocale()[0] or "") or defaults["default_jurisdiction"]
    answers = Answers(currency=defaults["default_currency"], jurisdiction=default_region)
    try:
        _gather(answers, default_region, defaults["default_currency"])
    except _Ended:
        if answers.situation is None and not answers.company:
            raise DocketError("no answers on standard input; nothing was written") from None
    _show(store, answers)
    try:
        sure = _line("Open this case? [Y/n] ").lower()
    except _Ended:
        sure = "y"  # piped answers that stop here mean yes, as the window's Finish
    if sure not in ("", "y", "yes"):
        _say("Nothing was written.")
        return None
    return intake.start_case(store, answers=answers)
