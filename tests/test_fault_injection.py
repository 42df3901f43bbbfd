"""A render killed at random moments (SIGKILL) never damages the previous output.

Issue 7: a 200-worker render is killed at 20 random points. Each time, every unit folder of
the output is exactly either its previous version or its new version (never a mix, never a
half-written file), and re-running completes it into output identical to an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from formkit.fake import generate_records

RUNS = 20

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def formkit(*args: object) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PYTHONIOENCODING="utf-8")
    return subprocess.Popen(
        [sys.executable, "-m", "formkit.cli", *map(str, args)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def snapshot(out: Path) -> dict[str, dict[str, str]]:
    """Per unit folder: relative path → SHA-256 of every visible file."""
    units: dict[str, dict[str, str]] = {}
    if not out.exists():
        return units
    for unit in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = {}
        for path in sorted(unit.rglob("*")):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(out).parts):
                files[path.relative_to(unit).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        units[unit.name] = files
    return units


def visible_files_are_whole(out: Path) -> None:
    for path in out.rglob("*"):
        rel = path.relative_to(out)
        if any(part.startswith(".") for part in rel.parts):
            continue
        assert not path.name.endswith(".tmp"), f"temporary file in place: {rel}"
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as zf:
                assert zf.testzip() is None, rel


def test_killed_renders_leave_previous_output_intact_and_rerun_completes(tmp_path):
    recs = tmp_path / "records"
    generate_records(recs, workers=200, units=2, seed=11)
    templates = ROOT / "templates"

    # The previous output: records as they were.
    old_out = tmp_path / "old"
    assert formkit("render", recs, "-o", old_out, "--templates", templates).wait(timeout=600) == 0
    old = snapshot(old_out)

    # A correction to one record in each unit, then the reference: an uninterrupted render.
    for unit in sorted(p for p in recs.iterdir() if p.is_dir()):
        worker = sorted((unit / "职工").glob("*.yaml"))[0]
        text = worker.read_text(encoding="utf-8")
        worker.write_text(text.replace("家庭住址: ", "家庭住址: 更正后", 1), encoding="utf-8")
    ref_out = tmp_path / "ref"
    started = time.monotonic()
    assert formkit("render", recs, "-o", ref_out, "--templates", templates).wait(timeout=600) == 0
    duration = time.monotonic() - started
    new = snapshot(ref_out)
    assert old.keys() == new.keys() and old != new

    rng = random.Random(20121)
    out = tmp_path / "out"
    for run in range(RUNS):
        # Start every run from the previous output, then kill a forced re-render at random.
        subprocess.run(["rm", "-rf", str(out)], check=True)
        subprocess.run(["cp", "-a", str(old_out), str(out)], check=True)
        proc = formkit("render", recs, "-o", out, "--templates", templates, "--force")
        time.sleep(rng.uniform(0.05, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        now = snapshot(out)
        assert now.keys() == old.keys(), f"run {run}: a unit folder went missing"
        for unit, files in now.items():
            assert files in (old[unit], new[unit]), f"run {run}: {unit} is neither the previous nor the new output"
        visible_files_are_whole(out)

    # Re-running completes it: identical to the uninterrupted render, nothing left behind.
    assert formkit("render", recs, "-o", out, "--templates", templates).wait(timeout=600) == 0
    assert snapshot(out) == new
    assert not [p for p in out.iterdir() if p.name.startswith(".formkit-staging")], "stale staging folder left behind"
