"""What a fresh user editing templates ran into: a stray brace, a required tag deleted, a
loop's variable outside its loop, a silent check, the suggestions, a copy under another name."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from formkit import api
from formkit.domain import annexes
from formkit.errors import Problem

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
RECORDS = ROOT / "records"
VOUCHER = annexes.VOUCHER.template
ROSTER = annexes.ROSTER.template
REGISTRATION = annexes.REGISTRATION.template
WEEKLY = annexes.WEEKLY.template


def edited(tmp_path: Path, annex: str, *changes: tuple[str, str]) -> Path:
    """A copy of templates/ with ``annex``'s document.xml text changed (each old → new, once)."""
    folder = tmp_path / "mytpl"
    if not folder.exists():
        shutil.copytree(TEMPLATES, folder)
    path = folder / annex
    with zipfile.ZipFile(path) as zin:
        items = [(item, zin.read(item)) for item in zin.infolist()]
    with zipfile.ZipFile(path, "w") as zout:
        for item, data in items:
            if item.filename == "word/document.xml":
                for old, new in changes:
                    assert old.encode() in data, old
                    data = data.replace(old.encode(), new.encode(), 1)
            zout.writestr(item, data)
    return folder


def only(problems: list[Problem], severity: str, field: str, *fragments: str) -> Problem:
    found = [p for p in problems if p.severity == severity and p.field == field and all(f in p.message + p.allowed for f in fragments)]
    assert len(found) == 1, "\n".join(p.format() for p in problems) or "no problem"
    return found[0]


def test_the_shipped_templates_have_no_problem():
    assert api.preflight(TEMPLATES) == []


def test_a_stray_brace_after_a_tag_is_a_warning(tmp_path: Path):
    folder = edited(tmp_path, VOUCHER, ("{{ 姓名 }}", "{{ 姓名 }}}"))
    problems = api.preflight(folder)
    found = only(problems, "warning", "表格1 第1行 第2格", "{{ 姓名 }}}", "多了一个“}”", "删去多出的“}”：{{ 姓名 }}")
    assert found.path == folder / VOUCHER
    assert len(problems) == 1
    # two braces too many are the stray closer they always were, told once
    folder = edited(tmp_path / "two", VOUCHER, ("{{ 姓名 }}", "{{ 姓名 }}}}"))
    assert [p.message for p in api.preflight(folder)] == ["标签“{{ 姓名 }}}}”：“}}”前面没有对应的开头，会原样印在表上"]


def test_a_deleted_required_tag_is_a_warning(tmp_path: Path):
    folder = edited(tmp_path, VOUCHER, ("{{资助金额}}", ""))
    problems = api.preflight(folder)
    found = only(problems, "warning", "全文", "模板里没有 {{ 资助金额 }}", "附件1 慰问金发放凭证上这一项会空着", "写上 {{ 资助金额 }}")
    assert found.path == folder / VOUCHER
    assert len(problems) == 1
    # the render still goes on, and says it
    report = api.render(RECORDS, tmp_path / "out", templates=folder)
    assert found in report.warnings


def test_a_required_value_inside_a_loop_is_found_through_its_list(tmp_path: Path):
    folder = edited(tmp_path, ROSTER, ("{{ r.身份证号 }}", ""), ("{{ 合计.帮扶金额 }}", "{{ 合计.帮扶金额大写 }}"))
    problems = api.preflight(folder)
    assert sorted(p.message for p in problems) == [
        "模板里没有 {{ r.身份证号 }}：附件2 中央财政帮扶专项资金实名制发放凭证汇总表上这一项会空着（标签可能被误删了）",
        "模板里没有 {{ 合计.帮扶金额 }}：附件2 中央财政帮扶专项资金实名制发放凭证汇总表上这一项会空着（标签可能被误删了）",
    ]
    # the rows of the whole roster rather than of each page: still the same values
    folder = edited(tmp_path / "all rows", ROSTER, ("{%tr for r in 页.行 %}", "{%tr for r in 行 %}"))
    assert api.preflight(folder) == []


def test_the_required_values_are_the_numbered_items_of_the_form():
    """附件3: every item of the 填表说明 (1–21) the worker's record has, and the name."""
    import re

    from formkit.domain.models import Worker
    from formkit.forms.tagnames import REQUIRED

    items = {f.alias for f in Worker.model_fields.values() if re.search(r"填表说明第\d+项", f.description or "")}
    required = {paths[0] for _, paths in REQUIRED["registration"]}
    assert required == (items - {"家庭成员"}) | {"家庭成员行", "姓名"}


def test_a_loop_variable_outside_its_loop_is_an_error(tmp_path: Path):
    folder = edited(tmp_path, ROSTER, (">合计<", ">合计{{ r.姓名 }}<"))
    problems = api.preflight(folder)
    found = only(
        problems,
        "error",
        "表格1 第6行 第1格",
        "{{ r.姓名 }}",
        "“r”是循环“{%tr for r in 页.行 %}”（表格1 第2行 第1格）的变量，在这个循环外面没有值",
        "把标签移到 {%tr for r in 页.行 %} 与 {%tr endfor %} 之间的行里",
    )
    assert found.path == folder / ROSTER and len(problems) == 1


def test_a_value_in_the_row_of_a_row_statement_is_a_warning(tmp_path: Path):
    """docxtpl replaces the whole row of {%tr endfor %} by the statement: the tag never prints."""
    folder = edited(tmp_path, ROSTER, (">{%tr endfor %}<", ">{%tr endfor %}{{ r.姓名 }}<"))
    problems = api.preflight(folder)
    only(problems, "warning", "表格1 第4行 第1格", "{{ r.姓名 }}", "和“{%tr endfor %}”在同一行", "印不出来", "把它移到别的行")
    assert len(problems) == 1
    folder = edited(tmp_path / "p", ROSTER, (">{%p endfor %}<", ">{%p endfor %}{{ 填报单位 }}<"))
    problems = api.preflight(folder)
    only(problems, "warning", "第5段", "{{ 填报单位 }}", "和“{%p endfor %}”在同一段")
    assert len(problems) == 1


def test_check_says_the_templates_were_read(tmp_path: Path):
    from click.testing import CliRunner

    from formkit.cli import main

    folder = tmp_path / "mytpl"
    shutil.copytree(TEMPLATES, folder)
    result = CliRunner().invoke(main, ["check", str(RECORDS), "--templates", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"模板：{folder} 里 6 个模板，0 处问题。" in result.output.splitlines()
    folder = edited(tmp_path / "one", VOUCHER, ("{{ 姓名 }}", "{{ 姓名 }}}"))
    result = CliRunner().invoke(main, ["check", str(RECORDS), "--templates", str(folder)])
    assert f"模板：{folder} 里 6 个模板，1 处问题（0 处错误，1 处警告）。" in result.output.splitlines()
    # without --templates, nothing about templates
    assert "模板：" not in CliRunner().invoke(main, ["check", str(RECORDS)]).output


def test_a_name_cut_by_a_space_is_told_the_name_its_words_make(tmp_path: Path):
    folder = edited(tmp_path, VOUCHER, ("{{ 姓名 }}", "{{ 姓 名 }}"))
    problems = api.preflight(folder)
    only(problems, "error", "表格1 第1行 第2格", "{{ 姓 名 }}", "读到“名”时标签应该结束了", "是不是“姓名”？名字中间不要有空格：{{ 姓名 }}")
    assert len(problems) == 1
    # words that make no name are told as before
    folder = edited(tmp_path / "two", VOUCHER, ("{{ 姓名 }}", "{{ 姓名 性别 }}"))
    only(api.preflight(folder), "error", "表格1 第1行 第2格", "{{ 姓名 性别 }}", "分成两个标签，或用 ~ 连起来")
    # a loop item's sub-name
    folder = edited(tmp_path / "row", ROSTER, ("{{ r.姓名 }}", "{{ r.姓 名 }}"))
    only(api.preflight(folder), "error", "表格1 第3行 第2格", "是不是“r.姓名”？")


def test_an_unclosed_block_is_told_the_closing_tag_of_its_own_form(tmp_path: Path):
    folder = edited(tmp_path, WEEKLY, (">{%p endif %}<", "><"))
    problems = api.preflight(folder)
    only(problems, "error", "第7段", "{%p if 案例说明 %}", "没有对应的 {%p endif %}", "写上 {%p endif %}")
    assert len(problems) == 1
    folder = edited(tmp_path / "tr", ROSTER, (">{%tr endif %}<", "><"))
    problems = api.preflight(folder)
    only(problems, "error", "第5段", "{%p endfor %}", "与前面的“{%tr if 页.末页 %}”（表格1 第5行 第1格）不配对", "先写 {%tr endif %} 结束")


def test_a_docx_under_another_name_is_a_warning(tmp_path: Path):
    folder = tmp_path / "mytpl"
    shutil.copytree(TEMPLATES, folder)
    copy = folder / "附件1_慰问金发放凭证 - 副本.docx"
    shutil.copy(TEMPLATES / VOUCHER, copy)
    (folder / "~$件1_慰问金发放凭证.docx").write_bytes(b"lock")  # Word's lock file: passed over
    shutil.copy(TEMPLATES / VOUCHER, folder / "说明.docx")
    problems = api.preflight(folder)
    found = only(
        problems, "warning", "文件", "不是 formkit 要读的模板", "像是 附件1_慰问金发放凭证.docx 的副本", "改名为 附件1_慰问金发放凭证.docx"
    )
    assert found.path == copy
    other = [p for p in problems if p.path.name == "说明.docx"]
    assert len(other) == 1 and "副本" not in other[0].message
    assert all(name in other[0].allowed for name in ("附件2_实名制发放凭证汇总表.docx", "活动小结.docx", "通知*.docx"))
    assert len(problems) == 2
