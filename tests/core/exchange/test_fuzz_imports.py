"""Bad input, fuzzed: case-file imports and restore archives end in one clear error and leave
the store exactly as it was (every row and every file compared before and after)."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.domain.errors import DocketError
from core.exchange import casefile
from core.journal import cases
from core.store import backup
from core.store.store import Store

FUZZ = settings(max_examples=10, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
hostile_names = st.sampled_from([
    "../x", "../../etc/passwd", "/etc/passwd", "/tmp/x", "C:/Windows/x", "C:\\Windows\\x", "c:x",
    "..\\x", "evidence/../../x", "templates/../../x", "evidence/./ab", "evidence//x", "templates/a\\..\\..\\x",
    "evidence/aa/" + "a" * 64 + "/../../../x", "templates/ok/../../../x", "docket.sqlite3/../x",
])


def dump(data_dir: Path, *, with_backups: bool = True) -> dict[str, Any]:
    """Every row of the database and every file's hash under the data directory."""
    conn = sqlite3.connect(f"file:{data_dir / 'docket.sqlite3'}?mode=ro", uri=True)
    rows = list(conn.iterdump())
    conn.close()
    files = {}
    for path in sorted(data_dir.rglob("*")):
        rel = path.relative_to(data_dir).as_posix()
        if not path.is_file() or rel.startswith("docket.sqlite3") or rel == "docket.lock":
            continue
        if rel.startswith("backups/") and not with_backups:
            continue
        files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"rows": rows, "files": files}


def _fill(store: Store, folder: Path) -> int:
    case_id = cases.open_case(store, title="Flight cancelled, refund refused", company="Globex Airlines",
                              amount="412.30", currency="EUR", references=["PNR X7Y2"])
    contact = cases.add_contact(store, case_id=case_id, name="Customer care", role="agent")
    event = cases.log_event(store, case_id=case_id, at="2026-01-12T08:15:00+01:00", kind="email",
                            direction="to_company", summary="Asked for the refund", contact_id=contact)
    ticket = folder / "ticket.pdf"
    ticket.write_bytes(b"%PDF-1.4 boarding pass " * 40)
    cases.attach_evidence(store, case_id=case_id, path=ticket, event_ids=[event])
    return case_id


class _Originals(dict):
    def __repr__(self) -> str:  # keeps hypothesis' failure reports readable
        return "<originals>"


@pytest.fixture(scope="module")
def originals(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real case file (JSON and zip) and a real archive, made once."""
    folder = tmp_path_factory.mktemp("originals")
    with Store.open(folder / "source") as store:
        case_id = _fill(store, folder)
        casefile.write_zip(store, case_id=case_id, out=folder / "case.zip")
        document = casefile.export_case(store, case_id=case_id)
        backup.backup_archive(store, folder / "archive.zip")
    with zipfile.ZipFile(folder / "archive.zip") as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    return _Originals(document=document, case_zip=(folder / "case.zip").read_bytes(), archive=entries)


@pytest.fixture
def target(data_dir: Path, tmp_path: Path) -> Iterator[Store]:
    """The store the bad input is thrown at: it already holds a case."""
    with Store.open(data_dir) as store:
        _fill(store, tmp_path)
        backup.backup_before(store, "before-import")
        yield store


def _refused_import(store: Store, path: Path) -> None:
    before = dump(store.data_dir, with_backups=False)
    with pytest.raises(DocketError) as caught:
        casefile.import_case(store, path=path)
    assert str(caught.value).strip() and "\n" not in str(caught.value)
    assert dump(store.data_dir, with_backups=False) == before


def _import_or_refuse(store: Store, path: Path) -> None:
    """Either the case comes in whole, or one clear error and nothing changed."""
    before = dump(store.data_dir, with_backups=False)
    try:
        casefile.import_case(store, path=path)
    except DocketError as exc:
        assert str(exc).strip()
        assert dump(store.data_dir, with_backups=False) == before


# -- case-file imports ------------------------------------------------------------------------
@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_are_refused(target: Store, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "case.json"
    path.write_bytes(data)
    _refused_import(target, path)


@FUZZ
@given(cut=st.floats(0, 0.999))
def test_truncated_json_is_refused(target: Store, tmp_path: Path, originals: dict[str, Any], cut: float) -> None:
    text = json.dumps(originals["document"])
    path = tmp_path / "case.json"
    path.write_text(text[: int(len(text) * cut)])
    _refused_import(target, path)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


@FUZZ
@given(data=st.data())
def test_wrong_types_anywhere_are_refused_or_imported_whole(target: Store, tmp_path: Path,
                                                            originals: dict[str, Any], data: st.DataObject) -> None:
    document = json.loads(json.dumps(originals["document"]))
    where = data.draw(st.sampled_from([p for p in _paths(document) if p]))
    replacement = data.draw(json_values)
    node = document
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = replacement
    path = tmp_path / "case.json"
    path.write_text(json.dumps(document))
    _import_or_refuse(target, path)


@FUZZ
@given(field=st.sampled_from(["title", "notes", "desired_outcome", "impact"]),
       size=st.integers(100_001, 3_000_000))
def test_huge_strings_are_refused(target: Store, tmp_path: Path, originals: dict[str, Any], field: str, size: int) -> None:
    document = json.loads(json.dumps(originals["document"]))
    document["case"][field] = "x" * size
    path = tmp_path / "case.json"
    path.write_text(json.dumps(document))
    _refused_import(target, path)


def _zip(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in entries:
            info = zipfile.ZipInfo(name)  # ZipInfo keeps the name exactly as given
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, payload)
    path.write_bytes(buffer.getvalue())
    return path


@FUZZ
@given(name=hostile_names)
def test_case_zip_entries_escaping_the_folder_are_refused(target: Store, tmp_path: Path,
                                                           originals: dict[str, Any], name: str) -> None:
    document = json.loads(json.dumps(originals["document"]))
    document["case"]["evidence"][0]["path"] = name
    with zipfile.ZipFile(io.BytesIO(originals["case_zip"])) as zf:
        evidence = [zf.read(i) for i in zf.infolist() if i.filename != "case.json"][0]
    path = _zip(tmp_path / "case.zip", [("case.json", json.dumps(document).encode()), (name, evidence)])
    _refused_import(target, path)


def test_case_zip_with_duplicate_entries_is_refused(target: Store, tmp_path: Path, originals: dict[str, Any]) -> None:
    with zipfile.ZipFile(io.BytesIO(originals["case_zip"])) as zf:
        entries = [(i.filename, zf.read(i)) for i in zf.infolist()]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name, as it should
        path = _zip(tmp_path / "case.zip", entries + [entries[-1]])
    _refused_import(target, path)


def test_case_zip_bomb_is_refused(target: Store, tmp_path: Path, originals: dict[str, Any]) -> None:
    document = json.loads(json.dumps(originals["document"]))
    bomb = b"\0" * (64 * 1024 * 1024)
    item = document["case"]["evidence"][0]
    item["sha256"], item["size"] = hashlib.sha256(bomb).hexdigest(), len(bomb)
    path = _zip(tmp_path / "case.zip", [("case.json", json.dumps(document).encode()), (item["path"], bomb)])
    assert path.stat().st_size < 200_000
    before = dump(target.data_dir, with_backups=False)
    with pytest.raises(DocketError, match="unpacks to more than"):
        casefile.import_case(target, path=path, max_total_size=16 * 1024 * 1024)
    assert dump(target.data_dir, with_backups=False) == before


# -- restore archives -------------------------------------------------------------------------
def _refused_restore(store: Store, path: Path) -> str:
    before = dump(store.data_dir)
    with pytest.raises(DocketError) as caught:
        backup.restore_archive(store, path)
    message = str(caught.value)
    assert message.strip() and "\n" not in message
    assert dump(store.data_dir) == before
    return message


def _archive(path: Path, entries: dict[str, bytes], manifest: Any = None) -> Path:
    items = dict(entries)
    if manifest is not None:
        items["manifest.json"] = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
    return _zip(path, list(items.items()))


def _manifest_for(entries: dict[str, bytes]) -> dict[str, Any]:
    return {"format": "docket-archive", "version": 1,
            "files": [{"path": n, "sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                      for n, b in entries.items() if n != "manifest.json"]}


def test_the_original_archive_restores(target: Store, tmp_path: Path, originals: dict[str, Any]) -> None:
    path = _archive(tmp_path / "a.zip", originals["archive"])
    backup.restore_archive(target, path)  # the fuzzed ones below differ from this one only in the fault


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes_are_not_an_archive(target: Store, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "a.zip"
    path.write_bytes(data)
    _refused_restore(target, path)


@FUZZ
@given(cut=st.floats(0, 0.999))
def test_truncated_archives_are_refused(target: Store, tmp_path: Path, originals: dict[str, Any], cut: float) -> None:
    whole = _archive(tmp_path / "whole.zip", originals["archive"]).read_bytes()
    path = tmp_path / "a.zip"
    path.write_bytes(whole[: int(len(whole) * cut)])
    _refused_restore(target, path)


@FUZZ
@given(manifest=json_values | st.binary(max_size=200))
def test_random_manifests_are_refused(target: Store, tmp_path: Path, originals: dict[str, Any], manifest: Any) -> None:
    entries = {n: b for n, b in originals["archive"].items() if n != "manifest.json"}
    _refused_restore(target, _archive(tmp_path / "a.zip", entries, manifest if manifest is not None else b"null"))


@FUZZ
@given(data=st.data())
def test_manifests_with_wrong_types_are_refused(target: Store, tmp_path: Path, originals: dict[str, Any],
                                                data: st.DataObject) -> None:
    manifest = json.loads(originals["archive"]["manifest.json"])
    where = data.draw(st.sampled_from([p for p in _paths(manifest) if p and p[0] in ("format", "version", "files")]))
    replacement = data.draw(json_values)
    node = manifest
    for key in where[:-1]:
        node = node[key]
    assume(node[where[-1]] != replacement)
    node[where[-1]] = replacement
    entries = {n: b for n, b in originals["archive"].items() if n != "manifest.json"}
    _refused_restore(target, _archive(tmp_path / "a.zip", entries, manifest))


@FUZZ
@given(name=hostile_names, listed=st.booleans())
def test_archive_entries_escaping_the_folder_are_refused(target: Store, tmp_path: Path, originals: dict[str, Any],
                                                         name: str, listed: bool) -> None:
    entries = {n: b for n, b in originals["archive"].items() if n != "manifest.json"}
    entries[name] = b"planted"
    manifest = _manifest_for(entries) if listed else json.loads(originals["archive"]["manifest.json"])
    message = _refused_restore(target, _archive(tmp_path / "a.zip", entries, manifest))
    assert "Nothing was changed" in message
    assert not (target.data_dir.parent / "x").exists() and not (target.data_dir / "x").exists()


def test_archive_with_duplicate_entries_is_refused(target: Store, tmp_path: Path, originals: dict[str, Any]) -> None:
    import warnings

    items = list(originals["archive"].items())
    db = [(n, b) for n, b in items if n == "docket.sqlite3"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = _zip(tmp_path / "a.zip", items + db)
    assert "twice" in _refused_restore(target, path)


def test_archive_zip_bomb_is_refused(target: Store, tmp_path: Path, originals: dict[str, Any],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup, "MAX_UNPACKED", 16 * 1024 * 1024)
    entries = {n: b for n, b in originals["archive"].items() if n != "manifest.json"}
    bomb = b"\0" * (64 * 1024 * 1024)
    entries["templates/bomb.txt"] = bomb
    path = _archive(tmp_path / "a.zip", entries, _manifest_for(entries))
    assert path.stat().st_size < 500_000
    assert "would unpack to" in _refused_restore(target, path)


def test_a_zip_header_that_lies_about_the_size_is_refused(target: Store, tmp_path: Path,
                                                          originals: dict[str, Any]) -> None:
    entries = {n: b for n, b in originals["archive"].items() if n != "manifest.json"}
    entries["templates/big.txt"] = b"A" * 1_000_000
    manifest = _manifest_for(entries)
    raw = bytearray(_archive(tmp_path / "honest.zip", entries, manifest).read_bytes())
    # rewrite the declared size (local header and central directory) to a small one
    size = (1_000_000).to_bytes(4, "little")
    assert raw.count(size) == 2
    raw = raw.replace(size, (10).to_bytes(4, "little"))
    path = tmp_path / "a.zip"
    path.write_bytes(bytes(raw))
    _refused_restore(target, path)


@FUZZ
@given(lie=st.sampled_from(["hash", "size", "missing", "unlisted", "renamed"]), victim=st.sampled_from(["db", "evidence", "settings"]))
def test_a_manifest_that_lies_is_refused(target: Store, tmp_path: Path, originals: dict[str, Any],
                                         lie: str, victim: str) -> None:
    entries = {n: b for n, b in originals["archive"].items() if n != "manifest.json"}
    name = {"db": "docket.sqlite3", "settings": "settings.json"}.get(victim) or next(
        n for n in entries if n.startswith("evidence/"))
    manifest = _manifest_for(entries)
    entry = next(f for f in manifest["files"] if f["path"] == name)
    if lie == "hash":
        entry["sha256"] = "0" * 64
    elif lie == "size":
        entry["size"] += 1
    elif lie == "missing":
        del entries[name]
    elif lie == "unlisted":
        manifest["files"].remove(entry)
    else:
        entries["templates/" + name.replace("/", "_")] = entries.pop(name)
    _refused_restore(target, _archive(tmp_path / "a.zip", entries, manifest))


def test_an_archive_of_a_foreign_database_is_refused(target: Store, tmp_path: Path, originals: dict[str, Any]) -> None:
    foreign = tmp_path / "foreign.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    entries = {n: b for n, b in originals["archive"].items() if n != "manifest.json"}
    entries["docket.sqlite3"] = foreign.read_bytes()
    assert "not a Docket database" in _refused_restore(
        target, _archive(tmp_path / "a.zip", entries, _manifest_for(entries)))


def test_an_archive_from_a_newer_docket_is_refused(target: Store, tmp_path: Path, originals: dict[str, Any]) -> None:
    newer = tmp_path / "newer.sqlite3"
    newer.write_bytes(originals["archive"]["docket.sqlite3"])
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    entries = {n: b for n, b in originals["archive"].items() if n != "manifest.json"}
    entries["docket.sqlite3"] = newer.read_bytes()
    assert "newer Docket" in _refused_restore(target, _archive(tmp_path / "a.zip", entries, _manifest_for(entries)))


@FUZZ
@given(lie=st.sampled_from(["sha256", "size"]))
def test_a_case_zip_whose_document_lies_about_a_file_is_refused(target: Store, tmp_path: Path,
                                                                originals: dict[str, Any], lie: str) -> None:
    with zipfile.ZipFile(io.BytesIO(originals["case_zip"])) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    document = json.loads(entries["case.json"])
    item = document["case"]["evidence"][0]
    if lie == "sha256":
        item["sha256"] = hashlib.sha256(b"something else").hexdigest()
    else:
        item["size"] = item["size"] + 1
    entries["case.json"] = json.dumps(document).encode()
    _refused_import(target, _zip(tmp_path / "case.zip", list(entries.items())))
