"""The PDF engine (formkit.pdfengine): N LibreOffice workers, every output checked, one retry,
markers and print files cut into their documents' PDFs.

Needs LibreOffice and poppler (CI installs both: there a missing tool fails these tests).
The documents are the shipped sample records, rendered once per module.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import require_tools
from formkit import api
from formkit.domain import annexes
from formkit.pipeline.manifest import MANIFEST
from formkit.pipeline.pdf import PdfError
from formkit.pipeline.pdf.engine import convert_documents
from formkit.pipeline.pdf.pdffiles import InvalidPdf, check_pdf, concatenate_pdfs, marker_pages, split_print_pdf
from formkit.pipeline.pdf.printjobs import (
    MARKER_ID_BASE,
    PrintJob,
    add_marker,
    chunk_ranges,
    convert_print_jobs,
    marker_name,
    page_fields,
    stable_chunk_ranges,
    write_marked_chunks,
)
from formkit.pipeline.pdf.soffice import default_timeout

ROOT = Path(__file__).resolve().parents[1]
UNIT = "思明区总工会"

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="kills a process group (POSIX)")


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (pdftotext), white space removed."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return [
        "".join(
            subprocess.run(
                ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True, check=True
            ).stdout.split()
        )
        for n in range(1, count + 1)
    ]


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def unit(tmp_path_factory) -> Path:
    require_tools("soffice", "pdfinfo", "pdftotext")
    out = tmp_path_factory.mktemp("pdfengine")
    api.render(ROOT / "records", out, templates=ROOT / "templates")
    return out / UNIT


def copies(paths, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for p in paths:
        target = folder / p.name
        target.write_bytes(p.read_bytes())
        made.append(target)
    return made


def layout(unit: Path, rel: str) -> tuple[list[Path], list[int]]:
    """A print file's documents in order and their pieces' sizes (from the unit manifest)."""
    manifest = json.loads((unit / MANIFEST).read_text(encoding="utf-8"))
    by_key = {e["key"]: r for r, e in manifest["files"].items() if r.endswith(".docx") and "key" in e}
    rows = manifest["pieces"][rel]
    return [unit / by_key[row[0]] for row in rows], [row[4] for row in rows]


# --------------------------------------------------------------------------------------
# Checking outputs, without LibreOffice
# --------------------------------------------------------------------------------------


def blank_pdf(path: Path, pages: int = 1) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def test_check_pdf_counts_pages_and_names_what_is_wrong(tmp_path):
    assert check_pdf(blank_pdf(tmp_path / "three.pdf", 3)) == 3
    whole = (tmp_path / "three.pdf").read_bytes()
    cases = {
        "missing.pdf": None,
        "empty.pdf": b"",
        "text.pdf": b"hello, not a PDF at all" * 10,
        "cut.pdf": whole[: len(whole) // 2],
    }
    reasons = {}
    for name, data in cases.items():
        if data is not None:
            (tmp_path / name).write_bytes(data)
        with pytest.raises(InvalidPdf) as err:
            check_pdf(tmp_path / name)
        reasons[name] = str(err.value)
    assert "没有生成" in reasons["missing.pdf"]
    assert "空文件" in reasons["empty.pdf"]
    assert "不是 PDF" in reasons["text.pdf"]
    assert "不完整" in reasons["cut.pdf"]


def test_chunk_ranges_cover_everything_evenly():
    for count in (0, 1, 99, 100, 101, 250, 1000, 1001):
        ranges = chunk_ranges(count, 100)
        assert [i for lo, hi in ranges for i in range(lo, hi)] == list(range(count))
        sizes = [hi - lo for lo, hi in ranges]
        assert all(0 < s <= 100 for s in sizes) and (not sizes or max(sizes) - min(sizes) <= 1)


def test_add_marker_goes_after_the_paragraph_properties():
    name, ident = marker_name(7), MARKER_ID_BASE + 7
    mark = f'<w:bookmarkStart w:id="{ident}" w:name="{name}"/><w:bookmarkEnd w:id="{ident}"/>'.encode()
    ppr = b"<w:pPr><w:pageBreakBefore/><w:rPr><w:b/></w:rPr></w:pPr>"
    run = b"<w:r><w:t>x</w:t></w:r>"
    assert add_marker(b"<w:p>" + ppr + run + b"</w:p><w:tbl/>", name, ident) == b"<w:p>" + ppr + mark + run + b"</w:p><w:tbl/>"
    assert add_marker(b'<w:p w:rsidR="1">' + run + b"</w:p>", name, ident) == b'<w:p w:rsidR="1">' + mark + run + b"</w:p>"
    assert add_marker(b"\n<w:p/><w:p/>", name, ident) == b"\n<w:p>" + mark + b"</w:p><w:p/>"
    brk = b'<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
    table = b"<w:tbl><w:tblPr/><w:tr><w:tc><w:tcPr/><w:p><w:pPr/>%s<w:r/></w:p></w:tc></w:tr></w:tbl>"
    assert add_marker(brk + table % b"", name, ident) == brk + table % mark  # the page break stays before
    assert add_marker(table % b"", name, ident) == table % mark
    with pytest.raises(ValueError):
        add_marker(b"<w:tbl><w:tr/></w:tbl>", name, ident)
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", name)


def test_page_fields_are_found_in_the_roster_only():
    templates = ROOT / "templates"
    assert set(page_fields(templates / "附件2_实名制发放凭证汇总表.docx")) >= {"PAGE", "NUMPAGES"}
    for name in ("附件1_慰问金发放凭证.docx", "附件3_困难职工档案登记表.docx", "附件4_企业工资拖欠情况周报表.docx"):
        assert page_fields(templates / name) == [], name


# --------------------------------------------------------------------------------------
# Conversion with LibreOffice
# --------------------------------------------------------------------------------------


def test_a_corrupt_document_among_good_ones_is_named_and_the_others_converted(unit, tmp_path):
    good = copies(
        sorted((unit / annexes.VOUCHER.folder).glob("*.docx"))[:3] + sorted((unit / annexes.WEEKLY.folder).glob("*.docx"))[:2],
        tmp_path / "docs",
    )
    garbage = tmp_path / "docs" / "乱码.docx"
    garbage.write_bytes(b"this is not a word document\n" * 200)
    truncated = tmp_path / "docs" / "截断.docx"
    truncated.write_bytes(good[0].read_bytes()[:3000])
    docs = good[:2] + [garbage] + good[2:] + [truncated]
    seen = []
    result = convert_documents(docs, workers=2, progress=seen.append)
    assert set(result.made) == set(good)
    assert set(result.failed) == {garbage, truncated}
    for doc in (garbage, truncated):
        assert "失败" in result.failed[doc] and "PDF" in result.failed[doc]
        assert not doc.with_suffix(".pdf").exists()
    assert set(result.retried) == {garbage, truncated}
    for doc in good:
        made = result.made[doc]
        assert made.pdf == doc.with_suffix(".pdf") and made.pages == len(page_texts(made.pdf)) >= 1
    assert [p.done for p in seen] == list(range(1, len(docs) + 1)) and seen[-1].failed == 2
    assert not [p for p in (tmp_path / "docs").iterdir() if p.name.startswith(".~")], "no temporary file may remain"


def test_files_per_call_are_limited(unit, tmp_path):
    docs = copies(sorted((unit / annexes.VOUCHER.folder).glob("*.docx"))[:5], tmp_path / "docs")
    targets = {d: tmp_path / "pdf" / (d.stem + ".pdf") for d in docs}
    result = convert_documents(docs, targets=targets, workers=1, max_files=2)
    assert set(result.made) == set(docs) and not result.failed
    assert [len(c.documents) for c in result.calls] == [2, 2, 1]
    assert all(targets[d].is_file() for d in docs)


@posix_only
def test_a_killed_libreoffice_costs_one_retry_and_nothing_else(unit, tmp_path):
    docs = copies(sorted((unit / annexes.REGISTRATION.folder).glob("*.docx"))[:4], tmp_path / "docs")
    killed = []

    def on_call(pid, documents):
        if not killed:  # the first call dies as soon as it starts
            killed.append(list(documents))
            kill_group(pid)

    result = convert_documents(docs, workers=1, on_call=on_call)
    assert set(result.made) == set(docs) and not result.failed
    first = result.calls[0]
    assert first.returncode < 0 and list(first.documents) == killed[0]
    assert result.retried == [killed[0][0]]  # the one it was on; the rest were not tried yet
    assert len(result.calls) >= 2


@posix_only
def test_a_document_whose_libreoffice_dies_twice_is_named_with_the_reason(unit, tmp_path):
    docs = copies(sorted((unit / annexes.VOUCHER.folder).glob("*.docx"))[:4], tmp_path / "docs")
    victim = docs[1]

    def on_call(pid, documents):
        if victim in documents:
            kill_group(pid)

    result = convert_documents(docs, workers=2, on_call=on_call)
    assert set(result.made) == set(docs) - {victim}
    assert list(result.failed) == [victim]
    assert "SIGKILL" in result.failed[victim] and "2 次" in result.failed[victim]
    assert not victim.with_suffix(".pdf").exists()


def test_a_document_that_takes_too_long_is_stopped_and_named(unit, tmp_path):
    docs = copies(sorted((unit / annexes.VOUCHER.folder).glob("*.docx"))[:2], tmp_path / "docs")
    slow = docs[0]

    def timeout(documents, weights):
        return 0.3 if slow in documents else default_timeout(documents, weights)

    result = convert_documents(docs, workers=1, timeout=timeout)
    assert list(result.failed) == [slow] and "超过" in result.failed[slow]
    assert set(result.made) == {docs[1]}
    assert any(c.timed_out for c in result.calls)


# --------------------------------------------------------------------------------------
# Print files: markers, chunks, cutting
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cut(unit, tmp_path_factory):
    """The unit's weekly reports and registration forms: print files in chunks of 3, two
    LibreOffice workers, each document's PDF cut out; and each document converted alone."""
    work = tmp_path_factory.mktemp("cut")
    jobs, alone = [], []
    for rel in (f"{annexes.PRINT_DIR}/{annexes.WEEKLY.folder}.docx", f"{annexes.PRINT_DIR}/{annexes.REGISTRATION.folder}.docx"):
        docs, sizes = layout(unit, rel)
        folder = work / Path(rel).stem
        chunks, names = write_marked_chunks(unit / rel, sizes, folder / "chunks", size=3)
        documents = {marker_name(i): (d, folder / "cut" / (d.stem + ".pdf")) for i, d in enumerate(docs)}
        jobs.append(PrintJob(unit / rel, folder / "print.pdf", chunks, names, documents))
        alone += copies(docs, folder / "alone")
    starts = []
    result = convert_print_jobs(jobs, workers=2, min_share=0, on_call=lambda pid, docs: starts.append(pid))
    whole = convert_documents(
        alone + [unit / j.source.relative_to(unit) for j in jobs],
        targets={j.source: work / (j.source.stem + ".whole.pdf") for j in jobs},
        workers=2,
    )
    return jobs, result, whole, work


def test_each_cut_document_has_the_pages_of_its_own_conversion(cut):
    jobs, result, whole, _work = cut
    assert not result.failed and not whole.failed
    multi = 0
    for job in jobs:
        for _name, (doc, pdf) in job.documents.items():
            assert result.made[doc].pdf == pdf
            own = whole.made[pdf.parent.parent / "alone" / doc.name].pdf
            texts = page_texts(pdf)
            assert texts == page_texts(own), f"{doc.name}: cut pages differ from its own PDF"
            assert result.made[doc].pages == len(texts)
            multi += len(texts) > 1
    assert multi, "the sample should hold a document of more than one page (a weekly report with 案例说明)"


def test_the_print_pdf_joined_from_chunks_reads_as_the_print_file_converted_whole(cut):
    jobs, result, whole, _work = cut
    for job in jobs:
        assert len(job.chunks) > 1
        joined = result.made[job.source]
        assert joined.pdf == job.target
        assert page_texts(joined.pdf) == page_texts(whole.made[job.source].pdf)
        assert joined.pages == sum(result.made[doc].pages for doc, _ in job.documents.values())


def test_two_workers_convert_side_by_side(cut):
    _jobs, result, _whole, _work = cut
    assert result.workers == 2 and {c.worker for c in result.calls} == {0, 1}
    first = {c.worker: c for c in sorted(result.calls, key=lambda c: -c.start)}  # each worker's first call
    a, b = first[0], first[1]
    assert a.start < b.start + b.seconds and b.start < a.start + a.seconds, "the two calls overlap in time"
    assert result.peak_rss is None or result.peak_rss > 50e6


def test_markers_are_found_in_order_and_missing_ones_refused(cut, tmp_path):
    jobs, _result, whole, _work = cut
    job = jobs[1]
    names = [n for chunk in job.names for n in chunk]
    pdf = whole.made[job.source].pdf  # converted whole, from the print file without markers
    with pytest.raises(PdfError, match="标记"):
        split_print_pdf(pdf, names, [tmp_path / f"{n}.pdf" for n in names])
    assert not list(tmp_path.iterdir())


def test_a_failed_chunk_falls_back_to_its_documents(unit, tmp_path):
    rel = f"{annexes.PRINT_DIR}/{annexes.WEEKLY.folder}.docx"
    docs, sizes = layout(unit, rel)
    docs = copies(docs, tmp_path / "docs")
    chunks, names = write_marked_chunks(unit / rel, sizes, tmp_path / "chunks", size=3)
    chunks[1].write_bytes(b"broken")  # the second chunk cannot be read
    documents = {marker_name(i): (d, d.with_suffix(".pdf")) for i, d in enumerate(docs)}
    job = PrintJob(unit / rel, tmp_path / "print.pdf", chunks, names, documents)
    result = convert_print_jobs([job], workers=2)
    assert not result.failed
    assert set(result.made) == set(docs) | {job.source}
    assert result.made[job.source].pages == sum(result.made[d].pages for d in docs)
    with zipfile.ZipFile(chunks[0]) as z:
        assert marker_name(0).encode() in z.read("word/document.xml")


def test_a_cut_document_carries_only_the_fonts_its_pages_use(tmp_path):
    """Twenty one-page 'documents' of varied Chinese text (2,400 random characters):
    LibreOffice gives every page one resource dictionary naming all the font subsets; the
    cut PDFs keep the ones their pages use, and read the same."""
    require_tools("soffice", "pdftotext", "pdfinfo")
    import random

    import docx
    from docx.oxml.ns import qn

    rng = random.Random(16)
    doc = docx.Document()
    for i in range(20):
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.page_break_before = i > 0
        run = paragraph.add_run("".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(120)))
        run.font.name = "宋体"
        run._element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    source = tmp_path / "varied.docx"
    doc.save(source)
    with zipfile.ZipFile(source) as z:
        xml = z.read("word/document.xml")
    body = xml[xml.index(b"<w:body>") + len(b"<w:body>") : xml.index(b"<w:sectPr")]
    starts = [m.start() for m in re.finditer(rb"<w:p[ >]", body)] + [len(body)]
    sizes = [b - a for a, b in itertools.pairwise(starts)]
    assert len(sizes) == 20
    chunks, names = write_marked_chunks(source, sizes, tmp_path / "chunks", size=20)
    result = convert_documents(chunks)
    assert not result.failed
    whole = result.made[chunks[0]].pdf
    cut = split_print_pdf(whole, names[0], [tmp_path / f"{n}.pdf" for n in names[0]])
    sizes = [m.pdf.stat().st_size for m in cut.values()]
    assert all(m.pages == 1 for m in cut.values())
    # measured: 112 KB to 1,023 KB of a 1,035 KB chunk (LibreOffice spreads the glyphs over
    # its subsets); without the pruning every cut page carried all of it
    total = whole.stat().st_size
    assert min(sizes) < total / 3 and sum(sizes) < 0.75 * total * len(sizes), (sorted(sizes), total)
    texts = page_texts(whole)
    assert [page_texts(m.pdf)[0] for m in cut.values()] == texts


def test_stable_chunks_move_only_around_a_change():
    keys = [f"document-{i}" for i in range(2000)]
    ranges = stable_chunk_ranges(keys, 100)
    assert [i for lo, hi in ranges for i in range(lo, hi)] == list(range(2000))
    assert all(hi - lo <= 200 for lo, hi in ranges) and all(hi - lo >= 50 for lo, hi in ranges[:-1])
    assert 10 <= len(ranges) <= 40
    chunks = {tuple(keys[lo:hi]) for lo, hi in ranges}
    for removed in (0, 777, 1999):
        fewer = keys[:removed] + keys[removed + 1 :]
        again = {tuple(fewer[lo:hi]) for lo, hi in stable_chunk_ranges(fewer, 100)}
        assert len(chunks - again) <= 2, removed  # the chunk that held it (and one it merged with)
    more = ["new document"] + keys
    again = {tuple(more[lo:hi]) for lo, hi in stable_chunk_ranges(more, 100)}
    assert len(chunks - again) <= 2
    # chunks by position: one document more (21 chunks instead of 20) changes every chunk
    by_position = {tuple(keys[lo:hi]) for lo, hi in chunk_ranges(2000, 100)}
    assert not by_position & {tuple(more[lo:hi]) for lo, hi in chunk_ranges(2001, 100)}


def test_markers_land_on_the_first_page_of_documents_that_open_with_a_table(tmp_path):
    """A print file makes each document a section of its own, ended by a small paragraph
    (formkit.documents.printfile.section_break); a document that opens with a table has its
    marker in the table's first cell, on its own first page."""
    require_tools("soffice")
    import docx

    from formkit.documents.printfile import section_break

    base = tmp_path / "base.docx"
    docx.Document().save(base)
    with zipfile.ZipFile(base) as z:
        infos = z.infolist()
        parts = {i.filename: z.read(i) for i in infos}
    xml = parts["word/document.xml"]
    head, tail = xml[: xml.index(b"<w:body>") + 8], xml[xml.index(b"<w:sectPr") :]
    sect = tail[: tail.index(b"</w:sectPr>") + len(b"</w:sectPr>")]

    def table(text: str) -> bytes:
        return (
            b'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid><w:gridCol w:w="4000"/></w:tblGrid><w:tr><w:tc>'
            b'<w:tcPr><w:tcW w:w="4000" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>'
            + text.encode()
            + b"</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/>"
        )

    docs = [table("first"), table("second"), b"<w:p><w:r><w:t>third</w:t></w:r></w:p>", table("fourth")]
    body = section_break(sect).join(add_marker(d, marker_name(i), MARKER_ID_BASE + i) for i, d in enumerate(docs))
    marked = tmp_path / "marked.docx"
    with zipfile.ZipFile(marked, "w", zipfile.ZIP_DEFLATED) as z:
        for info in infos:
            z.writestr(info.filename, head + body + tail if info.filename == "word/document.xml" else parts[info.filename])
    result = convert_documents([marked])
    pdf = result.made[marked].pdf
    assert marker_pages(pdf, [marker_name(i) for i in range(4)]) == [0, 1, 2, 3]
    assert page_texts(pdf) == ["first", "second", "third", "fourth"]


def test_a_print_pdf_is_spliced_from_ranges_of_pdfs(cut, tmp_path):
    """An incremental run: the previous print PDF's pages around a changed document, the
    changed document's new pages in between; each source read once."""
    jobs, result, _whole, _work = cut
    job = jobs[1]
    previous = result.made[job.source].pdf
    texts = page_texts(previous)
    docs = [doc for doc, _ in job.documents.values()]
    middle = docs[len(docs) // 2]
    start = sum(result.made[d].pages for d in docs[: len(docs) // 2])
    replacement = result.made[docs[0]].pdf  # stands for the changed document's new PDF
    new_pages = result.made[docs[0]].pages
    parts = [(previous, 0, start), replacement, (previous, start + result.made[middle].pages, len(texts))]
    target = tmp_path / "spliced.pdf"
    pages = concatenate_pdfs(parts, target)
    expected = texts[:start] + page_texts(replacement) + texts[start + result.made[middle].pages :]
    assert pages == len(expected) == len(texts) - result.made[middle].pages + new_pages
    assert page_texts(target) == expected
    with pytest.raises(PdfError):
        concatenate_pdfs([(previous, 0, len(texts) + 1)], tmp_path / "bad.pdf")
    assert not (tmp_path / "bad.pdf").exists()
