"""The plain new-case form: a region of a country is typed as the rules know it."""

from __future__ import annotations

from core.journal import queries
from core.store.store import Store
from gui.dialogs.new_case import NewCaseDialog


def test_the_form_takes_a_region_such_as_scotland(qtbot, store: Store) -> None:  # noqa: ANN001
    dialog = NewCaseDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.title.setText("Sofa never came")
    dialog.company.setCurrentText("Harbour Sofas")
    dialog.jurisdiction.clear()
    qtbot.keyClicks(dialog.jurisdiction, "gb-sct")
    assert dialog.jurisdiction.text() == "gb-sct"
    dialog.accept()
    assert not dialog.isVisible()
    assert queries.load_case(store, dialog.case_id).jurisdiction == "GB-SCT"


def test_the_form_keeps_out_what_cannot_be_a_country_or_region(qtbot, store: Store) -> None:  # noqa: ANN001
    dialog = NewCaseDialog(store)
    qtbot.addWidget(dialog)
    dialog.jurisdiction.clear()
    qtbot.keyClicks(dialog.jurisdiction, "AU-NSW!!")
    assert dialog.jurisdiction.text() == "AU-NSW"  # the "!" is not taken
    dialog.jurisdiction.clear()
    qtbot.keyClicks(dialog.jurisdiction, "Scotland")
    assert dialog.jurisdiction.text() == "Sco"  # a country code has at most three letters


def test_a_region_docket_does_not_know_is_refused_naming_the_ones_it_does(qtbot, store: Store) -> None:  # noqa: ANN001
    dialog = NewCaseDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.title.setText("Sofa never came")
    dialog.company.setCurrentText("Harbour Sofas")
    dialog.jurisdiction.setText("GB-SC")
    dialog.accept()
    assert dialog.isVisible() and queries.count_cases(store) == 0
    assert "GB-ENG, GB-NIR, GB-SCT, GB-WLS" in dialog.errors["jurisdiction"].text()
