"""The text inside evidence files: extracted once, kept beside the file, found by search.

A PDF gives the text of its text layer page by page (so a search can say "page 1"), an email
(.eml) its subject, senders and bodies, a text file its text; an image gives text only through
OCR, which is an optional extra (``pip install "docket[ocr]"``). The text is stored per file
content (SHA-256) in ``evidence_texts`` / ``evidence_text_pages`` with its own FTS5 index; the
evidence file itself is never touched. Nothing here opens a network connection.

Attaching a file extracts its text in the same unit of work (:func:`record_text`, called by
``record_evidence``); files stored before this existed are indexed by :func:`index_pending`,
which the window runs in a worker with progress and cancel.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import importlib.util
import io
import logging
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from core.domain import clock
from core.i18n import N_, _
from core.store.files import Cancelled
from core.store.store import Store

# A file's text beyond this is not kept: a search needs words, not whole books.
MAX_CHARS = 2_000_000
# Text files larger than this are read only this far.
MAX_TEXT_BYTES = 8 * 1024 * 1024

INDEXED = "indexed"  # text found and searchable
NO_TEXT = "no_text"  # a readable file with no text in it (a scanned PDF without OCR)
NEEDS_OCR = "needs_ocr"  # an image, and OCR is not installed
UNSUPPORTED = "unsupported"  # a kind of file Docket cannot read text from
FAILED = "failed"  # the file could not be read (damaged, encrypted)

TEXT_SUFFIXES = {".txt", ".text", ".csv", ".md", ".log", ".json", ".xml", ".html", ".htm", ".ics", ".vcf"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
EMAIL_SUFFIXES = {".eml"}
OUTLOOK_SUFFIXES = {".msg"}

OCR_MODULE = "rapidocr_onnxruntime"
OCR_HINT = N_('Pictures are not searched: install the OCR extra with  pip install "docket[ocr]"')

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExtractedText:
    """What was read from one file. ``pages`` are numbered from 1 when ``paged``, else one
    text stored as page 0."""

    state: str
    method: str = ""
    pages: tuple[str, ...] = ()
    paged: bool = False
    note: str = ""


def text_digest(pages: Iterable[str]) -> str:
    """SHA-256 of a file's stored pages in order, joined by form feeds (verification
    recomputes it from ``evidence_text_pages``)."""
    return hashlib.sha256("\f".join(pages).encode("utf-8")).hexdigest()


def ocr_available() -> bool:
    """Whether the optional OCR engine is installed (images are searched only then) and not
    switched off with ``DOCKET_NO_OCR=1`` (reading a picture takes seconds; the test suite
    switches it off except where it tests it)."""
    if os.environ.get("DOCKET_NO_OCR") == "1":
        return False
    return importlib.util.find_spec(OCR_MODULE) is not None


# -- extraction --------------------------------------------------------------------------------
def kind_of(name: str, media_type: str) -> str:
    """``pdf``, ``email``, ``text``, ``image`` or ``other``, from the media type and the name."""
    suffix = Path(name).suffix.lower()
    if media_type == "application/pdf" or suffix == ".pdf":
        return "pdf"
    if media_type == "message/rfc822" or suffix in EMAIL_SUFFIXES:
        return "email"
    if media_type == "application/vnd.ms-outlook" or suffix in OUTLOOK_SUFFIXES:
        return "outlook"
    if media_type.startswith("image/") or suffix in IMAGE_SUFFIXES:
        return "image"
    if media_type.startswith("text/") or suffix in TEXT_SUFFIXES:
        return "text"
    return "other"


def extract_text(path: Path, *, name: str, media_type: str, ocr: bool | None = None,
                 key: bytes | None = None) -> ExtractedText:
    """Read the text of a stored file. Never raises for a bad file: says FAILED instead.

    ``ocr`` (default: when installed) lets images go through OCR, which takes seconds.
    ``key`` is the data key of a protected store: the file is then sealed, and is read from
    its seal in memory (never written out in clear).
    """
    kind = kind_of(name, media_type)
    source = _Source(path, key)
    try:
        if kind == "pdf":
            return _from_pdf(source)
        if kind == "email":
            return _done("email", (_from_email(source),))
        if kind == "outlook":
            return _done("email", (_from_outlook(source),))
        if kind == "text":
            return _done("text", (_from_text_file(source, html_like=Path(name).suffix.lower() in {".html", ".htm"}),))
        if kind == "image":
            if not (ocr_available() if ocr is None else ocr):
                return ExtractedText(NEEDS_OCR, note=_(OCR_HINT))
            return _done("ocr", (_from_image(source),))
    except Exception as exc:  # noqa: BLE001 - a damaged file must not stop an attachment
        log.info("no text from %s: %s", name, exc)
        return ExtractedText(FAILED, method=kind, note=f"{type(exc).__name__}: {exc}"[:300])
    return ExtractedText(UNSUPPORTED)


@dataclass(frozen=True, slots=True)
class _Source:
    """A stored file, clear or sealed (:mod:`core.store.crypto`)."""

    path: Path
    key: bytes | None

    def open(self) -> BinaryIO:
        if self.key is None:
            return open(self.path, "rb")
        from core.store.crypto import open_sealed

        return open_sealed(self.path, self.key)

    def for_reader(self) -> Path | io.BytesIO:
        """A path, or for a sealed file its content in memory (readers that seek need it)."""
        if self.key is None:
            return self.path
        with self.open() as fh:
            return io.BytesIO(fh.read())


def _done(method: str, pages: tuple[str, ...], *, paged: bool = False) -> ExtractedText:
    pages = _bounded(pages)
    state = INDEXED if any(p.strip() for p in pages) else NO_TEXT
    return ExtractedText(state, method, pages if state == INDEXED else (), paged)


def _bounded(pages: tuple[str, ...]) -> tuple[str, ...]:
    kept: list[str] = []
    room = MAX_CHARS
    for page in pages:
        page = page.replace("\x00", "")
        kept.append(page[:room])
        room -= len(kept[-1])
    return tuple(kept)


def _from_pdf(source: _Source) -> ExtractedText:
    from pypdf import PdfReader

    reader = PdfReader(source.for_reader())
    if reader.is_encrypted:
        try:  # many PDFs are "encrypted" with an empty password only to forbid printing
            reader.decrypt("")
        except Exception:  # noqa: BLE001
            return ExtractedText(FAILED, "pdf", note=_("the PDF is protected by a password"))
    pages = []
    total = 0
    for page in reader.pages:
        text = page.extract_text() or ""
        pages.append(text)
        total += len(text)
        if total > MAX_CHARS:
            break
    return _done("pdf", tuple(pages), paged=True)


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "tr", "li", "h1", "h2", "h3"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    return re.sub(r"[ \t]+", " ", html.unescape("".join(parser.parts))).strip()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _from_text_file(source: _Source, *, html_like: bool) -> str:
    with source.open() as fh:
        text = _decode(fh.read(MAX_TEXT_BYTES))
    return html_to_text(text) if html_like else text


def _from_email(source: _Source) -> str:
    with source.open() as fh:
        message = email.message_from_binary_file(fh, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    # Each header once: the email package parses a header again on every access.
    headers = [(key, message[key]) for key in ("Subject", "From", "To", "Date")]
    parts = [f"{key}: {value}" for key, value in headers if value]
    plain: list[str] = []
    markup: list[str] = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html"):
            continue
        try:
            content = part.get_content()
        except (LookupError, UnicodeError):
            payload = part.get_payload(decode=True)
            content = _decode(payload) if isinstance(payload, bytes) else ""
        (plain if ctype == "text/plain" else markup).append(str(content))
    # The plain body says it all when there is one; HTML alone is turned into text.
    parts.extend(plain or [html_to_text(m) for m in markup])
    return "\n".join(parts)


def _from_outlook(source: _Source) -> str:
    import extract_msg  # a dependency of Docket (the email import reads .msg files with it)

    where = source.for_reader()
    msg: Any = extract_msg.openMsg(str(where) if isinstance(where, Path) else where.getvalue())  # a Message; typed as its base class
    try:
        parts = [f"{label}: {value}" for label, value in
                 (("Subject", msg.subject), ("From", msg.sender), ("To", msg.to), ("Date", msg.date)) if value]
        body = str(msg.body or "")
        if not body.strip() and msg.htmlBody:
            html_body = msg.htmlBody
            body = html_to_text(_decode(html_body) if isinstance(html_body, bytes) else str(html_body))
        parts.append(body)
        return "\n".join(parts)
    finally:
        msg.close()


def _from_image(source: _Source) -> str:
    engine = _ocr_engine()
    where = source.for_reader()
    result, _elapsed = engine(str(where) if isinstance(where, Path) else where.getvalue())
    # NFKC: the engine's models also read Chinese and give full-width commas and digits.
    return unicodedata.normalize("NFKC", "\n".join(str(line[1]) for line in (result or [])))


_ENGINE: Any = None


def _ocr_engine() -> Any:
    global _ENGINE
    if _ENGINE is None:
        from rapidocr_onnxruntime import RapidOCR  # the optional extra (untyped: see pyproject)

        _ENGINE = RapidOCR()
    return _ENGINE


# -- storing -----------------------------------------------------------------------------------
def save_text(session: Session, *, sha256: str, extracted: ExtractedText) -> None:
    """Store (or replace) the text of the file ``sha256``; its search index follows."""
    conn = session.connection()
    rows = [(sha256, (i + 1) if extracted.paged else 0, body)
            for i, body in enumerate(extracted.pages) if body.strip()]
    conn.exec_driver_sql("DELETE FROM evidence_texts WHERE sha256 = ?", (sha256,))
    conn.exec_driver_sql(
        "INSERT INTO evidence_texts(sha256, state, method, pages, chars, text_sha256, extracted_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (sha256, extracted.state, extracted.method, len(extracted.pages), sum(map(len, extracted.pages)),
         text_digest(row[2] for row in rows), clock.now().isoformat(sep=" ")),
    )
    if rows:
        conn.exec_driver_sql("INSERT INTO evidence_text_pages(sha256, page, body) VALUES (?, ?, ?)", rows)


def record_text(session: Session, *, sha256: str, path: Path, name: str, media_type: str,
                extracted: ExtractedText | None = None, key: bytes | None = None) -> None:
    """Make sure the file ``sha256`` has its text stored: ``extracted`` if given (read before
    the write lock was taken), else read now without OCR (pictures wait for :func:`index_pending`).
    A file already read is not read again."""
    conn = session.connection()
    state = conn.exec_driver_sql("SELECT state FROM evidence_texts WHERE sha256 = ?", (sha256,)).scalar()
    if state is not None and (extracted is None or state != NEEDS_OCR):
        return
    if extracted is None:
        extracted = extract_text(path, name=name, media_type=media_type, ocr=False, key=key)
    save_text(session, sha256=sha256, extracted=extracted)


@dataclass(slots=True)
class IndexSummary:
    """What :func:`index_pending` did."""

    indexed: int = 0
    without_text: int = 0
    failed: int = 0
    waiting_for_ocr: int = 0
    total: int = 0
    notes: list[str] = field(default_factory=list)


# progress(done, total, name) -> False to cancel
IndexProgress = Callable[[int, int, str], bool | None]


def pending_files(store: Store, *, ocr: bool | None = None) -> list[tuple[str, str, str]]:
    """Stored files whose text was never read (or pictures read before OCR was installed):
    ``(sha256, name, media_type)``, oldest first."""
    with_ocr = ocr_available() if ocr is None else ocr
    with store.read() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT e.sha256, e.original_name, e.media_type FROM evidence AS e "
            "LEFT JOIN evidence_texts AS t ON t.sha256 = e.sha256 "
            "WHERE t.sha256 IS NULL OR (? AND t.state = 'needs_ocr') "
            "GROUP BY e.sha256 ORDER BY min(e.id)",
            (1 if with_ocr else 0,),
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def index_pending(store: Store, *, progress: IndexProgress | None = None, ocr: bool | None = None,
                  batch: int = 50) -> IndexSummary:
    """Read the text of every stored file not read yet, and store it (a batch per unit of
    work, so a cancel keeps what was done). Files are read outside the write lock.

    ``progress(done, total, name)`` may return False to cancel (raises :class:`Cancelled`).
    Safe to run at every start: with nothing pending it is one query.
    """
    with_ocr = ocr_available() if ocr is None else ocr
    todo = pending_files(store, ocr=with_ocr)
    summary = IndexSummary(total=len(todo))
    waiting: list[tuple[str, ExtractedText]] = []

    def flush() -> None:
        if waiting:
            with store.write() as session:
                for sha, extracted in waiting:
                    save_text(session, sha256=sha, extracted=extracted)
            waiting.clear()

    for done, (sha, name, media_type) in enumerate(todo):
        if progress is not None and progress(done, len(todo), name) is False:
            flush()
            raise Cancelled(_("Reading the text of evidence files was cancelled; what was read is kept."))
        path = store.evidence.path_for(sha)
        if not path.is_file():
            summary.failed += 1
            summary.notes.append(_("{name}: the file is missing from the evidence store").format(name=name))
            continue
        extracted = extract_text(path, name=name, media_type=media_type, ocr=with_ocr, key=store.evidence.key)
        if extracted.state == INDEXED:
            summary.indexed += 1
        elif extracted.state == FAILED:
            summary.failed += 1
            summary.notes.append(f"{name}: {extracted.note}")
        elif extracted.state == NEEDS_OCR:
            summary.waiting_for_ocr += 1
        else:
            summary.without_text += 1
        waiting.append((sha, extracted))
        if len(waiting) >= batch:
            flush()
    flush()
    if progress is not None:
        progress(len(todo), len(todo), "")
    return summary


# -- searching ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class EvidenceMatch:
    """A word found inside an evidence file of a case."""

    case_id: int
    evidence_id: int
    name: str
    page: int
    snippet: str

    @property
    def where(self) -> str:
        """"in evidence order-confirmation.pdf, page 1"."""
        return f"in evidence {self.name}" + (f", page {self.page}" if self.page else "")


# The cases whose evidence text matches :q (an FTS5 query), for the case list's search filter.
CASE_IDS_SQL = (
    "SELECT evidence.case_id FROM evidence_text_search "
    "JOIN evidence_text_pages AS etp ON etp.id = evidence_text_search.rowid "
    "JOIN evidence ON evidence.sha256 = etp.sha256 WHERE evidence_text_search MATCH :q"
)


def matches(conn: Any, query: str, *, limit: int, exclude: Iterable[int] = ()) -> list[EvidenceMatch]:
    """Up to ``limit`` cases (not in ``exclude``) whose evidence text matches the FTS5
    ``query``, the most recently read text first, one match per case."""
    seen = set(exclude)
    found: list[EvidenceMatch] = []
    if limit <= 0:
        return found
    hits = conn.exec_driver_sql(
        "SELECT etp.sha256, etp.page, snippet(evidence_text_search, 0, '[', ']', '…', 12) "
        "FROM evidence_text_search JOIN evidence_text_pages AS etp ON etp.id = evidence_text_search.rowid "
        "WHERE evidence_text_search MATCH ? ORDER BY evidence_text_search.rowid DESC",
        (query,),
    )
    try:
        for sha, page, snip in hits:
            for evidence_id, case_id, name in conn.exec_driver_sql(
                "SELECT id, case_id, original_name FROM evidence WHERE sha256 = ? ORDER BY id DESC", (sha,)
            ).all():
                if case_id not in seen:
                    seen.add(case_id)
                    found.append(EvidenceMatch(case_id, evidence_id, name, page, snip or ""))
            if len(found) >= limit:
                break
    finally:
        hits.close()
    return found[:limit]


def text_of(store: Store, sha256: str) -> list[tuple[int, str]]:
    """The stored text of a file, as ``(page, text)`` rows (page 0: a file without pages)."""
    with store.read() as session:
        return [(r[0], r[1]) for r in session.connection().exec_driver_sql(
            "SELECT page, body FROM evidence_text_pages WHERE sha256 = ? ORDER BY page, id", (sha256,))]


def evidence_found_in(store: Store, user_text: str, case_id: int) -> EvidenceMatch | None:
    """The evidence item of ``case_id`` whose text holds every word of ``user_text`` when the
    case's own text does not (so that opening a search result can show where the words are)."""
    from core.journal.search_text import fts_query

    query = fts_query(user_text)
    if query is None:
        return None
    with store.read() as session:
        conn = session.connection()
        own = conn.exec_driver_sql(
            "SELECT 1 FROM search_index WHERE search_index MATCH ? AND case_id = ? LIMIT 1", (query, case_id)).first()
        if own is not None:
            return None
        row = conn.exec_driver_sql(
            "SELECT evidence.id, evidence.original_name, etp.page, "
            "snippet(evidence_text_search, 0, '[', ']', '…', 12) FROM evidence_text_search "
            "JOIN evidence_text_pages AS etp ON etp.id = evidence_text_search.rowid "
            "JOIN evidence ON evidence.sha256 = etp.sha256 "
            "WHERE evidence_text_search MATCH ? AND evidence.case_id = ? ORDER BY evidence.id, etp.page LIMIT 1",
            (query, case_id)).first()
    return None if row is None else EvidenceMatch(case_id, row[0], row[1], row[2], row[3] or "")
