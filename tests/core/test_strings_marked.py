"""Every user-visible string literal in core/ goes through the catalog.

A French user reads Docket's errors, the command line's sentences, its help, and the labels of
the case history in French only if each of those strings is marked (``_()``, ``ngettext()``,
``N_()``...): ``packaging/catalogs.py`` extracts the marked ones and nothing else. This scan
reads core/'s source (no import) and fails on a literal with words in a place a user reads it:

* the message of an error raised for the user (``ValidationError(path, MESSAGE)``,
  ``DocketError(MESSAGE)`` and the other ``...Error``/``Cancelled`` of Docket);
* what ``print()`` writes (JSON output goes through ``print_json`` and stays English);
* argparse's ``help=``, ``description=`` and ``epilog=``;
* the values of a label table (a module-level dict named ``..._LABELS``, ``..._TITLES``,
  ``..._NAMES``, ``..._WORDS``, ``..._PROMPTS``, ``HEADINGS``);
* and a ``_()`` call inside an f-string, which Babel's extractor (Python 3.11) does not see.

Letters (core/documents/letters, core/documents/wording.py) keep their own system and are
scanned by their own tests. The allow-list below is short and says why for each entry.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"

# Not this scan's: the letters' phrase tables and templates have their own language system.
EXCLUDED = ("core/documents/letters/", "core/documents/wording.py")

MARKERS = {"_", "N_", "gettext", "ngettext", "pgettext", "npgettext"}
WORDS = re.compile(r"[A-Za-z]{2,}")
# Words that are names, not language: the program's name on its messages, a time zone, a hash.
NOT_WORDS = re.compile(r"\b(docket|UTC|sha256|SHA-256)\b")
LABEL_TABLE = re.compile(r"(LABELS|TITLES|NAMES|WORDS|PROMPTS|HEADINGS|VERB)$")
# Exceptions of Python itself: a programming error, never shown to a user as a sentence.
BUILTIN_ERRORS = {"ValueError", "TypeError", "KeyError", "RuntimeError", "AssertionError", "OSError",
                  "AttributeError", "NotImplementedError", "LookupError", "IndexError", "SystemExit"}

# (file, the functions or "*" for the whole file, kind of place) -> why the literal stays English.
_PACK_CHECKS = ("load_pack", "parse_pack", "_parse_rule", "_parse_basis", "parse_conditions", "_period", "_need",
                "_values", "_day", "_amount", "_provenance")
ALLOW: dict[tuple[str, tuple[str, ...] | str, str], str] = {
    ("core/escalation/rules.py", _PACK_CHECKS, "error"):
        "rule-pack validation: read by whoever writes resources/rules/*.json, whose keys are English",
    ("core/escalation/ladder.py", ("parse_ladder_data", "ladder_data"), "error"):
        "resources/rules/ladder.json validation: for the rule packs' authors",
    ("core/escalation/rules.py", "*", "labels"):
        "COUNTRY_NAMES/REGION_NAMES are places' own names (Ontario, New South Wales), not sentences",
    ("core/i18n.py", "*", "error"):
        "raised only for a language code a program passed; the Settings list offers valid ones",
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    function: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.function}, {self.kind}): {self.text!r}"


def _allowed(finding: Finding) -> tuple[str, tuple[str, ...] | str, str] | None:
    """The allow-list entry that covers ``finding``, if any."""
    for entry in ALLOW:
        path, functions, kind = entry
        if path == finding.path and kind == finding.kind and (functions == "*" or finding.function in functions):
            return entry
    return None


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_marked(node: ast.expr) -> bool:
    """``_("...")``, ``ngettext(...)`` or ``_("...").format(...)``."""
    if isinstance(node, ast.Call):
        if _name(node.func) in MARKERS:
            return True
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return _is_marked(node.func.value)
    return False


def _has_words(text: str) -> bool:
    return WORDS.search(NOT_WORDS.sub("", text)) is not None


def _unmarked(node: ast.expr | None) -> list[str]:
    """The literal texts with words in ``node`` that no marker wraps."""
    if node is None or _is_marked(node):
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if _has_words(node.value) else []
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        return [literal] if _has_words(literal) else []
    if isinstance(node, ast.BinOp):
        return _unmarked(node.left) + _unmarked(node.right)
    if isinstance(node, ast.IfExp):
        return _unmarked(node.body) + _unmarked(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [t for value in node.values for t in _unmarked(value)]
    return []


def _is_error(name: str) -> bool:
    return (name.endswith("Error") or name == "Cancelled") and name not in BUILTIN_ERRORS


def scan_source(source: str, path: str = "<snippet>") -> list[Finding]:
    """The unmarked user-visible literals of one module's source."""
    tree = ast.parse(source)
    found: list[Finding] = []
    owner: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                owner.setdefault(id(inner), node.name)

    def add(node: ast.AST, kind: str, texts: list[str]) -> None:
        for text in texts:
            found.append(Finding(path, getattr(node, "lineno", 0), owner.get(id(node), "<module>"), kind, text))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name == "ValidationError" and len(node.args) >= 2:
                add(node, "error", _unmarked(node.args[1]))
            elif _is_error(name) and node.args:
                add(node, "error", _unmarked(node.args[0]))
            elif name == "print" and node.args:
                add(node, "print", _unmarked(node.args[0]))
            for keyword in node.keywords:
                if keyword.arg in ("help", "description", "epilog"):
                    add(node, "help", _unmarked(keyword.value))
        elif isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                # A marker around a variable extracts nothing anyway; around a literal it must.
                if isinstance(inner, ast.Call) and _name(inner.func) in MARKERS and any(
                        isinstance(a, ast.Constant) for a in inner.args):
                    add(node, "marker in f-string", [ast.unparse(inner)])
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(
            stmt, ast.AnnAssign) else []
        value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
        if not isinstance(value, ast.Dict):
            continue
        if not any(isinstance(t, ast.Name) and LABEL_TABLE.search(t.id.upper()) for t in targets):
            continue
        for item in value.values:
            if isinstance(item, ast.Dict):  # a table by language: the letters' kind
                continue
            add(item, "labels", _unmarked(item))
    return found


def scan_core() -> list[Finding]:
    findings: list[Finding] = []
    for file in sorted(CORE.rglob("*.py")):
        rel = file.relative_to(ROOT).as_posix()
        if rel.startswith(EXCLUDED) or "/migrations/" in rel:
            continue
        findings += [f for f in scan_source(file.read_text(encoding="utf-8"), rel) if _allowed(f) is None]
    return findings


def test_every_user_visible_string_in_core_is_marked_for_translation() -> None:
    findings = scan_core()
    assert not findings, "Mark these for translation (core.i18n._ / ngettext / N_), or allow-list them " \
                         "with a reason:\n" + "\n".join(str(f) for f in findings)


def test_every_allow_list_entry_is_still_needed() -> None:
    """An entry that allows nothing any more is removed, so the list stays short and true."""
    used = set()
    for file in sorted(CORE.rglob("*.py")):
        rel = file.relative_to(ROOT).as_posix()
        if rel.startswith(EXCLUDED):
            continue
        used |= {_allowed(f) for f in scan_source(file.read_text(encoding="utf-8"), rel)}
    unused = [entry for entry in ALLOW if entry not in used]
    assert not unused, f"allow-list entries matching nothing: {unused}"


# -- the scan itself, on small pieces of code: it must be able to fail -------------------------
def _texts(source: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan_source(source)]


def test_the_scan_finds_an_unmarked_validation_message_and_accepts_a_marked_one() -> None:
    assert _texts('raise ValidationError("case.title", "is required")\n') == [("error", "is required")]
    assert _texts('raise ValidationError("case.title", f"is {n} characters long")\n') == [
        ("error", "is  characters long")]
    assert _texts('raise ValidationError("case.title", _("is required"))\n') == []
    assert _texts('raise ValidationError("case.title", _("is {n} long").format(n=n))\n') == []
    assert _texts('raise NotFoundError(f"There is no case {case_id}.")\n') == [("error", "There is no case .")]


def test_the_scan_finds_unmarked_printed_sentences_and_help_but_not_tables_of_values() -> None:
    assert _texts('print("Nothing is due.")\n') == [("print", "Nothing is due.")]
    assert _texts('print(f"{flag:<9} {day:<11}")\n') == []  # a table row: nothing to translate
    assert _texts('print(_("Nothing is due."))\n') == []
    assert _texts('p.add_argument("--json", help="print JSON")\n') == [("help", "print JSON")]
    assert _texts('p.add_argument("--json", help=_("print JSON"))\n') == []
    assert _texts('print("Wrote " + str(n) + " reminders")\n') == [("print", "Wrote "), ("print", " reminders")]


def test_the_scan_finds_an_unmarked_label_table_and_a_marker_babel_cannot_see() -> None:
    assert _texts('_TITLES = {"silence": "No reply", "user": N_("Reminder")}\n') == [("labels", "No reply")]
    assert _texts('x = f"<p>{_(\'Summary\')}</p>"\n') == [("marker in f-string", "_('Summary')")]
    # A value that is not a sentence (a number, a key) is no label to translate.
    assert _texts('ORDER_NAMES = {"a": 1}\n') == []
