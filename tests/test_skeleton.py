"""formkit.records.skeleton (``formkit new``) and formkit.records.schema (``formkit schema``).

A skeleton must hold every key, with its allowed values in comments; it must load as it is,
and validate once every blank is filled in. The JSON Schemas must name every key, refuse
unknown ones and list the 填表说明 vocabularies.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from pydantic import BaseModel

from formkit.domain.models import Campaign, Unit, WeeklyReport, Worker
from formkit.domain.vocab import DifficultyCategory, Ethnicity, HardshipCause
from formkit.records.schema import (
    SCHEMA_FILES,
    json_schema,
    json_schemas,
    vscode_settings,
)
from formkit.records.skeleton import KINDS, new_record, record_path
from formkit.records.yamlio import load_yaml_text

MODELS = {"worker": Worker, "week": WeeklyReport, "unit": Unit, "campaign": Campaign}

FIGURES = {"拖欠数额": "0", "涉及企业数": "0", "涉及人数": "0"}

# a valid value for every key of each kind, by key path (list items have no index)
FILL: dict[str, dict[tuple[str, ...], str]] = {
    "worker": {
        ("档案编号",): "T9",
        ("困难类别",): "低保户",
        ("姓名",): "张三",
        ("民族",): "汉族",
        ("性别",): "男",
        ("政治面貌",): "群众",
        ("出生日期",): "1972-03-15",
        ("身份证号",): "350203197203151311",
        ("健康状况",): "残病",
        ("残疾类别",): "肢体残疾",
        ("身份",): "在岗",
        ("劳模类型",): "非劳模",
        ("住房类型",): "租房",
        ("建筑面积",): "20以下",
        ("邮政编码",): "361000",
        ("联系电话",): "0592-2000001",
        ("工作时间",): "1990-07-01",
        ("所属行业",): "其他",
        ("婚姻状况",): "已婚",
        ("户口类型",): "非农业",
        ("家庭住址",): "厦门市思明区某路1号",
        ("工作单位",): "某厂",
        ("单位性质",): "其他",
        ("企业状况",): "正常",
        ("是否单亲",): "否",
        ("本人月平均收入",): "800",
        ("家庭年度总收入",): "9600",
        ("家庭人口",): "2",
        ("家庭年人均收入",): "4800",
        ("户口所在地行政区划",): "福建省厦门市思明区",
        ("是否进入医保",): "是",
        ("家庭成员", "姓名"): "李四",
        ("家庭成员", "关系"): "妻子",
        ("家庭成员", "性别"): "女",
        ("家庭成员", "政治面貌"): "群众",
        ("家庭成员", "出生日期"): "1974-06-22",
        ("家庭成员", "身份证号"): "350203197406222423",
        ("家庭成员", "健康状况"): "良好",
        ("家庭成员", "月收入"): "0",
        ("家庭成员", "身份"): "在岗",
        ("家庭成员", "单位或学校"): "某店",
        ("是否有一定自救能力",): "是",
        ("是否为零就业家庭",): "否",
        ("致困主要原因",): "[本人大病, 残疾]",
        ("所附附件", "附件类型"): "低保证",
        ("所附附件", "附件文件"): "低保证复印件",
        ("备注",): "无",
        ("档案状态",): "在档",
        ("慰问", "资助金额"): "500",
        ("慰问", "帮扶项目"): "生活救助",
        ("慰问", "资金来源"): "送温暖工程资金",
        ("慰问", "低保", "起"): "2011-01-01",
        ("慰问", "低保", "止"): "2011-12-31",
        ("慰问", "低保", "每月"): "300",
        ("慰问", "其它帮扶措施"): "送米",
        ("慰问", "街道"): "某街道",
        ("慰问", "居住地址"): "同上",
        ("慰问", "所在单位"): "某厂",
        ("慰问", "致困原因"): "本人大病",
        ("慰问", "发放日期"): "2011-12-20",
        ("慰问", "宣传推荐"): "否",
    },
    "week": {
        ("时间",): "2011-12-02",
        ("报出日期",): "2011-12-02",
        ("案例说明",): "无",
        ("单位负责人",): "王",
        ("填表人",): "李",
        ("联系电话",): "0592-2000001",
        **{
            (group, row, figure): value
            for group, rows in (
                ("企业类型", ("国有企业", "集体企业", "其他类型企业")),
                ("用工来源", ("城镇职工", "农民工", "其中建筑业农民工")),
            )
            for row in rows
            for figure, value in FIGURES.items()
        },
    },
    "unit": {
        ("填报单位",): "思明区总工会",
        ("单位类型",): "区工会",
        ("单位负责人",): "王",
        ("填表人",): "李",
        ("联系电话",): "0592-2000001",
    },
    "campaign": {
        ("活动名称",): "2012年元旦春节送温暖活动",
        ("文号",): "厦工[2011]104号",
        ("发文机关",): "厦门市总工会",
        ("资金使用截止",): "2011-12-31",
        ("上报截止",): "2012-01-06",
        ("周报起止",): "[2011-12-01, 2012-01-22]",
        ("周报日",): "星期五",
        ("主送",): "[思明区总工会]",
    },
}

_KEY_LINE = re.compile(r"^(?P<indent>\s*)(?P<dash>- )?(?P<key>[^#\s:][^:]*):\s*$")


def _fill(text: str, values: dict[tuple[str, ...], str]) -> tuple[str, set[tuple[str, ...]]]:
    """Put a value after every leaf key of a skeleton; return the text and the paths seen."""
    lines = text.splitlines()
    stack: list[tuple[int, str]] = []
    seen: set[tuple[str, ...]] = set()
    out = []
    for n, line in enumerate(lines):
        match = _KEY_LINE.match(line)
        if not match:
            out.append(line)
            continue
        column = len(match["indent"]) + (2 if match["dash"] else 0)
        while stack and stack[-1][0] >= column:
            stack.pop()
        path = tuple(k for _, k in stack) + (match["key"],)
        stack.append((column, match["key"]))
        nxt = next((m for m in lines[n + 1 :] if m.strip() and not m.strip().startswith("#")), "")
        is_parent = len(nxt) - len(nxt.lstrip()) > column
        seen.add(path)
        out.append(line if is_parent else f"{line} {values[path]}")
    return "\n".join(out) + "\n", seen


def _leaf_paths(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    from formkit.records.skeleton import (
        _model_of,  # the same unwrapping the skeleton uses
    )

    paths: set[tuple[str, ...]] = set()
    for name, info in model.model_fields.items():
        key = info.alias or name
        sub = _model_of(info.annotation)
        paths |= {prefix + (key,)} if sub is None else _leaf_paths(sub, prefix + (key,))
    return paths


@pytest.mark.parametrize("kind", list(KINDS))
def test_skeleton_loads_as_is(kind: str) -> None:
    doc = load_yaml_text(new_record(kind), require_mapping=True)
    assert set(doc.data) == {info.alias for info in MODELS[kind].model_fields.values()}


@pytest.mark.parametrize("kind", list(KINDS))
def test_skeleton_has_every_key_and_validates_once_filled(kind: str) -> None:
    filled, seen = _fill(new_record(kind), FILL[kind])
    assert _leaf_paths(MODELS[kind]) <= seen
    record = MODELS[kind].model_validate(load_yaml_text(filled).data)
    assert getattr(record, "warnings", []) == []


def test_worker_skeleton_comments_give_items_and_allowed_values() -> None:
    text = new_record("worker")
    comment_of: dict[str, str] = {}
    comments: list[str] = []
    for line in text.splitlines():
        match = _KEY_LINE.match(line)
        if line.lstrip().startswith("#"):
            comments.append(line)
        elif match:
            comment_of.setdefault(match["key"], "\n".join(comments))
            comments = []
    assert "填表说明第1项" in comment_of["困难类别"]
    assert "“低保户”、“低保边缘户”或“意外致困户”" in comment_of["困难类别"]
    assert all(f"“{label}”" in comment_of["致困主要原因"] for label in HardshipCause.labels())
    # a value holding “、” itself is told apart from the next one
    assert "：“农、林、牧、渔业”、“金融保险业”、" in comment_of["所属行业"]
    assert "住房" not in comment_of["建筑面积"] and "第8项" in comment_of["建筑面积"]
    assert "是、否" in comment_of["是否单亲"] and "第15项" in comment_of["是否单亲"]
    assert "必填" in comment_of["身份证号"] and "必填" not in comment_of["备注"]
    assert "汉族" in comment_of["民族"]
    assert "2011-12-02" in comment_of["出生日期"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_skeleton_header_names_the_file_formkit_new_writes(kind: str, tmp_path: Any) -> None:
    unit = tmp_path / "湖里区总工会"
    written = record_path(kind, tmp_path if kind == "campaign" else unit)
    where = written.relative_to(unit).as_posix() if kind != "campaign" else written.name
    header = new_record(kind).splitlines()[1]
    shown = where if kind == "campaign" else f"<单位>/{where}"
    assert header.startswith(f"# 保存为：{shown}"), header


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="worker"):
        new_record("family")


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


@pytest.mark.parametrize("kind", list(SCHEMA_FILES))
def test_schema_names_every_key_and_refuses_others(kind: str) -> None:
    schema = json_schema(kind)
    json.dumps(schema, ensure_ascii=False)  # serialisable
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {info.alias for info in MODELS[kind].model_fields.values()}
    required = {info.alias for info in MODELS[kind].model_fields.values() if info.is_required()}
    assert set(schema.get("required", [])) == required
    for key, prop in schema["properties"].items():
        assert prop["title"] == key
        assert prop.get("description"), key
    for ref in _refs(schema):
        assert ref.startswith("#/$defs/") and ref.split("/")[-1] in schema["$defs"]


def test_schema_lists_vocabularies_and_allows_blank_optional_keys() -> None:
    worker = json_schema("worker")
    props = worker["properties"]
    assert props["困难类别"]["enum"] == list(DifficultyCategory.labels())  # required: no blank
    assert props["民族"]["enum"] == [*Ethnicity.labels(), None]
    assert "null" in props["备注"]["type"]
    assert {"type": "null"} in props["慰问"]["anyOf"]
    member = worker["$defs"]["FamilyMember"]
    assert "关系" in member["properties"] and member["additionalProperties"] is False


def test_combined_schema_picks_the_kind_by_its_keys() -> None:
    combined = json_schema()
    assert [branch["if"]["required"] for branch in combined["allOf"]] == [
        ["身份证号"],
        ["时间"],
        ["单位类型"],
        ["活动名称"],
    ]
    for ref in _refs(combined):
        assert ref.split("/")[-1] in combined["$defs"]
    assert set(json_schemas()) == set(SCHEMA_FILES)


def test_vscode_settings_map_schemas_to_record_files() -> None:
    setting = vscode_settings("schemas", "records")["yaml.schemas"]
    assert setting["schemas/worker.schema.json"][0] == "records/*/职工/**/*.yaml"
    assert setting["schemas/campaign.schema.json"] == ["records/campaign.yaml"]
