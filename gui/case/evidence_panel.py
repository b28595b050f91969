"""A case's evidence: files dropped in or added, thumbnails, a preview, the SHA-256.

Copying and hashing run in a worker (:mod:`gui.workers`) with progress and cancel, so a large
video never freezes the window. Files stay unaltered in the evidence store; *Open* hands the
stored copy to the system viewer.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QDateTime,
    QIODevice,
    QLocale,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimeZone,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QIcon,
    QImage,
    QImageReader,
    QPalette,
    QPixmap,
    QTextCharFormat,
    QTextCursor,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from core.domain.errors import DocketError
from core.domain.models import Evidence
from core.i18n import _
from core.journal import cases, queries
from core.store.files import Cancelled
from core.store.store import Store
from gui.case import undo
from gui.case.timeline_model import EVIDENCE_MIME, evidence_mime, when_text
from gui.kit import icons
from gui.kit.flow import FlowLayout
from gui.kit.formatting import count_text, format_datetime
from gui.kit.table_model import RowsTableModel
from gui.kit.workers import Task, run_task

Index = QModelIndex | QPersistentModelIndex
NAME, KIND, SIZE, ADDED, SHA, LINKS = range(6)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 2
THUMB = 48
EMAIL_SUFFIXES = {".eml", ".msg", ".mbox"}
TEXT_PREVIEW_BYTES = 200_000


def _qtpdf() -> Any:
    """PySide6's QtPdf module, or None where Qt was built without it."""
    try:
        return importlib.import_module("PySide6.QtPdf")
    except ImportError:
        return None


def _qtpdf_widgets() -> Any:
    try:
        return importlib.import_module("PySide6.QtPdfWidgets")
    except ImportError:
        return None


def stored_source(store: Store, sha256: str) -> str | QBuffer:
    """What Qt reads a stored file from: its path, or in a protected store a buffer holding
    its clear content in memory (a sealed file is never copied out in clear to be shown)."""
    if not store.evidence.sealed:
        return str(store.evidence.path_for(sha256))
    buffer = QBuffer()
    buffer.setData(QByteArray(store.evidence.read_bytes(sha256)))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    return buffer


def pdf_page_image(path: Path | str | QBuffer, side: int) -> QImage:
    """Page 1 of a PDF drawn to fit ``side``×``side`` pixels; a null image if it cannot be read."""
    qtpdf = _qtpdf()
    if qtpdf is None:
        return QImage()
    document = qtpdf.QPdfDocument()
    document.load(path if isinstance(path, QBuffer) else str(path))
    if document.pageCount() < 1:
        return QImage()
    page = document.pagePointSize(0).toSize()
    if page.isEmpty():
        return QImage()
    image: QImage = document.render(0, page.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
    document.close()
    return image


def size_text(size: int) -> str:
    return QLocale().formattedDataSize(size)


def added_text(item: Evidence) -> str:
    moment = item.added_at
    qdt = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone.utc()).toLocalTime()
    return format_datetime(qdt)


def _file_icon(media_type: str) -> QIcon:
    """An icon for a file that has no picture, in Docket's own line icons."""
    return icons.icon("kind-email" if media_type in ("message/rfc822", "application/vnd.ms-outlook", "application/mbox")
                      else "kind-letter" if media_type == "application/pdf" or media_type.startswith("text/")
                      else "kind-note")


class EvidenceModel(RowsTableModel):
    """The evidence files of one case, with image thumbnails made on first display."""

    def __init__(self, store: Store, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._rows: list[Evidence] = []
        self._thumbs: dict[str, QIcon] = {}
        self._headers = [_("File"), _("Type"), _("Size"), _("Added"),
                         _("SHA-256"), _("Events")]

    def load(self, case_id: int | None) -> None:
        self.beginResetModel()
        self._rows = [] if case_id is None else queries.case_evidence(self._store, case_id)
        self.endResetModel()

    def item_at(self, row: int) -> Evidence | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, evidence_id: int) -> int:
        return next((i for i, e in enumerate(self._rows) if e.id == evidence_id), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item_at(index.row()) if index.isValid() else None
        if item is None:
            return None
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (item.original_name, item.media_type, size_text(item.size), added_text(item),
                    item.sha256[:12] + "…", str(len(item.events)) if item.events else "")[col]
        if role == Qt.ItemDataRole.DecorationRole and col == NAME:
            return self.thumbnail(item)
        if role == Qt.ItemDataRole.ToolTipRole and col == SHA:
            return item.sha256
        if role == Qt.ItemDataRole.ToolTipRole and col == NAME and item.description:
            return item.description
        if role == SORT_ROLE:
            return (item.original_name.lower(), item.media_type, item.size, item.added_at.isoformat(),
                    item.sha256, len(item.events))[col]
        if role == OBJECT_ROLE:
            return item
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else flags

    def mimeTypes(self) -> list[str]:
        return [EVIDENCE_MIME]

    def mimeData(self, indexes: Any) -> QMimeData:
        """A file dragged to the Timeline tab and dropped on an event is linked to it."""
        for index in indexes:
            item = self.item_at(index.row())
            if item is not None:
                return evidence_mime(item.id)
        return QMimeData()

    def thumbnail(self, item: Evidence) -> QIcon:
        """A small picture of an image file; the file type's icon for anything else."""
        if item.sha256 not in self._thumbs:
            icon = QIcon()
            if item.media_type.startswith("image/"):
                # Read at the screen's pixel density so thumbnails stay sharp at 2x.
                ratio = QApplication.instance().devicePixelRatio()  # type: ignore[union-attr]
                side = round(THUMB * ratio)
                source = stored_source(self._store, item.sha256)
                reader = QImageReader(source)
                reader.setAutoTransform(True)
                size = reader.size()
                if size.isValid() and size.width() > 0 and size.height() > 0:
                    reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
                image = reader.read()
                if not image.isNull():
                    pixmap = QPixmap.fromImage(image)
                    pixmap.setDevicePixelRatio(ratio)
                    icon = QIcon(pixmap)
            elif item.media_type == "application/pdf":
                ratio = QApplication.instance().devicePixelRatio()  # type: ignore[union-attr]
                image = pdf_page_image(stored_source(self._store, item.sha256), round(THUMB * ratio))
                if not image.isNull():
                    pixmap = QPixmap.fromImage(image)
                    pixmap.setDevicePixelRatio(ratio)
                    icon = QIcon(pixmap)
            if icon.isNull():
                icon = _file_icon(item.media_type)
            self._thumbs[item.sha256] = icon
        return self._thumbs[item.sha256]


class EvidencePreview(QWidget):
    """The selected file: a preview (image, first page of a PDF, text) and its facts."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.stack = QStackedWidget(self)
        self.picture = QLabel(self)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(QSize(120, 60))
        # The picture is scaled to the room it gets; it must never ask for the room itself
        # (a tall screenshot would push the buttons off a laptop screen).
        self.picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.picture.setAccessibleName(_("Preview"))
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setAccessibleName(_("Text preview"))
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for widget in (self.message, self.picture, self.text):
            self.stack.addWidget(widget)
        # A PDF is read in place, every page, scrolling (QtPdf); the document lives with the view.
        self.pdf_view: Any = None
        self._pdf: Any = None
        qtpdf, widgets = _qtpdf(), _qtpdf_widgets()
        if qtpdf is not None and widgets is not None:
            self._pdf = qtpdf.QPdfDocument(self)
            self.pdf_view = widgets.QPdfView(self)
            self.pdf_view.setAccessibleName(_("PDF preview"))
            self.pdf_view.setDocument(self._pdf)
            self.pdf_view.setPageMode(widgets.QPdfView.PageMode.MultiPage)
            self.pdf_view.setZoomMode(widgets.QPdfView.ZoomMode.FitToWidth)
            self.pdf_view.setMinimumSize(QSize(120, 60))
            self.stack.addWidget(self.pdf_view)
        self.facts = QLabel(self)
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setAccessibleName(_("File details"))
        self._image = QImage()
        # The facts scroll rather than grow: a long description must not push the buttons away.
        self.facts_area = QScrollArea(self)
        self.facts_area.setWidget(self.facts)
        self.facts_area.setWidgetResizable(True)
        self.facts_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.facts_area.setMinimumHeight(self.facts.fontMetrics().lineSpacing() * 2)
        self.facts_area.setMaximumHeight(self.facts.fontMetrics().lineSpacing() * 8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.facts_area)
        self.show_item(None)

    def show_item(self, item: Evidence | None) -> None:
        self._image = QImage()
        if item is None:
            self.message.setText(_("Select a file to see it here."))
            self.stack.setCurrentWidget(self.message)
            self.facts.clear()
            return
        path = stored_source(self._store, item.sha256)
        linked = "\n".join(f"  {when_text(e.at)}: {e.summary}" for e in item.events)
        facts = [
            item.original_name,
            _("Size: %1").replace("%1", size_text(item.size)),
            _("Added: %1").replace("%1", added_text(item)),
            _("SHA-256: %1").replace("%1", item.sha256),
        ]
        if item.description:
            facts.append(item.description)
        facts.append(_("Linked to:") + ("\n" + linked if linked else " " + _("no event")))
        self.facts.setText("\n".join(facts))
        if item.media_type.startswith("image/"):
            reader = QImageReader(path)
            reader.setAutoTransform(True)
            size = reader.size()
            if size.isValid() and (size.width() > 1600 or size.height() > 1600):
                reader.setScaledSize(size.scaled(1600, 1600, Qt.AspectRatioMode.KeepAspectRatio))
            self._image = reader.read()
            if not self._image.isNull():
                self.stack.setCurrentWidget(self.picture)
                self._fit_picture()
                return
        elif item.media_type == "application/pdf" and self.pdf_view is not None:
            self._pdf.close()
            self._pdf_source = path  # a buffer must live as long as the document reads it
            self._pdf.load(path)
            if self._pdf.pageCount() > 0:
                self.stack.setCurrentWidget(self.pdf_view)
                return
        elif item.media_type == "application/pdf":
            self._image = self._pdf_first_page(path)
            if not self._image.isNull():
                self.stack.setCurrentWidget(self.picture)
                self._fit_picture()
                return
        elif item.media_type.startswith("text/") or item.media_type in ("application/json", "message/rfc822"):
            with self._store.evidence.open(item.sha256) as fh:
                data = fh.read(TEXT_PREVIEW_BYTES)
            self.text.setPlainText(data.decode("utf-8", errors="replace"))
            self.stack.setCurrentWidget(self.text)
            return
        self.message.setText(_("No preview for this kind of file. Open shows it in your usual viewer."))
        self.stack.setCurrentWidget(self.message)

    def highlight(self, words: list[str]) -> int:
        """Mark where each of ``words`` begins a word in the text preview (as search matches:
        any case, from the start of a word) and scroll to the first. Returns how many places
        were marked; a picture or a PDF page cannot be marked."""
        if self.stack.currentWidget() is not self.text or not words:
            self.text.setExtraSelections([])
            return 0
        look = QTextCharFormat()
        look.setBackground(self.palette().color(QPalette.ColorRole.Highlight))
        look.setForeground(self.palette().color(QPalette.ColorRole.HighlightedText))
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\w*", re.IGNORECASE)
        marks = []
        for found in pattern.finditer(self.text.toPlainText()):
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(found.start())
            cursor.setPosition(found.end(), QTextCursor.MoveMode.KeepAnchor)
            mark = QTextEdit.ExtraSelection()
            mark.cursor = cursor  # type: ignore[attr-defined]
            mark.format = look  # type: ignore[attr-defined]
            marks.append(mark)
            if len(marks) >= 500:  # enough to see; a huge log would slow the preview
                break
        self.text.setExtraSelections(marks)
        if marks:
            first = QTextCursor(self.text.document())
            first.setPosition(marks[0].cursor.position())  # type: ignore[attr-defined]
            self.text.setTextCursor(first)
            self.text.ensureCursorVisible()
        return len(marks)

    @staticmethod
    def _pdf_first_page(path: str | QBuffer) -> QImage:
        """Page 1 of a PDF through QtPdf (where QtPdfWidgets is missing)."""
        return pdf_page_image(path, 800)

    def _fit_picture(self) -> None:
        if self._image.isNull():
            return
        area = self.picture.size()
        pixmap = QPixmap.fromImage(self._image)
        if pixmap.width() > area.width() or pixmap.height() > area.height():
            pixmap = pixmap.scaled(area, Qt.AspectRatioMode.KeepAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
        self.picture.setPixmap(pixmap)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit_picture()


@dataclass
class AttachResult:
    """What a batch of files came to: ids attached, and whether the rest was cancelled."""

    attached: list[int] = field(default_factory=list)
    cancelled: bool = False
    total: int = 0


class EvidencePanel(QWidget):
    """Evidence of one case. ``evidence_changed()`` after files were attached or links changed."""

    evidence_changed = Signal()
    attach_finished = Signal(object)  # AttachResult, for whoever waits for it

    def __init__(self, store: Store, stack: QUndoStack, changed: undo.Changed, failed: undo.Failed,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._stack = stack
        self._changed = changed
        self._failed = failed
        self._case_id: int | None = None
        self._task: Task | None = None
        self.setAcceptDrops(True)

        self.model = EvidenceModel(store, self)
        self.table = QTableView(self)
        self.table.setAccessibleName(_("Evidence files"))
        self.table.setModel(self.model)
        self.table.setIconSize(QSize(THUMB, THUMB))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(THUMB + 6)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        fm = self.table.fontMetrics()
        for col, sample in ((SIZE, "1,023.9 MiB"), (ADDED, "28/12/2026 23:59"), (SHA, "b3c832c46995…"),
                            (LINKS, _("Events"))):
            header.resizeSection(col, fm.horizontalAdvance(sample) + 24)
        self.table.setColumnHidden(KIND, True)  # the preview says what the file is
        self.table.setAcceptDrops(False)  # the panel takes the drop wherever it lands
        self.table.setDragEnabled(True)  # onto an event in the Timeline tab, to link it
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.selectionModel().selectionChanged.connect(lambda *_ignored: self._selection_changed())
        self.table.doubleClicked.connect(lambda _ignored: self.open_selected())
        self.preview = EvidencePreview(store, self)

        self.hint = QLabel(_("Drop files here (photos, receipts, emails, PDFs) or use Add."), self)
        self.hint.setWordWrap(True)
        self.add_button = QPushButton(_("&Add files…"), self)
        self.add_button.clicked.connect(self._choose_files)
        self.open_button = QPushButton(_("&Open"), self)
        self.open_button.setAccessibleName(_("Open with the system viewer"))
        self.open_button.clicked.connect(self.open_selected)
        self.describe_button = QPushButton(_("De&scribe…"), self)
        self.describe_button.setToolTip(_("Say what the file shows and when it was taken"))
        self.describe_button.clicked.connect(self.describe_selected)
        self.link_button = QPushButton(_("&Link to event…"), self)
        self.link_button.clicked.connect(self.link_selected)
        self.unlink_button = QPushButton(_("&Unlink…"), self)
        self.unlink_button.clicked.connect(self.unlink_selected)
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(_("Copying files"))
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.clicked.connect(self.cancel)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setAccessibleName(_("Evidence status"))

        buttons = FlowLayout()  # a second line rather than past the edge in a longer language
        for button in (self.add_button, self.open_button, self.describe_button, self.link_button,
                       self.unlink_button):
            buttons.addWidget(button)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self._progress_row = QWidget(self)
        self._progress_row.setLayout(progress_row)
        self._progress_row.hide()

        # The list above the preview: the workspace is usually narrower than it is tall.
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.table)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height() + THUMB + 12)
        self.splitter = split
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(split, 1)
        layout.addWidget(self._progress_row)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._selection_changed()

    # -- showing ------------------------------------------------------------------------
    def show_case(self, case_id: int | None) -> None:
        self._case_id = case_id
        self.reload()

    def reload(self) -> None:
        """Re-read the case's evidence, keeping the selected file selected."""
        keep = self.selected_item()
        self.model.load(self._case_id)
        # Once there are files the list says what to do; the room goes to the preview.
        self.hint.setVisible(self.model.rowCount() == 0)
        if keep is not None and (row := self.model.row_of(keep.id)) >= 0:
            self.table.selectRow(row)
        self._selection_changed()

    def select(self, evidence_id: int) -> bool:
        """Select (and preview) the file ``evidence_id``; False if this case has no such file."""
        row = self.model.row_of(evidence_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, NAME))
        return True

    def selected_item(self) -> Evidence | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(OBJECT_ROLE) if rows else None

    def _selection_changed(self) -> None:
        item = self.selected_item()
        self.preview.show_item(item)
        for button in (self.open_button, self.link_button, self.describe_button):
            button.setEnabled(item is not None)
        self.unlink_button.setEnabled(item is not None and bool(item.events))
        self.add_button.setEnabled(self._case_id is not None)

    # -- adding files -------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._case_id is not None and self._local_paths(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._local_paths(event.mimeData().urls())
        if not paths or self._case_id is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_files(paths)

    @staticmethod
    def _local_paths(urls: list[QUrl]) -> list[Path]:
        return [Path(u.toLocalFile()) for u in urls if u.isLocalFile() and Path(u.toLocalFile()).is_file()]

    def _choose_files(self) -> None:
        names, _ignored = QFileDialog.getOpenFileNames(self, _("Add evidence files"))
        if names:
            self.add_files([Path(n) for n in names])

    def add_files(self, paths: list[Path], event_ids: list[int] | None = None) -> None:
        """Attach ``paths`` to the case (linked to ``event_ids``, if given): emails go through
        the email import; everything else is copied and hashed in the background."""
        if self._case_id is None:
            return
        emails = [p for p in paths if p.suffix.lower() in EMAIL_SUFFIXES]
        if emails:
            # Imported here: keeps start-up quick.
            from gui.dialogs.email_import import EmailImportDialog

            EmailImportDialog(self._store, self._case_id, emails, self).exec()
            paths = [p for p in paths if p not in emails]
            self.reload()
            self.evidence_changed.emit()
        if not paths:
            return
        if self._task is not None:
            self.status.setText(_("Still copying the previous files; drop these again when it is done."))
            return
        self._start(paths, list(event_ids or []))

    def _start(self, paths: list[Path], event_ids: list[int] | None = None) -> None:
        store, case_id = self._store, self._case_id
        assert case_id is not None
        sizes = [p.stat().st_size for p in paths]
        grand_total = max(1, sum(sizes))
        links = list(event_ids or [])

        def work(progress: Any) -> AttachResult:
            # Runs on a worker thread: core calls only, no widgets.
            result = AttachResult(total=len(paths))
            done_before = 0
            for path, size in zip(paths, sizes, strict=True):
                def step(done: int, _total: int, base: int = done_before) -> bool:
                    return progress(base + done, grand_total)
                try:
                    result.attached.append(cases.attach_evidence(store, case_id=case_id, path=path, progress=step,
                                                                 event_ids=links))
                except Cancelled:
                    result.cancelled = True
                    break
                done_before += size
            return result

        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self._progress_row.show()
        self.add_button.setEnabled(False)
        self.status.setText(count_text("Copying %n file into the evidence store…",
                                       "Copying %n files into the evidence store…", len(paths)))
        task = run_task(work)
        task.progressed.connect(self._progressed)
        task.succeeded.connect(self._attached)
        task.failed.connect(self._attach_failed)
        task.finished.connect(self._task_done)
        self._task = task

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setValue(int(done * 1000 / max(1, total)))

    def cancel(self) -> None:
        """Stop copying: the file being copied is not kept; files already attached stay."""
        if self._task is not None:
            self._task.cancel()

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _attached(self, result: AttachResult) -> None:
        self._task_done()
        if result.cancelled:
            self.status.setText(_("Cancelled: %1 of %2 files attached; the file being copied was not kept.")
                                .replace("%1", str(len(result.attached))).replace("%2", str(result.total)))
        else:
            self.status.setText(count_text("Attached %n file.", "Attached %n files.", len(result.attached)))
        self.reload()
        if result.attached and (row := self.model.row_of(result.attached[-1])) >= 0:
            self.table.selectRow(row)
        self.evidence_changed.emit()
        self.attach_finished.emit(result)

    def _attach_failed(self, message: str) -> None:
        self._task_done()
        self.status.setText(_("Not attached: %1").replace("%1", message))
        self.reload()
        self.evidence_changed.emit()
        self.attach_finished.emit(AttachResult())

    def _task_done(self) -> None:
        self._task = None
        self._progress_row.hide()
        self.add_button.setEnabled(self._case_id is not None)

    # -- acting on a file ---------------------------------------------------------------
    def open_selected(self) -> None:
        """Show the stored copy in the system's viewer."""
        item = self.selected_item()
        if item is None:
            return
        if not self._store.evidence.sealed:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._store.evidence.path_for(item.sha256))))
            return
        # A protected store keeps no clear copy for another program to read: the user chooses
        # where the clear copy goes (an export), and it is shown from there.
        name, _filter = QFileDialog.getSaveFileName(self, _("Save a copy to open it"), item.original_name)
        if not name:
            return
        with self._store.evidence.open(item.sha256) as src, open(name, "wb") as out:
            while chunk := src.read(1024 * 1024):
                out.write(chunk)
        QDesktopServices.openUrl(QUrl.fromLocalFile(name))

    def describe_selected(self) -> None:
        """Edit the selected file's description and capture date (undoable)."""
        from gui.dialogs.evidence_details import EvidenceDetailsDialog, evidence_values

        item = self.selected_item()
        if item is None:
            return
        before = evidence_values(item)

        def submit(values: dict[str, Any]) -> None:
            after = {k: v for k, v in values.items() if v != before[k]}
            if after:
                undo.push(self._stack, undo.EditEvidence(
                    self._store, self._changed, evidence_id=item.id, before=before, after=after,
                    failed=self._failed, text=_("Describe %1").replace("%1", item.original_name)))

        EvidenceDetailsDialog(item, submit, self).exec()

    def link_selected(self) -> None:
        item = self.selected_item()
        if item is None or self._case_id is None:
            return
        linked = {e.id for e in item.events}
        events = [e for e in queries.timeline_rows(self._store, self._case_id) if e.id not in linked]
        if not events:
            self.status.setText(_("Every event already has this file, or the timeline is empty."))
            return
        from gui.dialogs.pick_event import PickEventDialog  # imported here: keeps start-up quick

        dialog = PickEventDialog(_("Link %1 to an event").replace("%1", item.original_name), events, self)
        if dialog.exec() == PickEventDialog.DialogCode.Accepted and dialog.event_id is not None:
            self._push_link(dialog.event_id, item.id, unlink=False)

    def unlink_selected(self) -> None:
        item = self.selected_item()
        if item is None or not item.events:
            return
        labels = [f"{when_text(e.at)}: {e.summary}" for e in item.events]
        choice, ok = QInputDialog.getItem(self, _("Unlink from event"), _("Event:"), labels, 0, False)
        if ok and choice in labels:
            self._push_link(item.events[labels.index(choice)].id, item.id, unlink=True)

    def _push_link(self, event_id: int, evidence_id: int, *, unlink: bool) -> None:
        text = _("Unlink evidence") if unlink else _("Link evidence")
        try:
            undo.push(self._stack, undo.LinkEvidence(self._store, self._changed, event_id=event_id,
                                                     evidence_id=evidence_id, unlink=unlink,
                                                     failed=self._failed, text=text))
        except DocketError as exc:
            self.status.setText(str(exc))
