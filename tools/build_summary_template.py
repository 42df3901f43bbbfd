#!/usr/bin/env python3
"""Build templates/活动小结.docx: the 两节送温暖活动小结 draft (通知四.3) as a docxtpl template.

Run from the repository root::

    .venv/bin/python tools/build_summary_template.py            # writes templates/活动小结.docx
    .venv/bin/python tools/build_summary_template.py --out DIR  # writes elsewhere (tests do this)

The template is code so that it can be reviewed and regenerated; staff may still open the
result in Word or WPS, reword it and save it as .docx, keeping the tags (each typed in one
go). Its fields are listed in :mod:`formkit.forms.summary`; tests/test_summary.py checks that the
template names no other field and that this script reproduces the committed file.

Layout: A4 portrait with the body page of GB/T 9704-2012《党政机关公文格式》 (margins 37 / 35 /
28 / 26 mm, 版心 156 mm), body text 仿宋_GB2312 三号 on a 28 pt line, headings of the first
level 黑体 三号 (“一、”), the title 黑体 小二 (小标宋 is missing on most PCs), tables 宋体 五号,
page numbers 宋体 四号 “— 1 —” in the footer (GB/T 9704 7.5). The page, fonts, runs and the
reproducible zip come from tools/build_templates.py (the annex templates' builder), so the
小结 has the same slim package and the same w:eastAsia fonts.

Sections: 一、基本情况 holds the figures (a sentence each, three tables: by 困难类别, by
资金来源, the weekly wage-arrears reports); 二、主要做法和成效, 三、宣传报道情况 and
四、存在的问题和下一步打算 are headed and left blank with a grey prompt naming what the notice
asks for (通知三.3–三.6, 四.2); 五、推荐新闻宣传对象 is a blank table of two rows (通知四.2:
推荐1—2户（人）). The draft line under the title and the prompts are for staff to delete.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_templates import (
    FONT_TABLE,
    FONT_TITLE,
    SIZE_TITLE,
    SIZE_WUHAO,
    SIZE_XIAOSI,
    C,
    P,
    R,
    TableSpec,
    add_paragraph,
    add_table,
    content_width_mm,
    new_document,
    save,
    spacer,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "templates"
FILE_NAME = "活动小结.docx"

SIZE_SANHAO = 16.0  # 三号: body text and first-level headings (GB/T 9704 7.3.3)
SIZE_SIHAO = 14.0  # 四号: page numbers
LINE = 28.0  # pt: 22 lines of 28 characters on the 版心 (GB/T 9704 5.2.2)
INDENT = 11.3  # mm: two characters of 三号
GREY = "808080"


def body(doc: DocumentObject, text: str, *, indent: bool = True, align: str = "both") -> Paragraph:
    """A paragraph of running text: 仿宋_GB2312 三号, first line indented two characters."""
    return add_paragraph(doc, P(text, align=align, size=SIZE_SANHAO, line_exact=LINE, first_line=INDENT if indent else 0.0))


def heading(doc: DocumentObject, text: str) -> None:
    """A first-level heading (一、…): 黑体 三号, indented like the text (GB/T 9704 7.3.3)."""
    add_paragraph(doc, P(text, font=FONT_TITLE, size=SIZE_SANHAO, line_exact=LINE, first_line=INDENT, keep_next=True))


def prompt(doc: DocumentObject, text: str, blank_lines: int = 2) -> None:
    """A grey prompt for staff, then blank lines to write on."""
    paragraph = body(doc, text)
    for run in paragraph.runs:
        # python-docx puts w:color in its place among the run properties (before w:sz: the
        # order Word's schema requires; appended after w:szCs it is invalid there)
        run.font.color.rgb = RGBColor.from_string(GREY)
    for _ in range(blank_lines):
        body(doc, "")


def caption(doc: DocumentObject, text: str) -> None:
    """A table caption: 黑体 小四, centred, kept with its table."""
    add_paragraph(doc, P(text, align="center", font=FONT_TITLE, size=SIZE_XIAOSI, before=6, after=3, keep_next=True))


def note(doc: DocumentObject, text: str) -> None:
    """A note under a table: 仿宋_GB2312 五号."""
    add_paragraph(doc, P(text, size=SIZE_WUHAO, before=2, after=4))


def loop_table(
    doc: DocumentObject,
    columns: Sequence[tuple[str, str, float]],
    loop: str,
    total: Sequence[str] | None,
    row_height: float = 8.0,
) -> None:
    """A table: a header row, one row per item of ``loop`` (``{%tr for r in … %}``), a total row.

    Args:
        columns: (header label, field of ``r``, width mm).
        loop: the list the rows come from, e.g. ``按困难类别``.
        total: the cells of the last row (tags included), or None for none.
        row_height: minimum height of a data row, mm.
    """
    width = sum(w for _, _, w in columns)
    rows = [
        R([C(w, label, bold=True, size=SIZE_WUHAO) for label, _, w in columns], h=10, header=True),
        R([C(width, f"{{%tr for r in {loop} %}}")], h=5),
        R([C(w, f"{{{{ r.{name} }}}}") for _, name, w in columns], h=row_height),
        R([C(width, "{%tr endfor %}")], h=5),
    ]
    if total is not None:
        rows.append(R([C(w, text, bold=i == 0) for i, ((_, _, w), text) in enumerate(zip(columns, total))], h=8))
    add_table(doc, TableSpec(rows=rows, size=SIZE_WUHAO, font=FONT_TABLE))


def page_numbers(doc: DocumentObject) -> None:
    """“— 1 —” centred in the footer, 宋体 四号 (GB/T 9704-2012 7.5)."""
    section = doc.sections[0]
    section.footer.is_linked_to_previous = False
    paragraph = section.footer.paragraphs[0]
    p_pr = paragraph._p.get_or_add_pPr()
    for style in p_pr.findall(qn("w:pStyle")):  # python-docx's "Footer" style is not in styles.xml
        p_pr.remove(style)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def text_run(text: str) -> OxmlElement:
        r = OxmlElement("w:r")
        r.append(_rpr_font(FONT_TABLE, SIZE_SIHAO))
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        r.append(t)
        return r

    paragraph._p.append(text_run("— "))
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE \\* MERGEFORMAT ")
    field.append(text_run("1"))
    paragraph._p.append(field)
    paragraph._p.append(text_run(" —"))


def _rpr_font(font: str, size: float) -> OxmlElement:
    rpr = OxmlElement("w:rPr")
    fonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    rpr.append(fonts)
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(int(size * 2)))
        rpr.append(el)
    return rpr


def build_summary() -> DocumentObject:
    """The 活动小结 template (fields: formkit.forms.summary)."""
    doc = new_document("两节送温暖活动小结", landscape=False, margins_mm=(37, 35, 28, 26))
    width = content_width_mm(doc)
    add_paragraph(doc, P("{{ 标题 }}", align="center", font=FONT_TITLE, size=SIZE_TITLE, after=6, line_exact=32))
    add_paragraph(
        doc,
        P(
            "（草稿：表中数字由 formkit 按记录生成，请核对；第二至五部分请补写，完稿后删去本行和灰色提示。）",
            align="center",
            size=SIZE_WUHAO,
            after=10,
        ),
    )

    heading(doc, "一、基本情况")
    body(
        doc,
        "{{ 活动.活动名称 }}期间，{{ 填报单位 }}共走访慰问困难职工{{ 人数.慰问 }}人，发放慰问金"
        "{{ 金额.合计 }}元（人民币{{ 金额.合计大写 }}），其中慰问农民工{{ 人数.农民工 }}人、"
        "{{ 金额.农民工 }}元。本单位在档困难职工{{ 人数.在档 }}人；按照动态管理的要求，"
        "已按脱贫处理困难职工档案{{ 人数.脱贫 }}份。",
    )
    caption(doc, "表1　按困难类别")
    loop_table(
        doc,
        [
            ("困难类别", "困难类别", 48.0),
            ("在档人数（人）", "在档人数", 36.0),
            ("慰问人数（人）", "慰问人数", 36.0),
            ("慰问金额（元）", "慰问金额", width - 120.0),
        ],
        "按困难类别",
        ["合计", "{{ 困难类别合计.在档人数 }}", "{{ 困难类别合计.慰问人数 }}", "{{ 困难类别合计.慰问金额 }}"],
    )
    caption(doc, "表2　按资金来源")
    loop_table(
        doc,
        [("资金来源", "资金来源", 84.0), ("人数（人）", "人数", 36.0), ("金额（元）", "金额", width - 120.0)],
        "按资金来源",
        ["合计", "{{ 资金来源合计.人数 }}", "{{ 资金来源合计.金额 }}"],
    )
    spacer(doc)
    body(
        doc,
        "{{ 周报.起 }}至{{ 周报.止 }}，每{{ 周报.周报日 }}上报《企业工资拖欠情况周报表》，应报"
        "{{ 周报.应报 }}份，已报{{ 周报.已报 }}份，缺报：{{ 周报.缺报 }}。拖欠数额最高的一周为"
        "{{ 周报.最高.时间 }}，拖欠{{ 周报.最高.拖欠数额 }}万元，涉及企业{{ 周报.最高.涉及企业数 }}户、"
        "职工{{ 周报.最高.涉及人数 }}人，其中农民工{{ 周报.最高.农民工涉及人数 }}人；最近一周"
        "（{{ 周报.最近.时间 }}）拖欠{{ 周报.最近.拖欠数额 }}万元，涉及{{ 周报.最近.涉及人数 }}人。",
    )
    caption(doc, "表3　“两节”期间企业工资拖欠情况（周报）")
    loop_table(
        doc,
        [
            ("时间", "时间", 34.0),
            ("拖欠数额（万元）", "拖欠数额", 21.0),
            ("涉及企业数（户）", "涉及企业数", 19.0),
            ("涉及人数（人）", "涉及人数", 19.0),
            ("其中农民工拖欠数额（万元）", "农民工拖欠数额", 24.0),
            ("其中农民工涉及人数（人）", "农民工涉及人数", 22.0),
            ("备注", "备注", width - 139.0),
        ],
        "周报.行",
        [
            "{{ 周报.合计.时间 }}",
            "{{ 周报.合计.拖欠数额 }}",
            "{{ 周报.合计.涉及企业数 }}",
            "{{ 周报.合计.涉及人数 }}",
            "{{ 周报.合计.农民工拖欠数额 }}",
            "{{ 周报.合计.农民工涉及人数 }}",
            "",
        ],
        row_height=7.0,
    )
    note(doc, "注：拖欠数额、涉及人数按企业类型三行合计；各周合计为各周数字相加，一笔拖欠跨周未清的每周都计入。")

    heading(doc, "二、主要做法和成效")
    prompt(
        doc,
        "（请填写：走访慰问困难职工、困难劳模的情况；生活救助、就业帮助、技能培训；农民工平安返乡和"
        "留厦过年农民工的慰问；困难职工特别是困难农民工的维权帮扶和工资清欠，“12351”热线；先进模范"
        "人物和新生代职工、农民工的精神帮扶。见通知三.3至三.6。）",
    )
    heading(doc, "三、宣传报道情况")
    prompt(doc, "（请填写：宣传报道的形式和内容，见报、上网、电视报道等情况。见通知四.2。）")
    heading(doc, "四、存在的问题和下一步打算")
    prompt(doc, "（请填写。）")
    heading(doc, "五、推荐新闻宣传对象")
    prompt(doc, "（推荐1—2户（人）作为“两节”慰问的新闻宣传对象，见通知四.2。请填写下表。）", blank_lines=0)
    loop_table(
        doc,
        [
            ("序号", "序号", 12.0),
            ("姓名", "姓名", 20.0),
            ("困难类别", "困难类别", 24.0),
            ("档案编号", "档案编号", 26.0),
            ("家庭情况及推荐理由", "推荐理由", 48.0),
            ("联系方式", "联系方式", width - 130.0),
        ],
        "推荐行",
        None,
        row_height=22.0,
    )
    body(doc, "")
    body(doc, "填表人：{{ 单位.填表人 }}　　联系电话：{{ 单位.联系电话 }}", indent=False, align="left")
    body(doc, "")
    add_paragraph(doc, P("{{ 填报单位 }}（盖章）", align="right", size=SIZE_SANHAO, line_exact=LINE, indent_right=8))
    add_paragraph(doc, P("年　　月　　日", align="right", size=SIZE_SANHAO, line_exact=LINE, indent_right=8))
    page_numbers(doc)
    return doc


def build(out_dir: Path) -> Path:
    """Write 活动小结.docx into ``out_dir`` (created if missing) and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE_NAME
    save(build_summary(), path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write to (default: templates/)")
    args = parser.parse_args(argv)
    path = build(args.out)
    print(f"{path}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
