"""The four annex templates: built by tools/build_templates.py, faithful to the notice,
using only the fields of docs/templates.md, and rendering as the forms print.

The labels are read from tests/data/notice_annexes.txt (the notice's own text), the
allowed tags from docs/templates.md (the contract with the renderer): neither list is
copied from the build script.  People and numbers in the sample contexts are fictional.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, nodes
from jinja2.sandbox import SandboxedEnvironment

from conftest import TEMPLATES, require_tools

ROOT = Path(__file__).resolve().parent.parent
NOTICE = Path(__file__).parent / "data" / "notice_annexes.txt"
CONTRACT = ROOT / "docs" / "templates.md"
FONTS_CONF = ROOT / "tools" / "fonts.conf"

FILES = {
    1: "附件1_慰问金发放凭证.docx",
    2: "附件2_实名制发放凭证汇总表.docx",
    3: "附件3_困难职工档案登记表.docx",
    4: "附件4_企业工资拖欠情况周报表.docx",
}
CHINESE_FONTS = {"宋体", "仿宋_GB2312", "黑体"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def _load_builder() -> Any:
    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "tools" / "build_templates.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The templates freshly built by the script into a temporary folder."""
    out = tmp_path_factory.mktemp("templates")
    _load_builder().build_all(out)
    return out


def _part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def _body_text(path_or_bytes: Path | bytes) -> str:
    """All paragraph text of the body (tables included) in document order, joined."""
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    doc = Document(io.BytesIO(data))
    return "".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in doc.element.body.iter(qn("w:p")))


# ---------------------------------------------------------------------------------------
# The script and the committed files
# ---------------------------------------------------------------------------------------
def _parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return sorted(zf.namelist())


@pytest.mark.parametrize("number", FILES)
def test_committed_template_is_what_the_script_builds(built: Path, number: int) -> None:
    committed, fresh = TEMPLATES / FILES[number], built / FILES[number]
    assert committed.exists(), f"{committed} missing: run tools/build_templates.py"
    assert _parts(committed) == _parts(fresh)
    for part in _parts(fresh):  # the footer of 附件2 too
        assert _part(committed, part) == _part(fresh, part), (
            f"{FILES[number]}: {part} differs from what tools/build_templates.py builds; "
            "regenerate the templates (or fix the script) and commit both"
        )


@pytest.mark.parametrize("number", FILES)
def test_template_is_slim(number: int) -> None:
    path = TEMPLATES / FILES[number]
    assert path.stat().st_size < 20_000, "a template should not carry python-docx's 800 KB"
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert not any("theme" in n or "stylesWithEffects" in n for n in names), names


# ---------------------------------------------------------------------------------------
# Labels of the notice, in order
# ---------------------------------------------------------------------------------------
#: Example values the notice prints inside a label (the roster's title names 生活救助);
#: the template prints a tag there instead.
EXAMPLE_VALUES = {2: ("生活救助",)}


def notice_labels(number: int) -> list[str]:
    """Every printed label of annex ``number`` in the notice, in order.

    A cell's fill-in blanks (runs of spaces, the full-width space of an empty cell) separate
    labels; a single space inside a label ("1． 困难类别", "困 难 职 工") does not.
    """
    text = "\n".join(line for line in NOTICE.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    parts = re.split(r"(?m)^\s*(附件[1-4])\s*$", text)
    sections = dict(zip(parts[1::2], parts[2::2]))
    labels = [f"附件{number}"]
    for line in sections[f"附件{number}"].splitlines():
        for token in re.split(r"\s{2,}|\t", line.strip()):
            token = re.sub(r"\s+", "", token)
            for example in EXAMPLE_VALUES.get(number, ()):
                token = token.replace(example, "\0")
            labels += [t for t in token.split("\0") if t]
    return labels


def test_notice_labels_are_read() -> None:
    # A check on the reader itself, with labels a person sees on the printed forms.
    assert notice_labels(1)[:4] == ["附件1", "2012年元旦春节送温暖活动慰问金发放凭证", "姓", "名"]
    assert "18家" in notice_labels(3) and "21致困主要原因" in notice_labels(3)
    assert notice_labels(4)[-1] == "（具体案例所涉及企业等情况请另附文字说明）"
    assert "生活救助" not in "".join(notice_labels(2))


@pytest.mark.parametrize("number", FILES)
def test_every_label_of_the_notice_in_order(number: int) -> None:
    text = re.sub(r"\s+", "", TAG.sub("", _body_text(TEMPLATES / FILES[number])))
    pos = 0
    for label in notice_labels(number):
        found = text.find(label, pos)
        assert found >= 0, f"{FILES[number]}: label {label!r} missing or out of order; template text from there: {text[pos : pos + 60]!r}"
        pos = found + len(label)


def test_filling_instructions_verbatim_on_their_own_page() -> None:
    doc = Document(io.BytesIO(render(3, registration_context(1, instructions=True))))
    paragraphs = doc.paragraphs
    title = next(i for i, p in enumerate(paragraphs) if p.text.replace(" ", "") == "困难职工档案填表说明")
    assert paragraphs[title].paragraph_format.page_break_before
    items = [p.text for p in paragraphs[title + 1 :] if p.text.strip()]
    notice = NOTICE.read_text(encoding="utf-8")
    start = notice.index("困 难 职 工 档 案 填 表 说 明")
    expected = [line for line in notice[start : notice.index("附件4", start)].splitlines()[1:] if line.strip()]
    assert items == expected
    assert len(items) == 21


# ---------------------------------------------------------------------------------------
# Tags: only fields of docs/templates.md
# ---------------------------------------------------------------------------------------
def _resolve(name: str, scope: dict[str, str]) -> str:
    head, _, rest = name.partition(".")
    base = scope.get(head, head)
    return f"{base}.{rest}" if rest else base


def contract_fields() -> dict[str, set[str]]:
    """Field paths per section of docs/templates.md ("every", 1, 2, 3, 4).

    A path is dotted; a loop's item is written ``list[]``: ``分页[].行[].序号``.  A row
    saying "likewise for `A`, `B`" or "…" stands for the same figures (拖欠数额, 涉及企业数,
    涉及人数: every last part of the section's three-part paths) under its own name and
    under A and B.
    """
    text = CONTRACT.read_text(encoding="utf-8")
    fields: dict[str, set[str]] = {}
    for block in re.split(r"(?m)^## ", text)[1:]:
        heading, _, body = block.partition("\n")
        m = re.match(r"附件(\d)", heading)
        key = m.group(1) if m else "every"
        scope: dict[str, str] = {}
        paths: set[str] = set()
        repeated: list[tuple[set[str], list[str]]] = []
        for line in body.splitlines():
            row: set[str] = set()
            spans = re.findall(r"`([^`]+)`", line)
            for span in spans:
                loop = re.search(r"for\s+(\w+)\s+in\s+([\w.]+)", span)
                if loop:
                    target = _resolve(loop.group(2), scope)
                    row.add(target)
                    scope[loop.group(1)] = target + "[]"
                    continue
                for tag in re.findall(r"\{\{\s*([\w.]+)\s*\}\}", span):
                    row.add(_resolve(tag, scope))
                for tag in re.findall(r"\{%[pr]?\s*if\s+([\w.]+)\s*%\}", span):
                    row.add(_resolve(tag, scope))
                if re.fullmatch(r"[\w]+(\.[\w]+)+", span) and span.split(".")[0] in scope:
                    row.add(_resolve(span, scope))
            if "likewise for" in line or "…" in line:
                tail = line.split("likewise for", 1)[1] if "likewise for" in line else ""
                repeated.append((row, re.findall(r"`(\w+)`", tail)))
            paths |= row
        # "likewise for `A`, `B`" and "…": the same figures (last parts) for A and B
        lasts = {p.split(".")[2] for p in paths if p.count(".") == 2}
        for row, alternatives in repeated:
            for p in row:
                if p.count(".") == 2:
                    first, second, _ = p.split(".")
                    paths |= {f"{first}.{x}.{last}" for x in [second, *alternatives] for last in lasts}
        fields[key] = paths
    return fields


def _dotted(node: nodes.Node, scope: dict[str, str]) -> str | None:
    if isinstance(node, nodes.Name):
        return None if node.name == "loop" else scope.get(node.name, node.name)
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node, scope)
        return None if base is None else f"{base}.{node.attr}"
    return None


def _used(node: nodes.Node, scope: dict[str, str], out: set[str]) -> None:
    if isinstance(node, nodes.For):
        _used(node.iter, scope, out)
        iterable = _dotted(node.iter, scope)
        inner = dict(scope)
        assert isinstance(node.target, nodes.Name)
        inner[node.target.name] = f"{iterable}[]"
        for child in [*node.body, *node.else_] + ([node.test] if node.test else []):
            _used(child, inner, out)
        return
    if isinstance(node, (nodes.Name, nodes.Getattr)):
        path = _dotted(node, scope)
        if path is not None:
            out.add(path)
            return
        if isinstance(node, nodes.Name):  # loop
            return
    for child in node.iter_child_nodes():
        _used(child, scope, out)


def template_fields(path: Path) -> set[str]:
    """Every field path a template reads, after docxtpl's own XML patching."""
    tpl = DocxTemplate(str(path))
    xml = tpl.patch_xml(tpl.xml_to_string(Document(str(path)).element.body))
    out: set[str] = set()
    _used(SandboxedEnvironment().parse(xml), {}, out)
    return out


def test_contract_reader_reads_the_contract() -> None:
    fields = contract_fields()
    assert "单位.联系电话" in fields["every"]
    assert "大写位.仟" in fields["1"]
    assert "分页[].行[].序号" in fields["2"] and "分页[].末页" in fields["2"]
    assert "家庭成员行[].身份证号" in fields["3"] and "附件行[].附件文件" in fields["3"]
    assert "附填表说明" in fields["3"] and "案例说明" in fields["4"]
    assert "企业类型.其他类型企业.涉及人数" in fields["4"]
    assert "用工来源.其中建筑业农民工.拖欠数额" in fields["4"]


@pytest.mark.parametrize("number", FILES)
def test_every_tag_is_a_contract_field(number: int) -> None:
    fields = contract_fields()
    allowed = fields["every"] | fields[str(number)]
    used = template_fields(TEMPLATES / FILES[number])
    assert used, "no tags found"
    unknown = sorted(used - allowed)
    assert not unknown, f"{FILES[number]} uses fields not in docs/templates.md: {unknown}"
    # docxtpl's own check agrees on the top-level names
    tpl = DocxTemplate(str(TEMPLATES / FILES[number]))
    top = {p.split(".")[0].removesuffix("[]") for p in allowed}
    assert tpl.get_undeclared_template_variables() <= top


@pytest.mark.parametrize("number", FILES)
def test_each_tag_is_whole_in_one_run(number: int) -> None:
    xml = _part(TEMPLATES / FILES[number], "word/document.xml").decode()
    for text in re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml):
        opened = len(re.findall(r"\{\{|\{%", text))
        assert opened == len(TAG.findall(text)), f"tag split across runs: {text!r}"


# ---------------------------------------------------------------------------------------
# Page and fonts
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("number", FILES)
def test_a4(number: int) -> None:
    doc = Document(str(TEMPLATES / FILES[number]))
    pg_sz = doc.sections[0]._sectPr.find(qn("w:pgSz"))
    size = (int(pg_sz.get(qn("w:w"))), int(pg_sz.get(qn("w:h"))))
    if number == 2:
        assert size == (16838, 11906) and pg_sz.get(qn("w:orient")) == "landscape"
    else:
        assert size == (11906, 16838)


@pytest.mark.parametrize("number", FILES)
def test_east_asian_font_on_every_run_and_in_the_defaults(number: int) -> None:
    path = TEMPLATES / FILES[number]
    doc = Document(str(path))
    runs = list(doc.element.body.iter(qn("w:r")))
    assert runs
    for section in doc.sections:  # the footer's runs too (附件2's page numbers)
        for part in (section.footer, section.header):
            if not part.is_linked_to_previous:
                runs += list(part._element.iter(qn("w:r")))
    for r in runs:
        fonts = r.find(f"{W}rPr/{W}rFonts")
        assert fonts is not None and fonts.get(qn("w:eastAsia")) in CHINESE_FONTS, (
            f"run without a Chinese w:eastAsia font: {''.join(r.itertext())!r}"
        )
    styles = _part(path, "word/styles.xml").decode()
    defaults = re.search(r"<w:docDefaults>.*</w:docDefaults>", styles, re.S)
    assert defaults and re.search(r'w:eastAsia="(仿宋_GB2312|宋体)"', defaults.group(0))
    assert 'w:eastAsia="zh-CN"' in defaults.group(0)
    with zipfile.ZipFile(path) as zf:
        everything = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8")
    assert "ja-JP" not in everything and "Jpan" not in everything


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------
UNIT = {"填报单位": "厦门市思明区总工会", "单位类型": "区工会", "单位负责人": "陈建国", "填表人": "林晓燕", "联系电话": "0592-2051234"}
CAMPAIGN = {
    "活动名称": "2012年元旦春节送温暖活动",
    "文号": "厦工[2011]104号",
    "发文机关": "厦门市总工会",
    "资金使用截止": "2011年12月31日",
    "上报截止": "2012年1月6日",
}
COMMON = {"填报单位": UNIT["填报单位"], "单位": UNIT, "活动": CAMPAIGN}
#: 60 characters: the longest address the voucher must hold on one page.
ADDRESS_60 = "福建省厦门市思明区莲前街道前埔社区莲前东路一千二百三十四号之五前埔花园二期十八号楼二单元一千五百零二室靠北边那"
MEMBER_KEYS = ("姓名", "关系", "性别", "政治面貌", "出生日期", "身份证号", "健康状况", "月收入", "身份", "单位或学校")


def voucher_context(**extra: Any) -> dict[str, Any]:
    ctx = dict(
        COMMON,
        姓名="黄丽娟",
        性别="女",
        档案编号="SM-2011-0087",
        身份证号="350203196803120025",
        联系电话="13906001234",
        居住地址=ADDRESS_60,
        所在单位="厦门市思明区鹭岛纺织品进出口贸易有限公司（已停产）",
        致困原因="本人大病、子女上学、收入低无法维持基本生活",
        低保={"起年": "2011", "起月": "7", "起日": "1", "止年": "2012", "止月": "6", "止日": "30", "每月": "450.00"},
        其它帮扶措施="社区每月送米面油 & 医疗救助 <二次报销>",
        街道="莲前",
        资助金额="1409.50",
        资助金额大写="壹仟肆佰零玖元伍角整",
        大写位={"仟": "壹", "佰": "肆", "拾": "零", "元": "玖", "角": "伍", "分": "零"},
        帮扶项目="生活救助",
        资金来源="中央财政帮扶专项资金",
        发放日期="2012年1月6日",
    )
    ctx.update(extra)
    return ctx


def roster_context(n_rows: int, per_page: int = 15) -> dict[str, Any]:
    rows = [
        {
            "序号": str(i + 1),
            "姓名": f"王{'小明' if i % 2 else '芳'}",
            "性别": "男" if i % 2 else "女",
            "年龄": str(30 + i % 30),
            "身份证号": "35020319680312002X",
            "工作单位或家庭住址": "厦门市思明区鹭江道8号",
            "帮扶金额": "1000.00",
            "家庭联系电话": "0592-5551234",
            "资金来源": "中央财政帮扶专项资金",
            "备注": "",
        }
        for i in range(n_rows)
    ]
    chunks = [rows[i : i + per_page] for i in range(0, len(rows), per_page)] or [[]]
    pages = [{"行": c, "页码": str(k + 1), "总页数": str(len(chunks)), "末页": k == len(chunks) - 1} for k, c in enumerate(chunks)]
    return dict(
        COMMON,
        帮扶项目="生活救助",
        分页=pages,
        行=rows,
        合计={"人数": str(n_rows), "帮扶金额": f"{1000 * n_rows}.00", "帮扶金额大写": "（略）"},
    )


def registration_context(n_members: int, *, instructions: bool = False) -> dict[str, Any]:
    members = [
        {
            "姓名": f"张家{i}",
            "关系": "儿子",
            "性别": "男",
            "政治面貌": "群众",
            "出生日期": "1995年3月12日",
            "身份证号": f"35020319950312{i:03d}1"[:18],
            "健康状况": "良好",
            "月收入": "0.00",
            "身份": "初中",
            "单位或学校": f"厦门市第{i}中学",
        }
        for i in range(1, n_members + 1)
    ]
    # The contract: "at least 5 rows (blank rows added)" — the renderer pads, as here.
    members += [dict.fromkeys(MEMBER_KEYS, "") for _ in range(5 - len(members))]
    return dict(
        COMMON,
        困难类别="低保户",
        姓名="黄丽娟",
        民族="汉族",
        性别="女",
        政治面貌="群众",
        出生日期="1968年3月12日",
        身份证号="350203196803120025",
        健康状况="残病",
        残疾类别="肢体三级",
        身份="下（待）岗",
        劳模类型="非劳模",
        住房类型="承租单位公房",
        建筑面积="20至50",
        邮政编码="361008",
        联系电话="0592-5551234",
        工作时间="1986年9月1日",
        所属行业="纺织系统",
        婚姻状况="已婚",
        户口类型="非农业",
        家庭住址=ADDRESS_60,
        工作单位="厦门市思明区鹭岛纺织品进出口贸易有限公司",
        单位性质="民营/私营/个体企业",
        企业状况="关闭破产企业",
        是否单亲="否",
        本人月平均收入="850.00",
        家庭年度总收入="24000.00",
        家庭人口=str(n_members + 1),
        家庭年人均收入="8000.00",
        户口所在地行政区划="福建省厦门市思明区",
        是否进入医保="是",
        是否有一定自救能力="否",
        是否为零就业家庭="否",
        致困主要原因="本人大病、子女上学",
        备注="A & B <c>\n第二行",
        档案编号="SM-2011-0087",
        档案状态="在档",
        家庭成员行=members,
        附件行=[{"附件类型": "低保证", "附件文件": "低保证.jpg"}, {"附件类型": "", "附件文件": ""}],
        附填表说明=instructions,
        续页={"家庭成员行": [], "备注": ""},
    )


def weekly_context(case: str) -> dict[str, Any]:
    def fig(a: str, b: str, c: str) -> dict[str, str]:
        return {"拖欠数额": a, "涉及企业数": b, "涉及人数": c}

    return dict(
        COMMON,
        时间={"年": "2011", "月": "12", "日": "2"},
        企业类型={"国有企业": fig("0", "0", "0"), "集体企业": fig("1.2", "1", "15"), "其他类型企业": fig("12.5", "3", "86")},
        用工来源={"城镇职工": fig("3.0", "2", "20"), "农民工": fig("10.7", "3", "81"), "其中建筑业农民工": fig("8.2", "2", "60")},
        单位负责人="陈建国",
        填表人="林晓燕",
        联系电话="0592-2051234",
        报出日期="2011年12月2日",
        案例说明=case,
    )


def render(number: int, ctx: dict[str, Any], out: Path | None = None) -> bytes:
    """Render a committed template as the renderer does (sandboxed, autoescape, strict)."""
    tpl = DocxTemplate(str(TEMPLATES / FILES[number]))
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    tpl.render(ctx, env, autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    if out is not None:
        out.write_bytes(buf.getvalue())
    return buf.getvalue()


def _tc_text(tc: Any) -> str:
    return "".join(t.text or "" for t in tc.iter(qn("w:t")))


def _vmerge(tc: Any) -> str | None:
    v = tc.find(f"{W}tcPr/{W}vMerge")
    return None if v is None else (v.get(qn("w:val")) or "continue")


def _every_cell_has_a_paragraph(data: bytes) -> None:
    body = Document(io.BytesIO(data)).element.body
    for tc in body.iter(qn("w:tc")):
        assert tc.find(qn("w:p")) is not None, "a cell with no paragraph (Word rejects it)"


@pytest.mark.parametrize(("members", "rows"), [(1, 5), (5, 5), (8, 8)])
def test_family_rows_and_the_merged_label(members: int, rows: int) -> None:
    data = render(3, registration_context(members))
    _every_cell_has_a_paragraph(data)
    doc = Document(io.BytesIO(data))
    table = doc.tables[0]
    trs = table._tbl.tr_lst
    head = next(i for i, tr in enumerate(trs) if _tc_text(tr.tc_lst[0]) == "18家庭成员关系")
    assert _vmerge(trs[head].tc_lst[0]) == "restart"
    family = []
    for tr in trs[head + 1 :]:
        if _vmerge(tr.tc_lst[0]) != "continue":
            break
        family.append(tr)
    assert len(family) == rows
    assert _tc_text(trs[head + 1 + rows].tc_lst[0]).startswith("19")
    # python-docx resolves the merge: the label cell is the same cell on every member row
    label = table.cell(head, 0)._tc
    assert all(table.cell(head + 1 + k, 0)._tc is label for k in range(rows))
    # each member's values in its own row, in the header's column order
    header = [_tc_text(tc) for tc in trs[head].tc_lst[1:]]
    assert header == list(MEMBER_KEYS)
    ctx = registration_context(members)
    for tr, member in zip(family, ctx["家庭成员行"]):
        assert [_tc_text(tc) for tc in tr.tc_lst[1:]] == [member[k] for k in MEMBER_KEYS]
    # the attachments: header + 2 rows under the merged 所附附件
    att = next(i for i, tr in enumerate(trs) if _tc_text(tr.tc_lst[0]) == "所附附件")
    merge = [_vmerge(trs[att + k].tc_lst[0]) for k in range(3)]
    assert merge == ["restart", "continue", "continue"]
    assert _tc_text(trs[att + 3].tc_lst[0]) == "备注"
    text = _body_text(data)
    assert "A & B <c>" in text and ctx["家庭住址"] in text


@pytest.mark.parametrize(("n_rows", "pages"), [(1, 1), (15, 1), (33, 3)])
def test_roster_one_table_per_page(n_rows: int, pages: int) -> None:
    data = render(2, roster_context(n_rows))
    _every_cell_has_a_paragraph(data)
    doc = Document(io.BytesIO(data))
    assert len(doc.tables) == pages
    seen = 0
    for k, table in enumerate(doc.tables):
        trs = table._tbl.tr_lst
        assert trs[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert [_tc_text(tc) for tc in trs[0].tc_lst][:5] == ["序号", "姓名", "性别", "年龄", "身份证号"]
        last = k == pages - 1
        totals = [tr for tr in trs if _tc_text(tr.tc_lst[0]) == "合计"]
        assert len(totals) == (1 if last else 0)
        body_rows = len(trs) - 1 - len(totals)
        assert body_rows == min(15, n_rows - seen)
        seen += body_rows
    assert seen == n_rows
    # every page starts on a new page; "附件2" heads the first only
    starts = [p for p in doc.paragraphs if p.paragraph_format.page_break_before]
    assert len(starts) == pages
    assert [p.text for p in starts] == ["附件2"] + [""] * (pages - 1)
    assert _body_text(data).count("汇总表（帮扶项目：生活救助）") == pages


def _mm(tc: Any) -> float:
    return int(tc.find(f"{W}tcPr/{W}tcW").get(qn("w:w"))) * 25.4 / 1440


def _cell_margins_mm(table: Any) -> float:
    """Left plus right cell margin of a table (w:tblCellMar), mm."""
    mar = table._tbl.tblPr.find(f"{W}tblCellMar")
    return sum(int(mar.find(f"{W}{side}").get(qn("w:w"))) for side in ("left", "right")) * 25.4 / 1440


def _font_pt(tc: Any) -> float:
    sizes = {int(sz.get(qn("w:val"))) / 2 for sz in tc.iter(qn("w:sz"))}
    assert len(sizes) == 1, sizes
    return sizes.pop()


def test_roster_column_widths() -> None:
    """备注 holds 8 Chinese characters a line; the address column does not take the table.

    (That 身份证号 holds 18 characters is measured on the PDF: it depends on the font.)
    """
    table = Document(io.BytesIO(render(2, roster_context(1)))).tables[0]
    header, row = table._tbl.tr_lst[0], table._tbl.tr_lst[1]
    labels = [_tc_text(tc) for tc in header.tc_lst]
    widths = dict(zip(labels, (_mm(tc) for tc in row.tc_lst)))
    total = sum(widths.values())
    note = row.tc_lst[labels.index("备注")]
    usable = widths["备注"] - _cell_margins_mm(table)
    assert usable >= 8 * _font_pt(note) * 25.4 / 72, widths
    assert widths["工作单位或家庭住址"] <= 0.25 * total, widths


def test_roster_page_numbers_are_word_fields_in_the_footer() -> None:
    """第 x 页 共 y 页 comes from PAGE and NUMPAGES (the sheets), not 页.页码/页.总页数."""
    used = template_fields(TEMPLATES / FILES[2])
    assert not {"分页[].页码", "分页[].总页数"} & used, "the renderer's page count is not the sheets'"
    assert "分页[].页码" in contract_fields()["2"], "the contract keeps them for other templates"
    doc = Document(io.BytesIO(render(2, roster_context(33))))
    section = doc.sections[0]
    footer = section.footer
    assert not footer.is_linked_to_previous
    xml = footer._element.xml
    instructions = [t.text.strip() for t in footer._element.iter(qn("w:instrText"))]
    simple = [f.get(qn("w:instr")).strip() for f in footer._element.iter(qn("w:fldSimple"))]
    assert instructions + simple == ["PAGE", "NUMPAGES"], xml
    text = "".join(t.text for t in footer._element.iter(qn("w:t")))
    assert re.sub(r"\s", "", text).startswith("第") and "共" in text and text.rstrip().endswith("页")
    body = _body_text(render(2, roster_context(33)))
    assert not re.search(r"第\s*\d+\s*页", body)
    # the footer sits inside the bottom margin, so the body keeps its height
    assert section.footer_distance < section.bottom_margin


@pytest.mark.parametrize("instructions", [True, False])
def test_filling_instructions_only_when_asked(instructions: bool) -> None:
    data = render(3, registration_context(8, instructions=instructions))
    _every_cell_has_a_paragraph(data)
    doc = Document(io.BytesIO(data))
    text = _body_text(data)
    breaks = [p for p in doc.paragraphs if p.paragraph_format.page_break_before]
    assert ("困 难 职 工 档 案 填 表 说 明" in text) is instructions
    assert ("21．致困主要原因" in text) is instructions
    # no page break is left behind without the instructions (no blank page)
    assert len(breaks) == (1 if instructions else 0)
    body = doc.element.body
    assert body[-1].tag == qn("w:sectPr") and body[-2].tag == qn("w:p"), "a body must not end in a table"
    assert "{%" not in text and "附填表说明" not in text


@pytest.mark.parametrize("case", ["", "厦门某建筑公司拖欠60名农民工工资8.2万元 & 已协调。"])
def test_weekly_case_page_only_with_text(case: str) -> None:
    data = render(4, weekly_context(case))
    _every_cell_has_a_paragraph(data)
    text = _body_text(data)
    assert "其中建筑业农民工" in text and "8.2" in text
    assert ("具体案例情况说明" in text) == bool(case)
    if case:
        assert case in text
    doc = Document(io.BytesIO(data))
    trs = doc.tables[0]._tbl.tr_lst
    merged = [(_tc_text(tr.tc_lst[0]), _vmerge(tr.tc_lst[0])) for tr in trs[1:]]
    assert merged == [
        ("企业类型", "restart"),
        ("", "continue"),
        ("", "continue"),
        ("用工来源", "restart"),
        ("", "continue"),
        ("", "continue"),
    ]


def test_voucher_values_and_amount_boxes() -> None:
    data = render(1, voucher_context())
    _every_cell_has_a_paragraph(data)
    text = _body_text(data)
    assert "资助金额（大写）：壹仟肆佰零拾玖元伍角零分 ￥：1409.50" in text
    # no spaces around the figures: Word and LibreOffice space digits from Chinese themselves
    assert "2011年7月1日至2012年6月30日每月领低保金450.00元，" in text
    assert "社区每月送米面油 & 医疗救助 <二次报销>" in text
    assert ADDRESS_60 in text
    blank = voucher_context(低保=dict.fromkeys(["起年", "起月", "起日", "止年", "止月", "止日", "每月"], ""))
    text = re.sub(r"\s+", "", _body_text(render(1, blank)))
    # without 低保 the printed sentence stays as the paper prints it (no second 年)
    assert "年月日至月日每月领低保金元，" in text


def _paper_line(start: str) -> str:
    """The line of the notice's 附件1 that starts (after blanks) with ``start``."""
    text = NOTICE.read_text(encoding="utf-8")
    section = text[text.index("附件1") : text.index("附件2")]
    return next(line for line in section.splitlines() if line.strip().startswith(start))


def _blank_widths(line: str, words: list[str]) -> list[float]:
    """Widths in Chinese characters of the blanks before each of ``words`` in ``line``.

    A half-width space counts 1/2 (the paper's blanks are runs of them in 宋体), an
    ideographic space 1; the text between the words must be blank.
    """
    widths, pos = [], 0
    for word in words:
        found = line.index(word, pos)
        gap = line[pos:found]
        assert not gap.strip(), f"{gap!r} before {word!r} is not blank"
        widths.append(gap.count(" ") / 2 + gap.count("\u3000"))
        pos = found + len(word)
    return widths


def test_voucher_blanks_keep_the_papers_width_when_values_are_empty() -> None:
    """A voucher without 低保 or 其它帮扶措施 leaves room to write them in by hand."""
    words = ["年", "月", "日至", "月", "日每月领低保金", "元，"]
    paper = _blank_widths(_paper_line("年").strip("\t"), words)
    measures = _paper_line("其它帮扶措施：")
    paper_other = _blank_widths(measures, ["其它帮扶措施：", "。"])[1]
    assert paper[0] >= 3 and paper_other >= 20, "the reader of the notice's blanks is off"

    blank = voucher_context(低保=dict.fromkeys(["起年", "起月", "起日", "止年", "止月", "止日", "每月"], ""), 其它帮扶措施="")
    doc = Document(io.BytesIO(render(1, blank)))
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in doc.element.body.iter(qn("w:p"))]
    sentence = next(t for t in texts if "每月领低保金" in t)
    printed = _blank_widths(sentence, words)
    # Each blank at least 3/4 of the paper's (the cell is narrower than the paper's line:
    # the whole sentence must stay on one line, checked on the PDF), and 2 characters at least.
    for word, ours, theirs in zip(words, printed, paper):
        assert ours >= max(2, 0.75 * theirs), (word, ours, theirs)
    other = next(t for t in texts if t.startswith("其它帮扶措施："))
    assert other.endswith("。")
    assert _blank_widths(other, ["其它帮扶措施：", "。"])[1] >= 0.75 * paper_other
    # filled in, the values replace the blanks
    filled = _body_text(render(1, voucher_context()))
    assert "\u3000\u3000" not in filled.split("其它帮扶措施")[0].split("享受低保情况")[1]


# ---------------------------------------------------------------------------------------
# Printed pages (LibreOffice; skipped where it is not installed, failing in CI)
# ---------------------------------------------------------------------------------------
def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


#: Fictional ID numbers in the widest digits of the CJK fonts' Latin (9, 8, 0) and with
#: the X, which is wider still.
WIDE_IDS = ("35020619890909899X", "350203198808088889", "35020619820611152X", "350203196205142107")
#: A roster row that wraps onto two lines: a 26-character address, a 16-character 备注.
WRAPPING_ROW = {"工作单位或家庭住址": "福建省厦门市思明区嘉莲街道西林社区西林东里5号301室", "备注": "已于十二月领取过一次慰问金请核对"}


#: A long 大写 for the 合计 row (999,999.99 yuan).
LONG_WORDS = "玖拾玖万玖仟玖佰玖拾玖元玖角玖分"


def _with_ids(ctx: dict[str, Any], **row_values: str) -> dict[str, Any]:
    for i, row in enumerate(ctx["行"]):
        row.update(row_values, 身份证号=WIDE_IDS[i % len(WIDE_IDS)])
    ctx["合计"]["帮扶金额大写"] = LONG_WORDS
    return ctx


def _form_with_ids(instructions: bool) -> dict[str, Any]:
    ctx = registration_context(8, instructions=instructions)
    ctx["身份证号"] = WIDE_IDS[0]
    for i, member in enumerate(ctx["家庭成员行"]):
        member["身份证号"] = WIDE_IDS[(i + 1) % len(WIDE_IDS)]
    return ctx


def _convert(soffice: str, out: Path, names: list[str], fonts_conf: Path | None) -> None:
    env = dict(os.environ)
    env.pop("FONTCONFIG_FILE", None)
    if fonts_conf is not None:
        env["FONTCONFIG_FILE"] = str(fonts_conf)
    profile = (out / "lo_profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out)]
        + [str(out / f"{name}.docx") for name in names],
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    require_tools("soffice", "pdfinfo", "pdftotext", "pdffonts")
    soffice = _soffice()
    assert soffice
    out = tmp_path_factory.mktemp("pdf")
    no_dibao = dict.fromkeys(["起年", "起月", "起日", "止年", "止月", "止日", "每月"], "")
    docs = {
        "voucher": render(
            1,
            voucher_context(
                其它帮扶措施="社区每月送米面油，街道协调医疗救助二次报销，子女学费减免，工会春节慰问",
                致困原因="本人大病、供养直系亲属大病、收入低无法维持基本生活",
            ),
            out / "voucher.docx",
        ),
        "voucher_blank": render(1, voucher_context(低保=no_dibao, 其它帮扶措施=""), out / "voucher_blank.docx"),
        "roster": render(2, roster_context(33), out / "roster.docx"),
        # one page of the renderer's (15 rows) that takes two sheets
        "roster_wrap": render(2, _with_ids(roster_context(15), **WRAPPING_ROW), out / "roster_wrap.docx"),
        "form8": render(3, _form_with_ids(instructions=False), out / "form8.docx"),
        "form8_instructions": render(3, _form_with_ids(instructions=True), out / "form8_instructions.docx"),
        "weekly": render(4, weekly_context(""), out / "weekly.docx"),
        "weekly_case": render(4, weekly_context("某公司拖欠工资。"), out / "weekly_case.docx"),
    }
    _convert(soffice, out, list(docs), FONTS_CONF)
    return {name: out / f"{name}.pdf" for name in docs}


@pytest.fixture(scope="module")
def pdfs_unaliased(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The ID-number forms converted without tools/fonts.conf: LibreOffice then sets the
    digits of 宋体 in its default Latin font (DejaVu Sans here, 0.636 em a digit), the way a
    user's plain LibreOffice does."""
    require_tools("soffice", "pdfinfo", "pdftotext")
    soffice = _soffice()
    assert soffice
    out = tmp_path_factory.mktemp("pdf_plain")
    render(2, _with_ids(roster_context(15), **WRAPPING_ROW), out / "roster_wrap.docx")
    render(3, _form_with_ids(instructions=False), out / "form8.docx")
    _convert(soffice, out, ["roster_wrap", "form8"], None)
    return {name: out / f"{name}.pdf" for name in ("roster_wrap", "form8")}


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]


def _page_texts(pdf: Path) -> Iterator[str]:
    for page in range(1, _pages(pdf) + 1):
        yield subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout


def test_voucher_with_a_60_character_address_is_one_page(pdfs: dict[str, Path]) -> None:
    assert _pages(pdfs["voucher"]) == 1


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_roster_pages_each_with_header(pdfs: dict[str, Path]) -> None:
    texts = list(_page_texts(pdfs["roster"]))
    assert len(texts) == 3
    assert all("家庭联系电话" in t and "资金来源" in t for t in texts)
    assert "合计" in texts[-1] and not any("合计" in t for t in texts[:-1])
    for k, text in enumerate(texts, start=1):
        assert f"第{k}页共3页" in _squash(text)


def test_roster_page_numbers_count_the_sheets_when_rows_wrap(pdfs: dict[str, Path]) -> None:
    # 15 two-line rows: one page of the renderer's (页.总页数 = 1) on two sheets
    texts = list(_page_texts(pdfs["roster_wrap"]))
    assert len(texts) == 2
    for k, text in enumerate(texts, start=1):
        assert f"第{k}页共2页" in _squash(text)
        assert "家庭联系电话" in text
    assert "合计" in texts[-1]
    total = next(line for line in texts[-1].splitlines() if "人民币（大写）" in line)
    assert LONG_WORDS in total, total
    # 备注 wraps after 8 characters, not one character a line
    note = WRAPPING_ROW["备注"]
    assert note[:8] in texts[0] and note[8:] in texts[0]


@pytest.mark.parametrize("name", ["roster_wrap", "form8"])
@pytest.mark.parametrize("fonts", ["pdfs", "pdfs_unaliased"])
def test_id_numbers_stay_on_one_line(request: pytest.FixtureRequest, fonts: str, name: str) -> None:
    pdf = request.getfixturevalue(fonts)[name]
    text = "\n".join(_page_texts(pdf))
    found = re.findall(r"\d{15,18}X?|\d{1,17}X", text)
    assert found
    broken = [n for n in found if n not in WIDE_IDS]
    assert not broken, f"ID numbers cut across lines: {broken}"
    expected = 15 if name == "roster_wrap" else 1 + 8
    assert len(found) == expected


def test_registration_form_one_page_and_instructions_on_the_next(pdfs: dict[str, Path]) -> None:
    texts = list(_page_texts(pdfs["form8_instructions"]))
    assert len(texts) == 2
    assert "备注" in texts[0] and "18" in texts[0]
    assert _squash(texts[1]).startswith("困难职工档案填表说明")
    # without 附填表说明: the form alone, no blank page
    texts = list(_page_texts(pdfs["form8"]))
    assert len(texts) == 1 and "备注" in texts[0] and "填表说明" not in texts[0]


def test_blank_voucher_keeps_its_sentences_on_one_line(pdfs: dict[str, Path]) -> None:
    texts = list(_page_texts(pdfs["voucher_blank"]))
    assert len(texts) == 1
    lines = texts[0].splitlines()
    dibao = next(line for line in lines if "日至" in line)
    assert "每月领低保金" in dibao and "元，" in dibao, dibao
    other = next(line for line in lines if "其它帮扶措施：" in line)
    assert other.rstrip().endswith("。"), other


def test_weekly_report_one_page_case_on_the_next(pdfs: dict[str, Path]) -> None:
    assert _pages(pdfs["weekly"]) == 1
    texts = list(_page_texts(pdfs["weekly_case"]))
    assert len(texts) == 2 and "某公司拖欠工资。" in texts[1]


def test_pdf_fonts_are_cjk(pdfs: dict[str, Path]) -> None:
    fonts = subprocess.run(["pdffonts", str(pdfs["voucher"])], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:] if line.strip()]
    assert names and all(re.search(r"CJK|WenQuanYi|WQY|Zen", n, re.I) for n in names), names
