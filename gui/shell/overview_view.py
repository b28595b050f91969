"""The Overview: where a person stands across all their disputes, in charts.

Money in dispute and recovered (per currency), outcomes by category, time spent per company
and per month, each company's record, and the deadlines of the next 30 days. Each chart is
drawn from one core query (:mod:`core.journal.stats`, loaded in a worker), in the palette's
colours (light or dark), with the same figures in a table behind it for screen readers and
keyboards, and can be copied as an image or saved as PNG or SVG.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QScatterSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QEvent,
    QLocale,
    QMargins,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QPainter,
    QPalette,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.domain import clock
from core.i18n import _
from core.journal import stats
from core.store.store import Store
from gui.kit.formatting import format_date, format_money
from gui.kit.workers import Task, run_in_background

CHART_LANES = 12  # cases drawn in the deadlines chart (the table has more)
TABLE_DEADLINES = 500  # the due list (Needs attention) is the place for a longer list

# Okabe-Ito colours (told apart with any colour vision), a darker and a lighter set so that
# every series stands out on a light and on a dark background.
SERIES_ON_LIGHT = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8B6F00")
SERIES_ON_DARK = ("#56B4E9", "#E69F00", "#3FD0A4", "#E5A3C9", "#F0E442")


def series_colours(palette: QPalette) -> tuple[str, ...]:
    """The series colours for this palette: the lighter set when the background is dark."""
    dark = palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5
    return SERIES_ON_DARK if dark else SERIES_ON_LIGHT


@dataclass(frozen=True, slots=True)
class OverviewData:
    """Every figure of the Overview, read in one worker."""

    today: date
    money: list[stats.MoneyMonth]
    outcomes: list[stats.OutcomeCounts]
    time_by_company: list[stats.TimeRow]
    time_by_month: list[stats.TimeRow]
    deadlines: list[stats.Deadline]


def load_overview(store: Store) -> OverviewData:
    """Read the Overview's figures but the companies' records (runs in a worker)."""
    return OverviewData(clock.today(), stats.money_over_time(store), stats.outcomes_by_category(store),
                        stats.time_by_company(store), stats.time_by_month(store),
                        stats.upcoming_deadlines(store))


def _hm(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


# -- one chart with its table ------------------------------------------------------------------
class FiguresModel(QAbstractTableModel):
    """A chart's figures as rows of values: shown as text, numbers right-aligned and sorted as
    numbers. Holds the rows as given (thousands of companies cost nothing until shown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[Sequence[Any]] = []

    def set_rows(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.beginResetModel()
        self._headers = list(headers)
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        value = self._rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float | Decimal):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self._headers):
            return self._headers[section]
        return None


class ChartPanel(QWidget):
    """A titled chart with its figures as a table behind it (Table / Chart), and buttons to
    copy the chart as an image or save it as PNG or SVG."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.setAccessibleName(title)
        self._build: Callable[[QChart, tuple[str, ...]], None] | None = None
        self.heading = QLabel(f"<b>{title}</b>")
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.chart = QChart()
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumSize(QSize(380, 260))
        self.chart_view.setAccessibleName(_("%1, chart").replace("%1", title))
        self.chart_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the table holds the same, readable
        self.model = FiguresModel(self)
        self.table = QTableView()
        self.table.setAccessibleName(_("%1, table").replace("%1", title))
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        # Sizing columns to thousands of rows would take seconds; the first rows tell enough.
        self.table.horizontalHeader().setResizeContentsPrecision(50)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.chart_view)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.toggle = QPushButton(_("Table"))
        self.toggle.setToolTip(_("Show the figures as a table"))
        self.toggle.clicked.connect(self.flip)
        self.copy_button = QPushButton(_("Copy"))
        self.copy_button.setToolTip(_("Copy the chart as an image"))
        self.copy_button.clicked.connect(self.copy_image)
        self.save_button = QPushButton(_("Save…"))
        self.save_button.setToolTip(_("Save the chart as a PNG or SVG image"))
        self.save_button.clicked.connect(self._ask_where_to_save)
        self.controls = QHBoxLayout()
        self.controls.addWidget(self.heading, 1)
        for button in (self.toggle, self.copy_button, self.save_button):
            self.controls.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(self.controls)
        layout.addWidget(self.stack, 1)

    # -- content
    def show_figures(self, build: Callable[[QChart, tuple[str, ...]], None], headers: Sequence[str],
                     rows: Sequence[Sequence[Any]], *, empty: str) -> None:
        """Draw the chart with ``build(chart, colours)`` and fill the table with ``rows``
        (values shown as given; numbers right-aligned). With no rows, say ``empty``."""
        self._build = build if rows else None  # an empty chart has no range to draw
        self.model.set_rows(headers, rows)
        self.empty.setText(empty)
        has_rows = bool(rows)
        for button in (self.toggle, self.copy_button, self.save_button):
            button.setEnabled(has_rows)
        self.redraw()
        if not has_rows:
            self.stack.setCurrentWidget(self.empty)
        elif self.stack.currentWidget() is self.empty:
            self.stack.setCurrentWidget(self.chart_view)

    def redraw(self) -> None:
        """Draw the chart again in the current palette's colours."""
        if self._build is None:
            return
        chart = QChart()
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        chart.setBackgroundRoundness(0)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setLabelColor(text)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self._build(chart, series_colours(palette))
        grid = palette.color(QPalette.ColorRole.Mid)
        for axis in chart.axes():
            axis.setLabelsColor(text)
            axis.setTitleBrush(text)
            axis.setLinePenColor(grid)
            axis.setGridLineColor(grid)
        old = self.chart
        self.chart = chart
        self.chart_view.setChart(chart)
        old.deleteLater()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.redraw()
        super().changeEvent(event)

    # -- actions
    def flip(self) -> None:
        """Switch between the chart and the table of its figures."""
        to_table = self.stack.currentWidget() is self.chart_view
        self.stack.setCurrentWidget(self.table if to_table else self.chart_view)
        self.toggle.setText(_("Chart") if to_table else _("Table"))
        self.toggle.setToolTip(_("Show the chart") if to_table else _("Show the figures as a table"))
        if to_table:
            self.table.setFocus()

    def copy_image(self) -> None:
        """Put the chart on the clipboard as an image."""
        QGuiApplication.clipboard().setImage(self.chart_view.grab().toImage())

    def save_image(self, path: Path) -> Path:
        """Save the chart as ``path``: SVG when it ends in .svg, else PNG."""
        path = Path(path)
        if path.suffix.lower() == ".svg":
            generator = QSvgGenerator()
            generator.setFileName(str(path))
            size = self.chart_view.size()
            generator.setSize(size)
            generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
            generator.setTitle(self.title)
            painter = QPainter(generator)
            self.chart_view.render(painter)
            painter.end()
        else:
            if path.suffix.lower() != ".png":
                path = path.with_suffix(".png")
            self.chart_view.grab().save(str(path), "PNG")
        return path

    def _ask_where_to_save(self) -> None:
        name, chosen = QFileDialog.getSaveFileName(
            self, _("Save chart"), self.title.replace(" ", "-").lower() + ".png",
            _("PNG image (*.png);;SVG image (*.svg)"))
        if name:
            if "svg" in chosen and not name.lower().endswith(".svg"):
                name += ".svg"
            self.save_image(Path(name))


# -- chart builders ----------------------------------------------------------------------------
def _bar_set(label: str, values: Sequence[float], colour: str) -> QBarSet:
    bar_set = QBarSet(label)
    bar_set.append([float(v) for v in values])
    bar_set.setColor(QColor(colour))
    bar_set.setBorderColor(QColor(colour))
    return bar_set


def _stacked(chart: QChart, categories: list[str], sets: list[tuple[str, list[float]]], colours: tuple[str, ...],
             *, horizontal: bool, value_title: str) -> None:
    series = QHorizontalStackedBarSeries() if horizontal else QStackedBarSeries()
    for i, (label, values) in enumerate(sets):
        series.append(_bar_set(label, values, colours[i % len(colours)]))
    chart.addSeries(series)
    cats = QBarCategoryAxis()
    cats.append(categories)
    values = QValueAxis()
    values.setTitleText(value_title)
    values.setLabelFormat("%d")
    chart.addAxis(cats, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(values, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(cats)
    series.attachAxis(values)
    top = max([sum(v[i] for _label, v in sets) for i in range(len(categories))] + [1.0])
    _whole_steps(values, top)


def _whole_steps(axis: QValueAxis, top: float) -> None:
    """Ticks at whole, round steps from 0 (counts and minutes have no halves)."""
    step = 1
    while top / step > 6:
        step = next(s for s in (step * 2, step * 5 // 2, step * 5, step * 10) if top / s <= 6 or s == step * 10)
    axis.setRange(0, step * -(-top // step))
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)


class OverviewView(QWidget):
    """The Overview in the sidebar; ``case_selected`` gives a case chosen from a deadline."""

    case_selected = Signal(object)
    loaded = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.data: OverviewData | None = None
        self._task: Task | None = None
        self._companies_task: Task | None = None
        self._waiting = 0
        self.currency = QComboBox()
        self.currency.setAccessibleName(_("Currency"))
        self.currency.currentTextChanged.connect(lambda _c: self._show_money())
        self.money = ChartPanel(_("Money in dispute and recovered"))
        self.money.controls.insertWidget(1, self.currency)
        self.outcomes = ChartPanel(_("Outcomes by category"))
        self.time_company = ChartPanel(_("Time spent per company"))
        self.time_month = ChartPanel(_("Time spent per month"))
        self.companies = ChartPanel(_("Companies' records"))
        self.deadlines = ChartPanel(_("Deadlines of the next 30 days"))
        self.deadlines.table.doubleClicked.connect(self._open_deadline)
        self.panels = [self.money, self.outcomes, self.time_company, self.time_month, self.companies, self.deadlines]

        self.status = QLabel(_("Loading…"))
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        for i, panel in enumerate(self.panels):
            grid.addWidget(panel, i // 2, i % 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)

    def refresh(self) -> Task:
        """Read the figures again in workers; each chart is drawn as soon as its figures are in.
        The companies' records read every timeline, so they come in a worker of their own and
        the rest does not wait for them. ``loaded`` is emitted when both are in."""
        self._waiting = 2
        self._task = run_in_background(lambda _progress: load_overview(self.store), self, succeeded=self.show_data,
                                       failed=self.status.setText)
        self._companies_task = run_in_background(lambda _progress: stats.company_standings(self.store), self,
                                                 succeeded=self.show_companies, failed=self.status.setText)
        return self._task

    def _one_loaded(self) -> None:
        self._waiting -= 1
        if self._waiting <= 0:
            self.loaded.emit()

    def show_data(self, data: OverviewData) -> None:
        self.data = data
        self.status.setText(_("Where you stand on %1").replace("%1", format_date(data.today)))
        currencies = sorted({m.currency for m in data.money},
                            key=lambda c: -max((m.outstanding for m in data.money if m.currency == c), default=0))
        self.currency.blockSignals(True)
        self.currency.clear()
        self.currency.addItems(currencies)
        self.currency.setVisible(len(currencies) > 1)
        self.currency.blockSignals(False)
        self._show_money()
        self._show_outcomes(data)
        self._show_time(data)
        self._show_deadlines(data)
        self._one_loaded()

    def show_companies(self, rows: list[stats.CompanyStanding]) -> None:
        self._show_companies(rows)
        self._one_loaded()

    # -- each chart
    def _show_money(self) -> None:
        if self.data is None:
            return
        currency = self.currency.currentText()
        months = [m for m in self.data.money if m.currency == currency]
        labels = [m.month for m in months]

        def build(chart: QChart, colours: tuple[str, ...]) -> None:
            bars = QBarSeries()
            bars.append(_bar_set(_("Put in dispute"), [float(m.disputed) for m in months], colours[0]))
            bars.append(_bar_set(_("Recovered"), [float(m.recovered) for m in months], colours[2]))
            line = QLineSeries()
            line.setName(_("Still in dispute"))
            line.setColor(QColor(colours[1]))
            pen = line.pen()
            pen.setWidth(3)
            line.setPen(pen)
            for i, m in enumerate(months):
                line.append(i, float(m.outstanding))
            chart.addSeries(bars)
            chart.addSeries(line)
            cats = QBarCategoryAxis()
            cats.append(labels)
            amounts = QValueAxis()
            amounts.setTitleText(currency)
            chart.addAxis(cats, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(amounts, Qt.AlignmentFlag.AlignLeft)
            for series in (bars, line):
                series.attachAxis(cats)
                series.attachAxis(amounts)
            amounts.setRange(0, max([float(max(m.disputed, m.outstanding, m.recovered)) for m in months] + [1.0]))
            amounts.applyNiceNumbers()

        self.money.show_figures(
            build, [_("Month"), _("Put in dispute"), _("Recovered"), _("Still in dispute")],
            [(m.month, format_money(m.disputed, currency), format_money(m.recovered, currency),
              format_money(m.outstanding, currency)) for m in months],
            empty=_("No case yet: money in dispute appears here once you open one."))

    def _show_outcomes(self, data: OverviewData) -> None:
        names = {"won": _("Won"), "partly_won": _("Partly won"), "lost": _("Lost"),
                 "abandoned": _("Abandoned")}
        rows = data.outcomes

        def build(chart: QChart, colours: tuple[str, ...]) -> None:
            order = (colours[2], colours[0], colours[1], colours[3])
            _stacked(chart, [r.category.replace("_", " ") for r in rows],
                     [(label, [getattr(r, key) for r in rows]) for key, label in names.items()], order,
                     horizontal=True, value_title=_("cases"))

        self.outcomes.show_figures(
            build, [_("Category"), *names.values(), _("Total")],
            [(r.category.replace("_", " "), r.won, r.partly_won, r.lost, r.abandoned, r.total) for r in rows],
            empty=_("No case has ended with an outcome yet."))

    def _show_time(self, data: OverviewData) -> None:
        kinds = [_("Calls and chats"), _("Visits"), _("Waiting")]
        headers = [_("Calls and chats (min)"), _("Visits (min)"), _("Waiting (min)"), _("Total")]
        for panel, rows, horizontal, first in ((self.time_company, data.time_by_company, True, _("Company")),
                                               (self.time_month, data.time_by_month, False, _("Month"))):
            def build(chart: QChart, colours: tuple[str, ...], rows: list[stats.TimeRow] = rows,
                      horizontal: bool = horizontal) -> None:
                shown = list(reversed(rows[:12])) if horizontal else rows  # the most time at the top
                _stacked(chart, [r.label for r in shown],
                         [(kinds[0], [r.calls for r in shown]), (kinds[1], [r.visits for r in shown]),
                          (kinds[2], [r.waiting for r in shown])], colours,
                         horizontal=horizontal, value_title=_("minutes"))

            panel.show_figures(build, [first, *headers],
                               [(r.label, r.calls, r.visits, r.waiting, _hm(r.total)) for r in rows],
                               empty=_("No call, chat or visit with a duration logged yet."))

    def _show_companies(self, rows: list[stats.CompanyStanding]) -> None:
        locale = QLocale()

        def build(chart: QChart, colours: tuple[str, ...]) -> None:
            answered = [r for r in rows if r.median_days_to_reply is not None][:12][::-1]
            series = QHorizontalBarSeries()
            series.append(_bar_set(_("Median days to reply"), [r.median_days_to_reply or 0 for r in answered],
                                   colours[0]))
            chart.addSeries(series)
            cats = QBarCategoryAxis()
            cats.append([r.name for r in answered])
            days = QValueAxis()
            days.setTitleText(_("median days to reply"))
            chart.addAxis(cats, Qt.AlignmentFlag.AlignLeft)
            chart.addAxis(days, Qt.AlignmentFlag.AlignBottom)
            series.attachAxis(cats)
            series.attachAxis(days)
            days.setRange(0, max([r.median_days_to_reply or 0 for r in answered] + [1.0]))
            days.applyNiceNumbers()

        self.companies.show_figures(
            build, [_("Company"), _("Cases"), _("Open"), _("Median days to reply"),
                    _("Resolved in your favour")],
            [(r.name, r.cases, r.open_cases,
              "" if r.median_days_to_reply is None else locale.toString(r.median_days_to_reply, "f", 1),
              "" if r.share_favourable is None
              else _("%1 (%2 of %3)").replace("%1", f"{r.share_favourable:.0%}")
              .replace("%2", locale.toString(r.favourable)).replace("%3", locale.toString(r.ended_with_outcome)))
             for r in rows],
            empty=_("No company yet."))

    def _show_deadlines(self, data: OverviewData) -> None:
        rows = data.deadlines
        # The chart gives a line to each of the soonest cases; the table lists every deadline.
        lanes_of = {case_id: i for i, case_id in enumerate(list(dict.fromkeys(d.case_id for d in rows))[:CHART_LANES])}
        charted = [d for d in rows if d.case_id in lanes_of]
        titles = list({d.case_id: d.case_title for d in charted}.values())

        def build(chart: QChart, colours: tuple[str, ...]) -> None:
            due = QScatterSeries()
            due.setName(_("Due"))
            late = QScatterSeries()
            late.setName(_("Overdue"))
            for series, colour in ((due, colours[0]), (late, colours[1])):
                series.setColor(QColor(colour))
                series.setBorderColor(QColor(colour))
                series.setMarkerSize(12)
            for d in charted:
                moment = QDateTime(datetime.combine(d.due, time(12))).toMSecsSinceEpoch()
                (late if d.overdue else due).append(moment, lanes_of[d.case_id])
            chart.addSeries(due)
            chart.addSeries(late)
            axis = QDateTimeAxis()
            axis.setFormat("d MMM")
            start = min([data.today] + [d.due for d in charted])
            axis.setRange(QDateTime(datetime.combine(start - timedelta(days=1), time())),
                          QDateTime(datetime.combine(data.today + timedelta(days=31), time())))
            lanes = QCategoryAxis()
            lanes.setRange(-0.5, max(len(titles), 1) - 0.5)
            lanes.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionCenter)
            for i, title in enumerate(titles):
                lanes.append(title if len(title) <= 30 else title[:29] + "…", i + 0.5)
            chart.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
            chart.addAxis(lanes, Qt.AlignmentFlag.AlignLeft)
            for series in (due, late):
                series.attachAxis(axis)
                series.attachAxis(lanes)

        listed = [(format_date(d.due) + (" " + _("(overdue)") if d.overdue else ""), d.case_title, d.company,
                   d.reason) for d in rows[:TABLE_DEADLINES]]
        if len(rows) > TABLE_DEADLINES:
            listed.append(("", _("… and %1 more: see Needs attention").replace("%1", str(len(rows) - TABLE_DEADLINES)),
                           "", ""))
        self.deadlines.show_figures(
            build, [_("Due"), _("Case"), _("Company"), _("What")], listed,
            empty=_("Nothing due in the next 30 days."))

    def _open_deadline(self, index: Any) -> None:
        # The last row may be "… and N more", which opens nothing.
        if self.data is not None and 0 <= index.row() < min(len(self.data.deadlines), TABLE_DEADLINES):
            self.case_selected.emit(self.data.deadlines[index.row()].case_id)
