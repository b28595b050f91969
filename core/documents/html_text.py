"""The plain text of an HTML document (a letter for an email, a sent letter in a case history).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _TextMaker(HTMLParser):
    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.cells = 0
        self.in_cell = 0

    def _break(self, blank: bool) -> None:
        self.parts.append("\n\n" if blank else "\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "script", "title"):
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self._break(False)
            self.parts.append("- ")
        elif tag == "tr":
            self._break(False)
            self.cells = 0
        elif tag in ("td", "th"):
            if self.cells:
                self.parts.append("  ")
            self.cells += 1
            self.in_cell += 1
        elif tag in self.BLOCKS and not self.in_cell:
            self._break(True)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script", "title"):
            self.skip = max(0, self.skip - 1)
        elif tag in ("td", "th"):
            self.in_cell = max(0, self.in_cell - 1)
        elif tag in self.BLOCKS and not self.in_cell:
            # Qt writes each table cell's text as a paragraph; a cell stays on its row.
            self._break(True)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))

    def result(self) -> str:
        raw = "".join(self.parts)
        lines = [line.strip(" ") for line in raw.split("\n")]
        out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
        return out.strip() + "\n"


def html_to_text(html: str) -> str:
    """The plain text of a letter's HTML (for an email): paragraphs, lines and lists kept."""
    maker = _TextMaker()
    maker.feed(html)
    maker.close()
    return maker.result()

