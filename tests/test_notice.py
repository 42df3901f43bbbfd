"""The notice packet: one folder per 主送 addressee with the notice and its four blank annexes.

The notice's expected text is read from docs/notice.txt (the notice as issued), the
addressees from campaign.yaml (plain YAML), and the layout figures from GB/T 9704-2012.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from docx import Document
from docx.shared import Mm

from conftest import RECORDS, ROOT, TEMPLATES
from docxread import all_text, squash
from formkit.domain import annexes
from formkit.errors import RecordsInvalid, TemplateProblem
from formkit.forms.notice import (
    BLANK_DATE,
    NOTICE_DIR,
    notice_template_path,
    render_notice,
)

NOTICE_TXT = ROOT / "docs" / "notice.txt"
NOTICE_FILE = "通知_厦工[2011]104号.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def notice_paragraphs() -> list[str]:
    """The notice's own paragraphs (文号 to 附件说明), without white space, from docs/notice.txt."""
    lines = NOTICE_TXT.read_text(encoding="utf-8").splitlines()
    end = next(i for i, line in enumerate(lines) if line.strip() == "附件1")
    return [squash(line) for line in lines[:end] if line.strip()]


def addressees() -> list[str]:
    return yaml.safe_load((RECORDS / "campaign.yaml").read_text(encoding="utf-8"))["主送"]


@pytest.fixture(scope="module")
def packets(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    files = render_notice(RECORDS, out, templates=TEMPLATES)
    return out / NOTICE_DIR, files


@pytest.fixture
def records_copy(tmp_path: Path) -> Path:
    target = tmp_path / "records"
    shutil.copytree(RECORDS, target)
    return target


def test_one_packet_per_addressee(packets):
    base, files = packets
    names = addressees()
    assert len(names) == 13
    assert sorted(p.name for p in base.iterdir()) == sorted(names)
    expected = {NOTICE_FILE, *[a.template for a in annexes.ANNEXES]}
    for name in names:
        assert {p.name for p in (base / name).iterdir()} == expected
    assert len(files) == 13 * 5 and all(f.is_file() for f in files)


def test_notice_holds_the_full_text_in_order(packets):
    base, _ = packets
    text = squash(all_text(base / "思明区总工会" / NOTICE_FILE))
    at = 0
    for paragraph in notice_paragraphs():
        found = text.find(paragraph, at)
        assert found >= 0, f"missing or out of order: {paragraph[:30]}…"
        at = found + len(paragraph)
    # the sections and the dates that come from campaign.yaml
    for heading in ("一、活动时间", "二、覆盖对象", "三、活动内容", "三、资金安排与注意事项", "四、具体要求"):
        assert heading in text
    assert "于2011年12月31日前全部用完，在2012年1月6日前" in text
    assert "None" not in text and "{{" not in text and "{%" not in text


def test_each_copy_names_its_addressee_only(packets):
    base, _ = packets
    names = addressees()
    for name in (names[0], names[-1]):
        text = squash(all_text(base / name / NOTICE_FILE))
        assert f"送：{name}" in text
        others = [n for n in names if n != name and n not in name]
        assert not [n for n in others if n in text]
        # the notice's own 主送 line stays as issued
        assert "各区工会、各产业工会工委：" in text


def test_notice_layout_gbt9704(packets):
    base, _ = packets
    doc = Document(str(base / "思明区总工会" / NOTICE_FILE))
    body = doc.sections[-1]
    assert abs(body.page_width - Mm(210)) < Mm(0.5) and abs(body.page_height - Mm(297)) < Mm(0.5)
    for got, want in ((body.top_margin, 37), (body.bottom_margin, 35), (body.left_margin, 28), (body.right_margin, 26)):
        assert abs(got - Mm(want)) < Mm(0.5), (got.mm, want)
    grid = body._sectPr.find(f"{W}docGrid")
    pitch = int(grid.get(f"{W}linePitch"))
    text_height = body.page_height.twips - body.top_margin.twips - body.bottom_margin.twips
    assert text_height // pitch == 22  # 22 lines a page
    # the body text: 3号 (16 pt) 仿宋_GB2312, exact line spacing on the grid
    para = next(p for p in doc.paragraphs if p.text.startswith("为认真学习贯彻"))
    assert para.runs[0].font.size.pt == 16
    assert para.paragraph_format.line_spacing.twips == pitch
    # red 发文机关标志 and red separator line under the 文号
    mark = next(p for p in doc.paragraphs if p.text == "厦门市总工会" and p.runs[0].font.size.pt > 30)
    assert str(mark.runs[0].font.color.rgb) == "FF0000"
    number = next(p for p in doc.paragraphs if p.text == "厦工[2011]104号")
    border = number._p.find(f"{W}pPr/{W}pBdr/{W}bottom")
    assert border is not None and border.get(f"{W}color") == "FF0000"
    # the title in 2号 (22 pt)
    title = next(p for p in doc.paragraphs if p.text.replace("\n", "").startswith("关于2012年"))
    assert title.runs[0].font.size.pt == 22
    assert title.alignment == 1  # centred


def test_every_run_names_its_east_asian_font(packets):
    base, _ = packets
    doc = Document(str(base / "思明区总工会" / NOTICE_FILE))
    parts = [doc.element] + [s.footer._element for s in doc.sections if not s.footer.is_linked_to_previous]
    parts += [s.even_page_footer._element for s in doc.sections if not s.even_page_footer.is_linked_to_previous]
    runs = [r for part in parts for r in part.iter(f"{W}r") if r.find(f"{W}t") is not None]
    assert len(runs) >= 35  # one a paragraph: cover, 版头, 标题, 主送, 正文, 附件说明, 署名, page numbers
    for r in runs:
        fonts = r.find(f"{W}rPr/{W}rFonts")
        assert fonts is not None and fonts.get(f"{W}eastAsia"), "".join(t.text for t in r.iter(f"{W}t"))


def test_page_numbers_in_both_footers(packets):
    base, _ = packets
    doc = Document(str(base / "思明区总工会" / NOTICE_FILE))
    body = doc.sections[-1]
    for footer in (body.footer, body.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "—" in xml
    assert doc.settings.odd_and_even_pages_header_footer
    start = body._sectPr.find(f"{W}pgNumType")
    assert start is not None and start.get(f"{W}start") == "1"


def test_blank_annexes_open_and_are_blank(packets):
    base, _ = packets
    for name in [a.template for a in annexes.ANNEXES]:
        path = base / "湖里区总工会" / name
        doc = Document(str(path))
        text = all_text(path)
        assert "None" not in text
        assert "{{" not in text and "}}" not in text and "{%" not in text and "%}" not in text
        assert doc.tables, f"{name}: the form's table is missing"
        # nothing of the sample records leaks into the blank forms
        assert "王秀英" not in text and "思明区总工会" not in text


def test_blank_roster_has_empty_rows(packets):
    base, _ = packets
    path = base / "湖里区总工会" / annexes.by_kind("roster").template
    table = Document(str(path)).tables[0]
    empty = [row for row in table.rows if not squash("".join(c.text for c in row.cells))]
    assert len(empty) >= 10  # the printed form has rows to fill in by hand


def test_campaign_yaml_drives_dates_number_and_addressees(records_copy: Path, tmp_path: Path):
    campaign = records_copy / "campaign.yaml"
    text = campaign.read_text(encoding="utf-8")
    text = text.replace("上报截止: 2012-01-06", "上报截止: 2013-01-11")
    text = text.replace("资金使用截止: 2011-12-31", "资金使用截止: 2012-12-28")
    text = text.replace("周报起止: [2011-12-01, 2012-01-22]", "周报起止: [2012-11-30, 2013-01-25]")
    text = text.replace("文号: 厦工[2011]104号", "文号: 厦工[2012]99号")
    text = re.sub(r"主送:\n(?:  .*\n)+", "主送:\n  - 思明区总工会\n  - 湖里区总工会 & 职工服务中心\n", text)
    campaign.write_text(text, encoding="utf-8")

    # a new 文号 needs its own template (or 通知.docx): a clear refusal, not last year's notice
    with pytest.raises(TemplateProblem, match=re.escape("通知_厦工[2012]99号.docx")):
        render_notice(records_copy, tmp_path / "a", templates=TEMPLATES)

    template = tmp_path / "templates" / "通知.docx"
    template.parent.mkdir()
    shutil.copyfile(TEMPLATES / NOTICE_FILE, template)
    assert notice_template_path("厦工[2012]99号", template.parent) == template
    files = render_notice(records_copy, tmp_path / "b", template=template, templates=TEMPLATES)
    base = tmp_path / "b" / NOTICE_DIR
    assert sorted(p.name for p in base.iterdir()) == sorted(["思明区总工会", "湖里区总工会 & 职工服务中心"])
    assert len(files) == 10
    notice = base / "湖里区总工会 & 职工服务中心" / "通知_厦工[2012]99号.docx"
    body = squash(all_text(notice))
    assert "送：湖里区总工会&职工服务中心" in body  # '&' printed as typed (autoescape)
    assert "厦工[2012]99号" in body and "厦工[2011]104号" not in body
    assert body.count("2013年1月11日") == 2  # §三.2 and §四.3
    assert "于2012年12月28日前全部用完" in body
    assert "在2012年11月30日至2013年1月25日期间于每周五上报" in body
    assert "2012年1月6日" not in body


def test_issued_date_or_room_for_it(records_copy: Path, tmp_path: Path):
    files = render_notice(RECORDS, tmp_path / "a", templates=TEMPLATES, issued=date(2011, 11, 28))
    text = squash(all_text(files[0]))
    assert text.endswith("厦门市总工会2011年11月28日")
    files = render_notice(RECORDS, tmp_path / "b", templates=TEMPLATES)
    assert squash(all_text(files[0])).endswith("厦门市总工会" + squash(BLANK_DATE))


def test_empty_addressee_list_refuses(records_copy: Path, tmp_path: Path):
    campaign = records_copy / "campaign.yaml"
    text = re.sub(r"主送:\n(?:  .*\n)+", "", campaign.read_text(encoding="utf-8"))
    campaign.write_text(text, encoding="utf-8")
    with pytest.raises(RecordsInvalid) as info:
        render_notice(records_copy, tmp_path / "out", templates=TEMPLATES)
    assert any(p.field == "主送" for p in info.value.problems)
    assert not (tmp_path / "out").exists()


def test_errors_outside_campaign_do_not_stop_the_notice(records_copy: Path, tmp_path: Path):
    worker = sorted((records_copy / "思明区总工会" / "职工").glob("*.yaml"))[0]
    worker.write_text(worker.read_text(encoding="utf-8") + "没有这个键: 1\n", encoding="utf-8")
    files = render_notice(records_copy, tmp_path / "out", templates=TEMPLATES)
    assert len(files) == 13 * 5


def test_shipped_template_is_what_the_builder_makes(tmp_path: Path, monkeypatch):
    spec = importlib.util.spec_from_file_location("build_notice_template", ROOT / "tools" / "build_notice_template.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    built = module.build(tmp_path)
    assert built.name == NOTICE_FILE
    assert built.read_bytes() == (TEMPLATES / NOTICE_FILE).read_bytes(), "run tools/build_notice_template.py"
