"""The layout's rules, read from the source: every import of every module (also those inside
functions) is walked, so a newcomer's shortcut between rooms fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "gui")
# The report's image loading and the renderer draw with QtGui (QImage, QTextDocument); the
# rest of core has no Qt but QtCore.
QTGUI_ALLOWED = ("core.documents.render", "core.documents.report")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported_names(name: str, path: Path) -> set[str]:
    """Every dotted name ``name`` imports, relative imports resolved; ``from a import b``
    yields both ``a`` and ``a.b`` (b may be a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


IMPORTS = {name: _imported_names(name, path) for name, path in MODULES.items()}


def _module_of(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, imported in IMPORTS.items():
        targets = {_module_of(n) for n in imported}
        # A module importing its own package (``from core.store import x`` inside core.store)
        # is how Python loads it, not a dependency between rooms.
        graph[name] = {t for t in targets if t and t != name and not name.startswith(t + ".")}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_walk_sees_the_whole_product() -> None:
    # The rules below must be able to fail: the walk finds the rooms and their imports.
    assert {"core.store.store", "core.journal.cases", "gui.shell.main_window", "gui.launch"} <= set(MODULES)
    assert "core.cli.main" in _graph()["gui.launch"]  # an import inside a function counts


def test_no_module_imports_itself_round_a_circle() -> None:
    assert _circles(_graph()) == []


def test_a_circle_would_be_reported() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


def test_core_never_imports_the_window_or_the_command_line() -> None:
    breaks = sorted(
        f"{name} imports {imported}"
        for name, names in IMPORTS.items() if name.startswith("core.") and not name.startswith("core.cli")
        for imported in names
        if imported == "gui" or imported.startswith(("gui.", "core.cli"))
    )
    assert breaks == []


def test_core_never_imports_qt_widgets() -> None:
    breaks = sorted(f"{name} imports {imported}" for name, names in IMPORTS.items()
                    if name == "core" or name.startswith("core.")
                    for imported in names if "QtWidgets" in imported)
    assert breaks == []


def test_qt_gui_in_core_only_where_documents_are_drawn() -> None:
    breaks = sorted(
        f"{name} imports {imported}"
        for name, names in IMPORTS.items()
        if name.startswith("core.") and not any(name == a or name.startswith(a + ".") for a in QTGUI_ALLOWED)
        for imported in names if "QtGui" in imported
    )
    assert breaks == []
