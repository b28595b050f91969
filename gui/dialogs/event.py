"""The form for logging or editing one timeline event, with quick-action presets.

*Log a call* starts with a running timer for the call and for time on hold; *Log a promise*
asks what was promised and by when; email, letter and visit preset the kind. Validation
messages appear inside the form, next to the field, and the form stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QElapsedTimer, QObject, Qt, QTimer, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.domain import clock
from core.domain.errors import ValidationError
from core.domain.models import MONEY_MEANINGS, Direction, EventKind, EventMeaning
from core.domain.when import When
from core.i18n import _
from core.journal.queries import TimelineRow
from gui.case.timeline_model import direction_label, kind_label
from gui.kit.fields import fill_combo, meaning_labels, select_data
from gui.kit.formatting import date_display_format, datetime_display_format
from gui.kit.forms import show_error, submitted

TIMED_KINDS = {EventKind.CALL.value, EventKind.VISIT.value, EventKind.CHAT.value}

# What each quick action presets: kind, direction, meaning.
QUICK_ACTIONS: dict[str, tuple[str, str, str | None]] = {
    "call": (EventKind.CALL.value, Direction.TO_COMPANY.value, None),
    "promise": (EventKind.PROMISE.value, Direction.FROM_COMPANY.value, EventMeaning.PROMISE.value),
    "email": (EventKind.EMAIL.value, Direction.TO_COMPANY.value, None),
    "letter": (EventKind.LETTER.value, Direction.TO_COMPANY.value, None),
    "visit": (EventKind.VISIT.value, Direction.TO_COMPANY.value, None),
    "reply": (EventKind.RESPONSE.value, Direction.FROM_COMPANY.value, EventMeaning.REPLY.value),
    "order": (EventKind.PAYMENT.value, Direction.TO_COMPANY.value, EventMeaning.PURCHASE.value),
    "charge": (EventKind.PAYMENT.value, Direction.FROM_COMPANY.value, EventMeaning.CHARGE.value),
    "refund": (EventKind.PAYMENT.value, Direction.FROM_COMPANY.value, EventMeaning.REFUND.value),
    "event": (EventKind.NOTE.value, Direction.INTERNAL.value, None),
}
# Meanings whose event carries an amount of money.
AMOUNT_MEANINGS = {m.value for m in MONEY_MEANINGS} | {EventMeaning.PARTIAL_OFFER.value}


class CallTimer(QObject):
    """Counts the length of a call and the part of it spent on hold.

    A QTimer calls :meth:`tick` every second; :meth:`tick` adds the time measured by a
    QElapsedTimer since the last tick through :meth:`advance`, which is the one place time is
    added (so it can be driven directly).
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.call_ms = 0
        self.hold_ms = 0
        self.on_hold = False
        self.started_at: datetime | None = None
        self._clock = QElapsedTimer()
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.tick)

    @property
    def running(self) -> bool:
        return self._ticker.isActive()

    def start(self) -> None:
        if self.started_at is None:
            self.started_at = datetime.now(UTC)
        self._clock.start()
        self._ticker.start()
        self.changed.emit()

    def stop(self) -> None:
        if self.running:
            self.tick()
        self._ticker.stop()
        self.changed.emit()

    def set_on_hold(self, on_hold: bool) -> None:
        if self.running:
            self.tick()  # time so far belongs to the state before the switch
        self.on_hold = on_hold
        self.changed.emit()

    def tick(self) -> None:
        if self._clock.isValid():
            self.advance(self._clock.restart())

    def advance(self, ms: int) -> None:
        """Add ``ms`` of call time (and of hold time, while on hold)."""
        self.call_ms += ms
        if self.on_hold:
            self.hold_ms += ms
        self.changed.emit()

    @staticmethod
    def minutes(ms: int) -> int:
        return (ms + 30_000) // 60_000


def _clock_text(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _to_qdatetime(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone.systemTimeZone())


def _from_qdatetime(value: QDateTime) -> datetime:
    offset = timedelta(seconds=value.offsetFromUtc())
    return datetime.fromtimestamp(value.toSecsSinceEpoch(), timezone(offset))


def _same_moment(first: str, second: str) -> bool:
    """Whether two event times are the same day, or the same instant to the minute."""
    try:
        a, b = When.parse(first), When.parse(second)
    except ValidationError:
        return False
    if a.moment is None or b.moment is None:
        return a.moment is None and b.moment is None and a.day == b.day
    return abs((a.moment - b.moment).total_seconds()) < 60


class EventDialog(QDialog):
    """Log or edit one event. ``submit(values)`` is called on OK with the fields for
    :func:`core.cases.log_event`/``update_event``; if it raises a :class:`DocketError` the
    message is shown in the form and the dialog stays open."""

    def __init__(
        self,
        submit: Callable[[dict[str, Any]], None],
        *,
        action: str = "event",
        contacts: list[tuple[int, str]] = (),  # type: ignore[assignment]
        event: TimelineRow | None = None,
        currency: str = "",
        direction: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self._original_at = ""
        self._currency = currency
        self.setAccessibleName(_("Event"))
        kind, preset_direction, meaning = QUICK_ACTIONS.get(action, QUICK_ACTIONS["event"])
        direction = direction or preset_direction
        titles = {
            "call": _("Log a call"), "promise": _("Log a promise"),
            "email": _("Log an email"), "letter": _("Log a letter"),
            "visit": _("Log a visit"), "reply": _("Log their reply"),
            "order": _("Log the order or payment"), "charge": _("Log a charge they took"),
            "refund": _("Log a refund received"),
        }
        self.setWindowTitle(_("Edit event") if event else titles.get(action, _("Log an event")))

        self.kind = QComboBox(self)
        self.kind.setAccessibleName(_("Kind"))
        for value in EventKind:
            self.kind.addItem(kind_label(value), value.value)
        self.direction = QComboBox(self)
        self.direction.setAccessibleName(_("Direction"))
        for value in Direction:
            self.direction.addItem(direction_label(value), value.value)
        self.when = QDateTimeEdit(_to_qdatetime(clock.now()), self)  # honours --today
        self.when.setAccessibleName(_("When"))
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat(datetime_display_format())
        self.date_only = QCheckBox(_("Time not known"), self)
        self.date_only.toggled.connect(self._date_only_toggled)
        self.meaning = QComboBox(self)
        self.meaning.setAccessibleName(_("What was it"))
        fill_combo(self.meaning, meaning_labels(), blank=_("A contact, nothing more"))
        self.meaning.setToolTip(_("What this event is in the story: letters and the case history "
                                        "say only what this shows"))
        self.amount = QLineEdit(self)
        self.amount.setAccessibleName(_("Amount"))
        self.amount.setPlaceholderText(_("e.g. 129.00"))
        self.contact = QComboBox(self)
        self.contact.setAccessibleName(_("Contact"))
        self.contact.addItem(_("(nobody in particular)"), None)
        for contact_id, name in contacts:
            self.contact.addItem(name, contact_id)
        self.summary = QLineEdit(self)
        self.summary.setAccessibleName(_("What happened"))
        self.details = QPlainTextEdit(self)
        self.details.setAccessibleName(_("Details"))
        self.details.setTabChangesFocus(True)
        self.reference = QLineEdit(self)
        self.reference.setAccessibleName(_("Reference"))
        self.reference.setPlaceholderText(_("ticket, case or tracking number"))

        self.has_promise_date = QCheckBox(self)
        self.has_promise_date.setAccessibleName(_("They gave a date"))
        self.has_promise_date.setToolTip(_("They gave a date"))
        week = clock.today() + timedelta(days=7)
        self.promised_by = QDateEdit(QDate(week.year, week.month, week.day), self)
        self.promised_by.setAccessibleName(_("Promised by"))
        self.promised_by.setCalendarPopup(True)
        self.promised_by.setDisplayFormat(date_display_format())
        self.has_promise_date.toggled.connect(self.promised_by.setEnabled)
        promise_row = QHBoxLayout()
        promise_row.addWidget(self.has_promise_date)
        promise_row.addWidget(self.promised_by, 1)

        # Files to keep as evidence of this event (copied once the event is logged).
        self.files: list[Path] = []
        self.attach_button = QPushButton(_("&Attach files…"), self)
        self.attach_button.setToolTip(_("Receipts, screenshots, letters: kept unaltered with the case "
                                              "and linked to this event"))
        self.attach_button.clicked.connect(self._choose_files)
        self.files_label = QLabel(self)
        self.files_label.setWordWrap(True)
        self.files_label.setTextFormat(Qt.TextFormat.PlainText)
        files_row = QHBoxLayout()
        files_row.addWidget(self.attach_button)
        files_row.addWidget(self.files_label, 1)

        self.timer_box = self._build_timer()
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        # A sign, bold text and a frame in the palette's own colours: readable in light, dark
        # and high-contrast palettes alike.
        self.error.setStyleSheet("QLabel { border: 1px solid palette(text); border-radius: 3px; padding: 4px;"
                                 " font-weight: bold; }")
        self.error.hide()

        form = QFormLayout()
        when_row = QHBoxLayout()
        when_row.addWidget(self.when, 1)
        when_row.addWidget(self.date_only)
        # Who wrote comes first: "from them or to them?" is the first thing a person knows.
        form.addRow(_("&Direction:"), self.direction)
        form.addRow(_("&Kind:"), self.kind)
        when_label = QLabel(_("&When:"), self)
        when_label.setBuddy(self.when)
        form.addRow(when_label, when_row)
        form.addRow(_("W&hat was it:"), self.meaning)
        self.amount_label = QLabel(_("A&mount (%1):").replace("%1", currency) if currency
                                   else _("A&mount:"), self)
        self.amount_label.setBuddy(self.amount)
        form.addRow(self.amount_label, self.amount)
        form.addRow(_("&Contact:"), self.contact)
        self.summary_label = QLabel(_("&What happened:"), self)
        self.summary_label.setBuddy(self.summary)
        form.addRow(self.summary_label, self.summary)
        self.promise_label = QLabel(_("&By when:"), self)
        self.promise_label.setBuddy(self.promised_by)
        form.addRow(self.promise_label, promise_row)
        form.addRow(_("&Reference:"), self.reference)
        form.addRow(_("D&etails:"), self.details)
        form.addRow(_("Evidence:"), files_row)
        self._form = form

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.error)
        layout.addLayout(form)
        layout.addWidget(self.timer_box)
        layout.addWidget(buttons)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.meaning.currentIndexChanged.connect(self._meaning_changed)
        self._select(self.kind, kind)
        self._select(self.direction, direction)
        select_data(self.meaning, meaning)
        self.has_promise_date.setChecked(action == "promise")
        self.promised_by.setEnabled(action == "promise")
        if event is not None:
            self._load(event)
        self._kind_changed()
        self._meaning_changed()
        if action == "call" and event is None:
            self.call_timer.start()
        self.summary.setFocus()
        self.resize(520, self.sizeHint().height())

    def add_files(self, paths: list[Path]) -> None:
        """Files to attach to this event when it is saved."""
        for path in paths:
            if path not in self.files:
                self.files.append(path)
        self.files_label.setText(", ".join(p.name for p in self.files))

    def _choose_files(self) -> None:
        names, _ignored = QFileDialog.getOpenFileNames(self, _("Attach files to this event"))
        self.add_files([Path(n) for n in names])

    # -- the call timer ------------------------------------------------------------------
    def _build_timer(self) -> QGroupBox:
        box = QGroupBox(_("Time"), self)
        self.call_timer = CallTimer(self)
        self.call_clock = QLabel("0:00:00", box)
        big = self.call_clock.font()
        big.setPointSizeF(big.pointSizeF() * 1.3)
        big.setBold(True)
        big.setStyleHint(big.StyleHint.Monospace)
        self.call_clock.setFont(big)
        self.call_clock.setAccessibleName(_("Call time"))
        self.hold_clock = QLabel("0:00:00", box)
        self.hold_clock.setFont(big)
        self.hold_clock.setAccessibleName(_("Time on hold"))
        self.start_button = QPushButton(_("Start"), box)
        self.start_button.setAccessibleName(_("Start or stop the call timer"))
        self.start_button.clicked.connect(self._start_stop)
        self.hold_button = QPushButton(_("On hold"), box)
        self.hold_button.setCheckable(True)
        self.hold_button.setAccessibleName(_("On hold"))
        self.hold_button.toggled.connect(self.call_timer.set_on_hold)
        self.duration = QSpinBox(box)
        self.duration.setRange(0, 100_000)
        self.duration.setSuffix(_(" min"))
        self.duration.setAccessibleName(_("Duration in minutes"))
        self.waiting = QSpinBox(box)
        self.waiting.setRange(0, 100_000)
        self.waiting.setSuffix(_(" min"))
        self.waiting.setAccessibleName(_("Minutes on hold"))
        self.call_timer.changed.connect(self._timer_changed)

        grid = QFormLayout(box)
        clocks = QHBoxLayout()
        clocks.addWidget(QLabel(_("Call:"), box))
        clocks.addWidget(self.call_clock)
        clocks.addSpacing(12)
        clocks.addWidget(QLabel(_("On hold:"), box))
        clocks.addWidget(self.hold_clock)
        clocks.addStretch(1)
        clocks.addWidget(self.start_button)
        clocks.addWidget(self.hold_button)
        grid.addRow(clocks)
        grid.addRow(_("D&uration:"), self.duration)
        grid.addRow(_("Of which on &hold:"), self.waiting)
        return box

    def _start_stop(self) -> None:
        if self.call_timer.running:
            self.call_timer.stop()
        else:
            if self.call_timer.started_at is None:
                self.when.setDateTime(_to_qdatetime(clock.now()))
            self.call_timer.start()

    def _timer_changed(self) -> None:
        timer = self.call_timer
        self.call_clock.setText(_clock_text(timer.call_ms))
        self.hold_clock.setText(_clock_text(timer.hold_ms))
        self.start_button.setText(_("Stop") if timer.running else _("Start"))
        if timer.call_ms:
            self.duration.setValue(timer.minutes(timer.call_ms))
            self.waiting.setValue(timer.minutes(timer.hold_ms))
        self.duration.setReadOnly(timer.running)
        self.waiting.setReadOnly(timer.running)

    # -- loading and reading the form ----------------------------------------------------
    @staticmethod
    def _select(combo: QComboBox, value: Any) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _load(self, event: TimelineRow) -> None:
        self._original_at = event.at
        self._select(self.kind, event.kind)
        self._select(self.direction, event.direction)
        self._select(self.contact, event.contact_id)
        when = When.parse(event.at)
        if when.moment is None:
            self.date_only.setChecked(True)
            self.when.setDate(QDate(when.day.year, when.day.month, when.day.day))
        else:
            self.when.setDateTime(_to_qdatetime(when.moment))
        select_data(self.meaning, event.meaning)
        if event.amount is not None:
            self.amount.setText(format(event.amount, "f"))
        self.summary.setText(event.summary)
        self.details.setPlainText(event.details)
        self.reference.setText(event.reference)
        self.duration.setValue(event.duration_minutes or 0)
        self.waiting.setValue(event.waiting_minutes or 0)
        if event.promised_by is not None:
            self.has_promise_date.setChecked(True)
            self.promised_by.setEnabled(True)
            d = event.promised_by
            self.promised_by.setDate(QDate(d.year, d.month, d.day))

    def _date_only_toggled(self, on: bool) -> None:
        self.when.setDisplayFormat(date_display_format() if on else datetime_display_format())

    def _meaning_changed(self) -> None:
        money = self.meaning.currentData() in AMOUNT_MEANINGS or bool(self.amount.text().strip())
        self._form.setRowVisible(self.amount_label, money)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        timed = kind in TIMED_KINDS or bool(self.duration.value() or self.waiting.value())
        self.timer_box.setVisible(timed)
        promise = kind == EventKind.PROMISE.value or self.meaning.currentData() == EventMeaning.PROMISE.value
        self._form.setRowVisible(self.promise_label, promise or self.has_promise_date.isChecked())
        self.summary_label.setText(_("&What was promised:") if promise else _("&What happened:"))
        self.summary.setPlaceholderText(
            _("e.g. a full refund of the order") if promise else _("in a few words")
        )

    def values(self) -> dict[str, Any]:
        """The form as fields for :func:`core.cases.log_event` / ``update_event``."""
        if self.date_only.isChecked():
            qd = self.when.date()
            at: str = date(qd.year(), qd.month(), qd.day()).isoformat()
        else:
            at = _from_qdatetime(self.when.dateTime()).isoformat()
        original = self._original_at
        if original and _same_moment(original, at):
            at = original  # keep the time as the user first gave it, offset included
        promised = None
        if self.has_promise_date.isChecked():
            qd = self.promised_by.date()
            promised = date(qd.year(), qd.month(), qd.day())
        return {
            "at": at,
            "kind": self.kind.currentData(),
            "direction": self.direction.currentData(),
            "contact_id": self.contact.currentData(),
            "summary": self.summary.text().strip(),
            "details": self.details.toPlainText(),
            "reference": self.reference.text().strip(),
            "duration_minutes": self.duration.value() or None,
            "waiting_minutes": self.waiting.value() or None,
            "promised_by": promised,
            "meaning": self.meaning.currentData(),
            "amount": self._amount(),
        }

    def _amount(self) -> Any:
        text = self.amount.text().strip()
        if not text:
            return None
        from gui.dialogs.new_case import parse_money  # the one reader of typed amounts

        money = parse_money(text, self._currency or "EUR")
        return None if money is None else money.value

    # -- validation ----------------------------------------------------------------------
    def show_error(self, message: str, field: QWidget | None = None) -> None:
        """Show ``message`` at the top of the form and put the cursor in ``field``."""
        show_error(self.error, message)
        if field is not None:
            field.setFocus()

    def _field_for(self, path: str) -> QWidget | None:
        name = path.rsplit(".", 1)[-1]
        return {
            "summary": self.summary, "at": self.when, "details": self.details, "reference": self.reference,
            "duration_minutes": self.duration, "waiting_minutes": self.waiting,
            "promised_by": self.promised_by, "contact_id": self.contact, "kind": self.kind,
            "direction": self.direction, "meaning": self.meaning, "amount": self.amount,
        }.get(name)

    def accept(self) -> None:
        if self.call_timer.running:
            self.call_timer.stop()
        try:
            values = self.values()
        except ValidationError as exc:
            self.show_error(exc.message, self.amount)
            return
        if not values["summary"]:
            what = _("Say what was promised, in a few words.") if values["kind"] == EventKind.PROMISE \
                else _("Say what happened, in a few words.")
            self.show_error(what, self.summary)
            return
        if values["waiting_minutes"] and values["duration_minutes"] and values["waiting_minutes"] > values["duration_minutes"]:
            self.show_error(_("The time on hold is longer than the whole call."), self.waiting)
            return
        if values["promised_by"] is not None and values["promised_by"] < clock.today() - timedelta(days=3650):
            self.show_error(_("That promised date is more than ten years ago."), self.promised_by)
            return
        if submitted(lambda: self._submit(values),
                     lambda message, path: self.show_error(message, None if path is None else self._field_for(path))):
            super().accept()

    def reject(self) -> None:
        self.call_timer.stop()
        super().reject()
