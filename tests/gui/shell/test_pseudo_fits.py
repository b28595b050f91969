"""Translations run longer than English: under the pseudo-locale (every string 40 % longer,
accented and bracketed) no label or button of the main screens is cut off on a 1366×768
laptop, and the case needs no sideways scrolling."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from core import i18n
from core.exchange.demo import load_examples
from core.journal import queries
from core.store.store import Store
from gui.shell.main_window import MainWindow

SCREEN = (1366, 768 - 60)  # what a desktop's panel and title bar leave


@pytest.fixture
def pseudo() -> Iterator[None]:
    before = i18n.current_language()
    i18n.set_language(i18n.PSEUDO)
    yield
    i18n.set_language(before)


def cut_off(root: QWidget) -> list[str]:
    """Labels and buttons showing less than their text asks for."""
    found = []
    for widget in [*root.findChildren(QLabel), *root.findChildren(QAbstractButton)]:
        if not widget.isVisible() or widget.width() == 0 or "Elided" in type(widget).__name__:
            continue
        text = widget.text()
        if not text.strip():
            continue
        if isinstance(widget, QLabel) and widget.wordWrap():
            short = widget.height() < widget.heightForWidth(widget.width())
        else:
            short = widget.width() < widget.sizeHint().width()
        if short:
            found.append(f"{type(widget).__name__} {text[:50]!r}: {widget.width()} < {widget.sizeHint().width()}")
    return found


def test_the_main_window_and_a_case_show_every_word_in_a_longer_language(
        qtbot, store: Store, window_settings, pseudo: None) -> None:
    load_examples(store)
    window = MainWindow(store, window_settings)
    qtbot.addWidget(window)
    window.resize(*SCREEN)
    window.show()
    qtbot.wait(1)
    assert not cut_off(window), cut_off(window)
    first = queries.list_cases(store)[0].id
    window.case_list.select_case(first)
    window.open_case(first)
    qtbot.wait(1)
    page = window.workspace.scroller.widget()
    assert page.minimumSizeHint().width() <= window.workspace.scroller.viewport().width(), \
        "the case scrolls sideways"
    assert window.workspace.tabs.tabText(0).startswith("[!!")  # the pseudo-locale is on
    assert not cut_off(window), cut_off(window)


def test_the_guided_start_and_the_letter_editor_show_every_word_in_a_longer_language(
        qtbot, store: Store, pseudo: None) -> None:
    from gui.dialogs.guided_start import GuidedStart
    from gui.dialogs.letter_editor import LetterEditor

    load_examples(store)
    first = queries.list_cases(store)[0].id
    for dialog in (GuidedStart(store), LetterEditor(store, first)):
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.resize(min(dialog.width(), SCREEN[0]), min(dialog.height(), SCREEN[1]))
        qtbot.wait(1)
        assert not cut_off(dialog), cut_off(dialog)
    editor = dialog
    facts = next(iter(editor.fact_fields.values())).parentWidget()
    scroller = facts.parentWidget().parentWidget()
    assert facts.minimumSizeHint().width() <= scroller.width(), "the other facts scroll sideways"
