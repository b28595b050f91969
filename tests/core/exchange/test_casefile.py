"""Case files: a person exports a case, moves it to another computer and imports it again;
bad files are refused with one clear message and leave the store exactly as it was."""

from __future__ import annotations

import copy
import hashlib
import json
import uuid
import warnings
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from core.cli import main as cli
from core.domain.errors import DocketError, ValidationError
from core.domain.models import Direction, EventKind, Letter
from core.exchange import casefile
from core.journal import cases
from core.store.store import Store

RECEIPT = b"%PDF-1.4\n% Order PF-88213, Maison Example, EUR 129.00\n"
TABLES = ("companies", "cases", "contacts", "events", "evidence", "event_evidence", "letters",
          "reminders", "revisions")


def issue_example(receipt_sha: str) -> dict[str, Any]:
    """The example from the case-file issue, word for word."""
    return {
        "format": "docket-case", "version": 1,
        "case": {
            "title": "Perfume never delivered; refund promised, never paid",
            "category": "non_delivery", "status": "awaiting_reply", "opened_on": "2014-11-20",
            "jurisdiction": "FR", "amount": {"value": "129.00", "currency": "EUR"},
            "payment": {"method": "credit_card", "date": "2014-11-03"},
            "references": ["Order PF-88213"], "desired_outcome": "Refund of EUR 129.00 to my card",
            "company": {"name": "Maison Example", "address": "12 rue Exemple\n75001 Paris",
                        "email": "service@example.fr"},
            "contacts": [{"key": "c1", "name": "Customer service", "organisation": "Maison Example"}],
            "events": [
                {"at": "2014-11-03T10:15:00+01:00", "kind": "payment", "direction": "to_company",
                 "summary": "Paid by card"},
                {"at": "2014-12-01", "kind": "promise", "direction": "from_company", "contact": "c1",
                 "summary": "Cannot deliver; refund to card promised", "promised_by": "2014-12-15"}],
            "evidence": [{"path": "evidence/receipt.pdf", "sha256": receipt_sha,
                          "description": "Order confirmation", "events": [0]}],
        },
    }


def write_example(folder: Path, document: dict[str, Any] | None = None) -> Path:
    """The example as a JSON file with its receipt beside it, as a person would write it."""
    (folder / "evidence").mkdir(parents=True, exist_ok=True)
    (folder / "evidence" / "receipt.pdf").write_bytes(RECEIPT)
    doc = document or issue_example(hashlib.sha256(RECEIPT).hexdigest())
    path = folder / "perfume.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def state(store: Store) -> tuple[Any, ...]:
    """Everything a person could lose: every row of the journal, every case as a case file,
    and every file in the evidence store."""
    with store.read() as session:
        rows = {t: session.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all() for t in TABLES}
        ids = [r[0] for r in rows["cases"]]
    exports = [casefile.export_case(store, case_id=i) for i in ids]
    evidence_files = sorted(p.name for p in store.evidence.root.rglob("*") if p.is_file())
    return rows, exports, evidence_files


def rich_case(store: Store, tmp_path: Path) -> int:
    """A case using every field Docket keeps, entered through the use cases."""
    case_id = cases.open_case(
        store, title="Gym membership keeps billing after cancellation", company="FitCo Ltd",
        category="subscription", status="resolved", opened_on="2024-01-10", currency="GBP",
        amount="59.97", recovered="39.98", outcome="partly_won", resolved_on="2024-03-02",
        payment_method="debit_card", payment_date="2023-12-01", references=["Member 4471", "Ticket 88"],
        desired_outcome="Refund of three monthly fees", impact="Two evenings on the phone; £20 overdraft fee",
        jurisdiction="gb", notes="Keep the cancellation email safe.\nSecond line.", tags=["gym", "direct debit"],
        silence_days=10,
    )
    with store.write() as session:
        company = cases.get_case(session, case_id).company_id
    cases.update_company(store, company_id=company, address="1 High St\nLeeds LS1 1AA", email="help@fitco.example",
                         phone="+44 113 000 0000", website="https://fitco.example",
                         account_numbers=["ACC-1"], notes="Complaints by post only")
    desk = cases.add_contact(store, case_id=case_id, name="Billing desk", role="billing", organisation="FitCo Ltd",
                             email="billing@fitco.example", phone="0113 000 0001", address="PO Box 1", notes="Rude")
    bank = cases.add_contact(store, case_id=case_id, name="My bank", organisation="Big Bank")
    call = cases.log_event(store, case_id=case_id, at="2024-01-12T09:30:00+00:00", kind="call",
                           direction="to_company", contact_id=desk, summary="Asked to stop billing",
                           details="On hold for ages, then cut off.", duration_minutes=55, waiting_minutes=40,
                           reference="Ticket 88")
    promise = cases.log_event(store, case_id=case_id, at="2024-01-20", kind="promise", direction="from_company",
                              contact_id=desk, summary="Refund promised", promised_by="2024-02-01")
    cases.log_event(store, case_id=case_id, at="2024-02-10T15:00:00-05:00", kind="note", summary="Indemnity claim",
                    contact_id=bank)
    email = tmp_path / "cancellation.eml"
    email.write_bytes(b"From: help@fitco.example\r\nSubject: Your cancellation\r\n\r\nConfirmed.\r\n")
    photo = tmp_path / "statement.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    first = cases.attach_evidence(store, case_id=case_id, path=email, description="Cancellation confirmed",
                                  captured_on="2024-01-05", event_ids=[call, promise])
    cases.attach_evidence(store, case_id=case_id, path=photo, original_name="../../Statement Jan.png")
    # The same content attached twice is stored once, and listed twice.
    cases.attach_evidence(store, case_id=case_id, path=email, description="Copy sent to the bank")
    with store.write() as session:
        now = cases.clock.now()
        session.add(Letter(case_id=case_id, template_id="uk-complaint", language="en", subject="Formal complaint",
                           body="Dear Sir or Madam,\n…", contact_id=desk, status="sent", sent_on=None,
                           sent_via="email", tracking="", reply_by=None, event_id=call, evidence_id=first,
                           options={"tone": "firm"}, created_at=now, updated_at=now))
    return case_id


# -- round trips ------------------------------------------------------------------------------
def test_a_zip_moves_a_whole_case_to_another_store_unchanged(store: Store, tmp_path: Path) -> None:
    case_id = rich_case(store, tmp_path)
    first = casefile.export_case(store, case_id=case_id)
    out = casefile.write_zip(store, case_id=case_id, out=tmp_path / "out" / "gym.zip")

    with zipfile.ZipFile(out) as zf:
        names = sorted(zf.namelist())
        assert json.loads(zf.read("case.json")) == first
    # Evidence travels under its hash; the hostile original name is only data in the JSON.
    assert names == sorted(["case.json", *{f"evidence/{x['sha256']}" for x in first["case"]["evidence"]}])
    assert first["case"]["evidence"][1]["original_name"] == "Statement Jan.png"

    with Store.open(tmp_path / "other-computer") as other:
        new_id = casefile.import_case(other, path=out)
        again = casefile.export_case(other, case_id=new_id)
        for item in first["case"]["evidence"]:
            with other.evidence.open(item["sha256"]) as fh:
                assert hashlib.sha256(fh.read()).hexdigest() == item["sha256"]
    assert again == first
    doc = first["case"]
    assert doc["amount"] == {"value": "59.97", "currency": "GBP"}
    assert doc["recovered"] == {"value": "39.98", "currency": "GBP"}
    assert doc["events"][0]["contact"] == "c1" and doc["events"][2]["contact"] == "c2"
    assert doc["evidence"][0]["events"] == [0, 1]
    assert doc["letters"][0]["event"] == 0 and doc["letters"][0]["evidence"] == 0
    assert doc["letters"][0]["contact"] == "c1"


def test_the_issue_example_imports_and_exports_with_the_same_fields(store: Store, tmp_path: Path) -> None:
    sha = hashlib.sha256(RECEIPT).hexdigest()
    case_id = casefile.import_case(store, path=write_example(tmp_path))
    exported = casefile.export_case(store, case_id=case_id)

    example = issue_example(sha)["case"]
    got = exported["case"]
    # The example is a version 1 file: its events gain the meanings an upgraded store reads.
    meanings = [event.pop("meaning", None) for event in got["events"]]
    assert meanings[0] == "purchase"
    assert exported["version"] == 2
    for key, value in example.items():
        if key != "evidence":
            assert got[key] == value, key
    item = got["evidence"][0]
    assert {k: item[k] for k in ("sha256", "description", "events")} == {
        "sha256": sha, "description": "Order confirmation", "events": [0]}
    assert item["original_name"] == "receipt.pdf"
    assert item["media_type"] == "application/pdf" and item["size"] == len(RECEIPT)
    with store.evidence.open(sha) as fh:
        assert fh.read() == RECEIPT


def test_a_json_file_imported_into_its_own_store_duplicates_the_case(store: Store, tmp_path: Path) -> None:
    case_id = rich_case(store, tmp_path)
    out = casefile.write_json(store, case_id=case_id, out=tmp_path / "gym.json")
    copy_id = casefile.import_case(store, path=out)
    assert copy_id != case_id
    assert casefile.export_case(store, case_id=copy_id) == casefile.export_case(store, case_id=case_id)


def test_exported_documents_and_the_example_follow_the_published_schema(store: Store, tmp_path: Path) -> None:
    schema = json.loads((files("resources") / "schema" / "docket-case-v2.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    exported = casefile.export_case(store, case_id=rich_case(store, tmp_path))
    validator.validate(exported)
    # The example is a version 1 file, which still imports; it follows the version 1 schema.
    old = json.loads((files("resources") / "schema" / "docket-case-v1.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(old).validate(issue_example(hashlib.sha256(RECEIPT).hexdigest()))
    # The schema is not a rubber stamp: it refuses what import refuses.
    broken = copy.deepcopy(exported)
    broken["case"]["events"][0]["kind"] = "fax"
    assert not validator.is_valid(broken)
    broken = copy.deepcopy(exported)
    broken["case"]["amount"]["value"] = 59.97
    assert not validator.is_valid(broken)


def test_import_and_export_from_the_command_line(store: Store, tmp_path: Path, capsys) -> None:
    path = write_example(tmp_path)
    store.close()
    data = ["--data-dir", str(store.data_dir)]
    assert cli.main([*data, "import", str(path)]) == 0
    case_id = int(capsys.readouterr().out.strip())
    assert cli.main([*data, "export", str(case_id), "--format", "zip", "--out", str(tmp_path / "c.zip")]) == 0
    assert cli.main([*data, "export", str(case_id), "--format", "json", "--out", str(tmp_path / "c.json")]) == 0
    assert json.loads((tmp_path / "c.json").read_text("utf-8"))["case"]["title"].startswith("Perfume")
    assert zipfile.ZipFile(tmp_path / "c.zip").namelist()[0] == "case.json"
    # Report options make no sense for a case file, which always holds everything.
    assert cli.main([*data, "export", str(case_id), "--format", "json", "--redact", "--out", str(tmp_path / "r.json")]) == 2
    assert "pdf, md and csv" in capsys.readouterr().err
    assert cli.main([*data, "export", str(case_id), "--format", "zip", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"docket: Cannot write {tmp_path}: it is a folder")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert cli.main([*data, "export", "999", "--format", "json", "--out", str(tmp_path / "x.json")]) == 2
    assert capsys.readouterr().err.strip() == "docket: There is no case 999."
    assert not (tmp_path / "x.json").exists()


# -- bad JSON files ---------------------------------------------------------------------------
def _set(path: str, value: Any) -> Any:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return change


_DELETE = object()

BAD_DOCUMENTS = [
    ("missing title", _set("case.title", _DELETE), "case.title: is required"),
    ("blank title", _set("case.title", "   "), "case.title: is required"),
    ("title as a number", _set("case.title", 42), "case.title: expected text, got int"),
    ("unknown category", _set("case.category", "scam"), "case.category: unknown value 'scam'; expected one of: refund"),
    ("unknown event kind", _set("case.events.1.kind", "fax"), "case.events[1].kind: unknown value 'fax'"),
    ("unknown direction", _set("case.events.0.direction", "sideways"), "case.events[0].direction: unknown value 'sideways'"),
    ("bad event date", _set("case.events.1.at", "2014-02-30"), "case.events[1].at: expected a date as YYYY-MM-DD, got '2014-02-30'"),
    ("date-time without offset", _set("case.events.0.at", "2014-11-03T10:15:00"), "case.events[0].at: date-time '2014-11-03T10:15:00' has no UTC offset"),
    ("event date as a number", _set("case.events.0.at", 20141103), "case.events[0].at: expected a date or date-time as text, got a number"),
    ("bad promise date", _set("case.events.1.promised_by", "15/12/2014"), "case.events[1].promised_by: expected a date as YYYY-MM-DD"),
    ("bad opened date", _set("case.opened_on", "2014-13-01"), "case.opened_on: expected a date as YYYY-MM-DD, got '2014-13-01'"),
    ("amount as a float", _set("case.amount.value", 129.0), "case.amount.value: write amounts as text such as \"129.00\""),
    ("amount not a number", _set("case.amount.value", "lots"), "case.amount.value: expected an amount such as 129.00, got 'lots'"),
    ("bad currency", _set("case.amount.currency", "EURO"), "case.amount.currency: expected a three-letter ISO 4217 currency code"),
    ("amount as text", _set("case.amount", "129.00"), "case.amount: expected an object, got text"),
    ("unknown payment method", _set("case.payment.method", "cheque"), "case.payment.method: unknown value 'cheque'"),
    ("references not a list", _set("case.references", "Order PF-88213"), "case.references: expected a list of texts"),
    ("events not a list", _set("case.events", {"at": "2014-12-01"}), "case.events: expected a list, got an object"),
    ("event not an object", _set("case.events.1", "called them"), "case.events[1]: expected an object, got text"),
    ("event without summary", _set("case.events.1.summary", _DELETE), "case.events[1].summary: is required"),
    ("minutes as text", _set("case.events.0.duration_minutes", "40"), "case.events[0].duration_minutes: expected a whole number of minutes"),
    ("unknown contact key", _set("case.events.1.contact", "c9"), "case.events[1].contact: no contact has the key 'c9'"),
    ("contact without name", _set("case.contacts.0.name", ""), "case.contacts[0].name: is required"),
    ("company without name", _set("case.company.name", _DELETE), "case.company.name: is required"),
    ("misspelt field", _set("case.events.0.detials", "x"), "case.events[0].detials: is not a field of a case file"),
    ("outcome on an open case", _set("case.outcome", "won"), "case.outcome: an outcome is only recorded for a resolved or closed case"),
    ("evidence linked to a missing event", _set("case.evidence.0.events", [5]), "case.evidence[0].events[0]: there is no event 5; the file has 2"),
    ("evidence hash mismatch", _set("case.evidence.0.sha256", "ab" * 32), "case.evidence[0].sha256: the file 'evidence/receipt.pdf' does not match it"),
    ("evidence hash not hex", _set("case.evidence.0.sha256", "<hex>"), "case.evidence[0].sha256: expected a SHA-256 as 64 hexadecimal digits"),
    ("evidence file missing", _set("case.evidence.0.path", "evidence/gone.pdf"), "case.evidence[0].path: 'evidence/gone.pdf' was not found beside perfume.json"),
    ("evidence path climbing out", _set("case.evidence.0.path", "../perfume.json"), "case.evidence[0].path: '../perfume.json' escapes the case file's folder"),
    ("evidence path absolute", _set("case.evidence.0.path", "/etc/passwd"), "case.evidence[0].path: '/etc/passwd' escapes the case file's folder"),
    ("evidence path with a drive", _set("case.evidence.0.path", "C:\\receipt.pdf"), "case.evidence[0].path: 'C:\\\\receipt.pdf' escapes the case file's folder"),
    ("wrong size", _set("case.evidence.0.size", 3), "case.evidence[0].size: the file 'evidence/receipt.pdf' is"),
    ("not a case file", _set("format", "docket-letter"), "format: expected \"docket-case\""),
    ("version as text", _set("version", "1"), "version: expected a whole number such as 1"),
]


@pytest.mark.parametrize(("change", "message"), [b[1:] for b in BAD_DOCUMENTS], ids=[b[0] for b in BAD_DOCUMENTS])
def test_a_bad_case_file_is_refused_with_one_clear_message(store: Store, tmp_path: Path, change, message) -> None:
    rich_case(store, tmp_path)  # the store is not empty: nothing of it may change either
    before = state(store)
    doc = issue_example(hashlib.sha256(RECEIPT).hexdigest())
    change(doc)
    path = write_example(tmp_path / "in", doc)
    with pytest.raises(DocketError) as caught:
        casefile.import_case(store, path=path)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert state(store) == before


def test_a_failed_import_removes_the_evidence_it_had_copied(store: Store, tmp_path: Path) -> None:
    """The first file is new to the store and copied; the second is bad; nothing stays."""
    before = state(store)
    doc = issue_example(hashlib.sha256(RECEIPT).hexdigest())
    doc["case"]["evidence"].append({"path": "evidence/other.pdf", "sha256": "0" * 64})
    path = write_example(tmp_path, doc)
    (tmp_path / "evidence" / "other.pdf").write_bytes(b"not what the file says")
    with pytest.raises(ValidationError, match=r"^case.evidence\[1\].sha256: "):
        casefile.import_case(store, path=path)
    assert state(store) == before
    assert not store.evidence.has(hashlib.sha256(RECEIPT).hexdigest())
    assert list(store.evidence.incoming.iterdir()) == []


@pytest.mark.parametrize(("content", "message"), [
    (b"Dear Sir, my parcel never came", "perfume.json: is not valid JSON: Expecting value at line 1, column 1"),
    (b'{"format": "docket-case", "version": 1, "case": {"title": "x",}}', "perfume.json: is not valid JSON"),
    (b"\xff\xfe\x00junk", "perfume.json: is not UTF-8 text"),
    (b"[1, 2]", "perfume.json: expected a JSON object, got a list"),
    (b'{"format": "docket-case", "version": 1, "case": []}', "case: expected an object, got a list"),
    (b'{"format": "docket-case", "version": 1, "case": {"title": "a", "title": "b"}}', "perfume.json: is not a valid case file: the key 'title' appears twice"),
    (b'{"format": "docket-case", "version": 1, "case": {"title": "a", "silence_days": NaN}}', "perfume.json: is not a valid case file: NaN"),
    (b'{"format": "docket-case", "version": 1, "case": {"title": "a"}, "extra": 1}', "extra: is not a field of a case file"),
])
def test_text_that_is_not_a_case_file_is_refused(store: Store, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "perfume.json"
    path.write_bytes(content)
    with pytest.raises(DocketError) as caught:
        casefile.import_case(store, path=path)
    assert str(caught.value).startswith(message)
    assert state(store) == ((dict.fromkeys(TABLES, [])), [], [])


def test_a_file_from_a_newer_docket_is_refused_saying_so(store: Store, tmp_path: Path) -> None:
    doc = issue_example(hashlib.sha256(RECEIPT).hexdigest())
    doc["version"] = 3
    doc["case"]["hologram"] = {"kind": "3d"}
    with pytest.raises(DocketError, match=r"made by a newer Docket \(format version 3\); this Docket reads version 2"):
        casefile.import_case(store, path=write_example(tmp_path, doc))


# -- bad zip files ----------------------------------------------------------------------------
def make_zip(path: Path, entries: list[tuple[str, bytes]], document: dict[str, Any] | None = None) -> Path:
    """A zip holding the example's case.json (pointing at evidence/receipt.pdf) and entries."""
    doc = document or issue_example(hashlib.sha256(RECEIPT).hexdigest())
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # duplicate names are what some tests want
        zf.writestr("case.json", json.dumps(doc))
        for name, data in entries:
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_a_zip_written_by_hand_imports(store: Store, tmp_path: Path) -> None:
    path = make_zip(tmp_path / "perfume.zip", [("evidence/", b""), ("evidence/receipt.pdf", RECEIPT)])
    case_id = casefile.import_case(store, path=path)
    assert casefile.export_case(store, case_id=case_id)["case"]["evidence"][0]["original_name"] == "receipt.pdf"


BAD_ZIPS = [
    ("entry climbing out", [("evidence/receipt.pdf", RECEIPT), ("../x", b"owned")], "zip entry '../x': '../x' escapes the case file's folder"),
    ("entry climbing out deeper", [("evidence/../../x", b"owned"), ("evidence/receipt.pdf", RECEIPT)], "zip entry 'evidence/../../x': "),
    ("absolute entry", [("/etc/cron.d/x", b"owned"), ("evidence/receipt.pdf", RECEIPT)], "zip entry '/etc/cron.d/x': "),
    ("drive letter", [("C:\\Windows\\x", b"owned"), ("evidence/receipt.pdf", RECEIPT)], "zip entry 'C:\\\\Windows\\\\x': "),
    ("duplicate entries", [("evidence/receipt.pdf", RECEIPT), ("evidence/receipt.pdf", b"evil twin")], "zip entry 'evidence/receipt.pdf': appears twice in the zip file"),
    ("duplicate ignoring case", [("evidence/receipt.pdf", RECEIPT), ("Evidence/Receipt.pdf", b"evil twin")], "zip entry 'Evidence/Receipt.pdf': appears twice"),
    ("evidence missing", [("evidence/other.pdf", RECEIPT)], "case.evidence[0].path: 'evidence/receipt.pdf' is not in the zip file"),
    ("hash mismatch", [("evidence/receipt.pdf", b"a different receipt")], "case.evidence[0].sha256: the file 'evidence/receipt.pdf' does not match it"),
]


@pytest.mark.parametrize(("entries", "message"), [b[1:] for b in BAD_ZIPS], ids=[b[0] for b in BAD_ZIPS])
def test_a_bad_zip_is_refused_and_nothing_is_unpacked(store: Store, tmp_path: Path, entries, message) -> None:
    before = state(store)
    path = make_zip(tmp_path / "perfume.zip", entries)
    with pytest.raises(ValidationError) as caught:
        casefile.import_case(store, path=path)
    assert str(caught.value).startswith(message)
    assert state(store) == before
    assert not (tmp_path / "x").exists() and not (store.data_dir.parent / "x").exists()


def test_a_zip_without_case_json_or_not_a_zip_at_all(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "photos.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("holiday.jpg", b"jpeg")
    with pytest.raises(ValidationError, match=r"^photos.zip: has no case.json"):
        casefile.import_case(store, path=path)
    path.write_bytes(b"PK\x03\x04 truncated download")
    with pytest.raises(ValidationError, match=r"^photos.zip: is not a readable zip file"):
        casefile.import_case(store, path=path)


def test_an_evidence_file_over_the_size_limit_is_refused(store: Store, tmp_path: Path) -> None:
    big = bytes(range(256)) * 64  # 16 KiB
    doc = issue_example(hashlib.sha256(big).hexdigest())
    path = make_zip(tmp_path / "big.zip", [("evidence/receipt.pdf", big)], doc)
    with pytest.raises(ValidationError, match=r"^case.evidence\[0\].path: 'evidence/receipt.pdf': file is larger than the limit of 10,000 bytes"):
        casefile.import_case(store, path=path, max_file_size=10_000)
    assert state(store) == (dict.fromkeys(TABLES, []), [], [])
    assert list(store.evidence.incoming.iterdir()) == []
    assert casefile.import_case(store, path=path, max_file_size=20_000) > 0


def test_a_zip_bomb_is_refused_before_it_fills_the_disk(store: Store, tmp_path: Path) -> None:
    zeros = b"\0" * (20 * 1024 * 1024)  # 20 MiB that deflate to about 20 KiB
    doc = issue_example(hashlib.sha256(zeros).hexdigest())
    path = make_zip(tmp_path / "bomb.zip", [("evidence/receipt.pdf", zeros)], doc)
    assert path.stat().st_size < 100_000
    with pytest.raises(ValidationError, match=r"^bomb.zip: unpacks to more than 1,000,000 bytes; refused"):
        casefile.import_case(store, path=path, max_total_size=1_000_000)
    assert state(store) == (dict.fromkeys(TABLES, []), [], [])


def test_docket_import_of_a_bad_file_exits_2_with_one_line(store: Store, tmp_path: Path, capsys) -> None:
    doc = issue_example(hashlib.sha256(RECEIPT).hexdigest())
    doc["case"]["events"][1]["at"] = "yesterday"
    path = write_example(tmp_path, doc)
    store.close()
    assert cli.main(["--data-dir", str(store.data_dir), "import", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == ("docket: case.events[1].at: expected an ISO 8601 date-time such as "
                   "2024-03-01T14:30:00+01:00, got 'yesterday'\n")
    with Store.open(store.data_dir) as reopened:
        assert state(reopened) == (dict.fromkeys(TABLES, []), [], [])


# -- any content survives the trip ------------------------------------------------------------
_words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_line = _words.filter(lambda s: s.strip() and "\x00" not in s)
_when = st.one_of(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)).map(date.isoformat),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31),
                 timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=5, minutes=30))]))
    .map(lambda d: d.replace(microsecond=0).isoformat()),
)
_event = st.fixed_dictionaries({
    "at": _when, "kind": st.sampled_from([k.value for k in EventKind]),
    "direction": st.sampled_from([d.value for d in Direction]), "summary": _line,
}, optional={"details": _words, "duration_minutes": st.integers(0, 600), "reference": _line})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=_line, notes=_words, amount=st.decimals(min_value=0, max_value=10**9, places=2),
       events=st.lists(_event, max_size=6), references=st.lists(_line, max_size=3))
def test_any_case_survives_export_and_import(store: Store, tmp_path_factory, title, notes, amount, events,
                                             references) -> None:
    case_id = cases.open_case(store, title=title, notes=notes, amount=amount, references=references,
                              company=f"Company {uuid.uuid4()}")
    for event in events:
        cases.log_event(store, case_id=case_id, **event)
    first = casefile.export_case(store, case_id=case_id)
    out = casefile.write_json(store, case_id=case_id, out=tmp_path_factory.mktemp("rt") / "case.json")
    assert casefile.export_case(store, case_id=casefile.import_case(store, path=out)) == first


def test_import_reports_progress_and_can_be_cancelled(store: Store, tmp_path: Path) -> None:
    case_id = rich_case(store, tmp_path)
    out = casefile.write_zip(store, case_id=case_id, out=tmp_path / "gym.zip")
    with Store.open(tmp_path / "elsewhere") as other:
        before = state(other)
        seen: list[tuple[int, int]] = []
        with pytest.raises(DocketError, match="Import cancelled; nothing was stored"):
            casefile.import_case(other, path=out, progress=lambda done, total: seen.append((done, total)) or len(seen) < 3)
        assert len(seen) == 3
        assert state(other) == before

        seen.clear()
        new_id = casefile.import_case(other, path=out, progress=lambda done, total: seen.append((done, total)))
        assert new_id > 0
        done = [d for d, _ in seen]
        assert done == sorted(done) and len({t for _, t in seen}) == 1
        assert seen[-1][0] == seen[-1][1]  # the bar ends full


def test_the_schema_lists_exactly_the_values_docket_knows() -> None:
    """A new event kind or status must be published in the schema too."""
    from core.domain.models import Category, LetterStatus, Outcome, PaymentMethod, Status

    defs = json.loads((files("resources") / "schema" / "docket-case-v2.schema.json").read_text("utf-8"))["$defs"]
    case = defs["case"]["properties"]
    assert case["category"]["enum"] == [m.value for m in Category]
    assert case["status"]["enum"] == [m.value for m in Status]
    assert case["outcome"]["enum"] == [m.value for m in Outcome]
    assert case["payment"]["properties"]["method"]["enum"] == [m.value for m in PaymentMethod]
    assert defs["event"]["properties"]["kind"]["enum"] == [m.value for m in EventKind]
    assert defs["event"]["properties"]["direction"]["enum"] == [m.value for m in Direction]
    assert defs["letter"]["properties"]["status"]["enum"] == [m.value for m in LetterStatus]
    assert set(case) == set(casefile.CASE_KEYS)
    assert set(defs["event"]["properties"]) == set(casefile.EVENT_KEYS)
    assert set(defs["evidence"]["properties"]) == set(casefile.EVIDENCE_KEYS)
    assert set(defs["contact"]["properties"]) == set(casefile.CONTACT_KEYS)
    assert set(defs["company"]["properties"]) == set(casefile.COMPANY_KEYS)
    assert set(defs["letter"]["properties"]) == set(casefile.LETTER_KEYS)


def test_a_zip_that_lies_about_its_sizes_is_refused(store: Store, tmp_path: Path) -> None:
    """The headers say 10 bytes; the data unpacks to 20 MiB. Docket stops at what was declared
    and the check of the content refuses the file."""
    zeros = b"\0" * (20 * 1024 * 1024)
    doc = issue_example(hashlib.sha256(zeros).hexdigest())
    path = make_zip(tmp_path / "liar.zip", [("evidence/receipt.pdf", zeros)], doc)
    data = bytearray(path.read_bytes())
    name = b"evidence/receipt.pdf"
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at:start + name_at + len(name)] == name:
                data[start + size_at:start + size_at + 4] = (10).to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(data))
    with pytest.raises(ValidationError, match=r"^case.evidence\[0\].path: 'evidence/receipt.pdf': cannot be unpacked: Bad CRC-32"):
        casefile.import_case(store, path=path, max_total_size=1_000_000)
    assert state(store) == (dict.fromkeys(TABLES, []), [], [])


@pytest.mark.parametrize("region", ["GB-SCT", "US-CA", "CA-QC", "AU-NSW"])
def test_a_case_in_a_region_follows_the_schema_and_moves_with_its_region(
        store: Store, tmp_path: Path, region: str) -> None:
    schema = json.loads((files("resources") / "schema" / "docket-case-v2.schema.json").read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    case_id = cases.open_case(store, title="Sofa never came", jurisdiction=region)
    exported = casefile.export_case(store, case_id=case_id)
    assert exported["case"]["jurisdiction"] == region
    validator.validate(exported)
    out = casefile.write_json(store, case_id=case_id, out=tmp_path / "sofa.json")
    copy_id = casefile.import_case(store, path=out)
    assert casefile.export_case(store, case_id=copy_id)["case"]["jurisdiction"] == region
    # The schema refuses what import refuses: no country, or a region too long to be one.
    for wrong in ("Scotland", "GB-SCOT", "GB-"):
        broken = copy.deepcopy(exported)
        broken["case"]["jurisdiction"] = wrong
        assert not validator.is_valid(broken), wrong
