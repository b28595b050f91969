"""A row of buttons that does not fit goes onto a second line, mirrored for right to left."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from gui.kit.flow import FlowLayout


def _row(qtbot, width: int, direction: Qt.LayoutDirection = Qt.LayoutDirection.LeftToRight):
    holder = QWidget()
    holder.setLayoutDirection(direction)
    outer = QVBoxLayout(holder)
    row = FlowLayout()
    buttons = [QPushButton(text) for text in ("Entwurf des Briefes", "Ihre Antwort erfassen",
                                              "Eine Woche zurückstellen")]
    for button in buttons:
        row.addWidget(button)
    outer.addLayout(row)
    qtbot.addWidget(holder)
    holder.show()
    holder.resize(width, holder.heightForWidth(width) if holder.hasHeightForWidth() else 100)
    qtbot.wait(1)
    return holder, buttons


def test_a_wide_row_is_one_line_and_a_narrow_one_wraps_without_cutting_a_button(qtbot) -> None:
    wide, buttons = _row(qtbot, 1000)
    assert len({b.y() for b in buttons}) == 1
    narrow, buttons = _row(qtbot, 330)
    assert len({b.y() for b in buttons}) >= 2
    assert all(b.width() >= b.sizeHint().width() for b in buttons)
    assert narrow.minimumSizeHint().width() < sum(b.sizeHint().width() for b in buttons)


def test_right_to_left_the_row_starts_at_the_right(qtbot) -> None:
    holder, buttons = _row(qtbot, 1000, Qt.LayoutDirection.RightToLeft)
    assert buttons[0].x() > buttons[1].x() > buttons[2].x()
    assert buttons[0].geometry().right() > holder.width() - 30
