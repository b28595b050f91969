"""Docket's build backend: setuptools, after compiling the translation catalogs.

pyproject.toml names this module (``backend-path = ["packaging"]``), so ``pip install .``,
``pip install -e .`` and a wheel or sdist build all compile ``resources/locale/*/docket.po``
to ``docket.mo`` first: the compiled catalogs are build output, never committed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (the PEP 517 and 660 hooks)

ROOT = Path(__file__).resolve().parent.parent


def _compile() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("docket_catalogs", Path(__file__).with_name("catalogs.py"))
    assert spec is not None and spec.loader is not None
    catalogs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(catalogs)
    catalogs.compile_all(ROOT)


def build_wheel(wheel_directory: str, config_settings: Any = None, metadata_directory: str | None = None) -> str:
    _compile()
    return _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory: str, config_settings: Any = None, metadata_directory: str | None = None) -> str:
    _compile()
    return _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory: str, config_settings: Any = None) -> str:
    _compile()
    return _setuptools.build_sdist(sdist_directory, config_settings)
