#!/usr/bin/env python3
"""Build the four annex templates of 厦工[2011]104号 as docxtpl Word documents.

Run from the repository root::

    .venv/bin/python tools/build_templates.py            # writes templates/*.docx
    .venv/bin/python tools/build_templates.py --out DIR  # writes elsewhere (tests do this)

The templates are code so that they can be reviewed and regenerated: every printed label,
merged cell, width and height of the four forms is written out below, next to the line of
the notice (../shared/reference/notice.txt, 附件1–4) it reproduces.  The tag names are the
contract of docs/templates.md; tests/test_templates.py checks both directions.

Page layout choices (GB/T 9704-2012《党政机关公文格式》 is the reference for official
documents; forms annexed to a notice may narrow the margins so the table fits):

========  ===========  ==========================================  ==========================
annex     paper        margins top/bottom/left/right (mm)          why
========  ===========  ==========================================  ==========================
附件1     A4 portrait  37 / 35 / 28 / 26 (GB/T 9704 body page)     the voucher fits as is
附件2     A4 landscape 20 / 15 / 20 / 20                           10 columns, one with the
                                                                   18-digit ID number and one
                                                                   with an address: portrait
                                                                   (156 mm) would wrap every row
附件3     A4 portrait  20 / 20 / 13 / 13                           11 columns in the family
                                                                   table (an 18-digit ID, a
                                                                   date) need 184 mm; the form
                                                                   keeps 8 members on 1 page
附件4     A4 portrait  37 / 35 / 28 / 26 (GB/T 9704 body page)     a 5-column table
========  ===========  ==========================================  ==========================

Fonts: 黑体 for the annex number (GB/T 9704 7.1: 附件 in 3号黑体) and the titles (the notice
prints them in 方正小标宋简体, which most PCs lack: 黑体 is the portable choice), 宋体 in table
cells, 仿宋_GB2312 for running text (the 填表说明, the lines around the tables).  Every run
names its font in w:rFonts w:ascii/hAnsi/eastAsia/cs (python-docx's ``font.name`` leaves
w:eastAsia unset and Chinese text would fall back to another font), and the document
defaults do too, with the East Asian language zh-CN.  On a machine without these fonts,
point LibreOffice at tools/fonts.conf (FONTCONFIG_FILE) which maps them to Noto CJK /
WenQuanYi.

The package is built from scratch (a few KB of parts): python-docx's default template
carries ~880 KB of styles and a theme that maps East Asian text to a Japanese font.  The
zip is written with fixed timestamps so that regenerating an unchanged template gives the
same bytes.

Jinja tags: each tag is a run of its own, in the font of the cell it sits in, so Word keeps
it whole and the value takes the intended font.  Row and paragraph tags (``{%tr %}``,
``{%p %}``) sit alone in their row or paragraph, which docxtpl removes when rendering.
Vertically merged labels (18家庭成员关系, 所附附件) start in a header row outside the
``{%tr for %}`` loop; every looped row only continues the merge (design.md: a merge that
starts inside the loop loses cells).
"""

from __future__ import annotations

import argparse
import io
import itertools
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "templates"
sys.path.insert(0, str(REPO_ROOT / "src"))

from formkit.forms.layout import REGISTRATION, ROSTER_WIDTHS, VOUCHER_EDGES

# ---------------------------------------------------------------------------------------
# Fonts and sizes (Chinese type sizes: 二号 22 pt, 小二 18, 三号 16, 四号 14, 小四 12,
# 五号 10.5, 小五 9).
# ---------------------------------------------------------------------------------------
FONT_TITLE = "黑体"
FONT_BODY = "仿宋_GB2312"
FONT_TABLE = "宋体"
#: The non-Chinese font of the 大写位 runs: the stop mark ⊗ (U+2297) is outside GBK, so 宋体
#: lacks it; Cambria Math (every Windows since Vista, and Office) has it. Chinese digits in
#: the same runs keep 宋体 (w:eastAsia).
FONT_SYMBOL = "Cambria Math"

SIZE_ANNEX_NUMBER = 16.0  # 三号
SIZE_TITLE = 18.0  # 小二
SIZE_XIAOSI = 12.0  # 小四
SIZE_WUHAO = 10.5  # 五号
SIZE_XIAOWU = 9.0  # 小五

#: Rows of the roster (附件2) per printed page: the renderer's 分页 cuts pages of this many
#: rows.  Measured with LibreOffice (Noto CJK for 宋体), footer included: below the title,
#: the 填报单位 line and the header row, a page holds 19 one-line rows, or 18 and the 合计
#: row, or 14 rows that all wrap onto two lines (工作单位或家庭住址 over 19 characters, 备注
#: over 8).  15 keeps the 合计 row on the page with up to ten two-line rows; a page that
#: still overflows continues on the next sheet under a repeated header row (w:tblHeader),
#: nothing is lost, and the footer's 第 x 页 共 y 页 counts the sheets.
ROSTER_ROWS_PER_PAGE = 15

TWIPS_PER_MM = 1440 / 25.4

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "both": WD_ALIGN_PARAGRAPH.JUSTIFY,
}

#: One Jinja tag: it goes into a run of its own.
TAG_RE = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})")

FILES = {
    1: "附件1_慰问金发放凭证.docx",
    2: "附件2_实名制发放凭证汇总表.docx",
    3: "附件3_困难职工档案登记表.docx",
    4: "附件4_企业工资拖欠情况周报表.docx",
}

#: 困难职工档案填表说明, items 1–21, verbatim from the notice (quirks included: the space
#: after "1．", the "、" after 9, 11 and 16, and the "::：" in item 20).
FILLING_INSTRUCTIONS = (
    "1． 困难类别：请填写“低保户”、“低保边缘户”或“意外致困户”。",
    "2．政治面貌：请填写“中共党员”、“共青团员”、“群众”、“民主党派”或“其他”。",
    "3．身份证号：必须是15位或18位。",
    "4．健康状况：请填写“良好”、“疾病”、“残病”、或“其它”。",
    "5．身份：请填写“在岗”、“下（待）岗”、“失（无）业”、“退休”、“离休”、“病退”、“病休”或“农民工”。",
    "6．劳模类别：请填写“非劳模”、“全国劳模”、“省部级劳模”、“地市级劳模”、或“其他”。",
    "7．住房类型：请填写“承租单位公房”、“政府廉租房”、“自购房”、“无房”、“租房”、“自建房”或“其他”。",
    "8．住房面积：请填写“20以下”“20至50”、“50至70”或“70以上”。",
    "9、工作时间：请填写开始参加工作的时间年、月、日。",
    "10．所属行业：请填写“农、林、牧、渔业”、“金融保险业”、“社会服务业”、“教育”、“科技”、"
    "“文化”、“体育”、“宗教”、“医疗卫生”、“军队”、“国家机关”、“纺织系统”、“冶金系统”、"
    "“煤炭系统”、“机电系统”、“电子仪表”、“化工系统”、“国防系统”、“城建系统”、“精工系统”、"
    "“财贸系统”、“医药系统”、“交通系统”或“其他”。",
    "11、婚姻状况：请填写“未婚”、“已婚”、“离异”、“丧偶”。",
    "12．户口类型：请填写“非农业”、“农业”或“农转居”。",
    "13．单位性质：请填写“国有机关/事业单位”、“国有企业”、“集体企业”、“民营/私营/个体企业”、“与港澳台合资/合作”、“中外合资/合作”或“其他”。",
    "14．企业状况：请填写“亏损企业”、“改制企业”、“关闭破产企业”、“正常”或“其他”。",
    "15．是否单亲：请填写“是”或“否”。",
    "16、户口所在地行政区划：请必须填写清楚“省、市、县（区）”。",
    "17．是否进入医保：请填写“是”或“否”。",
    "18．家庭成员关系中，关系请填写“父亲”、“母亲”、“丈夫”、“妻子”、“儿子”、“女儿”或“其他”。"
    "政治面貌、身份证号、健康状况参见前2、3、4、5条。身份请填写“劳模”、“在岗”、“下（待）岗”、"
    "“失（无）业”、“退休”、“离休”、“病退”、“病休”、“内退”、“农民工”、“研究生”、“大学生”、"
    "“中职中技”、“高中”、“初中”、“小学”、“幼儿”、“军人”或“农民”。",
    "19．是否有一定自救能力：请填写“是”或“否”。",
    "20．是否为零就业家庭:：请填写“是”或“否”。",
    "21．致困主要原因：请填写（以下内容最少要填写1项，最多填3项）“本人大病”、“供养直系亲属大病”、"
    "“意外灾害”、“子女上学”、“残疾”、“收入低无法维持基本生活”、“下岗失业”或“其他”。",
)


# ---------------------------------------------------------------------------------------
# Layout description: paragraphs, cells, rows
# ---------------------------------------------------------------------------------------
@dataclass
class P:
    """One paragraph: text (Jinja tags become runs of their own) and its layout.

    ``size``/``font``/``bold`` left as None take the enclosing cell's or table's values.
    Lengths in mm, spacing in pt.
    """

    text: str = ""
    align: str = "left"
    size: float | None = None
    font: str | None = None
    bold: bool | None = None
    indent_left: float = 0.0
    indent_right: float = 0.0
    first_line: float = 0.0
    before: float = 0.0
    after: float = 0.0
    line_exact: float | None = None  # pt; None = single
    page_break_before: bool = False
    keep_next: bool = False
    tabs: Sequence[tuple[float, str]] = ()  # (position mm, "left"/"right"/"center")


Content = str | P | Sequence[str | P]


@dataclass
class C:
    """One table cell ``w`` mm wide.

    ``content``: a string (one paragraph), a P, or a list of them (one paragraph each).
    ``vmerge``: None, "restart" (first cell of a vertical merge) or "continue".
    """

    w: float
    content: Content = ""
    align: str = "center"
    valign: str = "center"
    vmerge: str | None = None
    size: float | None = None
    bold: bool = False


@dataclass
class R:
    """One table row: cells whose widths add up to the table width, height in mm."""

    cells: list[C]
    h: float
    rule: str = "atLeast"  # or "exact"
    header: bool = False  # w:tblHeader: repeated at the top of every page
    cant_split: bool = True


@dataclass
class TableSpec:
    """A fixed-layout table: rows, the default font size of its cells, cell margins (mm)."""

    rows: list[R]
    size: float
    font: str = FONT_TABLE
    margin_lr: float = 1.0
    margin_tb: float = 0.0
    border_sz: int = 4  # eighths of a point: 4 = 0.5 pt


# ---------------------------------------------------------------------------------------
# The package: built from scratch, a few KB
# ---------------------------------------------------------------------------------------
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _rfonts_xml(font: str) -> str:
    return f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}" w:hint="eastAsia"/>'


def _package_parts(title: str) -> dict[str, bytes]:
    """The XML parts of an empty, slim Chinese document (no theme, four styles)."""
    xml_decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    ct = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{ct}.document.main+xml"/>'
            f'<Override PartName="/word/styles.xml" ContentType="{ct}.styles+xml"/>'
            f'<Override PartName="/word/settings.xml" ContentType="{ct}.settings+xml"/>'
            f'<Override PartName="/word/fontTable.xml" ContentType="{ct}.fontTable+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        ),
        "word/_rels/document.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/styles" Target="styles.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/settings" Target="settings.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/fontTable" Target="fontTable.xml"/>'
            "</Relationships>"
        ),
        "word/document.xml": (f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body><w:sectPr/></w:body></w:document>'),
        "word/styles.xml": (
            f'<w:styles xmlns:w="{W_NS}">'
            "<w:docDefaults><w:rPrDefault><w:rPr>"
            f"{_rfonts_xml(FONT_BODY)}"
            '<w:kern w:val="2"/><w:sz w:val="24"/><w:szCs w:val="24"/>'
            '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
            "</w:rPr></w:rPrDefault>"
            '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
            "</w:pPr></w:pPrDefault></w:docDefaults>"
            '<w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
            '<w:name w:val="Normal"/><w:qFormat/>'
            '<w:pPr><w:widowControl w:val="0"/><w:jc w:val="both"/></w:pPr>'
            f"<w:rPr>{_rfonts_xml(FONT_BODY)}</w:rPr></w:style>"
            '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
            '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/>'
            "<w:semiHidden/><w:unhideWhenUsed/></w:style>"
            '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
            '<w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/>'
            '<w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
            '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
            '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
            "</w:tblCellMar></w:tblPr></w:style>"
            '<w:style w:type="numbering" w:default="1" w:styleId="NoList">'
            '<w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/>'
            "<w:unhideWhenUsed/></w:style>"
            "</w:styles>"
        ),
        "word/settings.xml": (
            f'<w:settings xmlns:w="{W_NS}"><w:zoom w:percent="100"/>'
            '<w:defaultTabStop w:val="420"/>'
            '<w:characterSpacingControl w:val="compressPunctuation"/>'
            '<w:compat><w:compatSetting w:name="compatibilityMode" '
            'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
            '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>'
            "</w:settings>"
        ),
        # altName and charset 86 (GB2312) let Word and LibreOffice find the font under its
        # English name on systems that list it that way.
        "word/fontTable.xml": (
            f'<w:fonts xmlns:w="{W_NS}">'
            '<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/>'
            '<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
            '<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:charset w:val="86"/>'
            '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
            '<w:font w:name="仿宋_GB2312"><w:altName w:val="FangSong_GB2312"/>'
            '<w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/>'
            "</w:font></w:fonts>"
        ),
        "docProps/core.xml": (
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{title}</dc:title><dc:creator>formkit</dc:creator>"
            '<dcterms:created xsi:type="dcterms:W3CDTF">2011-11-15T00:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2011-11-15T00:00:00Z'
            "</dcterms:modified></cp:coreProperties>"
        ),
        "docProps/app.xml": (
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>formkit build_templates.py</Application>'
            "</Properties>"
        ),
    }
    return {name: (xml_decl + xml).encode("utf-8") for name, xml in parts.items()}


def _zip(parts: dict[str, bytes]) -> bytes:
    """Zip ``parts`` with fixed timestamps, [Content_Types].xml first: reproducible bytes."""
    buf = io.BytesIO()
    names = sorted(parts, key=lambda n: (n != "[Content_Types].xml", n))
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, parts[name])
    return buf.getvalue()


def new_document(title: str, *, landscape: bool, margins_mm: tuple[float, float, float, float]) -> DocumentObject:
    """An empty slim A4 document.

    Args:
        title: the document title (docProps/core.xml).
        landscape: A4 landscape (297 x 210 mm) instead of portrait.
        margins_mm: top, bottom, left, right in mm.
    """
    doc = Document(io.BytesIO(_zip(_package_parts(title))))
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
    # python-docx rounds Mm() to EMU; A4 must be exactly 11906 x 16838 twips for Word.
    pg_sz = section._sectPr.find(qn("w:pgSz"))
    w, h = ("16838", "11906") if landscape else ("11906", "16838")
    pg_sz.set(qn("w:w"), w)
    pg_sz.set(qn("w:h"), h)
    top, bottom, left, right = margins_mm
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance, section.footer_distance = Mm(15), Mm(17.5)
    section.gutter = Mm(0)
    return doc


def no_stretched_breaks(doc: DocumentObject) -> None:
    """Word's doNotExpandShiftReturn (LibreOffice reads it too): a justified line that ends in
    a line break is not stretched across the line. The annexes also left-align every
    paragraph a value with line breaks can reach; this keeps a paragraph staff justify in
    Word from stretching."""
    compat = doc.settings.element.find(qn("w:compat"))
    compat.insert(0, OxmlElement("w:doNotExpandShiftReturn"))


def content_width_mm(doc: DocumentObject) -> float:
    """Width between the margins, mm."""
    s = doc.sections[0]
    return round((s.page_width - s.left_margin - s.right_margin) / 36000, 1)


# ---------------------------------------------------------------------------------------
# Runs and paragraphs
# ---------------------------------------------------------------------------------------
def _rpr(font: str, size: float, bold: bool) -> OxmlElement:
    """A w:rPr naming ``font`` for every script (w:eastAsia included), in schema order."""
    rpr = OxmlElement("w:rPr")
    rfonts = OxmlElement("w:rFonts")
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), font)
    rfonts.set(qn("w:hint"), "eastAsia")
    rpr.append(rfonts)
    if bold:
        rpr.append(OxmlElement("w:b"))
        rpr.append(OxmlElement("w:bCs"))
    half_points = str(round(size * 2))
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), half_points)
        rpr.append(el)
    return rpr


def add_runs(paragraph: Paragraph, text: str, font: str, size: float, bold: bool) -> None:
    """Append ``text`` as runs: every Jinja tag alone in a run, all in ``font``."""
    for piece in TAG_RE.split(text):
        if not piece:
            continue
        run = paragraph.add_run(piece)
        run._r.insert(0, _rpr(font, size, bold))


def fill_paragraph(paragraph: Paragraph, spec: P, *, font: str, size: float, bold: bool, align: str) -> None:
    """Write ``spec`` into an existing empty paragraph, with the given defaults."""
    font = spec.font or font
    size = spec.size or size
    bold = bold if spec.bold is None else spec.bold
    fmt = paragraph.paragraph_format
    fmt.alignment = ALIGN[spec.align if spec.align else align]
    fmt.space_before = Pt(spec.before)
    fmt.space_after = Pt(spec.after)
    if spec.line_exact:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(spec.line_exact)
    if spec.indent_left:
        fmt.left_indent = Mm(spec.indent_left)
    if spec.indent_right:
        fmt.right_indent = Mm(spec.indent_right)
    if spec.first_line:
        fmt.first_line_indent = Mm(spec.first_line)
    if spec.page_break_before:
        fmt.page_break_before = True
    if spec.keep_next:
        fmt.keep_with_next = True
    for pos, kind in spec.tabs:
        fmt.tab_stops.add_tab_stop(Mm(pos), {"left": WD_TAB_ALIGNMENT.LEFT, "right": WD_TAB_ALIGNMENT.RIGHT}[kind])
    # The paragraph mark takes the same font, so an empty paragraph is as high as the
    # text around it (and a spacer paragraph as small as asked).
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(_rpr(font, size, bold))
    add_runs(paragraph, spec.text, font, size, bold)


def add_paragraph(doc: DocumentObject, spec: P) -> Paragraph:
    """Append a body paragraph (仿宋_GB2312 小四 unless ``spec`` says otherwise)."""
    paragraph = doc.add_paragraph()
    fill_paragraph(paragraph, spec, font=FONT_BODY, size=SIZE_XIAOSI, bold=False, align="left")
    return paragraph


def annex_number(
    doc: DocumentObject, text: str, after: float = 6.0, *, page_break_before: bool = False, line_exact: float | None = None
) -> None:
    """ "附件N" at the top left, 黑体 三号 (GB/T 9704-2012 §7.1)."""
    add_paragraph(
        doc, P(text, font=FONT_TITLE, size=SIZE_ANNEX_NUMBER, after=after, page_break_before=page_break_before, line_exact=line_exact)
    )


def form_title(doc: DocumentObject, text: str, after: float = 10) -> None:
    """The form's title, centred, 黑体 小二."""
    add_paragraph(doc, P(text, align="center", font=FONT_TITLE, size=SIZE_TITLE, before=6, after=after))


def _field_runs(paragraph: Paragraph, instruction: str, font: str, size: float) -> None:
    """Append a complex field (w:fldChar begin/separate/end around w:instrText).

    Word and LibreOffice both compute PAGE and NUMPAGES when they lay the page out; the
    result run ("1") is only what shows before that.
    """

    def run(child: OxmlElement) -> None:
        r = OxmlElement("w:r")
        r.append(_rpr(font, size, False))
        r.append(child)
        paragraph._p.append(r)

    run(_el("w:fldChar", fldCharType="begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run(instr)
    run(_el("w:fldChar", fldCharType="separate"))
    text = OxmlElement("w:t")
    text.text = "1"
    run(text)
    run(_el("w:fldChar", fldCharType="end"))


def page_number_footer(doc: DocumentObject, *, distance_mm: float, font: str = FONT_BODY, size: float = SIZE_WUHAO) -> None:
    """ "第 x 页　共 y 页" centred in the footer, x and y the Word fields PAGE and NUMPAGES.

    Args:
        doc: a document of :func:`new_document` (one section).
        distance_mm: the footer's distance from the bottom edge; with the line's height it
            must stay below the bottom margin, or Word and LibreOffice shrink the body.
    """
    section = doc.sections[0]
    section.footer_distance = Mm(distance_mm)
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    ppr = paragraph._p.get_or_add_pPr()
    for style in ppr.findall(qn("w:pStyle")):  # python-docx's "Footer": not in our styles
        ppr.remove(style)
    fill_paragraph(paragraph, P("第 ", align="center"), font=font, size=size, bold=False, align="center")
    _field_runs(paragraph, "PAGE", font, size)
    add_runs(paragraph, " 页　共 ", font, size, False)
    _field_runs(paragraph, "NUMPAGES", font, size)
    add_runs(paragraph, " 页", font, size, False)


def symbol_font(doc: DocumentObject, prefix: str, font: str) -> None:
    """Runs whose text starts with ``prefix`` set their non-Chinese characters in ``font``
    (w:ascii, w:hAnsi, w:cs) and keep their Chinese font; without the East Asian hint, so a
    symbol such as ⊗ takes ``font`` in Word."""
    for t in doc.element.body.iter(qn("w:t")):
        if not (t.text or "").startswith(prefix):
            continue
        rfonts = t.getparent().find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            rfonts.set(qn(attr), font)
        rfonts.attrib.pop(qn("w:hint"), None)


def spacer(doc: DocumentObject) -> None:
    """A 1-pt paragraph: keeps the body from ending in a table without taking a line."""
    add_paragraph(doc, P("", size=1, line_exact=1))


# ---------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------
def _twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def _el(tag: str, **attrs: str) -> OxmlElement:
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def add_table(doc: DocumentObject, spec: TableSpec) -> Table:
    """Append a fixed-layout table built from ``spec``.

    The grid is the union of every row's cell boundaries, so each row keeps the widths the
    form prints; a cell spanning several grid columns gets w:gridSpan.

    Raises:
        ValueError: a row's widths do not add up to the table width, or a continued
            vertical merge does not sit under a cell of the same span.
    """
    total = round(sum(c.w for c in spec.rows[0].cells), 3)
    bounds: set[int] = set()
    for row in spec.rows:
        x_mm = 0.0
        row_total = round(sum(c.w for c in row.cells), 3)
        if abs(row_total - total) > 0.01:
            raise ValueError(f"row widths add up to {row_total} mm, not {total} mm: {row}")
        for c in row.cells:
            x_mm = round(x_mm + c.w, 3)
            bounds.add(_twips(x_mm))
    grid = sorted(bounds)
    cols = [b - a for a, b in zip([0] + grid[:-1], grid)]

    table = doc.add_table(rows=0, cols=len(cols))
    tbl = table._tbl
    tbl.remove(tbl.tblPr)
    tbl.remove(tbl.tblGrid)

    tbl_pr = _el("w:tblPr")
    tbl_pr.append(_el("w:tblW", w=str(grid[-1]), type="dxa"))
    tbl_pr.append(_el("w:jc", val="center"))
    tbl_pr.append(_el("w:tblInd", w="0", type="dxa"))
    borders = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{side}", val="single", sz=str(spec.border_sz), space="0", color="000000"))
    tbl_pr.append(borders)
    tbl_pr.append(_el("w:tblLayout", type="fixed"))
    mar = _el("w:tblCellMar")
    for side, mm in (("top", spec.margin_tb), ("left", spec.margin_lr), ("bottom", spec.margin_tb), ("right", spec.margin_lr)):
        mar.append(_el(f"w:{side}", w=str(_twips(mm)), type="dxa"))
    tbl_pr.append(mar)
    tbl_pr.append(_el("w:tblLook", val="0000", firstRow="0", lastRow="0", firstColumn="0", lastColumn="0", noHBand="1", noVBand="1"))
    tbl.insert(0, tbl_pr)
    tbl_grid = _el("w:tblGrid")
    for w in cols:
        tbl_grid.append(_el("w:gridCol", w=str(w)))
    tbl.insert(1, tbl_grid)

    merges_open: dict[tuple[int, int], bool] = {}
    for row in spec.rows:
        tr = _el("w:tr")
        tr_pr = _el("w:trPr")
        if row.cant_split:
            tr_pr.append(_el("w:cantSplit"))
        tr_pr.append(_el("w:trHeight", val=str(_twips(row.h)), hRule=row.rule))
        if row.header:
            tr_pr.append(_el("w:tblHeader"))
        tr.append(tr_pr)
        x_mm, x = 0.0, 0
        for c in row.cells:
            start = x
            x_mm = round(x_mm + c.w, 3)
            x = _twips(x_mm)
            span = sum(1 for b in grid if start < b <= x)
            tc = _el("w:tc")
            tc_pr = _el("w:tcPr")
            tc_pr.append(_el("w:tcW", w=str(x - start), type="dxa"))
            if span > 1:
                tc_pr.append(_el("w:gridSpan", val=str(span)))
            if c.vmerge == "restart":
                tc_pr.append(_el("w:vMerge", val="restart"))
                merges_open[(start, x)] = True
            elif c.vmerge == "continue":
                if not merges_open.get((start, x)):
                    raise ValueError(f"vMerge continue without a restart above: {c}")
                tc_pr.append(_el("w:vMerge"))
            else:
                merges_open.pop((start, x), None)
            tc_pr.append(_el("w:vAlign", val=c.valign))
            tc.append(tc_pr)
            tr.append(tc)
            cell = _Cell(tc, table)
            _fill_cell(cell, c, spec)
        tbl.append(tr)
    return table


def _fill_cell(cell: _Cell, c: C, spec: TableSpec) -> None:
    """Write the cell's paragraphs (at least one: Word rejects a cell without)."""
    content = c.content
    items: list[str | P]
    if isinstance(content, (str, P)):
        items = [content]
    else:
        items = list(content) or [""]
    for i, item in enumerate(items):
        paragraph = cell.add_paragraph() if i else None
        if paragraph is None:
            if not cell._tc.p_lst:
                cell._tc.append(OxmlElement("w:p"))
            paragraph = cell.paragraphs[0]
        pspec = item if isinstance(item, P) else P(item, align="")
        fill_paragraph(
            paragraph,
            pspec,
            font=spec.font,
            size=c.size or spec.size,
            bold=c.bold,
            align=c.align,
        )


# ---------------------------------------------------------------------------------------
# 附件1 2012年元旦春节送温暖活动慰问金发放凭证 (one voucher per worker)
# ---------------------------------------------------------------------------------------
def _stamp_block(label: str | None, right_indent: float = 4.0) -> list[P]:
    """A signature block: the label (if any), a blank line to sign on, then 年 月 日."""
    paras: list[P] = []
    if label:
        paras.append(P(label, align="left"))
    paras.append(P("", align="left"))
    paras.append(P("年　　月　　日", align="right", indent_right=right_indent))
    return paras


#: The voucher's fill-in blanks, printed in place of an empty value: ideographic spaces
#: (U+3000, one Chinese character wide) about as wide as the notice's blanks of half-width
#: spaces (附件1: 7 before 年, 4 before 月 and 日, 10 before 元, 47 before the 。 of
#: 其它帮扶措施), as far as one line of the 128-mm cell (29 characters of 小四) allows: the
#: 低保 sentence is 14 characters and 15 of blanks; "其它帮扶措施：" and "。" leave 21.
VOUCHER_BLANKS = {
    "年": "\u3000" * 3,
    "月日": "\u3000" * 2,
    "元": "\u3000" * 4,
    "其它帮扶措施": "\u3000" * 21,
}


def build_annex1() -> DocumentObject:
    """附件1: one voucher on one A4 page.

    The notice's table, row by row (widths in mm, 156 mm in all): 姓名/性别/困难职工档案编号;
    身份证号/联系电话; 居住地址/所在单位; 致困原因; 享受低保情况 (the printed sentence with
    the 低保 fields, 其它帮扶措施, the 街道（镇） stamp); 单位（工会）意见 and 区（产业）工会意见
    with （盖章） and a date; 资助金额（大写） with a digit before each printed box and ￥;
    收款人（或代收人）签字; 市总领导/部门领导/经办人.  Minimum heights total 172 mm of the
    225 mm page body, so long values (a 60-character address wraps to 5 lines) still fit.
    """
    doc = new_document(
        "附件1 2012年元旦春节送温暖活动慰问金发放凭证",
        landscape=False,
        margins_mm=(37, 35, 28, 26),
    )
    annex_number(doc, "附件1")
    form_title(doc, "2012年元旦春节送温暖活动慰问金发放凭证")
    label_w, left_v, right_l, right_v = 28.0, 58.0, 28.0, 42.0  # = 156 mm
    first = _widths(*VOUCHER_EDGES)  # 姓名 holds 8 characters of 小四 (formkit.forms.layout)

    # The printed sentence reads "年 月 日至 月 日": one 年.  The end year prints, with its
    # 年, only when the record gives it, so a voucher without 低保 reads as the paper does.
    # An empty value keeps the paper's blank (VOUCHER_BLANKS) to write in by hand.  No
    # spaces around the values: Word and LibreOffice space digits from Chinese themselves
    # (autoSpaceDN), and 13 spaces would push the blank sentence onto a second line.
    def value(field: str, blank: str) -> str:
        return f'{{{{ {field} or "{VOUCHER_BLANKS[blank]}" }}}}'

    low_income = (
        f"{value('低保.起年', '年')}年{value('低保.起月', '月日')}月{value('低保.起日', '月日')}日至"
        "{{ 低保.止年 }}{% if 低保.止年 %}年{% endif %}"
        f"{value('低保.止月', '月日')}月{value('低保.止日', '月日')}日"
        f"每月领低保金{value('低保.每月', '元')}元，"
    )
    # A digit written in front of each printed box (docs/templates.md 大写位), then ￥ and
    # the figures; the line reads exactly as the notice prints it when the digits are blank.
    amount = "资助金额（大写）：{{大写位.仟}}仟{{大写位.佰}}佰{{大写位.拾}}拾{{大写位.元}}元{{大写位.角}}角{{大写位.分}}分 ￥：{{资助金额}}"
    rows = [
        R(
            [
                C(first[0], "姓　　名"),
                C(first[1], "{{ 姓名 }}"),
                C(first[2], "性别"),
                C(first[3], "{{ 性别 }}"),
                C(first[4], ["困难职工", "档案编号"]),
                C(first[5], "{{ 档案编号 }}"),
            ],
            h=13,
        ),
        R([C(label_w, "身份证号"), C(left_v, "{{ 身份证号 }}"), C(right_l, "联系电话"), C(right_v, "{{ 联系电话 }}")], h=12),
        R(
            [
                C(label_w, "居住地址"),
                C(left_v, "{{ 居住地址 }}", align="left"),
                C(right_l, "所在单位"),
                C(right_v, "{{ 所在单位 }}", align="left"),
            ],
            h=16,
        ),
        R([C(label_w, "致困原因"), C(128, "{{ 致困原因 }}", align="left")], h=12),
        R(
            [
                C(label_w, "享受低保情况"),
                C(
                    128,
                    [
                        P(low_income, line_exact=22),
                        P(f"其它帮扶措施：{value('其它帮扶措施', '其它帮扶措施')}。", line_exact=22),
                        P("{{ 街道 }}街道（镇）（盖章）　　日期：", indent_left=45, before=6, line_exact=22),
                    ],
                    align="left",
                ),
            ],
            h=28,
        ),
        R(
            [
                C(label_w, ["单位（工会）", "意见"]),
                C(
                    50,
                    [
                        P("", align="left"),
                        P("（盖章）", align="right", indent_right=6),
                        P("", align="left"),
                        P("年　　月　　日", align="right", indent_right=4),
                    ],
                ),
                C(28, ["区（产业）", "工会意见"]),
                C(
                    50,
                    [
                        P("", align="left"),
                        P("（盖章）", align="right", indent_right=6),
                        P("", align="left"),
                        P("年　　月　　日", align="right", indent_right=4),
                    ],
                ),
            ],
            h=32,
        ),
        R([C(156, amount, align="left")], h=12),
        R([C(156, _stamp_block("收款人（或代收人）签字：", right_indent=20))], h=22),
        R([C(52, _stamp_block("市总领导：")), C(52, _stamp_block("部门领导：")), C(52, _stamp_block("经办人："))], h=25),
    ]
    add_table(doc, TableSpec(rows=rows, size=SIZE_XIAOSI))
    spacer(doc)
    symbol_font(doc, "{{大写位.", FONT_SYMBOL)
    return doc


# ---------------------------------------------------------------------------------------
# 附件2 中央财政帮扶专项资金实名制发放凭证汇总表 (per unit and 帮扶项目)
# ---------------------------------------------------------------------------------------
#: The roster's columns (257 mm in all).  Widths are measured, not guessed (9 pt 小五 values,
#: 1 mm cell margins each side):
#:
#: - 身份证号 40 mm: 18 characters with an X on one line in the widest Latin digits a
#:   converter is likely to use.  Noto Serif CJK SC (tools/fonts.conf's 宋体) has digits of
#:   0.47–0.56 em and X 0.70 em: 32.6 mm; DejaVu Sans, which LibreOffice takes for the
#:   digits when 宋体 is not aliased, 0.636 em and X 0.685 em: 36.6 mm; SimSun 0.5 em:
#:   28.6 mm.  36 mm wrapped the 17th digit in the DejaVu case.
#: - 备注 28 mm: eight Chinese characters a line (8 x 9 pt = 25.4 mm).
#: - 家庭联系电话 27 mm: "0592-5503127" in DejaVu digits (24.2 mm).
#: - 资金来源 34 mm: "中央财政帮扶专项资金" (10 characters, 31.8 mm) on one line.
#: - 姓名 26 mm: a name of 8 characters joined by · (7.5 em of 9 pt, 23.8 mm).
#: - 工作单位或家庭住址 54 mm, what is left: 16 characters a line, a longer address wraps.
ROSTER_COLUMNS = tuple(
    # (label, field, width mm, alignment of the value)
    (label, label, width, align)
    for (label, align), width in zip(
        (
            ("序号", "center"),
            ("姓名", "center"),
            ("性别", "center"),
            ("年龄", "center"),
            ("身份证号", "center"),
            ("工作单位或家庭住址", "left"),
            ("帮扶金额", "center"),
            ("家庭联系电话", "center"),
            ("资金来源", "center"),
            ("备注", "left"),
        ),
        ROSTER_WIDTHS,
    )
)


def build_annex2() -> DocumentObject:
    """附件2: the roster, one table per printed page, landscape A4.

    The notice prints a 10-column table under the title; with every column the table is
    257 mm wide, hence landscape.  The renderer cuts the rows into pages of
    ``ROSTER_ROWS_PER_PAGE``; each page repeats the title, the 填报单位 line (not on the
    paper form: a city-level pile of rosters needs it) and the header row, which is also
    marked w:tblHeader in case a page's rows overflow.  The 合计 row (人数, 帮扶金额 and
    its 大写) ends the last page only.  Each page's first paragraph has pageBreakBefore,
    so pages never leave a blank page between them (a page break at the very start of a
    document does not add a page); "附件2" prints on the first page only.  The footer
    prints "第 x 页　共 y 页" with the PAGE and NUMPAGES fields on every sheet (页.页码 and
    页.总页数 stay in the context but are not printed: they count the renderer's pages, not
    the sheets, and a page whose rows wrap takes two sheets).
    """
    doc = new_document(
        "附件2 2012年两节中央财政帮扶专项资金实名制发放凭证汇总表",
        landscape=True,
        margins_mm=(20, 15, 20, 20),
    )
    width = content_width_mm(doc)
    add_paragraph(doc, P("{%p for 页 in 分页 %}"))
    annex_number(doc, "{% if loop.first %}附件2{% endif %}", page_break_before=True, line_exact=20)
    add_paragraph(
        doc,
        P(
            "2012年两节中央财政帮扶专项资金实名制发放凭证汇总表（帮扶项目：{{ 帮扶项目 }}）",
            align="center",
            font=FONT_TITLE,
            size=SIZE_TITLE,
            after=6,
        ),
    )
    add_paragraph(doc, P("填报单位：{{ 填报单位 }}", size=SIZE_WUHAO, after=3))
    # "第 x 页 共 y 页" on every printed sheet, counted by Word/LibreOffice: a page of the
    # renderer's 分页 whose rows wrap runs onto a second sheet, which 页.页码/页.总页数
    # cannot know.
    page_number_footer(doc, distance_mm=7)
    widths = [w for _, _, w, _ in ROSTER_COLUMNS]
    assert abs(sum(widths) - width) < 0.01, (sum(widths), width)
    header = R([C(w, label, bold=True, size=SIZE_WUHAO) for label, _, w, _ in ROSTER_COLUMNS], h=10, header=True)
    data = R([C(w, f"{{{{ r.{name} }}}}", align=align) for _, name, w, align in ROSTER_COLUMNS], h=7)
    # 合计 (not on the paper form): the 大写 amount spans 身份证号 and the address, where
    # "人民币（大写）：" and the longest 大写 of a roster's total fit on one line.
    head_w = widths[0] + widths[1]
    count_w = widths[2] + widths[3]
    words_w = widths[4] + widths[5]
    rest_w = widths[7] + widths[8] + widths[9]
    total = R(
        [
            C(head_w, "合计", bold=True, size=SIZE_WUHAO),
            C(count_w, "共 {{ 合计.人数 }} 人"),
            C(words_w, "人民币（大写）：{{ 合计.帮扶金额大写 }}", align="left"),
            C(widths[6], "{{ 合计.帮扶金额 }}"),
            C(rest_w, ""),
        ],
        h=8,
    )
    rows = [
        header,
        R([C(width, "{%tr for r in 页.行 %}")], h=5),
        data,
        R([C(width, "{%tr endfor %}")], h=5),
        R([C(width, "{%tr if 页.末页 %}")], h=5),
        total,
        R([C(width, "{%tr endif %}")], h=5),
    ]
    add_table(doc, TableSpec(rows=rows, size=SIZE_XIAOWU))
    add_paragraph(doc, P("{%p endfor %}"))
    spacer(doc)
    return doc


# ---------------------------------------------------------------------------------------
# 附件3 困难职工档案登记表 + 填表说明 (per worker)
# ---------------------------------------------------------------------------------------
def _widths(*edges: float) -> list[float]:
    """Cell widths (mm) between consecutive column edges measured from the table's left."""
    return [round(b - a, 3) for a, b in itertools.pairwise(edges)]


def _row(edges: Sequence[float], cells: Sequence[str | list | C], h: float, **kw: object) -> R:
    """A row whose cells fill the columns between ``edges`` (mm from the left border).

    A cell given as text (or a list of paragraphs) is centred; a ``C`` keeps its own
    options and gets its width from ``edges``.
    """
    ws = _widths(*edges)
    if len(ws) != len(cells):
        raise ValueError(f"{len(cells)} cells for {len(ws)} columns: {cells}")
    out = []
    for w, cell in zip(ws, cells):
        if isinstance(cell, C):
            cell.w = w
            out.append(cell)
        else:
            out.append(C(w, cell))
    return R(out, h=h, **kw)  # type: ignore[arg-type]


def _family_rows(label: str, rows: str) -> list[R]:
    """The 18家庭成员关系 table's rows: the merged label and header, then ``{%tr for m in
    <rows> %}`` over one member row (every looped row only continues the merge)."""
    L = REGISTRATION
    edges, full = L.family, (0, L.family[1], L.width)

    def cont() -> C:
        return C(0, "", vmerge="continue")

    return [
        _row(
            edges,
            [
                C(0, label, vmerge="restart"),
                "姓名",
                "关系",
                "性别",
                "政治面貌",
                "出生日期",
                "身份证号",
                ["健康", "状况"],
                "月收入",
                "身份",
                "单位或学校",
            ],
            h=L.label_height,
        ),
        _row(full, [cont(), f"{{%tr for m in {rows} %}}"], h=5),
        _row(
            edges,
            [
                cont(),
                "{{ m.姓名 }}",
                "{{ m.关系 }}",
                "{{ m.性别 }}",
                "{{ m.政治面貌 }}",
                "{{ m.出生日期 }}",
                "{{ m.身份证号 }}",
                "{{ m.健康状况 }}",
                "{{ m.月收入 }}",
                "{{ m.身份 }}",
                C(0, "{{ m.单位或学校 }}", align="left"),
            ],
            h=L.family_height,
        ),
        _row(full, [cont(), "{%tr endfor %}"], h=5),
    ]


def build_annex3() -> DocumentObject:
    """附件3: the registration form on one page, a continuation page when the family or the
    备注 does not fit, then, when ``附填表说明`` is true, the 填表说明 (items 1–21 verbatim) on
    a page of its own.

    The table is 194 mm wide, 9 pt (小五), the notice's rows in order; column edges and row
    heights come from :data:`formkit.forms.layout.REGISTRATION` (each column holds its longest
    usual value on one line: a name of 8 characters with ·, 柯尔克孜族, every vocabulary value
    of the 填表说明, an ID number, 1965年12月12日). Labels too long for their cell are split
    where a person would split them.

    "18家庭成员关系" is one cell merged down the family header row and every member row;
    "所附附件" likewise down its header and attachment rows.  Both merges start in the
    header row, outside the ``{%tr for %}`` loop; the looped row and the tag rows only
    continue them.

    The continuation page (``{%p if 续页.家庭成员行 or 续页.备注 %}``; formkit.forms.pages decides
    what goes there):
    the title with （续）, the worker's 姓名, 档案编号 and 填报单位, then the family rows that
    did not fit (``续页.家庭成员行``, under the same header) and the rest of the 备注
    (``续页.备注``).
    """
    L = REGISTRATION
    top, bottom, left_margin, right_margin = L.margins
    doc = new_document("附件3 困难职工档案登记表", landscape=False, margins_mm=(top, bottom, left_margin, right_margin))
    # A header or footer staff add (a unit's name, a page number) stays inside the margins
    # and takes nothing from the page formkit.forms.pages counts on.
    doc.sections[0].header_distance, doc.sections[0].footer_distance = Mm(L.header_distance), Mm(L.header_distance)
    assert abs(content_width_mm(doc) - L.width) < 0.1, content_width_mm(doc)
    annex_number(doc, "附件3", after=2)
    form_title(doc, "困 难 职 工 档 案 登 记 表", after=6)
    add_paragraph(doc, P("填报单位（盖章）：{{ 填报单位 }}", size=SIZE_WUHAO, after=3))

    def left(text: str) -> C:
        return C(0, text, align="left")

    def cont() -> C:
        return C(0, "", vmerge="continue")

    h_label, h_value = L.label_height, L.value_height
    rows = [
        _row(L.top, ["职工编号", "（此栏暂不填）", "1困难类别", "{{ 困难类别 }}"], h=h_value),
        _row(
            L.person,
            ["姓名", "民族", "性别", ["2政治", "面貌"], "出生日期", "3身份证号", ["4健康", "状况"], ["残疾", "类别"], "5身份", "6劳模类型"],
            h=h_label,
        ),
        _row(
            L.person,
            [
                "{{ 姓名 }}",
                "{{ 民族 }}",
                "{{ 性别 }}",
                "{{ 政治面貌 }}",
                "{{ 出生日期 }}",
                "{{ 身份证号 }}",
                "{{ 健康状况 }}",
                "{{ 残疾类别 }}",
                "{{ 身份 }}",
                "{{ 劳模类型 }}",
            ],
            h=h_value,
        ),
        _row(
            L.housing,
            ["7住房类型", "8建筑面积", "邮政编码", "联系电话", "9工作时间", "10所属行业", ["11婚姻", "状况"], "12户口类型"],
            h=h_label,
        ),
        _row(
            L.housing,
            [
                "{{ 住房类型 }}",
                "{{ 建筑面积 }}",
                "{{ 邮政编码 }}",
                "{{ 联系电话 }}",
                "{{ 工作时间 }}",
                "{{ 所属行业 }}",
                "{{ 婚姻状况 }}",
                "{{ 户口类型 }}",
            ],
            h=h_value,
        ),
        _row(L.address, ["家庭住址", "工作单位", "13单位性质", "14企业状况", "15是否单亲"], h=h_label),
        _row(
            L.address,
            [left("{{ 家庭住址 }}"), left("{{ 工作单位 }}"), "{{ 单位性质 }}", "{{ 企业状况 }}", "{{ 是否单亲 }}"],
            h=L.address_height,
        ),
        _row(
            L.income,
            ["本人月平均收入", "家庭年度总收入", "家庭人口", "家庭年人均收入", "16户口所在地行政区划", ["17是否", "进入医保"]],
            h=h_label,
        ),
        _row(
            L.income,
            [
                "{{ 本人月平均收入 }}",
                "{{ 家庭年度总收入 }}",
                "{{ 家庭人口 }}",
                "{{ 家庭年人均收入 }}",
                "{{ 户口所在地行政区划 }}",
                "{{ 是否进入医保 }}",
            ],
            h=h_value,
        ),
        # 18家庭成员关系: merged down the header and every member row; "（见续页）" when
        # some members continue on the continuation page.
        *_family_rows("18家庭成员关系{% if 续页.家庭成员行 %}（见续页）{% endif %}", "家庭成员行"),
        _row(
            L.self_help,
            ["19是否有一定自救能力", "{{ 是否有一定自救能力 }}", "20是否为零就业家庭", "{{ 是否为零就业家庭 }}"],
            h=h_value,
        ),
        _row(L.causes, ["21致困主要原因", left("{{ 致困主要原因 }}")], h=h_value),
        # 所附附件: merged down its header and every attachment row.
        _row(L.attachments, [C(0, "所附附件", vmerge="restart"), "附件类型", "附件文件"], h=L.attachment_height),
        _row((0, L.attachments[1], L.width), [cont(), "{%tr for a in 附件行 %}"], h=5),
        _row(L.attachments, [cont(), "{{ a.附件类型 }}", left("{{ a.附件文件 }}")], h=L.attachment_height),
        _row((0, L.attachments[1], L.width), [cont(), "{%tr endfor %}"], h=5),
        _row(L.remarks, ["备注", left("{{ 备注 }}")], h=L.remarks_height),
    ]
    add_table(doc, TableSpec(rows=rows, size=SIZE_XIAOWU, margin_lr=L.cell_margin))
    spacer(doc)

    # The continuation page: only when formkit.forms.pages moved rows or 备注 there.
    add_paragraph(doc, P("{%p if 续页.家庭成员行 or 续页.备注 %}"))
    add_paragraph(
        doc,
        P("困 难 职 工 档 案 登 记 表（续）", align="center", font=FONT_TITLE, size=SIZE_TITLE, before=6, after=6, page_break_before=True),
    )
    add_paragraph(
        doc,
        P(
            "姓名：{{ 姓名 }}\t档案编号：{{ 档案编号 }}\t填报单位（盖章）：{{ 填报单位 }}",
            size=SIZE_WUHAO,
            after=3,
            tabs=((50, "left"), (105, "left")),
        ),
    )
    continued = [
        R([C(L.width, "{%tr if 续页.家庭成员行 %}")], h=5),
        *_family_rows("18家庭成员关系（续）", "续页.家庭成员行"),
        R([C(L.width, "{%tr endif %}")], h=5),
        R([C(L.width, "{%tr if 续页.备注 %}")], h=5),
        # May break across pages: a 备注 longer than the continuation page is never cut off.
        _row(L.remarks, ["备注（续）", left("{{ 续页.备注 }}")], h=L.remarks_height, cant_split=False),
        R([C(L.width, "{%tr endif %}")], h=5),
    ]
    add_table(doc, TableSpec(rows=continued, size=SIZE_XIAOWU, margin_lr=L.cell_margin))
    spacer(doc)
    add_paragraph(doc, P("{%p endif %}"))

    # 填表说明: a page of its own, only when 附填表说明 is true (the blank form of the notice
    # packet, not each filled form).  The page break belongs to the title inside the
    # condition, so a form without it ends on its own page.
    add_paragraph(doc, P("{%p if 附填表说明 %}"))
    add_paragraph(
        doc,
        P("困 难 职 工 档 案 填 表 说 明", align="center", font=FONT_TITLE, size=SIZE_TITLE, after=10, page_break_before=True),
    )
    for item in FILLING_INSTRUCTIONS:
        add_paragraph(doc, P(item, align="both", size=SIZE_XIAOSI, line_exact=18, after=2))
    add_paragraph(doc, P("{%p endif %}"))
    return doc


# ---------------------------------------------------------------------------------------
# 附件4 2012年“两节”期间企业工资拖欠情况周报表 (per weekly report)
# ---------------------------------------------------------------------------------------
MEASURES = ("拖欠数额", "涉及企业数", "涉及人数")


def build_annex4() -> DocumentObject:
    """附件4: the weekly report on one page; the 案例说明 on an attached page.

    Table (mm, 156 in all): 项目 | (blank, as printed) | 拖欠数额（万元） | 涉及企业数（户）
    | 涉及人数（人）; 企业类型 merged over 国有企业/集体企业/其他类型企业 and 用工来源 over
    城镇职工/农民工/其中建筑业农民工.  The attached page exists only when 案例说明 is not
    empty (``{%p if 案例说明 %}`` … ``{%p endif %}`` around body paragraphs, not cells).
    """
    doc = new_document(
        "附件4 2012年“两节”期间企业工资拖欠情况周报表",
        landscape=False,
        margins_mm=(37, 35, 28, 26),
    )
    width = content_width_mm(doc)
    annex_number(doc, "附件4")
    form_title(doc, "2012年“两节”期间企业工资拖欠情况周报表", after=12)
    add_paragraph(
        doc,
        P("填报单位（盖章）：{{ 填报单位 }}\t时间：{{ 时间.年 }} 年 {{ 时间.月 }} 月 {{ 时间.日 }} 日", after=6, tabs=((width, "right"),)),
    )
    col = (22.0, 38.0, 32.0, 32.0, 32.0)
    rows = [
        R(
            [
                C(col[0], "项目"),
                C(col[1], ""),
                C(col[2], ["拖欠数额", "（万元）"]),
                C(col[3], ["涉及企业数", "（户）"]),
                C(col[4], ["涉及人数", "（人）"]),
            ],
            h=16,
        ),
    ]
    for group, items in (("企业类型", ("国有企业", "集体企业", "其他类型企业")), ("用工来源", ("城镇职工", "农民工", "其中建筑业农民工"))):
        for i, item in enumerate(items):
            cells = [C(col[0], group if i == 0 else "", vmerge="restart" if i == 0 else "continue"), C(col[1], item)]
            cells += [C(w, f"{{{{ {group}.{item}.{m} }}}}") for w, m in zip(col[2:], MEASURES)]
            rows.append(R(cells, h=16))
    add_table(doc, TableSpec(rows=rows, size=SIZE_XIAOSI))
    add_paragraph(
        doc,
        P("单位负责人：{{ 单位负责人 }}\t填表人：{{ 填表人 }}\t联系电话：{{ 联系电话 }}", before=12, tabs=((56, "left"), (102, "left"))),
    )
    add_paragraph(doc, P("报出日期：{{ 报出日期 }}", before=8))
    add_paragraph(doc, P("（具体案例所涉及企业等情况请另附文字说明）", before=8))
    # The attached page, only when there is text.
    add_paragraph(doc, P("{%p if 案例说明 %}"))
    add_paragraph(
        doc,
        P("具体案例情况说明", align="center", font=FONT_TITLE, size=SIZE_TITLE, page_break_before=True, after=6),
    )
    add_paragraph(
        doc,
        P("（2012年“两节”期间企业工资拖欠情况周报表附件）", align="center", after=6),
    )
    add_paragraph(
        doc,
        P("填报单位：{{ 填报单位 }}\t时间：{{ 时间.年 }} 年 {{ 时间.月 }} 月 {{ 时间.日 }} 日", after=12, tabs=((width, "right"),)),
    )
    add_paragraph(
        doc,
        # Left-aligned: a line that ends in a line break is not stretched across the page.
        P("{{ 案例说明 }}", align="left", size=16, first_line=11.3, line_exact=28),
    )
    add_paragraph(doc, P("{%p endif %}"))
    return doc


BUILDERS = {1: build_annex1, 2: build_annex2, 3: build_annex3, 4: build_annex4}


def save(doc: DocumentObject, path: Path) -> None:
    """Save ``doc`` to ``path`` as a reproducible zip (fixed timestamps, sorted parts)."""
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    path.write_bytes(_zip(parts))


def build_all(out_dir: Path) -> list[Path]:
    """Write the four templates into ``out_dir`` (created if missing).

    Returns:
        The paths written, annex 1 to 4.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for number, builder in BUILDERS.items():
        path = out_dir / FILES[number]
        doc = builder()
        no_stretched_breaks(doc)
        save(doc, path)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write the templates to (default: templates/)")
    args = parser.parse_args(argv)
    for path in build_all(args.out):
        print(f"{path}  {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
