"""README's examples, run as written: a clean checkout, a fresh venv, the shell blocks in
order (those that need no LibreOffice, browser or test suite), then what the reader is told
to do by hand, and the commands README says come next.

Building the venv takes a minute or two, so the test runs in CI (``CI`` set, as .ci/run
does) or when ``FORMKIT_README_TEST=1``; elsewhere it is skipped with that reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

#: Shell blocks not run: the test suite itself, LibreOffice, the browser, the benchmark.
SKIPPED = re.compile(r"pytest|--pdf|formkit serve|bench/|tools/")
MARK = "::formkit-readme-rc="


def sh_blocks(readme: str) -> list[str]:
    """The ```sh blocks of README, in order."""
    return re.findall(r"^```sh\n(.*?)^```", readme, re.S | re.M)


def clean_checkout(target: Path) -> Path:
    """The files git tracks, as they are in the working tree (uncommitted edits included),
    and nothing else: no venv, no output, no caches."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode("utf-8")
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    return target


def run_lines(checkout: Path, lines: list[str]) -> list[tuple[str, int, str]]:
    """Run *lines* in one bash session (so an activated venv stays active), as typed.

    Returns:
        ``(line, exit status, output)`` per line, output being stdout and stderr together.
    """
    script = "".join(f"{line}\necho '{MARK}'$?\n" for line in lines)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["HOME"] = str(checkout.parent)  # README's own records go in the home folder (``~``): the clone's parent here
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(Path(sys.prefix))))
    done = subprocess.run(
        ["bash", "--noprofile", "--norc"],
        input=script,
        cwd=checkout,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream, in order: each line's messages before its mark
        text=True,
        timeout=1800,
        check=False,
    )
    chunks = re.split(rf"{re.escape(MARK)}(\d+)\n", done.stdout)
    assert len(chunks) == 2 * len(lines) + 1, done.stdout
    return [(line, int(chunks[2 * i + 1]), chunks[2 * i]) for i, line in enumerate(lines)]


def fill_in_the_new_records(records: Path) -> None:
    """What README asks the reader to do by hand: fill in the skeletons ``formkit new`` wrote
    (the campaign and the weekly report as the samples have them)."""
    shutil.copyfile(ROOT / "records" / "campaign.yaml", records / "campaign.yaml")
    shutil.copyfile(ROOT / "records" / "市建设工会工委" / "周报" / "第1周.yaml", records / "湖里区总工会" / "周报" / "第1周.yaml")
    unit = records / "湖里区总工会"
    text = (unit / "单位.yaml").read_text(encoding="utf-8")
    (unit / "单位.yaml").write_text(
        text.replace("\n填报单位:\n", "\n填报单位: 湖里区总工会\n").replace("\n单位类型:\n", "\n单位类型: 区工会\n"), encoding="utf-8"
    )
    from formkit.fake import check_digit

    people = {  # fictional people, their ID numbers with a valid GB 11643 check digit
        "001.yaml": ("HL2011-003", "林美玉", "35020619821105304"),
    }
    for name, (number, person, id_number) in people.items():
        path = unit / "职工" / name
        text = path.read_text(encoding="utf-8")
        values = {
            "档案编号": number,
            "困难类别": "意外致困户",
            "姓名": person,
            "身份证号": f'"{id_number}{check_digit(id_number)}"',
            "致困主要原因": "本人大病",
        }
        for key, value in values.items():
            assert f"\n{key}:\n" in text, key
            text = text.replace(f"\n{key}:\n", f"\n{key}: {value}\n", 1)
        path.write_text(text, encoding="utf-8")


@pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("FORMKIT_README_TEST")),
    reason="builds a fresh venv (a minute or two): runs in CI, or with FORMKIT_README_TEST=1",
)
def test_readme_examples_work_as_written_in_a_fresh_venv(tmp_path: Path) -> None:
    checkout = clean_checkout(tmp_path / "formkit")
    readme = (checkout / "README.md").read_text(encoding="utf-8")
    lines = [line for block in sh_blocks(readme) if not SKIPPED.search(block) for line in block.splitlines() if line.strip()]
    assert lines[0].startswith("python3 -m venv .venv") and ". .venv/bin/activate" in lines

    results = run_lines(checkout, lines)
    for line, status, output in results:
        assert status != 127 and "command not found" not in output, (line, output)
        assert "Traceback" not in output, (line, output)
    by_line = {line: (status, output) for line, status, output in results}
    assert by_line["formkit render records"][0] == 0, by_line["formkit render records"]
    assert list((checkout / "output" / "思明区总工会").rglob("*.docx"))
    records = tmp_path / "送温暖记录"  # in the home folder (``~``), outside the clone
    unit = records / "湖里区总工会"
    assert (records / "campaign.yaml").is_file() and (unit / "单位.yaml").is_file()
    assert (unit / "职工" / "001.yaml").is_file() and (unit / "周报" / "第1周.yaml").is_file()
    [(status, output)] = [v for line, v in by_line.items() if line.startswith("formkit import ")]
    assert status == 0 and "写入 2 份" in output, output
    status, output = by_line["formkit check ~/送温暖记录"]
    assert status == 1 and "湖里区总工会/单位.yaml" in output  # the skeletons, not yet filled in
    for line, status, output in results:
        assert status == 0 or line == "formkit check ~/送温暖记录", (line, output)

    # the reader fills in the files, as README says, and runs check and render again
    fill_in_the_new_records(records)
    then = run_lines(checkout, [". .venv/bin/activate", "formkit check ~/送温暖记录", "formkit render ~/送温暖记录 -o ~/送温暖输出"])
    assert [status for _, status, _ in then] == [0, 0, 0], then
    assert "0 处错误" in then[1][2]
    forms = sorted(p.name for p in (tmp_path / "送温暖输出" / "湖里区总工会" / "附件3_困难职工档案登记表").glob("*.docx"))
    assert len(forms) == 3 and any("林美玉" in name for name in forms) and any("黄秀兰" in name for name in forms)
    assert not (checkout / "records" / "湖里区总工会").exists()  # nothing of the reader's own in the clone

    # the Python example of "Using formkit from Python", in the same venv
    [example] = re.findall(r"^```python\n(.*?)^```", readme, re.S | re.M)
    python = subprocess.run(
        [str(checkout / ".venv" / "bin" / "python"), "-"], input=example, cwd=checkout, capture_output=True, text=True, check=False
    )
    assert python.returncode == 0, python.stderr
