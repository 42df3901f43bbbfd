"""render --pdf: print files converted in marked chunks and cut into their documents' PDFs
(each page laid out once), incremental runs that convert only what changed, pages counted.

Needs LibreOffice and poppler: CI installs them (a missing one fails there, skips elsewhere).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import RECORDS, TEMPLATES, require_tools
from formkit import api
from formkit.domain import annexes
from formkit.fake import generate_records
from formkit.pipeline import pdfstage
from formkit.pipeline.manifest import MANIFEST

SM = "思明区总工会"


def _text(pdf: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(pdf), "-"]
    return re.sub(r"\s+", "", subprocess.run(args, capture_output=True, text=True, check=True).stdout)


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.fixture
def spy(monkeypatch):
    """What the PDF stage hands the engine: the print jobs' documents and the others."""
    seen: dict[str, list] = {"documents": [], "others": []}
    real = pdfstage.convert_print_jobs

    def watching(jobs, others=(), **kwargs):
        for job in jobs:
            seen["documents"] += [doc for doc, _ in job.documents.values()]
        seen["others"] += list(others)
        return real(jobs, others, **kwargs)

    monkeypatch.setattr(pdfstage, "convert_print_jobs", watching)
    return seen


def _manifest(unit: Path) -> dict:
    return json.loads((unit / MANIFEST).read_text(encoding="utf-8"))


def test_print_files_are_laid_out_once_and_cut_into_their_documents(tmp_path, spy):
    require_tools("soffice", "pdftotext", "pdfinfo")
    report = api.render(RECORDS, tmp_path / "out", templates=TEMPLATES, pdf=True)
    assert report.complete and not report.pdf_pages, (report.pdf_failed, report.pdf_pages)
    # only the rosters went to LibreOffice by themselves; every other document came out of a chunk
    assert spy["others"] and all(p.name.startswith(annexes.ROSTER.stem) for p in spy["others"])
    out = tmp_path / "out"
    for unit in (p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = _manifest(unit)["files"]
        docx = [rel for rel in files if rel.endswith(".docx")]
        assert all(rel[:-5] + ".pdf" in files for rel in docx)
        for annex in (a for a in annexes.RENDERED if a.printed):
            members = sorted(rel for rel in docx if rel.startswith(annex.folder + "/"))
            if not members:
                continue
            print_pdf = unit / (annex.print_file[:-5] + ".pdf")
            counts = [files[rel[:-5] + ".pdf"]["pages"] for rel in members]
            assert _pages(print_pdf) == files[annex.print_file[:-5] + ".pdf"]["pages"] == sum(counts)
            for rel, pages in zip(members, counts):
                assert _pages(unit / (rel[:-5] + ".pdf")) == pages == files[rel]["pages"], rel  # as its page rules say
    # a cut voucher reads as the same voucher converted by itself
    voucher = sorted((out / SM / annexes.VOUCHER.folder).glob("*.docx"))[1]
    alone = tmp_path / "alone" / voucher.name
    alone.parent.mkdir()
    shutil.copyfile(voucher, alone)
    from formkit.pipeline.pdf import convert_to_pdf

    convert_to_pdf([alone])
    assert _text(alone.with_suffix(".pdf")) == _text(voucher.with_suffix(".pdf"))


def test_an_incremental_run_converts_only_the_changed_record(tmp_path, spy):
    require_tools("soffice", "pdftotext", "pdfinfo")
    records = tmp_path / "records"
    shutil.copytree(RECORDS, records)
    out = tmp_path / "out"
    api.render(records, out, templates=TEMPLATES, pdf=True)
    spy["documents"].clear()
    spy["others"].clear()
    path = records / SM / "职工" / "003-陈美华.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^备注: (.*)$", r"备注: \1（复核后更正）", text, count=1, flags=re.M), encoding="utf-8")
    report = api.render(records, out, templates=TEMPLATES, pdf=True)
    assert report.complete and not report.pdf_pages
    assert sorted(p.name for p in spy["documents"]) == ["SM2011-003_陈美华.docx", "SM2011-003_陈美华.docx"]
    assert [p.name for p in spy["others"]] == ["附件2_实名制发放凭证汇总表_生活救助.docx"]
    rebuilt = sorted(p.as_posix() for p in report.rebuilt if p.suffix == ".pdf")
    assert rebuilt == sorted(
        f"{SM}/{rel}"
        for rel in (
            "附件1_慰问金发放凭证/SM2011-003_陈美华.pdf",
            "附件3_困难职工档案登记表/SM2011-003_陈美华.pdf",
            "附件2_实名制发放凭证汇总表_生活救助.pdf",
            "打印件/附件1_慰问金发放凭证.pdf",
            "打印件/附件3_困难职工档案登记表.pdf",
        )
    )
    # the spliced print PDF has the new text on her page and every page of the others
    files = _manifest(out / SM)["files"]
    members = sorted(rel for rel in files if rel.startswith(annexes.REGISTRATION.folder + "/") and rel.endswith(".docx"))
    first = 1 + sum(
        files[rel[:-5] + ".pdf"]["pages"] for rel in members[: members.index("附件3_困难职工档案登记表/SM2011-003_陈美华.docx")]
    )
    print_pdf = out / SM / "打印件" / "附件3_困难职工档案登记表.pdf"
    assert "复核后更正" in _text(print_pdf, first)
    assert _pages(print_pdf) == sum(files[rel[:-5] + ".pdf"]["pages"] for rel in members)


def test_a_pdf_with_other_pages_than_its_rules_is_named(tmp_path, monkeypatch):
    require_tools("soffice")
    from formkit.pipeline import jobs

    monkeypatch.setattr(jobs, "expected_pages", lambda kind, context: 2 if kind == "voucher" else _real(kind, context))
    report = api.render(RECORDS, tmp_path / "out", templates=TEMPLATES, pdf=True)
    named = {p.parent.name for p, _ in report.pdf_pages}
    assert named == {annexes.VOUCHER.folder}
    assert all("应为 2 页" in why for _, why in report.pdf_pages)
    assert report.complete  # the PDFs are made; what to check is said


def _real(kind, context):
    from formkit.forms.pages import expected_pages

    return expected_pages(kind, context)


def test_a_unit_of_600_workers_gets_every_pdf_with_its_pages(tmp_path):
    """More documents than LibreOffice took in one call (issue 16: 245 of 1,991)."""
    require_tools("soffice", "pdfinfo")
    records = tmp_path / "records"
    generate_records(records, 600, 1, seed=3)
    report = api.render(records, tmp_path / "out", pdf=True)
    assert report.complete, report.pdf_failed[:3]
    assert not report.pdf_pages, report.pdf_pages[:3]
    unit = next(p for p in (tmp_path / "out").iterdir() if p.is_dir() and not p.name.startswith("."))
    files = _manifest(unit)["files"]
    docx = [rel for rel in files if rel.endswith(".docx")]
    assert len(docx) > 1100  # far more than the 245 one call took
    missing = [rel for rel in docx if not (unit / (rel[:-5] + ".pdf")).is_file()]
    assert not missing
    for annex in (a for a in annexes.RENDERED if a.printed):
        counts = [files[rel[:-5] + ".pdf"]["pages"] for rel in docx if rel.startswith(annex.folder + "/")]
        assert _pages(unit / (annex.print_file[:-5] + ".pdf")) == sum(counts)


def test_relative_output_folder_and_private_pdfs(tmp_path, monkeypatch):
    """`formkit render records --pdf` with the default, relative output folder (found by a
    new user: LibreOffice's profile must be given as an absolute file URI); every PDF, the
    rosters' included, readable by its owner only like the .docx beside it."""
    require_tools("soffice", "pdfinfo")
    import os
    import sys

    from click.testing import CliRunner

    from formkit.cli import main

    shutil.copytree(RECORDS, tmp_path / "records")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["render", "records", "--pdf"])
    assert result.exit_code == 0, result.output + result.stderr
    summary = re.search(r"PDF：(\d+) 个，本次转换 (\d+) 个；LibreOffice 最多同时占用内存 \d+ MB", result.output)
    assert summary and summary.group(1) == summary.group(2), result.output
    out = tmp_path / "output"
    pdfs = sorted(out.rglob("*.pdf"))
    assert len(pdfs) == len([d for d in out.rglob("*.docx") if "报送" not in d.parts[-2] and "公示" not in d.parts])
    assert any(p.name.startswith(annexes.ROSTER.stem) for p in pdfs)
    if sys.platform != "win32":
        loose = [p for p in out.rglob("*") if p.is_file() and os.stat(p).st_mode & 0o077]
        assert not loose, loose


@pytest.mark.skipif(__import__("sys").platform == "win32", reason="SIGINT to a process: POSIX (Windows sends CTRL_C_EVENT)")
@pytest.mark.parametrize(("signame", "code"), [("SIGINT", 130), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_ctrl_c_during_the_pdf_stage_stops_libreoffice_and_leaves_nothing(tmp_path, signame, code):
    """Ctrl+C (or a kill, or the terminal window closed) while LibreOffice converts: the
    previous output as it was, no staging folder left in the output (it held personal data),
    no soffice left running, no progress drawn after 已中止."""
    require_tools("soffice")
    import os
    import signal
    import sys
    import time

    records = tmp_path / "records"
    generate_records(records, workers=120, units=1, seed=5)
    out = tmp_path / "out"
    api.render(records, out)  # the previous output, without PDFs
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    proc = subprocess.Popen(
        [sys.executable, "-m", "formkit.cli", "render", str(records), "-o", str(out), "--pdf", "--force"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )

    def offices() -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if (
                    entry.name.isdigit()
                    and "soffice" in (entry / "cmdline").read_text(errors="replace")
                    and str(out) in (entry / "cmdline").read_text(errors="replace")
                ):
                    found.append(int(entry.name))
            except OSError:
                pass
        return found

    deadline = time.monotonic() + 120
    while not offices():
        assert proc.poll() is None and time.monotonic() < deadline, "LibreOffice never started"
        time.sleep(0.1)
    time.sleep(1.5)
    proc.send_signal(getattr(signal, signame))
    _, err = proc.communicate(timeout=60)
    text = err.decode("utf-8")
    assert proc.returncode == code, text
    assert text.rstrip().endswith("已中止。"), text
    assert not offices()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "a staging folder was left in the output"
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_cli_render_pdf_with_pages_off_the_rules_exits_1_and_names_the_template(tmp_path, monkeypatch):
    """A template edited so far that its vouchers take two pages: every PDF named, the
    annex's template named as the likely cause, exit code 1 (the output is not fit to sign)."""
    require_tools("soffice")
    from click.testing import CliRunner

    from formkit.cli import main
    from formkit.pipeline import jobs

    monkeypatch.setattr(jobs, "expected_pages", lambda kind, context: 2 if kind == "voucher" else _real(kind, context))
    result = CliRunner().invoke(main, ["render", str(RECORDS), "-o", str(tmp_path / "out"), "--templates", str(TEMPLATES), "--pdf"])
    assert result.exit_code == 1, result.stderr
    assert "个 PDF 的页数与表格的页面规则不符" in result.stderr
    assert f"{annexes.VOUCHER.folder} 的" in result.stderr and "多半是模板改动后一页放不下" in result.stderr
    assert annexes.REGISTRATION.folder + " 的" not in result.stderr


def test_only_the_roster_to_convert_again(tmp_path):
    """A later `render --pdf` with nothing to convert but documents converted whole (the
    roster, whose PDF was removed or failed before): converted, no print-file chunk written
    (found by a tester: the work folder did not exist, every later --pdf run failed)."""
    require_tools("soffice", "pdfinfo")
    out = tmp_path / "out"
    assert api.render(RECORDS, out, templates=TEMPLATES, pdf=True).complete
    roster = next((out / SM).glob(f"{annexes.ROSTER.stem}*.pdf"))
    pages = _pages(roster)
    roster.unlink()
    report = api.render(RECORDS, out, templates=TEMPLATES, pdf=True)
    assert report.complete and not report.pdf_pages, (report.pdf_failed, report.pdf_pages)
    assert roster.is_file() and _pages(roster) == pages
    assert [p.name for p in report.rebuilt if p.suffix == ".pdf"] == [roster.name]
