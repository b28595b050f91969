"""A module that translates with ``_()`` never assigns ``_`` itself: ``path, _ = dialog()``
in a function that also calls ``_("...")`` makes ``_`` local to that function, and the
translated string raises UnboundLocalError at the moment the user meets it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTS_GETTEXT = re.compile(r"^from core\.i18n import .*\b_\b", re.M)


def assignments_to_gettext(source: str) -> list[int]:
    """Lines where ``source`` binds the name ``_`` (comprehension variables have their own
    scope and are harmless)."""
    tree = ast.parse(source)
    in_comprehension = {
        id(node)
        for comp in ast.walk(tree) if isinstance(comp, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp)
        for generator in comp.generators for node in ast.walk(generator.target)
    }
    lines = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)
             and id(node) not in in_comprehension]
    lines += [node.lineno for node in ast.walk(tree) if isinstance(node, ast.arg) and node.arg == "_"]
    return sorted(lines)


def test_the_check_finds_a_shadowing_assignment() -> None:
    source = "def save():\n    path, _ = pick()\n    return _('Saved')\nnames = [_ for _ in 'ab']\n"
    assert assignments_to_gettext(source) == [2]


def test_no_module_that_translates_assigns_the_name_of_gettext() -> None:
    found = []
    for path in sorted([*ROOT.joinpath("core").rglob("*.py"), *ROOT.joinpath("gui").rglob("*.py")]):
        source = path.read_text(encoding="utf-8")
        if IMPORTS_GETTEXT.search(source):
            found += [f"{path.relative_to(ROOT)}:{line}" for line in assignments_to_gettext(source)]
    assert not found, "name these something else than _: " + ", ".join(found)


def translated_literals_in_fstrings(source: str) -> list[int]:
    """Lines where ``_("...")`` sits inside an f-string: Babel on Python 3.11 does not look
    inside f-strings, so such a string never reaches the catalog and stays English."""
    tree = ast.parse(source)
    return sorted(
        call.lineno
        for fstring in ast.walk(tree) if isinstance(fstring, ast.JoinedStr)
        for call in ast.walk(fstring)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in ("_", "ngettext")
        and call.args and isinstance(call.args[0], ast.Constant)
    )


def test_the_check_finds_a_translated_literal_inside_an_fstring() -> None:
    assert translated_literals_in_fstrings("x = f\"<b>{_('Saved')}</b> {_(name)}\"\ny = _('Fine')\n") == [1]


def test_no_translated_literal_hides_inside_an_fstring() -> None:
    found = []
    for path in sorted([*ROOT.joinpath("core").rglob("*.py"), *ROOT.joinpath("gui").rglob("*.py")]):
        found += [f"{path.relative_to(ROOT)}:{line}"
                  for line in translated_literals_in_fstrings(path.read_text(encoding="utf-8"))]
    assert not found, "take these _() calls out of their f-strings: " + ", ".join(found)
