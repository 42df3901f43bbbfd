"""A weekly report (周报/*.yaml): the 附件4 figures (万元, 户, 人) and their checks.

By 企业类型 and by 用工来源.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    model_validator,
)

from formkit.domain.models.fields import (
    Count,
    Date,
    Finding,
    OptionalDate,
    OptionalText,
    Phone,
    RecordModel,
    WanYuan,
    is_blank,
    raise_findings,
)

# ---------------------------------------------------------------- weekly report (附件4)


class Figures(RecordModel):
    """One row of 附件4: 拖欠数额 (万元), 涉及企业数 (户), 涉及人数 (人); each 0 when left out."""

    arrears: WanYuan = Field(default=Decimal(0), alias="拖欠数额", description="拖欠数额（万元），如 12.5；没有填 0")
    enterprises: Count = Field(default=0, alias="涉及企业数", description="涉及企业数（户）")
    persons: Count = Field(default=0, alias="涉及人数", description="涉及人数（人）")


def _row(value: Any) -> Any:
    return {} if is_blank(value) else value


_Row = Annotated[Figures, BeforeValidator(_row)]


class EnterpriseRows(RecordModel):
    """The 企业类型 rows of 附件4."""

    state_owned: _Row = Field(default_factory=Figures, alias="国有企业", description="国有企业")
    collective: _Row = Field(default_factory=Figures, alias="集体企业", description="集体企业")
    other: _Row = Field(default_factory=Figures, alias="其他类型企业", description="其他类型企业")


class LabourRows(RecordModel):
    """The 用工来源 rows of 附件4; 其中建筑业农民工 is part of 农民工."""

    urban: _Row = Field(default_factory=Figures, alias="城镇职工", description="城镇职工")
    migrant: _Row = Field(default_factory=Figures, alias="农民工", description="农民工")
    migrant_construction: _Row = Field(default_factory=Figures, alias="其中建筑业农民工", description="其中建筑业农民工（农民工的一部分）")


_FIGURES = (
    ("arrears", "拖欠数额", "万元"),
    ("enterprises", "涉及企业数", "户"),
    ("persons", "涉及人数", "人"),
)


class WeeklyReport(RecordModel):
    """A 企业工资拖欠情况周报表 (附件4) for one week.

    Checks: for 拖欠数额 and 涉及人数, the sum over 企业类型 equals 城镇职工 + 农民工 (the two
    groups count the same arrears); 其中建筑业农民工 does not exceed 农民工 in any figure.
    Warnings: a row with arrears but no enterprise or person (or the reverse), more
    enterprises than persons, 报出日期 before 时间. 单位负责人, 填表人 and 联系电话 default to
    单位.yaml (filled by :mod:`formkit.records.load`).
    """

    day: Date = Field(alias="时间", description="本周报对应的星期五（附件4 时间）")
    enterprise_types: Annotated[EnterpriseRows, BeforeValidator(_row)] = Field(
        default_factory=EnterpriseRows,
        alias="企业类型",
        description="按企业类型：国有企业、集体企业、其他类型企业",
    )
    labour_sources: Annotated[LabourRows, BeforeValidator(_row)] = Field(
        default_factory=LabourRows,
        alias="用工来源",
        description="按用工来源：城镇职工、农民工、其中建筑业农民工",
    )
    sent_on: OptionalDate = Field(default=None, alias="报出日期", description="报出日期")
    cases: OptionalText = Field(default=None, alias="案例说明", description="具体案例所涉及企业等情况的文字说明（附在表后）")
    head: OptionalText = Field(default=None, alias="单位负责人", description="单位负责人；不填则用 单位.yaml")
    preparer: OptionalText = Field(default=None, alias="填表人", description="填表人；不填则用 单位.yaml")
    phone: Phone = Field(default=None, alias="联系电话", description="联系电话；不填则用 单位.yaml")

    _warnings: list[Finding] = PrivateAttr(default_factory=list)

    @property
    def warnings(self) -> list[Finding]:
        """Warnings of the checks within this report."""
        return list(self._warnings)

    @model_validator(mode="after")
    def _check(self) -> WeeklyReport:
        findings: list[Finding] = []
        by_type = self.enterprise_types
        by_source = self.labour_sources
        types = (by_type.state_owned, by_type.collective, by_type.other)
        for attr, label, unit in (_FIGURES[0], _FIGURES[2]):
            total = sum(getattr(row, attr) for row in types)
            sources = getattr(by_source.urban, attr) + getattr(by_source.migrant, attr)
            if total != sources:
                findings.append(
                    Finding(
                        ("用工来源",),
                        f"{label}：企业类型三行合计 {total} {unit}，用工来源 城镇职工 + 农民工 合计 {sources} {unit}，两者应相等",
                        "同一批拖欠按企业类型和按用工来源各分一次，合计相同",
                    )
                )
        for attr, label, unit in _FIGURES:
            part = getattr(by_source.migrant_construction, attr)
            whole = getattr(by_source.migrant, attr)
            if part > whole:
                findings.append(
                    Finding(
                        ("用工来源", "其中建筑业农民工", label),
                        f"其中建筑业农民工的{label} {part} {unit} 大于农民工的 {whole} {unit}",
                        "不超过农民工一行的数",
                    )
                )
        for group, rows in (("企业类型", by_type), ("用工来源", by_source)):
            for alias, field in ((f.alias or name, name) for name, f in type(rows).model_fields.items()):
                row = getattr(rows, field)
                has_amount, has_ent, has_persons = row.arrears > 0, row.enterprises > 0, row.persons > 0
                if has_amount != has_persons or (group == "企业类型" and has_amount != has_ent):
                    findings.append(
                        Finding(
                            (group, alias),
                            f"{alias}一行的拖欠数额、涉及企业数、涉及人数有的为 0 有的不为 0",
                            "请核对",
                            "warning",
                        )
                    )
                elif row.enterprises > row.persons:
                    findings.append(Finding((group, alias), f"{alias}一行的涉及企业数多于涉及人数", "请核对", "warning"))
        if self.sent_on is not None and self.sent_on < self.day:
            findings.append(
                Finding(
                    ("报出日期",),
                    f"报出日期 {self.sent_on.isoformat()} 早于周报的时间 {self.day.isoformat()}",
                    "报出日期应不早于周报的时间",
                    "warning",
                )
            )
        raise_findings(findings)
        self._warnings = findings
        return self
