"""The one renderer: HTML laid out by Qt's text engine, to PDF or to a printer.

Preview, paper and PDF use the same QTextDocument layout: :func:`paint_document` paginates a
document onto any paged paint device (a ``QPdfWriter`` here, a ``QPrinter`` from the window)
with a running header and footer ("page N of M"). :func:`html_to_pdf` adds what Qt's PDF
writer cannot: an outline (bookmarks) built from the document's headings and complete
metadata, written with pypdf after Qt has drawn the pages.

This is the only core module that uses Qt, and only QtCore and QtGui; it never imports
the widget module (QtPrintSupport pulls it in, so a printer is passed in by the window as a
plain ``QPagedPaintDevice``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QImageReader,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrame,
    QTextOption,
    QTextTable,
)

if TYPE_CHECKING:
    from pypdf import PdfWriter

PAPER = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}


def _warm_enums() -> None:
    """Create, on the importing (main) thread, the Qt flag combinations that rendering on a
    worker thread produces, so that no worker has to create a new enum member while another
    thread does the same (PySide's enums are not safe for that)."""
    from PySide6.QtGui import QImageIOHandler

    for value in range(8):
        QImageIOHandler.Transformation(value)
    for side in (Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight):
        _ = side | Qt.AlignmentFlag.AlignVCenter


_warm_enums()

# Families in order of preference; Qt falls back per character through the system's fonts
# (fontconfig, DirectWrite, CoreText), so Hebrew, Arabic, Chinese and emoji find a face even
# where the first family lacks them. Noto is what Linux systems have; the others are the
# platform faces on Windows and macOS.
BODY_FAMILIES = [
    "Noto Sans", "Segoe UI", "Helvetica Neue", "Arial", "DejaVu Sans",
    "Noto Sans Hebrew", "Noto Sans Arabic", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC",
    "Noto Emoji", "Noto Color Emoji", "Segoe UI Emoji", "Apple Color Emoji",
]
BODY_POINT_SIZE = 9.5
PDF_RESOLUTION = 300
MARGIN_MM = 16.0
HEADER_MM = 9.0  # space taken from the body for the running header
FOOTER_MM = 9.0  # and for the running footer

# progress(done, total) -> False to cancel, as everywhere in Docket
Progress = Callable[[int, int], bool | None]
# Prepares one large image when its page is near: returns a QImageReader set up to read it
# (scaled size, orientation), or None. Preparing touches Qt enums, which PySide does not make
# safe across threads, so it runs on the painting thread; only reader.read() runs on a worker.
LazyImage = Callable[[], QImageReader | None]


class RenderCancelled(Exception):
    """The progress callback asked to stop; the caller removes any partial output."""


@dataclass(frozen=True, slots=True)
class Running:
    """The running header and footer of every page."""

    header_left: str = ""
    header_right: str = ""
    footer_left: str = ""
    page_label: str = "page {n} of {m}"


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading found in the laid-out document, for the PDF outline."""

    title: str
    level: int
    page: int  # 0-based
    y_mm: float  # from the top edge of the paper


@dataclass(slots=True)
class Pagination:
    """What painting produced: the number of pages and where each heading landed."""

    pages: int = 0
    headings: list[Heading] = field(default_factory=list)


def ensure_gui_app() -> QGuiApplication:
    """Qt's text layout needs an application object; the command line has none, so make a
    headless one (the window, when running, already has its own)."""
    app = QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and os.name == "posix":
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        # A program that also shows widgets must make its QApplication before rendering (the
        # window does, and so does the test suite): Qt allows one application object.
        app = QGuiApplication(["docket"])
    return app  # type: ignore[return-value]


def page_layout(paper: str = "A4", margins_mm: float = MARGIN_MM) -> QPageLayout:
    """Portrait A4 or Letter with equal margins, in millimetres."""
    return QPageLayout(
        QPageSize(PAPER.get(paper, QPageSize.PageSizeId.A4)),
        QPageLayout.Orientation.Portrait,
        QMarginsF(margins_mm, margins_mm, margins_mm, margins_mm),
        QPageLayout.Unit.Millimeter,
    )


def body_font() -> QFont:
    font = QFont()
    font.setFamilies(BODY_FAMILIES)
    font.setPointSizeF(BODY_POINT_SIZE)
    return font


class ReportDocument(QTextDocument):
    """A QTextDocument whose large images are read from disk only for the page that shows them.

    Images named in ``<img>`` with both width and height given are not needed for layout, so
    a case with many photographs never holds them all in memory at once: :func:`paint_document`
    loads each just before its page is drawn and lets it go afterwards.
    """

    def __init__(self, lazy_images: dict[str, LazyImage] | None = None) -> None:
        super().__init__()
        self.lazy_images: dict[str, LazyImage] = dict(lazy_images or {})


def make_document(html: str, *, images: dict[str, QImage] | None = None,
                  lazy_images: dict[str, LazyImage] | None = None) -> ReportDocument:
    """A document for ``html``; ``images`` are small images kept in memory (thumbnails),
    ``lazy_images`` name larger ones loaded page by page while painting."""
    ensure_gui_app()
    doc = ReportDocument(lazy_images)
    doc.setDefaultFont(body_font())
    doc.setDocumentMargin(0)
    # Break lines between words only: a narrow table cell must not print "Membershi|p".
    option = doc.defaultTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    doc.setDefaultTextOption(option)
    for name, image in (images or {}).items():
        doc.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name), image)
    doc.setHtml(html)
    _honour_heading_sizes(doc)
    _without_ligatures(doc)
    _keep_marked_blocks(doc)
    return doc


KEEP_ANCHOR = "docket-keep"  # <a name="docket-keep"></a> in a paragraph: never split it across pages


def _without_ligatures(doc: QTextDocument) -> None:
    """Turn off ligatures: with them the PDF's text layer holds "ﬁ" (U+FB01) for "fi", and a
    search for "confirms" in the copy a court or a bank receives finds nothing."""
    fmt = QTextCharFormat()
    fmt.setFontFeatures({QFont.Tag("liga"): 0, QFont.Tag("clig"): 0})
    cursor = QTextCursor(doc)
    cursor.select(QTextCursor.SelectionType.Document)
    cursor.mergeCharFormat(fmt)


def _tables(frame: QTextFrame) -> list[QTextTable]:
    found: list[QTextTable] = []
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            found.append(child)
        found += _tables(child)
    return found


KEEP_ROWS_LIMIT = 400  # table rows a document may have for rows to be kept whole


def _keep_table_rows(doc: QTextDocument, body_h: float, dpi: float) -> None:
    """Move a table row that would straddle a page break to the next page, whole (the
    table's header rows repeat above it there). Qt splits rows line by line; a chronology
    row cut in two reads as two events. The row's cells get the space left on the page as
    top padding; rows taller than half a page are left to split.

    Each move makes Qt lay the rest of the document out again, so the cost grows with rows
    times pages: documents with more than :data:`KEEP_ROWS_LIMIT` table rows keep Qt's own
    row breaking (see docs/case-report.md)."""
    tables = _tables(doc.rootFrame())
    if sum(t.rows() for t in tables) > KEEP_ROWS_LIMIT:
        return
    layout = doc.documentLayout()
    units_per_px = 96.0 / dpi  # cell padding is in CSS pixels (1/96 inch); the layout in device pixels
    for table in tables:
        for row in range(table.format().headerRowCount(), table.rows()):
            cells = [table.cellAt(row, col) for col in range(table.columns())]
            # A row's cells start together: the first cell gives its top.
            top = layout.blockBoundingRect(doc.findBlock(cells[0].firstPosition())).top()
            bottom = max(layout.blockBoundingRect(doc.findBlock(c.lastPosition())).bottom() for c in cells)
            if int(top // body_h) == int((bottom - 1) // body_h) or bottom - top > body_h / 2:
                continue
            shift = (int(top // body_h) + 1) * body_h - top + 2
            edit = QTextCursor(doc)
            edit.beginEditBlock()
            for cell in cells:
                fmt = cell.format().toTableCellFormat()
                fmt.setTopPadding(fmt.topPadding() + shift * units_per_px)
                cell.setFormat(fmt)
            edit.endEditBlock()


def _push_kept_blocks(doc: QTextDocument, body_h: float) -> None:
    """Move a paragraph marked to be kept whole to the next page when it would straddle a
    page break. Qt's own "non-breakable lines" does not hold for lines joined by <br>, so
    the paragraph gets the space left on its page as top margin, once its page is known."""
    layout = doc.documentLayout()
    block = doc.begin()
    while block.isValid():
        if block.blockFormat().nonBreakableLines():
            layout.blockBoundingRect(block)  # lays the block out where it falls now
            lines = block.layout()
            if lines.lineCount():
                origin = lines.position().y()
                first = lines.lineAt(0)
                last = lines.lineAt(lines.lineCount() - 1)
                top, bottom = origin + first.y(), origin + last.y() + last.height()
                if int(top // body_h) != int((bottom - 1) // body_h) and bottom - top < body_h:
                    fmt = block.blockFormat()
                    fmt.setTopMargin(fmt.topMargin() + (int(top // body_h) + 1) * body_h - top + 1)
                    QTextCursor(block).setBlockFormat(fmt)
        block = block.next()


def _keep_marked_blocks(doc: QTextDocument) -> None:
    """Paragraphs marked with :data:`KEEP_ANCHOR` keep their lines on one page (a letter's
    closing and signature). Qt's HTML reader has no CSS for this, so it is set here."""
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            if KEEP_ANCHOR in it.fragment().charFormat().anchorNames():
                fmt = block.blockFormat()
                fmt.setNonBreakableLines(True)
                QTextCursor(block).setBlockFormat(fmt)
                break
            it += 1
        block = block.next()


def _honour_heading_sizes(doc: QTextDocument) -> None:
    """Qt scales <h1>..<h6> by a size adjustment on top of any CSS font-size; drop the
    adjustment where a size was given, so a stylesheet's heading sizes print as written."""
    adjustment = QTextFormat.Property.FontSizeAdjustment.value
    block = doc.begin()
    while block.isValid():
        if block.blockFormat().headingLevel():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fmt.hasProperty(adjustment) and fmt.fontPointSize() > 0:
                    fmt.clearProperty(adjustment)
                    cursor = QTextCursor(doc)
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                    cursor.setCharFormat(fmt)
                it += 1
        block = block.next()


def _mm_to_px(mm: float, dpi: float) -> float:
    return mm / 25.4 * dpi


def paint_document(doc: QTextDocument, device: QPagedPaintDevice, *, running: Running | None = None,
                   progress: Progress | None = None) -> Pagination:
    """Lay ``doc`` out for ``device``'s page and paint every page with the running header and
    footer. The device's page layout (paper, margins) must be set already. Raises
    :class:`RenderCancelled` if ``progress`` returns False."""
    running = running or Running()
    # QPdfWriter and QPrinter both say their resolution; other paged devices only their DPI.
    dpi = device.resolution() if hasattr(device, "resolution") else device.logicalDpiY()
    paint_rect = device.pageLayout().paintRectPixels(dpi)
    width = float(paint_rect.width())
    header_h = _mm_to_px(HEADER_MM, dpi)
    footer_h = _mm_to_px(FOOTER_MM, dpi)
    body_h = float(paint_rect.height()) - header_h - footer_h
    # Lay out at the device's resolution so point sizes print true to size.
    doc.documentLayout().setPaintDevice(device)
    doc.setPageSize(QSizeF(width, body_h))
    _keep_table_rows(doc, body_h, dpi)
    _push_kept_blocks(doc, body_h)
    # The moves above re-lay the document out piece by piece; lay it out once more in full so
    # that every block is drawn where the pages below are counted.
    doc.markContentsDirty(0, doc.characterCount())
    layout = doc.documentLayout()
    pages = doc.pageCount()

    result = Pagination(pages=pages)
    margin_top_mm = device.pageLayout().margins(QPageLayout.Unit.Millimeter).top()
    block = doc.begin()
    while block.isValid():
        level = block.blockFormat().headingLevel()
        if level and block.text().strip():
            top = layout.blockBoundingRect(block).top()
            page = min(int(top // body_h), pages - 1)
            y_mm = margin_top_mm + HEADER_MM + (top - page * body_h) / dpi * 25.4
            result.headings.append(Heading(block.text().strip(), level, page, y_mm))
        block = block.next()

    lazy = _lazy_images_by_page(doc, body_h) if isinstance(doc, ReportDocument) else {}
    prefetch = _Prefetch(doc, lazy)
    shown: set[str] = set()

    small = QFont(body_font())
    small.setPointSizeF(7.5)
    rule = QPen(QColor("#9a9a9a"))
    rule.setWidthF(_mm_to_px(0.2, dpi))
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("Cannot start drawing on the output (is the file writable?)")
    try:
        for index in range(pages):
            if progress is not None and progress(index, pages) is False:
                raise RenderCancelled()
            if index:
                device.newPage()
            _paint_running(painter, running, index, pages, width, header_h, body_h, footer_h, small, rule)
            for name in lazy.get(index, ()):
                if name not in shown:
                    image = prefetch.result(name, index)
                    if image is not None:
                        doc.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name), image)
                    shown.add(name)
            painter.save()
            painter.translate(0, header_h - index * body_h)
            clip = QRectF(0, index * body_h, width, body_h)
            painter.setClipRect(clip)
            ctx = QAbstractTextDocumentLayout.PaintContext()
            # A line that starts exactly on the page boundary belongs to the next page; a
            # slightly smaller clip keeps the layout from drawing it (hidden, but still in the
            # PDF's text) on this one too.
            ctx.clip = clip.adjusted(0, 0.5, 0, -0.5)
            layout.draw(painter, ctx)
            painter.restore()
            for name in lazy.get(index, ()):
                if not any(name in later for page, later in lazy.items() if page > index):
                    # Drawn for the last time: let the pixels go.
                    doc.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name), QImage())
                    shown.discard(name)
        if progress is not None:
            progress(pages, pages)
    finally:
        prefetch.close()
        painter.end()
    return result


def _read(reader: QImageReader | None) -> QImage | None:
    if reader is None:
        return None
    image = reader.read()
    return None if image.isNull() else image


class _Prefetch:
    """Decodes the lazily loaded images of the next few pages on worker threads, so that
    reading photographs overlaps drawing pages (Qt releases the GIL for both) while only a
    few pages' images are in memory at once."""

    AHEAD = 3  # pages

    def __init__(self, doc: QTextDocument, by_page: dict[int, list[str]]) -> None:
        self._loaders: dict[str, LazyImage] = getattr(doc, "lazy_images", {})
        self._by_page = by_page
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="docket-image") if by_page else None
        self._pending: dict[str, Future[QImage | None]] = {}
        self._queued_to = -1

    def result(self, name: str, page: int) -> QImage | None:
        assert self._pool is not None
        for ahead in range(self._queued_to + 1, page + self.AHEAD + 1):
            for wanted in self._by_page.get(ahead, ()):
                if wanted not in self._pending:
                    reader = self._loaders[wanted]()
                    self._pending[wanted] = self._pool.submit(_read, reader)
        self._queued_to = max(self._queued_to, page + self.AHEAD)
        future = self._pending.pop(name, None)
        return future.result() if future is not None else _read(self._loaders[name]())

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pending.clear()


def _lazy_images_by_page(doc: ReportDocument, body_h: float) -> dict[int, list[str]]:
    """Which lazily loaded images each page shows (an image may run onto a second page)."""
    if not doc.lazy_images:
        return {}
    layout = doc.documentLayout()
    by_page: dict[int, list[str]] = {}
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.isImageFormat():
                image = fmt.toImageFormat()
                if image.name() in doc.lazy_images:
                    line = block.layout().lineForTextPosition(fragment.position() - block.position())
                    top = layout.blockBoundingRect(block).top() + (line.y() if line.isValid() else 0)
                    bottom = top + (line.height() if line.isValid() else image.height())
                    for page in range(int(top // body_h), int(bottom // body_h) + 1):
                        by_page.setdefault(page, []).append(image.name())
            it += 1
        block = block.next()
    return by_page


def _paint_running(painter: QPainter, running: Running, index: int, pages: int, width: float,
                   header_h: float, body_h: float, footer_h: float, font: QFont, rule: QPen) -> None:
    painter.save()
    painter.setFont(font)
    painter.setPen(QColor("#555555"))
    text_h = header_h * 0.6
    top = QRectF(0, 0, width, text_h)
    painter.drawText(top, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), running.header_left)
    painter.drawText(top, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), running.header_right)
    bottom = QRectF(0, header_h + body_h + footer_h - text_h, width, text_h)
    painter.drawText(bottom, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), running.footer_left)
    painter.drawText(bottom, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                     running.page_label.format(n=index + 1, m=pages))
    painter.setPen(rule)
    if running.header_left or running.header_right:
        # A letter has no running header: no rule either, above the sender's address.
        painter.drawLine(0, int(text_h + header_h * 0.1), int(width), int(text_h + header_h * 0.1))
    y = header_h + body_h + footer_h - text_h - footer_h * 0.1
    painter.drawLine(0, int(y), int(width), int(y))
    painter.restore()


@dataclass(frozen=True, slots=True)
class PdfInfo:
    """The PDF's metadata (document properties)."""

    title: str = ""
    author: str = ""
    subject: str = ""
    keywords: str = ""
    created: datetime | None = None


def _pdf_date(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("D:%Y%m%d%H%M%SZ")


def html_to_pdf(html: str, out: Path, *, paper: str = "A4", title: str = "", author: str = "",
                subject: str = "", running: Running | None = None,
                images: dict[str, QImage] | None = None, lazy_images: dict[str, LazyImage] | None = None,
                info: PdfInfo | None = None, progress: Progress | None = None) -> int:
    """Lay out ``html`` and write it to ``out`` as a PDF with a running header and footer,
    an outline of its headings and the given metadata. Returns the number of pages.

    The file appears only when complete: it is written beside ``out`` under a temporary name
    and renamed. Raises :class:`RenderCancelled` if ``progress`` returns False.
    """
    info = info or PdfInfo(title=title, author=author, subject=subject)
    doc = make_document(html, images=images, lazy_images=lazy_images)
    return document_to_pdf(doc, Path(out), paper=paper, running=running, info=info, progress=progress)


def html_to_pdf_bytes(html: str, *, paper: str = "A4", title: str = "", author: str = "",
                      subject: str = "", running: Running | None = None) -> bytes:
    """The PDF :func:`html_to_pdf` would write, made in memory: for what goes straight into
    the evidence store (a letter kept as sent), so that no clear copy touches the disk when
    the store is protected."""
    info = PdfInfo(title=title, author=author, subject=subject)
    doc = make_document(html)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageLayout(page_layout(paper))
    writer.setResolution(PDF_RESOLUTION)
    writer.setTitle(info.title)
    writer.setCreator("Docket")
    writer.setAuthor(info.author)
    pagination = paint_document(doc, writer, running=running)
    del writer  # finishes the PDF in the buffer
    out = io.BytesIO()
    _finish_pdf(io.BytesIO(bytes(buffer.data().data())), out, pagination, info, paper)
    buffer.close()
    return out.getvalue()


def document_to_pdf(doc: QTextDocument, out: Path, *, paper: str = "A4", running: Running | None = None,
                    info: PdfInfo | None = None, progress: Progress | None = None) -> int:
    """Paint an already built document to a PDF file (see :func:`html_to_pdf`)."""
    info = info or PdfInfo()
    out = Path(out)
    fd, drawn_name = tempfile.mkstemp(dir=out.parent, prefix=".docket-", suffix=".pdf")
    os.close(fd)
    drawn = Path(drawn_name)
    final_tmp = drawn.with_suffix(".out.pdf")
    try:
        writer = QPdfWriter(str(drawn))
        writer.setPageLayout(page_layout(paper))
        writer.setResolution(PDF_RESOLUTION)
        writer.setTitle(info.title)
        writer.setCreator("Docket")
        writer.setAuthor(info.author)
        pagination = paint_document(doc, writer, running=running, progress=progress)
        del writer  # closes the file
        _finish_pdf(drawn, final_tmp, pagination, info, paper)
        os.replace(final_tmp, out)
        return pagination.pages
    finally:
        for leftover in (drawn, final_tmp):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _subset_tag(name: str) -> str:
    """Six capital letters derived from the font's name, as PDF subset tags are written."""
    digest = hashlib.sha256(name.encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


def _tag_font_subsets(writer: PdfWriter) -> None:
    """Name each embedded font as the subset it is ("ABCDEF+NotoSans-Regular").

    Qt embeds only the glyphs a document uses but names the font as if it were whole; a
    checker (PDF/A, preflight) then takes the file for one that embeds full fonts.
    """
    from pypdf.generic import NameObject

    seen: set[int] = set()
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            if id(font) in seen:
                continue
            seen.add(id(font))
            targets = [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]
            for item in targets:
                base = str(item.get("/BaseFont", ""))
                if not base or "+" in base:
                    continue
                tagged = NameObject(f"/{_subset_tag(base)}+{base.lstrip('/')}")
                item[NameObject("/BaseFont")] = tagged
                descriptor = item.get("/FontDescriptor")
                if descriptor is not None:
                    descriptor.get_object()[NameObject("/FontName")] = tagged


def _finish_pdf(drawn: Path | io.BytesIO, out: Path | io.BytesIO, pagination: Pagination, info: PdfInfo,
                paper: str) -> None:
    """Add the outline and the full metadata to the PDF Qt drew (a file, or bytes in memory)."""
    from pypdf import PdfWriter
    from pypdf.generic import Fit

    writer = PdfWriter(clone_from=str(drawn) if isinstance(drawn, Path) else drawn)
    page_h_mm = QPageSize(PAPER.get(paper, QPageSize.PageSizeId.A4)).size(QPageSize.Unit.Millimeter).height()
    parents: dict[int, Any] = {}
    for heading in pagination.headings:
        parent = None
        for level in range(heading.level - 1, 0, -1):
            if level in parents:
                parent = parents[level]
                break
        top_pt = (page_h_mm - heading.y_mm) / 25.4 * 72
        item = writer.add_outline_item(title=heading.title, page_number=heading.page, parent=parent,
                                       fit=Fit.xyz(left=0, top=top_pt, zoom=None))
        parents[heading.level] = item
        for deeper in [lvl for lvl in parents if lvl > heading.level]:
            del parents[deeper]
    if pagination.headings:
        writer.page_mode = "/UseOutlines"  # viewers open with the bookmarks shown
    _tag_font_subsets(writer)
    created = _pdf_date(info.created or datetime.now(UTC))
    writer.add_metadata({
        "/Title": info.title, "/Author": info.author, "/Subject": info.subject,
        "/Keywords": info.keywords, "/Creator": "Docket", "/Producer": "Docket (Qt, pypdf)",
        "/CreationDate": created, "/ModDate": created,
    })
    if isinstance(out, Path):
        with open(out, "wb") as fh:
            writer.write(fh)
    else:
        writer.write(out)
