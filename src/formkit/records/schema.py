"""JSON Schemas of the record files, for editors (VS Code's YAML extension, by Red Hat).

One schema per kind of file (:data:`SCHEMA_FILES`): ``worker`` (职工/*.yaml), ``week``
(周报/*.yaml), ``unit`` (单位.yaml), ``campaign`` (campaign.yaml). Each lists the Chinese
keys with their descriptions (填表说明 item, unit, allowed values), refuses unknown keys, and
gives the 填表说明 vocabularies as ``enum`` so the editor completes them. :func:`json_schema`
without a kind returns one combined schema that picks the kind from the keys present
(``if``/``then``), for editors that take a single schema; the per-kind schemas give better
completion and are the ones to prefer.

The schemas are a typing aid, generated from :mod:`formkit.domain.models`; ``formkit check`` stays
the judge. They are slightly stricter where formkit is lenient (a vocabulary value must be
typed as printed, e.g. ``汉族`` rather than ``汉``) and cannot express checks across fields.

Hook-up in VS Code (``.vscode/settings.json`` of the folder holding ``records/``), as
:func:`vscode_settings` returns it::

    {"yaml.schemas": {"schemas/worker.schema.json": ["records/*/职工/**/*.yaml"], ...}}
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from formkit.domain.models import Campaign, Unit, WeeklyReport, Worker

__all__ = ["SCHEMA_FILES", "json_schema", "json_schemas", "vscode_settings"]

DRAFT = "http://json-schema.org/draft-07/schema#"

#: kind → (model, schema file name, glob of the record files under the records folder, title).
SCHEMA_FILES: dict[str, tuple[type[BaseModel], str, str, str]] = {
    "worker": (Worker, "worker.schema.json", "*/职工/**/*.yaml", "困难职工档案（职工/*.yaml）"),
    "week": (WeeklyReport, "week.schema.json", "*/周报/**/*.yaml", "企业工资拖欠情况周报（周报/*.yaml）"),
    "unit": (Unit, "unit.schema.json", "*/单位.yaml", "填报单位（单位.yaml）"),
    "campaign": (Campaign, "campaign.schema.json", "campaign.yaml", "活动（campaign.yaml）"),
}

#: Chinese titles of the nested objects (pydantic names them after the English classes).
_TITLES = {
    "Attachment": "所附附件的一项：附件类型、附件文件",
    "FamilyMember": "家庭成员（填表说明第18项）",
    "Payment": "慰问：今年的资助（附件1、附件2）",
    "Subsidy": "低保：享受低保情况（起、止、每月）",
    "Figures": "一行：拖欠数额（万元）、涉及企业数（户）、涉及人数（人）",
    "EnterpriseRows": "按企业类型：国有企业、集体企业、其他类型企业",
    "LabourRows": "按用工来源：城镇职工、农民工、其中建筑业农民工",
}

#: Keys whose value may also be typed as one line of text (split on 、 by formkit).
_TEXT_LISTS = {"致困主要原因", "主送", "周报起止"}


def _allow_null(prop: dict[str, Any]) -> dict[str, Any]:
    """An optional key may be left blank (YAML reads ``键:`` as null)."""
    if "anyOf" in prop:
        if {"type": "null"} not in prop["anyOf"]:
            prop["anyOf"].append({"type": "null"})
    elif "enum" in prop:
        if None not in prop["enum"]:
            prop["enum"] = [*prop["enum"], None]
    elif "$ref" in prop:
        prop["anyOf"] = [{"$ref": prop.pop("$ref")}, {"type": "null"}]
    elif "type" in prop:
        types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        if "null" not in types:
            prop["type"] = [*types, "null"]
    return prop


def _tidy(obj: dict[str, Any]) -> None:
    """Chinese titles, no ``default: null``, blanks allowed where optional, text lists."""
    required = set(obj.get("required", ()))
    for key, prop in obj.get("properties", {}).items():
        prop["title"] = key
        if prop.get("default", 0) is None:
            del prop["default"]
        if key in _TEXT_LISTS and prop.get("type") == "array":
            description = prop.pop("description", "")
            prop = obj["properties"][key] = {
                "title": key,
                "description": description,
                "anyOf": [dict(prop, title=key), {"type": "string"}],
            }
        if key not in required:
            _allow_null(prop)


def _schema_of(model: type[BaseModel], title: str) -> dict[str, Any]:
    schema = model.model_json_schema(by_alias=True, mode="validation")
    for name, definition in schema.get("$defs", {}).items():
        definition["title"] = name
        definition["description"] = _TITLES.get(name, "")
        _tidy(definition)
    _tidy(schema)
    schema["title"] = title
    schema["description"] = f"formkit 记录：{title}。键名和允许值按厦工[2011]104号附件及其填表说明。"
    return {"$schema": DRAFT, **schema}


def json_schemas() -> dict[str, dict[str, Any]]:
    """Return the schema of each kind of record file, by kind (see :data:`SCHEMA_FILES`)."""
    return {kind: _schema_of(model, title) for kind, (model, _name, _glob, title) in SCHEMA_FILES.items()}


#: A key only this kind of file has, to pick the schema in the combined form.
_MARKERS = {"worker": "身份证号", "week": "时间", "unit": "单位类型", "campaign": "活动名称"}


def json_schema(kind: str | None = None) -> dict[str, Any]:
    """Return the JSON Schema (draft-07) of one kind of record file, or a combined one.

    Args:
        kind: ``worker``, ``week``, ``unit`` or ``campaign``; None for the combined schema,
            which applies the kind whose marker key is present (身份证号, 时间, 单位类型,
            活动名称) and otherwise only offers the keys.

    Returns:
        The schema as a dict (``json.dumps(..., ensure_ascii=False)`` to write it).

    Raises:
        ValueError: unknown *kind*.
    """
    schemas = json_schemas()
    if kind is not None:
        if kind not in schemas:
            raise ValueError(f"未知的记录种类“{kind}”：可用 {'、'.join(schemas)}")
        return schemas[kind]
    defs: dict[str, Any] = {}
    branches = []
    for name, schema in schemas.items():
        body = copy.deepcopy(schema)
        body.pop("$schema", None)
        for def_name, definition in body.pop("$defs", {}).items():
            defs[def_name] = definition
        defs[name] = body
        branches.append({"if": {"required": [_MARKERS[name]]}, "then": {"$ref": f"#/$defs/{name}"}})
    return {
        "$schema": DRAFT,
        "title": "formkit 记录（职工、周报、单位、活动）",
        "description": "按文件里的键判断种类：有 身份证号 为职工，有 时间 为周报，有 单位类型 为单位，有 活动名称 为活动。",
        "type": "object",
        "allOf": branches,
        "$defs": defs,
    }


def vscode_settings(schema_dir: str = "schemas", records_dir: str = "records") -> dict[str, Any]:
    """Return the ``yaml.schemas`` setting that maps each schema file to its record files.

    Args:
        schema_dir: where the schema files are written (relative to the workspace).
        records_dir: the records folder (relative to the workspace).

    Returns:
        ``{"yaml.schemas": {"schemas/worker.schema.json": ["records/*/职工/**/*.yaml"], …}}``;
        the globs also match a records folder holding one unit (``records/职工/…``).
    """
    mapping: dict[str, list[str]] = {}
    for _model, file_name, glob, _title in SCHEMA_FILES.values():
        patterns = [f"{records_dir}/{glob}"]
        if glob.startswith("*/"):
            patterns.append(f"{records_dir}/{glob[2:]}")
        mapping[f"{schema_dir}/{file_name}"] = patterns
    return {"yaml.schemas": mapping}
