"""Starting Docket never ends in a traceback or a core dump: what is missing is said, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gui.launch import GUI_LIBRARIES, XCB_LIBRARIES, absolute_data_dir, qt_start_problem

ROOT = Path(__file__).resolve().parents[2]


def everything(_name: str) -> str:
    return "libfound.so"


def test_without_any_display_it_says_so() -> None:
    problem = qt_start_problem({}, "linux", everything)
    assert problem is not None and "no display" in problem


def test_missing_xcb_libraries_are_named_with_the_apt_line() -> None:
    def no_cursor(name: str) -> str | None:
        return None if name in ("xcb-cursor", "xkbcommon-x11") else "libfound.so"

    problem = qt_start_problem({"DISPLAY": ":0"}, "linux", no_cursor)
    assert problem is not None
    assert "libxcb-cursor" in problem and "libxkbcommon-x11" in problem
    assert "sudo apt install libxcb-cursor0 libxkbcommon-x11-0" in problem


def test_a_complete_desktop_or_a_headless_platform_starts() -> None:
    assert qt_start_problem({"DISPLAY": ":0"}, "linux", everything) is None
    assert qt_start_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", everything) is None
    # Wayland does not need the X11 plugin's libraries.
    missing_xcb = {**{n: None for n in XCB_LIBRARIES}, **{n: "lib.so" for n in GUI_LIBRARIES}}
    assert qt_start_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", missing_xcb.get) is None
    assert qt_start_problem({}, "win32", lambda _n: None) is None


def test_docket_without_a_display_exits_2_with_one_clear_message(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run([sys.executable, "-m", "gui.launch", "--data-dir", str(tmp_path / "data")],
                          env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert "no display" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_relative_data_folder_means_the_folder_it_names_here(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert absolute_data_dir("disputes") == str(tmp_path / "disputes")
    env = {"DOCKET_DATA_DIR": "disputes"}
    assert absolute_data_dir(None, env) is None
    assert env["DOCKET_DATA_DIR"] == str(tmp_path / "disputes")
