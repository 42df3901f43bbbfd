"""Every printed page is right (issue 13), on PDFs made by LibreOffice.

The sample records plus one that does not fit its page (tests/data/pages: a worker of a family
of eleven with a 12-line 备注, names of 8 characters joined by ·, 民族 柯尔克孜族, the longest
vocabulary values of the 填表说明, a father with an old 15-digit card, 800 yuan), rendered
with templates whose header and footer name the record, converted by
formkit.pipeline.pdf.convert_to_pdf. Read back with pdfinfo and pdftotext (``-bbox-layout``
for what stands on one line).

Without LibreOffice the PDF tests are skipped, except in CI (conftest.require_tools).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from conftest import require_tools
from formkit import api
from formkit.documents.template import FormTemplate
from formkit.domain import annexes, vocab
from formkit.forms import context as ctx
from formkit.forms import pages
from formkit.forms.pagecheck import page_warnings
from formkit.pipeline.pdf import convert_to_pdf

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "records"
TEMPLATES = ROOT / "templates"
BIG = Path(__file__).resolve().parent / "data" / "pages" / "020-买买提·阿不都.yaml"
UNIT = "思明区总工会"
LONG_NAMES = (
    "买买提·阿不都",
    "阿依古丽·托乎提",
    "古丽米拉·吐尔逊",
    "艾克拜尔·买买提",
    "阿依努尔·买买提",
    "努尔古丽·买买提",
    "迪丽努尔·阿不都",
)


# --------------------------------------------------------------------------------------
# Reading PDFs
# --------------------------------------------------------------------------------------


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"Pages:\s+(\d+)", info)
    assert found, info
    return int(found.group(1))


def page_texts(pdf: Path) -> list[str]:
    """Each page's text, white space removed."""
    out = []
    for page in range(1, page_count(pdf) + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        out.append(re.sub(r"\s+", "", text))
    return out


_XHTML = "{http://www.w3.org/1999/xhtml}"


def lines_of(pdf: Path) -> list[list[tuple[str, float, float]]]:
    """Per page, each printed line: its text (words joined) and its left and right edge (pt)."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    root = etree.fromstring(xml, etree.XMLParser(recover=True, huge_tree=True))
    result = []
    for page in root.iter(f"{_XHTML}page"):
        lines = []
        for line in page.iter(f"{_XHTML}line"):
            words = list(line.iter(f"{_XHTML}word"))
            text = "".join(w.text or "" for w in words)
            lines.append((text, float(line.get("xMin", 0)), float(line.get("xMax", 0))))
        result.append(lines)
    return result


def on_one_line(pdf: Path, value: str) -> bool:
    """Whether ``value`` stands whole on one printed line of the PDF (a value broken over
    two lines of its cell is not)."""
    return any(value in text for page in lines_of(pdf) for text, _, _ in page)


# --------------------------------------------------------------------------------------
# The render
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pages") / "records"
    shutil.copytree(RECORDS, folder)
    shutil.copy(BIG, folder / UNIT / "职工" / BIG.name)
    return folder


@pytest.fixture(scope="module")
def header_templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped templates, annexes 1 and 3 with 姓名 and 档案编号 in header and footer."""
    from docx import Document

    folder = tmp_path_factory.mktemp("header-templates")
    for template in TEMPLATES.glob("*.docx"):
        shutil.copy(template, folder / template.name)
    for annex in (annexes.VOUCHER, annexes.REGISTRATION):
        doc = Document(str(folder / annex.template))
        section = doc.sections[0]
        section.header.is_linked_to_previous = False
        section.header.paragraphs[0].text = "页眉：{{ 姓名 }}（{{ 档案编号 }}）"
        section.footer.is_linked_to_previous = False
        section.footer.paragraphs[0].text = "页脚：{{ 档案编号 }}·{{ 姓名 }}"
        doc.save(str(folder / annex.template))
    return folder


@pytest.fixture(scope="module")
def rendered(records: Path, header_templates: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tools("soffice", "pdfinfo", "pdftotext")
    out = tmp_path_factory.mktemp("pages-out")
    report = api.render(records, out, templates=header_templates, pdf=True)
    assert not report.pdf_failed, report.pdf_failed
    return out


def _documents(records: Path) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(unit folder, annex kind, document path in the unit folder, its context)."""
    record_set = api.check(records)
    assert record_set.campaign is not None
    campaign = record_set.campaign.model_dump(by_alias=True)
    for unit in record_set.units:
        info = unit.unit.model_dump(by_alias=True)
        paid = {rec.path for rec in record_set.paid_workers(unit)}
        for rec in unit.workers:
            worker = rec.worker.model_dump(by_alias=True)
            stem = f"{worker['档案编号']}_{worker['姓名']}"
            yield unit.name, "registration", f"{annexes.REGISTRATION.folder}/{stem}", ctx.registration_context(campaign, info, worker)
            if rec.path in paid:
                yield unit.name, "voucher", f"{annexes.VOUCHER.folder}/{stem}", ctx.voucher_context(campaign, info, worker)
        for week in unit.weeks:
            report = week.report.model_dump(by_alias=True)
            yield unit.name, "weekly", f"{annexes.WEEKLY.folder}/{report['时间'].isoformat()}", ctx.weekly_context(campaign, info, report)


# --------------------------------------------------------------------------------------
# Print files: every document its own header and footer; pages add up
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("annex", [annexes.VOUCHER, annexes.REGISTRATION], ids=lambda a: a.kind)
def test_every_page_of_a_print_file_shows_its_own_worker_in_header_and_footer(rendered: Path, records: Path, annex: Any) -> None:
    docs = [(name, path, c) for name, kind, path, c in _documents(records) if kind == annex.kind and name == UNIT]
    texts = page_texts(rendered / UNIT / f"{annex.print_file[:-5]}.pdf")
    expected = []
    for _, path, context in sorted(docs, key=lambda d: d[1]):
        expected += [context] * page_count(rendered / UNIT / f"{path}.pdf")
    assert len(texts) == len(expected)
    for text, context in zip(texts, expected):
        name, number = context["姓名"], context["档案编号"]
        assert f"页眉：{name}（{number}）" in text, text[:80]
        assert f"页脚：{number}·{name}" in text, text[-80:]
        assert text.count(name) >= 3, text  # header, footer and the page's own body
    assert any("（续）" in t for t in texts) == (annex is annexes.REGISTRATION)


def test_pages_of_every_print_file_are_the_sum_of_its_documents(rendered: Path, records: Path) -> None:
    totals: dict[tuple[str, str], int] = {}
    for name, kind, path, context in _documents(records):
        count = page_count(rendered / name / f"{path}.pdf")
        assert count == pages.expected_pages(kind, context), path
        totals[(name, kind)] = totals.get((name, kind), 0) + count
    for (name, kind), total in totals.items():
        print_file = rendered / name / f"{annexes.by_kind(kind).print_file[:-5]}.pdf"
        assert page_count(print_file) == total, print_file
    for roster in rendered.glob(f"*/{annexes.ROSTER.stem}*.pdf"):
        assert page_count(roster) >= 1
    assert {kind for _, kind in totals} == {"voucher", "registration", "weekly"}


# --------------------------------------------------------------------------------------
# A form that does not fit its page
# --------------------------------------------------------------------------------------


def test_a_large_family_prints_as_form_and_continuation_without_blank_pages(rendered: Path) -> None:
    pdf = rendered / UNIT / annexes.REGISTRATION.folder / f"SM2011-020_{LONG_NAMES[0]}.pdf"
    texts = page_texts(pdf)
    assert len(texts) == 2
    first, second = texts
    assert "困难职工档案登记表" in first and "（续）" not in first
    assert "困难职工档案登记表（续）" in second and f"姓名：{LONG_NAMES[0]}" in second and "档案编号：SM2011-020" in second
    record = BIG.read_text(encoding="utf-8")
    remarks = re.findall(r"^  (\d+)\. ", record, flags=re.M)
    assert len(remarks) == 12
    both = first + second
    for number in remarks:  # every line of the 备注 exactly once
        assert both.count(f"{number}.") >= 1
    members = re.findall(r"^  - 姓名: (.+)$", record, flags=re.M)
    assert len(members) == 10
    for member in members:
        assert both.count(member) == 1 + record.split("备注:")[1].count(member), member
    assert "（转续页）" in first
    assert all(len(t) > 20 for t in texts), "a blank page"


def test_a_family_too_large_for_the_page_continues_with_never_a_lone_row() -> None:
    row = {key: "某" for key in ctx.FAMILY_COLUMNS}
    form = {"家庭成员行": [], "备注": "", "附件行": [{"附件类型": "", "附件文件": ""}] * 2}
    fitting = 0
    while pages.split_registration({**form, "家庭成员行": [row] * (fitting + 1)}).pages == 1:
        fitting += 1
    assert fitting >= 9  # the form holds nine rows of one line and more
    for count in range(fitting + 1, fitting + 25):
        split = pages.split_registration({**form, "家庭成员行": [row] * count})
        assert split.rows + split.more_rows == [row] * count
        assert len(split.more_rows) >= 2, f"{count} rows: a lone row on the continuation page"
        assert split.pages >= 2 and split.more_remarks == ""
    split = pages.split_registration({**form, "家庭成员行": [row] * (fitting + 1)})
    assert len(split.rows) == fitting - 1 and len(split.more_rows) == 2


def test_check_warns_about_a_form_that_needs_its_continuation_page(records: Path) -> None:
    record_set = api.check(records)
    found = [p for p in page_warnings(record_set) if p.path.name == BIG.name]
    assert len(found) == 1
    warning = found[0]
    assert warning.severity == "warning" and warning.field == "备注"
    assert "续页" in warning.message and "共 2 页" in warning.message
    assert BIG.read_text(encoding="utf-8").splitlines()[warning.line - 1].startswith("备注:")
    assert any(p == warning for p in record_set.warnings)
    # the sample records fit their pages
    assert [p for p in page_warnings(api.check(RECORDS)) if "登记表" in p.message] == []


# --------------------------------------------------------------------------------------
# Cells that fit their values; the stop mark; IDs as typed; line breaks
# --------------------------------------------------------------------------------------


def test_long_names_ethnicity_and_vocabulary_stay_on_one_line(rendered: Path) -> None:
    unit = rendered / UNIT
    form = unit / annexes.REGISTRATION.folder / f"SM2011-020_{LONG_NAMES[0]}.pdf"
    for value in (
        *LONG_NAMES,
        "柯尔克孜族",
        "农、林、牧、渔业",
        "民营/私营/个体企业",
        "关闭破产企业",
        "承租单位公房",
        "省部级劳模",
        "下（待）岗",
        "失（无）业",
        "中职中技",
        "民主党派",
        "低保边缘户",
    ):
        assert on_one_line(form, value), value
    voucher = unit / annexes.VOUCHER.folder / f"SM2011-020_{LONG_NAMES[0]}.pdf"
    assert on_one_line(voucher, LONG_NAMES[0])
    (roster,) = unit.glob(f"{annexes.ROSTER.stem}*.pdf")
    assert on_one_line(roster, LONG_NAMES[0])


def _vocabulary_forms(folder: Path) -> dict[Path, dict[str, str]]:
    """Registration forms that print every value of every vocabulary of the 填表说明 (and
    every 民族) in its cell: form ``i`` holds the ``i``-th value of each."""
    fields = {
        "困难类别": vocab.DifficultyCategory,
        "民族": vocab.Ethnicity,
        "政治面貌": vocab.PoliticalStatus,
        "健康状况": vocab.HealthStatus,
        "身份": vocab.WorkerStatus,
        "劳模类型": vocab.ModelWorkerType,
        "住房类型": vocab.HousingType,
        "建筑面积": vocab.FloorArea,
        "所属行业": vocab.Industry,
        "婚姻状况": vocab.MaritalStatus,
        "户口类型": vocab.HouseholdType,
        "单位性质": vocab.EmployerNature,
        "企业状况": vocab.EnterpriseCondition,
    }
    member_fields = {
        "关系": vocab.Relationship,
        "政治面貌": vocab.PoliticalStatus,
        "健康状况": vocab.HealthStatus,
        "身份": vocab.FamilyMemberStatus,
    }
    record_set = api.check(RECORDS)
    assert record_set.campaign is not None
    unit = record_set.units[0]
    worker = unit.workers[0].worker.model_dump(by_alias=True)
    template = FormTemplate(TEMPLATES / annexes.REGISTRATION.template)
    count = max(len(list(v)) for v in [*fields.values(), *member_fields.values()])
    made: dict[Path, dict[str, str]] = {}
    for i in range(count):
        values = {key: list(kind)[i % len(list(kind))].value for key, kind in fields.items()}
        form = ctx.registration_context(record_set.campaign.model_dump(by_alias=True), unit.unit.model_dump(by_alias=True), worker)
        form.update(values)
        rows = []
        for j in range(5):
            row = dict.fromkeys(ctx.FAMILY_COLUMNS, "")
            row.update({key: list(kind)[(5 * i + j) % len(list(kind))].value for key, kind in member_fields.items()})
            rows.append(row)
            values[f"{j}"] = row["身份"]
        form["家庭成员行"] = rows
        path = folder / f"vocabulary-{i}.docx"
        path.write_bytes(template.render(form))
        made[path] = {**values, **{f"m{j}{k}": r[k] for j, r in enumerate(rows) for k in member_fields}}
    return made


def test_every_vocabulary_value_stays_on_one_line_in_its_cell(tmp_path: Path) -> None:
    require_tools("soffice", "pdftotext")
    forms = _vocabulary_forms(tmp_path)
    conversion = convert_to_pdf(list(forms))
    assert not conversion.failed
    broken = []
    for path, values in forms.items():
        pdf = conversion.made[path].pdf
        printed = {text for page in lines_of(pdf) for text, _, _ in page}
        broken += [(path.name, v) for v in set(values.values()) if v and not any(v in line for line in printed)]
    assert not broken, broken


def _voucher(amount: str, folder: Path) -> Path:
    record_set = api.check(RECORDS)
    assert record_set.campaign is not None
    unit = record_set.units[0]
    worker = record_set.paid_workers(unit)[0].worker.model_dump(by_alias=True)
    worker["慰问"]["资助金额"] = Decimal(amount)
    context = ctx.voucher_context(record_set.campaign.model_dump(by_alias=True), unit.unit.model_dump(by_alias=True), worker)
    path = folder / f"voucher-{amount}.docx"
    path.write_bytes(FormTemplate(TEMPLATES / annexes.VOUCHER.template).render(context))
    return path


def test_the_stop_mark_stands_in_the_slot_above_the_highest_digit(rendered: Path, tmp_path: Path) -> None:
    voucher = rendered / UNIT / annexes.VOUCHER.folder / f"SM2011-020_{LONG_NAMES[0]}.pdf"
    assert "资助金额（大写）：⊗仟捌佰零拾零元零角零分￥：800.00" in page_texts(voucher)[0]
    expected = {"25": "仟⊗佰贰拾伍元零角零分", "0.05": "仟佰⊗拾零元零角伍分", "9999.99": "玖仟玖佰玖拾玖元玖角玖分"}
    docs = {amount: _voucher(amount, tmp_path) for amount in expected}
    conversion = convert_to_pdf(list(docs.values()))
    for amount, slots in expected.items():
        (text,) = page_texts(conversion.made[docs[amount]].pdf)
        assert f"资助金额（大写）：{slots}￥" in text, (amount, text)
    fonts = subprocess.run(["pdffonts", str(voucher)], capture_output=True, text=True, check=True).stdout
    assert len(fonts.splitlines()) > 2  # the mark is set in a font that has it (no missing glyph box)


def test_a_15_digit_card_prints_as_typed(rendered: Path) -> None:
    form = rendered / UNIT / annexes.REGISTRATION.folder / f"SM2011-020_{LONG_NAMES[0]}.pdf"
    text = "".join(page_texts(form))
    assert "650102480305123" in text and "65010219480305123X" not in text
    assert on_one_line(form, "650102480305123")


def test_a_case_line_ending_in_a_line_break_is_not_stretched(tmp_path: Path) -> None:
    require_tools("soffice", "pdftotext")
    record_set = api.check(RECORDS)
    assert record_set.campaign is not None
    unit = record_set.units[0]
    report = unit.weeks[0].report.model_dump(by_alias=True)
    report["案例说明"] = (
        "某建筑公司拖欠农民工工资，涉及三十人；\n已责令限期支付，并跟踪督办。\n第三段较长的一行文字，写满一整行还要折到下一行去，看看折行的那一行是否也对齐。"
    )
    context = ctx.weekly_context(record_set.campaign.model_dump(by_alias=True), unit.unit.model_dump(by_alias=True), report)
    path = tmp_path / "weekly.docx"
    path.write_bytes(FormTemplate(TEMPLATES / annexes.WEEKLY.template).render(context))
    pdf = convert_to_pdf([path]).made[path].pdf
    case = lines_of(pdf)[1]
    right = max(x_max for _, _, x_max in case)
    first = next((text, x0, x1) for text, x0, x1 in case if text.startswith("某建筑公司"))
    assert first[0].endswith("涉及三十人；"), first  # one word: no stretched gaps
    assert first[2] < right - 100, f"the line is stretched to {first[2]:.0f} pt (right edge {right:.0f})"


def test_paragraphs_holding_line_breaks_are_not_justified(rendered: Path) -> None:
    """Every paragraph a value with line breaks reaches (其它帮扶措施, 备注, 案例说明 of the
    samples and the record of tests/data/pages) is left-aligned or centred."""
    import zipfile

    checked = 0
    for docx in (rendered / UNIT).rglob("*.docx"):
        xml = zipfile.ZipFile(docx).read("word/document.xml")
        root = etree.fromstring(xml)
        w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        for p in root.iter(f"{w}p"):
            if any(br.get(f"{w}type") in (None, "textWrapping") for br in p.iter(f"{w}br")):
                checked += 1
                jc = p.find(f"{w}pPr/{w}jc")
                assert jc is not None and jc.get(f"{w}val") in ("left", "start", "center"), docx.name
    assert checked >= 10
