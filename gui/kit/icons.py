"""Docket's icons: SVG files under ``resources/icons`` drawn at whatever size is asked.

The line icons use ``currentColor``; it becomes the palette's text colour when drawn, so they
follow a light or dark theme. Drawing from the SVG at the requested device pixel size keeps
them sharp at 2x scale.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

EVENT_KINDS = ("call", "email", "letter", "chat", "visit", "web_form", "social", "payment",
               "delivery", "promise", "response", "note")


@cache
def _svg_text(name: str) -> str:
    return files("resources").joinpath("icons", f"{name}.svg").read_text(encoding="utf-8")


class _SvgEngine(QIconEngine):
    """Renders one SVG at any size, tinted with the palette's text colour for its mode."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def _color(self, mode: QIcon.Mode) -> str:
        palette = QGuiApplication.palette()
        group = QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled else QPalette.ColorGroup.Active
        role = QPalette.ColorRole.HighlightedText if mode == QIcon.Mode.Selected else QPalette.ColorRole.WindowText
        return palette.color(group, role).name()

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        svg = _svg_text(self._name).replace("currentColor", self._color(mode))
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        renderer.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
        renderer.render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return QPixmap.fromImage(image)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        # Drawn at device pixels so a 2x screen gets a 2x drawing, not an upscaled one.
        pixmap = self.pixmap(QSize(round(size.width() * scale), round(size.height() * scale)), mode, state)
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return _SvgEngine(self._name)

    def key(self) -> str:
        return "docket-svg"


def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg``, e.g. ``icon("new-case")``."""
    _svg_text(name)  # fail early and clearly if the file is missing
    return QIcon(_SvgEngine(name))


def icon_for_kind(kind: str) -> QIcon:
    """The icon of an event kind (call, email, letter, ...); a note for anything unknown."""
    return icon(f"kind-{kind}" if kind in EVENT_KINDS else "kind-note")


def app_icon() -> QIcon:
    """Docket's application icon."""
    return icon("docket")
