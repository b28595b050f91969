"""Help > About: the version, the licence and where the data is kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core import __version__
from core.i18n import _
from gui.kit.icons import app_icon

LICENCE = "GPL-3.0-or-later"


class AboutDialog(QDialog):
    """Shows Docket's version, its licence and the data directory in use."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("About Docket"))
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(QSize(64, 64), self.devicePixelRatioF()))
        logo.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.version_label = QLabel(_("<b>Docket</b> %1").replace("%1", __version__))
        font = self.version_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.version_label.setFont(font)
        purpose = QLabel(_("Keep the record of your disputes with companies, and win more of them."))
        purpose.setWordWrap(True)
        self.licence_label = QLabel(
            _("Free software under the GNU General Public License, version 3 or later (%1). "
                    "It comes with no warranty.").replace("%1", LICENCE)
        )
        self.licence_label.setWordWrap(True)
        self.data_label = QLabel(_("Your data is kept in:\n%1").replace("%1", str(data_dir)))
        self.data_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_label.setWordWrap(True)
        advice = QLabel(_("Docket gives general information, not legal advice."))
        advice.setWordWrap(True)

        text = QVBoxLayout()
        for label in (self.version_label, purpose, self.licence_label, self.data_label, advice):
            text.addWidget(label)
        body = QHBoxLayout()
        body.addWidget(logo)
        body.addLayout(text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
