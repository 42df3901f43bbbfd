"""`formkit render --pdf` on the sample records: pages, labels, values and fonts of the PDFs.

Needs LibreOffice and poppler (CI installs both; elsewhere these tests skip).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, require_tools
from formkit import api
from formkit.domain import annexes
from formkit.domain.amounts import format_yuan
from formkit.errors import FormkitError
from formkit.forms.context import printed_id
from formkit.pipeline.pdf import INSTALL_HINT, PdfError, convert_to_pdf, find_soffice


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return [
        subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        for n in range(1, count + 1)
    ]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    require_tools("soffice", "pdfinfo", "pdftotext", "pdffonts")
    out = tmp_path_factory.mktemp("pdfout")
    report = api.render(ROOT / "records", out, templates=ROOT / "templates", pdf=True)
    return report, api.check(ROOT / "records")


def test_every_document_has_its_pdf(rendered):
    report, _ = rendered
    docs = [f for f in report.files if f.suffix == ".docx"]
    pdfs = {f for f in report.files if f.suffix == ".pdf"}
    assert docs and all(f.with_suffix(".pdf") in pdfs for f in docs)
    assert not list(report.out.rglob(".~*")), "no temporary file may remain"


def test_each_voucher_is_one_page_and_the_print_file_one_page_per_voucher(rendered):
    report, records = rendered
    for unit in records.units:
        name = unit.unit.model_dump(by_alias=True)["填报单位"]
        vouchers = sorted((report.out / name / annexes.VOUCHER.folder).glob("*.pdf"))
        assert vouchers
        for pdf in vouchers:
            assert len(pages(pdf)) == 1, pdf.name
        merged = pages(report.out / name / annexes.PRINT_DIR / f"{annexes.VOUCHER.folder}.pdf")
        assert len(merged) == len(vouchers)
        # every paid worker's name and ID on exactly its own page, in roster order
        paid = sorted((r.worker.model_dump(by_alias=True) for r in records.paid_workers(unit)), key=lambda w: w["档案编号"])
        for page, worker in zip(merged, paid):
            text = squash(page)
            assert squash(worker["姓名"]) in text
            assert printed_id(worker) in text  # as typed
            assert format_yuan(worker["慰问"]["资助金额"]) in text


def test_voucher_labels_appear_in_the_notices_order(rendered):
    report, records = rendered
    unit = records.units[0]
    name = unit.unit.model_dump(by_alias=True)["填报单位"]
    pdf = next((report.out / name / annexes.VOUCHER.folder).glob("*.pdf"))
    text = squash(pages(pdf)[0])
    position = 0
    for label in (
        "姓名",
        "性别",
        "困难职工档案编号",
        "身份证号",
        "联系电话",
        "居住地址",
        "所在单位",
        "致困原因",
        "享受低保情况",
        "单位（工会）意见",
        "区（产业）工会意见",
        "资助金额（大写）",
        "收款人（或代收人）签字",
        "市总领导",
        "部门领导",
        "经办人",
    ):
        found = text.find(label, position)
        assert found >= 0, f"{label} missing or out of order"
        position = found + len(label)


def test_registration_form_is_one_page_with_every_numbered_field(rendered):
    report, records = rendered
    unit = records.units[0]
    name = unit.unit.model_dump(by_alias=True)["填报单位"]
    pdf = next((report.out / name / annexes.REGISTRATION.folder).glob("*.pdf"))
    texts = [squash(t) for t in pages(pdf)]
    assert len(texts) == 1, "a filled form carries no 填表说明 page (附填表说明 is false)"
    assert texts[0].startswith("附件3")
    # PDF text flows cell by cell, not in reading order of the printed grid: check presence.
    for n, label in enumerate(
        [
            "困难类别",
            "政治面貌",
            "身份证号",
            "健康状况",
            "身份",
            "劳模类型",
            "住房类型",
            "建筑面积",
            "工作时间",
            "所属行业",
            "婚姻状况",
            "户口类型",
            "单位性质",
            "企业状况",
            "是否单亲",
            "户口所在地行政区划",
            "是否进入医保",
            "家",
            "是否有一定自救能力",
            "是否为零就业家庭",
            "致困主要原因",
        ],
        start=1,
    ):
        assert f"{n}{label[:1]}" in texts[0], f"{n}{label} missing"


def test_roster_header_on_every_page(rendered):
    report, _records = rendered
    for pdf in report.out.rglob(f"{annexes.ROSTER.stem}*.pdf"):
        texts = pages(pdf)
        assert all("家庭联系电话" in t and "序号" in t for t in texts)
        assert "合计" in texts[-1]


def test_embedded_fonts_are_cjk_not_a_fallback(rendered):
    report, _ = rendered
    for pdf in list(report.out.rglob("*.pdf"))[:6]:
        listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        names = [line.split()[0] for line in listing.splitlines()[2:] if line.strip()]
        assert names, pdf
        assert all(re.search(r"CJK|WenQuanYi|Zen", n) for n in names), (pdf.name, names)


def test_missing_libreoffice_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("FORMKIT_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("formkit.pipeline.pdf.soffice.Path.is_file", lambda self: False)
    with pytest.raises(PdfError) as info:
        find_soffice()
    assert str(info.value) == INSTALL_HINT
    assert isinstance(info.value, FormkitError)


def test_soffice_override_that_does_not_exist_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("FORMKIT_SOFFICE", str(tmp_path / "nope.exe"))
    with pytest.raises(PdfError):
        convert_to_pdf([tmp_path / "a.docx"])
    with pytest.raises(PdfError):  # before anything is rendered
        api.render(ROOT / "records", tmp_path / "out", pdf=True)
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="the executable bit is POSIX")
def test_soffice_override_naming_a_folder_or_a_plain_file_is_refused_by_name(monkeypatch, tmp_path):
    monkeypatch.setenv("FORMKIT_SOFFICE", str(tmp_path))
    with pytest.raises(PdfError, match="是文件夹"):
        find_soffice()
    text = tmp_path / "soffice.txt"
    text.write_text("not a program", encoding="utf-8")
    text.chmod(0o644)
    monkeypatch.setenv("FORMKIT_SOFFICE", str(text))
    with pytest.raises(PdfError, match="不是可以运行的程序"):
        find_soffice()


# --------------------------------------------------------------------------------------
# Every document converted, or named (issue 16): calls of a few dozen files, each output
# checked, one retry in a fresh LibreOffice, the .docx written whatever happens to its PDF.
# --------------------------------------------------------------------------------------

FAKE_SOFFICE = r'''#!/usr/bin/env python3
"""A stand-in for soffice that fails the way LibreOffice did (issue 16)."""
import os, sys, pathlib
args = sys.argv[1:]
log = pathlib.Path(os.environ["FAKE_SOFFICE_LOG"])
outdir = pathlib.Path(args[args.index("--outdir") + 1])
files = [pathlib.Path(a) for a in args[args.index("--outdir") + 2:]]
profile = next(a for a in args if a.startswith("-env:UserInstallation="))
with open(log, "a", encoding="utf-8") as fh:
    fh.write(f"{len(files)} {profile.rsplit('/', 1)[-1]} {' '.join(f.name for f in files) if os.environ.get('FAKE_SOFFICE_NAMES') else ''}".rstrip() + "\n")
limit = int(os.environ.get("FAKE_SOFFICE_LIMIT", "100000"))
die_on = os.environ.get("FAKE_SOFFICE_DIE_ON")
for n, f in enumerate(files):
    if n >= limit:
        sys.exit(0)  # took the first ones only, and says nothing
    data = f.read_bytes()
    if die_on:
        import zipfile
        try:
            with zipfile.ZipFile(f) as z:
                if die_on.encode() in z.read("word/document.xml"):
                    os._exit(134)  # dies on a document holding this text
        except (zipfile.BadZipFile, KeyError):
            pass
    if b"CRASH" in data:
        os._exit(134)  # dies on this file, the ones after it are not converted
    if b"BROKEN" in data:
        continue  # cannot open it, goes on with the next
    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with open(outdir / (f.stem + ".pdf"), "wb") as fh:
        writer.write(fh)
'''


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch):
    if sys.platform == "win32":
        pytest.skip("the stand-in is a script with a shebang")
    exe = tmp_path / "fake-soffice"
    exe.write_text(FAKE_SOFFICE.replace("/usr/bin/env python3", sys.executable), encoding="utf-8")
    exe.chmod(0o755)
    log = tmp_path / "calls.log"
    monkeypatch.setenv("FORMKIT_SOFFICE", str(exe))
    monkeypatch.setenv("FAKE_SOFFICE_LOG", str(log))
    return log


def _docs(folder: Path, contents: list[bytes]) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for i, data in enumerate(contents):
        path = folder / f"文档{i:03d}.docx"
        path.write_bytes(data)
        paths.append(path)
    return paths


def test_calls_never_exceed_the_chunk_and_every_output_is_checked(fake_soffice, tmp_path, monkeypatch):
    # LibreOffice converting only the first few files of a call and exiting 0: the rest are
    # found missing and converted by the retry; no call gets more than `chunk` files.
    monkeypatch.setenv("FAKE_SOFFICE_LIMIT", "3")
    docs = _docs(tmp_path / "d", [b"ok"] * 10)
    conversion = convert_to_pdf(docs, max_files=4, workers=1)
    calls = [line.split() for line in fake_soffice.read_text().splitlines()]
    assert max(int(n) for n, _ in calls) <= 4
    assert not conversion.failed
    assert set(conversion.made) == set(docs)
    assert all(doc.with_suffix(".pdf").read_bytes().startswith(b"%PDF-") for doc in docs)


def test_a_document_that_crashes_libreoffice_is_named_and_the_others_converted(fake_soffice, tmp_path):
    contents = [b"ok"] * 7
    contents[2] = b"CRASH"
    contents[5] = b"BROKEN"
    docs = _docs(tmp_path / "d", contents)
    conversion = convert_to_pdf(docs, max_files=5, workers=1)
    assert set(conversion.failed) == {docs[2], docs[5]}
    assert set(conversion.made) == set(docs) - {docs[2], docs[5]}
    assert "LibreOffice" in conversion.failed[docs[2]]
    assert not docs[2].with_suffix(".pdf").exists() and not docs[5].with_suffix(".pdf").exists()
    # the one LibreOffice died on was tried once more alone, in a fresh profile
    calls = [line.split() for line in fake_soffice.read_text().splitlines()]
    assert ["1"] in [[n] for n, _ in calls[1:]]
    assert len({profile for _, profile in calls}) > 1
    assert not list(tmp_path.rglob(".~*")), "no temporary file may remain"


def test_a_hanging_libreoffice_is_killed_and_named(fake_soffice, tmp_path, monkeypatch):
    exe = Path(os.environ["FORMKIT_SOFFICE"])
    exe.write_text(exe.read_text(encoding="utf-8").replace("limit = int(", "import time; time.sleep(60)\nlimit = int("), encoding="utf-8")
    docs = _docs(tmp_path / "d", [b"ok"] * 2)
    started = time.monotonic()
    conversion = convert_to_pdf(docs, timeout=1, workers=1)
    assert time.monotonic() - started < 20
    assert set(conversion.failed) == set(docs)
    assert all("仍未转换完" in why or "可能卡住了" in why for why in conversion.failed.values()), conversion.failed
    assert any("仍未转换完" in why for why in conversion.failed.values())


def test_a_libreoffice_stuck_on_everything_is_given_up_after_two_calls(fake_soffice, tmp_path, monkeypatch):
    # A LibreOffice that hangs on every call (found by a tester: a unit's render --pdf ran for
    # hours, each document costing two time limits): after two calls in a row reach their
    # limit without a PDF, the rest is not tried; every document is named, LibreOffice blamed.
    exe = Path(os.environ["FORMKIT_SOFFICE"])
    exe.write_text(exe.read_text(encoding="utf-8").replace("limit = int(", "import time; time.sleep(60)\nlimit = int("), encoding="utf-8")
    docs = _docs(tmp_path / "d", [b"ok"] * 24)
    started = time.monotonic()
    conversion = convert_to_pdf(docs, timeout=1, workers=1, max_files=4)
    assert time.monotonic() - started < 30
    assert set(conversion.failed) == set(docs)
    calls = fake_soffice.read_text().splitlines()
    assert len(calls) <= 4, calls  # two stalled calls and the retry between them, not 2 × 24
    assert sum("可能卡住了" in why for why in conversion.failed.values()) >= 16, conversion.failed


def test_a_soffice_that_cannot_be_started_is_named_once(tmp_path, monkeypatch):
    # FORMKIT_SOFFICE naming a file that is not a program: one attempt, every document named.
    exe = tmp_path / "不是程序.txt"
    exe.write_text("not a program", encoding="utf-8")
    exe.chmod(0o644)
    monkeypatch.setenv("FORMKIT_SOFFICE", str(exe))
    docs = _docs(tmp_path / "d", [b"ok"] * 12)
    try:
        conversion = convert_to_pdf(docs, workers=2, max_files=2)
    except Exception as exc:  # refused before any call: that is fine too, if it says why in Chinese
        assert "FORMKIT_SOFFICE" in str(exc) or "LibreOffice" in str(exc), exc
        return
    assert set(conversion.failed) == set(docs)
    assert len(conversion.calls) <= 2


def test_render_writes_every_docx_when_a_pdf_fails(fake_soffice, tmp_path, monkeypatch):
    # LibreOffice dies on every document that holds one worker's name: render --pdf still
    # writes the whole unit's .docx, makes every other PDF, and names the ones it lacks (the
    # stand-in makes no markers, so each print file falls back to its documents one by one).
    monkeypatch.setenv("FAKE_SOFFICE_DIE_ON", "陈美华")
    out = tmp_path / "out"
    report = api.render(ROOT / "records", out, templates=ROOT / "templates", pdf=True)
    assert not report.complete
    failed = {path for path, _ in report.pdf_failed}
    assert {p.as_posix() for p in failed} == {
        "思明区总工会/附件1_慰问金发放凭证/SM2011-003_陈美华.pdf",
        "思明区总工会/附件3_困难职工档案登记表/SM2011-003_陈美华.pdf",
        "思明区总工会/附件2_实名制发放凭证汇总表_生活救助.pdf",  # it lists her too
        "思明区总工会/打印件/附件1_慰问金发放凭证.pdf",
        "思明区总工会/打印件/附件3_困难职工档案登记表.pdf",
    }
    for rel in report.files:
        assert (out / rel).is_file(), rel
    docx = [p for p in out.rglob("*.docx") if "报送" not in str(p)]
    assert len(docx) == len([f for f in report.files if f.suffix == ".docx"])
    for path in failed:
        assert not (out / path).exists() and (out / path).with_suffix(".docx").is_file()
    pdfs = [p for p in out.rglob("*.pdf")]
    assert len(pdfs) == len(docx) - len(failed)
    # a second run makes what is missing, and nothing else
    monkeypatch.delenv("FAKE_SOFFICE_DIE_ON")
    again = api.render(ROOT / "records", out, templates=ROOT / "templates", pdf=True)
    assert again.complete, again.pdf_failed
    assert {p for p in again.rebuilt if p.suffix == ".pdf"} == failed


def test_cli_render_pdf_names_the_missing_pdfs_and_exits_3(fake_soffice, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from formkit.cli import main

    monkeypatch.setenv("FAKE_SOFFICE_LIMIT", "0")
    result = CliRunner().invoke(main, ["render", str(ROOT / "records"), "-o", str(tmp_path / "out"), "--pdf"])
    assert result.exit_code == 3, result.output
    assert "个 PDF 未能生成" in result.output
    assert list((tmp_path / "out").rglob("*.docx"))


def test_libreoffice_converts_good_documents_beside_a_corrupt_one(tmp_path):
    require_tools("soffice")
    report = api.render(ROOT / "records", tmp_path / "out", templates=ROOT / "templates")
    docs = sorted(p for p in (tmp_path / "out").rglob("附件4_企业工资拖欠情况周报表/*.docx"))[:3]
    corrupt = docs[0].with_name("损坏.docx")
    corrupt.write_bytes(b"PK\x03\x04 this is no zip")
    conversion = convert_to_pdf([corrupt, *docs], max_files=2)
    assert list(conversion.failed) == [corrupt]
    assert set(conversion.made) == set(docs)
    for doc in docs:
        assert len(pages(doc.with_suffix(".pdf"))) >= 1
    assert report.files


def test_many_pdfs_failing_for_one_reason_are_listed_with_the_reason_once(tmp_path, monkeypatch):
    # a tester's full disk: 139 lines, each repeating LibreOffice's English message
    from formkit.clireport import SHOWN_PDFS, failed_lines
    from formkit.pipeline.pdf import engine

    failed = [(Path(f"单位/附件1/{n:03d}.pdf"), "LibreOffice 连续 2 次…卡住了") for n in range(30)] + [(Path("单位/x.pdf"), "另一个原因")]
    lines = failed_lines(tmp_path, failed)
    assert lines[0] == "  原因（30 个相同）：LibreOffice 连续 2 次…卡住了"
    assert len(lines) == 1 + SHOWN_PDFS + 1 and lines[-1] == f"  …还有 {31 - SHOWN_PDFS} 个"
    assert all("卡住了" not in line for line in lines[1:])

    monkeypatch.setattr(engine.shutil, "disk_usage", lambda folder: type("U", (), {"free": 3_000_000})())
    assert "磁盘空间不足：只剩 3 MB" in engine.disk_hint(tmp_path)
    monkeypatch.setattr(engine.shutil, "disk_usage", lambda folder: type("U", (), {"free": 10**10})())
    assert engine.disk_hint(tmp_path) == ""
