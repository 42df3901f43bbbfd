"""Shared pytest setup: make ``src/`` importable when formkit is not installed."""

from __future__ import annotations

import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
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
