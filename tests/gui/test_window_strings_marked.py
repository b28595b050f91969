"""Every string the window shows goes through the catalog: a literal handed straight to a
widget (a label, a button, a tooltip, a column header, a message box...) is English in every
language, so this scan of gui/ fails on one and names it.

A string is marked when it is inside ``_()``, ``N_()``, ``ngettext()``, ``pgettext()``,
``npgettext()`` or ``count_text()`` (then the call is what the widget receives, not the
literal). Only literals with letters count: "—", "⚠ ", "%1 / %2" need no translation.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUI = ROOT / "gui"

# Methods whose text arguments a user reads (every positional argument is checked, as are
# the keywords below).
SINKS = {
    "setText", "setToolTip", "setWindowTitle", "setPlaceholderText", "setStatusTip",
    "setWhatsThis", "showMessage", "addItem", "addItems", "insertItem", "insertItems", "addTab",
    "insertTab", "setTabText", "setTabToolTip", "setHeaderLabels", "setHorizontalHeaderLabels",
    "setVerticalHeaderLabels", "setTitle", "addAction", "addMenu", "addSection", "setLabelText",
    "setInformativeText", "setDetailedText", "setSuffix", "setPrefix", "setSpecialValueText",
    "addButton", "setButtonText", "addRow", "insertRow", "setAccessibleName",
    "setAccessibleDescription", "information", "warning", "critical", "question", "about",
    "getText", "getItem", "getInt", "getDouble", "getMultiLineText", "getOpenFileName",
    "getOpenFileNames", "getSaveFileName", "getExistingDirectory", "setNameFilter",
    "setNameFilters", "setWindowIconText", "show_message", "setCancelButtonText", "setHtml",
    "setMarkdown", "setPlainTextIfEmpty", "setIconText", "setDefaultSuffix", "setTextFormat",
}
# Widgets and actions whose constructor's text a user reads.
WIDGETS = {
    "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QToolButton",
    "QMenu", "QCommandLinkButton", "QMessageBox", "QProgressDialog", "QListWidgetItem",
    "QTreeWidgetItem", "QStandardItem", "QTableWidgetItem", "QWidgetAction",
}
KEYWORDS = {"text", "title", "toolTip", "statusTip", "placeholderText", "windowTitle", "caption",
            "filter", "label", "informativeText"}
MARKERS = {"_", "N_", "ngettext", "pgettext", "npgettext", "count_text", "gettext"}
# Methods whose string arguments are never shown, though their names match a sink.
NOT_TEXT = {"setTextFormat", "setDefaultSuffix", "setObjectName", "setProperty"}

# Literals that are the same in every language (names, codes, symbols), by text.
ALLOWED = {
    "Docket",  # the program's name
    "GPL-3.0-or-later",  # a licence's identifier
    "A4",  # a paper size's name, in every language
    "EUR", "GBP", "USD",
}

LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
MARKUP = re.compile(r"<[^>]*>|&\w+;")
FILE_NAME = re.compile(r"^[\w{}().\-]*\.(pdf|png|zip|csv|md|ics|eml|json|txt|docket)$")
# Methods whose first text argument is the label and whose last is data (addItem(text, data)).
TEXT_THEN_DATA = {"addItem", "insertItem"}
# Words of a module-level table (a label dict, column headers) look like this: a capital, then
# lower-case letters: "Last activity", "Date". Codes and formats ("d MMM yyyy", "EUR") do not.
WORDS = re.compile(r"^[A-Z][a-z]+(?:[ ,'-]+[A-Za-z]+)*[.:…]?$")


def _has_letters(text: str) -> bool:
    shown = MARKUP.sub("", text).strip()
    return bool(LETTER.search(shown)) and shown not in ALLOWED and not FILE_NAME.match(shown)


def _is_marked(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) in MARKERS)


def _unmarked_literals(node: ast.AST) -> Iterator[str]:
    """Text with letters in ``node`` that reaches the screen as it is written."""
    if _is_marked(node):
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if _has_letters(node.value):
            yield node.value
    elif isinstance(node, ast.JoinedStr):
        written = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if _has_letters(written):
            yield ast.unparse(node)
    elif isinstance(node, ast.BinOp):  # "Text: " + value
        yield from _unmarked_literals(node.left)
        yield from _unmarked_literals(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _unmarked_literals(node.body)
        yield from _unmarked_literals(node.orelse)
    elif isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            yield from _unmarked_literals(item)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
            "replace", "format", "join"):
        # "Text %1".replace("%1", x): the text is the receiver.
        yield from _unmarked_literals(node.func.value)


def _name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def unmarked(source: str, filename: str = "<gui>") -> list[tuple[int, str, str]]:
    """(line, call, text) of each literal a user would read untranslated."""
    found: list[tuple[int, str, str]] = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node)
        if name in NOT_TEXT or (name not in SINKS and name not in WIDGETS):
            continue
        arguments = [*node.args, *(k.value for k in node.keywords if k.arg in KEYWORDS)]
        if name in TEXT_THEN_DATA:
            texts = [a for a in node.args if _is_marked(a) or isinstance(a, ast.Constant | ast.JoinedStr)]
            arguments = texts[:1]
        for argument in arguments:
            found.extend((node.lineno, str(name), text) for text in _unmarked_literals(argument))
    return found


def unmarked_tables(source: str, filename: str = "<gui>") -> list[tuple[int, str, str]]:
    """(line, name, text) of words in a module's tables (``HEADERS = ("Date", ...)``,
    ``LABELS = {"open": "Open"}``) that are not marked with ``N_()`` or ``_()``."""
    found: list[tuple[int, str, str]] = []
    for statement in ast.parse(source, filename).body:
        if isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if not names or not names[0].isupper() or statement.value is None:
                continue
            value = statement.value
            items = (value.values if isinstance(value, ast.Dict)
                     else value.elts if isinstance(value, ast.List | ast.Tuple | ast.Set) else [])
            for item in items:
                for node in [item, *(item.elts if isinstance(item, ast.Tuple) else [])]:
                    if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                            and WORDS.match(node.value) and node.value not in ALLOWED):
                        found.append((node.lineno, names[0], node.value))
    return found


def test_the_scan_finds_an_unmarked_label_and_passes_a_marked_one() -> None:
    code = '''
label = QLabel("Case closed")
button.setToolTip(f"Open {name}")
box.addItem("Pending", "pending")
sizes.addItem(_("US Letter"), "Letter")
note = QLabel(f"<b>{title}</b>")
name, _kind = QFileDialog.getSaveFileName(self, _("Save"), "docket-backup.zip")
ok = QLabel(_("Case closed"))
count.setText(count_text("%n event", "%n events", n))
mixed.setText(_("%1 of %2").replace("%1", a))
QMessageBox.warning(self, "Oops", _("Fine"))
arrow = QLabel("→ " + _("Next"))
symbol.setText("—")
'''
    assert [(line, text) for line, _call, text in unmarked(code)] == [
        (2, "Case closed"), (3, "f'Open {name}'"), (4, "Pending"), (11, "Oops")]


def test_the_scan_finds_words_in_a_table_of_labels() -> None:
    code = '''
HEADERS = ("Date", N_("Summary"))
LABELS = {"open": "Open", "closed": N_("Closed")}
FORMAT = "d MMM yyyy"
CODES = ("EUR", "GBP")
'''
    assert [(line, text) for line, _name, text in unmarked_tables(code)] == [(2, "Date"), (3, "Open")]


def test_every_string_the_window_shows_is_marked_for_translation() -> None:
    problems = []
    for path in sorted(GUI.rglob("*.py")):
        for line, call, text in unmarked(path.read_text(encoding="utf-8"), str(path)):
            problems.append(f"{path.relative_to(ROOT)}:{line}: {call}({text!r})")
        for line, name, text in unmarked_tables(path.read_text(encoding="utf-8"), str(path)):
            problems.append(f"{path.relative_to(ROOT)}:{line}: {name} holds {text!r}")
    assert not problems, "unmarked strings (wrap them in _() or N_()):\n" + "\n".join(problems)
