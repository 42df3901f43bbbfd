"""formkit serve: forms from the models, and saving a form into its YAML file.

A save must change only what was edited: every other line of the file (comments, key
order, quotes, the staff's own date and number spellings) stays byte for byte.
"""

from __future__ import annotations

import codecs
import difflib
from pathlib import Path

import pytest

from formkit.serve import _core, yamledit
from formkit.serve.binding import attach_problems, bind, index
from formkit.serve.forms import apply_form
from formkit.serve.pagetext import check_value
from formkit.serve.specs import spec_of
from servekit import ROOT, fictional_id, wrong_check_digit

# formkit's names as the page uses them (formkit.serve._core: the one place that changes when
# the package is reorganised)
Problem, Campaign, WeeklyReport, Worker = _core.Problem, _core.Campaign, _core.WeeklyReport, _core.Worker
SAMPLE = ROOT / "records" / "思明区总工会" / "职工" / "001-王秀英.yaml"


def edit(raw: bytes, model, changes: dict[str, str]) -> tuple[bytes, list[str]]:
    """Open *raw* as the form shows it, change some fields, save: the new bytes."""
    rec = yamledit.load_record_text(raw)
    specs = spec_of(model)
    form = untouched_form(specs, rec.data)
    form.update(changes)
    changed = apply_form(specs, rec.data, form)
    return yamledit.encode(yamledit.dump(rec), rec.encoding, rec.crlf), changed


def untouched_form(specs, data) -> dict[str, str]:
    """What the browser submits for a form nobody touched."""
    form: dict[str, str] = {}

    def walk(items):
        for b in items:
            if b.readonly is not None:
                continue
            if b.kind == "group":
                walk(b.children)
            elif b.kind == "rows":
                form[f"{b.name}._rows"] = "1"
                for k, row in enumerate(b.rows, 1):
                    form[f"{b.name}[{k}]._from"] = str(b.row_from[k - 1])
                    walk(row)
            elif b.kind == "lines":
                form[b.name] = "\n".join(b.value)
            elif b.kind in ("causes", "dates"):
                n = max(len(b.value), b.spec.max_items or 2)
                for i in range(n):
                    form[f"{b.name}[{i + 1}]"] = b.value[i] if i < len(b.value) else ""
            else:
                form[b.name] = b.value

    walk(bind(specs, data))
    return form


def changed_lines(before: bytes, after: bytes, encoding: str = "utf-8") -> list[str]:
    a = before.decode(encoding).splitlines()
    b = after.decode(encoding).splitlines()
    return [line for line in difflib.ndiff(a, b) if line[:1] in "+-"]


def record_files() -> list[Path]:
    found = sorted((ROOT / "records").rglob("*.yaml")) + sorted((ROOT / "tests" / "data" / "good").rglob("*.yaml"))
    assert len(found) > 40
    return found


def test_every_sample_record_writes_back_byte_for_byte() -> None:
    for path in record_files():
        raw = path.read_bytes()
        rec = yamledit.load_record_text(raw)
        assert rec.exact, path
        assert yamledit.encode(yamledit.dump(rec), rec.encoding, rec.crlf) == raw, path


def test_an_untouched_form_changes_nothing() -> None:
    for path in record_files():
        kind = path.parent.name
        model = {"职工": Worker, "周报": WeeklyReport}.get(kind)
        if model is None:
            continue
        raw = path.read_bytes()
        new, changed = edit(raw, model, {})
        assert changed == [], (path, changed)
        assert new == raw, path


def test_one_field_changes_one_line_and_keeps_the_comments() -> None:
    raw = SAMPLE.read_bytes()
    new, changed = edit(raw, Worker, {"家庭住址": "厦门市思明区莲前街道前埔西路38号101室"})
    assert changed == ["家庭住址"]
    assert changed_lines(raw, new) == [
        "- 家庭住址: 厦门市思明区莲前街道前埔西社区前埔西路36号502室",
        "+ 家庭住址: 厦门市思明区莲前街道前埔西路38号101室",
    ]
    assert new.decode().startswith("# 示例数据（虚构）")


def test_nested_values_rows_and_quotes() -> None:
    raw = SAMPLE.read_bytes()
    member = fictional_id("35020319921231401")
    new, changed = edit(
        raw,
        Worker,
        {
            "慰问.资助金额": "1409.50",
            "慰问.低保.每月": "420",
            "家庭成员[2].身份证号": member,
        },
    )
    assert sorted(changed) == ["家庭成员[2].身份证号", "慰问.低保.每月", "慰问.资助金额"]
    lines = changed_lines(raw, new)
    assert f'+     身份证号: "{member}"' in lines  # the quotes the staff used are kept
    assert "+   资助金额: 1409.50" in lines and "+     每月: 420" in lines
    assert len(lines) == 6


def test_rows_added_and_removed() -> None:
    raw = SAMPLE.read_bytes()
    rec = yamledit.load_record_text(raw)
    specs = spec_of(Worker)
    form = untouched_form(specs, rec.data)
    # remove the first family member (the husband), add a daughter at the end
    for key in [k for k in form if k.startswith("家庭成员[1].") or k.startswith("家庭成员[2].")]:
        del form[key]
    form.update(
        {
            "家庭成员[1]._from": "2",
            "家庭成员[1].姓名": "张伟",
            "家庭成员[2]._from": "",
            "家庭成员[2].姓名": "张小红",
            "家庭成员[2].关系": "女儿",
            "家庭人口": "3",
        }
    )
    changed = apply_form(specs, rec.data, form)
    text = yamledit.dump(rec)
    assert "张德明" not in text and "张伟" in text
    assert text.index("张伟") < text.index("张小红")
    assert "家庭成员[3]" not in changed and "家庭成员[2]" in changed
    assert "    关系: 女儿" in text  # the new row in the file's own layout
    # the result is a valid worker for formkit
    Worker.model_validate(_core.load_yaml_text(text).data)


def test_a_blank_added_row_is_not_written() -> None:
    raw = SAMPLE.read_bytes()
    new, changed = edit(raw, Worker, {"家庭成员[3]._from": "", "家庭成员[3].姓名": "", "家庭成员[3].关系": ""})
    assert changed == [] and new == raw


def test_lenient_spellings_stay_as_typed_when_untouched() -> None:
    raw = "档案编号: A1\n困难类别: 低保户\n姓名: 陈某\n民族: 汉\n身份: 下岗\n是否单亲: true\n身份证号: 35020319800101123X\n致困主要原因: 本人大病、残疾\n出生日期: 1980.1.1\n".encode()
    new, changed = edit(raw, Worker, {})
    assert changed == [] and new == raw
    rec = yamledit.load_record_text(raw)
    bound = {b.name: b for b in bind(spec_of(Worker), rec.data)}
    assert bound["民族"].value == "汉族" and bound["身份"].value == "下（待）岗" and bound["是否单亲"].value == "是"
    assert bound["致困主要原因"].value == ["本人大病", "残疾"]


def test_causes_typed_on_one_line_stay_on_one_line() -> None:
    raw = "姓名: 陈某\n致困主要原因: 本人大病、残疾\n".encode()
    new, _ = edit(raw, Worker, {"致困主要原因[2]": "子女上学"})
    assert new.decode() == "姓名: 陈某\n致困主要原因: 本人大病、子女上学\n"


def test_a_flow_list_stays_a_flow_list() -> None:
    raw = (ROOT / "records" / "campaign.yaml").read_bytes()
    new, changed = edit(raw, Campaign, {"周报起止[2]": "2012-01-29"})
    assert changed == ["周报起止"]
    assert changed_lines(raw, new) == ["- 周报起止: [2011-12-01, 2012-01-22]", "+ 周报起止: [2011-12-01, 2012-01-29]"]


def test_missing_keys_are_added_in_the_order_of_the_form() -> None:
    raw = '档案编号: A1\n姓名: 陈某\n# 身份证号在下面\n身份证号: "350203198001011235"\n'.encode()
    new, changed = edit(raw, Worker, {"困难类别": "低保户", "民族": "汉族"})
    assert changed == ["困难类别", "民族"]
    text = new.decode()
    assert text.index("档案编号") < text.index("困难类别") < text.index("姓名") < text.index("民族") < text.index("身份证号")
    assert "# 身份证号在下面" in text
    assert text.index("民族") < text.index("# 身份证号在下面")  # a comment stays above its key
    after_block = "姓名: 陈某\n家庭成员:\n  - 姓名: 甲\n# 下面是原因\n致困主要原因: 残疾\n".encode()
    new, _ = edit(after_block, Worker, {"是否有一定自救能力": "是"})
    assert new.decode() == "姓名: 陈某\n家庭成员:\n  - 姓名: 甲\n是否有一定自救能力: 是\n# 下面是原因\n致困主要原因: 残疾\n"


def test_a_new_payment_block_is_made_only_when_filled() -> None:
    raw = "档案编号: A1\n姓名: 陈某\n".encode()
    new, changed = edit(raw, Worker, {"慰问.资助金额": "", "慰问.帮扶项目": ""})
    assert changed == [] and new == raw
    new, changed = edit(raw, Worker, {"慰问.资助金额": "500", "慰问.帮扶项目": "生活救助"})
    assert new.decode() == "档案编号: A1\n姓名: 陈某\n慰问:\n  资助金额: 500\n  帮扶项目: 生活救助\n"


def test_multi_line_notes_become_a_block() -> None:
    raw = "备注:\n".encode()
    new, _ = edit(raw, Worker, {"备注": "第一行\r\n第二行"})
    assert new.decode() == "备注: |\n  第一行\n  第二行\n"


def test_clearing_a_value_keeps_its_key() -> None:
    raw = "姓名: 陈某\n民族: 汉族\n".encode()
    new, _ = edit(raw, Worker, {"民族": ""})
    assert new.decode() == "姓名: 陈某\n民族:\n"


@pytest.mark.parametrize("encoding,bom", [("gbk", b""), ("utf-8-sig", codecs.BOM_UTF8), ("utf-16", codecs.BOM_UTF16_LE)])
def test_encoding_and_line_endings_are_the_files_own(encoding: str, bom: bytes) -> None:
    text = "# 备注行\r\n姓名: 陈某\r\n民族: 汉族\r\n"
    raw = bom + text.encode("utf-16-le" if encoding == "utf-16" else encoding)
    new, _ = edit(raw, Worker, {"姓名": "陈大某"})
    assert new.startswith(bom)
    decoded = new[len(bom) :].decode("utf-16-le" if encoding == "utf-16" else ("gb18030" if encoding == "gbk" else "utf-8"))
    assert decoded == "# 备注行\r\n姓名: 陈大某\r\n民族: 汉族\r\n"


def test_a_value_the_form_cannot_show_is_kept() -> None:
    raw = "姓名: 陈某\n家庭成员:\n  姓名: 李某\n  关系: 妻子\n".encode()  # a mapping where a list is expected
    rec = yamledit.load_record_text(raw)
    bound = {b.name: b for b in bind(spec_of(Worker), rec.data)}
    assert bound["家庭成员"].readonly is not None
    new, changed = edit(raw, Worker, {"姓名": "陈大某", "家庭成员[1]._from": "", "家庭成员[1].姓名": "王某"})
    assert changed == ["姓名"]
    assert new.decode() == raw.decode().replace("陈某", "陈大某")


def test_unparseable_text_is_refused_with_the_line() -> None:
    with pytest.raises(yamledit.EditError, match="第2行"):
        yamledit.load_record_text("姓名: 陈某\n\t民族: 汉族\n".encode())


def test_problems_go_beside_their_fields() -> None:
    bound = bind(spec_of(Worker), yamledit.load_record_text(SAMPLE.read_bytes()).data)
    here = Path("x.yaml")
    problems = [
        Problem(here, 3, "家庭成员[2].身份证号", "校验码不符"),
        Problem(here, 4, "慰问.资助金额", "太大"),
        Problem(here, 5, "慰问", "没有低保", severity="warning"),
        Problem(here, 6, "致困主要原因[2]", "不是允许的值"),
        Problem(here, 7, "家庭成员[2]", "整行的问题"),
        Problem(here, 0, "文件", "文件名里有号码"),
        Problem(here, 8, "政治面目", "未知的键"),
    ]
    loose, by_row = attach_problems(bound, problems)
    names = index(bound)
    assert [p.message for p in names["家庭成员[2].身份证号"].problems] == ["校验码不符"]
    assert [p.message for p in names["慰问.资助金额"].problems] == ["太大"]
    assert [p.message for p in names["慰问"].problems] == ["没有低保"]
    assert [p.message for p in names["致困主要原因"].problems] == ["不是允许的值"]
    assert [p.message for p in by_row["家庭成员[2]"]] == ["整行的问题"]
    assert [p.field for p in loose] == ["文件", "政治面目"]


def test_the_form_has_every_key_with_its_item() -> None:
    specs = {s.key: s for s in spec_of(Worker)}
    assert list(specs) == [f.alias for f in Worker.model_fields.values()]
    assert specs["困难类别"].kind == "select" and specs["困难类别"].item == 1
    assert specs["致困主要原因"].kind == "causes" and specs["致困主要原因"].max_items == 3 and specs["致困主要原因"].item == 21
    assert specs["身份证号"].kind == "id" and specs["身份证号"].item == 3
    assert specs["工作时间"].kind == "date" and specs["工作时间"].item == 9
    assert specs["是否单亲"].kind == "yesno" and specs["是否单亲"].item == 15
    assert specs["家庭成员"].kind == "rows" and specs["家庭成员"].item == 18
    assert specs["慰问"].kind == "group" and {c.key: c.kind for c in specs["慰问"].children}["资助金额"] == "amount"
    assert specs["备注"].kind == "textarea"
    vocab_fields = [s for s in spec_of(Worker) if s.kind in ("select", "causes")]
    vocab_fields += [c for s in spec_of(Worker) if s.kind == "rows" for c in s.children if c.kind == "select"]
    assert len({s.choices for s in vocab_fields}) >= 18
    week = {s.key: s for s in spec_of(WeeklyReport)}
    assert week["企业类型"].grid and week["用工来源"].grid


def test_values_checked_as_typed() -> None:
    number = fictional_id()
    good = check_value("id", number)
    assert good["ok"] and good["sex"] == "男" and good["birth"] == "1980-01-01"
    bad = check_value("id", wrong_check_digit(number))
    assert not bad["ok"] and "校验码不符" in bad["message"] and number not in bad["message"]
    assert check_value("date", "2011年12月2日")["iso"] == "2011-12-02"
    assert check_value("date", "2011.12.2")["iso"] == "2011-12-02"
    assert not check_value("date", "2011-02-30")["ok"]
    amount = check_value("amount", "1409.50")
    assert amount["words"] == "壹仟肆佰零玖元伍角整"
    assert amount["boxes"] == ["壹", "肆", "零", "玖", "伍", "零"]
    assert check_value("amount", "25")["boxes"] == ["", "⊗", "贰", "伍", "零", "零"]  # the stop mark, as the voucher prints it
    assert not check_value("amount", "10000")["ok"]
    assert not check_value("amount", "12.345")["ok"]


def test_new_files_never_replace_a_file(tmp_path: Path) -> None:
    (tmp_path / "A1-陈某.yaml").write_text("姓名: 原来的\n", encoding="utf-8")
    made = yamledit.write_new(tmp_path, "A1-陈某", "姓名: 新的\n".encode())
    assert made.name == "A1-陈某-2.yaml"
    assert (tmp_path / "A1-陈某.yaml").read_text(encoding="utf-8") == "姓名: 原来的\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A1-陈某-2.yaml", "A1-陈某.yaml"]


def test_atomic_write_keeps_the_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "r.yaml"
    target.write_text("姓名: 陈某\n", encoding="utf-8")
    target.chmod(0o640)
    yamledit.write_atomic(target, "姓名: 陈大某\n".encode())
    assert target.read_text(encoding="utf-8") == "姓名: 陈大某\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.yaml"]
    import os
    import stat
    import sys

    if sys.platform != "win32":
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


def test_a_row_added_to_an_empty_flow_list_is_a_block() -> None:
    raw = "姓名: 林某\n家庭成员: []\n是否单亲: 否\n".encode()
    new, changed = edit(
        raw, Worker, {"家庭成员._rows": "1", "家庭成员[1]._from": "", "家庭成员[1].姓名": "林父", "家庭成员[1].关系": "父亲"}
    )
    assert changed == ["家庭成员[1]"]
    assert new.decode() == "姓名: 林某\n家庭成员:\n  - 姓名: 林父\n    关系: 父亲\n是否单亲: 否\n"
