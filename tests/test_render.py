"""End to end: render the shipped sample records and read every document back.

The expected values come from the records themselves (loaded through the library), and each
is looked up in the cell its printed label says it belongs in.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import RECORDS, ROOT
from docxread import all_text, grid, squash, tables
from formkit import api
from formkit.domain import annexes
from formkit.domain.amounts import format_yuan, voucher_boxes
from formkit.domain.idcard import parse_id_number
from formkit.forms.context import FAMILY_ROWS, printed_id, to_text


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    report = api.render(RECORDS, out, templates=ROOT / "templates")
    return report


@pytest.fixture(scope="module")
def record_set():
    return api.check(RECORDS)


def units(record_set):
    for unit in record_set.units:
        info = unit.unit.model_dump(by_alias=True)
        yield unit, info["填报单位"]


def test_samples_have_no_errors(record_set):
    assert record_set.errors == []
    assert len(record_set.units) >= 2


def test_every_paid_worker_has_a_voucher_with_its_values(rendered, record_set):
    out = rendered.out
    checked = 0
    for unit, name in units(record_set):
        paid = {rec.path for rec in record_set.paid_workers(unit)}
        for rec in unit.workers:
            w = rec.worker.model_dump(by_alias=True)
            files = list((out / name / annexes.VOUCHER.folder).glob(f"{w['档案编号']}_*.docx"))
            if rec.path not in paid:
                assert files == [], f"{rec.path.name}: unpaid or 脱贫 archive got a voucher"
                continue
            assert len(files) == 1
            text = all_text(files[0])
            g = grid(tables(files[0])[0])
            assert squash(g.right_of("姓名")) == squash(w["姓名"])
            assert squash(g.right_of("身份证号")) == printed_id(w)  # as typed (15 digits stay 15)
            assert squash(g.right_of("性别")) == w["性别"]
            amount = w["慰问"]["资助金额"]
            assert f"￥：{format_yuan(amount)}" in squash(text) or f"￥:{format_yuan(amount)}" in squash(text)
            boxes = "".join(d + unit_ for d, unit_ in zip(voucher_boxes(amount), "仟佰拾元角分"))
            assert boxes in squash(text), f"{rec.path.name}: boxes {boxes} not on the voucher"
            assert "None" not in text
            checked += 1
    assert checked >= 13


def test_tuopin_archive_gets_no_voucher_and_no_roster_row(rendered, record_set):
    found = 0
    for unit, name in units(record_set):
        roster_text = "".join(all_text(p) for p in (rendered.out / name).glob(f"{annexes.ROSTER.stem}*.docx"))
        for rec in unit.workers:
            w = rec.worker.model_dump(by_alias=True)
            status = to_text(w.get("档案状态"))
            number = printed_id(w)
            if status == "脱贫":
                found += 1
                assert number not in roster_text
                assert not list((rendered.out / name / annexes.VOUCHER.folder).glob(f"{w['档案编号']}_*"))
                # still registered: annex 3 is the archive itself
                assert list((rendered.out / name / annexes.REGISTRATION.folder).glob(f"{w['档案编号']}_*"))
    assert found >= 1


def test_roster_rows_and_total(rendered, record_set):
    for unit, name in units(record_set):
        paid = [r.worker.model_dump(by_alias=True) for r in record_set.paid_workers(unit)]
        rosters = sorted((rendered.out / name).glob(f"{annexes.ROSTER.stem}*.docx"))
        assert rosters, name
        rows = []
        for path in rosters:
            for table in tables(path):
                g = grid(table)
                header = [squash(c) for c in g.rows[0]]
                assert header[:4] == ["序号", "姓名", "性别", "年龄"]
                rows += [r for r in g.rows[1:] if squash(r[0]).isdigit()]
        assert len(rows) == len(paid)
        by_id = {squash(r[4]): r for r in rows}
        deadline = record_set.campaign.model_dump(by_alias=True)["上报截止"]
        for w in paid:
            ident = parse_id_number(w["身份证号"])
            row = by_id[printed_id(w)]
            assert squash(row[1]) == squash(w["姓名"])
            assert squash(row[3]) == str(ident.age_on(deadline))
            assert squash(row[6]) == format_yuan(w["慰问"]["资助金额"])
        total = sum((w["慰问"]["资助金额"] for w in paid), Decimal(0))
        text = squash("".join(all_text(p) for p in rosters))
        assert format_yuan(total) in text
        assert "合计" in text


def test_registration_form_has_every_family_member(rendered, record_set):
    biggest = 0
    for unit, name in units(record_set):
        for rec in unit.workers:
            w = rec.worker.model_dump(by_alias=True)
            path = next((rendered.out / name / annexes.REGISTRATION.folder).glob(f"{w['档案编号']}_*.docx"))
            text = all_text(path)
            for member in w.get("家庭成员") or []:
                assert member["姓名"] in text
                if member.get("身份证号"):
                    assert printed_id(member) in text
            biggest = max(biggest, len(w.get("家庭成员") or []))
            assert to_text(w["困难类别"]) in text
            assert printed_id(w) in text
            assert "None" not in text
    assert biggest > FAMILY_ROWS, "the samples must hold a family larger than the paper's five rows"


def test_weekly_reports_one_per_record_with_figures(rendered, record_set):
    for unit, name in units(record_set):
        files = sorted((rendered.out / name / annexes.WEEKLY.folder).glob("*.docx"))
        assert len(files) == len(unit.weeks)
        for week in unit.weeks:
            data = week.report.model_dump(by_alias=True)
            path = rendered.out / name / annexes.WEEKLY.folder / f"{data['时间'].isoformat()}.docx"
            text = all_text(path)
            g = grid(tables(path)[0])
            row = next(r for r in g.rows if squash(r[-4]) == "国有企业" or (len(r) > 3 and "国有企业" in [squash(c) for c in r]))
            cells = [squash(c) for c in row]
            at = cells.index("国有企业")
            figures = data["企业类型"]["国有企业"]
            assert cells[at + 1] == to_text(figures["拖欠数额"])
            assert cells[at + 3] == to_text(figures["涉及人数"])
            if data.get("案例说明"):
                assert squash(data["案例说明"])[:20] in squash(text)


def test_special_characters_and_line_breaks_survive(rendered, record_set):
    specials = 0
    breaks = 0
    for unit, name in units(record_set):
        for rec in unit.workers:
            w = rec.worker.model_dump(by_alias=True)
            path = next((rendered.out / name / annexes.REGISTRATION.folder).glob(f"{w['档案编号']}_*.docx"))
            text = all_text(path)
            for key, value in w.items():
                if isinstance(value, str) and any(ch in value for ch in "&<>"):
                    assert value.replace("\r\n", "\n") in text, key
                    specials += 1
                if isinstance(value, str) and "\n" in value.strip():
                    assert value.strip() in text, key
                    breaks += 1
    assert specials >= 1 and breaks >= 1


def test_records_are_not_modified_by_render(tmp_path):
    import hashlib

    def digest(folder: Path) -> dict[str, str]:
        return {
            p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()
        }

    before = digest(RECORDS)
    api.render(RECORDS, tmp_path / "out", templates=ROOT / "templates")
    assert digest(RECORDS) == before


def test_rerender_replaces_previous_output(tmp_path):
    out = tmp_path / "out"
    api.render(RECORDS, out, templates=ROOT / "templates")
    stray = next(out.iterdir()) / "stale.docx"
    stray.write_bytes(b"old")
    api.render(RECORDS, out, templates=ROOT / "templates")
    assert not stray.exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".formkit")]


def test_another_units_records_render_without_code_changes(tmp_path):
    """A folder the code has never seen: generated fictional records of three units."""
    from formkit.fake import generate_records

    generate_records(tmp_path / "recs", workers=30, units=3, seed=7)
    report = api.render(tmp_path / "recs", tmp_path / "out", templates=ROOT / "templates")
    assert len(report.counts) == 3
    assert sum(c["困难职工档案登记表"] for c in report.counts.values()) == 30


def test_voucher_blanks_next_to_printed_words_do_not_double_them(rendered, record_set):
    for _unit, name in units(record_set):
        for path in (rendered.out / name / annexes.VOUCHER.folder).glob("*.docx"):
            text = squash(all_text(path))
            assert "街道街道" not in text and "镇街道（镇）" not in text
            assert "。。" not in text


def test_render_makes_the_submission_packet_of_each_unit(rendered, record_set):
    import zipfile

    assert len(rendered.packets) == len(record_set.units)
    for unit, name in units(record_set):
        [packet] = [p for p in rendered.packets if p.parts[0] == name]
        names = zipfile.ZipFile(rendered.out / packet).namelist()
        assert any(n.endswith("manifest.json") for n in names)
        assert any(annexes.ROSTER.stem in n for n in names) and any("活动小结" in n for n in names)
        has_vouchers = any(annexes.VOUCHER.folder in n for n in names)
        # notice §四.3: 产业工会 submit their vouchers, 区工会 only the roster and the 小结
        assert has_vouchers == (to_text(unit.unit.model_dump(by_alias=True)["单位类型"]) == "产业工会")


def test_keep_going_puts_an_incomplete_unit_aside_and_keeps_the_complete_output(tmp_path):
    recs = tmp_path / "recs"
    shutil.copytree(RECORDS, recs)
    out = tmp_path / "out"
    api.render(recs, out, templates=ROOT / "templates")
    before = sorted(p.relative_to(out) for p in (out / "思明区总工会").rglob("*"))
    bad = next((recs / "思明区总工会" / "职工").glob("001-*.yaml"))
    bad.write_text(bad.read_text(encoding="utf-8").replace("政治面貌:", "政治面目:", 1), encoding="utf-8")
    report = api.render(recs, out, templates=ROOT / "templates", keep_going=True)
    assert report.skipped
    assert sorted(p.relative_to(out) for p in (out / "思明区总工会").rglob("*")) == before
    partial = out / f"思明区总工会{api.INCOMPLETE}"
    assert len(list((partial / annexes.REGISTRATION.folder).glob("*.docx"))) == 8
    assert not list(partial.glob("报送_*")), "no submission packet from an incomplete unit"


def test_publicity_copies_hold_no_full_id_or_phone(tmp_path, record_set):
    import re

    files = api.render_publicity(RECORDS, tmp_path, templates=ROOT / "templates")
    assert any(annexes.ROSTER.stem in f.name for f in files) and any(annexes.VOUCHER.folder in f.parts for f in files)
    secrets = set()
    for unit in record_set.units:
        for rec in unit.workers:
            w = rec.worker.model_dump(by_alias=True)
            secrets |= {parse_id_number(w["身份证号"]).number, printed_id(w)}
            if w.get("联系电话"):
                secrets.add(re.sub(r"\D", "", w["联系电话"]))
    for f in files:
        text = re.sub(r"[\s-]", "", all_text(tmp_path / f))
        leaked = [s for s in secrets if s in text]
        assert not leaked, f


def test_a_voucher_value_too_long_for_its_page_is_warned_about(tmp_path):
    recs = tmp_path / "recs"
    shutil.copytree(RECORDS, recs)
    worker = next((recs / "思明区总工会" / "职工").glob("001-*.yaml"))
    text = worker.read_text(encoding="utf-8")
    long_address = "厦门市思明区莲前街道前埔西社区" + "前埔西路三十六号之二" * 10
    worker.write_text(
        "\n".join(f"家庭住址: {long_address}" if line.startswith("家庭住址:") else line for line in text.splitlines()) + "\n",
        encoding="utf-8",
    )
    records = api.check(recs)
    assert not records.errors
    [warning] = [p for p in records.warnings if p.field == "慰问.居住地址"]
    assert warning.path.name == worker.name and str(len(long_address)) in warning.message
    assert not [p for p in api.check(RECORDS).warnings if p.field.startswith("慰问.")], "the samples fit"


def test_households_marked_for_publicity_are_listed_in_the_summary_draft(record_set):
    from formkit.forms.summary import summary_context

    for unit in record_set.units:
        marked = [r.worker.model_dump(by_alias=True)["姓名"] for r in record_set.paid_workers(unit) if r.worker.payment.recommended]
        assert marked, "each sample unit marks a household (慰问.宣传推荐)"
        rows = summary_context(unit, record_set)["推荐行"]
        assert [r["姓名"] for r in rows if r["姓名"]] == marked
        assert len(rows) >= 2
