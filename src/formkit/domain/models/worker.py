"""A worker record (职工/*.yaml): the 21 items of 附件3's 填表说明, family and payment.

With the attachments and the checks within one record.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from formkit.domain.dates import age_on
from formkit.domain.idcard import IDNumber, normalize_id_number
from formkit.domain.models.fields import (
    CENT,
    MAX_HOUSEHOLD_SIZE,
    PLAIN_YES_NO,
    Date,
    Finding,
    HouseholdSize,
    IDNumberText,
    Money,
    OptionalDate,
    OptionalIDNumberText,
    OptionalMoney,
    OptionalText,
    PersonName,
    Phone,
    Postcode,
    RecordModel,
    RequiredText,
    Vocab,
    VoucherAmount,
    YesNo,
    absent_if_blank,
    list_of,
    name_findings,
    one_to_three,
    parse_id_number,
    phone_findings,
    raise_findings,
)
from formkit.domain.vocab import (
    ArchiveStatus,
    DifficultyCategory,
    EmployerNature,
    EnterpriseCondition,
    Ethnicity,
    FamilyMemberStatus,
    FloorArea,
    HardshipCause,
    HealthStatus,
    HouseholdType,
    HousingType,
    Industry,
    MaritalStatus,
    ModelWorkerType,
    PoliticalStatus,
    Relationship,
    Sex,
    WorkerStatus,
)


class Attachment(RecordModel):
    """One row of 所附附件 (附件3)."""

    kind: RequiredText = Field(alias="附件类型", description="附件类型，如 低保证复印件")
    file: OptionalText = Field(default=None, alias="附件文件", description="附件文件（名称或编号）")


def _check_id_agreement(ident: IDNumber | None, sex: str | None, birth: date | None, prefix: tuple[str | int, ...] = ()) -> list[Finding]:
    """性别 and 出生日期 must agree with the 身份证号 (GB 11643-1999: 7th–14th digits, 17th digit's parity)."""
    findings: list[Finding] = []
    if ident is None:
        return findings
    if sex is not None and sex != ident.sex:
        findings.append(
            Finding(
                prefix + ("性别",),
                f"性别“{sex}”与身份证号不符（号码第17位表示{ident.sex}性）",
                "与身份证号一致，或核对号码",
            )
        )
    if birth is not None and birth != ident.birth_date:
        b = ident.birth_date
        findings.append(
            Finding(
                prefix + ("出生日期",),
                f"出生日期 {birth.year}年{birth.month}月{birth.day}日 与身份证号不符（号码中是 {b.year}年{b.month}月{b.day}日）",
                "与身份证号一致，或核对号码",
            )
        )
    if ident.warning:
        findings.append(Finding(prefix + ("身份证号",), ident.warning, "", "warning"))
    return findings


#: The key, in a record's ``model_dump(by_alias=True)``, of the 身份证号 as typed: a 15-digit
#: number stays 15 digits (folded only in width and case, :func:`normalize_id_number`), as on
#: the card it was copied from. ``身份证号`` itself holds the 18-digit form, for the checks.
ID_AS_TYPED = "身份证号（原样）"


class _TypedID(RecordModel):
    """A record with a 身份证号 that keeps the number as typed beside its 18-digit form.

    The forms print the number as typed (issue 13: an old 15-digit card printed as its
    converted 18 digits matches no card in the file); every check and comparison uses the
    18-digit ``身份证号`` (GB 11643-1999).
    """

    _legacy15: str | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_typed_id(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        model = handler(data)
        raw = data.get("身份证号", data.get("id_number")) if isinstance(data, dict) else None
        if isinstance(raw, (str, int)) and not isinstance(raw, bool):
            typed = normalize_id_number(raw)
            if len(typed) == 15:
                model._legacy15 = typed
        return model

    @model_serializer(mode="wrap")
    def _dump_typed_id(self, handler: SerializerFunctionWrapHandler) -> Any:
        """The dump, with :data:`ID_AS_TYPED` added when the number was typed in 15 digits
        (otherwise the typed number is ``身份证号`` itself, folded)."""
        dumped = handler(self)
        if self._legacy15 and isinstance(dumped, dict):
            dumped[ID_AS_TYPED] = self._legacy15
        return dumped


class FamilyMember(_TypedID):
    """One family member (附件3 第18项). 性别 and 出生日期 are derived from the 身份证号 when absent."""

    name: PersonName = Field(alias="姓名", description="家庭成员姓名")
    relationship: Vocab(Relationship) = Field(default=None, alias="关系", description="与职工的关系（填表说明第18项）")
    sex: Vocab(Sex) = Field(default=None, alias="性别", description="性别；可不填，按身份证号")
    political_status: Vocab(PoliticalStatus) = Field(default=None, alias="政治面貌", description="政治面貌（填表说明第2项）")
    birth_date: OptionalDate = Field(default=None, alias="出生日期", description="出生日期；可不填，按身份证号")
    id_number: OptionalIDNumberText = Field(default=None, alias="身份证号", description="身份证号（15位或18位，填表说明第3项）")
    health: Vocab(HealthStatus) = Field(default=None, alias="健康状况", description="健康状况（填表说明第4项）")
    monthly_income: OptionalMoney = Field(default=None, alias="月收入", description="月收入（元）")
    status: Vocab(FamilyMemberStatus) = Field(default=None, alias="身份", description="身份（填表说明第18项）")
    school_or_employer: OptionalText = Field(default=None, alias="单位或学校", description="单位或学校")

    _warnings: list[Finding] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> FamilyMember:
        ident = parse_id_number(self.id_number) if self.id_number else None
        findings = _check_id_agreement(ident, self.sex, self.birth_date) + name_findings(self.name)
        implied = Relationship(self.relationship).implied_sex if self.relationship else None
        sex = self.sex or (ident.sex if ident else None)
        if implied and sex and implied != sex:
            findings.append(Finding(("关系",), f"关系“{self.relationship}”与性别“{sex}”不符", Relationship.allowed_text()))
        raise_findings(findings)
        if ident is not None:
            self.sex = self.sex or ident.sex
            self.birth_date = self.birth_date or ident.birth_date
        self._warnings = findings
        return self

    @property
    def warnings(self) -> list[Finding]:
        """Warnings of the checks within this member (located relative to the member)."""
        return list(self._warnings)


class Subsidy(RecordModel):
    """低保: the 享受低保情况 line of 附件1 (年 月 日至 月 日每月领低保金 元)."""

    start: Date = Field(alias="起", description="享受低保的起始日期")
    end: Date = Field(alias="止", description="享受低保的截止日期")
    monthly: Money = Field(alias="每月", description="每月领低保金（元）")

    @model_validator(mode="after")
    def _check(self) -> Subsidy:
        if self.end < self.start:
            raise_findings(
                [
                    Finding(
                        ("止",),
                        f"低保的截止日期 {self.end.isoformat()} 早于起始日期 {self.start.isoformat()}",
                        "截止日期（止）应不早于起始日期（起）",
                    )
                ]
            )
        return self


class Payment(RecordModel):
    """慰问: this campaign's payment to the worker (附件1 voucher, 附件2 roster row).

    居住地址, 所在单位 and 致困原因 default to the worker's 家庭住址, 工作单位 and 致困主要原因
    (joined with 、); the worker fills them in after validation.
    """

    amount: VoucherAmount = Field(alias="资助金额", description="资助金额（元），最多两位小数，小于10000（凭证大写金额格只到仟位）")
    project: RequiredText = Field(alias="帮扶项目", description="帮扶项目，如 生活救助")
    fund_source: RequiredText = Field(alias="资金来源", description="资金来源，如 中央财政帮扶专项资金、送温暖工程资金")
    subsidy: Annotated[Subsidy | None, BeforeValidator(absent_if_blank)] = Field(
        default=None, alias="低保", description="享受低保情况：起、止、每月"
    )
    other_measures: OptionalText = Field(default=None, alias="其它帮扶措施", description="其它帮扶措施")
    subdistrict: OptionalText = Field(default=None, alias="街道", description="盖章的街道（镇）")
    residence: OptionalText = Field(default=None, alias="居住地址", description="居住地址；不填则用家庭住址")
    employer: OptionalText = Field(default=None, alias="所在单位", description="所在单位；不填则用工作单位")
    cause: OptionalText = Field(default=None, alias="致困原因", description="致困原因；不填则用致困主要原因")
    paid_on: OptionalDate = Field(default=None, alias="发放日期", description="发放日期")
    recommended: PLAIN_YES_NO = Field(
        default=None,
        alias="宣传推荐",
        description="是否推荐为“两节”慰问的新闻宣传对象（通知四.2：每个单位推荐1—2户）；是/否，不填为否",
    )

    @property
    def is_central_fund(self) -> bool:
        """True when paid from 中央财政帮扶专项资金 (to be spent by 活动.资金使用截止, 通知三.2)."""
        return "中央财政" in self.fund_source


_CAUSES = Annotated[
    list[Vocab(HardshipCause, optional=False)],
    BeforeValidator(list_of("致困原因", r"[、,，;；/\s]+")),
    AfterValidator(one_to_three),
]


class Worker(_TypedID):
    """A worker in hardship: one 困难职工档案登记表 (附件3) and this year's 慰问 (附件1, 附件2).

    Checks within the record (errors unless marked): 性别 and 出生日期 agree with the
    身份证号 (also for family members; derived when absent); 致困主要原因 1–3 values of
    item 21; 残疾类别 filled when 健康状况 is 残病; 家庭年人均收入 = 家庭年度总收入 / 家庭人口
    to the fen (ROUND_HALF_UP; computed when absent); 户口所在地行政区划 names 省、市、县（区）
    (item 16); 资助金额 fits the voucher's 仟 box; no family member has the worker's number
    or another member's; 关系 agrees with the member's 性别; 工作时间 after 出生日期; 家庭人口
    at most :data:`MAX_HOUSEHOLD_SIZE` persons unless every member is listed; 姓名 (also of
    the family) without a run of digits, slashes or invisible characters (a digit or two is
    a warning).
    Warnings: 家庭人口 differs from the family listed plus the worker (or is over
    :data:`MAX_HOUSEHOLD_SIZE` with all of them listed); a 低保户 paid without
    a 低保 line; 残疾类别 without 残病; a spouse listed while 未婚/离异/丧偶 or 单亲; work begun
    before 16; the ID number's own warnings.
    """

    archive_number: RequiredText = Field(alias="档案编号", description="困难职工档案编号（附件1），本单位内不重复")
    category: Vocab(DifficultyCategory, optional=False) = Field(alias="困难类别", description="困难类别（填表说明第1项）")
    name: PersonName = Field(alias="姓名", description="姓名")
    ethnicity: Vocab(Ethnicity) = Field(default=None, alias="民族", description="民族")
    sex: Vocab(Sex) = Field(default=None, alias="性别", description="性别；可不填，按身份证号")
    political_status: Vocab(PoliticalStatus) = Field(default=None, alias="政治面貌", description="政治面貌（填表说明第2项）")
    birth_date: OptionalDate = Field(default=None, alias="出生日期", description="出生日期；可不填，按身份证号")
    id_number: IDNumberText = Field(alias="身份证号", description="身份证号，15位或18位（填表说明第3项）")
    health: Vocab(HealthStatus) = Field(default=None, alias="健康状况", description="健康状况（填表说明第4项）")
    disability: OptionalText = Field(default=None, alias="残疾类别", description="残疾类别；健康状况为残病时必填")
    status: Vocab(WorkerStatus) = Field(default=None, alias="身份", description="身份（填表说明第5项）")
    model_worker: Vocab(ModelWorkerType) = Field(default=None, alias="劳模类型", description="劳模类型（填表说明第6项）")
    housing: Vocab(HousingType) = Field(default=None, alias="住房类型", description="住房类型（填表说明第7项）")
    floor_area: Vocab(FloorArea) = Field(default=None, alias="建筑面积", description="建筑面积档次，平方米（填表说明第8项）")
    postcode: Postcode = Field(default=None, alias="邮政编码", description="邮政编码，6位数字")
    phone: Phone = Field(default=None, alias="联系电话", description="联系电话")
    work_start: OptionalDate = Field(default=None, alias="工作时间", description="开始参加工作的年、月、日（填表说明第9项）")
    industry: Vocab(Industry) = Field(default=None, alias="所属行业", description="所属行业（填表说明第10项）")
    marital_status: Vocab(MaritalStatus) = Field(default=None, alias="婚姻状况", description="婚姻状况（填表说明第11项）")
    household_type: Vocab(HouseholdType) = Field(default=None, alias="户口类型", description="户口类型（填表说明第12项）")
    address: OptionalText = Field(default=None, alias="家庭住址", description="家庭住址")
    employer: OptionalText = Field(default=None, alias="工作单位", description="工作单位")
    employer_nature: Vocab(EmployerNature) = Field(default=None, alias="单位性质", description="单位性质（填表说明第13项）")
    enterprise_condition: Vocab(EnterpriseCondition) = Field(default=None, alias="企业状况", description="企业状况（填表说明第14项）")
    single_parent: YesNo(15) = Field(default=None, alias="是否单亲", description="是否单亲（填表说明第15项）")
    monthly_income: OptionalMoney = Field(default=None, alias="本人月平均收入", description="本人月平均收入（元）")
    household_income: OptionalMoney = Field(default=None, alias="家庭年度总收入", description="家庭年度总收入（元）")
    household_size: HouseholdSize = Field(default=None, alias="家庭人口", description="家庭人口（人），含职工本人")
    income_per_head: OptionalMoney = Field(
        default=None,
        alias="家庭年人均收入",
        description="家庭年人均收入（元）；可不填，按 家庭年度总收入 ÷ 家庭人口 计算到分",
    )
    household_division: OptionalText = Field(
        default=None,
        alias="户口所在地行政区划",
        description="户口所在地，写清 省、市、县（区），如 福建省厦门市思明区（填表说明第16项）",
    )
    medical_insurance: YesNo(17) = Field(default=None, alias="是否进入医保", description="是否进入医保（填表说明第17项）")
    family: Annotated[list[FamilyMember], BeforeValidator(list_of("家庭成员"))] = Field(
        default_factory=list, alias="家庭成员", description="家庭成员（填表说明第18项），每人一项，以“- ”开头"
    )
    self_help: YesNo(19) = Field(default=None, alias="是否有一定自救能力", description="是否有一定自救能力（填表说明第19项）")
    zero_employment: YesNo(20) = Field(default=None, alias="是否为零就业家庭", description="是否为零就业家庭（填表说明第20项）")
    causes: _CAUSES = Field(alias="致困主要原因", description="致困主要原因，1至3项（填表说明第21项）")
    attachments: Annotated[list[Attachment], BeforeValidator(list_of("附件"))] = Field(
        default_factory=list, alias="所附附件", description="所附附件，每项写 附件类型 和 附件文件"
    )
    remarks: OptionalText = Field(default=None, alias="备注", description="备注")
    archive_status: Vocab(ArchiveStatus, default=ArchiveStatus.ACTIVE) = Field(
        default=ArchiveStatus.ACTIVE.value,
        alias="档案状态",
        description="档案状态，不填为在档；脱贫的档案保留但不发放慰问金（通知三.2）",
    )
    payment: Annotated[Payment | None, BeforeValidator(absent_if_blank)] = Field(
        default=None, alias="慰问", description="今年的慰问（附件1、附件2）；不填表示只登记、不发放"
    )

    _warnings: list[Finding] = PrivateAttr(default_factory=list)

    @property
    def warnings(self) -> list[Finding]:
        """Warnings of the checks within this record, located relative to the record."""
        return list(self._warnings)

    @property
    def paid(self) -> bool:
        """Gets a voucher and a roster row: an archive 在档 with a 慰问 block (通知三.2: a 脱贫
        archive is kept, not paid)."""
        return self.payment is not None and self.archive_status == ArchiveStatus.ACTIVE

    @property
    def id(self) -> IDNumber:
        """The checked 身份证号 (18-character form, birth date, sex, age)."""
        return parse_id_number(self.id_number)

    @model_validator(mode="after")
    def _check(self) -> Worker:
        ident = parse_id_number(self.id_number)
        findings = _check_id_agreement(ident, self.sex, self.birth_date) + name_findings(self.name)
        findings += self._check_family(ident)
        findings += self._check_income()
        findings += check_household_division(self.household_division)
        findings += phone_findings(self.phone)
        birth = self.birth_date or ident.birth_date
        if self.health == HealthStatus.DISABLED and not self.disability:
            findings.append(
                Finding(
                    ("残疾类别",),
                    "健康状况为“残病”时要填写残疾类别",
                    "如 肢体残疾二级",
                    line_loc=("健康状况",),
                )
            )
        elif self.disability and self.health not in (None, HealthStatus.DISABLED):
            findings.append(
                Finding(
                    ("残疾类别",),
                    f"填了残疾类别，但健康状况是“{self.health}”",
                    "健康状况为“残病”时才填残疾类别",
                    "warning",
                )
            )
        if self.work_start is not None:
            if self.work_start < birth:
                findings.append(Finding(("工作时间",), "工作时间早于出生日期", "开始参加工作的年、月、日（填表说明第9项）"))
            elif age_on(birth, self.work_start) < 16:
                findings.append(
                    Finding(
                        ("工作时间",),
                        "按工作时间，参加工作时不满16岁：请核对",
                        "开始参加工作的年、月、日（填表说明第9项）",
                        "warning",
                    )
                )
        if self.payment is not None:
            if self.category == DifficultyCategory.MINIMUM_LIVING_ALLOWANCE and self.payment.subsidy is None:
                findings.append(
                    Finding(
                        ("慰问",),
                        "困难类别是低保户，但慰问里没有“低保”（凭证的享受低保情况一行将空白）",
                        "在 慰问 下写 低保: 起、止、每月",
                        "warning",
                    )
                )
        raise_findings(findings)
        self.sex = self.sex or ident.sex
        self.birth_date = birth
        if self.payment is not None:
            self.payment.residence = self.payment.residence or self.address
            self.payment.employer = self.payment.employer or self.employer
            self.payment.cause = self.payment.cause or "、".join(self.causes)
        self._warnings = findings
        return self

    def _check_family(self, ident: IDNumber) -> list[Finding]:
        findings: list[Finding] = []
        seen: dict[str, int] = {}
        spouses = [i for i, m in enumerate(self.family) if m.relationship in (Relationship.HUSBAND, Relationship.WIFE)]
        for index, member in enumerate(self.family):
            findings += [Finding(("家庭成员", index) + w.loc, w.message, w.allowed, w.severity) for w in member.warnings]
            if member.id_number is None:
                continue
            if member.id_number == ident.number:
                findings.append(
                    Finding(
                        ("家庭成员", index, "身份证号"),
                        "家庭成员的身份证号与职工本人相同",
                        "家庭成员本人的身份证号；职工本人不列入家庭成员",
                    )
                )
            elif member.id_number in seen:
                findings.append(
                    Finding(
                        ("家庭成员", index, "身份证号"),
                        f"与第{seen[member.id_number] + 1}个家庭成员的身份证号相同",
                        "每个家庭成员本人的身份证号",
                    )
                )
            else:
                seen[member.id_number] = index
        listed = len(self.family) + 1
        if self.household_size is not None and self.household_size > MAX_HOUSEHOLD_SIZE:
            if self.household_size == listed:
                findings.append(
                    Finding(
                        ("家庭人口",),
                        f"家庭人口{self.household_size}人，超过{MAX_HOUSEHOLD_SIZE}人：请核对",
                        f"一户 1–{MAX_HOUSEHOLD_SIZE} 人（含职工本人）",
                        "warning",
                    )
                )
            else:
                shown = f"{self.household_size}人" if self.household_size < 1000 else "这个数"
                findings.append(
                    Finding(
                        ("家庭人口",),
                        f"家庭人口写的是{shown}，不像一户的人数（列出的家庭成员加职工本人共{listed}人）",
                        f"一户 1–{MAX_HOUSEHOLD_SIZE} 人（含职工本人），如 {listed}",
                    )
                )
        elif self.household_size is not None and self.household_size != listed:
            findings.append(
                Finding(
                    ("家庭人口",),
                    f"家庭人口是{self.household_size}人，但列出的家庭成员{len(self.family)}人加职工本人共{len(self.family) + 1}人",
                    "家庭人口 = 家庭成员人数 + 1（职工本人）；或补全家庭成员",
                    "warning",
                )
            )
        if spouses and self.marital_status in (
            MaritalStatus.UNMARRIED,
            MaritalStatus.DIVORCED,
            MaritalStatus.WIDOWED,
        ):
            findings.append(
                Finding(
                    ("婚姻状况",),
                    f"婚姻状况是“{self.marital_status}”，但家庭成员里有丈夫或妻子",
                    MaritalStatus.allowed_text(),
                    "warning",
                )
            )
        if spouses and self.single_parent:
            findings.append(Finding(("是否单亲",), "是否单亲填“是”，但家庭成员里有丈夫或妻子", "请核对", "warning"))
        return findings

    def _check_income(self) -> list[Finding]:
        if self.household_income is None or self.household_size is None:
            return []
        if self.household_size > MAX_HOUSEHOLD_SIZE and self.household_size != len(self.family) + 1:
            return []  # the size itself is refused (see _check_family)
        computed = (self.household_income / self.household_size).quantize(CENT, rounding=ROUND_HALF_UP)
        if self.income_per_head is None:
            self.income_per_head = computed
            return []
        if self.income_per_head != computed:
            return [
                Finding(
                    ("家庭年人均收入",),
                    f"家庭年人均收入 {self.income_per_head} 元与 家庭年度总收入 {self.household_income} 元 ÷ 家庭人口 {self.household_size} 人 = {computed} 元 不符",
                    f"{computed}（四舍五入到分），或不填由程序计算",
                )
            ]
        return []


_PROVINCE = re.compile(r"^(?:.+?(?:省|自治区|特别行政区)|北京市?|天津市?|上海市?|重庆市?)")
_MUNICIPALITY = re.compile(r"^(?:北京|天津|上海|重庆)")
_CITY = re.compile(r"^.+?(?:市|自治州|地区|盟)")
_COUNTY = re.compile(r".+?(?:县|区|市|旗|特区|林区)")
_DIVISION_EXAMPLE = "写清 省、市、县（区），如 福建省厦门市思明区（填表说明第16项）"


def check_household_division(text: str | None) -> list[Finding]:
    """户口所在地行政区划 must name 省、市、县（区） (附件3 填表说明第16项).

    A province-level name (…省, …自治区, or 北京/天津/上海/重庆 which are also the city),
    then a city (…市/自治州/地区/盟), then a county-level division (…县/区/市/旗). 省 and a 市
    with nothing after is a warning only (a county-level city administered by the province,
    such as 湖北省仙桃市, has no county below it).

    Returns:
        The findings (empty when fine or absent).
    """
    if not text:
        return []
    compact = "".join(unicodedata.normalize("NFKC", text).split())
    loc = ("户口所在地行政区划",)
    province = _PROVINCE.match(compact)
    if province is None:
        return [Finding(loc, "户口所在地行政区划没有写省（自治区、直辖市）", _DIVISION_EXAMPLE)]
    rest = compact[province.end() :]
    if _MUNICIPALITY.match(compact):
        rest = rest[1:] if rest.startswith("市") else rest
        if not _COUNTY.match(rest):
            return [Finding(loc, "户口所在地行政区划没有写到区（县）", _DIVISION_EXAMPLE)]
        return []
    city = _CITY.match(rest)
    if city is None:
        return [Finding(loc, "户口所在地行政区划没有写市", _DIVISION_EXAMPLE)]
    if not _COUNTY.match(rest[city.end() :]):
        if city.group().endswith("市"):
            return [
                Finding(
                    loc,
                    "户口所在地行政区划只写到市，没有写县（区）；省直辖的县级市可不理会此提醒",
                    _DIVISION_EXAMPLE,
                    "warning",
                )
            ]
        return [Finding(loc, "户口所在地行政区划没有写县（区）", _DIVISION_EXAMPLE)]
    return []
