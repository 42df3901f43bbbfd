#!/usr/bin/env python3
"""Build the notice template 通知_厦工[2011]104号.docx from docs/notice.txt.

Run from the repository root::

    .venv/bin/python tools/build_notice_template.py            # writes templates/通知_厦工[2011]104号.docx
    .venv/bin/python tools/build_notice_template.py --out DIR  # writes DIR/通知_厦工[2011]104号.docx

The body text of a notice is campaign-specific, so it lives in the template, not in code:
next year's campaign is a new campaign.yaml plus a copy of this template edited in Word or
WPS (saved as ``templates/通知_<文号>.docx``, or ``templates/通知.docx``). This script only
produced this year's template from the text of the notice; it is not needed again.

The values that campaign.yaml holds are tags (docs: :mod:`formkit.forms.notice` lists them all):
``{{ 发文机关 }}`` (发文机关标志 and 署名), ``{{ 文号 }}`` (发文字号), ``{{ 资金使用截止 }}`` and
``{{ 上报截止 }}`` (§三.2, §四.3), ``{{ 周报起 }}``, ``{{ 周报止 }}`` and ``{{ 周报日简称 }}`` (§四.3),
``{{ 成文日期 }}`` and, on the cover sheet, ``{{ 送达单位 }}`` (this copy's addressee). A
sentence is replaced only where the notice means exactly that value: the 2011年12月31日 of
§四.1 (the archive check) is another deadline that happens to fall on the same day as
资金使用截止, and stays text. Every replacement is asserted to happen exactly as often as
expected, so a changed notice.txt fails loudly instead of building a wrong template.

Layout: GB/T 9704-2012《党政机关公文格式》 —

* A4; 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm (so bottom 35 mm, outer 26 mm), with
  mirrored margins because 公文 is printed on both sides (GB/T 9704 8.2: 双面印刷), so the
  订口 is always the binding edge; 22 lines of 28 characters (3号 = 16 pt): a line grid
  and exact line spacing of 225 mm / 22 = 579 twips, and characters set 0.3 pt tighter
  (156 mm / 28 = 15.79 pt < 16 pt). Not a character grid (``linesAndChars`` with
  ``w:charSpace`` −849): Word squeezes 16 pt characters into its 15.79 pt cells, but
  LibreOffice gives each character two cells, 14 to a line.
* 版头 (7.2): 发文机关标志 centred, red, 方正小标宋简体, its top 35 mm below the 版心's top;
  发文字号 centred two lines under it in 3号仿宋_GB2312; a red separator line as wide as the
  版心 4 mm under the 发文字号 (a bottom border of that paragraph).
* 主体 (7.3): 标题 two lines under the red line, 2号方正小标宋简体, centred, broken where the
  words allow (梯形); 主送机关 one line under it, flush left, ending in a full-width colon;
  正文 3号仿宋_GB2312, each paragraph indented two characters; 结构层次 一、 in 黑体 (first
  level), 1、 in 仿宋 (the notice's own numbering is kept as issued, including its second
  “三、”); 附件说明 one line under the 正文, indented two characters, each further 附件 aligned
  on the first one's number; 发文机关署名 centred over the 成文日期, which ends four
  characters from the right (7.3.5.1: the seal covers both).
* 页码 (7.5.1): 4号宋体 half-width digits between em dashes, odd pages right and even pages
  left, one character in, in the footer about 7 mm under the 版心.
* 版记 (抄送, 印发机关和印发日期) is left out: the notice text names none.

The copy for each addressee starts with a cover sheet (section 1, no page number) with
“送：{{ 送达单位 }}”, followed by an empty reverse page, so that the notice itself — identical in
every copy, its 主送 line the collective 各区工会、各产业工会工委 as issued — starts on a new
sheet when printed on both sides and its pages are numbered from 1.

Every run names its font in ``w:rFonts`` ascii/hAnsi/eastAsia/cs (design.md: python-docx
leaves ``w:eastAsia`` unset and Chinese falls back to another font); each tag sits inside one
run of the paragraph's font. The package is written from scratch (a few KB, fixed zip
timestamps: an unchanged build gives the same bytes).
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTICE_TXT = REPO_ROOT / "docs" / "notice.txt"
DEFAULT_OUT = REPO_ROOT / "templates"
TEMPLATE_NAME = "通知_厦工[2011]104号.docx"

# ------------------------------------------------------------------ fonts, sizes, geometry

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"

#: Chinese type sizes in half-points (w:sz): 初号 42 pt, 二号 22, 三号 16, 四号 14.
SIZE_CHUHAO = 84
SIZE_ERHAO = 44
SIZE_SANHAO = 32
SIZE_SIHAO = 28

RED = "FF0000"


def mm(value: float) -> int:
    """Millimetres to twips (1/1440 inch)."""
    return round(value / 25.4 * 1440)


PAGE_W, PAGE_H = 11906, 16838  # A4 in twips
TOP, BOTTOM, INNER, OUTER = mm(37), mm(35), mm(28), mm(26)
LINE = 579  # 225 mm / 22 lines, in twips
CHAR = 316  # 156 mm / 28 characters, in twips
TIGHTEN = -6  # w:spacing of every run, in twentieths of a point: 16 pt − 0.3 pt, 28 to a 156 mm line
FOOTER = mm(25)  # footer baseline area: the 一字线 of the page number ≈ 7 mm under the 版心

# ------------------------------------------------------------------ XML pieces

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def run(text: str, font: str = FANGSONG, size: int = SIZE_SANHAO, *, color: str | None = None, spacing: int = TIGHTEN) -> str:
    """One run with its font named for every script (w:eastAsia included)."""
    props = f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}" w:hint="eastAsia"/>'
    if color:
        props += f'<w:color w:val="{color}"/>'
    if spacing:
        props += f'<w:spacing w:val="{spacing}"/>'
    props += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    parts = text.split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(p)}</w:t>' for p in parts)
    return f"<w:r><w:rPr>{props}</w:rPr>{body}</w:r>"


def para(
    runs: str = "",
    *,
    jc: str = "both",
    first_line_chars: int = 0,
    left: int = 0,
    hanging: int = 0,
    right: int = 0,
    line: int = LINE,
    line_rule: str = "exact",
    before: int = 0,
    grid: bool = True,
    border_bottom: str = "",
    sect: str = "",
    mark_font: str = FANGSONG,
    mark_size: int = SIZE_SANHAO,
    keep_next: bool = False,
) -> str:
    """One paragraph; the paragraph mark carries a font too, so an empty line keeps its height."""
    ppr = ""
    if keep_next:
        ppr += "<w:keepNext/>"
    if border_bottom:
        ppr += f"<w:pBdr>{border_bottom}</w:pBdr>"
    if not grid:
        ppr += '<w:snapToGrid w:val="0"/>'
    ppr += f'<w:spacing w:before="{before}" w:after="0" w:line="{line}" w:lineRule="{line_rule}"/>'
    ind = []
    if first_line_chars:
        ind.append(f'w:firstLineChars="{first_line_chars * 100}" w:firstLine="{first_line_chars * CHAR}"')
    if left:
        ind.append(f'w:left="{left}"')
    if hanging:
        ind.append(f'w:hanging="{hanging}"')
    if right:
        ind.append(f'w:right="{right}"')
    if ind:
        ppr += f"<w:ind {' '.join(ind)}/>"
    ppr += f'<w:jc w:val="{jc}"/>'
    mark = (
        f'<w:rPr><w:rFonts w:ascii="{mark_font}" w:hAnsi="{mark_font}" w:eastAsia="{mark_font}" w:cs="{mark_font}" w:hint="eastAsia"/>'
        f'<w:sz w:val="{mark_size}"/><w:szCs w:val="{mark_size}"/></w:rPr>'
    )
    return f"<w:p><w:pPr>{ppr}{mark}{sect}</w:pPr>{runs}</w:p>"


def blank(lines: int = 1) -> str:
    """Empty 3号 lines of the grid (GB/T 9704's 空一行, 空二行)."""
    return "".join(para() for _ in range(lines))


def page_setup(*, footers: bool, restart: bool) -> str:
    """The w:sectPr children shared by both sections: A4, GB/T 9704 margins, 22×28 grid."""
    refs = (
        '<w:footerReference w:type="default" r:id="rIdFooterOdd"/><w:footerReference w:type="even" r:id="rIdFooterEven"/>'
        if footers
        else ""
    )
    numbering = '<w:pgNumType w:fmt="decimal" w:start="1"/>' if restart else ""
    return (
        f'{refs}<w:type w:val="nextPage"/>'
        f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
        f'<w:pgMar w:top="{TOP}" w:right="{OUTER}" w:bottom="{BOTTOM}" w:left="{INNER}" w:header="851" w:footer="{FOOTER}" w:gutter="0"/>'
        f"{numbering}"
        f'<w:cols w:space="425"/>'
        f'<w:docGrid w:type="lines" w:linePitch="{LINE}"/>'
    )


# ------------------------------------------------------------------ reading the notice


@dataclass
class Notice:
    """The notice's parts, as docs/notice.txt has them (before 附件1's own pages)."""

    number: str
    title: str
    addressees: str
    body: list[str]
    annexes: list[str]


def read_notice(path: Path = NOTICE_TXT) -> Notice:
    """Split docs/notice.txt into 文号, 标题, 主送, 正文 paragraphs and 附件说明 items.

    Raises:
        SystemExit: the text does not have the expected shape.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    end = next(i for i, line in enumerate(lines) if line.strip() == "附件1")
    text = [line.strip() for line in lines[:end]]
    filled = [line for line in text if line]
    number, title, addressees = filled[0], filled[1], filled[2]
    if not (number.endswith("号") and title.endswith("通知") and addressees.endswith("：")):
        raise SystemExit(f"{path}: unexpected opening lines: {filled[:3]}")
    rest = filled[3:]
    start = next(i for i, line in enumerate(rest) if line.startswith("附件："))
    body = rest[:start]
    annexes = [re.sub(r"^附件：", "", line) for line in rest[start:]]
    if [a.split("、", 1)[0] for a in annexes] != ["1", "2", "3", "4"]:
        raise SystemExit(f"{path}: expected 附件 1–4, got {annexes}")
    return Notice(number, title, addressees, body, annexes)


#: Literal text of the notice → the tag that prints the same from campaign.yaml, and how many
#: times the notice has it. See the module docstring for why 2011年12月31日 in §四.1 stays.
SUBSTITUTIONS: list[tuple[str, str, int]] = [
    ("于2011年12月31日前全部用完，在2012年1月6日前", "于{{ 资金使用截止 }}前全部用完，在{{ 上报截止 }}前", 1),
    ("在2011年12月1日至2012年1月22日期间于每周五上报", "在{{ 周报起 }}至{{ 周报止 }}期间于每{{ 周报日简称 }}上报", 1),
    ("务必在2012年1月6日前将", "务必在{{ 上报截止 }}前将", 1),
]

#: The title broken as a 梯形 (GB/T 9704 7.3.1): no word split, the longer line on top.
TITLE_BREAK = ("关于2012年元旦春节期间", "开展送温暖活动的通知")


def tagged_body(body: list[str]) -> list[str]:
    """The 正文 paragraphs with campaign values replaced by tags (each exactly as often as expected)."""
    joined = "\n".join(body)
    for literal, tag, count in SUBSTITUTIONS:
        found = joined.count(literal)
        if found != count:
            raise SystemExit(f"notice.txt: expected {count}× {literal!r}, found {found}")
        joined = joined.replace(literal, tag)
    return joined.split("\n")


# ------------------------------------------------------------------ the document


LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")


def cover_sheet() -> str:
    """Section 1: the addressee's cover sheet and its empty reverse page."""
    parts = [blank(6)]
    parts.append(para(run("送：{{ 送达单位 }}", HEITI, SIZE_ERHAO), jc="left", line=800, grid=False, mark_font=HEITI, mark_size=SIZE_ERHAO))
    parts.append(blank(3))
    for label, value in (("发文机关", "{{ 发文机关 }}"), ("文　　号", "{{ 文号 }}"), ("内　　容", "通知一份；附件1—4空白表格各一份")):
        parts.append(para(run(f"{label}：{value}"), jc="left", left=2 * CHAR))
    # Page break: the reverse of the cover stays empty (double-sided printing, GB/T 9704 8.2).
    parts.append(para('<w:r><w:br w:type="page"/></w:r>'))
    parts.append(para())
    parts.append(para(sect=f"<w:sectPr>{page_setup(footers=False, restart=False)}</w:sectPr>"))
    return "".join(parts)


def notice_body(notice: Notice) -> str:
    """Section 2: 版头, 主体 (GB/T 9704 7.2, 7.3)."""
    parts = []
    # 发文机关标志: red, centred, top edge 35 mm under the 版心's top.
    parts.append(
        para(
            run("{{ 发文机关 }}", XIAOBIAOSONG, SIZE_CHUHAO, color=RED, spacing=20),
            jc="center",
            line=240,
            line_rule="auto",
            before=mm(35) - 240,
            grid=False,
            mark_font=XIAOBIAOSONG,
            mark_size=SIZE_CHUHAO,
        )
    )
    parts.append(blank(2))
    # 发文字号, and the red separator line 4 mm under it, as wide as the 版心.
    red_line = f'<w:bottom w:val="single" w:sz="12" w:space="11" w:color="{RED}"/>'
    parts.append(para(run("{{ 文号 }}"), jc="center", border_bottom=red_line))
    parts.append(blank(2))
    title = "\n".join(TITLE_BREAK)
    if "".join(TITLE_BREAK) != notice.title:
        raise SystemExit(f"TITLE_BREAK does not spell the title {notice.title!r}")
    parts.append(
        para(run(title, XIAOBIAOSONG, SIZE_ERHAO), jc="center", line=700, grid=False, mark_font=XIAOBIAOSONG, mark_size=SIZE_ERHAO)
    )
    parts.append(blank(1))
    parts.append(para(run(notice.addressees), jc="both"))
    for text in tagged_body(notice.body):
        if LEVEL1.match(text):
            parts.append(para(run(text, HEITI), first_line_chars=2, keep_next=True, mark_font=HEITI))
        else:
            parts.append(para(run(text), first_line_chars=2))
    # 附件说明: “附件：1、…”, the next numbers under the first, wrapped names under the name.
    parts.append(blank(1))
    number_at = 2 * CHAR + 3 * CHAR  # “附件：” is three characters, after the two-character indent
    name_at = number_at + 2 * CHAR  # “1、” is two characters
    for i, annex in enumerate(notice.annexes):
        text = ("附件：" if i == 0 else "") + annex
        parts.append(para(run(text), jc="left", left=name_at, hanging=name_at - (2 * CHAR if i == 0 else number_at)))
    # 发文机关署名 centred over the 成文日期; the date ends four characters from the right. Two
    # empty lines: the seal (about four lines high) starts within a line of the text above
    # and has the signature and the date below its centre (GB/T 9704 7.3.5.1).
    parts.append(blank(2))
    parts.append(signature_table())
    # Word needs a paragraph after a table; a 1 pt one, so it never spills onto a page of its own.
    parts.append(para(line=20, grid=False, mark_size=2))
    return "".join(parts)


def signature_table() -> str:
    """A borderless two-column table: the signature and the date centred in the left column,
    an empty right column four characters wide (GB/T 9704 7.3.5.1: 成文日期 右空四字)."""
    name_w, gap_w = 9 * CHAR, 4 * CHAR
    none = "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))

    def cell(width: int, content: str) -> str:
        return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{content}</w:tc>'

    def row(text: str) -> str:
        return (
            f'<w:tr><w:trPr><w:trHeight w:val="{LINE}" w:hRule="exact"/></w:trPr>'
            + cell(name_w, para(run(text), jc="center"))
            + cell(gap_w, para())
            + "</w:tr>"
        )

    return (
        "<w:tbl><w:tblPr>"
        f'<w:tblW w:w="{name_w + gap_w}" w:type="dxa"/><w:jc w:val="right"/>'
        f"<w:tblBorders>{none}</w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr>"
        f'<w:tblGrid><w:gridCol w:w="{name_w}"/><w:gridCol w:w="{gap_w}"/></w:tblGrid>'
        + row("{{ 发文机关 }}")
        + row("{{ 成文日期 }}")
        + "</w:tbl>"
    )


def document_xml(notice: Notice) -> str:
    body = cover_sheet() + notice_body(notice) + f"<w:sectPr>{page_setup(footers=True, restart=True)}</w:sectPr>"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>{body}</w:body></w:document>'
    )


def footer_xml(odd: bool) -> str:
    """Page number “— N —” in 4号 half-width 宋体: odd pages right, even pages left, one character in."""
    dash = run("— ", SONGTI, SIZE_SIHAO)
    field = f'<w:fldSimple w:instr=" PAGE \\* MERGEFORMAT ">{run("1", SONGTI, SIZE_SIHAO)}</w:fldSimple>'
    content = dash + field + run(" —", SONGTI, SIZE_SIHAO)
    p = para(
        content,
        jc="right" if odd else "left",
        right=CHAR if odd else 0,
        left=0 if odd else CHAR,
        line=240,
        line_rule="auto",
        grid=False,
        mark_font=SONGTI,
        mark_size=SIZE_SIHAO,
    )
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{W_NS}" xmlns:r="{R_NS}">{p}</w:ftr>'


def styles_xml() -> str:
    rfonts = f'<w:rFonts w:ascii="{FANGSONG}" w:hAnsi="{FANGSONG}" w:eastAsia="{FANGSONG}" w:cs="{FANGSONG}"/>'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:styles xmlns:w="{W_NS}">'
        f'<w:docDefaults><w:rPrDefault><w:rPr>{rfonts}<w:spacing w:val="{TIGHTEN}"/><w:kern w:val="2"/><w:sz w:val="{SIZE_SANHAO}"/><w:szCs w:val="{SIZE_SANHAO}"/>'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        f'<w:pPrDefault><w:pPr><w:widowControl w:val="0"/><w:spacing w:line="{LINE}" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr></w:pPrDefault>'
        "</w:docDefaults>"
        # Normal repeats the defaults: LibreOffice sizes the character grid from this style.
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>'
        f'<w:pPr><w:widowControl w:val="0"/><w:spacing w:line="{LINE}" w:lineRule="exact"/><w:jc w:val="both"/></w:pPr>'
        f'<w:rPr>{rfonts}<w:spacing w:val="{TIGHTEN}"/><w:kern w:val="2"/><w:sz w:val="{SIZE_SANHAO}"/><w:szCs w:val="{SIZE_SANHAO}"/></w:rPr></w:style>'
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>'
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/>'
        '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
        "</w:styles>"
    )


def settings_xml() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:settings xmlns:w="{W_NS}">'
        "<w:mirrorMargins/>"
        '<w:defaultTabStop w:val="420"/>'
        "<w:evenAndOddHeaders/>"
        '<w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
        '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>'
        "</w:settings>"
    )


def font_table_xml() -> str:
    """Fonts with their alternates: Word uses w:altName on a PC without the font."""
    fonts = [
        (FANGSONG, "仿宋", "modern"),
        (XIAOBIAOSONG, SONGTI, "roman"),
        (HEITI, "SimHei", "modern"),
        (SONGTI, "SimSun", "auto"),
    ]
    body = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/><w:family w:val="{family}"/><w:pitch w:val="fixed"/></w:font>'
        for name, alt, family in fonts
    )
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts xmlns:w="{W_NS}">{body}</w:fonts>'


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>'
    '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
    '<Override PartName="/word/footer2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)

PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)

DOCUMENT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    '<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>'
    '<Relationship Id="rIdFonts" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>'
    '<Relationship Id="rIdFooterOdd" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>'
    '<Relationship Id="rIdFooterEven" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer2.xml"/>'
    "</Relationships>"
)

CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>通知（formkit 模板）</dc:title><dc:creator>formkit</dc:creator>"
    "</cp:coreProperties>"
)

APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>formkit</Application></Properties>'
)


def build(out_dir: Path, notice_txt: Path = NOTICE_TXT) -> Path:
    """Write the template into ``out_dir`` and return its path."""
    notice = read_notice(notice_txt)
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "docProps/core.xml": CORE,
        "docProps/app.xml": APP,
        "word/document.xml": document_xml(notice),
        "word/_rels/document.xml.rels": DOCUMENT_RELS,
        "word/styles.xml": styles_xml(),
        "word/settings.xml": settings_xml(),
        "word/fontTable.xml": font_table_xml(),
        "word/footer1.xml": footer_xml(odd=True),
        "word/footer2.xml": footer_xml(odd=False),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / TEMPLATE_NAME
    tmp = target.with_name(f".~{target.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    tmp.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write the template into")
    parser.add_argument("--notice", type=Path, default=NOTICE_TXT, help="the notice text (docs/notice.txt)")
    args = parser.parse_args(argv)
    print(build(args.out, args.notice))
    return 0


if __name__ == "__main__":
    sys.exit(main())
