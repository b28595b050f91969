"""The top of a case workspace: what the dispute is, where it stands, what it has cost,
and the next step (from the escalation ladder) with buttons to act on it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.domain import clock
from core.domain.errors import DocketError, ValidationError
from core.domain.models import Case, Outcome, ReminderState, Status
from core.escalation import reminders
from core.escalation.rules import DISCLAIMER
from core.journal import cases, queries
from core.store.store import Store
from gui.kit.formatting import format_date, format_money


def status_labels(widget: QWidget) -> dict[str, str]:
    return {
        Status.OPEN: widget.tr("Open"), Status.AWAITING_REPLY: widget.tr("Awaiting reply"),
        Status.ESCALATED: widget.tr("Escalated"), Status.RESOLVED: widget.tr("Resolved"),
        Status.CLOSED: widget.tr("Closed"),
    }


def money_text(amount: Decimal | None, currency: str) -> str:
    """An amount in the user's locale with its currency, or a dash when unknown."""
    return format_money(amount, currency, empty="—")


def date_text(value: date | None) -> str:
    return format_date(value)


class OutcomeDialog(QDialog):
    """Asked when a case is resolved or closed: how did it end, and what came back."""

    def __init__(self, currency: str, recovered: Decimal | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("How did it end?"))
        self.outcome = QComboBox(self)
        self.outcome.setAccessibleName(self.tr("Outcome"))
        labels = {Outcome.WON: self.tr("Won: I got what I asked for"),
                  Outcome.PARTLY_WON: self.tr("Partly won"),
                  Outcome.LOST: self.tr("Lost"), Outcome.ABANDONED: self.tr("Gave up")}
        for value, label in labels.items():
            self.outcome.addItem(label, value.value)
        self.recovered = QLineEdit(self)
        self.recovered.setAccessibleName(self.tr("Amount recovered"))
        self.recovered.setPlaceholderText(self.tr("e.g. 129.00"))
        if recovered is not None:
            self.recovered.setText(format(recovered, "f"))
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout(self)
        form.addRow(self.error)
        form.addRow(self.tr("&Outcome:"), self.outcome)
        form.addRow(self.tr("&Recovered (%1):").replace("%1", currency), self.recovered)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class NextStepBanner(QFrame):
    """What to do next, why, and by when, with buttons to act. Hidden when the ladder has
    nothing to suggest."""

    draft_letter = Signal(str)  # template id
    log_reply = Signal()
    snoozed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._case_id: int | None = None
        self._template_id = ""
        self.setObjectName("nextStepBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(self.tr("Next step"))
        self.setStyleSheet(
            "#nextStepBanner { background: palette(alternate-base); border: 1px solid palette(highlight);"
            " border-radius: 4px; }"
        )
        self.headline = QLabel(self)
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        bold = self.headline.font()
        bold.setBold(True)
        self.headline.setFont(bold)
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.clocks = QLabel(self)
        self.clocks.setWordWrap(True)
        self.clocks.setTextFormat(Qt.TextFormat.PlainText)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.hide()
        self.disclaimer = QLabel(self)
        small = self.disclaimer.font()
        small.setPointSizeF(small.pointSizeF() * 0.85)
        small.setItalic(True)
        self.disclaimer.setFont(small)

        self.draft_button = QPushButton(self.tr("Draft the letter"), self)
        self.draft_button.setAccessibleName(self.tr("Draft the letter for the next step"))
        self.draft_button.clicked.connect(lambda: self.draft_letter.emit(self._template_id))
        self.reply_button = QPushButton(self.tr("Log their reply"), self)
        self.reply_button.clicked.connect(self.log_reply.emit)
        self.snooze_button = QPushButton(self.tr("Snooze a week"), self)
        self.snooze_button.setAccessibleName(self.tr("Snooze the reminder for a week"))
        self.snooze_button.clicked.connect(self._snooze)

        buttons = QHBoxLayout()
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.reply_button)
        buttons.addWidget(self.snooze_button)
        buttons.addStretch(1)
        buttons.addWidget(self.disclaimer)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.reason)
        layout.addWidget(self.clocks)
        layout.addLayout(buttons)
        layout.addWidget(self.note)
        self.hide()

    def show_case(self, case_id: int | None) -> None:
        """Ask the ladder for this case's next step; hide when there is none."""
        if case_id != self._case_id:
            self.note.hide()
        self._case_id = case_id
        if case_id is None:
            self.hide()
            return
        try:
            step = reminders.next_step(self._store, case_id=case_id)
        except DocketError:
            step = None
        if step is None or not step.step:
            self.hide()
            return
        self._template_id = step.template_id or ""
        self.draft_button.setEnabled(bool(self._template_id))
        title = step.title
        due: date | None = step.due
        if due is not None:
            when = self.tr("overdue since %1") if due < clock.today() else self.tr("due %1")
            self.headline.setText(self.tr("Next step: %1, %2").replace("%1", title)
                                  .replace("%2", when.replace("%1", date_text(due))))
        else:
            self.headline.setText(self.tr("Next step: %1").replace("%1", title))
        self.reason.setText(step.reason or "")
        running = step.clocks
        self.clocks.setText("\n".join(c.text or str(c) for c in running))
        # The rule behind each clock, in plain words, with its source.
        self.clocks.setToolTip("\n\n".join(
            " ".join(t for t in (c.explanation, c.source) if t) for c in running if c.explanation))
        self.clocks.setVisible(bool(self.clocks.text()))
        self.disclaimer.setText(DISCLAIMER)
        self.show()

    def _snooze(self) -> None:
        if self._case_id is None:
            return
        until = clock.today() + timedelta(days=7)
        try:
            # Open reminders come most urgent first: that is the one nagging the user now.
            items = [i for i in reminders.due_items(self._store, case_id=self._case_id)
                     if i.state == ReminderState.OPEN]
            if not items:
                self.note.setText(self.tr("No reminder is open on this case; nothing to snooze."))
                self.note.show()
                return
            reminders.snooze(self._store, case_id=self._case_id, key=items[0].key, until=until)
        except DocketError as exc:
            QMessageBox.warning(self, self.tr("Snooze"), str(exc))
            return
        self.note.setText(self.tr("Snoozed until %1: %2").replace("%1", date_text(until))
                          .replace("%2", items[0].reason))
        self.note.show()
        self.snoozed.emit()


class CaseHeader(QWidget):
    """Title, company, status (changeable), money, references, time spent, next step.

    ``changed`` is emitted after the user changed the case here (its status).
    """

    changed = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._case: Case | None = None

        self.title = QLabel(self)
        self.title.setAccessibleName(self.tr("Case title"))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.company = QLabel(self)
        self.company.setAccessibleName(self.tr("Company"))
        self.company.setTextFormat(Qt.TextFormat.PlainText)
        self.company.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.status = QComboBox(self)
        self.status.setAccessibleName(self.tr("Status"))
        for value, label in status_labels(self).items():
            self.status.addItem(label, value)
        self.status.activated.connect(self._status_chosen)
        self.money = QLabel(self)
        self.money.setAccessibleName(self.tr("Amounts"))
        self.references = QLabel(self)
        self.references.setAccessibleName(self.tr("References"))
        self.references.setTextFormat(Qt.TextFormat.PlainText)
        self.references.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.time_spent = QLabel(self)
        self.time_spent.setAccessibleName(self.tr("Time spent"))
        self.banner = NextStepBanner(store, self)

        facts = QHBoxLayout()
        status_label = QLabel(self.tr("&Status:"), self)
        status_label.setBuddy(self.status)
        facts.addWidget(status_label)
        facts.addWidget(self.status)
        facts.addSpacing(16)
        facts.addWidget(self.money)
        facts.addSpacing(16)
        facts.addWidget(self.references, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.company)
        layout.addLayout(facts)
        layout.addWidget(self.time_spent)
        layout.addWidget(self.banner)

    @property
    def case(self) -> Case | None:
        return self._case

    def show_case(self, case_id: int | None) -> None:
        """Read the case again and show it (everything blank for ``None``)."""
        self._case = None if case_id is None else queries.case_with_company(self._store, case_id)
        case = self._case
        if case is None:
            for label in (self.title, self.company, self.money, self.references, self.time_spent):
                label.clear()
            self.banner.show_case(None)
            return
        self.title.setText(case.title)
        company = case.company
        if company is not None:
            details = [d for d in (company.phone, company.email, company.website) if d]
            self.company.setText(" · ".join([company.name, *details]))
            self.company.setToolTip(company.address)
        else:
            self.company.setText(self.tr("No company recorded"))
        self.status.setCurrentIndex(max(0, self.status.findData(case.status)))
        money = self.tr("In dispute: %1").replace("%1", money_text(case.amount, case.currency))
        if case.recovered is not None:
            money += "   " + self.tr("Recovered: %1").replace("%1", money_text(case.recovered, case.currency))
        self.money.setText(money)
        refs = ", ".join(case.references or [])
        self.references.setText(self.tr("Ref: %1").replace("%1", refs) if refs else "")
        self.refresh_time_spent()
        self.banner.show_case(case.id)

    def refresh_time_spent(self) -> None:
        if self._case is None:
            self.time_spent.clear()
            return
        spent = queries.time_spent(self._store, self._case.id)
        self.time_spent.setText(self.tr("Time this has cost you: %1").replace("%1", spent.describe()))

    def _status_chosen(self, index: int) -> None:
        case = self._case
        if case is None:
            return
        status = self.status.itemData(index)
        if status == case.status:
            return
        try:
            if status in (Status.RESOLVED, Status.CLOSED):
                dialog = OutcomeDialog(case.currency, case.recovered, self)
                while True:
                    if dialog.exec() != QDialog.DialogCode.Accepted:
                        self.status.setCurrentIndex(self.status.findData(case.status))
                        return
                    try:
                        cases.change_status(self._store, case_id=case.id, status=status,
                                            outcome=dialog.outcome.currentData(),
                                            recovered=dialog.recovered.text().strip() or None)
                        break
                    except ValidationError as exc:
                        dialog.error.setText(exc.message)
                        dialog.error.show()
            else:
                cases.change_status(self._store, case_id=case.id, status=status)
        except DocketError as exc:
            QMessageBox.warning(self, self.tr("Status not changed"), str(exc))
            self.status.setCurrentIndex(self.status.findData(case.status))
            return
        self.show_case(case.id)
        self.changed.emit()
