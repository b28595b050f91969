"""Pages a reader gets: a letter's closing never ends a page without the signature, words
are never broken mid-word, and the text layer is searchable."""

from __future__ import annotations

import subprocess
from pathlib import Path

from core.documents import render


def _pages(pdf: Path) -> list[str]:
    return subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout.split("\f")


def _letter(paragraphs: int, keep: bool) -> str:
    body = "".join(f"<p>Paragraph {i} of the letter body.</p>" for i in range(paragraphs))
    mark = f"<a name='{render.KEEP_ANCHOR}'></a>" if keep else ""
    return f"<html><body>{body}<p>{mark}Yours faithfully,<br><br><br>Sam Rivera</p></body></html>"


def _split(pdf: Path) -> bool:
    pages = _pages(pdf)
    closing = next(i for i, p in enumerate(pages) if "Yours faithfully" in p)
    return "Sam Rivera" not in pages[closing]


def test_the_signature_stays_on_the_page_of_its_closing(qapp, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "letter.pdf"
    unmarked_splits = 0
    for paragraphs in range(50, 100):
        render.html_to_pdf(_letter(paragraphs, keep=False), out)
        if _split(out):
            unmarked_splits += 1
            # The same letter with the closing marked to be kept whole.
            render.html_to_pdf(_letter(paragraphs, keep=True), out)
            assert not _split(out), paragraphs
    assert unmarked_splits, "no length put the closing at a page break; the check proved nothing"


def test_text_is_searchable_and_words_are_whole(qapp, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "words.pdf"
    html = ("<html><body><p>The office confirms the financial affairs.</p>"
            "<table width='30%'><tr><td width='20%'>Membership</td><td>Subscription renewal</td></tr></table>"
            "</body></html>")
    render.html_to_pdf(html, out)
    text = " ".join(_pages(out))
    assert "confirms" in text and "financial affairs" in text and "\ufb01" not in text
    assert "Membership" in text and "Membershi\n" not in text
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True, text=True).stdout
    rows = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("+" in name and len(name.split("+")[0]) == 6 for name in rows), rows


def test_table_rows_are_never_split_across_pages_and_the_header_repeats(qapp, tmp_path: Path) -> None:  # noqa: ANN001
    rows = "".join(f"<tr><td>{i}</td><td>{'words in a long cell ' * 10}<br/>second line<br/>third line</td>"
                   f"<td>x</td></tr>" for i in range(70))
    html = ("<html><body><p>A table of events</p><table width='100%' cellpadding='3'><thead><tr><th>No.</th>"
            f"<th>What happened</th><th>Files</th></tr></thead>{rows}</table></body></html>")
    out = tmp_path / "table.pdf"
    pages = render.html_to_pdf(html, out)
    assert pages > 3
    texts = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True, capture_output=True,
                           text=True).stdout.split("\f")
    seen: list[int] = []
    for number, page in enumerate(texts[:pages]):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        header = next(i for i, line in enumerate(lines) if line.startswith("No."))
        first_row = lines[header + 1]
        # The line after the (repeated) header opens a row: its number, never a continuation.
        assert first_row.split()[0].isdigit(), (number, first_row)
        seen += [int(line.split()[0]) for line in lines if line.split()[0].isdigit()]
    assert seen == list(range(70))
