"""The ``docket`` program: the command line, which opens the window when no subcommand is given.

The window is imported only when it is wanted, so ``docket --version`` and every subcommand
start without Qt. Before Qt is loaded, :func:`qt_start_problem` checks that it can start at all:
Qt aborts the whole process (a core dump, no message a person can act on) when there is no
display or when the X11 platform plugin's libraries are missing, so Docket says what is missing
and how to install it, and exits with code 2.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from core.i18n import _

EXIT_CANNOT_START = 2

# What Qt's X11 platform plugin (xcb) loads, and the Debian/Ubuntu package of each.
XCB_LIBRARIES: dict[str, str] = {
    "xcb-cursor": "libxcb-cursor0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-randr": "libxcb-randr0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xcb-xkb": "libxcb-xkb1",
    "xcb-util": "libxcb-util1",
    "xcb-shm": "libxcb-shm0",
    "xcb-sync": "libxcb-sync1",
    "xcb-xfixes": "libxcb-xfixes0",
    "X11-xcb": "libx11-xcb1",
}
# What QtGui itself needs on every Linux platform.
GUI_LIBRARIES: dict[str, str] = {
    "EGL": "libegl1",
    "GL": "libgl1",
    "fontconfig": "libfontconfig1",
    "xkbcommon": "libxkbcommon0",
    "X11": "libx11-6",
    "dbus-1": "libdbus-1-3",
    "glib-2.0": "libglib2.0-0",
    "freetype": "libfreetype6",
}
HEADLESS_PLATFORMS = {"offscreen", "minimal", "vnc", "eglfs", "linuxfb"}


def _apt_line(packages: list[str]) -> str:
    return "sudo apt install " + " ".join(packages)


def qt_start_problem(env: dict[str, str] | None = None, platform: str | None = None,
                     find: Callable[[str], str | None] = ctypes.util.find_library) -> str | None:
    """Why the window cannot start here, in words a person can act on; None when it can.

    Linux only: elsewhere Qt brings what it needs. Reads the environment and looks libraries
    up by name (``find``), without loading Qt.
    """
    env = dict(os.environ) if env is None else env
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return None
    qpa = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    needed = dict(GUI_LIBRARIES)
    headless = qpa in HEADLESS_PLATFORMS
    wayland = qpa.startswith("wayland") or (not qpa and env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY"))
    if headless or wayland:
        pass  # no X11 plugin: only QtGui's own libraries
    elif not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return _("Docket cannot open its window: there is no display (neither DISPLAY nor "
                 "WAYLAND_DISPLAY is set). Start it from your desktop session, or use the command "
                 "line: docket --help")
    else:
        needed.update(XCB_LIBRARIES)
    missing = {name: package for name, package in needed.items() if not find(name)}
    if not missing:
        return None
    names = ", ".join(f"lib{name}" for name in missing)
    return (_("Docket cannot open its window: these libraries Qt needs are missing: {names}.\n"
              "On Debian or Ubuntu, install them with:\n  {command}\n"
              "Then start Docket again. The command line works without them: docket --help")
            .format(names=names, command=_apt_line(sorted(set(missing.values())))))


def absolute_data_dir(data_dir: str | None, env: dict[str, str] | None = None) -> str | None:
    """``--data-dir`` (or a relative ``DOCKET_DATA_DIR``) as an absolute path, so that the
    folder means the same wherever the store later turns it into a file URI."""
    environ = os.environ if env is None else env
    if data_dir:
        return str(Path(data_dir).expanduser().resolve())
    from_env = environ.get("DOCKET_DATA_DIR")
    if from_env and not Path(from_env).expanduser().is_absolute():
        environ["DOCKET_DATA_DIR"] = str(Path(from_env).expanduser().resolve())
    return None


def _open_window(data_dir: str | None) -> int:
    problem = qt_start_problem()
    if problem is not None:
        print(problem, file=sys.stderr)
        return EXIT_CANNOT_START
    try:
        from gui.shell.app import run
    except ImportError as exc:  # a library QtGui links against is missing
        print(_("Docket cannot open its window: Qt could not be loaded ({error}).\n"
                "On Debian or Ubuntu: {command}").format(
                    error=exc, command=_apt_line(sorted(set(GUI_LIBRARIES.values())))), file=sys.stderr)
        return EXIT_CANNOT_START
    return run(data_dir=absolute_data_dir(data_dir))


def main(argv: Sequence[str] | None = None) -> int:
    from core.cli.main import main as cli_main
    from core.i18n import set_language

    # Both front ends speak the language chosen once, first: DOCKET_LANGUAGE, the choice saved
    # in Settings, or the system's (the window loads Qt's catalog for it as it starts).
    set_language()
    return cli_main(argv, open_window=_open_window)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
