"""campaign.yaml and 单位.yaml: the campaign (通知 厦工[2011]104号) and one reporting union."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import (
    BeforeValidator,
    Field,
    model_validator,
)

from formkit.domain.dates import report_days
from formkit.domain.models.fields import (
    Date,
    Finding,
    OptionalText,
    Phone,
    RecordModel,
    RequiredText,
    Vocab,
    names,
    raise_findings,
    two_dates,
)
from formkit.domain.vocab import (
    UnitType,
    Weekday,
)


class Campaign(RecordModel):
    """campaign.yaml: the campaign the records belong to (通知 厦工[2011]104号)."""

    name: RequiredText = Field(alias="活动名称", description="活动名称，如 2012年元旦春节送温暖活动")
    document_number: RequiredText = Field(alias="文号", description="通知文号，如 厦工[2011]104号")
    issuer: RequiredText = Field(alias="发文机关", description="发文机关，如 厦门市总工会")
    fund_deadline: Date = Field(alias="资金使用截止", description="中央财政帮扶专项资金使用截止日期（通知三.2：2011-12-31）")
    report_deadline: Date = Field(
        alias="上报截止",
        description="凭证和汇总表上报截止日期（通知三.2：2012-01-06）；附件2的年龄按此日计算",
    )
    weekly_period: Annotated[list[Date], BeforeValidator(two_dates)] = Field(
        alias="周报起止",
        description="周报的第一天和最后一天，两个日期，如 [2011-12-01, 2012-01-22]（通知四.3）",
    )
    weekly_day: Vocab(Weekday, default=Weekday.FRIDAY) = Field(
        default=Weekday.FRIDAY.value, alias="周报日", description="每周上报周报的日子，不填为星期五"
    )
    addressees: Annotated[list[RequiredText], BeforeValidator(names)] = Field(
        default_factory=list, alias="主送", description="主送单位名单（各区工会、各产业工会工委），每行一个"
    )

    @property
    def report_days(self) -> list[date]:
        """The 周报日 inside 周报起止, in order (通知四.3; :func:`formkit.domain.dates.report_days`)."""
        start, end = self.weekly_period
        return report_days(start, end, self.weekly_day)

    @model_validator(mode="after")
    def _check(self) -> Campaign:
        if self.weekly_period[0] > self.weekly_period[1]:
            raise_findings([Finding(("周报起止",), "周报起止的第一个日期晚于第二个日期", "先写开始日期，再写结束日期")])
        return self


class Unit(RecordModel):
    """单位.yaml: one reporting union (区工会 or 产业工会工委)."""

    name: RequiredText = Field(alias="填报单位", description="填报单位全称，如 思明区总工会")
    unit_type: Vocab(UnitType, optional=False) = Field(alias="单位类型", description="单位类型（决定上报材料，通知四.3）")
    head: OptionalText = Field(default=None, alias="单位负责人", description="单位负责人（附件4表尾）")
    preparer: OptionalText = Field(default=None, alias="填表人", description="填表人（附件4表尾）")
    phone: Phone = Field(default=None, alias="联系电话", description="联系电话（附件4表尾）")
