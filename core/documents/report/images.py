"""Evidence images for the case history: thumbnails and the appendix's full-size pages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from core.documents.report.gather import EvidenceRow, Report
from core.i18n import _

THUMB_MM = (34.0, 26.0)  # the box a thumbnail fits in


APPENDIX_MM = (170.0, 215.0)  # the box a full-size image fits in (fits A4 and Letter)


APPENDIX_DPI = 150  # enough to read a photographed receipt; bounds memory per image


def _mm_px(mm: float) -> int:
    # <img> sizes are CSS pixels (1/96 inch); Qt scales them to the device.
    return round(mm / 25.4 * 96)


def _fit(size: tuple[int, int], box_mm: tuple[float, float]) -> tuple[int, int]:
    """Width and height in CSS pixels that fit ``size`` in the box, keeping its proportions."""
    w, h = size
    bw, bh = _mm_px(box_mm[0]), _mm_px(box_mm[1])
    if w <= 0 or h <= 0:
        return bw, bh
    scale = min(bw / w, bh / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


@dataclass(slots=True)
class _Images:
    """Thumbnails kept in memory, and what the appendix loads lazily."""

    thumbs: dict[str, Any] = field(default_factory=dict)  # name -> QImage
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # evidence number -> pixels
    # url -> (file, px, the data key when the file is sealed)
    full: dict[str, tuple[Path, tuple[int, int], bytes | None]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # evidence number -> why no preview


def _pdf_first_page(path: Path, box_px: tuple[int, int], key: bytes | None = None) -> Any:
    """The first page of a PDF as an image, drawn by poppler's pdftoppm where installed
    (Qt's PDF module is not part of PySide6-Essentials). A sealed file (``key``) goes through
    pipes, so neither the PDF nor its picture is written out in clear."""
    from PySide6.QtGui import QImage

    tool = shutil.which("pdftoppm")
    if tool is None:
        return None
    if key is not None:
        from core.store.crypto import open_sealed

        with open_sealed(path, key) as fh:
            pdf = fh.read()
        try:
            done = subprocess.run(
                [tool, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", str(max(box_px) * 2), "-"],
                input=pdf, check=True, capture_output=True, timeout=20,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        image = QImage.fromData(done.stdout, b"PNG")
        return None if image.isNull() else image
    with tempfile.TemporaryDirectory(prefix="docket-thumb-") as tmp:
        target = Path(tmp) / "page"
        try:
            subprocess.run(
                [tool, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to", str(max(box_px) * 2),
                 str(path), str(target)],
                check=True, capture_output=True, timeout=20,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        image = QImage(str(target) + ".png")
        return None if image.isNull() else image


def _image_reader(path: Path, key: bytes | None) -> Any:
    """A QImageReader on the file, or on its clear content in memory when it is sealed."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImageReader

    if key is None:
        return QImageReader(str(path))
    from core.store.crypto import open_sealed

    with open_sealed(path, key) as fh:
        data = QByteArray(fh.read())
    buffer = QBuffer()
    buffer.setData(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.docket_buffer = buffer  # type: ignore[attr-defined]  # the reader does not own it
    return reader


def _open_image(path: Path, box_px: tuple[int, int], key: bytes | None = None) -> tuple[Any, tuple[int, int]] | None:
    """A reader for an image, set to decode it no larger than ``box_px``, and the image's
    upright size; None if Qt cannot read the format.

    Run this on one thread (it touches Qt enums, which PySide does not make thread-safe);
    ``reader.read()`` may then run on any thread, one reader per thread.
    """
    from PySide6.QtCore import QSize, Qt
    from PySide6.QtGui import QImageIOHandler

    reader = _image_reader(path, key)
    reader.setAutoTransform(True)
    raw = reader.size()
    if not raw.isValid():
        return None
    # The reader scales before it turns the image upright (EXIF orientation); JPEGs are
    # decoded straight at a fraction of their size, which is what makes this fast.
    turned = bool(reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90)
    upright = QSize(raw.height(), raw.width()) if turned else raw
    target = upright.scaled(QSize(*box_px), Qt.AspectRatioMode.KeepAspectRatio)
    if target.width() < upright.width():
        reader.setScaledSize(QSize(target.height(), target.width()) if turned else target)
    return reader, (upright.width(), upright.height())


def _read_image(reader: Any) -> Any:
    image = reader.read()
    return None if image.isNull() else image


def withheld_note(sha256: str) -> str:
    """What a redacted copy shows instead of an item's image."""
    return _("Image withheld in the redacted copy (SHA-256 {sha256}).").format(sha256=sha256)


def _load_images(r: Report, appendix: bool, progress: Callable[[int, int], None]) -> _Images:
    found = _Images()
    box = (_mm_px(THUMB_MM[0]) * 2, _mm_px(THUMB_MM[1]) * 2)  # twice over: sharp on paper
    jobs: list[tuple[EvidenceRow, Callable[[], Any]]] = []
    for item in r.evidence:
        if not item.shareable and (item.media_type == "application/pdf" or item.media_type.startswith("image/")):
            # A redacted copy cannot mask what a picture shows (a card number on a receipt, a
            # name on a parcel label): the image is not decoded, let alone embedded.
            found.notes[item.number] = withheld_note(item.sha256)
            continue
        if item.media_type == "application/pdf":
            jobs.append((item, partial(_pdf_first_page, item.path, box, item.key)))
        elif item.media_type.startswith("image/"):
            opened = _open_image(item.path, box, item.key)
            if opened is None:
                found.notes[item.number] = _("no preview: image format not readable here")
                continue
            reader, size = opened
            found.sizes[item.number] = size
            jobs.append((item, partial(_read_image, reader)))
    # Decoding photos is most of the work, and Qt releases the GIL while it decodes.
    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2))) as pool:
        results = pool.map(lambda job: job[1](), jobs)
        for i, ((item, _job), image) in enumerate(zip(jobs, results, strict=True)):
            progress(i, len(jobs))
            if image is None:
                found.notes[item.number] = (_("no preview of PDF pages on this system")
                                            if item.media_type == "application/pdf"
                                            else _("no preview: unreadable image"))
                found.sizes.pop(item.number, None)
                continue
            found.thumbs[f"docket-thumb:{item.number}"] = image
            if item.media_type == "application/pdf":
                found.sizes[item.number] = (image.width(), image.height())
            elif appendix:
                found.full[f"docket-full:{item.number}"] = (item.path, found.sizes[item.number], item.key)
    return found


def _full_image(path: Path, key: bytes | None = None) -> Callable[[], Any]:
    """Prepare an appendix image for reading at print resolution, when its page is near."""

    def prepare() -> Any:
        limit = (round(APPENDIX_MM[0] / 25.4 * APPENDIX_DPI), round(APPENDIX_MM[1] / 25.4 * APPENDIX_DPI))
        opened = _open_image(path, limit, key)
        return None if opened is None else opened[0]

    return prepare

