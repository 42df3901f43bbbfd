"""The fast renderer (issue 5) writes what docxtpl writes, the same bytes every time.

- each document, through the prepared template, has the same document.xml (canonical XML)
  as ``DocxTemplate.render`` from scratch, also for values with line breaks, tabs and
  ``& < >``, for templates whose tables docxtpl fixes, and for tagged headers;
- print files built from per-document pieces equal the python-docx concatenation;
- one process and several, fresh and incremental: the same files, byte for byte, and the
  same manifests;
- an incremental run after one changed record rebuilds only that record's documents, its
  unit's roster and the print files holding them; an interrupted run leaves the previous
  output as it was.

No timing is asserted here: the targets live in bench/run.py.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import shutil
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from lxml import etree

from conftest import RECORDS, ROOT, TEMPLATES
from docxread import all_text
from formkit import api
from formkit.documents.body import split_final_sectpr, split_first_paragraph
from formkit.documents.deflate import crc32_combine
from formkit.documents.fitting import mark_fitting
from formkit.documents.printfile import print_file_bytes, print_frame, print_piece, section_break
from formkit.documents.template import FormTemplate, document_bytes
from formkit.documents.zipio import read_members, zip_bytes
from formkit.domain import annexes
from formkit.errors import OutputError, TemplateProblem
from formkit.fake import generate_records
from formkit.forms import context as ctx
from formkit.pipeline import batch
from formkit.pipeline.manifest import MANIFEST


def c14n(data: bytes, part: str = "word/document.xml") -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read(part)
    return etree.tostring(etree.fromstring(xml), method="c14n")


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def templates() -> dict[str, FormTemplate]:
    return {kind: FormTemplate(TEMPLATES / name) for kind, name in [(a.kind, a.template) for a in annexes.ANNEXES]}


@pytest.fixture(scope="module")
def sample_contexts() -> dict[str, list[dict]]:
    """Every document context of the shipped sample records, by annex."""
    records = api.check(RECORDS)
    campaign = records.campaign.model_dump(by_alias=True)
    out: dict[str, list[dict]] = {"voucher": [], "registration": [], "weekly": [], "roster": []}
    for unit in records.units:
        info = unit.unit.model_dump(by_alias=True)
        paid = []
        paid_paths = {r.path for r in records.paid_workers(unit)}
        for rec in unit.workers:
            worker = rec.worker.model_dump(by_alias=True)
            out["registration"].append(ctx.registration_context(campaign, info, worker))
            if rec.path in paid_paths:
                paid.append(worker)
                out["voucher"].append(ctx.voucher_context(campaign, info, worker))
        out["roster"] += [c for _, c in ctx.roster_contexts(campaign, info, paid)]
        out["weekly"] += [ctx.weekly_context(campaign, info, w.report.model_dump(by_alias=True)) for w in unit.weeks]
    return out


# -- one document ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", [a.kind for a in annexes.ANNEXES])
def test_fast_render_has_the_document_xml_of_docxtpl(templates, sample_contexts, kind):
    template = templates[kind]
    assert sample_contexts[kind]
    for context in sample_contexts[kind]:
        fast, reference = template.render(context), template.render_with_docxtpl(context)
        assert c14n(fast) == c14n(reference)
        assert zipfile.ZipFile(io.BytesIO(fast)).testzip() is None


def test_other_parts_are_the_templates_own(templates, sample_contexts):
    template = templates["voucher"]
    fast = zipfile.ZipFile(io.BytesIO(template.render(sample_contexts["voucher"][0])))
    original = zipfile.ZipFile(io.BytesIO(template.data))
    assert fast.namelist() == original.namelist()
    for name in original.namelist():
        if name != "word/document.xml":
            assert fast.read(name) == original.read(name), name


def test_same_context_same_bytes(templates, sample_contexts):
    template = templates["registration"]
    context = sample_contexts["registration"][0]
    first = template.render(context)
    assert template.render(context) == first
    assert FormTemplate(TEMPLATES / annexes.by_kind("registration").template).render(context) == first
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_line_breaks_tabs_and_markup_characters(templates, sample_contexts):
    template = templates["voucher"]
    context = dict(sample_contexts["voucher"][0])
    context.update(其它帮扶措施="第一行\n第二行\t制表 & <比较> \"引号\" 'x'", 居住地址="A&B 路\n3号", 街道="{{ 不是标签 }}")
    fast = template.render(context)
    assert c14n(fast) == c14n(template.render_with_docxtpl(context))
    text = all_text_of(fast)
    assert "第二行" in text and "A&B 路" in text and "<比较>" in text and "{{ 不是标签 }}" in text


def all_text_of(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs) + "\n".join(
        cell.text for table in Document(io.BytesIO(data)).tables for row in table.rows for cell in row.cells
    )


def test_fix_tables_path_matches_docxtpl(templates, sample_contexts):
    """Forced through docxtpl's fix_tables (as a template with {%tc %} tags would be)."""
    template = FormTemplate(TEMPLATES / annexes.by_kind("registration").template)
    template._prepare().fix_tables = True
    for context in sample_contexts["registration"][:3]:
        assert c14n(template.render(context)) == c14n(template.render_with_docxtpl(context))


def _synthetic_template(path: Path) -> Path:
    """A template with a {%tc %} column loop, a tagged header and a picture-free table."""
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = "页眉 {{ 单位 }}"
    doc.add_paragraph("标题 {{ 标题 }}")
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "{%tc for c in 列 %}"
    table.cell(0, 1).text = "{{ c }}"
    table.cell(0, 2).text = "{%tc endfor %}"
    table.cell(1, 0).text = "甲"
    table.cell(1, 1).text = "乙"
    table.cell(1, 2).text = "丙"
    doc.add_paragraph("{%p if 备注 %}")
    doc.add_paragraph("备注：{{ 备注 }}")
    doc.add_paragraph("{%p endif %}")
    doc.save(path)
    return path


def test_tc_loops_and_tagged_headers_match_docxtpl(tmp_path):
    template = FormTemplate(_synthetic_template(tmp_path / "t.docx"))
    assert template._prepare().fix_tables
    assert template._prepare().parts, "the tagged header is compiled"
    for context in (
        {"单位": "思明区总工会", "标题": "甲&乙", "列": ["一", "二", "三", "四"], "备注": "有\n两行"},
        {"单位": "<单位>", "标题": "", "列": ["一"], "备注": ""},
    ):
        fast, reference = template.render(context), template.render_with_docxtpl(context)
        assert c14n(fast) == c14n(reference)
        header = next(n for n in zipfile.ZipFile(io.BytesIO(reference)).namelist() if "header" in n)
        assert c14n(fast, header) == c14n(reference, header)
        assert context["单位"] in Document(io.BytesIO(fast)).sections[0].header.paragraphs[0].text


def test_template_errors_keep_their_messages(tmp_path):
    template = FormTemplate(_synthetic_template(tmp_path / "t.docx"))
    with pytest.raises(TemplateProblem, match="使用了记录中没有的字段"):
        template.render({"单位": "x", "列": [], "备注": ""})  # no 标题


def test_sandbox_still_refuses(tmp_path):
    doc = Document()
    doc.add_paragraph("{{ 姓名.__class__.__mro__ }}")
    doc.save(tmp_path / "evil.docx")
    with pytest.raises(TemplateProblem, match="不允许"):
        FormTemplate(tmp_path / "evil.docx").render({"姓名": "张三"})


def test_none_prints_empty(tmp_path):
    doc = Document()
    doc.add_paragraph("[{{ 姓名 }}]")
    doc.save(tmp_path / "t.docx")
    data = FormTemplate(tmp_path / "t.docx").render({"姓名": None})
    assert "[]" in all_text_of(data)


# -- print files ----------------------------------------------------------------------


class PrintFile:
    """One print file of many rendered documents of the same template, each its own section.

    Built with python-docx and lxml from whole rendered documents: the reference the pieces
    are compared with. The bodies are concatenated into the first document; each but the
    last ends with a paragraph holding its section properties (:func:`section_break`), the
    last keeps the body's final ``w:sectPr``.
    """

    def __init__(self) -> None:
        self._master: DocxTemplate | None = None
        self._end: Any = None
        self.count = 0

    def add(self, doc: DocxTemplate) -> None:
        """Append one rendered document."""
        body = doc.docx.element.body
        sect = body.find(qn("w:sectPr"))
        children = [child for child in body if child.tag != qn("w:sectPr")]
        self.count += 1
        if self._master is None:
            self._master = doc
            self._end = sect
            return
        assert self._end is not None and sect is not None
        xml = etree.tostring(self._end)
        wrapped = b'<w:x xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' + (
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        )
        breaker = etree.fromstring(wrapped + section_break(xml) + b"</w:x>")[0]
        self._end.addprevious(breaker)
        for child in children:
            self._end.addprevious(child)

    def to_bytes(self) -> bytes:
        """The print file as .docx bytes.

        Raises:
            ValueError: no document was added.
        """
        if self._master is None:
            raise ValueError("empty print file")
        return zip_bytes(read_members(document_bytes(self._master)))


@pytest.mark.parametrize("kind", ["voucher", "registration", "weekly"])
def test_print_file_from_pieces_equals_the_python_docx_concatenation(templates, sample_contexts, kind):
    template = templates[kind]
    contexts = sample_contexts[kind]
    old = PrintFile()
    for context in contexts:
        reference = DocxTemplate(io.BytesIO(template.data))
        reference.init_docx()
        fitting = mark_fitting(reference.docx.element.body)  # values fitted to their cells, as FormTemplate does
        patch = reference.patch_xml
        reference.patch_xml = lambda xml, patch=patch, fitting=fitting: fitting.apply(patch(xml))
        reference.render(context, jinja_env=template.env, autoescape=True)
        old.add(reference)
    docs = [template.render_fast(c) for c in contexts]
    new = print_file_bytes(print_frame(template, docs[0]), [print_piece(d) for d in docs])
    assert zipfile.ZipFile(io.BytesIO(new)).testzip() is None
    assert c14n(new) == c14n(old.to_bytes())
    assert len(Document(io.BytesIO(new)).sections) == len(contexts)


def test_a_print_file_written_from_spooled_pieces_is_the_same_file(templates, sample_contexts, tmp_path):
    from formkit.documents.deflate import PieceRef
    from formkit.documents.printfile import write_print_file

    template = templates["registration"]
    docs = [template.render_fast(c) for c in sample_contexts["registration"]]
    pieces = [print_piece(d) for d in docs]
    spool = tmp_path / "spool"
    mixed, offset = [], 0
    with open(spool, "wb") as fh:
        for i, piece in enumerate(pieces):
            if i % 2:  # every other piece from the file, the others from memory
                fh.write(piece.data)
                mixed.append(PieceRef(spool, offset, len(piece.data), piece.crc, piece.size))
                offset += len(piece.data)
            else:
                mixed.append(piece)
    frame = print_frame(template, docs[0])
    expected = print_file_bytes(frame, pieces)
    sha256, size, placed = write_print_file(tmp_path / "print.docx", frame, mixed)
    assert [piece.size for _, piece in placed] == [piece.size for piece in pieces]
    assert (tmp_path / "print.docx").read_bytes() == expected
    assert (sha256, size) == (hashlib.sha256(expected).hexdigest(), len(expected))


def test_no_spool_file_reaches_the_output(generated, tmp_path):
    out = tmp_path / "out"
    api.render(generated, out, templates=TEMPLATES, processes=2)
    assert not [p for p in out.rglob("*") if p.name.startswith(batch.SPOOL_PREFIX)]


def test_crc32_combine_agrees_with_zlib():
    rng = random.Random(5)
    for _ in range(200):
        a = rng.randbytes(rng.randrange(0, 5000))
        b = rng.randbytes(rng.randrange(0, 300000))
        assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


@pytest.mark.parametrize(
    ("content", "prefix"),
    [
        (b"<w:p><w:r><w:t>x</w:t></w:r></w:p>", b"<w:p>"),
        (b'<w:p w:rsidR="1"><w:pPr><w:jc w:val="center"/></w:pPr><w:r/></w:p>', b'<w:p w:rsidR="1"><w:pPr><w:jc w:val="center"/></w:pPr>'),
        (b"<w:p/><w:p/>", b"<w:p/>"),
        (b"<w:tbl/>", b""),
    ],
)
def test_the_first_paragraph_is_split_off(content, prefix):
    assert split_first_paragraph(content) == (prefix, content[len(prefix) :])


def test_final_section_properties_are_split_off():
    body = b'<w:p><w:pPr><w:sectPr><w:pgSz/></w:sectPr></w:pPr></w:p><w:sectPr><w:sectPrChange><w:sectPr/></w:sectPrChange><w:pgSz w:w="1"/></w:sectPr>'
    content, sect = split_final_sectpr(body)
    assert content == b"<w:p><w:pPr><w:sectPr><w:pgSz/></w:sectPr></w:pPr></w:p>"
    assert sect.startswith(b"<w:sectPr><w:sectPrChange>") and content + sect == body
    assert split_final_sectpr(b"<w:p/><w:sectPr/>") == (b"<w:p/>", b"<w:sectPr/>")
    assert split_final_sectpr(b"<w:p/>") == (b"<w:p/>", b"")


# -- batches --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("speed") / "records"
    generate_records(root, workers=60, units=2, seed=11)
    return root


def test_one_process_and_several_write_the_same_bytes(generated, tmp_path):
    one = api.render(generated, tmp_path / "one", templates=TEMPLATES, processes=1)
    two = api.render(generated, tmp_path / "two", templates=TEMPLATES, processes=2)
    assert one.processes == 1 and two.processes == 2
    assert one.files == two.files
    assert digest(tmp_path / "one") == digest(tmp_path / "two")
    manifests = list((tmp_path / "two").glob("*/" + MANIFEST))
    assert len(manifests) == 2


def test_manifest_lists_every_file_with_its_hash(generated, tmp_path):
    report = api.render(generated, tmp_path / "out", templates=TEMPLATES, processes=1)
    for unit in report.counts:
        folder = tmp_path / "out" / unit
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {MANIFEST}
        listed = {**manifest["files"], **manifest.get("packet", {}).get("files", {})}
        assert set(listed) == files
        for rel, entry in listed.items():
            assert hashlib.sha256((folder / rel).read_bytes()).hexdigest() == entry["sha256"]


def _change_one_record(records: Path) -> Path:
    """Change the 备注 of a paid worker of the first unit; return its file."""
    loaded = api.check(records)
    unit = loaded.units[0]
    rec = sorted(loaded.paid_workers(unit), key=lambda r: r.path)[3]
    text = rec.path.read_text(encoding="utf-8")
    changed = re.sub(r"^备注:.*$", "备注: 复核后更正", text, count=1, flags=re.M)
    if changed == text:
        changed = text.rstrip("\n") + "\n备注: 复核后更正\n"
    rec.path.write_text(changed, encoding="utf-8")
    return rec.path


def test_incremental_rebuilds_only_what_a_changed_record_touches(generated, tmp_path):
    records = tmp_path / "records"
    shutil.copytree(generated, records)
    out = tmp_path / "out"
    first = api.render(records, out, templates=TEMPLATES, processes=1)
    assert len(first.rebuilt) == len(first.files)
    before = mtimes(out)

    again = api.render(records, out, templates=TEMPLATES)
    assert again.rebuilt == [] and again.files == first.files
    assert mtimes(out) == before, "an unchanged unit is not touched"

    changed = _change_one_record(records)
    first_unit = api.check(records).units[0]
    worker = next(r.worker.model_dump(by_alias=True) for r in first_unit.workers if r.path == changed)
    unit = first.files[0].parts[0]
    stem = f"{worker['档案编号']}_{worker['姓名']}.docx"
    report = api.render(records, out, templates=TEMPLATES)
    expected = {
        f"{unit}/{annexes.REGISTRATION.folder}/{stem}",
        f"{unit}/{annexes.VOUCHER.folder}/{stem}",
        f"{unit}/{annexes.PRINT_DIR}/{annexes.REGISTRATION.folder}.docx",
        f"{unit}/{annexes.PRINT_DIR}/{annexes.VOUCHER.folder}.docx",
    }
    rebuilt = {p.as_posix() for p in report.rebuilt}
    rosters = {r for r in rebuilt if Path(r).name.startswith(annexes.ROSTER.stem)}
    assert len(rosters) == 1 and rebuilt == expected | rosters
    after = mtimes(out)
    # the changed unit's submission packet is made again (it holds the roster and print file)
    packet = {rel for rel in before if Path(rel).parts[1].startswith("报送_") and Path(rel).parts[0] == unit}
    assert packet and all(after[rel] != before[rel] for rel in packet if rel.endswith(".zip"))
    untouched = {rel for rel in before if not rel.endswith(MANIFEST) and rel not in rebuilt and rel not in packet}
    assert {rel for rel in untouched if after.get(rel) != before[rel]} == set()
    assert "复核后更正" in all_text(out / unit / annexes.REGISTRATION.folder / stem)

    fresh = api.render(records, tmp_path / "fresh", templates=TEMPLATES, force=True, processes=2)
    assert digest(out) == digest(tmp_path / "fresh")
    assert fresh.files == report.files


def test_force_renders_everything_again(generated, tmp_path):
    out = tmp_path / "out"
    api.render(generated, out, templates=TEMPLATES, processes=1)
    report = api.render(generated, out, templates=TEMPLATES, force=True, processes=1)
    assert len(report.rebuilt) == len(report.files)


def test_a_damaged_output_file_is_rebuilt(generated, tmp_path):
    out = tmp_path / "out"
    first = api.render(generated, out, templates=TEMPLATES, processes=1)
    victim = next(f for f in first.files if f.parts[1] == annexes.VOUCHER.folder)
    good = (out / victim).read_bytes()
    (out / victim).write_bytes(b"edited by hand")
    printed = out / victim.parts[0] / annexes.PRINT_DIR / f"{annexes.REGISTRATION.folder}.docx"
    printed.write_bytes(printed.read_bytes()[:-10])  # a truncated print file
    stray = out / victim.parts[0] / "stray.docx"
    stray.write_bytes(b"x")
    report = api.render(generated, out, templates=TEMPLATES)
    assert {victim, printed.relative_to(out)} <= set(report.rebuilt)
    assert (out / victim).read_bytes() == good
    assert not stray.exists()
    api.render(generated, tmp_path / "fresh", templates=TEMPLATES, force=True)
    assert digest(out) == digest(tmp_path / "fresh")


def test_a_changed_template_rebuilds_its_annex_only(generated, tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    out = tmp_path / "out"
    api.render(generated, out, templates=folder, processes=1)
    weekly = folder / annexes.by_kind("weekly").template
    document = Document(weekly)
    document.add_paragraph("（改过的模板）")
    document.save(weekly)
    report = api.render(generated, out, templates=folder)
    assert report.rebuilt
    assert all(annexes.WEEKLY.folder in p.as_posix() for p in report.rebuilt)
    assert "改过的模板" in all_text(out / report.rebuilt[0])


def test_an_interrupted_run_leaves_the_previous_output(generated, tmp_path, monkeypatch):
    records = tmp_path / "records"
    shutil.copytree(generated, records)
    out = tmp_path / "out"
    api.render(records, out, templates=TEMPLATES, processes=1)
    before = digest(out)
    _change_one_record(records)
    calls = {"n": 0}
    real = batch.write_print_file

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OutputError("磁盘已满（测试）")
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "write_print_file", failing)
    with pytest.raises(OutputError):
        api.render(records, out, templates=TEMPLATES, processes=1)
    assert digest(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".formkit")]


def test_progress_counts_every_document(generated, tmp_path):
    seen: list[tuple[int, int]] = []
    report = api.render(generated, tmp_path / "out", templates=TEMPLATES, processes=1, on_documents=lambda d, t: seen.append((d, t)))
    documents = sum(1 for f in report.files if f.parts[1] != annexes.PRINT_DIR)
    assert seen[-1] == (documents, documents)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    seen.clear()
    api.render(generated, tmp_path / "out", templates=TEMPLATES, on_documents=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (documents, documents)


def test_a_template_error_in_a_pool_process_reaches_the_caller(generated, tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    doc = Document()
    doc.add_paragraph("{{ 姓名 + 1 }}")  # fails only when filled in: in the pool processes
    doc.save(folder / annexes.by_kind("registration").template)
    with pytest.raises(TemplateProblem, match="无法填写"):
        api.render(generated, tmp_path / "out", templates=folder, processes=2)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_links_or_copies_keep_file_modes(generated, tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX modes")
    out = tmp_path / "out"
    api.render(generated, out, templates=TEMPLATES, processes=1)
    _ = api.render(generated, out, templates=TEMPLATES, force=False)
    modes = {oct(p.stat().st_mode & 0o777) for p in out.rglob("*.docx")}
    assert modes == {"0o600"}


def test_cli_render_force_and_kept_files(generated, tmp_path):
    from click.testing import CliRunner

    from formkit.cli import main

    runner = CliRunner()
    args = ["render", str(generated), "-o", str(tmp_path / "out"), "--templates", str(TEMPLATES)]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "未重新生成" not in first.output
    second = runner.invoke(main, args)
    total = re.search(r"共 (\d+) 个文件", second.output).group(1)
    assert f"其中 {total} 个与上次相同，未重新生成" in second.output
    forced = runner.invoke(main, [*args, "--force"])
    assert forced.exit_code == 0 and "未重新生成" not in forced.output
    assert "生成文档" not in forced.output, "no progress bar when not on a terminal"


def _template_with(path: Path, *paragraphs: str) -> FormTemplate:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(path)
    return FormTemplate(path)


def test_the_shipped_templates_always_render_to_xml(templates):
    assert all(t._prepare().always_xml for t in templates.values())


@pytest.mark.parametrize(
    ("paragraphs", "always"),
    [
        (["{{ 甲 }}", "{%p if 乙 %}", "有 {{ 乙 }}", "{%p endif %}", "{%p for x in 丙 %}", "{{ x }}", "{%p endfor %}"], True),
        (["{{ 甲|safe }}"], False),
        (["{% autoescape false %}{{ 甲 }}{% endautoescape %}"], False),
        (["{% macro m() %}x{% endmacro %}{{ m() }}"], False),
        (["{% set x %}<w:p/>{% endset %}{{ x }}"], False),
        (["甲 {% if 甲 %}乙", "丙 {% endif %}丁"], True),  # closes the paragraph and opens another: neutral
    ],
)
def test_which_templates_need_each_rendering_checked(tmp_path, paragraphs, always):
    assert _template_with(tmp_path / "t.docx", *paragraphs)._prepare().always_xml is always


def test_a_block_from_a_paragraph_into_a_table_needs_checking(tmp_path):
    doc = Document()
    doc.add_paragraph("甲 {% if 乙 %}丙")
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "丁{% endif %}戊"
    doc.save(tmp_path / "t.docx")
    template = FormTemplate(tmp_path / "t.docx")
    assert template._prepare().always_xml is False
    for value in ("有", ""):  # docxtpl itself cannot render the empty branch into valid XML
        try:
            data = template.render({"乙": value})
        except TemplateProblem:
            continue
        etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))


def test_fields_are_what_docxtpl_reports(templates):
    for template in templates.values():
        assert template.fields == frozenset(
            DocxTemplate(io.BytesIO(template.data)).get_undeclared_template_variables(jinja_env=template.env)
        )


def _with_raw_newline(path: Path) -> Path:
    """A template with a line break typed inside a text run (as some editors save it)."""
    doc = Document()
    doc.add_paragraph("甲 {{ 甲 }} NEWLINE 乙")
    doc.add_paragraph("丙 {{ 乙 }}")
    doc.save(path)
    raw = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"NEWLINE", b"\n")
            dst.writestr(info, data)
    path.write_bytes(raw.getvalue())
    return path


def test_line_breaks_in_the_template_text_are_handled_as_docxtpl_does(tmp_path):
    template = FormTemplate(_with_raw_newline(tmp_path / "t.docx"))
    assert template._prepare().marked
    for context in ({"甲": "一\n二", "乙": "三"}, {"甲": "", "乙": "x\ty"}):
        assert c14n(template.render(context)) == c14n(template.render_with_docxtpl(context))


def test_the_full_paragraph_walk_gives_the_same_as_the_flat_one(templates, sample_contexts):
    template = FormTemplate(TEMPLATES / annexes.by_kind("registration").template)
    assert template._prepare().flat
    context = dict(sample_contexts["registration"][0], 备注="一\n二\t三", 家庭住址="甲\n乙")
    flat = template.render(context)
    template._prepare().flat = False
    assert template.render(context) == flat
    assert c14n(flat) == c14n(template.render_with_docxtpl(context))


def test_text_boxes_make_paragraphs_nest():
    from formkit.documents.template import _paragraphs_nest

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    assert not _paragraphs_nest(f"<w:body {w}><w:p><w:r><w:t>{{{{ a }}}}</w:t></w:r></w:p><w:p/></w:body>")
    assert _paragraphs_nest(f"<w:body {w}><w:p><w:r><w:txbxContent><w:p/></w:txbxContent></w:r></w:p></w:body>")


def test_pool_processes_end_when_the_render_is_killed(generated, tmp_path):
    """A killed render (SIGKILL) leaves no pool process waiting for ever."""
    import signal
    import subprocess
    import sys
    import time

    if not Path("/proc/self/task").is_dir():
        pytest.skip("needs /proc to find the pool processes")
    script = (
        "import sys\n"
        "from formkit import api\n"
        "if __name__ == '__main__':\n"
        f"    api.render({str(generated)!r}, {str(tmp_path / 'out')!r}, templates={str(TEMPLATES)!r}, processes=2, force=True)\n"
    )
    (tmp_path / "run.py").write_text(script, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen([sys.executable, str(tmp_path / "run.py")], env=env)

    def children(pid: int) -> set[int]:
        found = set()
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            try:
                found |= {int(c) for c in task.read_text().split()}
            except OSError:
                pass
        return found

    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        workers = {c for c in children(proc.pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes().decode(errors="replace")}
        if len(workers) >= 2:
            break
        time.sleep(0.05)
    if len(workers) < 2:
        proc.wait(timeout=120)
        pytest.skip("the render ended before its pool was seen")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() and "zombie" not in _state(w) for w in workers):
        time.sleep(0.1)
    assert not [w for w in workers if Path(f"/proc/{w}").exists() and "zombie" not in _state(w)]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0]
    except (OSError, IndexError):
        return "zombie"


def test_an_unknown_filter_is_refused_when_the_template_is_loaded(tmp_path):
    with pytest.raises(TemplateProblem, match="没有叫“没有这个过滤器”的过滤器"):
        _template_with(tmp_path / "t.docx", "{{ 甲|没有这个过滤器 }}")


# -- long documents: rendered as a stream ----------------------------------------------


@pytest.fixture(scope="module")
def long_roster() -> dict:
    """A roster of 400 rows (about 2 MB of XML: several STREAM_CHARS), names with ``& <``,
    line breaks and tabs."""
    records = api.check(RECORDS)
    campaign = records.campaign.model_dump(by_alias=True)
    unit = records.units[0]
    info = unit.unit.model_dump(by_alias=True)
    paid = [rec.worker.model_dump(by_alias=True) for rec in records.paid_workers(unit)]
    workers = []
    for i in range(400):
        worker = dict(paid[i % len(paid)])
        worker["姓名"] = ["甲&乙", "丙<丁>", "戊\n己", "庚\t辛"][i % 4] + str(i)
        workers.append(worker)
    [(_, roster)] = ctx.roster_contexts(campaign, info, workers)
    return roster


def test_a_long_document_is_streamed_to_the_same_bytes(templates, long_roster, monkeypatch):
    import formkit.documents.template as render_module

    template = templates["roster"]
    streamed = template.render_fast(long_roster)
    assert streamed.body is None, "rendered as a stream"
    threshold = render_module.STREAM_CHARS
    monkeypatch.setattr(render_module, "STREAM_CHARS", 1 << 40)
    whole = template.render_fast(long_roster)
    assert whole.body is not None and len(whole.body) > 4 * threshold, "several segments"
    assert streamed.to_bytes() == whole.to_bytes()
    assert streamed.pieces == whole.pieces
    assert streamed.final_sectpr() == whole.final_sectpr() != b""
    assert c14n(streamed.to_bytes()) == c14n(template.render_with_docxtpl(long_roster))
    text = all_text_of(streamed.to_bytes())
    assert "甲&乙0" in text and "丙<丁>1" in text and "戊\n己2" in text  # the line break: docxtpl's w:br


def test_a_streamed_document_makes_the_same_print_file(templates, long_roster, monkeypatch):
    import formkit.documents.template as render_module

    template = templates["roster"]
    streamed = template.render_fast(long_roster)
    monkeypatch.setattr(render_module, "STREAM_CHARS", 1 << 40)
    whole = template.render_fast(long_roster)

    def made(doc):
        pieces = [print_piece(doc), print_piece(doc)]
        return print_file_bytes(print_frame(template, doc), pieces)

    assert made(streamed) == made(whole)


def test_an_error_late_in_a_long_document_ends_its_thread(templates, long_roster):
    import threading

    broken = dict(long_roster)
    rows = [dict(row) for row in long_roster["行"]]
    del rows[390]["姓名"]
    broken["分页"] = [dict(page, 行=rows[i * 15 : i * 15 + 15]) for i, page in enumerate(long_roster["分页"])]
    with pytest.raises(TemplateProblem, match="姓名"):
        templates["roster"].render_fast(broken)
    assert not [t for t in threading.enumerate() if t.name == "formkit-deflate"]


def test_the_dict_shortcut_finds_what_the_sandbox_finds():
    from jinja2.runtime import Undefined
    from jinja2.sandbox import SandboxedEnvironment

    from formkit.documents.sandbox import make_environment

    env = make_environment()
    row = {"姓名": "王秀英", "items": "键", "序号": 0, "空": None}
    for name in ("姓名", "items", "序号", "空", "没有", "__class__", "keys", "_x"):
        fast, slow = env.getattr(row, name), SandboxedEnvironment.getattr(env, row, name)
        if isinstance(slow, Undefined):
            assert type(fast) is type(slow), name
        else:
            assert fast == slow, name
