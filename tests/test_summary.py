"""The 活动小结 draft: its figures against the records, its blank sections, its template.

Expected figures are counted here from the record files read as text (formkit.records.yamlio) and
from the calendar, not through formkit.forms.summary.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import RECORDS, ROOT
from docxread import all_text, grid, squash, tables
from formkit.documents.template import FormTemplate
from formkit.domain import annexes
from formkit.domain.amounts import amount_in_words
from formkit.domain.dates import format_date_zh
from formkit.forms.summary import format_wan_yuan, render_summary, summary_context
from formkit.records.load import load_records
from formkit.records.yamlio import load_yaml

TEMPLATE = ROOT / "templates" / annexes.SUMMARY.template
CATEGORIES = ("低保户", "低保边缘户", "意外致困户")  # 填表说明第1项


def raw(folder: Path, kind: str) -> list[dict]:
    return [load_yaml(p).data for p in sorted((folder / kind).glob("*.yaml"))]


def is_paid(worker: dict) -> bool:
    return bool(worker.get("慰问")) and worker.get("档案状态", "在档") != "脱贫"


def week_day(report: dict) -> date:
    text = report["时间"].replace("年", "-").replace("月", "-").replace("日", "")
    y, m, d = (int(x) for x in text.replace(".", "-").replace("/", "-").split("-"))
    return date(y, m, d)


def week_total(report: dict, figure: str):
    rows = report.get("企业类型") or {}
    cast = Decimal if figure == "拖欠数额" else int
    return sum((cast((rows.get(r) or {}).get(figure) or 0) for r in ("国有企业", "集体企业", "其他类型企业")), cast(0))


FRIDAYS = [date(2011, 12, 1) + timedelta(days=n) for n in range(53) if (date(2011, 12, 1) + timedelta(days=n)).weekday() == 4]


@pytest.fixture(scope="module")
def records():
    return load_records(RECORDS)


@pytest.fixture(scope="module")
def drafts(records, tmp_path_factory):
    out = tmp_path_factory.mktemp("summary")
    paths = {}
    for unit in records.units:
        path = out / f"{unit.folder.name}.docx"
        path.write_bytes(render_summary(unit, records, TEMPLATE))
        paths[unit.folder.name] = path
    return paths


def table_after(path: Path, first_header: str):
    for table in tables(path):
        g = grid(table)
        if g.rows and squash(g.rows[0][0]) == first_header:
            return g
    raise AssertionError(f"no table headed {first_header}")


def test_template_names_only_known_fields(records):
    form = FormTemplate(TEMPLATE)
    form.check_fields(set(summary_context(records.units[0], records)))
    assert {"标题", "人数", "金额", "按困难类别", "按资金来源", "周报", "推荐行"} <= form.fields


def test_builder_reproduces_the_committed_template(tmp_path):
    spec = importlib.util.spec_from_file_location("build_summary_template", ROOT / "tools" / "build_summary_template.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build(tmp_path)
    assert built.read_bytes() == TEMPLATE.read_bytes(), "run tools/build_summary_template.py"


def test_headline_figures(records, drafts):
    campaign = load_yaml(RECORDS / "campaign.yaml").data
    for unit in records.units:
        workers = raw(unit.folder, "职工")
        paid = [w for w in workers if is_paid(w)]
        total = sum((Decimal(w["慰问"]["资助金额"]) for w in paid), Decimal(0))
        migrants = [w for w in paid if w.get("身份") == "农民工"]
        text = squash(all_text(drafts[unit.folder.name]))
        assert squash(f"{unit.unit.name}{campaign['活动名称']}小结") in text
        assert "草稿" in text
        assert f"共走访慰问困难职工{len(paid)}人，发放慰问金{total:.2f}元（人民币{amount_in_words(total)}）" in text
        migrant_total = sum((Decimal(w["慰问"]["资助金额"]) for w in migrants), Decimal(0))
        assert f"其中慰问农民工{len(migrants)}人、{migrant_total:.2f}元" in text
        lifted = sum(1 for w in workers if w.get("档案状态") == "脱贫")
        assert f"在档困难职工{len(workers) - lifted}人" in text
        assert f"按脱贫处理困难职工档案{lifted}份" in text
        assert "None" not in text and "{{" not in text and "{%" not in text


def test_table_by_category(records, drafts):
    for unit in records.units:
        workers = raw(unit.folder, "职工")
        g = table_after(drafts[unit.folder.name], "困难类别")
        rows = {squash(r[0]): [squash(c) for c in r[1:]] for r in g.rows[1:]}
        assert list(rows) == [*CATEGORIES, "合计"]
        for category in CATEGORIES:
            active = [w for w in workers if w["困难类别"] == category and w.get("档案状态", "在档") != "脱贫"]
            paid = [w for w in workers if w["困难类别"] == category and is_paid(w)]
            amount = sum((Decimal(w["慰问"]["资助金额"]) for w in paid), Decimal(0))
            assert rows[category] == [str(len(active)), str(len(paid)), f"{amount:.2f}"], category
        paid = [w for w in workers if is_paid(w)]
        assert rows["合计"][1:] == [str(len(paid)), f"{sum((Decimal(w['慰问']['资助金额']) for w in paid), Decimal(0)):.2f}"]


def test_table_by_fund_source(records, drafts):
    for unit in records.units:
        persons: dict[str, int] = defaultdict(int)
        amounts: dict[str, Decimal] = defaultdict(Decimal)
        for w in raw(unit.folder, "职工"):
            if is_paid(w):
                persons[w["慰问"]["资金来源"]] += 1
                amounts[w["慰问"]["资金来源"]] += Decimal(w["慰问"]["资助金额"])
        g = table_after(drafts[unit.folder.name], "资金来源")
        rows = {squash(r[0]): [squash(c) for c in r[1:]] for r in g.rows[1:]}
        assert set(rows) == set(persons) | {"合计"}
        for fund in persons:
            assert rows[fund] == [str(persons[fund]), f"{amounts[fund]:.2f}"]


def test_weekly_arrears_one_row_per_friday(records, drafts):
    assert len(FRIDAYS) == 8
    for unit in records.units:
        reports = {week_day(r): r for r in raw(unit.folder, "周报")}
        g = table_after(drafts[unit.folder.name], "时间")
        rows = [[squash(c) for c in r] for r in g.rows[1:]]
        assert [r[0] for r in rows] == [format_date_zh(d) for d in FRIDAYS] + ["各周合计"]
        for day, row in zip(FRIDAYS, rows):
            report = reports[day]
            assert Decimal(row[1]) == week_total(report, "拖欠数额")
            assert int(row[3]) == week_total(report, "涉及人数")
            assert Decimal(row[4]) == Decimal((report["用工来源"]["农民工"]).get("拖欠数额") or 0)
        assert Decimal(rows[-1][1]) == sum((week_total(r, "拖欠数额") for r in reports.values()), Decimal(0))
        assert int(rows[-1][3]) == sum(week_total(r, "涉及人数") for r in reports.values())
        peak = max(FRIDAYS, key=lambda d: (week_total(reports[d], "拖欠数额"), -d.toordinal()))
        text = squash(all_text(drafts[unit.folder.name]))
        assert "应报8份，已报8份，缺报：无" in text
        assert f"拖欠数额最高的一周为{format_date_zh(peak)}，拖欠{format_wan_yuan(week_total(reports[peak], '拖欠数额'))}万元" in text


def test_missing_week_is_shown(tmp_path):
    copy = tmp_path / "records"
    shutil.copytree(RECORDS, copy)
    unit_folder = next(p for p in sorted(copy.iterdir()) if p.is_dir())
    week_file = sorted((unit_folder / "周报").glob("*.yaml"))[2]
    missing = week_day(load_yaml(week_file).data)
    week_file.unlink()
    changed = load_records(copy)
    unit = next(u for u in changed.units if u.folder == unit_folder)
    path = tmp_path / "draft.docx"
    path.write_bytes(render_summary(unit, changed, TEMPLATE))
    text = squash(all_text(path))
    assert f"应报8份，已报7份，缺报：{format_date_zh(missing)}" in text
    g = table_after(path, "时间")
    row = next(r for r in g.rows if squash(r[0]) == format_date_zh(missing))
    assert squash(row[-1]) == "未报" and all(squash(c) == "" for c in row[1:-1])


def test_sections_left_blank_for_staff(records, drafts):
    for unit in records.units:
        text = all_text(drafts[unit.folder.name])
        positions = [
            text.index(h)
            for h in ("一、基本情况", "二、主要做法和成效", "三、宣传报道情况", "四、存在的问题和下一步打算", "五、推荐新闻宣传对象")
        ]
        assert positions == sorted(positions)
        g = table_after(drafts[unit.folder.name], "序号")
        assert [squash(c) for c in g.rows[0]] == ["序号", "姓名", "困难类别", "档案编号", "家庭情况及推荐理由", "联系方式"]
        body = g.rows[1:]
        assert [squash(r[0]) for r in body] == ["1", "2"]  # 通知四.2: 推荐1—2户（人）
        marked = [r.worker.name for r in records.paid_workers(unit) if r.worker.payment.recommended]
        assert [squash(r[1]) for r in body if squash(r[1])] == [squash(n) for n in marked]  # 慰问.宣传推荐: 是
        assert all(squash(r[4]) == "" for r in body)  # the reason is for staff to write
        assert squash(f"{unit.unit.name}（盖章）") in squash(text)


def test_format_wan_yuan():
    assert format_wan_yuan(Decimal("15.8")) == "15.80"
    assert format_wan_yuan(Decimal("0")) == "0.00"
    assert format_wan_yuan(Decimal("1.2345")) == "1.2345"
    assert format_wan_yuan(Decimal("12")) == "12.00"
