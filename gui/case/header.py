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
from core.i18n import _
from core.journal import cases, queries
from core.store.store import Store
from gui.kit.fields import ElidedLabel
from gui.kit.flow import FlowLayout
from gui.kit.formatting import count_text, format_date, format_money
from gui.kit.urgency import case_urgency


def status_labels(widget: QWidget) -> dict[str, str]:
    return {
        Status.OPEN: _("Open"), Status.AWAITING_REPLY: _("Awaiting reply"),
        Status.ESCALATED: _("Escalated"), Status.RESOLVED: _("Resolved"),
        Status.CLOSED: _("Closed"),
    }


def money_text(amount: Decimal | None, currency: str) -> str:
    """An amount in the user's locale with its currency, or a dash when unknown."""
    return format_money(amount, currency, empty="—")


def date_text(value: date | None) -> str:
    return format_date(value)


CLOCKS_SHOWN = 2  # clocks written out on the banner; the rest are in its tooltip


class OutcomeDialog(QDialog):
    """Asked when a case is resolved or closed: how did it end, and what came back."""

    def __init__(self, currency: str, recovered: Decimal | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("How did it end?"))
        self.outcome = QComboBox(self)
        self.outcome.setAccessibleName(_("Outcome"))
        labels = {Outcome.WON: _("Won: I got what I asked for"),
                  Outcome.PARTLY_WON: _("Partly won"),
                  Outcome.LOST: _("Lost"), Outcome.ABANDONED: _("Gave up")}
        for value, label in labels.items():
            self.outcome.addItem(label, value.value)
        self.recovered = QLineEdit(self)
        self.recovered.setAccessibleName(_("Amount recovered"))
        self.recovered.setPlaceholderText(_("e.g. 129.00"))
        if recovered is not None:
            self.recovered.setText(format(recovered, "f"))
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout(self)
        form.addRow(self.error)
        form.addRow(_("&Outcome:"), self.outcome)
        form.addRow(_("&Recovered (%1):").replace("%1", currency), self.recovered)
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
        self.setAccessibleName(_("Next step"))
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

        self.draft_button = QPushButton(_("Draft the letter"), self)
        self.draft_button.setAccessibleName(_("Draft the letter for the next step"))
        self.draft_button.clicked.connect(lambda: self.draft_letter.emit(self._template_id))
        self.reply_button = QPushButton(_("Log their reply"), self)
        self.reply_button.clicked.connect(self.log_reply.emit)
        self.snooze_button = QPushButton(_("Snooze a week"), self)
        self.snooze_button.setAccessibleName(_("Snooze the reminder for a week"))
        self.snooze_button.clicked.connect(self._snooze)

        # A longer language puts what does not fit on a second line, not past the window's edge.
        buttons = FlowLayout()
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.reply_button)
        buttons.addWidget(self.snooze_button)
        buttons.addWidget(self.disclaimer)
        layout = QVBoxLayout(self)
        # Lines of one message: close together, so that the banner leaves the timeline room.
        layout.setSpacing(3)
        layout.setContentsMargins(8, 6, 8, 6)
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
        urgency = case_urgency(self._store, case_id)
        step = urgency.step
        if (step is None or not step.step) and not urgency.late_promises:
            self.hide()
            return
        self._template_id = (step.template_id if step else None) or ""
        self.draft_button.setEnabled(bool(self._template_id))
        self.headline.setText(urgency.headline())
        # One reason: the headline already says a broken promise; otherwise what sets the date.
        if urgency.late_promises:
            # The ladder's reason for a step a broken promise decided repeats the headline.
            decided = step is not None and getattr(step, "promise", None) is not None
            reason = "" if decided else (step.reason if step else "")
        else:
            reason = urgency.reason or (step.reason if step else "")
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))
        running = sorted(step.clocks if step else [], key=lambda c: c.date)
        # The soonest two on the banner, so that it stays a few lines high on a laptop screen;
        # every clock, with the rule behind it and where it comes from, in the tooltip.
        shown = [c.text or str(c) for c in running[:CLOCKS_SHOWN]]
        if len(running) > CLOCKS_SHOWN:
            shown.append(count_text("and %n more (point here to read it)", "and %n more (point here to read them all)", len(running) - CLOCKS_SHOWN))
        self.clocks.setText("\n".join(shown))
        self.clocks.setToolTip("\n\n".join(
            "\n".join(t for t in (c.sentence or c.text, c.explanation, c.provenance) if t) for c in running))
        self.clocks.setVisible(bool(self.clocks.text()))
        self.disclaimer.setText(_(DISCLAIMER))
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
                self.note.setText(_("No reminder is open on this case; nothing to snooze."))
                self.note.show()
                return
            reminders.snooze(self._store, case_id=self._case_id, key=items[0].key, until=until)
        except DocketError as exc:
            QMessageBox.warning(self, _("Snooze"), str(exc))
            return
        self.note.setText(_("Snoozed until %1: %2").replace("%1", date_text(until))
                          .replace("%2", items[0].reason))
        self.note.show()
        self.snoozed.emit()


class CaseHeader(QWidget):
    """Title, company, status (changeable), money, references, time spent, next step.

    ``changed`` is emitted after the user changed the case here (its status);
    ``edit_requested`` and ``company_requested`` when the user asks to edit the case or its
    company (the workspace owns the undo stack those edits go on).
    """

    changed = Signal()
    edit_requested = Signal()
    company_requested = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._case: Case | None = None

        # One line, cut with "…" when long (the whole title in the tooltip): a long title must
        # not take the room of the timeline on a laptop screen.
        self.title = ElidedLabel(self)
        self.title.setAccessibleName(_("Case title"))
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.company = QLabel(self)
        self.company.setAccessibleName(_("Company"))
        self.company.setTextFormat(Qt.TextFormat.PlainText)
        self.company.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.status = QComboBox(self)
        self.status.setAccessibleName(_("Status"))
        for value, label in status_labels(self).items():
            self.status.addItem(label, value)
        self.status.activated.connect(self._status_chosen)
        self.money = QLabel(self)
        self.money.setAccessibleName(_("Amounts"))
        self.references = ElidedLabel(self)
        self.references.setAccessibleName(_("References"))
        self.references.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.time_spent = QLabel(self)
        self.time_spent.setAccessibleName(_("Time spent"))
        self.edit_button = QPushButton(_("Edit &case…"), self)
        self.edit_button.setToolTip(_("Change anything about this case: title, amount, payment, dates…"))
        self.edit_button.clicked.connect(self.edit_requested.emit)
        self.company_button = QPushButton(_("Compan&y details…"), self)
        self.company_button.setToolTip(_("The company's postal address, email, phone and kind"))
        self.company_button.clicked.connect(self.company_requested.emit)
        self.banner = NextStepBanner(store, self)

        facts = QHBoxLayout()
        status_label = QLabel(_("&Status:"), self)
        status_label.setBuddy(self.status)
        facts.addWidget(status_label)
        facts.addWidget(self.status)
        facts.addSpacing(16)
        facts.addWidget(self.money)
        facts.addSpacing(16)
        facts.addWidget(self.references, 1)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        company_row = QHBoxLayout()
        company_row.addWidget(self.company, 1)
        company_row.addWidget(self.company_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(company_row)
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
            self.company.setText(_("No company recorded"))
        self.company_button.setEnabled(company is not None)
        self.status.setCurrentIndex(max(0, self.status.findData(case.status)))
        money = _("In dispute: %1").replace("%1", money_text(case.amount, case.currency))
        if case.recovered is not None:
            money += "   " + _("Recovered: %1").replace("%1", money_text(case.recovered, case.currency))
        self.money.setText(money)
        refs = ", ".join(case.references or [])
        self.references.setText(_("Ref: %1").replace("%1", refs) if refs else "")
        self.refresh_time_spent()
        self.banner.show_case(case.id)

    def refresh_time_spent(self) -> None:
        if self._case is None:
            self.time_spent.clear()
            return
        spent = queries.time_spent(self._store, self._case.id)
        self.time_spent.setText(_("Time this has cost you: %1").replace("%1", spent.describe()))

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
            QMessageBox.warning(self, _("Status not changed"), str(exc))
            self.status.setCurrentIndex(self.status.findData(case.status))
            return
        self.show_case(case.id)
        self.changed.emit()
