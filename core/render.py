"""The one renderer: HTML laid out by Qt's text engine, to PDF or to a printer.

Preview, paper and PDF use the same QTextDocument layout. This is the only core module that
uses Qt, and only QtGui (text layout and PDF writing); it never imports QtWidgets.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

PAPER = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}


def ensure_gui_app() -> QGuiApplication:
    """Qt's text layout needs an application object; the command line has none, so make a
    headless one (the window, when running, already has its own)."""
    app = QGuiApplication.instance()
    if app is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and os.name == "posix":
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["docket"])
    return app  # type: ignore[return-value]


def page_layout(paper: str = "A4", margins_mm: float = 20.0) -> QPageLayout:
    return QPageLayout(
        QPageSize(PAPER.get(paper, QPageSize.PageSizeId.A4)),
        QPageLayout.Orientation.Portrait,
        QMarginsF(margins_mm, margins_mm, margins_mm, margins_mm),
        QPageLayout.Unit.Millimeter,
    )


def html_to_pdf(html: str, out: Path, *, paper: str = "A4", title: str = "", author: str = "",
                subject: str = "") -> int:
    """Lay out ``html`` and write it to ``out`` as a PDF. Returns the number of pages."""
    ensure_gui_app()
    writer = QPdfWriter(str(out))
    writer.setPageLayout(page_layout(paper))
    writer.setResolution(300)
    writer.setTitle(title)
    writer.setCreator("Docket")
    if author:
        writer.setAuthor(author)
    if subject and hasattr(writer, "setSubject"):
        writer.setSubject(subject)
    doc = QTextDocument()
    # Lay out at the writer's resolution: the page size below is in its pixels, and a
    # document laid out at screen resolution would print at a third of its point size.
    doc.documentLayout().setPaintDevice(writer)
    doc.setHtml(html)
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(writer)
    return doc.pageCount()
