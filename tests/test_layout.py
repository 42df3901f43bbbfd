"""The package's layout: imports flow one way, modules stay small with one concern each,
and the public API is what ``formkit/__init__.py`` exports."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import formkit
from conftest import ROOT

SRC = ROOT / "src" / "formkit"
#: The issue's bound on a module's size ("no module over ~600 lines").
MOST_LINES = 650


def _lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / ("lint-imports.exe" if sys.platform == "win32" else "lint-imports")
    command = [str(exe)] if exe.exists() else [shutil.which("lint-imports") or "lint-imports"]
    return subprocess.run([*command, "--config", str(config), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)


def test_imports_flow_one_way():
    result = _lint_imports(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_the_contract_check_finds_an_import_against_the_layers(tmp_path):
    # the same checker with the layers turned upside down must find the imports that now
    # run the wrong way: the test above can fail
    config = tmp_path / "upside-down.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "formkit"\n\n[[tool.importlinter.contracts]]\nname = "upside down"\ntype = "layers"\n'
        'layers = ["formkit.domain", "formkit.records"]\n',
        encoding="utf-8",
    )
    result = _lint_imports(config)
    assert result.returncode != 0
    assert "formkit.records" in result.stdout and "BROKEN" in result.stdout


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(SRC).as_posix())
def test_each_module_is_small_and_names_its_concern(path):
    text = path.read_text(encoding="utf-8")
    lines = text.count("\n")
    assert lines <= MOST_LINES, f"{lines} lines: split it by concern"
    doc = ast.get_docstring(ast.parse(text))
    assert doc, "a module starts with a docstring naming its concern"
    first = doc.splitlines()[0]
    assert 10 <= len(first) <= 200 and not first.endswith(","), first


def test_the_public_api_is_what_init_exports():
    for name in formkit.__all__:
        assert getattr(formkit, name) is not None, name
    assert formkit.check is formkit.api.check and formkit.render is formkit.api.render
    with pytest.raises(AttributeError):
        _ = formkit.render_document  # internal names are not reachable from the package
    records = formkit.check(ROOT / "records")
    assert isinstance(records, formkit.RecordSet) and not records.errors
    assert issubclass(formkit.RecordsInvalid, formkit.FormkitError)


def test_every_subpackage_says_what_it_holds():
    for package in sorted(p for p in SRC.iterdir() if (p / "__init__.py").is_file()):
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, package.name
