"""Submission packets (notice §四.3): contents per unit type, manifest, zip, reproducibility.

The sample records are rendered with ``formkit.api.render`` and the packets are built on the
output. Expected figures are counted here from the record files read as text
(formkit.records.yamlio, every scalar a string), not through the code that builds the packets.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import RECORDS, TEMPLATES
from docxread import all_text, squash, tables
from formkit import api
from formkit.domain import annexes
from formkit.errors import FormkitError
from formkit.files import safe_name
from formkit.pipeline.packets import (
    MANIFEST_FILE,
    build_manifest,
    build_unit_packet,
    packet_zip_path,
    verify_packet,
)
from formkit.records.load import load_records
from formkit.records.yamlio import load_yaml

DEADLINE = load_yaml(RECORDS / "campaign.yaml").data["上报截止"]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def raw_workers(unit_folder: Path) -> list[dict]:
    """The unit's worker records as typed (text values)."""
    return [load_yaml(p).data for p in sorted((unit_folder / "职工").glob("*.yaml"))]


def is_paid(worker: dict) -> bool:
    return bool(worker.get("慰问")) and worker.get("档案状态", "在档") != "脱贫"


def unit_of_type(records, kind: str):
    found = [u for u in records.units if u.unit.unit_type == kind]
    assert found, f"the samples have no {kind}"
    return found[0]


@pytest.fixture(scope="module")
def records():
    return api.check(RECORDS)


def render_and_pack(records, out: Path) -> dict[str, Path]:
    api.render(records, out, templates=TEMPLATES)
    return {u.unit.name: build_unit_packet(out / safe_name(u.unit.name), u, records, templates=TEMPLATES) for u in records.units}


@pytest.fixture(scope="module")
def built(tmp_path_factory, records):
    out = tmp_path_factory.mktemp("out1")
    return out, render_and_pack(records, out)


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))


def test_packet_named_after_unit_and_deadline(built, records):
    out, folders = built
    for unit in records.units:
        folder = folders[unit.unit.name]
        assert folder.parent == out / safe_name(unit.unit.name)
        assert folder.name == f"报送_{unit.unit.name}_{DEADLINE}"
        assert packet_zip_path(folder).name == f"报送_{unit.unit.name}_{DEADLINE}.zip"
        assert packet_zip_path(folder).is_file()


def test_district_union_sends_roster_and_summary_only(built, records):
    """通知四.3: 各区工会只报送《…实名制发放凭证汇总表》和两节送温暖活动小结."""
    out, folders = built
    unit = unit_of_type(records, "区工会")
    folder = folders[unit.unit.name]
    unit_out = out / safe_name(unit.unit.name)
    rosters = sorted(p.name for p in unit_out.glob("附件2_实名制发放凭证汇总表*.docx"))
    assert rosters, "the district rendered no roster"
    assert sorted(files_in(folder)) == sorted(rosters + [annexes.SUMMARY.template, MANIFEST_FILE])
    # the vouchers were rendered (for signatures) but stay out of the packet
    assert any((unit_out / "附件1_慰问金发放凭证").glob("*.docx"))
    for name in files_in(folder):
        if name.endswith(".docx"):
            text = squash(all_text(folder / name))
            assert "慰问金发放凭证" not in text and "收款人" not in text, name


def test_industrial_union_sends_vouchers_roster_and_summary(built, records):
    """通知四.3: 各产业工会 … 《慰问金发放凭证》和《…汇总表》及两节送温暖活动小结."""
    out, folders = built
    unit = unit_of_type(records, "产业工会")
    folder = folders[unit.unit.name]
    unit_out = out / safe_name(unit.unit.name)
    names = sorted(files_in(folder))
    rosters = sorted(p.name for p in unit_out.glob("附件2_实名制发放凭证汇总表*.docx"))
    assert names == sorted(["附件1_慰问金发放凭证.docx", *rosters, annexes.SUMMARY.template, MANIFEST_FILE])

    paid = [w for w in raw_workers(unit.folder) if is_paid(w)]
    voucher_text = squash(all_text(folder / "附件1_慰问金发放凭证.docx"))
    for worker in paid:
        assert squash(worker["姓名"]) in voucher_text
        assert worker["档案编号"] in voucher_text
    one_voucher = next((unit_out / "附件1_慰问金发放凭证").glob("*.docx"))
    per_voucher = len(tables(one_voucher))
    assert len(tables(folder / "附件1_慰问金发放凭证.docx")) == per_voucher * len(paid)
    roster_text = squash("".join(all_text(folder / r) for r in rosters))
    for worker in raw_workers(unit.folder):
        assert (squash(worker["姓名"]) in roster_text) == is_paid(worker), worker["姓名"]


def test_zip_holds_the_packet_folder(built):
    _, folders = built
    for folder in folders.values():
        with zipfile.ZipFile(packet_zip_path(folder)) as zf:
            names = zf.namelist()
            assert names == sorted(names)
            contents = {n: zf.read(n) for n in names}
            for info in zf.infolist():
                assert info.date_time == (1980, 1, 1, 0, 0, 0)
                assert info.flag_bits & 0x800, "names are flagged UTF-8"
        assert contents == {f"{folder.name}/{k}": v for k, v in files_in(folder).items()}


def test_manifest_lists_every_file_with_its_hash(built):
    _, folders = built
    for folder in folders.values():
        manifest = manifest_of(folder)
        present = files_in(folder)
        listed = {entry["path"]: entry for entry in manifest["files"]}
        assert set(listed) == set(present) - {MANIFEST_FILE}
        for name, entry in listed.items():
            assert entry["bytes"] == len(present[name])
            assert entry["sha256"] == sha(present[name])
        assert verify_packet(folder) == []
        assert "generated" not in json.dumps(manifest) and "time" not in manifest


def test_manifest_totals_match_the_records(built, records):
    _, folders = built
    for unit in records.units:
        manifest = manifest_of(folders[unit.unit.name])
        raw = raw_workers(unit.folder)
        paid = [w for w in raw if is_paid(w)]
        by_fund: dict[str, Decimal] = defaultdict(Decimal)
        for w in paid:
            by_fund[w["慰问"]["资金来源"]] += Decimal(w["慰问"]["资助金额"])
        assert manifest["workers"] == {
            "registered": len(raw),
            "paid": len(paid),
            "lifted_out_of_poverty": sum(1 for w in raw if w.get("档案状态") == "脱贫"),
        }
        assert manifest["paid_by_fund_source"] == {k: f"{v:.2f}" for k, v in by_fund.items()}
        total = sum(by_fund.values(), Decimal(0))
        assert manifest["paid_total"] == f"{total:.2f}"
        assert manifest["unit"] == {"name": unit.unit.name, "type": unit.unit.unit_type}
        # the roster in the packet prints the same total
        roster_text = squash("".join(all_text(folders[unit.unit.name] / e["path"]) for e in manifest["files"] if "附件2" in e["path"]))
        assert f"{total:.2f}" in roster_text


def test_manifest_lists_the_source_records(built, records):
    _, folders = built
    for unit in records.units:
        manifest = manifest_of(folders[unit.unit.name])
        base = RECORDS
        expected = {"campaign.yaml", f"{unit.folder.name}/单位.yaml"}
        expected |= {p.relative_to(base).as_posix() for p in (unit.folder / "职工").glob("*.yaml")}
        expected |= {p.relative_to(base).as_posix() for p in (unit.folder / "周报").glob("*.yaml")}
        listed = {entry["path"]: entry for entry in manifest["records"]}
        assert set(listed) == expected
        for path, entry in listed.items():
            data = (base / path).read_bytes()
            assert entry == {"path": path, "bytes": len(data), "sha256": sha(data)}
        assert manifest["left_out"] == []
        assert manifest["summary"] == "draft"


def test_same_records_give_the_same_packet(built, records, tmp_path):
    """Re-rendering unchanged records gives byte-identical zips and manifests (issue 6)."""
    _, first = built
    time.sleep(2.1)  # past the zip format's 2-second clock: the renderer's own zips differ
    second = render_and_pack(records, tmp_path / "out2")
    for name, folder in first.items():
        other = second[name]
        assert (folder / MANIFEST_FILE).read_bytes() == (other / MANIFEST_FILE).read_bytes()
        assert packet_zip_path(folder).read_bytes() == packet_zip_path(other).read_bytes()


def test_rebuilding_replaces_the_packet_whole(built, records, tmp_path):
    out, _ = built
    unit = unit_of_type(records, "区工会")
    unit_out = tmp_path / "unit"
    shutil.copytree(out / safe_name(unit.unit.name), unit_out)
    folder = build_unit_packet(unit_out, unit, records, templates=TEMPLATES)
    (folder / "stray.txt").write_text("x", encoding="utf-8")
    (folder / annexes.SUMMARY.template).write_bytes(b"edited")
    assert sorted(verify_packet(folder)) == sorted(["文件与清单不符（已被修改）：活动小结.docx", "清单中没有的文件：stray.txt"])
    again = build_unit_packet(unit_out, unit, records, templates=TEMPLATES)
    assert again == folder
    assert verify_packet(folder) == []
    assert not (folder / "stray.txt").exists()
    assert [p.name for p in unit_out.iterdir() if p.name.startswith(".")] == []


def test_staff_summary_in_the_records_replaces_the_draft(built, records, tmp_path):
    out, _ = built
    copy = tmp_path / "records"
    shutil.copytree(RECORDS, copy)
    unit_name = unit_of_type(records, "产业工会").folder.name
    finished = (TEMPLATES / "活动小结.docx").read_bytes()  # any .docx: stands for the staff's file
    (copy / unit_name / annexes.SUMMARY.template).write_bytes(finished)
    changed = load_records(copy)
    unit = next(u for u in changed.units if u.folder.name == unit_name)
    unit_out = tmp_path / "unit"
    shutil.copytree(out / safe_name(unit.unit.name), unit_out)
    folder = build_unit_packet(unit_out, unit, changed, templates=TEMPLATES)
    assert (folder / annexes.SUMMARY.template).read_bytes() == finished
    manifest = manifest_of(folder)
    assert manifest["summary"] == "records"
    assert {"path": f"{unit_name}/{annexes.SUMMARY.template}", "bytes": len(finished), "sha256": sha(finished)} in manifest["records"]


def test_industrial_packet_without_vouchers_is_refused(built, records, tmp_path):
    out, _ = built
    unit = unit_of_type(records, "产业工会")
    unit_out = tmp_path / "unit"
    shutil.copytree(out / safe_name(unit.unit.name), unit_out)
    (unit_out / "打印件" / "附件1_慰问金发放凭证.docx").unlink()
    # without the print file, the individual vouchers go in
    folder = build_unit_packet(unit_out, unit, records, templates=TEMPLATES)
    singles = sorted(p.name for p in (unit_out / "附件1_慰问金发放凭证").glob("*.docx"))
    assert sorted(p.name for p in (folder / "附件1_慰问金发放凭证").glob("*.docx")) == singles
    assert len(singles) == len([w for w in raw_workers(unit.folder) if is_paid(w)])
    shutil.rmtree(unit_out / "附件1_慰问金发放凭证")
    with pytest.raises(FormkitError, match="附件1"):
        build_unit_packet(unit_out, unit, records, templates=TEMPLATES)


def test_records_left_out_for_errors_are_named(tmp_path):
    copy = tmp_path / "records"
    shutil.copytree(RECORDS, copy)
    unit_folder = next(p for p in sorted(copy.iterdir()) if p.is_dir())
    broken = sorted((unit_folder / "职工").glob("*.yaml"))[0]
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("困难类别:", "困难类别: 不存在的类别\n原困难类别:", 1), encoding="utf-8")
    changed = load_records(copy)
    assert changed.errors
    unit = next(u for u in changed.units if u.folder == unit_folder)
    manifest = build_manifest(unit, changed, {})
    rel = broken.relative_to(copy).as_posix()
    assert [e["path"] for e in manifest["left_out"]] == [rel]
    assert rel not in [e["path"] for e in manifest["records"]]
    assert manifest["workers"]["registered"] == len(list((unit_folder / "职工").glob("*.yaml"))) - 1


def test_a_docx_formkit_wrote_passes_through_unchanged_and_others_get_fixed_times():
    import io
    import zipfile

    from formkit.documents.zipio import ZIP_TIME, ZipMember, normalize_docx, zip_bytes

    fixed = zip_bytes([ZipMember.deflated("[Content_Types].xml", b"<Types/>"), ZipMember.deflated("word/document.xml", b"<w:document/>")])
    assert normalize_docx(fixed) is fixed
    stamped = io.BytesIO()
    with zipfile.ZipFile(stamped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("word/document.xml", date_time=(2012, 1, 6, 9, 30, 0)), b"<w:document/>")
    normalised = normalize_docx(stamped.getvalue())
    assert normalised != stamped.getvalue()
    assert [i.date_time for i in zipfile.ZipFile(io.BytesIO(normalised)).infolist()] == [ZIP_TIME]
    assert normalize_docx(normalised) == normalised
