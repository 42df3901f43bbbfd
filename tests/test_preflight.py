"""The parts of reading a template as the clerk wrote it (issue 14): tags found and their
slips undone, Word's markup flattened, properties put in Word's order, every name checked
against the shapes the record models give, and docs/templates.md listing those names."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from formkit import api
from formkit.documents.normalize import RPR_ORDER, order_properties
from formkit.documents.places import paragraph_places
from formkit.documents.sandbox import make_environment
from formkit.documents.shapes import Shape
from formkit.documents.tags import find_tags, halfwidth, jinja_source
from formkit.documents.wordmarkup import flatten_docx
from formkit.domain.models.worker import ID_AS_TYPED
from formkit.forms import context as ctx
from formkit.forms.tagnames import shapes

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(xml: str) -> etree._Element:
    return etree.fromstring(f'<w:document xmlns:w="{W}"><w:body>{xml}</w:body></w:document>')


# --------------------------------------------------------------------------------------
# Tags and slips
# --------------------------------------------------------------------------------------


def test_tags_are_found_whatever_the_width_of_their_braces():
    text = "姓名：｛｛ 姓名 ｝｝ {% if 甲 %}乙{% endif %} {# 注 #} {{ 未完"
    found = [(text[s.start : s.end], s.kind, s.closed) for s in find_tags(text)]
    assert found == [
        ("｛｛ 姓名 ｝｝", "{{", True),
        ("{% if 甲 %}", "{%", True),
        ("{% endif %}", "{%", True),
        ("{# 注 #}", "{#", True),
        ("{{ 未完", "{{", False),
    ]
    # a tag left open before the next one opens
    spans = find_tags("{{ 甲 {{ 乙 }}")
    assert [(s.closed, s.start) for s in spans] == [(False, 0), (True, 5)]


def test_halfwidth_keeps_text_inside_quotes():
    assert halfwidth("｛｛ 联系电话｜default（＂（无）＂） ｝｝") == (
        '{{ 联系电话|default("（无）") }}',
        ["｛", "｜", "（", "＂", "）", "｝"],
    )
    assert halfwidth('{{ 低保.起年 or "　　　" }}') == ('{{ 低保.起年 or "　　　" }}', [])
    assert halfwidth("{{ 低保。起年 }}") == ("{{ 低保.起年 }}", ["。"])
    # Word's curly quotes are no slip (docxtpl reads them as ASCII quotes too)
    assert halfwidth("{{ x|default(“—”) }}") == ('{{ x|default("—") }}', [])


def test_docxtpl_letters_are_taken_off_for_jinja():
    assert jinja_source("{%tr for r in 页.行 %}") == "{% for r in 页.行 %}"
    assert jinja_source("{%p if 案例说明 %}") == "{% if 案例说明 %}"
    assert jinja_source("{% vm %}") == ""
    assert jinja_source("{% colspan 列数 %}") == "{{ 列数 }}"


# --------------------------------------------------------------------------------------
# Word's order, places in words
# --------------------------------------------------------------------------------------


def test_properties_are_put_in_words_order_and_a_repeat_dropped():
    root = _w(
        '<w:p><w:pPr><w:sectPr><w:pgSz w:w="1"/><w:type w:val="nextPage"/></w:sectPr><w:jc w:val="left"/>'
        '<w:rPr><w:b/><w:b/><w:sz w:val="21"/><w:rFonts w:ascii="宋体"/></w:rPr></w:pPr>'
        '<w:r><w:rPr><w:sz w:val="21"/><w:szCs w:val="21"/><w:rFonts w:ascii="宋体"/></w:rPr><w:t>甲</w:t></w:r></w:p>'
    )
    assert order_properties(root)

    def children(path: str) -> list[str]:
        element = root.find(path, {"w": W})
        return [c.tag.split("}")[1] for c in element]

    assert children(".//w:p/w:pPr") == ["jc", "rPr", "sectPr"]
    assert children(".//w:pPr/w:rPr") == ["rFonts", "b", "sz"]  # the paragraph mark's: the second w:b dropped
    assert children(".//w:pPr/w:sectPr") == ["type", "pgSz"]
    assert children(".//w:r/w:rPr") == ["rFonts", "sz", "szCs"]
    assert not order_properties(root), "a second pass changes nothing"
    assert RPR_ORDER.index("rFonts") < RPR_ORDER.index("b") < RPR_ORDER.index("sz")


def test_rpr_order_is_the_one_of_the_schema_the_tests_check_against():
    xs = "{http://www.w3.org/2001/XMLSchema}"
    schema = etree.parse(str(ROOT / "tests" / "data" / "ooxml" / "ISO-IEC29500-4_2016" / "wml.xsd"))
    group = next(g for g in schema.iter(xs + "group") if g.get("name") == "EG_RPrBase")
    iso = [e.get("name") for e in group.iter(xs + "element")]
    assert sorted(iso) == sorted(RPR_ORDER[4:-1])  # the same elements; the order is Word's


def test_places_are_named_as_word_shows_them():
    root = _w(
        "<w:p/><w:tbl><w:tr><w:tc><w:p/></w:tc><w:tc><w:p/><w:p/></w:tc></w:tr>"
        "<w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl><w:p/><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>"
    )
    assert list(paragraph_places(root).values()) == [
        "第1段",
        "表格1 第1行 第1格",
        "表格1 第1行 第2格",
        "表格1 第1行 第2格",
        "表格1 第2行 第1格",
        "第2段",
        "表格2 第1行 第1格",
    ]


def test_shipped_templates_come_out_of_flattening_unchanged():
    """Nothing to flatten or reorder in the shipped templates: preparing them costs a parse,
    and the fast renderer keeps the bytes docxtpl is compared with."""
    for path in sorted(TEMPLATES.glob("*.docx")):
        data = path.read_bytes()
        flat = flatten_docx(data)
        assert flat.data is data, path.name
        assert not flat.notes and flat.tags


# --------------------------------------------------------------------------------------
# The names: from the record models, the same as the contexts formkit renders
# --------------------------------------------------------------------------------------


def _paths(shape: Shape) -> set[str]:
    return {path for path, _ in shape.paths()}


def test_the_shapes_are_those_of_the_sample_contexts():
    """Every context formkit renders from the sample records has exactly the names of the
    shape the checks use (a name added to a context but not to the prototypes, or the reverse,
    fails here)."""
    records = api.check(ROOT / "records")
    assert records.campaign is not None
    campaign = records.campaign.model_dump(by_alias=True)
    seen = {"voucher": set(), "registration": set(), "weekly": set(), "roster": set()}
    for unit in records.units:
        info = unit.unit.model_dump(by_alias=True)
        for rec in unit.workers:
            worker = rec.worker.model_dump(by_alias=True)
            seen["registration"] |= _paths(Shape.of(ctx.registration_context(campaign, info, worker)))
            if rec.worker.paid:
                seen["voucher"] |= _paths(Shape.of(ctx.voucher_context(campaign, info, worker)))
        for week in unit.weeks:
            seen["weekly"] |= _paths(Shape.of(ctx.weekly_context(campaign, info, week.report.model_dump(by_alias=True))))
        paid = [r.worker.model_dump(by_alias=True) for r in records.paid_workers(unit)]
        for _, roster in ctx.roster_contexts(campaign, info, paid):
            seen["roster"] |= _paths(Shape.of(roster))
        # a family too large for the form's page: its continuation page's names (forms.pages)
        biggest = max((r.worker.model_dump(by_alias=True) for r in unit.workers), key=lambda w: len(w["家庭成员"]))
        large = dict(biggest, 家庭成员=biggest["家庭成员"] * 4, 备注="备注\n" * 60)
        seen["registration"] |= _paths(Shape.of(ctx.registration_context(campaign, info, large)))
    for kind, paths in seen.items():
        assert paths == _paths(shapes()[kind]), kind


def test_every_field_of_a_worker_is_a_name_of_the_voucher():
    from formkit.domain.models import Worker

    worker_fields = {f.alias for f in Worker.model_fields.values()} - {"家庭成员", "所附附件", "慰问"}
    assert worker_fields <= set(shapes()["voucher"].fields)
    assert worker_fields <= set(shapes()["registration"].fields)


def test_docs_list_the_names_of_the_models():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "template_fields.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    for name in ("{{ 民族 }}", "{{ 低保.起年 }}", "{{ r.工作单位或家庭住址 }}", "{{ m.单位或学校 }}", "{{ 用工来源.农民工.涉及人数 }}"):
        assert name in text


def test_docs_check_fails_when_a_list_is_out_of_date(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("template_fields", ROOT / "tools" / "template_fields.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    stale = text.replace("| `{{ 民族 }}` | 民族 |\n", "", 1)
    assert stale != text and module.rewritten(stale) == text


# --------------------------------------------------------------------------------------
# default on an empty field
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "printed"),
    [("", "—"), ("  ", "—"), (None, "—"), ("0592-5503127", "0592-5503127"), ("0", "0")],
)
def test_default_acts_on_an_empty_field(value, printed):
    env = make_environment()
    assert env.from_string('{{ 联系电话|default("—") }}').render(联系电话=value) == printed
    assert env.from_string('{{ 没有|d("—") }}').render() == "—"


def test_jinjas_default_would_not_act_on_an_empty_field():
    """Why formkit has its own: Jinja's default leaves a defined empty value alone."""
    from jinja2 import Environment

    assert Environment().from_string('{{ x|default("—") }}').render(x="") == ""


def test_docx_zip_member_order_is_kept_when_a_part_changes(tmp_path):
    source = ROOT / "tests" / "data" / "edited-templates" / "word_splits.docx"
    flat = flatten_docx(source.read_bytes())
    assert flat.data != source.read_bytes()
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(__import__("io").BytesIO(flat.data)) as after:
        assert before.namelist() == after.namelist()


def test_worker_texts_print_what_texts_prints():
    """The voucher and the form print a worker's fields through worker_texts' shortcuts: the
    same text as to_text gives, control characters still removed."""
    records = api.check(ROOT / "records")
    workers = [rec.worker.model_dump(by_alias=True) for unit in records.units for rec in unit.workers]
    workers.append(dict(workers[0], 工作单位="厦门\x01鹭江\t纺织厂", 备注="第一行\r\n第二行"))
    for worker in workers:
        expected = {k: v for k, v in ctx.texts(worker).items() if k not in ("家庭成员", "所附附件", ID_AS_TYPED)}
        expected["身份证号"] = ctx.worker_texts(worker)["身份证号"]
        assert ctx.worker_texts(worker) == expected
    assert ctx.worker_texts(workers[-1])["工作单位"] == "厦门鹭江 纺织厂"


# --------------------------------------------------------------------------------------
# Word's wrappers around part of a tag: fields and content controls
# --------------------------------------------------------------------------------------


def _flattened(paragraph: str) -> tuple[str, list[str]]:
    """The paragraph's XML after flattening (as a tiny .docx), and the notes' messages."""
    import io

    body = f'<w:document xmlns:w="{W}"><w:body>{paragraph}</w:body></w:document>'
    types = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("word/document.xml", body)
    flat = flatten_docx(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(flat.data)) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    return xml, [n.message for n in flat.notes]


@pytest.mark.parametrize(
    ("paragraph", "warning"),
    [
        ('<w:p><w:fldSimple w:instr=" MERGEFIELD 姓名 "><w:r><w:t>{{ 姓</w:t></w:r></w:fldSimple><w:r><w:t>名 }}</w:t></w:r></w:p>', "域"),
        (
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> HYPERLINK "tel:1" </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{{ 姓</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
            "<w:r><w:t>名 }}</w:t></w:r></w:p>",
            "域",
        ),
        (
            '<w:p><w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent><w:r><w:t>{{ 姓</w:t></w:r></w:sdtContent></w:sdt>'
            "<w:r><w:t>名 }}</w:t></w:r></w:p>",
            "内容控件",
        ),
    ],
    ids=["simple field", "complex field", "content control"],
)
def test_a_wrapper_around_part_of_a_tag_is_taken_away(paragraph: str, warning: str):
    xml, notes = _flattened(paragraph)
    assert '<w:t xml:space="preserve">{{ 姓名 }}</w:t>' in xml, xml
    for gone in ("fldSimple", "fldChar", "instrText", "w:sdt"):
        assert gone not in xml, xml
    assert len(notes) == 1 and warning in notes[0]


def test_a_wrapper_around_a_whole_tag_stays():
    xml, notes = _flattened('<w:p><w:hyperlink w:anchor="甲"><w:r><w:t>{{ 姓名 }}</w:t></w:r></w:hyperlink></w:p>')
    assert "hyperlink" in xml and not notes
