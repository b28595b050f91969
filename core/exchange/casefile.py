"""Case files: one case as a versioned JSON document, alone or in a zip with its evidence.

The document (``{"format": "docket-case", "version": 1, "case": {...}}``) holds no database
ids: contacts are named by a ``key`` of the file's own choosing, and evidence items and
letters point at events by their index in ``case.events``. Exporting a case, importing it into
an empty store and exporting again gives the same document. ``docs/case-file-format.md``
describes the format; ``resources/schema/docket-case-v2.schema.json`` is its JSON Schema (version 1 still imports).

Import is all or nothing: the whole case is written in one :meth:`Store.write` transaction
through the use-case functions of :mod:`core.cases`, so any bad value rolls everything back,
including evidence files copied in for it. Every problem is reported as one
:class:`ValidationError` naming the field path (``case.events[3].at``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.domain import clock
from core.domain.errors import DocketError, ValidationError
from core.domain.meaning import guess_meaning
from core.domain.models import Contact, Event, Evidence, Letter, LetterStatus
from core.domain.money import check_currency, parse_amount
from core.i18n import _
from core.journal import cases
from core.store.files import Cancelled, Progress, StoredFile
from core.store.store import Store
from core.store.unit_of_work import unit_of

FORMAT = "docket-case"
VERSION = 2
CASE_JSON = "case.json"

MAX_JSON_BYTES = 64 * 1024 * 1024  # a case document; a long timeline is a few MB at most
MAX_EVIDENCE_BYTES = 4 * 1024**3  # one evidence file in a zip
MAX_UNPACKED_BYTES = 16 * 1024**3  # everything a zip may unpack to (zip bombs)

CASE_KEYS = (
    "title", "category", "status", "outcome", "resolved_on", "opened_on", "jurisdiction",
    "currency", "amount", "recovered", "payment", "references", "desired_outcome", "impact",
    "notes", "tags", "silence_days", "company", "contacts", "events", "evidence", "letters",
    "purchase", "expected_by",
)
COMPANY_KEYS = cases.COMPANY_FIELDS
CONTACT_KEYS = ("key", *cases.CONTACT_FIELDS)
EVENT_KEYS = (
    "at", "kind", "direction", "contact", "summary", "details", "duration_minutes",
    "waiting_minutes", "reference", "promised_by", "meaning", "amount",
)
EVIDENCE_KEYS = (
    "path", "sha256", "original_name", "media_type", "size", "added_at", "captured_on",
    "description", "events",
)
LETTER_KEYS = (
    "template_id", "language", "subject", "body", "status", "contact", "reply_by", "sent_on",
    "sent_via", "tracking", "event", "evidence", "options",
)
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_DRIVE = re.compile(r"^[A-Za-z]:")


# -- export -----------------------------------------------------------------------------------
def _put(out: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` unless the value is empty: optional fields are left out, not nulled."""
    if value is None or value == "" or value == [] or value == {}:
        return
    out[key] = value.isoformat() if hasattr(value, "isoformat") else value


def export_case(store: Store, *, case_id: int) -> dict[str, Any]:
    """The case as a version 2 case-file document (plain JSON data). Changes nothing."""
    with store.read() as session:
        case = cases.get_case(session, case_id)
        contacts = list(session.scalars(
            select(Contact).where(Contact.case_id == case_id).order_by(Contact.id)))
        events = list(session.scalars(
            select(Event).where(Event.case_id == case_id).order_by(Event.sort_key, Event.id)))
        evidence = list(session.scalars(
            select(Evidence).where(Evidence.case_id == case_id).order_by(Evidence.id)))
        letters = list(session.scalars(
            select(Letter).where(Letter.case_id == case_id).order_by(Letter.id)))
        contact_key = {c.id: f"c{i}" for i, c in enumerate(contacts, 1)}
        event_index = {e.id: i for i, e in enumerate(events)}
        evidence_index = {x.id: i for i, x in enumerate(evidence)}

        doc: dict[str, Any] = {"title": case.title, "category": case.category, "status": case.status}
        _put(doc, "outcome", case.outcome)
        _put(doc, "resolved_on", case.resolved_on)
        doc["opened_on"] = case.opened_on.isoformat()
        _put(doc, "jurisdiction", case.jurisdiction)
        if case.amount is None and case.recovered is None:
            doc["currency"] = case.currency
        if case.amount is not None:
            doc["amount"] = {"value": format(case.amount, "f"), "currency": case.currency}
        if case.recovered is not None:
            doc["recovered"] = {"value": format(case.recovered, "f"), "currency": case.currency}
        payment: dict[str, Any] = {}
        _put(payment, "method", case.payment_method)
        _put(payment, "scheme", case.card_scheme)
        _put(payment, "date", case.payment_date)
        _put(doc, "payment", payment)
        _put(doc, "purchase", case.purchase)
        _put(doc, "expected_by", case.expected_by)
        _put(doc, "references", list(case.references or []))
        _put(doc, "desired_outcome", case.desired_outcome)
        _put(doc, "impact", case.impact)
        _put(doc, "notes", case.notes)
        _put(doc, "tags", list(case.tags or []))
        doc["silence_days"] = case.silence_days
        if case.company is not None:
            company: dict[str, Any] = {}
            for key in COMPANY_KEYS:
                _put(company, key, getattr(case.company, key))
            doc["company"] = company

        doc["contacts"] = []
        for c in contacts:
            item: dict[str, Any] = {"key": contact_key[c.id]}
            for key in cases.CONTACT_FIELDS:
                _put(item, key, getattr(c, key))
            doc["contacts"].append(item)

        doc["events"] = []
        for e in events:
            item = {"at": e.at, "kind": e.kind, "direction": e.direction}
            _put(item, "contact", contact_key.get(e.contact_id) if e.contact_id else None)
            item["summary"] = e.summary
            for key in ("details", "duration_minutes", "waiting_minutes", "reference", "promised_by",
                        "meaning"):
                _put(item, key, getattr(e, key))
            if e.amount is not None:
                item["amount"] = format(e.amount, "f")
            doc["events"].append(item)

        doc["evidence"] = []
        for x in evidence:
            item = {"path": f"evidence/{x.sha256}", "sha256": x.sha256,
                    "original_name": x.original_name, "media_type": x.media_type, "size": x.size}
            # SQLite keeps date-times without their offset; Docket stores them in UTC.
            added = x.added_at
            _put(item, "added_at", added.replace(tzinfo=UTC) if added and added.tzinfo is None else added)
            _put(item, "captured_on", x.captured_on)
            _put(item, "description", x.description)
            item["events"] = sorted(event_index[e.id] for e in x.events)
            doc["evidence"].append(item)

        if letters:
            doc["letters"] = []
            for letter in letters:
                item = {"template_id": letter.template_id, "language": letter.language,
                        "subject": letter.subject, "body": letter.body, "status": letter.status}
                _put(item, "contact", contact_key.get(letter.contact_id) if letter.contact_id else None)
                for key in ("reply_by", "sent_on", "sent_via", "tracking"):
                    _put(item, key, getattr(letter, key))
                if letter.event_id in event_index:
                    item["event"] = event_index[letter.event_id]
                if letter.evidence_id in evidence_index:
                    item["evidence"] = evidence_index[letter.evidence_id]
                _put(item, "options", dict(letter.options or {}))
                doc["letters"].append(item)
    return {"format": FORMAT, "version": VERSION, "case": doc}


def _atomic_output(out: Path) -> tuple[int, Path]:
    """A temporary file beside ``out``, renamed over it once complete."""
    if out.is_dir():
        raise DocketError(_("Cannot write {out}: it is a folder; give a file name such as {example}.").format(out=out, example=out / 'case.zip'))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    except OSError as exc:
        raise DocketError(_("Cannot write {out}: {reason}").format(out=out, reason=exc.strerror or exc)) from None
    return fd, Path(tmp)


@contextmanager
def _writing(out: Path) -> Iterator[None]:
    """Report a disk that fills up or refuses as a user error, not a crash."""
    try:
        yield
    except OSError as exc:
        raise DocketError(_("Cannot write {out}: {reason}").format(out=out, reason=exc.strerror or exc)) from None


def document_bytes(document: dict[str, Any]) -> bytes:
    """The document as UTF-8 JSON text, the way Docket writes case files."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_json(store: Store, *, case_id: int, out: Path | str) -> Path:
    """Write the case as a JSON case file to ``out`` (replaced whole, never half written).

    Evidence is listed by hash but its files are not included; use :func:`write_zip` for that.
    """
    out = Path(out)
    data = document_bytes(export_case(store, case_id=case_id))
    fd, tmp = _atomic_output(out)
    try:
        with _writing(out):
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


# Formats that are compressed already; deflating them again only costs time.
_STORED_TYPES = ("image/", "video/", "audio/", "application/pdf", "application/zip")


def write_zip(store: Store, *, case_id: int, out: Path | str) -> Path:
    """Write the case as a zip: ``case.json`` and each evidence file as ``evidence/<sha256>``.

    The original file names stay in the JSON as data; they never name a zip entry.
    """
    out = Path(out)
    document = export_case(store, case_id=case_id)
    fd, tmp = _atomic_output(out)
    os.close(fd)
    try:
        with _writing(out), zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            zf.writestr(CASE_JSON, document_bytes(document))
            written: set[str] = set()
            for item in document["case"]["evidence"]:
                if item["path"] in written:
                    continue
                written.add(item["path"])
                method = (zipfile.ZIP_STORED if item["media_type"].startswith(_STORED_TYPES)
                          else zipfile.ZIP_DEFLATED)
                if store.evidence.sealed:
                    # A protected store's file is opened from its seal straight into the zip
                    # the user asked for: no clear copy is made on the way.
                    info = zipfile.ZipInfo(item["path"], date_time=datetime.now().timetuple()[:6])
                    info.compress_type = method
                    with store.evidence.open(item["sha256"]) as src, zf.open(info, "w", force_zip64=True) as dst:
                        shutil.copyfileobj(src, dst, 1024 * 1024)
                else:
                    zf.write(store.evidence.path_for(item["sha256"]), item["path"], compress_type=method)
        with _writing(out):
            os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


# -- reading a file ---------------------------------------------------------------------------
def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_document(data: bytes, source: str) -> dict[str, Any]:
    """Decode JSON text and check the envelope (format and version). Changes nothing."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(source, _("is not UTF-8 text (byte {start}); expected a JSON case file").format(start=exc.start)) from None
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            source, _("is not valid JSON: {msg} at line {lineno}, column {colno}").format(msg=exc.msg, lineno=exc.lineno, colno=exc.colno)) from None
    except (ValueError, RecursionError) as exc:
        raise ValidationError(source, _("is not a valid case file: {exc}").format(exc=exc)) from None
    if not isinstance(document, dict):
        raise ValidationError(source, _("expected a JSON object, got {kind}").format(kind=_type_name(document)))
    if document.get("format") != FORMAT:
        raise ValidationError("format", _("expected \"{format}\", got {found!r}; this is not a Docket case file").format(format=FORMAT, found=document.get('format')))
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValidationError("version", _("expected a whole number such as 1, got {version!r}").format(version=version))
    if version > VERSION:
        raise DocketError(
            _("This case file was made by a newer Docket (format version {version}); this Docket reads version {version2}. Update Docket to import it.").format(version=version, version2=VERSION))
    extra = set(document) - {"format", "version", "case"}
    if extra:
        raise ValidationError(sorted(extra)[0], _("is not a field of a case file"))
    if not isinstance(document.get("case"), dict):
        raise ValidationError("case", _("expected an object, got {kind}").format(kind=_type_name(document.get('case'))))
    return document


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number", type(None): "nothing"}.get(type(value), type(value).__name__)


def check_member_name(name: str, where: str) -> str:
    """Refuse a path that could leave the case file's folder: absolute, a drive letter,
    ``..``, backslashes, NUL or empty parts. Returns the name unchanged."""
    if not isinstance(name, str) or not name:
        raise ValidationError(where, _("expected a relative path such as evidence/receipt.pdf"))
    parts = name.rstrip("/").split("/")
    if (name.startswith("/") or "\\" in name or "\x00" in name or _DRIVE.match(name)
            or any(p in ("", ".", "..") for p in parts)):
        raise ValidationError(where, _("{name!r} escapes the case file's folder; expected a relative path such as evidence/receipt.pdf").format(name=name))
    return name


class _Source:
    """Where the evidence files of a document come from: a zip, or the JSON file's folder."""

    def __init__(self, path: Path, max_file_size: int, max_total_size: int) -> None:
        self.path = path
        self.max_file_size = max_file_size
        self.max_total_size = max_total_size
        self.unpacked = 0
        self.zip: zipfile.ZipFile | None = None
        self.entries: dict[str, zipfile.ZipInfo] = {}

    def document(self) -> dict[str, Any]:
        if zipfile.is_zipfile(self.path):
            return self._open_zip()
        if self.path.suffix.lower() == ".zip":
            raise ValidationError(self.path.name, _("is not a readable zip file"))
        size = self.path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise ValidationError(self.path.name, _("is {size:,} bytes; a case file is at most {limit:,}").format(size=size, limit=MAX_JSON_BYTES))
        return parse_document(self.path.read_bytes(), self.path.name)

    def _open_zip(self) -> dict[str, Any]:
        try:
            self.zip = zipfile.ZipFile(self.path)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ValidationError(self.path.name, _("is not a readable zip file: {exc}").format(exc=exc)) from None
        seen: set[str] = set()
        declared = 0
        for info in infos:
            where = f"zip entry {info.filename!r}"
            check_member_name(info.filename, where)
            folded = info.filename.rstrip("/").casefold()
            if folded in seen:
                raise ValidationError(where, _("appears twice in the zip file"))
            seen.add(folded)
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise ValidationError(where, _("is encrypted; Docket reads unencrypted zip files"))
            declared += info.file_size
            if declared > self.max_total_size:
                raise ValidationError(
                    self.path.name, _("unpacks to more than {limit:,} bytes; refused (a zip this large is not a case file)").format(limit=self.max_total_size))
            self.entries[info.filename] = info
        if CASE_JSON not in self.entries:
            raise ValidationError(self.path.name, _("has no {name}; expected a zip written by 'docket export --format zip'").format(name=CASE_JSON))
        info = self.entries[CASE_JSON]
        if info.file_size > MAX_JSON_BYTES:
            raise ValidationError(CASE_JSON, _("is {file_size:,} bytes; a case file is at most {limit:,}").format(file_size=info.file_size, limit=MAX_JSON_BYTES))
        with self._open_entry(info, CASE_JSON) as fh:
            data = self._read_capped(fh, MAX_JSON_BYTES, CASE_JSON)
        return parse_document(data, CASE_JSON)

    @contextmanager
    def _open_entry(self, info: zipfile.ZipInfo, where: str) -> Iterator[BinaryIO]:
        assert self.zip is not None
        try:
            with self.zip.open(info) as fh:
                # io's reader classes are not typing.IO's; a _Counted reads as a BinaryIO does.
                yield cast(BinaryIO, _Counted(fh, self, where))
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise ValidationError(where, _("cannot be unpacked: {exc}").format(exc=exc)) from None

    def _read_capped(self, fh: BinaryIO, cap: int, where: str) -> bytes:
        data = fh.read(cap + 1)
        if len(data) > cap:
            raise ValidationError(where, _("is larger than {cap:,} bytes").format(cap=cap))
        return data

    @contextmanager
    def evidence(self, name: str, where: str) -> Iterator[BinaryIO]:
        """Open the evidence file a document names, refusing anything outside the folder."""
        check_member_name(name, where)
        if self.zip is not None:
            info = self.entries.get(name)
            if info is None:
                raise ValidationError(where, _("{name!r} is not in the zip file").format(name=name))
            with self._open_entry(info, where) as fh:
                yield fh
            return
        folder = self.path.parent.resolve()
        target = (folder / name).resolve()
        if not target.is_relative_to(folder):
            raise ValidationError(where, _("{name!r} escapes the case file's folder").format(name=name))
        if not target.is_file():
            raise ValidationError(where, _("{name!r} was not found beside {name2}").format(name=name, name2=self.path.name))
        try:
            fh = open(target, "rb")
        except OSError as exc:
            raise ValidationError(where, _("{name!r} cannot be read: {reason}").format(name=name, reason=exc.strerror or exc)) from None
        with fh:
            yield fh

    def size_of(self, name: Any) -> int:
        """The size of an evidence file the document names, or 0 if unknown (for progress)."""
        if not isinstance(name, str):
            return 0
        if self.zip is not None:
            info = self.entries.get(name)
            return info.file_size if info else 0
        with contextlib.suppress(OSError, ValueError):
            return (self.path.parent / name).stat().st_size
        return 0

    def beside(self, name: str, where: str) -> bool:
        """Whether a JSON case file's folder holds a file of that (safe) name."""
        check_member_name(name, where)
        return (self.path.parent / name).is_file()

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


class _Counted(io.RawIOBase):
    """A reader that stops a zip from unpacking more than the total allowed."""

    def __init__(self, inner: IO[bytes], source: _Source, where: str) -> None:
        self.inner = inner
        self.source = source
        self.where = where

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            data = self.inner.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ValidationError(self.where, _("cannot be unpacked: {exc}").format(exc=exc)) from None
        self.source.unpacked += len(data)
        if self.source.unpacked > self.source.max_total_size:
            raise ValidationError(
                self.source.path.name,
                _("unpacks to more than {limit:,} bytes; refused").format(limit=self.source.max_total_size))
        return data


# -- import -----------------------------------------------------------------------------------
# Logging one event costs about as long as copying a quarter of a megabyte of evidence; the
# progress of an import counts both in those units so that the bar moves evenly.
EVENT_WEIGHT = 256 * 1024
EVENT_BATCH = 1_000  # events added per flush of an import


class _ImportProgress:
    """One progress figure for the whole import: events logged plus evidence bytes copied."""

    def __init__(self, report: Progress | None, total: int) -> None:
        self.report = report
        self.total = max(total, 1)
        self.done = 0

    def step(self, amount: int) -> None:
        self.done += amount
        self._tell(self.done)

    def _tell(self, done: int) -> None:
        if self.report is not None and self.report(min(done, self.total), self.total) is False:
            raise Cancelled(_("Import cancelled; nothing was stored."))

    def for_file(self) -> Progress:
        """A progress callback for one evidence copy, counted on top of what is done."""
        start = self.done

        def copy_progress(copied: int, _total: int) -> bool:
            self._tell(start + copied)
            return True

        return copy_progress


@contextmanager
def _fields_at(*renames: tuple[str, str]) -> Iterator[None]:
    """Report errors of the use-case functions under the document's own field paths."""
    try:
        yield
    except ValidationError as exc:
        for old, new in renames:
            if exc.path == old or exc.path.startswith(old + "."):
                raise ValidationError(new + exc.path[len(old):], exc.message) from None
        raise


def _obj(value: Any, where: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(where, _("expected an object, got {kind}").format(kind=_type_name(value)))
    for key in value:
        if key not in keys:
            raise ValidationError(f"{where}.{key}", _("is not a field of a case file"))
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(where, _("expected a list, got {kind}").format(kind=_type_name(value)))
    return value


def _str(value: Any, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationError(where, _("expected text, got {kind}").format(kind=_type_name(value)))
    return value


def _index(value: Any, where: str, count: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(where, _("expected the index of {what} (a whole number), got {value!r}").format(what=what, value=value))
    if not 0 <= value < count:
        raise ValidationError(where, _("there is no {what} {value}; the file has {count}").format(what=what, value=value, count=count))
    return value


def _money(value: Any, where: str) -> tuple[Any, str]:
    value = _obj(value, where, ("value", "currency"))
    if "value" not in value:
        raise ValidationError(f"{where}.value", _("is required"))
    if isinstance(value["value"], (int, float)) and not isinstance(value["value"], bool):
        raise ValidationError(f"{where}.value", _("write amounts as text such as \"129.00\", got {value!r}").format(value=value['value']))
    if not isinstance(value["value"], str):
        raise ValidationError(f"{where}.value", _("expected an amount as text such as \"129.00\", got {kind}").format(kind=_type_name(value['value'])))
    currency = check_currency(value.get("currency"), f"{where}.currency")
    return parse_amount(value["value"], f"{where}.value", currency), currency


def import_case(
    store: Store,
    *,
    path: Path | str,
    max_file_size: int = MAX_EVIDENCE_BYTES,
    max_total_size: int = MAX_UNPACKED_BYTES,
    progress: Progress | None = None,
) -> int:
    """Read a case file (.json or .zip) and add it as a new case. Returns the new case's id.

    Everything is written in one transaction: the case, its company (reused if one of that
    name exists), contacts, timeline, evidence (files copied into the evidence store, checked
    against their SHA-256) and letters. Any problem raises one :class:`ValidationError` naming
    the field path and leaves the store exactly as it was.
    """
    path = Path(path)
    if not path.is_file():
        raise DocketError(_("There is no file {path}.").format(path=path))
    source = _Source(path, max_file_size, max_total_size)
    try:
        try:
            document = source.document()
        except OSError as exc:
            raise DocketError(_("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)) from None
        from core.store.backup import backup_before  # the way back if the import was a mistake

        backup_before(store, "before-import")
        with store.write() as session:
            return _import(session, store, document["case"], source, progress,
                           version=document["version"])
    finally:
        source.close()


def _import(session: Session, store: Store, doc: dict[str, Any], source: _Source,
            progress: Progress | None, *, version: int = VERSION) -> int:
    _obj(doc, "case", CASE_KEYS)
    events = _list(doc.get("events"), "case.events")
    evidence = _list(doc.get("evidence"), "case.evidence")
    # Only names count here (a path of the wrong type is refused below, naming its field).
    paths = {item["path"] for item in evidence if isinstance(item, dict) and isinstance(item.get("path"), str)}
    meter = _ImportProgress(progress, len(events) * EVENT_WEIGHT + sum(source.size_of(p) for p in paths))
    fields: dict[str, Any] = {}
    for key in ("title", "category", "status", "outcome", "resolved_on", "opened_on", "jurisdiction",
                "references", "desired_outcome", "impact", "notes", "tags", "silence_days",
                "purchase", "expected_by"):
        if key in doc:
            fields[key] = doc[key]
    currencies: list[tuple[str, str]] = []
    if "currency" in doc:
        currencies.append(("case.currency", check_currency(doc["currency"], "case.currency")))
    for key in ("amount", "recovered"):
        if doc.get(key) is not None:
            fields[key], currency = _money(doc[key], f"case.{key}")
            currencies.append((f"case.{key}.currency", currency))
    for where, currency in currencies[1:]:
        if currency != currencies[0][1]:
            raise ValidationError(where, _("a case has one currency; expected {expected}, got {currency}").format(expected=currencies[0][1], currency=currency))
    fields["currency"] = currencies[0][1] if currencies else "EUR"
    if doc.get("payment") is not None:
        payment = _obj(doc["payment"], "case.payment", ("method", "scheme", "date"))
        fields["payment_method"] = payment.get("method")
        fields["card_scheme"] = payment.get("scheme")
        fields["payment_date"] = payment.get("date")
    fields.setdefault("title", None)  # so a missing title says "case.title: is required"

    company_id = None
    if doc.get("company") is not None:
        company = _obj(doc["company"], "case.company", COMPANY_KEYS)
        with _fields_at(("company", "case.company")):
            company_id = cases.find_or_create_company(session, **{"name": None, **company})
    with _fields_at(("case.payment_method", "case.payment.method"),
                    ("case.card_scheme", "case.payment.scheme"),
                    ("case.payment_date", "case.payment.date"),
                    ("case.amount", "case.amount.value"), ("case.recovered", "case.recovered.value")):
        case_id = cases.open_case(session, company_id=company_id, **fields)

    contact_ids: dict[str, int] = {}
    for i, raw in enumerate(_list(doc.get("contacts"), "case.contacts")):
        where = f"case.contacts[{i}]"
        contact = dict(_obj(raw, where, CONTACT_KEYS))
        contact_key = _str(contact.pop("key", None), f"{where}.key")
        if not contact_key:
            raise ValidationError(f"{where}.key", _("is required (events name their contact by it)"))
        if contact_key in contact_ids:
            raise ValidationError(f"{where}.key", _("{contact_key!r} is the key of an earlier contact; keys are unique").format(contact_key=contact_key))
        with _fields_at(("contact", where)):
            contact_ids[contact_key] = cases.add_contact(session, case_id=case_id, **{"name": None, **contact})

    def contact_of(value: Any, where: str) -> int | None:
        if value is None:
            return None
        key = _str(value, where)
        if key not in contact_ids:
            raise ValidationError(where, _("no contact has the key {key!r}").format(key=key))
        return contact_ids[key]

    # Events are added in batches of EVENT_BATCH, each one flush (one round of INSERTs and of
    # history rows), all inside the import's one transaction: still all or nothing. The case
    # and contacts are held so that each event's checks find them in the session.
    case = cases.get_case(session, case_id)
    held = [cases.get_contact(session, cid) for cid in contact_ids.values()]
    event_ids: list[int] = []
    batch: list[Any] = []

    def flush_batch() -> None:
        session.flush()
        event_ids.extend(e.id for e in batch)
        batch.clear()

    for i, raw in enumerate(events):
        where = f"case.events[{i}]"
        event = dict(_obj(raw, where, EVENT_KEYS))
        contact_id = contact_of(event.pop("contact", None), f"{where}.contact")
        for key in ("at", "kind", "summary"):
            event.setdefault(key, None)
        if not isinstance(event["at"], str):
            raise ValidationError(f"{where}.at", _("expected a date or date-time as text, got {kind}").format(kind=_type_name(event['at'])))
        if event["kind"] is None:
            raise ValidationError(f"{where}.kind", _("is required"))
        if version < 2 and "meaning" not in event and isinstance(event["summary"], str):
            # Version 1 had no meanings: read them as an upgraded store does.
            event["meaning"] = guess_meaning(str(event["kind"]), str(event.get("direction") or ""),
                                             event["summary"])
        with _fields_at(("event", where)):
            batch.append(cases.new_event(session, case=case, contact_id=contact_id, **event))
        if len(batch) >= EVENT_BATCH:
            flush_batch()
        meter.step(EVENT_WEIGHT)
    flush_batch()
    del held

    evidence_ids: list[int] = []
    stored_by_path: dict[str, StoredFile] = {}
    for i, raw in enumerate(evidence):
        where = f"case.evidence[{i}]"
        item = _obj(raw, where, EVIDENCE_KEYS)
        name = _str(item.get("path"), f"{where}.path")
        if not name:
            raise ValidationError(f"{where}.path", _("is required: where the file is in the case file's folder or zip"))
        sha = _str(item.get("sha256"), f"{where}.sha256")
        if not sha or not _HEX64.match(sha):
            raise ValidationError(f"{where}.sha256", _("expected a SHA-256 as 64 hexadecimal digits, got {sha!r}").format(sha=sha))
        sha = sha.lower()
        stored = stored_by_path.get(name)
        if stored is None and source.zip is None and store.evidence.has(sha) and not source.beside(name, f"{where}.path"):
            # A JSON file exported from this store lists evidence it does not carry: the
            # store already holds that content, so the case is complete without the file.
            kept = store.evidence.path_for(sha)
            stored = stored_by_path[name] = StoredFile(sha, store.evidence.size_of(sha), kept, created=False)
        if stored is None:
            with source.evidence(name, f"{where}.path") as fh:
                try:
                    stored = store.evidence.add_stream(
                        fh, expected_sha256=sha, max_size=source.max_file_size, progress=meter.for_file(),
                        sync=False)
                except ValidationError as exc:
                    if exc.path == "sha256":
                        raise ValidationError(f"{where}.sha256", _("the file {name!r} does not match it (its SHA-256 is {sha256})").format(name=name, sha256=exc.message.rsplit(' ', 1)[-1])) from None
                    raise ValidationError(f"{where}.path", f"{name!r}: {exc.message}") from None
            unit_of(session).keep_new_file(stored)
            stored_by_path[name] = stored
            meter.step(stored.size)
        if stored.sha256 != sha:
            raise ValidationError(f"{where}.sha256", _("the file {name!r} does not match it (its SHA-256 is {sha256})").format(name=name, sha256=stored.sha256))
        size = item.get("size")
        if size is not None and (isinstance(size, bool) or size != stored.size):
            raise ValidationError(f"{where}.size", _("the file {name!r} is {size:,} bytes, not {size2!r}").format(name=name, size=stored.size, size2=size))
        links = [event_ids[_index(n, f"{where}.events[{j}]", len(event_ids), "event")]
                 for j, n in enumerate(_list(item.get("events"), f"{where}.events"))]
        original = _str(item.get("original_name"), f"{where}.original_name") or PurePosixPath(name).name
        media_type = _str(item.get("media_type"), f"{where}.media_type")
        added_at = _moment(item.get("added_at"), f"{where}.added_at")
        with _fields_at(("evidence", where)):
            description = cases.text(item.get("description"), "evidence.description")
            captured = cases.optional_date(item.get("captured_on"), "evidence.captured_on")
            evidence_id = cases.record_evidence(
                session, case_id=case_id, stored=stored, original_name=original,
                description=description, captured_on=captured, event_ids=links,
                media_type=cases.text(media_type, "evidence.media_type", limit=200) or None,
                added_at=added_at)
        evidence_ids.append(evidence_id)

    for i, raw in enumerate(_list(doc.get("letters"), "case.letters")):
        _import_letter(session, case_id, raw, f"case.letters[{i}]", contact_of, event_ids, evidence_ids)

    session.flush()
    # The files were copied without a flush to disk each; all of them now, before the commit.
    store.evidence.sync_files(stored_by_path.values())
    return case_id


def _moment(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                return moment.astimezone(UTC)
    raise ValidationError(where, _("expected a date-time with its UTC offset such as 2024-03-01T14:30:00+00:00, got {value!r}").format(value=value))


def _letter_options(options: Any, where: str) -> dict[str, Any]:
    """What the letter editor keeps with a draft, each of the type it reads back (a hostile
    ``"facts": [1]`` would otherwise reach the window)."""
    if not isinstance(options, dict):
        raise ValidationError(where, _("expected an object, got {kind}").format(kind=_type_name(options)))
    # Other keys (a template's own choices) are kept as they are; these are read back typed.
    out: dict[str, Any] = {k: v for k, v in options.items()
                           if k not in ("event_ids", "evidence_ids", "facts", "step", "response_days", "missing")}
    for key in ("event_ids", "evidence_ids"):
        if key in options:
            ids = _list(options[key], f"{where}.{key}")
            for i, value in enumerate(ids):
                if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
                    raise ValidationError(f"{where}.{key}[{i}]", f"expected a record number, got {value!r}"[:200])
            out[key] = ids
    if "facts" in options:
        facts = options["facts"]
        if not isinstance(facts, dict):
            raise ValidationError(f"{where}.facts", _("expected an object of texts, got {kind}").format(kind=_type_name(facts)))
        for key, value in facts.items():
            if not isinstance(value, str) or len(key) > 100:
                raise ValidationError(f"{where}.facts.{key[:100]}", _("expected a text, got {kind}").format(kind=_type_name(value)))
        out["facts"] = dict(facts)
    if "missing" in options:
        out["missing"] = [cases.text(v, f"{where}.missing[{i}]", limit=200)
                          for i, v in enumerate(_list(options["missing"], f"{where}.missing"))]
    if options.get("step") is not None:
        out["step"] = cases.text(options["step"], f"{where}.step", limit=40)
    if "response_days" in options:
        days = options["response_days"]
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
            raise ValidationError(f"{where}.response_days", f"expected a number of days from 1 to 365, got {days!r}"[:200])
        out["response_days"] = days
    return out


def _import_letter(session: Session, case_id: int, raw: Any, where: str,
                   contact_of: Callable[[Any, str], int | None],
                   event_ids: list[int], evidence_ids: list[int]) -> None:
    letter = _obj(raw, where, LETTER_KEYS)
    options = _letter_options(letter.get("options") or {}, f"{where}.options")
    now = clock.now()
    row = Letter(
        case_id=case_id,
        template_id=cases.text(letter.get("template_id"), f"{where}.template_id", required=True, limit=100),
        language=cases.text(letter.get("language") or "en", f"{where}.language", limit=10),
        subject=cases.text(letter.get("subject"), f"{where}.subject", limit=500),
        body=cases.text(letter.get("body"), f"{where}.body"),
        status=cases.enum_value(LetterStatus, letter.get("status") or LetterStatus.DRAFT.value, f"{where}.status"),
        contact_id=contact_of(letter.get("contact"), f"{where}.contact"),
        reply_by=cases.optional_date(letter.get("reply_by"), f"{where}.reply_by"),
        sent_on=cases.optional_date(letter.get("sent_on"), f"{where}.sent_on"),
        sent_via=cases.text(letter.get("sent_via"), f"{where}.sent_via", limit=40),
        tracking=cases.text(letter.get("tracking"), f"{where}.tracking", limit=200),
        event_id=None if letter.get("event") is None
        else event_ids[_index(letter["event"], f"{where}.event", len(event_ids), "event")],
        evidence_id=None if letter.get("evidence") is None
        else evidence_ids[_index(letter["evidence"], f"{where}.evidence", len(evidence_ids), "evidence item")],
        options=options,
        created_at=now,
        updated_at=now,
    )
    session.add(row)


def load_document(path: Path | str) -> dict[str, Any]:
    """Read and check the envelope of a case file without importing it. Changes nothing."""
    source = _Source(Path(path), MAX_EVIDENCE_BYTES, MAX_UNPACKED_BYTES)
    try:
        return source.document()
    finally:
        source.close()

