"""Free text over several lines: YAML joins a plain value's lines (a line break becomes a
space); check says so at its line and how to keep them, and the skeleton shows ``备注: |``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import RECORDS
from formkit.records.load import load_records
from formkit.records.skeleton import new_record
from formkit.records.yamlio import load_yaml_text

WORKER = "思明区总工会/职工/001-王秀英.yaml"
WEEK = "思明区总工会/周报/2011-12-02.yaml"


def test_yamlio_notes_the_lines_of_a_value_written_over_several_lines() -> None:
    doc = load_yaml_text('a: 1\n备注: 第一行\n  第二行\n  第三行\nb: "x\n  y"\nc: |\n  l1\n  l2\nd: >\n  e\n  f\n')
    assert doc.data["备注"] == "第一行 第二行 第三行"
    assert doc.folded == {("备注",): (2, 4), ("b",): (5, 6)}  # a block (| or >) is what was asked for


def _with(tmp_path: Path, rel: str, extra: str) -> tuple[Path, Path, int]:
    root = tmp_path / "records"
    shutil.copytree(RECORDS, root)
    target = root / rel
    text = target.read_text(encoding="utf-8")
    target.write_text(text + extra, encoding="utf-8")
    return root, target, text.count("\n") + 1


@pytest.mark.parametrize(("rel", "key"), [(WORKER, "备注"), (WEEK, "案例说明")])
def test_a_plain_multi_line_free_text_is_a_warning_at_its_line(tmp_path: Path, rel: str, key: str) -> None:
    root, target, line = _with(tmp_path, rel, f"{key}: 家中老人常年卧床\n  儿子今年考上大学\n")
    records = load_records(root)
    assert records.errors == []
    [warning] = [p for p in records.warnings if p.path == target and p.field == key]
    assert warning.line == line
    assert f"第{line}–{line + 1}行" in warning.message and "连成一行" in warning.message
    assert f"{key}: |" in warning.allowed


def test_a_block_keeps_the_line_breaks_and_is_no_warning(tmp_path: Path) -> None:
    root, target, _ = _with(tmp_path, WORKER, "备注: |\n  家中老人常年卧床\n  儿子今年考上大学\n")
    records = load_records(root)
    assert not [p for p in records.problems if p.path == target]
    worker = next(r.worker for u in records.units for r in u.workers if r.path == target)
    assert worker.remarks == "家中老人常年卧床\n儿子今年考上大学"


def test_an_address_wrapped_over_two_lines_is_no_warning(tmp_path: Path) -> None:
    root = tmp_path / "records"
    shutil.copytree(RECORDS, root)
    target = root / WORKER
    text = target.read_text(encoding="utf-8").replace("前埔西社区前埔西路36号502室", "前埔西社区\n  前埔西路36号502室")
    target.write_text(text, encoding="utf-8")
    assert not [p for p in load_records(root).problems if p.path == target]


@pytest.mark.parametrize(("kind", "key"), [("worker", "备注"), ("worker", "其它帮扶措施"), ("week", "案例说明")])
def test_the_skeleton_shows_how_to_write_several_lines(kind: str, key: str) -> None:
    text = new_record(kind)
    example = re.search(rf"^( *)#   {key}: \|\n\1#     第一行\n\1#     第二行\n\1{key}:$", text, re.M)
    assert example, text
    # the example, uncommented in place of the blank key, reads as two lines
    indent = example.group(1)
    block = f"{indent}{key}: |\n{indent}  第一行\n{indent}  第二行\n"
    doc = load_yaml_text(text.replace(f"{indent}{key}:\n", block, 1))
    value = doc.data[key] if key in doc.data else doc.data["慰问"][key]
    assert value == "第一行\n第二行\n"
