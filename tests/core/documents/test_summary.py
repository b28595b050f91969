"""A one-page year in disputes, from the same figures as the Overview."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from core.cli.main import main
from core.documents.summary import gather_year
from core.domain import clock
from core.domain.errors import ValidationError
from core.exchange.demo import load_examples
from core.store.store import Store


@pytest.fixture
def examples(store: Store) -> Store:
    clock.set_today("2026-06-15")
    load_examples(store)
    return store


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_year_summary_is_one_page_of_true_figures(examples: Store, tmp_path: Path) -> None:
    out = tmp_path / "year.pdf"
    examples.close()
    assert main(["--data-dir", str(examples.data_dir), "--today", "2026-06-15",
                 "export", "--summary", "--year", "2026", "--out", str(out)]) == 0

    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    text = " ".join(pdf_text(out).split())
    assert "Your year in disputes: 2026" in text
    assert "Cases opened in 2026: 7" in text
    assert "Cases resolved or closed in 2026: 1 (1 won)" in text
    assert "GBP 498.97" in text  # claimed: 149.00 + 104.97 + 245.00, never added to other currencies
    assert "Recovered in cases ended in 2026 GBP 149.00" in text
    assert "GBP 349.97" in text and "USD 59.98" in text  # still in dispute today
    assert "3 h 33 min" in text and "2 h 12 min waiting" in text  # 213 minutes, 132 of them waiting
    assert "Most time went to ClearSight Opticians: 1 h 57 min" in text
    assert "not legal advice" in text


def test_a_year_without_cases_says_so_and_a_future_year_is_refused(examples: Store) -> None:
    past = gather_year(examples, year=2024)
    assert (past.opened, past.ended, past.claimed, past.companies) == (0, 0, {}, [])
    with pytest.raises(ValidationError, match="year"):
        gather_year(examples, year=2031)


def test_export_without_a_case_or_summary_is_one_clear_error(examples: Store, capsys: pytest.CaptureFixture[str]) -> None:
    examples.close()
    assert main(["--data-dir", str(examples.data_dir), "export", "--format", "pdf", "--out", "x.pdf"]) == 2
    assert "export needs CASE" in capsys.readouterr().err
