"""Evidence: files dropped in from the file manager are copied, hashed and shown."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage, QUndoStack

from core.journal import cases, queries
from core.store.store import Store
from gui.case.evidence_panel import ADDED, NAME, SHA, EvidenceModel, EvidencePanel


def _photo(path: Path) -> Path:
    image = QImage(640, 480, QImage.Format.Format_RGB32)
    image.fill(QColor("#2a6f97"))
    assert image.save(str(path))
    return path


def _panel(qtbot, store: Store, case_id: int) -> EvidencePanel:
    changes: list[int | None] = []
    panel = EvidencePanel(store, QUndoStack(), changes.append, lambda message: None)
    qtbot.addWidget(panel)
    panel.show_case(case_id)
    return panel


def _drop(panel: EvidencePanel, *paths: Path) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    panel.dropEvent(event)
    return event


def test_a_dropped_photo_gets_a_thumbnail_row_and_its_hash(qtbot, qtmodeltester, store: Store, tmp_path: Path) -> None:
    case_id = cases.open_case(store, title="Damaged sofa", company="Sofa World")
    photo = _photo(tmp_path / "torn-seam.png")
    receipt = tmp_path / "receipt.txt"
    receipt.write_text("Sofa World receipt\nTotal 1,299.00 GBP\n")
    panel = _panel(qtbot, store, case_id)

    with qtbot.waitSignal(panel.attach_finished, timeout=10_000) as blocker:
        event = _drop(panel, photo, receipt)
    assert event.isAccepted()
    assert len(blocker.args[0].attached) == 2
    qtmodeltester.check(panel.model)

    assert panel.model.rowCount() == 2
    assert panel.model.index(0, NAME).data() == "torn-seam.png"
    thumbnail = panel.model.index(0, NAME).data(Qt.ItemDataRole.DecorationRole)
    picture = thumbnail.pixmap(48, 48).toImage()
    assert picture.pixelColor(picture.width() // 2, picture.height() // 2).name() == "#2a6f97"
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert panel.model.index(0, SHA).data(Qt.ItemDataRole.ToolTipRole) == digest
    assert panel.model.index(0, ADDED).data()

    # The kept copy is byte for byte the original, under its hash.
    assert store.evidence.path_for(digest).read_bytes() == photo.read_bytes()
    # The selection moved to the last file added; its facts show the full hash.
    panel.table.selectRow(0)
    assert digest in panel.preview.facts.text()
    assert panel.preview.stack.currentWidget() is panel.preview.picture
    panel.table.selectRow(1)
    assert panel.preview.stack.currentWidget() is panel.preview.text
    assert "Total 1,299.00 GBP" in panel.preview.text.toPlainText()
    assert panel.status.text() == "Attached 2 files."


def test_a_drop_with_no_local_file_is_refused(qtbot, store: Store) -> None:
    case_id = cases.open_case(store, title="Damaged sofa", company="Sofa World")
    panel = _panel(qtbot, store, case_id)
    mime = QMimeData()
    mime.setUrls([QUrl("https://example.com/photo.jpg")])
    event = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    panel.dropEvent(event)
    assert not event.isAccepted()
    assert not panel.busy
    assert panel.model.rowCount() == 0


def test_cancelling_a_large_copy_keeps_nothing(qtbot, store: Store, tmp_path: Path) -> None:
    case_id = cases.open_case(store, title="Parcel never arrived", company="QuickShip")
    video = tmp_path / "unboxing.mp4"
    with open(video, "wb") as fh:
        fh.write(b"\x00\x01" * (32 * 1024 * 1024))  # 64 MB
    panel = _panel(qtbot, store, case_id)
    with qtbot.waitSignal(panel.attach_finished, timeout=20_000):
        _drop(panel, video)
        assert panel.busy and panel._progress_row.isVisibleTo(panel)
        panel.cancel()
    assert not panel.busy
    assert panel.model.rowCount() == 0
    assert "Cancelled: 0 of 1 files attached" in panel.status.text()
    assert list(store.evidence.all_hashes()) == []
    assert queries.case_evidence(store, case_id) == []


def test_linking_a_file_to_an_event_shows_in_its_details(qtbot, store: Store, tmp_path: Path) -> None:
    case_id = cases.open_case(store, title="Damaged sofa", company="Sofa World")
    event_id = cases.log_event(store, case_id=case_id, at="2024-03-02", kind="delivery", summary="Sofa delivered torn")
    evidence_id = cases.attach_evidence(store, case_id=case_id, path=_photo(tmp_path / "seam.png"))
    panel = _panel(qtbot, store, case_id)
    panel.table.selectRow(0)
    assert "no event" in panel.preview.facts.text()
    panel._push_link(event_id, evidence_id, unlink=False)
    panel.reload()
    assert "Sofa delivered torn" in panel.preview.facts.text()
    assert panel.unlink_button.isEnabled()


def test_the_model_is_empty_without_a_case(qtbot, qtmodeltester, store: Store) -> None:
    model = EvidenceModel(store)
    model.load(None)
    qtmodeltester.check(model)
    assert model.rowCount() == 0


def test_closing_the_case_while_copying_still_keeps_the_file(qtbot, store: Store, tmp_path: Path) -> None:
    case_id = cases.open_case(store, title="Parcel never arrived", company="QuickShip")
    video = tmp_path / "doorbell-camera.mp4"
    video.write_bytes(b"\x07" * (8 * 1024 * 1024))
    panel = EvidencePanel(store, QUndoStack(), lambda _: None, lambda _: None)
    panel.show_case(case_id)
    _drop(panel, video)
    task = panel._task
    assert task is not None
    with qtbot.waitSignal(task.finished, timeout=20_000):
        panel.deleteLater()  # the window moves on; the copy finishes on its own
    [kept] = queries.case_evidence(store, case_id)
    assert kept.original_name == "doorbell-camera.mp4"
    assert store.evidence.path_for(kept.sha256).stat().st_size == 8 * 1024 * 1024


def test_a_file_dropped_on_the_timeline_goes_to_the_evidence(qtbot, store: Store, tmp_path: Path) -> None:
    from gui.case.workspace import CaseWorkspace

    case_id = cases.open_case(store, title="Damaged sofa", company="Sofa World")
    workspace = CaseWorkspace(store)
    qtbot.addWidget(workspace)
    workspace.show_case(case_id)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(_photo(tmp_path / "stain.png")))])
    drop = QDropEvent(QPointF(30, 30), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(workspace.evidence.attach_finished, timeout=10_000):
        workspace.dropEvent(drop)
    assert workspace.tabs.currentWidget() is workspace.evidence
    assert workspace.evidence.model.index(0, NAME).data() == "stain.png"


def test_dropped_emails_go_through_the_email_preview_and_other_files_are_copied(qtbot, store: Store,
                                                                                tmp_path: Path) -> None:
    from email.message import EmailMessage

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gui.dialogs.email_import import EmailImportDialog

    case_id = cases.open_case(store, title="Broadband never cancelled", company="Netco")
    msg = EmailMessage()
    msg["From"], msg["To"] = "Pat <pat@home.example>", "retention@netco.example"
    msg["Subject"], msg["Date"] = "Cancel my contract", "Mon, 01 Jul 2024 09:00:00 +0100"
    msg["Message-ID"] = "<c1@home.example>"
    msg.set_content("Please cancel my contract from today.")
    email = tmp_path / "cancel.eml"
    email.write_bytes(bytes(msg))
    receipt = tmp_path / "receipt.txt"
    receipt.write_text("Netco final bill\n")
    panel = _panel(qtbot, store, case_id)

    previews: list[EmailImportDialog] = []

    def add_the_emails() -> None:  # as the user would, once the preview has read the file
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, EmailImportDialog) and dialog.is_previewed and not previews:
            previews.append(dialog)
            dialog.add_button.click()

    poll = QTimer(interval=10)
    poll.timeout.connect(add_the_emails)
    poll.start()
    with qtbot.waitSignal(panel.attach_finished, timeout=20_000) as blocker:
        _drop(panel, email, receipt)
    poll.stop()

    assert previews, "the email preview did not open"
    assert len(blocker.args[0].attached) == 1  # only the receipt went through the plain copy
    assert [e.summary for e in queries.case_events(store, case_id)] == ["Cancel my contract"]
    names = sorted(item.original_name for item in queries.case_evidence(store, case_id))
    assert len(names) == 2 and "receipt.txt" in names


def _pdf(path: Path, pages: int = 3) -> Path:
    from PySide6.QtGui import QPageSize, QPainter, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    for page in range(pages):
        if page:
            writer.newPage()
        painter.fillRect(0, 0, 4000, 1500, QColor("black"))  # a dark band: the thumbnail shows it
        painter.drawText(200, 2000, f"Order confirmation, page {page + 1}")
    painter.end()
    return path


def test_a_pdf_has_its_first_page_as_thumbnail_and_reads_in_a_scrolling_preview(qtbot, store: Store,
                                                                                tmp_path: Path) -> None:
    case_id = cases.open_case(store, title="Perfume never arrived", company="Parfums de Paris")
    evidence_id = cases.attach_evidence(store, case_id=case_id, path=_pdf(tmp_path / "order.pdf"))
    panel = _panel(qtbot, store, case_id)
    panel.show()
    icon = panel.model.index(0, NAME).data(Qt.ItemDataRole.DecorationRole)
    picture = icon.pixmap(48, 48).toImage()
    top = picture.pixelColor(picture.width() // 2, 2)
    assert top.lightness() < 80  # the page's dark band, not a file-type icon
    assert panel.select(evidence_id)
    preview = panel.preview
    assert preview.stack.currentWidget() is preview.pdf_view
    assert preview.pdf_view.document().pageCount() == 3
    assert preview.pdf_view.pageMode() == preview.pdf_view.PageMode.MultiPage


def test_a_protected_stores_photo_pdf_and_text_show_from_their_seals(qtbot, store: Store, tmp_path: Path) -> None:
    """The same previews as in a clear store, read from the sealed files in memory."""
    from core.store import crypto, protection

    case_id = cases.open_case(store, title="Perfume never arrived", company="Parfums de Paris")
    photo = cases.attach_evidence(store, case_id=case_id, path=_photo(tmp_path / "parcel.png"))
    receipt = tmp_path / "receipt.txt"
    receipt.write_text("Parfums de Paris receipt\nTotal 89.00 EUR\n")
    text = cases.attach_evidence(store, case_id=case_id, path=receipt)
    pdf = cases.attach_evidence(store, case_id=case_id, path=_pdf(tmp_path / "order.pdf"))
    protection.protect_store(store, passphrase="lavender and cedar", confirmed_written_down=True,
                             kdf=crypto.KdfParams(n=2**12))
    panel = _panel(qtbot, store, case_id)
    panel.show()
    rows = {panel.model.index(r, NAME).data(): r for r in range(panel.model.rowCount())}
    icon = panel.model.index(rows["parcel.png"], NAME).data(Qt.ItemDataRole.DecorationRole)
    picture = icon.pixmap(48, 48).toImage()
    assert picture.pixelColor(picture.width() // 2, picture.height() // 2).name() == "#2a6f97"
    assert panel.select(text)
    assert "Total 89.00 EUR" in panel.preview.text.toPlainText()
    assert panel.select(photo)
    assert panel.preview.stack.currentWidget() is panel.preview.picture
    assert panel.select(pdf)
    if panel.preview.pdf_view is not None:
        assert panel.preview.pdf_view.document().pageCount() == 3
