"""Make the icon set from ``resources/icons/docket.svg``: PNGs in the usual sizes, ``.ico``
for Windows and ``.icns`` for macOS. Generated at build time into ``packaging/build/icons``;
nothing generated is committed.

    python packaging/make_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "docket.svg"
OUT = ROOT / "packaging" / "build" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render_pngs() -> dict[int, Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (keeps Qt alive)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SVG}")
    OUT.mkdir(parents=True, exist_ok=True)
    paths = {}
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        path = OUT / f"docket-{size}.png"
        image.save(str(path))
        paths[size] = path
    return paths


def main() -> int:
    # Pillow writes .ico and .icns; Qt's writers for them are optional plugins.
    from PIL import Image

    pngs = render_pngs()
    biggest = Image.open(pngs[512])
    biggest.save(OUT / "docket.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    biggest.save(OUT / "docket.icns")
    print(f"icons written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
