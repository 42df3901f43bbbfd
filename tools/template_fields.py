"""Write the per-annex field lists of docs/templates.md from the record models.

    .venv/bin/python tools/template_fields.py           # rewrites the lists in docs/templates.md
    .venv/bin/python tools/template_fields.py --check   # exit 1 when they are out of date

The names come from :func:`formkit.forms.tagnames.shapes` (each annex's context built from a
prototype record with every key of the models), the descriptions from the models' own field
descriptions, and, for the names a form derives (the 大写 boxes, the roster's pages …), from
:data:`DERIVED` below. Each list sits between ``<!-- fields: KIND -->`` and
``<!-- /fields -->`` in docs/templates.md; the prose around them is written by hand.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from pydantic import BaseModel

from formkit.documents.shapes import Shape
from formkit.domain.models import (
    Attachment,
    Campaign,
    EnterpriseRows,
    FamilyMember,
    Figures,
    LabourRows,
    Payment,
    Subsidy,
    Unit,
    WeeklyReport,
    Worker,
)
from formkit.forms.tagnames import shapes

DOC = ROOT / "docs" / "templates.md"
KINDS = ("every", "voucher", "roster", "registration", "weekly")
#: The names of the block "In every template" (common_context): left out of each annex's list.
COMMON = ("填报单位", "单位", "活动")

#: Where each kind's names are described, in order of precedence (the models' descriptions).
MODELS: dict[str, tuple[type[BaseModel], ...]] = {
    "every": (),
    "voucher": (Payment, Worker),
    "roster": (),
    "registration": (Worker,),
    "weekly": (WeeklyReport,),
}
#: Descriptions of the names a form derives, by dotted path (a row's names as ``行[].姓名``).
DERIVED = {
    "填报单位": "填报单位全称（单位.yaml）",
    "身份证号": "身份证号，照填写印出（15位旧证印15位）",
    "致困主要原因": "致困主要原因，多项以“、”连接（填表说明第21项）",
    "居住地址": "慰问的居住地址；不填则为职工的家庭住址",
    "所在单位": "慰问的所在单位；不填则为职工的工作单位",
    "致困原因": "慰问的致困原因；不填则为职工的致困主要原因（以“、”连接）",
    "其它帮扶措施": "其它帮扶措施，去掉末尾的“。”（表上印着）；为空时模板印出与纸质表同宽的空白",
    "街道": "“街道（镇）（盖章）”前的空：莲前街道写作 莲前，灌口镇写作 灌口",
    "低保": "享受低保情况一行；没有低保时全为空",
    "低保.起年": "低保起始的年",
    "低保.起月": "起始的月",
    "低保.起日": "起始的日",
    "低保.止年": "低保截止的年",
    "低保.止月": "截止的月",
    "低保.止日": "截止的日",
    "资助金额": "资助金额的数字，如 1409.50（印在 ￥ 后）",
    "资助金额大写": "完整的大写金额，如 壹仟肆佰零玖元伍角整",
    "大写位": "印在 仟 佰 拾 元 角 分 各格前的大写数字；最高位的上一格印停止符 ⊗，再往上为空",
    **{f"大写位.{box}": f"{box}位的大写数字" for box in "仟佰拾元角分"},
    "宣传推荐": "是、否或空（通知四.2）",
    "帮扶项目": "帮扶项目，印在标题里：（帮扶项目：生活救助）",
    "行": "所有行，一个列表（用于只有一张长表的模板）",
    "分页": "按页切开的汇总表，每页一张表",
    "分页[].行": "这一页的行",
    "分页[].页码": "按行数分页的页码",
    "分页[].总页数": "按行数分页的总页数",
    "分页[].末页": "最后一页为真（印合计行）",
    "合计": "合计行",
    "合计.人数": "人数（人）",
    "合计.帮扶金额": "帮扶金额合计（元，两位小数）",
    "合计.帮扶金额大写": "帮扶金额合计的大写金额",
    "家庭成员行": "家庭成员（附件3 第18项）中登记表本页印得下的，至少5行（不足补空行）",
    "续页": "续页：登记表一页印不下时，另起一页（标题“困难职工档案登记表（续）”）",
    "续页.家庭成员行": "续页上的家庭成员（本页印不下的，不会只剩一行）",
    "续页.备注": "续页上的备注（本页印不下的部分）",
    "附件行": "所附附件，至少2行",
    "附填表说明": "真或假：在表后另起一页印填表说明（第1–21项）；通知所附空白表为真",
    "时间": "本周报对应的星期五",
    "时间.年": "年",
    "时间.月": "月",
    "时间.日": "日",
    "企业类型": "按企业类型",
    "用工来源": "按用工来源",
    "单位负责人": "单位负责人；不填则用 单位.yaml",
    "填表人": "填表人；不填则用 单位.yaml",
    "联系电话": "联系电话；不填则用 单位.yaml",
    "案例说明": "附在表后的具体案例说明；没有时为空",
}
#: Row descriptions by column, for the roster's rows.
ROSTER_ROW = {
    "序号": "序号，从1起",
    "姓名": "姓名",
    "性别": "性别",
    "年龄": "按身份证号算到 活动.上报截止 的周岁",
    "身份证号": "身份证号，照填写印出（15位旧证印15位）",
    "工作单位或家庭住址": "有工作单位印工作单位，否则印家庭住址",
    "帮扶金额": "帮扶金额（元，两位小数）",
    "家庭联系电话": "职工的联系电话",
    "资金来源": "资金来源",
    "备注": "留空，由经办人填写",
}
#: The loop variable each list is written with, and the docxtpl letter of its loop (a table
#: row, ``tr``, unless said: the roster's pages are paragraphs and a table each).
LOOP_NAMES = {"分页": "页", "家庭成员行": "m", "附件行": "a"}  # 续页.家庭成员行 too: by its last name
LOOP_LETTERS = {"分页": "p"}


def descriptions(models: tuple[type[BaseModel], ...]) -> dict[str, str]:
    """Each alias of the models and its description (the first model naming it wins)."""
    found: dict[str, str] = {}
    for model in models:
        for name, field in model.model_fields.items():
            found.setdefault(field.alias or name, field.description or "")
    return found


def describe(kind: str, path: str, own: dict[str, str]) -> str:
    last = re.sub(r".*[.\]]", "", path)
    if kind == "roster" and "行[]." in path:
        return ROSTER_ROW.get(last, "")
    if path in DERIVED and (kind == "weekly" or path not in ("单位负责人", "填表人", "联系电话")):
        return DERIVED[path]
    if path.startswith("单位."):
        return descriptions((Unit,)).get(last, "")
    if path.startswith("活动."):
        return descriptions((Campaign,)).get(last, "")
    if path.startswith(("家庭成员行[].", "附件行[].", "续页.家庭成员行[].")):
        return descriptions((FamilyMember, Attachment)).get(last, "")
    if path.startswith("低保."):
        return descriptions((Subsidy,)).get(last, "")
    if path.count(".") == 2:  # 附件4's figures: 企业类型.国有企业.拖欠数额
        row = path.split(".")[1]
        rows = descriptions((EnterpriseRows, LabourRows))
        return f"{rows.get(row, row)}：{descriptions((Figures,)).get(last, '')}"
    if path.count(".") == 1 and path.split(".")[0] in ("企业类型", "用工来源"):
        return descriptions((EnterpriseRows, LabourRows)).get(last, "")
    return own.get(path, "")


def rows(kind: str, shape: Shape) -> Iterator[tuple[str, str]]:
    """(tag as written, description) for every name of ``shape`` (loops first, then their rows)."""
    own = descriptions(MODELS[kind])
    yield from _rows(kind, shape, "", "", own)


def _rows(kind: str, shape: Shape, path: str, written: str, own: dict[str, str]) -> Iterator[tuple[str, str]]:
    for name, sub in shape.fields.items():
        if not path and ((kind == "every") != (name in COMMON)):
            continue
        dotted = f"{path}.{name}" if path else name
        shown = f"{written}.{name}" if written else name
        if sub.kind == "fields":
            if DERIVED.get(dotted) or (kind == "weekly" and not path):
                yield f"`{shown}`", describe(kind, dotted, own)
            yield from _rows(kind, sub, dotted, shown, own)
        elif sub.kind == "rows":
            var, letter = LOOP_NAMES.get(name, "r"), LOOP_LETTERS.get(name, "tr")
            item = sub.item or Shape("any")
            if item.kind == "fields":
                yield f"`{{%{letter} for {var} in {shown} %}}` … `{{%{letter} endfor %}}`", describe(kind, dotted, own)
                yield from _rows(kind, item, dotted + "[]", var, own)
            else:
                yield f"`{{% for {var} in {shown} %}}{{{{ {var} }}}}{{% endfor %}}`", describe(kind, dotted, own)
        elif sub.kind == "flag":
            yield f"`{{% if {shown} %}}` … `{{% endif %}}`", describe(kind, dotted, own)
        else:
            yield f"`{{{{ {shown} }}}}`", describe(kind, dotted, own)


def table(kind: str) -> str:
    every = shapes()
    shape = every["voucher"] if kind == "every" else every[kind]
    lines = ["| 标签 | 内容 |", "|---|---|"]
    lines += [f"| {tag} | {text} |" for tag, text in rows(kind, shape)]
    return "\n".join(lines)


def rewritten(text: str) -> str:
    """docs/templates.md with every generated list made again."""
    for kind in KINDS:
        pattern = re.compile(rf"(<!-- fields: {kind} -->\n).*?(<!-- /fields -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"docs/templates.md has no <!-- fields: {kind} --> … <!-- /fields --> block")
        listing = table(kind)
        text = pattern.sub(lambda m, listing=listing: m.group(1) + listing + "\n" + m.group(2), text)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/templates.md is out of date")
    args = parser.parse_args()
    text = DOC.read_text(encoding="utf-8")
    new = rewritten(text)
    if args.check:
        if new != text:
            print("docs/templates.md is out of date: run .venv/bin/python tools/template_fields.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        DOC.write_text(new, encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
