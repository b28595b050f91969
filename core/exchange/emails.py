"""Saved emails into a case's timeline: ``.eml``, Outlook ``.msg`` and ``.mbox`` files.

Two steps, so that the user sees what will happen before anything is written:

1. :func:`parse_messages` reads the files and returns one :class:`ParsedEmail` per message, in
   date order. Nothing in the store changes. :func:`suggest` then works out each message's
   direction and contact for a case, which the user may change.
2. :func:`import_emails` adds the lot in one transaction: per message an ``email`` event, the
   original message kept unchanged as evidence linked to it, and each attachment as its own
   evidence item linked to the same event. A message already in the case (same Message-ID, or
   the same bytes) is skipped.

Mail is hostile and often broken. Reading never fetches anything (no remote images, no
links followed); what cannot be read becomes a note on the message rather than an error, and a
message whose bytes changed between preview and import stops the import with nothing written.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import hashlib
import io
import mailbox
import mimetypes
import re
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.generator import BytesGenerator
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.domain import clock
from core.domain.errors import DocketError, ValidationError
from core.domain.models import Case, Contact, Direction, Event, EventKind, Evidence, event_evidence
from core.domain.when import When
from core.i18n import N_, _, ngettext
from core.journal import evidence_text
from core.journal.cases import MAX_LINE, MAX_TEXT, add_contact, get_case, new_event, new_evidence
from core.store.files import Cancelled, Progress, StoredFile, clean_name, hash_file
from core.store.store import Store
from core.store.unit_of_work import unit_of

# A single .eml or .msg, or one message of an mbox, is read into memory to be parsed; past
# this size it is kept as evidence only.
MAX_MESSAGE_BYTES = 150 * 1024 * 1024
# One attachment stored as its own evidence item; a larger one stays inside the original
# email (which is always kept) and a note says so.
MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024

REFERENCE_PREFIX = "Message-ID: "
# The notes that say a date was guessed (they go once the user gives the date), as marked.
_GUESSED_DATE_NOTES = (
    N_("The date was taken from the mailbox's separator line ({date}); check it."),
    N_("The date was taken from the file's modification date ({day}); check it."),
    N_("The date was set to today ({day}); check it."),
)


def _is_guessed_date_note(note: str) -> bool:
    """Whether ``note`` is one of :data:`_GUESSED_DATE_NOTES`, in the current language."""
    for template in _GUESSED_DATE_NOTES:
        pattern = re.sub(r"\\\{\w+\\\}", ".*", re.escape(_(template)))
        if re.fullmatch(pattern, note, re.DOTALL):
            return True
    return False


# Attachments kept as evidence of their own, per message; the rest stay inside the original.
MAX_ATTACHMENTS_PER_MESSAGE = 100
# Messages read in one go (a preview, an import): past this, the mailbox is to be split.
MAX_MESSAGES_PER_IMPORT = 2_000
EMAIL_SUFFIXES = (".eml", ".msg", ".mbox")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class _ReadPolicy(EmailPolicy):
    """``policy.default``, remembering the headers it has parsed.

    The email package parses a header again on every access, and walking a message asks for
    each part's Content-Type a dozen times; reading a 1,000-message mbox spent most of its
    time there. Parsed headers are immutable, so sharing them is safe.
    """

    def header_fetch_parse(self, name: str, value: Any) -> Any:
        if hasattr(value, "name"):
            return value
        return _parsed_header(self.header_factory, name, value)


@functools.lru_cache(maxsize=8192)
def _parsed_header(factory: Any, name: str, value: str) -> Any:
    return factory(name, "".join(value.splitlines()))


_POLICY = _ReadPolicy()
# Re-serialising a forwarded message must not refold its headers: keep them as received.
_KEEP_POLICY = _POLICY.clone(refold_source="none")


@dataclass(frozen=True, slots=True)
class Address:
    """A name and an email address from a From, To or Cc header."""

    name: str
    email: str

    def label(self) -> str:
        if self.name and self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email

    def contact_name(self) -> str:
        """The name a new contact gets: the display name, else the address."""
        return self.name or self.email


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    """An attachment as the preview shows it. ``stored`` is False when it stays inside the
    original email only (too large, or unreadable; ``note`` says why)."""

    name: str
    media_type: str
    size: int
    inline: bool = False
    stored: bool = True
    note: str = ""


@dataclass(eq=False, slots=True)
class ParsedEmail:
    """One message read from a file, ready to become an event.

    ``summary``, ``direction``, ``contact_id`` and ``new_contact`` are what the user may edit
    in the preview; ``direction`` None means "work it out from my addresses".
    """

    source: Path
    source_kind: str  # "eml", "msg" or "mbox"
    position: int  # the message's number in an mbox (from 0); 0 for single files
    original_name: str  # the name the kept original gets in the evidence list
    raw_sha256: str
    raw_size: int
    message_id: str
    at: str  # When.iso(): a date-time with its offset, or a date alone when unknown
    date_known: bool
    sender: Address | None
    to: list[Address]
    cc: list[Address]
    subject: str
    body: str
    attachments: list[AttachmentInfo]
    notes: list[str]
    summary: str
    direction: str | None = None
    contact_id: int | None = None
    new_contact: Address | None = None
    contact_decided: bool = False
    readable: bool = True

    @property
    def label(self) -> str:
        """Where the message came from, for messages to the user."""
        if self.source_kind == "mbox":
            return f"{self.source.name}, message {self.position + 1}"
        return self.source.name

    @property
    def when(self) -> When:
        return When.parse(self.at)

    @property
    def recipients(self) -> list[Address]:
        return [*self.to, *self.cc]

    def set_date(self, value: When | str) -> None:
        """The user's own date for the message (a date, or a date-time with its offset); the
        notes about a guessed date go. Raises :class:`ValidationError` for a bad value."""
        when = When.of(value, f"{self.label}.date")
        self.at, self.date_known = when.iso(), True
        self.notes = [n for n in self.notes if not _is_guessed_date_note(n)]

    def reference(self) -> str:
        """What the event's reference field holds: the Message-ID, if it fits."""
        ref = f"{REFERENCE_PREFIX}{self.message_id}" if self.message_id else ""
        return ref if len(ref) <= 300 else ""


@dataclass(slots=True)
class ImportResult:
    """What :func:`import_emails` did: events added, messages skipped as already there, notes."""

    event_ids: list[int] = field(default_factory=list)
    skipped_duplicates: list[ParsedEmail] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# A reader of an attachment's bytes, or None when the attachment is not stored separately.
Payload = Callable[[], bytes] | None


@dataclass(slots=True)
class MessageParts:
    """A message as read: the preview's fields plus the means to fetch the bytes to store."""

    fields: dict[str, Any]
    payloads: list[Payload]


# -- text helpers -----------------------------------------------------------------------------
def _clean_text(value: Any, *, multiline: bool = False) -> str:
    """Text safe to show and store: raw bytes smuggled in as surrogates decoded, controls gone."""
    text = str(value if value is not None else "")
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        raw = text.encode("utf-8", "surrogateescape")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", "replace")
    text = text.encode("utf-8", "replace").decode("utf-8")
    keep = "\n\t" if multiline else "\t"
    text = "".join(ch if ch.isprintable() or ch in keep else " " for ch in text.replace("\r\n", "\n"))
    return text if multiline else " ".join(text.split())


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start:exc.end].decode("cp1252", "replace"), exc.end


_LENIENT = "docket-utf8-or-cp1252"
codecs.register_error(_LENIENT, _cp1252_fallback)


# Codecs that turn bytes into text but are not character sets a mail could be written in.
_NOT_CHARSETS = frozenset({"punycode", "idna", "undefined", "unicode-escape", "raw-unicode-escape",
                           "unicode_escape", "raw_unicode_escape"})


def _decode_bytes(payload: bytes, charset: str | None, where: str, notes: list[str]) -> str:
    """Bytes of a text part as text, saying in ``notes`` what could not be read."""
    label = (charset or "").strip().strip('"').lower()
    codec: str | None = None
    if label:
        try:
            info = codecs.lookup(label)
            codec = info.name
        except LookupError:
            notes.append(_("{where}: the character set {charset!r} is unknown; the text was read as UTF-8 (or Windows-1252) and some characters may be wrong.").format(where=where, charset=charset))
        else:
            # Only character sets: not rot13, zlib, base64, punycode... which a hostile
            # message can name and which would turn bytes into anything, or fail.
            if not getattr(info, "_is_text_encoding", True) or codec in _NOT_CHARSETS:
                notes.append(_("{where}: {charset!r} is not a character set; the text was read as UTF-8 (or Windows-1252).").format(where=where, charset=charset))
                codec = None
    if codec is None or codec == "ascii":
        # Undeclared or mislabelled text is common: read it as UTF-8, and any byte that is
        # not UTF-8 as the Windows code page that most such mail really uses.
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            if label and codec is not None:
                notes.append(_("{where}: declared as {charset} but holds other characters; read as UTF-8 and Windows-1252.").format(where=where, charset=charset))
            return payload.decode("utf-8", _LENIENT)
    try:
        return payload.decode(codec)
    except UnicodeError:
        notes.append(_("{where}: some bytes are not valid {charset}; they are shown as �.").format(where=where, charset=charset))
        try:
            return payload.decode(codec, "replace")
        except (UnicodeError, LookupError, ValueError, TypeError):
            return payload.decode("utf-8", _LENIENT)


class _HtmlToText(HTMLParser):
    """HTML as readable text. Nothing is fetched: images become their alt text, links their
    text followed by the address; scripts, styles and the head are dropped."""

    _SKIP = {"script", "style", "head", "title", "template", "noscript"}
    _BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
              "blockquote", "pre", "hr", "ul", "ol", "section", "article", "header", "footer"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.links: list[str | None] = []
        self.remote_images = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in self._SKIP:
            self.skipping += 1
        elif self.skipping:
            return
        elif tag == "img":
            src = (a.get("src") or "").strip().lower()
            if src.startswith(("http:", "https:", "//")):
                self.remote_images += 1
            alt = _clean_text(a.get("alt") or "")
            if alt:
                self.out.append(f"[image: {alt}]")
        elif tag == "a":
            self.links.append(a.get("href"))
        elif tag == "li":
            self.out.append("\n- ")
        elif tag in ("td", "th"):
            self.out.append(" ")
        if tag in self._BLOCK and tag != "li" and not self.skipping:
            self.out.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif self.skipping:
            return
        elif tag == "a" and self.links:
            href = (self.links.pop() or "").strip()
            if href and not href.lower().startswith(("javascript:", "#", "cid:")):
                target = href[7:] if href.lower().startswith("mailto:") else href
                if target not in "".join(self.out[-3:]):
                    self.out.append(f" ({target})")
        elif tag in self._BLOCK:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        lines = [" ".join(line.split()) for line in "".join(self.out).splitlines()]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> tuple[str, int]:
    """Readable text of an HTML body, and how many remote images it refers to (never fetched)."""
    parser = _HtmlToText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - a broken HTML body must still give its text
        return _clean_text(re.sub(r"<[^>]*>", " ", html), multiline=True), 0
    return _clean_text(parser.text(), multiline=True), parser.remote_images


# -- reading .eml / mbox messages -------------------------------------------------------------
def _header(msg: EmailMessage, name: str, notes: list[str]) -> Any:
    try:
        return msg[name]
    except Exception as exc:  # noqa: BLE001 - the header parser fails on some hostile input
        notes.append(_("The {name} header could not be read ({error}).").format(name=name, error=exc.__class__.__name__))
        return None


def _addresses(msg: EmailMessage, name: str, notes: list[str]) -> list[Address]:
    header = _header(msg, name, notes)
    if header is None:
        return []
    out: list[Address] = []
    try:
        for a in getattr(header, "addresses", ()):
            email = _clean_text(a.addr_spec).strip("<>")
            out.append(Address(_clean_text(a.display_name), email if "@" in email else ""))
    except Exception:  # noqa: BLE001 - fall back to the plain parser for malformed lists
        out = []
    if not out:
        for display, addr in getaddresses([_clean_text(str(header))]):
            if display or addr:
                out.append(Address(_clean_text(display), addr if "@" in addr else ""))
    return [a for a in out if a.name or a.email]


def _date(value: datetime | None, raw: str, notes: list[str]) -> When | None:
    if value is None:
        notes.append(_("The Date header {raw!r} could not be read.").format(raw=raw) if raw
                     else _("The email has no Date header."))
        return None
    if value.tzinfo is None:
        notes.append(_("The Date header gives no time zone; the time was taken as UTC."))
        value = value.replace(tzinfo=UTC)
    try:
        in_utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        notes.append(_("The Date header {raw!r} is out of range.").format(raw=raw))
        return None
    if in_utc.year < 1990 or in_utc.date() > clock.today() + timedelta(days=2):
        notes.append(_("The Date header says {date}, which looks wrong; check it.").format(date=value.date()))
    return When(value.date(), value)


def _part_name(part: MIMEPart, notes: list[str]) -> str | None:
    try:
        raw = part.get_filename()
    except Exception:  # noqa: BLE001
        raw = None
    if raw is None:
        return None
    raw = _clean_text(raw)
    name = clean_name(raw)
    if name != raw:
        notes.append(_("The attachment name {raw!r} had folders or odd characters in it; kept as {name!r}.").format(raw=raw, name=name))
    return name


def _message_bytes(msg: EmailMessage) -> bytes:
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_KEEP_POLICY).flatten(msg)
    return out.getvalue()


def _subject_file_name(subject: str, default: str) -> str:
    stem = re.sub(r'[\\/:*?"<>|]+', "-", subject).strip(" .-")[:100] or default
    return clean_name(f"{stem}.eml")


def _decoded(part: MIMEPart) -> bytes:
    """A part's content with its transfer encoding undone (a leaf part's is bytes)."""
    return cast(bytes, part.get_payload(decode=True) or b"")


def _estimated_size(part: MIMEPart) -> int:
    """The decoded size of a part, worked out from its encoded length without decoding."""
    raw = part.get_payload(decode=False)
    if not isinstance(raw, str):
        return 0
    cte = str(part.get("Content-Transfer-Encoding", "")).lower()
    if "base64" in cte:
        return (len(raw) - raw.count("\n") - raw.count("\r") - raw.count(" ")) * 3 // 4 - raw.rstrip().count("=")
    return len(raw)


def _read_email(raw: bytes, notes: list[str]) -> MessageParts:
    """The preview fields and attachment payloads of one RFC 5322 message."""
    try:
        # With an EmailPolicy the parser makes EmailMessage objects (typeshed says Message).
        msg = cast(EmailMessage, BytesParser(policy=_POLICY).parsebytes(raw))
    except Exception as exc:  # noqa: BLE001 - the parser is lenient, but not for everything
        notes.append(_("The email could not be parsed ({error}); only the file is kept.").format(error=exc.__class__.__name__))
        return _unread()

    date_header = _header(msg, "Date", notes)
    when = _date(getattr(date_header, "datetime", None), _clean_text(date_header or ""), notes)
    subject = _clean_text(_header(msg, "Subject", notes) or "")
    message_id = _clean_text(_header(msg, "Message-ID", notes) or "").replace(" ", "")
    senders = _addresses(msg, "From", notes)

    try:
        body_part = msg.get_body(preferencelist=("plain", "html"))
    except Exception:  # noqa: BLE001
        body_part = None
    texts: list[str] = []
    attachments: list[AttachmentInfo] = []
    payloads: list[Payload] = []
    remote_images = 0

    def text_of(part: MIMEPart, where: str) -> str:
        nonlocal remote_images
        try:
            payload = _decoded(part)
        except Exception:  # noqa: BLE001
            notes.append(_("{where}: the text could not be decoded.").format(where=where))
            return ""
        text = _decode_bytes(payload, part.get_content_charset(), where, notes)
        if part.get_content_subtype() == "html":
            text, images = html_to_text(text)
            remote_images += images
        return _clean_text(text, multiline=True)

    beyond_cap = 0

    def visit(part: MIMEPart, parent: str) -> None:
        nonlocal beyond_cap
        ctype = part.get_content_type()
        if part.get_content_maintype() == "multipart":
            for sub in part.iter_parts():
                visit(sub, ctype)
            return
        if len(attachments) >= MAX_ATTACHMENTS_PER_MESSAGE and part is not body_part:
            beyond_cap += 1  # counted, not read: thousands of tiny parts must not take minutes
            return
        disposition = part.get_content_disposition()
        name = _part_name(part, notes)
        if part is body_part:
            texts.insert(0, text_of(part, "The body"))
            return
        if ctype in ("text/plain", "text/html") and name is None and disposition != "attachment":
            if parent != "multipart/alternative":  # another rendering of the body: not new text
                texts.append(text_of(part, "A further text part"))
            return
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner_msg = inner[0] if isinstance(inner, list) and inner else None
            if not isinstance(inner_msg, EmailMessage):
                notes.append(_("A forwarded message could not be read."))
                return
            inner_subject = _clean_text(_header(inner_msg, "Subject", notes) or "")
            inner_from = _clean_text(_header(inner_msg, "From", notes) or "")
            texts.append(f"[Forwarded message attached: {inner_subject or '(no subject)'}"
                         f"{' from ' + inner_from if inner_from else ''}]")
            data = _message_bytes(inner_msg)
            attachments.append(AttachmentInfo(name or _subject_file_name(inner_subject, "forwarded message"),
                                              "message/rfc822", len(data)))
            payloads.append(partial(bytes, data))
            return
        inline = disposition == "inline" or (disposition is None and part.get("Content-ID") is not None)
        if name is None:
            ext = mimetypes.guess_extension(ctype) or ".bin"
            name = f"{'inline' if inline else 'attachment'}-{len(attachments) + 1}{ext}"
        size = _estimated_size(part)
        if size > MAX_ATTACHMENT_BYTES:
            note = (f"The attachment {name!r} (about {size / 1e6:,.0f} MB) is larger than the limit of "
                    f"{MAX_ATTACHMENT_BYTES / 1e6:,.0f} MB; it stays inside the original email, which is kept.")
            notes.append(note)
            attachments.append(AttachmentInfo(name, ctype, size, inline, stored=False, note=note))
            payloads.append(None)
            return
        # Decoded only when stored: the preview shows the size estimated from the encoding.
        attachments.append(AttachmentInfo(name, ctype, size, inline))
        payloads.append(partial(_decoded, part))

    try:
        visit(msg, "")
    except RecursionError:
        notes.append(_("The email's parts are nested too deeply; Docket read what it could."))
    if not any(t.strip() for t in texts):
        # Some mailers send an empty plain-text alternative; the HTML one then holds the text.
        try:
            html_part = msg.get_body(preferencelist=("html",))
        except Exception:  # noqa: BLE001
            html_part = None
        if html_part is not None and html_part is not body_part:
            texts.insert(0, text_of(html_part, "The HTML body"))
    if beyond_cap:
        notes.append(_("The email has {n:,} attachments or parts; Docket keeps the first {kept:,} attachments as evidence of their own. The other {beyond:,} stay inside the original email, which is kept whole.").format(n=len(attachments) + beyond_cap, kept=MAX_ATTACHMENTS_PER_MESSAGE, beyond=beyond_cap))
    if not any(t.strip() for t in texts):
        notes.append(_("The email has no readable text body."))
    if remote_images:
        notes.append(ngettext("The HTML body refers to {n} remote image; it was not fetched.", "The HTML body refers to {n} remote images; they were not fetched.", remote_images).format(n=remote_images))
    defects = sorted({d.__class__.__name__ for part in msg.walk() for d in getattr(part, "defects", ())})
    if defects:
        notes.append("The email is malformed in places (" + ", ".join(defects) + "); Docket read what it could.")
    return MessageParts(
        {"when": when, "subject": subject, "message_id": message_id,
         "sender": senders[0] if senders else None,
         "to": _addresses(msg, "To", notes), "cc": _addresses(msg, "Cc", notes),
         "body": "\n\n".join(t.strip("\n") for t in texts if t.strip()), "attachments": attachments},
        payloads,
    )


# -- reading Outlook .msg ---------------------------------------------------------------------
def _outlook_addresses(value: Any) -> list[Address]:
    if not value:
        return []
    text = _clean_text(value).replace(";", ",")
    return [Address(_clean_text(n), a if "@" in a else "") for n, a in getaddresses([text]) if n or a]


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return None


def read_outlook(msg: Any, notes: list[str]) -> MessageParts:
    """The preview fields and attachment payloads of an Outlook message as ``extract_msg``
    gives it (``subject``, ``sender``, ``to``, ``cc``, ``date``, ``messageId``, ``body``,
    ``htmlBody``, ``attachments`` with ``longFilename``/``shortFilename``, ``mimetype``,
    ``data``). Any attribute may be missing or fail to read."""

    def get(name: str) -> Any:
        try:
            return getattr(msg, name, None)
        except Exception as exc:  # noqa: BLE001 - extract_msg raises on damaged properties
            notes.append(_("The Outlook property {name!r} could not be read ({error}).").format(name=name, error=exc.__class__.__name__))
            return None

    # The transport headers keep the sender's UTC offset; extract_msg's own date is in UTC.
    header = get("header")
    try:
        header_date = header.get("Date") if header is not None else None
    except Exception:  # noqa: BLE001
        header_date = None
    candidates = [header_date, get("date")]
    moment = next((m for m in map(_as_datetime, candidates) if m is not None), None)
    shown = next((str(c) for c in candidates if c), "")
    when = _date(moment, shown, notes) if moment or shown else None
    if moment is None and not shown:
        notes.append(_("The Outlook message has no sent date."))
    senders = _outlook_addresses(get("sender"))
    body = get("body")
    text = _clean_text(body, multiline=True) if isinstance(body, str) else ""
    if not text.strip():
        html = get("htmlBody")
        if isinstance(html, bytes):
            html = _decode_bytes(html, "utf-8", "The HTML body", notes)
        if isinstance(html, str) and html.strip():
            text, images = html_to_text(html)
            if images:
                notes.append(ngettext("The HTML body refers to {n} remote image; it was not fetched.", "The HTML body refers to {n} remote images; they were not fetched.", images).format(n=images))
    if not text.strip():
        notes.append(_("The Outlook message has no readable text body."))
    attachments: list[AttachmentInfo] = []
    payloads: list[Payload] = []
    for n, att in enumerate(get("attachments") or [], start=1):
        try:
            raw_name = _clean_text(getattr(att, "longFilename", None) or getattr(att, "shortFilename", None)
                                   or getattr(att, "name", None) or "")
            data = getattr(att, "data", None)
            media = _clean_text(getattr(att, "mimetype", None) or "")
        except Exception as exc:  # noqa: BLE001
            notes.append(_("Attachment {n} could not be read ({error}).").format(n=n, error=exc.__class__.__name__))
            continue
        name = clean_name(raw_name) if raw_name else ""
        if raw_name and name != raw_name:
            notes.append(_("The attachment name {raw_name!r} had folders or odd characters in it; kept as {name!r}.").format(raw_name=raw_name, name=name))
        if not isinstance(data, bytes):
            # An embedded Outlook item (a forwarded message): its text goes with the email.
            inner_subject = _clean_text(getattr(data, "subject", "") or "") if data is not None else ""
            note = f"The embedded item {name or inner_subject or n!r} is kept only inside the original .msg file."
            notes.append(note)
            attachments.append(AttachmentInfo(name or f"embedded-{n}.msg", "application/vnd.ms-outlook", 0,
                                              stored=False, note=note))
            payloads.append(None)
            continue
        name = name or f"attachment-{n}{mimetypes.guess_extension(media or '') or '.bin'}"
        media = media or mimetypes.guess_type(name)[0] or "application/octet-stream"
        if len(data) > MAX_ATTACHMENT_BYTES:
            note = (f"The attachment {name!r} is larger than the limit of {MAX_ATTACHMENT_BYTES / 1e6:,.0f} MB; "
                    "it stays inside the original .msg file, which is kept.")
            notes.append(note)
            attachments.append(AttachmentInfo(name, media, len(data), stored=False, note=note))
            payloads.append(None)
            continue
        attachments.append(AttachmentInfo(name, media, len(data)))
        payloads.append(partial(bytes, data))
    return MessageParts(
        {"when": when, "subject": _clean_text(get("subject") or ""),
         "message_id": _clean_text(get("messageId") or "").replace(" ", ""),
         "sender": senders[0] if senders else None,
         "to": _outlook_addresses(get("to")), "cc": _outlook_addresses(get("cc")),
         "body": text, "attachments": attachments},
        payloads,
    )


# -- files ------------------------------------------------------------------------------------
def _kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".mbox":
        return "mbox"
    if suffix == ".msg":
        return "msg"
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise DocketError(_("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)) from None
    return "msg" if head == _OLE_MAGIC else "eml"


def _fallback_when(path: Path, mbox_from: str | None, notes: list[str]) -> When:
    """A date-only value for a message without a usable Date: the mbox separator line's date,
    else the file's modification date, else today."""
    if mbox_from:
        try:
            moment = datetime.strptime(" ".join(mbox_from.split()[-5:]), "%a %b %d %H:%M:%S %Y")
            notes.append(_(_GUESSED_DATE_NOTES[0]).format(date=moment.date()))
            return When(moment.date())
        except ValueError:
            pass
    try:
        day = datetime.fromtimestamp(path.stat().st_mtime).date()
        notes.append(_(_GUESSED_DATE_NOTES[1]).format(day=day))
        return When(day)
    except (OSError, ValueError, OverflowError):
        day = clock.today()
        notes.append(_(_GUESSED_DATE_NOTES[2]).format(day=day))
        return When(day)


def _build(path: Path, kind: str, position: int, original_name: str, sha: str, size: int,
           read: MessageParts, notes: list[str], mbox_from: str | None = None) -> ParsedEmail:
    f = read.fields
    when = f.get("when") or _fallback_when(path, mbox_from, notes)
    subject = f.get("subject", "")
    summary = (subject or f"Email: {original_name} (no subject)")[:MAX_LINE].strip()
    return ParsedEmail(
        source=path, source_kind=kind, position=position, original_name=original_name,
        raw_sha256=sha, raw_size=size, message_id=f.get("message_id", ""), at=when.iso(),
        date_known=f.get("when") is not None, sender=f.get("sender"), to=f.get("to", []),
        cc=f.get("cc", []), subject=subject, body=f.get("body", ""),
        attachments=f.get("attachments", []), notes=list(dict.fromkeys(notes)), summary=summary,
        readable=f.get("readable", True),
    )


def _unread() -> MessageParts:
    return MessageParts({"subject": "", "body": "", "attachments": [], "readable": False}, [])


def _read_single(path: Path, kind: str) -> tuple[ParsedEmail, list[Payload]]:
    notes: list[str] = []
    sha, size = hash_file(path)
    if size > MAX_MESSAGE_BYTES:
        notes.append(_("The file is {size:,.0f} MB, too large to read; it is kept as evidence only.").format(size=size / 1e6))
        read = _unread()
    elif kind == "msg":
        read = _read_msg_file(path, notes)
    else:
        read = _read_email(path.read_bytes(), notes)
    return _build(path, kind, 0, clean_name(path.name), sha, size, read, notes), read.payloads


def _read_msg_file(path: Path, notes: list[str]) -> MessageParts:
    try:
        import extract_msg
    except ImportError:  # pragma: no cover - a dependency of Docket
        notes.append(_("Outlook .msg files cannot be read: the extract-msg library is missing."))
        return _unread()
    try:
        msg = extract_msg.openMsg(str(path), delayAttachments=False)
    except Exception as exc:  # noqa: BLE001 - any damage in the compound file
        notes.append(_("The file could not be read as an Outlook message ({error}); it is kept as evidence only.").format(error=exc.__class__.__name__))
        return _unread()
    try:
        # read_outlook takes each attachment's bytes while the file is open.
        return read_outlook(msg, notes)
    finally:
        with contextlib.suppress(Exception):  # closing a damaged file must not hide the result
            msg.close()


# The separator line of an mbox: "From " and the sender, then a date as asctime() writes it
# ("Mon Mar  2 10:00:00 2026", maybe with a zone). A body line that merely starts with "From "
# ("From the start you promised...") is not one, whether or not the writer escaped it.
_SEPARATOR = re.compile(
    rb"From \S+\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    rb"\s+\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?\s+(?:\S+\s+)?\d{4}")
_ESCAPED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


class _Mbox(mailbox.mbox):
    """The standard library's mbox, splitting only at real separator lines."""

    def _generate_toc(self) -> None:
        starts: list[int] = []
        stops: list[int] = []
        last_was_empty = False
        fh: Any = self._file  # type: ignore[attr-defined]  # mailbox's own open file
        fh.seek(0)
        while True:
            line_pos = fh.tell()
            line = fh.readline()
            if line.startswith(b"From ") and _SEPARATOR.match(line):
                if len(stops) < len(starts):
                    stops.append(line_pos - len(mailbox.linesep) if last_was_empty else line_pos)
                starts.append(line_pos)
                last_was_empty = False
            elif not line:
                if len(stops) < len(starts):
                    stops.append(line_pos - len(mailbox.linesep) if last_was_empty else line_pos)
                break
            else:
                last_was_empty = line in (b"\n", b"\r\n")
        self._toc = dict(enumerate(zip(starts, stops, strict=True)))
        self._next_key = len(self._toc)
        self._file_length = fh.tell()


def _open_mbox(path: Path) -> tuple[mailbox.mbox, list[str]]:
    try:
        box = _Mbox(path, create=False)
        keys = box.keys()
    except Exception as exc:  # noqa: BLE001
        raise DocketError(_("Cannot read the mailbox {path}: {exc}").format(path=path, exc=exc)) from None
    if len(keys) > MAX_MESSAGES_PER_IMPORT:
        box.close()
        raise ValidationError(str(path), _("holds {length:,} messages; Docket reads at most {limit:,} at a time. Keep only the messages about this case in the mailbox (or split it) and try again.").format(length=len(keys), limit=MAX_MESSAGES_PER_IMPORT))
    return box, keys


def _mbox_message(box: mailbox.mbox, key: str) -> tuple[bytes, str | None]:
    """One message as its sender wrote it (``>From `` lines unescaped), and its separator line."""
    first, _unused, raw = box.get_bytes(key, from_=True).partition(b"\n")
    from_line = first.decode("ascii", "replace")[5:] if first.startswith(b"From ") else None
    return _ESCAPED_FROM.sub(rb"\1", raw), from_line


def _mbox_messages(path: Path) -> Iterator[tuple[int, bytes, str | None]]:
    box, keys = _open_mbox(path)
    try:
        for n, key in enumerate(keys):
            # The separator line ("From sender date") carries a date to fall back on.
            raw, from_line = _mbox_message(box, key)
            yield n, raw, from_line
    finally:
        box.close()


def _read_mbox(path: Path) -> Iterator[tuple[ParsedEmail, int]]:
    """Each message of an mbox as an item, with its size; read one at a time."""
    for n, raw, from_line in _mbox_messages(path):
        notes: list[str] = []
        if len(raw) > MAX_MESSAGE_BYTES:
            notes.append(_("The message is too large to read; it is kept as evidence only."))
            read = _unread()
        else:
            read = _read_email(raw, notes)
        name = clean_name(f"{path.stem} message {n + 1}.eml")
        yield _build(path, "mbox", n, name, hashlib.sha256(raw).hexdigest(), len(raw), read,
                     notes, mbox_from=from_line), len(raw)


def _check_path(path: Path) -> None:
    if not path.exists():
        raise ValidationError(str(path), _("no such file"))
    if not path.is_file():
        raise ValidationError(str(path), _("is not a file"))


def parse_messages(paths: Iterable[Path | str], *, progress: Progress | None = None) -> list[ParsedEmail]:
    """Read saved emails (``.eml``, ``.msg``, ``.mbox``; one item per message) in date order.

    Nothing in the store changes. A file that is missing raises :class:`ValidationError`
    naming it; a message that is damaged becomes an item with notes saying what could not
    be read. ``progress(bytes_read, total_bytes)`` may return False to cancel
    (:class:`~core.evidence.Cancelled`).
    """
    files = [Path(p) for p in paths]
    for path in files:
        _check_path(path)
    total = sum(path.stat().st_size for path in files)
    done = 0

    def advance(size: int) -> None:
        nonlocal done
        done += size
        if progress is not None and progress(min(done, total), total) is False:
            raise Cancelled(_("Cancelled; nothing was read."))

    items: list[ParsedEmail] = []

    def room_for_more(path: Path) -> None:
        if len(items) >= MAX_MESSAGES_PER_IMPORT:
            raise ValidationError(str(path), _("more than {limit:,} messages in one go; import them in smaller lots").format(limit=MAX_MESSAGES_PER_IMPORT))

    for path in files:
        if _kind_of(path) == "mbox":
            for item, size in _read_mbox(path):
                room_for_more(path)
                items.append(item)
                advance(size)
        else:
            room_for_more(path)
            item = _read_single(path, _kind_of(path))[0]
            items.append(item)
            advance(item.raw_size)
    return sorted(items, key=lambda i: i.when.sort_key())


# -- direction and contact --------------------------------------------------------------------
def work_out_direction(item: ParsedEmail, own: AbstractSet[str], contact_emails: AbstractSet[str] = frozenset()) -> str:
    """From one of your addresses: to the company; from anyone else: from the company; no
    sender at all: internal. Without your addresses, the case's contacts decide."""
    sender = (item.sender.email if item.sender else "").lower()
    recipients = {a.email.lower() for a in item.recipients if a.email}
    if not sender:
        return Direction.INTERNAL.value
    if own:
        return Direction.TO_COMPANY.value if sender in own else Direction.FROM_COMPANY.value
    if sender not in contact_emails and recipients & contact_emails:
        return Direction.TO_COMPANY.value
    return Direction.FROM_COMPANY.value


def counterpart(item: ParsedEmail, direction: str, own: set[str]) -> Address | None:
    """The other side of the email, never yourself: the first recipient of a message to the
    company, the sender of any other (each falling back on the rest of From/To/Cc)."""
    people = [*item.recipients, *([item.sender] if item.sender else [])]
    if direction != Direction.TO_COMPANY:
        people = [*([item.sender] if item.sender else []), *item.recipients]
    return next((a for a in people if a.email.lower() not in own), None)


_NO_OWN_NOTE = N_("Your email addresses are not set in Settings, so the direction was guessed; "
                  "add them to have it worked out.")


def suggest(target: Store | Session, *, case_id: int, items: Iterable[ParsedEmail],
            own_addresses: set[str] | None = None) -> None:
    """Fill in direction and contact of each item the user has not decided: a contact of the
    case with the same email address, else a new contact offered from From/To. Only the
    items change; the store does not."""
    from core.journal import settings

    items = list(items)
    if isinstance(target, Session):
        own = own_addresses if own_addresses is not None else settings.own_email_addresses(target)
        contacts = _case_contacts(target, case_id)
    else:
        with target.read() as session:
            own = own_addresses if own_addresses is not None else settings.own_email_addresses(session)
            contacts = _case_contacts(session, case_id)
    own = {a.lower() for a in own}
    by_email = {c.email.strip().lower(): c.id for c in contacts if c.email.strip()}
    for item in items:
        if item.direction is None:
            item.direction = work_out_direction(item, own, set(by_email))
            if not own and item.sender and _(_NO_OWN_NOTE) not in item.notes:
                item.notes.append(_(_NO_OWN_NOTE))
        if not item.contact_decided:
            other = counterpart(item, item.direction, own)
            item.contact_id = by_email.get(other.email.lower()) if other and other.email else None
            item.new_contact = other if item.contact_id is None and other is not None else None
            item.contact_decided = True


def _case_contacts(session: Session, case_id: int) -> list[Contact]:
    return list(session.scalars(select(Contact).where(Contact.case_id == case_id).order_by(Contact.id)))


def already_imported(store: Store, *, case_id: int, items: Iterable[ParsedEmail]) -> list[bool]:
    """For each item, whether the case already has it (same Message-ID or same bytes)."""
    with store.read() as session:
        ids, hashes = _known(session, case_id)
    return [_is_known(item, ids, hashes) for item in items]


@dataclass(slots=True)
class EmailPreview:
    """Saved emails read for a case, before any is imported."""

    items: list[ParsedEmail]  # in date order, direction and contact suggested
    already_imported: list[bool]  # per item: the case already has it
    own_addresses: set[str]  # the user's addresses the suggestions were worked out with


def preview_emails(store: Store, *, case_id: int, paths: Iterable[Path | str],
                   progress: Progress | None = None) -> EmailPreview:
    """Read saved emails for a case and suggest each one's direction and contact
    (:func:`suggest`), saying which the case already has. Nothing in the store changes; the
    items can be edited and passed to :func:`import_emails`."""
    from core.journal import settings

    items = parse_messages(paths, progress=progress)
    own = settings.own_email_addresses(store)
    suggest(store, case_id=case_id, items=items, own_addresses=own)
    return EmailPreview(items, already_imported(store, case_id=case_id, items=items), own)


def _known(session: Session, case_id: int) -> tuple[set[str], set[str]]:
    refs = session.scalars(
        select(Event.reference).where(Event.case_id == case_id, Event.kind == EventKind.EMAIL,
                                      Event.reference.startswith(REFERENCE_PREFIX))
    )
    hashes = session.scalars(
        select(Evidence.sha256)
        .join(event_evidence, event_evidence.c.evidence_id == Evidence.id)
        .join(Event, Event.id == event_evidence.c.event_id)
        .where(Evidence.case_id == case_id, Event.kind == EventKind.EMAIL)
    )
    return {r[len(REFERENCE_PREFIX):].lower() for r in refs}, set(hashes)


def _is_known(item: ParsedEmail, ids: set[str], hashes: set[str]) -> bool:
    return (bool(item.message_id) and item.message_id.lower() in ids) or item.raw_sha256 in hashes


# -- importing --------------------------------------------------------------------------------
class _Sources:
    """Reads each item's bytes again at import time, checking they are what was previewed.

    An mbox is opened once and each message read from it as needed, so a large mailbox is
    never held in memory whole.
    """

    def __init__(self) -> None:
        self.boxes: dict[Path, tuple[mailbox.mbox, list[str]]] = {}

    def load(self, item: ParsedEmail) -> tuple[bytes | Path, list[Payload]]:
        """The original (bytes for an mbox message, else the file) and attachment payloads."""
        _check_path(item.source)
        if item.source_kind != "mbox":
            read_item, payloads = _read_single(item.source, item.source_kind)
            if read_item.raw_sha256 != item.raw_sha256:
                raise _changed(item)
            return item.source, payloads
        if item.source not in self.boxes:
            self.boxes[item.source] = _open_mbox(item.source)
        box, keys = self.boxes[item.source]
        raw = _mbox_message(box, keys[item.position])[0] if item.position < len(keys) else b""
        if hashlib.sha256(raw).hexdigest() != item.raw_sha256:
            raise _changed(item)
        return raw, [] if len(raw) > MAX_MESSAGE_BYTES else _read_email(raw, []).payloads

    def close(self) -> None:
        for box, _kind in self.boxes.values():
            box.close()


def _changed(item: ParsedEmail) -> DocketError:
    return DocketError(_("{label} changed since it was read; read it again. Nothing was added.").format(label=item.label))


def _details(item: ParsedEmail, notes: list[str]) -> str:
    """The event's details: a short header block, the text, then the import notes. Each part
    is bounded so that the whole always fits the details field; the body gives way first."""

    def bounded(text: str, limit: int) -> str:
        return text if len(text) <= limit else text[: limit - 1] + "…"

    head = []
    if item.sender:
        head.append(f"From: {item.sender.label()}")
    if item.to:
        head.append("To: " + ", ".join(a.label() for a in item.to))
    if item.cc:
        head.append("Cc: " + ", ".join(a.label() for a in item.cc))
    head.append(f"Date: {item.at}")
    if item.attachments:
        head.append("Attachments: " + ", ".join(a.name for a in item.attachments))
    head_text = "\n".join(bounded(line, 2_000) for line in head)
    tail = bounded("\n\nNotes from the import:\n" + "\n".join(f"- {n}" for n in notes), 20_000) if notes else ""
    room = MAX_TEXT - len(head_text) - len(tail) - 200
    body = item.body.rstrip()
    if len(body) > room:
        body = body[:room] + "\n\n[The text was cut to fit; the full email is kept as evidence.]"
    return head_text + "\n\n" + body + tail


def _new_file(session: Session, stored: Any) -> None:
    unit_of(session).keep_new_file(stored)  # removed again if the transaction rolls back


def import_emails(store: Store, *, case_id: int, items: list[ParsedEmail],
                  own_addresses: set[str] | None = None,
                  progress: Progress | None = None) -> ImportResult:
    """Add each message as an ``email`` event of the case, in one transaction (all or nothing).

    Per message: the event (date with its offset, direction, contact, subject as summary, the
    text as details), the original message kept unchanged as evidence linked to it, and each
    attachment as its own evidence item linked to it. New contacts are created as chosen. A
    message already in the case (same Message-ID or same bytes) is skipped and listed.
    ``progress(done, total)`` may return False to cancel: nothing is written then.

    The rows of every message are written together in one flush (one round of INSERTs and of
    history records), and the files copied in are flushed to disk together before the commit.
    """
    result = ImportResult()
    if len(items) > MAX_MESSAGES_PER_IMPORT:
        raise ValidationError("emails", _("{length:,} messages; Docket adds at most {limit:,} in one go. Nothing was added.").format(length=len(items), limit=MAX_MESSAGES_PER_IMPORT))
    ordered = sorted(items, key=lambda i: i.when.sort_key())
    sources = _Sources()
    with contextlib.closing(sources), store.write() as session:
        case = get_case(session, case_id)
        suggest(session, case_id=case_id, items=ordered, own_addresses=own_addresses)
        ids, hashes = _known(session, case_id)
        # The case's contacts stay loaded while the messages are checked: each event checks its
        # contact, and the session forgets an object nothing holds (a query per message).
        held = list(_case_contacts(session, case_id))
        contacts = {c.email.strip().lower(): c.id for c in held if c.email.strip()}
        # A new contact is named as any message of the lot names that address, since the
        # first message may give the address alone.
        names = {a.email.lower(): a.name for i in ordered for a in [*([i.sender] if i.sender else []), *i.recipients]
                 if a.email and a.name}
        added: list[tuple[Event, list[Evidence]]] = []
        files: list[StoredFile] = []
        # Nothing is flushed per message: each check reads what the session already holds.
        with session.no_autoflush:
            for n, item in enumerate(ordered):
                if progress is not None and progress(n, len(ordered)) is False:
                    raise Cancelled(_("Cancelled; no email was added."))
                if _is_known(item, ids, hashes):
                    result.skipped_duplicates.append(item)
                    continue
                try:
                    added.append(_import_one(session, store, case, item, sources, contacts, names, files, held))
                except ValidationError as exc:
                    raise ValidationError(f"{item.label}: {exc.path}", exc.message) from None
                result.notes += [f"{item.label}: {note}" for note in item.notes]
                if item.message_id:
                    ids.add(item.message_id.lower())
                hashes.add(item.raw_sha256)
        session.flush()
        for event, evidence in added:
            result.event_ids.append(event.id)
            for row in evidence:
                evidence_text.record_text(session, sha256=row.sha256, path=store.evidence.path_for(row.sha256),
                                          name=row.original_name, media_type=row.media_type)
        store.evidence.sync_files(files)
        if progress is not None:
            progress(len(ordered), len(ordered))
    return result


def _import_one(session: Session, store: Store, case: Case, item: ParsedEmail, sources: _Sources,
                contacts: dict[str, int], names: dict[str, str],
                files: list[StoredFile], held: list[Contact]) -> tuple[Event, list[Evidence]]:
    """Add one message's event and evidence to the session (not flushed); the files are
    copied into the evidence store and listed in ``files`` to be made durable together, and
    a contact made for it is kept in ``held``."""
    original, payloads = sources.load(item)
    contact_id = item.contact_id
    if contact_id is None and item.new_contact is not None:
        key = item.new_contact.email.lower()
        contact_id = contacts.get(key) if key else None
        if contact_id is None:
            name = item.new_contact.name or names.get(key) or item.new_contact.contact_name()
            contact_id = add_contact(session, case_id=case.id, name=name[:300], email=item.new_contact.email[:300])
            held.append(session.get_one(Contact, contact_id))
            if key:
                contacts[key] = contact_id
    event = new_event(
        session, case=case, at=item.at, kind=EventKind.EMAIL.value, summary=item.summary,
        direction=item.direction or Direction.INTERNAL.value, contact_id=contact_id,
        details=_details(item, item.notes), reference=item.reference(),
    )
    day = item.when.day
    try:
        # Checked against the preview's hash as it is copied: what is kept is what was read.
        with open(original, "rb") if isinstance(original, Path) else io.BytesIO(original) as stream:
            stored = store.evidence.add_stream(stream, total=item.raw_size, expected_sha256=item.raw_sha256,
                                               sync=False)
    except ValidationError:
        raise _changed(item) from None
    _new_file(session, stored)
    files.append(stored)
    media = "application/vnd.ms-outlook" if item.source_kind == "msg" else "message/rfc822"
    evidence = [new_evidence(session, case=case, stored=stored, original_name=item.original_name,
                             description=f"Original email: {item.summary}"[:MAX_LINE], captured_on=day,
                             events=[event], media_type=media)]
    for info, payload in zip(item.attachments, payloads, strict=False):
        if payload is None or not info.stored:
            continue
        data = payload()
        stored = store.evidence.add_stream(io.BytesIO(data), total=len(data), max_size=MAX_ATTACHMENT_BYTES,
                                           sync=False)
        _new_file(session, stored)
        files.append(stored)
        evidence.append(new_evidence(session, case=case, stored=stored, original_name=info.name,
                                     description=f"Attachment of the email: {item.summary}"[:MAX_LINE],
                                     captured_on=day, events=[event], media_type=info.media_type))
    return event, evidence
