"""The benchmark harness must not rot: a tiny run of every benchmark completes and reports.

Timing is never asserted here; ``benchmarks/`` measures speed. This only checks that each
benchmark ran against the real parts and wrote its figures.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_smoke_run_measures_every_benchmark_and_writes_the_report(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--out", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((tmp_path / "performance.json").read_text())
    results = {r["name"]: r for r in report["results"]}
    expected = {"startup", "search", "list_search", "open_case", "due_list", "due_list_first", "import", "pdf_export", "memory",
                "case_list_first_page", "case_list_page", "case_list_scroll", "case_list_scroll_model",
                "cli_version", "cli_cases_json", "cli_show", "cli_due", "backup_auto", "backup_archive",
                "enc_open", "enc_search", "enc_open_case", "enc_attach"}
    assert expected <= set(results)
    for name in expected:
        assert results[name]["runs"], f"{name} measured nothing: {results[name]['note']}"
        assert all(v > 0 for v in results[name]["runs"]), name
    # Baselines are measured in the same run, so ratios exist where a baseline does.
    for name in ("startup", "search", "pdf_export", "cli_version", "backup_auto", "backup_archive", "enc_open", "enc_attach"):
        assert results[name]["ratio"] is not None, name
    # The old list query runs beside the new one, so the gain of keyset paging is in the report.
    assert results["case_list_scroll"]["speedup"] is not None
    table = (tmp_path / "performance.md").read_text()
    assert "| search |" in table and report["environment"]["sqlite"] in table
