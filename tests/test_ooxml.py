"""Every .docx formkit writes, and every shipped template, as Word reads it (issue 13).

Word is the strictest reader of a .docx: an element out of schema order (the children of
``w:rPr`` in Word's fixed sequence), a part without a content type, a relationship to a
missing part, two drawings with one ``wp:docPr`` id, a character XML cannot hold — LibreOffice
and WPS open such a file, Word refuses or "repairs" it. ``ooxml_check`` (this folder) applies
the ISO/IEC 29500-4 transitional schemas, the OPC rules and those Word rules, from the schemas
in ``tests/data/ooxml``.

Checked here: the shipped templates; every document of the sample render (unit documents,
print files, the submission packets as folders and as zips, the masked 公示 copies, the city
roster of ``formkit collect``); the notice packet of ``formkit notice``. Deliberately broken
copies show that the check catches what it is meant to catch.

Tests marked ``xfail(strict=True)`` are findings whose fix lies in ``src/formkit`` (each
reason names the function and the fix); they fail the run once fixed, so that the mark is
taken off.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree

import ooxml_check
from conftest import RECORDS, TEMPLATES
from formkit import api
from formkit.domain import annexes
from formkit.exchange.collect import collect
from formkit.forms.notice import render_notice
from ooxml_check import check_docx, describe, errors, iter_docx

LIBREOFFICE = Path(__file__).resolve().parent / "data" / "libreoffice-resaved"

DOCUMENT = "word/document.xml"


def problems(paths, zips: bool = True) -> tuple[int, list[dict]]:
    """(documents checked, their errors) for every .docx under ``paths`` (and in zips)."""
    found, count = [], 0
    for name, data in iter_docx(paths, zips):
        count += 1
        found += errors(check_docx(name, data))
    return count, found


def assert_valid(paths, *, at_least: int, zips: bool = True) -> None:
    count, found = problems(paths, zips)
    assert count >= at_least, f"only {count} documents found under {paths}"
    assert not found, describe(found)


# --------------------------------------------------------------------------------------
# What formkit ships and writes
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.docx")), ids=lambda p: p.stem)
def test_shipped_template_is_valid(template: Path):
    assert not errors(check_docx(template)), describe(errors(check_docx(template)))


def test_every_template_is_checked():
    assert len(list(TEMPLATES.glob("*.docx"))) >= 6  # the four annexes, the notice, the 活动小结


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The sample records rendered as ``formkit render --mask`` does, plus ``formkit collect``."""
    out = tmp_path_factory.mktemp("sample")
    report = api.render(RECORDS, out, templates=TEMPLATES)
    assert report.packets, "the sample render makes submission packets"
    api.render_publicity(RECORDS, out, templates=TEMPLATES)
    collect(api.check(RECORDS), out / "全市汇总", templates=TEMPLATES)
    return out


def _units(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.is_dir() and (p / "formkit-manifest.json").is_file())


def test_sample_unit_documents_are_valid(sample: Path):
    paths = [p for unit in _units(sample) for p in unit.iterdir() if p.name.startswith("附件")]
    assert_valid(paths, at_least=40, zips=False)


def test_sample_print_files_are_valid(sample: Path):
    prints = [unit / annexes.PRINT_DIR for unit in _units(sample)]
    assert_valid(prints, at_least=6, zips=False)


def test_sample_submission_packets_are_valid(sample: Path):
    """The packet folders and the .docx inside the packet zips (the 活动小结 included)."""
    folders = [p for unit in _units(sample) for p in unit.glob("报送_*") if p.is_dir()]
    zips = [p for unit in _units(sample) for p in unit.glob("报送_*.zip")]
    assert len(folders) == len(zips) == 2
    assert any((f / "活动小结.docx").is_file() for f in folders)
    assert_valid(folders, at_least=5, zips=False)
    assert_valid(zips, at_least=5)


def test_sample_publicity_copies_are_valid(sample: Path):
    assert_valid([sample / api.PUBLICITY_DIR], at_least=10, zips=False)


def test_city_roster_is_valid(sample: Path):
    assert_valid([sample / "全市汇总"], at_least=1, zips=False)


@pytest.fixture(scope="module")
def notice_packets(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("notice")
    files = render_notice(RECORDS, out, templates=TEMPLATES)
    assert files
    return out


def test_notice_packets_are_valid(notice_packets: Path):
    assert_valid([notice_packets], at_least=50, zips=False)


# --------------------------------------------------------------------------------------
# The check catches what it is meant to catch
# --------------------------------------------------------------------------------------


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _edit(data: bytes, part: str, change) -> bytes:
    members = _members(data)
    before = members[part]
    members[part] = change(before)
    assert members[part] != before, f"the mutation did not change {part}"
    return _zip(members)


@pytest.fixture(scope="module")
def voucher(sample: Path) -> bytes:
    """One rendered voucher, rezipped the way the mutations rezip it (so only they differ)."""
    path = sorted((_units(sample)[0] / annexes.VOUCHER.folder).glob("*.docx"))[0]
    return _zip(_members(path.read_bytes()))


def _swap_first_rpr(xml: bytes) -> bytes:
    """w:sz before w:rFonts in the first run properties holding both."""
    return re.sub(rb"<w:rPr>(<w:rFonts [^>]*/>)(.*?)(<w:sz [^>]*/>)", rb"<w:rPr>\3\2\1", xml, count=1)


_DRAWING = (
    '<w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><wp:extent cx="9525" cy="9525"/>'
    '<wp:docPr id="7" name="图片 {n}"/><a:graphic><a:graphicData '
    'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"/></a:graphic></wp:inline></w:drawing></w:r>'
)


def _two_drawings_one_id(xml: bytes) -> bytes:
    first = xml.index(b"</w:p>")
    second = xml.index(b"</w:p>", first + 6)
    one, two = _DRAWING.format(n=1).encode(), _DRAWING.format(n=2).encode()
    return xml[:first] + one + xml[first:second] + two + xml[second:]


def _first_text(xml: bytes, text: str) -> bytes:
    return re.sub(rb"(<w:t(?: [^>]*)?>)[^<]+", lambda m: m.group(1) + text.encode("utf-8"), xml, count=1)


MUTATIONS = {
    # name: (part, change, the finding's code, a fragment of its message or None)
    "rPr order swapped": (DOCUMENT, _swap_first_rpr, "xsd", "rFonts"),
    "content type missing": (
        "[Content_Types].xml",
        lambda x: re.sub(rb'<Default Extension="rels"[^>]*/>', b"", x),
        "ct-missing",
        None,
    ),
    "content type wrong": (
        "[Content_Types].xml",
        lambda x: re.sub(rb'<Override PartName="/word/styles.xml"[^>]*/>', b"", x),
        "rel-target-content-type",
        "/word/styles.xml",
    ),
    "relationship to a missing part": (
        "word/_rels/document.xml.rels",
        lambda x: x.replace(b'Target="styles.xml"', b'Target="styles2.xml"'),
        "rel-target-missing",
        "styles2.xml",
    ),
    "duplicate docPr id": (DOCUMENT, _two_drawings_one_id, "docpr-duplicate-id", "id=7"),
    "U+FFFF in text": (DOCUMENT, lambda x: _first_text(x, "附件\uffff1"), "xml-malformed", "65535"),
    "U+FFFE in text": (DOCUMENT, lambda x: _first_text(x, "附件\ufffe1"), "xml-malformed", "65534"),
    "C0 control character in text": (DOCUMENT, lambda x: _first_text(x, "附件\x011"), "xml-malformed", None),
}


def test_unbroken_voucher_is_valid(voucher: bytes):
    assert not errors(check_docx("voucher.docx", voucher))


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_broken_copy_is_flagged(voucher: bytes, name: str):
    part, change, code, fragment = MUTATIONS[name]
    broken = _edit(voucher, part, change)
    found = errors(check_docx(f"{name}.docx", broken))
    assert any(f["code"] == code and (fragment is None or fragment in f["msg"]) for f in found), describe(found) or "nothing found"


def test_rpr_order_is_words_not_isos(voucher: bytes):
    """ISO 29500 leaves w:rPr children unordered: only Word's sequence flags the swap."""
    broken = _edit(voucher, DOCUMENT, _swap_first_rpr)
    iso = errors(check_docx("swapped.docx", broken, ooxml_check.schemas(word_order=False)))
    assert iso == [], describe(iso)
    assert errors(check_docx("swapped.docx", broken))


def test_dangling_rid_is_flagged(sample: Path):
    """A footer reference whose relationship is gone (the roster has a footer)."""
    roster = next(_units(sample)[0].glob("附件2_*.docx")).read_bytes()
    assert not errors(check_docx("roster.docx", roster))
    broken = _edit(roster, "word/_rels/document.xml.rels", lambda x: re.sub(rb"<Relationship [^>]*/footer\"[^>]*/>", b"", x))
    found = errors(check_docx("roster.docx", broken))
    assert any(f["code"] == "rid-missing" and "footerReference" in f["where"] for f in found), describe(found)


def test_missing_part_and_duplicate_entry_are_flagged(voucher: bytes):
    members = _members(voucher)
    del members["word/styles.xml"]
    found = {f["code"] for f in errors(check_docx("no-styles.docx", _zip(members)))}
    assert "rel-target-missing" in found
    buf = io.BytesIO()  # a zip holding word/settings.xml twice
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in _members(voucher).items():
            z.writestr(name, data)
        with pytest.warns(UserWarning):
            z.writestr("word/settings.xml", b"<x/>")
    found = {f["code"] for f in errors(check_docx("twice.docx", buf.getvalue()))}
    assert "zip-duplicate-entry" in found


# --------------------------------------------------------------------------------------
# The schema folder stands alone
# --------------------------------------------------------------------------------------


def test_schema_folder_holds_exactly_what_the_check_loads():
    """Every schemaLocation resolves to a file in tests/data/ooxml (nothing is fetched), and
    every .xsd there is loaded by the check or imported by one it loads."""
    base = ooxml_check.SCHEMA_DIR
    roots = [
        "ISO-IEC29500-4_2016/wml.xsd",
        "ISO-IEC29500-4_2016/dml-main.xsd",
        "ISO-IEC29500-4_2016/shared-documentPropertiesExtended.xsd",
        "ISO-IEC29500-4_2016/shared-documentPropertiesCustom.xsd",
        "ISO-IEC29500-4_2016/shared-customXmlDataProperties.xsd",
        "dc-local/opc-coreProperties.xsd",
        "ecma/fouth-edition/opc-relationships.xsd",
        "ecma/fouth-edition/opc-contentTypes.xsd",
    ]
    xs = "{http://www.w3.org/2001/XMLSchema}"
    seen, todo = set(), [(base / r).resolve() for r in roots]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        assert path.is_file(), f"{path} is imported but missing"
        seen.add(path)
        for el in etree.parse(str(path)).iter(xs + "import", xs + "include"):
            location = el.get("schemaLocation")
            if location:
                assert not location.startswith(("http:", "https:")), f"{path.name} imports {location}"
                todo.append((path.parent / location).resolve())
    shipped = {p.resolve() for p in base.rglob("*.xsd")}
    assert shipped == seen, f"unused: {sorted(p.name for p in shipped - seen)}"


# --------------------------------------------------------------------------------------
# Record text: what reaches document.xml
# --------------------------------------------------------------------------------------


def _records_with(tmp_path: Path, replacements: dict[str, tuple[str, str]]) -> Path:
    """A copy of the sample records with ``{file: (old line, new line)}`` replaced."""
    copy = tmp_path / "records"
    shutil.copytree(RECORDS, copy)
    for rel, (old, new) in replacements.items():
        path = copy / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{rel}: {old!r} not found"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


WORKER = "思明区总工会/职工/001-王秀英.yaml"
UNIT = "思明区总工会/单位.yaml"
WEEK = "思明区总工会/周报/2011-12-02.yaml"


def _document_xml_texts(out: Path) -> list[str]:
    texts = []
    for _name, data in iter_docx([out], zips=True):
        texts.append(_members(data)[DOCUMENT].decode("utf-8"))
    return texts


def test_control_characters_in_records_do_not_reach_document_xml(tmp_path: Path):
    """C0 controls typed as YAML escapes: context.clean_text removes them before printing."""
    records = _records_with(
        tmp_path,
        {
            WORKER: ("工作单位: 厦门市鹭江纺织厂", '工作单位: "厦门市鹭江\\x01纺织\\x0b厂\\x1f"'),
            UNIT: ("填表人: 林晓燕", '填表人: "林晓\\x02燕"'),
        },
    )
    out = tmp_path / "out"
    api.render(records, out, templates=TEMPLATES)
    texts = _document_xml_texts(out)
    assert any("厦门市鹭江纺织厂" in t for t in texts)
    assert not any(re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", t) for t in texts)
    assert_valid([out], at_least=50)


def test_noncharacters_in_records_do_not_reach_document_xml(tmp_path: Path):
    records = _records_with(
        tmp_path,
        {
            WORKER: (
                "家庭住址: 厦门市思明区莲前街道前埔西社区前埔西路36号502室",
                '家庭住址: "厦门市思明区莲前街道\\uFFFF前埔西社区前埔西路36号502室"',
            ),
            UNIT: ("填表人: 林晓燕", '填表人: "林晓燕\\uFFFE"'),
            WEEK: ("报出日期: 2011-12-02", '报出日期: 2011-12-02\n案例说明: "某企业\\uFFFF拖欠工资"'),
        },
    )
    out = tmp_path / "out"
    api.render(records, out, templates=TEMPLATES)
    assert_valid([out], at_least=50)


def test_name_with_a_noncharacter_is_refused(tmp_path: Path):
    records = _records_with(tmp_path, {WORKER: ("姓名: 王秀英", '姓名: "王秀英\\uFFFF"')})
    refused = [p for p in api.check(records).errors if p.path.name == Path(WORKER).name]
    assert refused, "姓名 holding U+FFFF was accepted"


# --------------------------------------------------------------------------------------
# Templates staff edit: a picture, a LibreOffice round trip
# --------------------------------------------------------------------------------------


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def with_picture(tmp_path_factory) -> Path:
    """The sample rendered with templates whose first paragraph holds a picture (a logo or a
    seal, as staff add in Word): annexes 1 and 3, which have print files."""
    from docx import Document
    from docx.shared import Mm

    folder = tmp_path_factory.mktemp("picture-templates")
    for template in TEMPLATES.glob("*.docx"):
        shutil.copy(template, folder / template.name)
    for name in ("附件1_慰问金发放凭证.docx", "附件3_困难职工档案登记表.docx"):
        doc = Document(str(folder / name))
        doc.paragraphs[0].add_run().add_picture(io.BytesIO(_png()), width=Mm(10))
        doc.save(str(folder / name))
        assert not errors(check_docx(folder / name))
    out = tmp_path_factory.mktemp("picture-out")
    api.render(RECORDS, out, templates=folder)
    return out


def test_documents_of_a_template_with_a_picture_are_valid(with_picture: Path):
    paths = [unit / d for unit in _units(with_picture) for d in (annexes.VOUCHER.folder, annexes.REGISTRATION.folder)]
    assert_valid(paths, at_least=20, zips=False)


def test_print_files_of_a_template_with_a_picture_are_valid(with_picture: Path):
    """Every document's drawing keeps its own wp:docPr id across the print file."""
    prints = [unit / annexes.PRINT_DIR for unit in _units(with_picture)]
    assert_valid(prints, at_least=6, zips=False)
    voucher = _units(with_picture)[0] / annexes.VOUCHER.print_file
    ids = re.findall(rb'<wp:docPr\b[^>]*?\sid="(\d+)"', _members(voucher.read_bytes())[DOCUMENT])
    assert len(ids) > 1 and len(set(ids)) == len(ids)


def _templates_with(tmp_path: Path, replacement: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    for template in TEMPLATES.glob("*.docx"):
        shutil.copy(template, folder / template.name)
    shutil.copy(replacement, folder / replacement.name)
    return folder


def test_roster_from_a_libreoffice_resaved_template_is_valid(tmp_path: Path):
    """LibreOffice's mistakes (w:b twice in paragraph-mark w:rPr, w:rFonts/w:spacing after w:sz
    in the footer's field runs, w:sectPr first in w:pPr) are put right once, when the template
    is prepared (formkit.documents.normalize), for document.xml, headers, footers and styles."""
    templates = _templates_with(tmp_path, LIBREOFFICE / "附件2_实名制发放凭证汇总表.docx")
    out = tmp_path / "out"
    api.render(RECORDS, out, templates=templates)
    rosters = [p for unit in _units(out) for p in unit.glob("附件2_*.docx")]
    assert rosters
    assert_valid(rosters, at_least=2, zips=False)


def test_notice_from_a_libreoffice_resaved_template_is_valid(tmp_path: Path):
    templates = _templates_with(tmp_path, LIBREOFFICE / "通知_厦工[2011]104号.docx")
    out = tmp_path / "out"
    render_notice(RECORDS, out, templates=templates)
    notices = sorted(out.rglob("通知_*.docx"))
    assert notices
    assert_valid(notices, at_least=10, zips=False)


def test_libreoffice_fixtures_are_libreoffice_resaves():
    """The fixtures are what LibreOffice wrote (and what the tests above are about)."""
    for path in sorted(LIBREOFFICE.glob("*.docx")):
        app = _members(path.read_bytes())["docProps/app.xml"].decode("utf-8")
        assert "LibreOffice" in app, path.name
        assert (TEMPLATES / path.name).is_file(), f"{path.name} is not a shipped template's name"
        found = errors(check_docx(path))
        assert found, f"{path.name}: LibreOffice's mistakes are gone; the fixture no longer shows them"
