"""The formkit command, through click's CliRunner: exact output and exit codes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from formkit.cli import main

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def runner():
    return CliRunner()


def golden_amounts():
    with open(DATA / "amounts.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [r for r in rows if not r["input"].startswith("py:")]


def test_amount_prints_the_standard_form_one_line_per_value(runner):
    rows = [r for r in golden_amounts() if not r["standard"].startswith("!ERROR")]
    result = runner.invoke(main, ["amount", *[r["input"] for r in rows]])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [r["standard"] for r in rows]


def test_amount_refuses_bad_values_with_exit_2(runner):
    result = runner.invoke(main, ["amount", "1", "-5", "abc", "2"])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0] == "壹元整" and lines[3] == "贰元整"
    assert lines[1].startswith("错误：-5：") and lines[2].startswith("错误：abc：")


def test_every_command_has_help_and_is_in_the_readme(runner):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert f"formkit {name}" in readme, f"README does not mention formkit {name}"


def test_check_on_samples_exits_0(runner):
    result = runner.invoke(main, ["check", str(ROOT / "records")])
    assert result.exit_code == 0, result.output
    assert "0 处错误" in result.output


def test_render_writes_docx(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["render", str(ROOT / "records"), "-o", "out", "--templates", str(ROOT / "templates")])
    assert result.exit_code == 0, result.output
    assert list(Path("out").rglob("*.docx"))


def test_keep_going_renders_the_valid_records_and_still_exits_1(runner, tmp_path):
    import shutil

    recs = tmp_path / "recs"
    shutil.copytree(ROOT / "records", recs)
    bad = next((recs / "思明区总工会" / "职工").glob("001-*.yaml"))
    bad.write_text(bad.read_text(encoding="utf-8").replace("政治面貌:", "政治面目:", 1), encoding="utf-8")
    refused = runner.invoke(main, ["render", str(recs), "-o", str(tmp_path / "a"), "--templates", str(ROOT / "templates")])
    assert refused.exit_code == 1 and not (tmp_path / "a").exists()
    result = runner.invoke(main, ["render", str(recs), "-o", str(tmp_path / "b"), "--templates", str(ROOT / "templates"), "--keep-going"])
    assert result.exit_code == 1
    assert "001-" in result.output and "政治面目" in result.output
    assert list((tmp_path / "b").rglob("*.docx"))


def test_no_command_modifies_the_records_folder(runner, tmp_path):
    """Issue 7: records are read-only to formkit (``new`` and ``import`` only add files)."""
    import hashlib
    import shutil

    recs = tmp_path / "records"
    shutil.copytree(ROOT / "records", recs)

    def digest() -> dict[str, str]:
        return {p.relative_to(recs).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(recs.rglob("*")) if p.is_file()}

    before = digest()
    out = tmp_path / "out"
    tpl = str(ROOT / "templates")
    existing = next((recs / "思明区总工会" / "职工").glob("*.yaml"))
    for args, succeeds in (
        (["check", recs], True),
        (["render", recs, "-o", out, "--templates", tpl, "--mask"], True),
        (["render", recs, "-o", out, "--templates", tpl, "--force"], True),
        (["schedule", recs, "--today", "2011-12-20"], True),
        (["notice", recs, "-o", out, "--templates", tpl], True),
        (["collect", recs, "-o", out / "city", "--templates", tpl], True),
        (["export", recs, "-o", out / "sheets"], True),
        (["new", "worker", existing], False),  # never over an existing file
        (["render", recs, "-o", recs, "--templates", tpl], False),  # the records as the output
        (["render", recs / "思明区总工会", "-o", recs, "--templates", tpl], False),
    ):
        result = runner.invoke(main, [str(a) for a in args])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert (result.exit_code == 0) is succeeds, (args[0], result.exit_code, result.output)
        assert digest() == before, f"formkit {args[0]} changed the records"
    sheet = next((out / "sheets" / "思明区总工会").glob("困难职工档案.xlsx"))
    result = runner.invoke(main, ["import", str(sheet), "--unit", "思明区总工会", "-o", str(recs)])
    assert result.exit_code == 0, result.output
    assert "已有" in result.output or "相同" in result.output, result.output
    assert digest() == before, "re-importing existing workers must write nothing"


def test_publicity_copies_follow_the_records_once_made(runner, tmp_path):
    import shutil

    recs = tmp_path / "records"
    shutil.copytree(ROOT / "records", recs)
    out = tmp_path / "out"
    tpl = str(ROOT / "templates")
    assert runner.invoke(main, ["render", str(recs), "-o", str(out), "--templates", tpl, "--mask"]).exit_code == 0
    worker = next((recs / "思明区总工会" / "职工").glob("001-*.yaml"))
    text = worker.read_text(encoding="utf-8")
    worker.write_text(text.replace("资助金额: 1000", "资助金额: 1234", 1), encoding="utf-8")
    assert "资助金额: 1234" in worker.read_text(encoding="utf-8")
    result = runner.invoke(main, ["render", str(recs), "-o", str(out), "--templates", tpl])
    assert result.exit_code == 0 and "公示" in result.output
    from docxread import all_text

    roster = next((out / "公示" / "思明区总工会").glob("附件2*.docx"))
    assert "1234.00" in all_text(roster)
