"""Kept letters: drafts saved with their case, laid out as PDF, and frozen when sent.
"""

from __future__ import annotations

import html as html_lib
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.documents.html_text import html_to_text
from core.documents.letters.draft import Draft, reply_deadline
from core.documents.letters.templates import find_template
from core.documents.wording import (
    LANGUAGES,
    PAGE_LABEL,
    SENT_VIA,
    VIA_WORDS,
    WORDS,
    elide,
    format_date,
)
from core.domain import clock
from core.domain.errors import DocketError, NotFoundError, ValidationError
from core.domain.models import (
    Direction,
    EventKind,
    EventMeaning,
    Evidence,
    Letter,
    LetterStatus,
)
from core.i18n import N_, _, current_language
from core.journal import settings as settings_mod
from core.journal.cases import get_case, log_event, optional_date, record_evidence, text
from core.store.store import Store
from core.store.unit_of_work import unit_of


@dataclass(frozen=True, slots=True)
class LetterInfo:
    """A kept letter as plain data, for the Letters tab and the editor."""

    id: int
    case_id: int
    template_id: str
    language: str
    subject: str
    body: str
    status: str
    contact_id: int | None
    reply_by: date | None
    sent_on: date | None
    sent_via: str
    tracking: str
    event_id: int | None
    evidence_id: int | None
    options: dict[str, Any]

    @property
    def sent(self) -> bool:
        return self.status == LetterStatus.SENT


def _info(letter: Letter) -> LetterInfo:
    return LetterInfo(
        id=letter.id, case_id=letter.case_id, template_id=letter.template_id,
        language=letter.language, subject=letter.subject, body=letter.body, status=letter.status,
        contact_id=letter.contact_id, reply_by=letter.reply_by, sent_on=letter.sent_on,
        sent_via=letter.sent_via, tracking=letter.tracking, event_id=letter.event_id,
        evidence_id=letter.evidence_id, options=dict(letter.options or {}),
    )


def get_letter(store: Store, *, letter_id: int) -> LetterInfo:
    """One kept letter."""
    with store.read() as session:
        letter = session.get(Letter, letter_id)
        if letter is None:
            raise NotFoundError(f"There is no letter {letter_id}.")
        return _info(letter)


def list_letters(store: Store, *, case_id: int) -> list[LetterInfo]:
    """A case's letters, newest first: drafts and sent."""
    with store.read() as session:
        rows = session.scalars(select(Letter).where(Letter.case_id == case_id)
                               .order_by(Letter.updated_at.desc(), Letter.id.desc()))
        return [_info(row) for row in rows]


def save_draft(store: Store, *, case_id: int, draft: Draft, letter_id: int | None = None) -> int:
    """Keep a draft with its case (new, or replacing draft ``letter_id``). Returns its id.

    ``draft.html`` is stored as the letter's body, so a text the user edited is what is kept.
    A letter already sent is frozen: saving over it is refused.
    """
    body = text(draft.html, "letter.body", required=True, limit=2_000_000)
    subject = text(draft.subject, "letter.subject", limit=500)
    options = {
        "event_ids": list(draft.event_ids), "evidence_ids": list(draft.evidence_ids),
        "facts": dict(draft.facts), "step": draft.template.step,
        "response_days": draft.template.response_days, "missing": list(draft.missing),
    }
    with store.write() as session:
        get_case(session, case_id)
        now = clock.now()
        if letter_id is None:
            letter = Letter(case_id=case_id, created_at=now, status=LetterStatus.DRAFT.value,
                            sent_via="", tracking="")
            session.add(letter)
        else:
            found = session.get(Letter, letter_id)
            if found is None or found.case_id != case_id:
                raise NotFoundError(f"There is no letter {letter_id} in case {case_id}.")
            letter = found
            if letter.status == LetterStatus.SENT:
                raise DocketError(f"Letter {letter_id} was sent on {letter.sent_on}; a sent letter "
                                  "cannot be changed. Draft a new one instead.")
        letter.template_id = draft.template.id
        letter.language = draft.language
        letter.subject = subject
        letter.body = body
        letter.contact_id = draft.contact_id
        letter.reply_by = draft.reply_by
        letter.options = options
        letter.updated_at = now
        session.flush()
        return letter.id


def running_footer(subject: str, language: str) -> Any:
    """The letter's running header and footer: its subject and "page N of M" in its language."""
    from core.documents.render import Running  # Qt is only loaded when a page is laid out

    return Running(footer_left=elide(subject, 90), page_label=PAGE_LABEL.get(language, PAGE_LABEL["en"])["label"])


def _write_pdf(store: Store, html: str, out: Path, subject: str, language: str) -> int:
    from core.documents.render import html_to_pdf

    you = settings_mod.get_all(store)
    return html_to_pdf(html, out, paper=you["paper_size"], title=subject, author=you["your_name"],
                       subject=subject, running=running_footer(subject, language))


def _pdf_bytes(store: Store, html: str, subject: str, language: str) -> bytes:
    from core.documents.render import html_to_pdf_bytes

    you = settings_mod.get_all(store)
    return html_to_pdf_bytes(html, paper=you["paper_size"], title=subject, author=you["your_name"],
                             subject=subject, running=running_footer(subject, language))


def draft_pdf(store: Store, *, draft: Draft, out: Path | str) -> int:
    """Write a draft (not kept) as a PDF to ``out``. Returns the number of pages."""
    return _write_pdf(store, draft.html, Path(out), draft.subject, draft.language)


def letter_pdf(store: Store, *, letter_id: int, out: Path | str) -> Path:
    """Write the letter as a PDF to ``out``. A sent letter gives exactly the PDF kept as
    evidence when it was sent; a draft is laid out now (paper size from Settings)."""
    out = Path(out)
    info = get_letter(store, letter_id=letter_id)
    if info.sent and info.evidence_id is not None:
        with store.read() as session:
            item = session.get(Evidence, info.evidence_id)
            sha = item.sha256 if item else None
        if sha and store.evidence.has(sha):
            with store.evidence.open(sha) as src:
                out.write_bytes(src.read())
            return out
    _write_pdf(store, info.body, out, info.subject, info.language)
    return out


def _with_sent_line(body: str, line: str) -> str:
    """Put "Sent by recorded post on ..." at the top of the letter, where it is read first."""
    para = f'<p align="right"><i>{html_lib.escape(line)}</i></p>'
    if "<!--sent-->" in body:
        return body.replace("<!--sent-->", para, 1)
    match = re.search(r"<body[^>]*>", body)
    return body[: match.end()] + para + body[match.end():] if match else para + body


def _sent_meaning(letter: Letter) -> str | None:
    """What a sent letter is in the story: a formal complaint, or a complaint; a letter to a
    card issuer, a regulator or a platform is not a complaint to the company."""
    step = str((letter.options or {}).get("step", ""))
    if step in ("payment_dispute", "regulator"):
        return None
    return EventMeaning.FORMAL_COMPLAINT.value if step == "formal_complaint" else EventMeaning.COMPLAINT.value


def mark_as_sent(store: Store, *, letter_id: int, via: str, sent_on: date | str | None = None,
                 tracking: str = "") -> int:
    """Record that a letter went out. Returns the new timeline event's id.

    In one transaction: the letter is frozen (status sent, with how, when and the tracking
    number written on it), its PDF is laid out and kept as evidence, a ``letter`` event to the
    company is added to the timeline with the PDF linked, and the letter's reply deadline is
    set: :mod:`core.reminders` reads it from sent letters, so the silence clock runs to it.
    """
    if via not in SENT_VIA:
        raise ValidationError("via", f"expected one of {', '.join(SENT_VIA)}, got {via!r}")
    sent = optional_date(sent_on, "sent_on") or clock.today()
    if sent > clock.today():
        raise ValidationError("sent_on", f"{sent} is in the future; record a letter once it has gone out")
    tracking = text(tracking, "tracking", limit=200)
    info = get_letter(store, letter_id=letter_id)
    if info.sent:
        raise DocketError(f"Letter {letter_id} was already marked as sent on {info.sent_on}.")
    words = WORDS.get(info.language, WORDS["en"])
    line = words["sent"].format(via=VIA_WORDS.get(info.language, SENT_VIA)[via], date=format_date(sent, info.language))
    if tracking:
        line += ", " + words["tracking"].format(t=tracking)
    body = _with_sent_line(info.body, line)
    days = int(info.options.get("response_days") or 14)
    # The deadline the letter states stands; if it has already passed (a draft kept for
    # weeks), the clock runs the template's full period from the day it was sent.
    stated = info.reply_by
    reply_by = stated if stated is not None and stated > sent else reply_deadline(sent, days)
    # Made in memory and copied straight into the evidence store (sealed there when the
    # store is protected): no copy of the letter is left in a temporary folder.
    pdf = _pdf_bytes(store, body, info.subject, info.language)
    with store.write() as session:
        letter = session.get(Letter, letter_id)
        if letter is None:
            raise NotFoundError(_("There is no letter {letter_id}.").format(letter_id=letter_id))
        if letter.status == LetterStatus.SENT:
            raise DocketError(_("Letter {letter_id} was already marked as sent on {sent_on}.").format(
                letter_id=letter_id, sent_on=letter.sent_on))
        name = f"letter-{letter_id}-{letter.template_id}-{sent.isoformat()}.pdf"
        # The timeline speaks the window's language (the letter may be in another); a
        # sentence not yet translated keeps its English words for how it was sent too.
        ui = current_language() if current_language() in LANGUAGES else "en"

        def sent_by(message: str) -> tuple[str, str]:
            translated = _(message)
            return translated, VIA_WORDS[ui if translated != message else "en"][via]

        unit = unit_of(session)
        stored = unit.evidence.add_stream(io.BytesIO(pdf), total=len(pdf))
        unit.keep_new_file(stored)
        described, how = sent_by(N_("Letter sent by {via}: {subject}"))
        evidence_id = record_evidence(
            session, case_id=letter.case_id, stored=stored, original_name=name,
            description=described.format(via=how, subject=letter.subject), captured_on=sent,
            media_type="application/pdf",
        )
        detail, how = sent_by(N_("Sent by {via}."))
        details = detail.format(via=how)
        if tracking:
            details += " " + _("Tracking number {number}.").format(number=tracking)
        details += " " + _("Reply requested by {date}.").format(date=format_date(reply_by, ui))
        summary = _("Letter sent: {subject}").format(subject=letter.subject or letter.template_id)
        event_id = log_event(
            session, case_id=letter.case_id, at=sent, kind=EventKind.LETTER.value,
            direction=Direction.TO_COMPANY.value, summary=summary[:1000],
            details=details, reference=tracking, contact_id=letter.contact_id,
            evidence_ids=[evidence_id], meaning=_sent_meaning(letter),
        )
        now = clock.now()
        letter.body = body
        letter.status = LetterStatus.SENT
        letter.sent_on = sent
        letter.sent_via = via
        letter.tracking = tracking
        letter.reply_by = reply_by
        letter.event_id = event_id
        letter.evidence_id = evidence_id
        letter.updated_at = now
        return event_id


def draft_from_kept(store: Store | None, *, kept: LetterInfo) -> Draft:
    """The draft a kept letter stands for, to open it again in the editor: its wording as
    kept, its template, recipient, chosen events and evidence, and the facts typed for it.
    Nothing in the store changes."""
    options = kept.options
    return Draft(
        subject=kept.subject, html=kept.body, text=html_to_text(kept.body), missing=[],
        reply_by=kept.reply_by or clock.today(),
        template=find_template(store, kept.template_id, kept.language), language=kept.language,
        contact_id=kept.contact_id, event_ids=tuple(options.get("event_ids", [])),
        evidence_ids=tuple(options.get("evidence_ids", [])), facts=dict(options.get("facts") or {}),
    )
