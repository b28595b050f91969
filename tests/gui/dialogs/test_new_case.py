"""The plain new-case form: a region of a country is picked as the rules know it."""

from __future__ import annotations

from core.journal import queries
from core.store.store import Store
from gui.dialogs.new_case import NewCaseDialog


def fill(dialog: NewCaseDialog) -> None:
    dialog.title.setText("Sofa never came")
    dialog.company.setCurrentText("Harbour Sofas")


def test_the_form_takes_a_region_such_as_scotland(qtbot, store: Store) -> None:  # noqa: ANN001
    dialog = NewCaseDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog)
    dialog.jurisdiction.set_code("GB-SCT")
    assert dialog.jurisdiction.currentText() == "United Kingdom: Scotland (GB-SCT)"
    dialog.accept()
    assert not dialog.isVisible()
    assert queries.load_case(store, dialog.case_id).jurisdiction == "GB-SCT"


def test_a_code_typed_in_lower_case_is_the_region_it_names(qtbot, store: Store) -> None:  # noqa: ANN001
    dialog = NewCaseDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog)
    dialog.jurisdiction.setEditText("au-nsw")
    assert dialog.jurisdiction.code() == "AU-NSW"
    dialog.accept()
    assert queries.load_case(store, dialog.case_id).jurisdiction == "AU-NSW"


def test_a_region_docket_does_not_know_is_refused_naming_the_ones_it_does(qtbot, store: Store) -> None:  # noqa: ANN001
    dialog = NewCaseDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(dialog)
    dialog.jurisdiction.setEditText("GB-SC")
    dialog.accept()
    assert dialog.isVisible() and queries.count_cases(store) == 0
    assert "GB-ENG, GB-NIR, GB-SCT, GB-WLS" in dialog.errors["jurisdiction"].text()
