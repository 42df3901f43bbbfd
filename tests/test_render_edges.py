"""What a render keeps and says: the PDFs of documents not rendered again stay (issue 15),
the PDFs removed are listed, and a packet holding the draft 活动小结 is reported with where
the finished one goes."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from conftest import RECORDS, TEMPLATES
from formkit import api
from formkit.pipeline.pdf import ConversionResult, Made
from formkit.pipeline.pdf.printjobs import PrintJob

SM = "思明区总工会"
JS = "市建设工会工委"


def _blank_pdf(path: Path, pages: int = 1) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def _fake_convert(jobs: Sequence[PrintJob], others: Sequence[Path] = (), **_: object) -> ConversionResult:
    """A LibreOffice stand-in: a one-page PDF for every document of every print job and every
    other document, and the print files' PDFs (what the PDF stage expects of the engine)."""
    done = ConversionResult()
    for job in jobs:
        for document, pdf in job.documents.values():
            done.made[Path(document)] = Made(_blank_pdf(Path(pdf)), 1)
        done.made[Path(job.source)] = Made(_blank_pdf(Path(job.target), len(job.documents)), len(job.documents))
    for document in others:
        done.made[Path(document)] = Made(_blank_pdf(Path(document).with_suffix(".pdf")), 1)
    return done


@pytest.fixture
def fake_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("formkit.pipeline.pdfstage.convert_print_jobs", _fake_convert)
    monkeypatch.setattr("formkit.api.find_soffice", lambda: Path("soffice"))


def _pdfs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.pdf"))}


def test_render_without_pdf_keeps_the_pdfs_of_documents_it_did_not_render_again(tmp_path: Path, fake_libreoffice: None) -> None:
    records = tmp_path / "records"
    shutil.copytree(RECORDS, records)
    out = tmp_path / "out"
    api.render(records, out, templates=TEMPLATES, pdf=True)
    before = _pdfs(out)
    assert len(before) > 40

    # nothing changed: every PDF stays, nothing is said to be removed
    again = api.render(records, out, templates=TEMPLATES)
    assert again.pdf_removed == [] and _pdfs(out) == before
    assert {p.as_posix() for p in again.files} >= set(before)

    # one worker's amount changes: its documents, the roster and the print files holding
    # them are rendered again; only their PDFs go, and they are listed
    worker = records / SM / "职工" / "001-王秀英.yaml"
    worker.write_text(worker.read_text(encoding="utf-8").replace("资助金额: 1000.00", "资助金额: 1234.00"), encoding="utf-8")
    report = api.render(records, out, templates=TEMPLATES)
    rebuilt_docx = {p.as_posix() for p in report.rebuilt if p.suffix == ".docx"}
    removed = {p.as_posix() for p in report.pdf_removed}
    assert removed == {rel[:-5] + ".pdf" for rel in rebuilt_docx}
    assert any("王秀英" in rel for rel in removed) and any(rel.startswith(f"{SM}/打印件/") for rel in removed)
    after = _pdfs(out)
    assert set(after) == set(before) - removed
    assert all(after[rel] == before[rel] for rel in after)
    assert not any(rel.startswith(JS) for rel in removed)  # the other unit is not touched


def test_render_reports_a_packet_holding_the_draft_summary(tmp_path: Path) -> None:
    records = tmp_path / "records"
    shutil.copytree(RECORDS, records)
    out = tmp_path / "out"
    report = api.render(records, out, templates=TEMPLATES)
    assert len(report.packets) == 2 and set(report.draft_summaries) == set(report.packets)
    for packet, finished in report.draft_summaries.items():
        assert finished == records / packet.parts[0] / "活动小结.docx"
    # the finished 小结 saved where it goes: that packet no longer holds the draft
    shutil.copy(out / SM / next(p for p in report.packets if p.parts[0] == SM).name.replace(".zip", "") / "活动小结.docx", records / SM)
    report = api.render(records, out, templates=TEMPLATES)
    assert [p.parts[0] for p in report.draft_summaries] == [JS]


def test_a_render_whose_staging_folder_another_render_removed_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a second `formkit render` into the same output folder removes the staging folder of
    # the first as a leftover: the first says so, not "cannot write" or "no 附件2 … render first"
    from formkit.errors import OutputError
    from formkit.files import remove_leftovers
    from formkit.pipeline.batch import Batch

    records = tmp_path / "records"
    unit = records / SM
    (unit / "职工").mkdir(parents=True)
    shutil.copy(RECORDS / "campaign.yaml", records / "campaign.yaml")
    shutil.copy(RECORDS / SM / "单位.yaml", unit / "单位.yaml")
    shutil.copytree(RECORDS / SM / "周报", unit / "周报")
    shutil.copy(RECORDS / SM / "职工" / "001-王秀英.yaml", unit / "职工" / "a.yaml")
    original = Batch.collect

    def collect(self: Batch, *args: object, **kw: object) -> None:
        remove_leftovers(self.out)  # the other render starts
        original(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Batch, "collect", collect)
    out = tmp_path / "out"
    with pytest.raises(OutputError) as caught:
        api.render(records, out, processes=1)
    assert (
        str(caught.value) == api.CONCURRENT_RENDER == "另一个 formkit render 同时在写同一个输出文件夹，这次生成已中止；等它完成后再生成。"
    )
    assert not [p for p in out.iterdir() if p.name.startswith(".formkit-staging")]
    monkeypatch.undo()
    assert api.render(records, out, processes=1).files  # alone, it renders
