"""The registry of the documents (formkit.domain.annexes) is what every part of formkit reads."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from formkit import api
from formkit.domain import annexes
from formkit.domain.vocab import UnitType
from formkit.forms.schedule import REPORT_DEADLINE, schedule


def test_kinds_templates_and_names_are_distinct_and_shipped():
    kinds = [d.kind for d in annexes.documents()]
    assert len(set(kinds)) == len(kinds)
    assert len({d.template for d in annexes.documents()}) == len(kinds)
    assert len({d.stem for d in annexes.documents()}) == len(kinds)
    assert [d.number for d in annexes.ANNEXES] == [1, 2, 3, 4]
    for document in annexes.documents():
        assert (ROOT / "templates" / document.template).is_file(), document.template
        assert annexes.by_kind(document.kind) is document
    with pytest.raises(KeyError):
        annexes.by_kind("receipt")


def test_the_rule_of_section_4_3():
    # 各产业工会: 凭证、汇总表、小结; 各区工会: 汇总表、小结 (通知四.3)
    assert annexes.sent_by(UnitType.INDUSTRIAL_UNION.value) == [annexes.VOUCHER, annexes.ROSTER, annexes.SUMMARY]
    assert annexes.sent_by(UnitType.DISTRICT_UNION.value) == [annexes.ROSTER, annexes.SUMMARY]
    assert annexes.sent_by("街道工会") == [] and annexes.packet_rule("街道工会") == ""
    notice = (ROOT / "docs" / "notice.txt").read_text(encoding="utf-8")
    assert "各区工会只报送《中央财政帮扶专项资金实名制发放凭证汇总表》和两节送温暖活动小结" in notice
    assert annexes.packet_rule("区工会").startswith("各区工会只报送《中央财政帮扶专项资金实名制发放凭证汇总表》和两节送温暖活动小结")
    assert "《慰问金发放凭证》和《中央财政帮扶专项资金实名制发放凭证汇总表》及两节送温暖活动小结" in annexes.packet_rule("产业工会")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    report = api.render(ROOT / "records", out, templates=ROOT / "templates")
    return report, api.check(ROOT / "records")


def test_render_writes_what_the_registry_names(rendered):
    report, records = rendered
    for unit in records.units:
        folder = report.out / unit.unit.name
        for document in annexes.ANNEXES:
            if document.printed:
                assert (folder / document.folder).is_dir(), document.folder
                assert (folder / document.print_file).is_file(), document.print_file
            else:
                assert list(folder.glob(f"{document.stem}*.docx")), document.stem
        assert set(report.counts[unit.unit.name]) == {d.short for d in annexes.ANNEXES}


def test_packets_and_schedule_send_what_the_registry_says(rendered):
    report, records = rendered
    rows = [row for row in schedule(records, records.campaign.report_deadline) if row.kind == REPORT_DEADLINE]
    for unit in records.units:
        sent = annexes.sent_by(str(unit.unit.unit_type))
        [packet] = [p for p in report.packets if p.parts[0] == unit.unit.name]
        manifest = json.loads((report.out / packet.with_suffix("") / "manifest.json").read_text(encoding="utf-8"))
        roles = {entry["role"].removesuffix("（草稿）") for entry in manifest["files"]}
        assert roles == {d.label for d in sent}
        assert manifest["rule"] == annexes.packet_rule(str(unit.unit.unit_type))
        assert rows[0].units[unit.unit.name] == "、".join(f"附件{d.number}" if d.number else "小结" for d in sent)


def test_a_kind_added_to_the_registry_is_rendered_printed_and_sent(tmp_path, monkeypatch):
    # a hypothetical 附件5, one per paid worker, printed, sent by 产业工会 only: one registry
    # entry, its template file, and the builder of what it prints
    import dataclasses
    import shutil

    from formkit.forms import context as ctx

    receipt = dataclasses.replace(
        annexes.VOUCHER, kind="receipt", number=5, title="慰问品发放签收表", short="慰问品发放签收表",
        template="附件5_慰问品发放签收表.docx", stem="附件5_慰问品发放签收表",
    )  # fmt: skip
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    shutil.copyfile(templates / annexes.VOUCHER.template, templates / receipt.template)
    monkeypatch.setattr(annexes, "RENDERED", (*annexes.RENDERED, receipt))
    monkeypatch.setitem(ctx.CONTEXTS, "receipt", ctx.CONTEXTS["voucher"])

    report = api.render(ROOT / "records", tmp_path / "out", templates=templates)
    records = api.check(ROOT / "records")
    for unit in records.units:
        folder = report.out / unit.name
        paid = len(records.paid_workers(unit))
        assert len(list((folder / receipt.folder).glob("*.docx"))) == paid
        assert (folder / receipt.print_file).is_file()
        assert report.counts[unit.name][receipt.short] == paid
        [packet] = [p for p in report.packets if p.parts[0] == unit.name]
        manifest = json.loads((report.out / packet.with_suffix("") / "manifest.json").read_text(encoding="utf-8"))
        sent = any(entry["role"] == receipt.label for entry in manifest["files"])
        assert sent == (unit.unit.unit_type == UnitType.INDUSTRIAL_UNION.value)
    assert annexes.by_kind("receipt") is receipt
