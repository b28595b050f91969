"""A year with a protected store: protect, keep working, change the passphrase, back up,
restore, remove the protection. What Docket hands over (case files, the case history) is the
same as it would be from a clear store, byte for byte."""

from __future__ import annotations

import zipfile
from pathlib import Path

from core.documents.report.export import export_case_report
from core.exchange import casefile
from core.journal import cases
from core.journal.opening import open_store
from core.store import crypto, protection
from core.store.backup import backup_archive, restore_archive
from core.store.store import Store
from core.store.verify import verify

FAST = crypto.KdfParams(n=2**12)
FIRST, SECOND = "tin roof in the rain", "copper roof in the sun"


def _exports(store: Store, case_id: int, folder: Path) -> dict[str, bytes]:
    """Everything a user can hand over about the case, as bytes to compare."""
    folder.mkdir()
    found: dict[str, bytes] = {}
    with zipfile.ZipFile(casefile.write_zip(store, case_id=case_id, out=folder / "case.zip")) as zf:
        for name in sorted(zf.namelist()):
            found[f"zip:{name}"] = zf.read(name)
    for fmt in ("md", "csv"):
        found[fmt] = export_case_report(store, case_id=case_id, fmt=fmt, out=folder / f"history.{fmt}").read_bytes()
    return found


def test_protect_use_change_passphrase_back_up_restore_and_clear_again(store: Store, tmp_path: Path) -> None:
    case_id = cases.open_case(store, title="Flight cancelled, no refund", company="SkyLow", amount="240.00")
    cases.log_event(store, case_id=case_id, at="2026-04-01", kind="email", direction="to_company",
                    summary="Asked for the refund of 240.00", meaning="complaint")
    letter = tmp_path / "complaint.eml"
    letter.write_bytes(b"From: me@example.org\r\nTo: help@skylow.example\r\nSubject: Refund\r\n\r\n"
                       b"Please refund flight SL 4471 cancelled on 28 March.\r\n")
    cases.attach_evidence(store, case_id=case_id, path=letter)
    clear = _exports(store, case_id, tmp_path / "clear")

    protection.protect_store(store, passphrase=FIRST, confirmed_written_down=True, kdf=FAST)
    assert _exports(store, case_id, tmp_path / "protected") == clear

    # Keep working while protected.
    cases.log_event(store, case_id=case_id, at="2026-04-15", kind="letter", direction="from_company",
                    summary="They offered a voucher instead", meaning="refusal")
    receipt = tmp_path / "receipt.txt"
    receipt.write_text("Booking SL-4471, paid 240.00 by card\n")
    cases.attach_evidence(store, case_id=case_id, path=receipt)
    worked = _exports(store, case_id, tmp_path / "worked")
    assert worked["md"] != clear["md"] and b"voucher" in worked["md"]

    protection.change_passphrase(data_dir=store.data_dir, old_passphrase=FIRST, new_passphrase=SECOND, kdf=FAST)
    archive = tmp_path / "year.zip"
    backup_archive(store, archive)
    cases.log_event(store, case_id=case_id, at="2026-05-01", kind="note", summary="A mistake, undone by the restore")
    store.close()

    # A new start: the new passphrase opens it, the archive restores.
    with open_store(store.data_dir, key=crypto.unlock(store.data_dir, SECOND)) as reopened:
        restore_archive(reopened, archive)
        assert _exports(reopened, case_id, tmp_path / "restored") == worked
        protection.unprotect_store(reopened, passphrase=SECOND)
        assert _exports(reopened, case_id, tmp_path / "cleared") == worked
        report = verify(reopened)
        assert report.ok, report.text()
    assert not crypto.is_protected(store.data_dir)
    with open_store(store.data_dir) as clear_again:
        assert _exports(clear_again, case_id, tmp_path / "clear-again") == worked
