"""Shared pytest setup and helpers: ``src/`` importable when formkit is not installed, the
project's folders (ROOT, RECORDS, TEMPLATES, DATA), and external tools required in CI."""

from __future__ import annotations

import sys
from pathlib import Path

#: The repository, its shipped sample records and templates, and the tests' own data.
ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "records"
TEMPLATES = ROOT / "templates"
DATA = ROOT / "tests" / "data"

SRC = ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

import os
import shutil

import pytest


def require_tools(*names: str) -> None:
    """Skip a test when an external tool (LibreOffice, poppler) is missing, except in CI.

    CI (``CI`` set in the environment) installs them, so there a missing tool fails the test
    instead of silently skipping it.
    """
    missing = [n for n in names if shutil.which(n) is None]
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must install: {', '.join(missing)}")
    pytest.skip(f"not installed: {', '.join(missing)}")
