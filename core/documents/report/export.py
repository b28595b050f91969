"""The one entry point: write a case history to a file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from core.documents.report.gather import _STEPS, Progress, _check_options, _tick, gather_report
from core.documents.report.html import build_report_layout
from core.documents.report.text_formats import report_markdown, write_chronology_csv
from core.domain.errors import DocketError
from core.i18n import _
from core.store.files import Cancelled
from core.store.store import Store


def export_case_report(store: Store, *, case_id: int, fmt: str, out: Path, redact: bool = False,
                       redact_names: Iterable[str] = (), date_from: date | None = None,
                       date_to: date | None = None, include_private_notes: bool = True, paper: str = "A4",
                       appendix: bool = True, progress: Progress | None = None) -> Path:
    """Write a case's history to ``out`` as ``pdf``, ``md`` (Markdown) or ``csv`` (the
    chronology). Returns ``out``.

    Reads only: the store is not changed. The file appears only when complete; on an error or
    a cancel (``progress(done, total)`` returning False raises
    :class:`~core.evidence.Cancelled`) nothing is left behind. ``appendix`` adds full-size
    images at the end of a PDF.
    """
    _check_options(fmt, paper, date_from, date_to)
    out = Path(out)
    if not out.parent.is_dir():
        raise DocketError(_("Cannot write {out}: the folder {parent} does not exist.").format(out=out, parent=out.parent))
    if out.is_dir():
        raise DocketError(_("Cannot write {out}: it is a folder.").format(out=out))
    if fmt == "pdf":
        from core.documents.render import RenderCancelled, document_to_pdf

        layout = build_report_layout(store, case_id=case_id, redact=redact, redact_names=redact_names,
                                   date_from=date_from, date_to=date_to,
                                   include_private_notes=include_private_notes, appendix=appendix,
                                   progress=progress)
        doc = layout.document()
        _tick(progress, 320)

        def page_progress(done: int, total: int) -> bool:
            return not (progress is not None and progress(320 + 680 * done // max(total, 1), _STEPS) is False)

        try:
            document_to_pdf(doc, out, paper=paper, running=layout.running, info=layout.info, progress=page_progress)
        except RenderCancelled:
            raise Cancelled(_("Export cancelled; no file was written.")) from None
        except OSError as exc:
            raise DocketError(_("Cannot write {out}: {reason}").format(out=out, reason=exc.strerror or exc)) from None
        return out

    report = gather_report(store, case_id=case_id, redact=redact, redact_names=redact_names,
                           date_from=date_from, date_to=date_to, include_private_notes=include_private_notes)
    _tick(progress, 500)
    fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=".docket-", suffix="." + fmt)
    tmp = Path(tmp_name)
    try:
        if fmt == "md":
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(report_markdown(report))
        else:
            # utf-8-sig: spreadsheets on Windows read the file as UTF-8 only with the mark.
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
                write_chronology_csv(report, fh)
        os.replace(tmp, out)
    except OSError as exc:
        raise DocketError(_("Cannot write {out}: {reason}").format(out=out, reason=exc.strerror or exc)) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    _tick(progress, _STEPS)
    return out

