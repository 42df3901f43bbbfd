"""`formkit render --pdf` on the sample records: pages, labels, values and fonts of the PDFs.

Needs LibreOffice and poppler (CI installs both; elsewhere these tests skip).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import require_tools
from formkit import api
from formkit.amounts import format_yuan
from formkit.errors import FormkitError
from formkit.idcard import parse_id_number
from formkit.pdf import INSTALL_HINT, PdfError, convert_to_pdf, find_soffice

ROOT = Path(__file__).resolve().parents[1]


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
        vouchers = sorted((report.out / name / api.VOUCHER_DIR).glob("*.pdf"))
        assert vouchers
        for pdf in vouchers:
            assert len(pages(pdf)) == 1, pdf.name
        merged = pages(report.out / name / api.PRINT_DIR / f"{api.VOUCHER_DIR}.pdf")
        assert len(merged) == len(vouchers)
        # every paid worker's name and ID on exactly its own page, in roster order
        paid = sorted((r.worker.model_dump(by_alias=True) for r in records.paid_workers(unit)), key=lambda w: w["档案编号"])
        for page, worker in zip(merged, paid):
            text = squash(page)
            assert squash(worker["姓名"]) in text
            assert parse_id_number(worker["身份证号"]).number in text
            assert format_yuan(worker["慰问"]["资助金额"]) in text


def test_voucher_labels_appear_in_the_notices_order(rendered):
    report, records = rendered
    unit = records.units[0]
    name = unit.unit.model_dump(by_alias=True)["填报单位"]
    pdf = next((report.out / name / api.VOUCHER_DIR).glob("*.pdf"))
    text = squash(pages(pdf)[0])
    position = 0
    for label in ("姓名", "性别", "困难职工档案编号", "身份证号", "联系电话", "居住地址", "所在单位", "致困原因", "享受低保情况",
                  "单位（工会）意见", "区（产业）工会意见", "资助金额（大写）", "收款人（或代收人）签字", "市总领导", "部门领导", "经办人"):
        found = text.find(label, position)
        assert found >= 0, f"{label} missing or out of order"
        position = found + len(label)


def test_registration_form_is_one_page_with_every_numbered_field(rendered):
    report, records = rendered
    unit = records.units[0]
    name = unit.unit.model_dump(by_alias=True)["填报单位"]
    pdf = next((report.out / name / api.REGISTRATION_DIR).glob("*.pdf"))
    texts = [squash(t) for t in pages(pdf)]
    assert len(texts) == 1, "a filled form carries no 填表说明 page (附填表说明 is false)"
    assert texts[0].startswith("附件3")
    # PDF text flows cell by cell, not in reading order of the printed grid: check presence.
    for n, label in enumerate(["困难类别", "政治面貌", "身份证号", "健康状况", "身份", "劳模类型", "住房类型", "建筑面积", "工作时间",
                               "所属行业", "婚姻状况", "户口类型", "单位性质", "企业状况", "是否单亲", "户口所在地行政区划",
                               "是否进入医保", "家", "是否有一定自救能力", "是否为零就业家庭", "致困主要原因"], start=1):
        assert f"{n}{label[:1]}" in texts[0], f"{n}{label} missing"


def test_roster_header_on_every_page(rendered):
    report, records = rendered
    for pdf in report.out.rglob(f"{api.ROSTER_STEM}*.pdf"):
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
    monkeypatch.setattr("formkit.pdf.Path.is_file", lambda self: False)
    with pytest.raises(PdfError) as info:
        find_soffice()
    assert str(info.value) == INSTALL_HINT
    assert isinstance(info.value, FormkitError)


def test_soffice_override_that_does_not_exist_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("FORMKIT_SOFFICE", str(tmp_path / "nope.exe"))
    with pytest.raises(PdfError):
        convert_to_pdf([tmp_path / "a.docx"])
