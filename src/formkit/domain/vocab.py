"""Controlled vocabularies: the 填表说明 items 1–21 of 附件3, the 56 民族, and formkit's own keys.

Each vocabulary is a ``str`` enum whose values are the labels exactly as the notice
厦工[2011]104号 prints them (附件3 困难职工档案填表说明); the class carries the number of the
填表说明 item (``item_number``) and the label of the form field it governs (``field_label``),
in the style of python-docx's ``enum/base.py``. Nothing here imports the rest of formkit.

Typed values are matched leniently and normalised to the printed label (:meth:`Vocabulary.lookup`):

- width and spaces are folded (NFKC), so ``下(待)岗`` typed with half-width brackets is
  ``下（待）岗``;
- 其他 and 其它 are taken for one another, because the notice itself prints 其它 in item 4 and
  其他 everywhere else;
- a few obvious short forms are accepted and listed in each class's ``aliases`` (for example
  ``下岗`` for ``下（待）岗``, ``汉`` for ``汉族``: a 民族 may be typed without 族 and is stored
  with it, the form GB 3304-91 prints).

Item 8 is printed 住房面积 in the 填表说明 but the form's field is 建筑面积; item 6 is printed
劳模类别 but the field is 劳模类型; item 18 governs two fields of each family member, 关系 and
身份. :data:`ITEMS` records the printed label and the field labels of every item.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar, cast

__all__ = [
    "ITEMS",
    "YES_NO",
    "ArchiveStatus",
    "DifficultyCategory",
    "EmployerNature",
    "EnterpriseCondition",
    "EnterpriseType",
    "Ethnicity",
    "FamilyMemberStatus",
    "FloorArea",
    "HardshipCause",
    "HealthStatus",
    "HouseholdType",
    "HousingType",
    "Industry",
    "Item",
    "LabourSource",
    "MaritalStatus",
    "ModelWorkerType",
    "PoliticalStatus",
    "Relationship",
    "Sex",
    "UnitType",
    "Vocabulary",
    "VocabularyError",
    "Weekday",
    "WorkerStatus",
    "join_labels",
    "parse_yes_no",
]


#: Longest typed value quoted whole in a message, and compared with the labels for a guess.
_LONGEST_SHOWN = 30
_LONGEST_GUESS = 50


def _shown(text: object) -> str:
    """*text* as quoted in a message: cut to :data:`_LONGEST_SHOWN` characters."""
    text = str(text)
    return text if len(text) <= _LONGEST_SHOWN else f"{text[:_LONGEST_SHOWN]}…（共{len(text)}字）"


class VocabularyError(ValueError):
    """A typed value that is not in a vocabulary.

    Attributes:
        message: what is wrong, in Chinese (the typed value is quoted; vocabularies never
            hold ID or phone numbers).
        allowed: the allowed values, as the 填表说明 prints them.
    """

    def __init__(self, message: str, allowed: str) -> None:
        super().__init__(message)
        self.message = message
        self.allowed = allowed


def _fold(text: str) -> str:
    """Return *text* NFKC-folded, without spaces and quotes: the key values are matched by."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "\"'“”‘’「」")


def join_labels(labels: list[str] | tuple[str, ...], last: str = "或") -> str:
    """Join labels the way the 填表说明 does: ``“甲”、“乙”或“丙”``."""
    quoted = [f"“{label}”" for label in labels]
    if len(quoted) < 2:
        return "".join(quoted)
    return "、".join(quoted[:-1]) + last + quoted[-1]


V = TypeVar("V", bound="Vocabulary")


class Vocabulary(str, Enum):
    """Base of every vocabulary: a ``str`` enum whose value is the printed label.

    ``str(member)`` and ``format(member)`` give the label (not ``Class.NAME``), so a member
    prints as typed in templates. Class attributes set by :func:`_vocabulary`:
    ``item_number`` (the 填表说明 item, or None), ``field_label`` (the form's field),
    ``aliases`` (extra accepted spellings → label).
    """

    item_number: int | None
    field_label: str
    aliases: dict[str, str]
    _lookup_table: dict[str, Vocabulary]

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, format_spec: str) -> str:
        return format(str(self.value), format_spec)

    @property
    def label(self) -> str:
        """The label as the notice prints it."""
        return str(self.value)

    @classmethod
    def labels(cls) -> tuple[str, ...]:
        """All labels, in the notice's order."""
        return tuple(member.value for member in cls)

    @classmethod
    def source(cls) -> str:
        """Where the vocabulary comes from, e.g. ``填表说明第1项（困难类别）``."""
        if cls.item_number is None:
            return cls.field_label
        return f"填表说明第{cls.item_number}项（{cls.field_label}）"

    @classmethod
    def allowed_text(cls) -> str:
        """The allowed values as one Chinese sentence, e.g. ``请填写“低保户”、…或“意外致困户”``."""
        return "请填写" + join_labels(cls.labels())

    @classmethod
    def lookup(cls: type[V], text: object) -> V:
        """Return the member that *text* names, matched leniently (see the module docstring).

        Args:
            text: the value as typed (any scalar; it is read as text).

        Raises:
            VocabularyError: *text* names no member; the message suggests the nearest label.
        """
        if isinstance(text, cls):
            return text
        try:  # the label exactly as printed: the usual case, no folding needed
            return cls(text)
        except ValueError:
            pass
        table: dict[str, Vocabulary] | None = cls.__dict__.get("_lookup_table")
        if table is None:
            table = {}
            for member in cls:
                table[_fold(member.value)] = member
            for alias, label in cls.aliases.items():
                table.setdefault(_fold(alias), cls(label))
            for member in cls:  # 其他 / 其它, printed inconsistently by the notice
                for a, b in (("其他", "其它"), ("其它", "其他")):
                    if a in member.value:
                        table.setdefault(_fold(member.value.replace(a, b)), member)
            cls._lookup_table = table
        key = _fold(str(text))
        found = table.get(key)
        if found is not None:
            return cast(V, found)  # the table holds members of cls
        guess = difflib.get_close_matches(key, list(table), n=1, cutoff=0.5) if len(key) <= _LONGEST_GUESS else []
        hint = f"，是不是“{table[guess[0]].value}”？" if guess else ""
        raise VocabularyError(f"“{_shown(text)}”不是{cls.source()}允许的值{hint}", cls.allowed_text())


def _vocabulary(item: int | None, field_label: str, aliases: dict[str, str] | None = None) -> Callable[[type[V]], type[V]]:
    """Attach the 填表说明 item number, the field label and accepted aliases to a vocabulary."""

    def decorate(cls: type[V]) -> type[V]:
        cls.item_number = item
        cls.field_label = field_label
        cls.aliases = dict(aliases or {})
        return cls

    return decorate


# ---------------------------------------------------------------- 填表说明 items with a list


@_vocabulary(1, "困难类别")
class DifficultyCategory(Vocabulary):
    """困难类别, 填表说明第1项 (the three standards of 厦工[2011]96号)."""

    MINIMUM_LIVING_ALLOWANCE = "低保户"
    NEAR_MINIMUM_LIVING_ALLOWANCE = "低保边缘户"
    ACCIDENT_OR_ILLNESS = "意外致困户"


@_vocabulary(2, "政治面貌", {"党员": "中共党员", "团员": "共青团员"})
class PoliticalStatus(Vocabulary):
    """政治面貌, 填表说明第2项 (also for family members, item 18)."""

    CPC_MEMBER = "中共党员"
    CYL_MEMBER = "共青团员"
    MASSES = "群众"
    DEMOCRATIC_PARTY = "民主党派"
    OTHER = "其他"


@_vocabulary(4, "健康状况")
class HealthStatus(Vocabulary):
    """健康状况, 填表说明第4项 (also for family members, item 18). 残病 expects a 残疾类别."""

    GOOD = "良好"
    ILL = "疾病"
    DISABLED = "残病"
    OTHER = "其它"


@_vocabulary(
    5,
    "身份",
    {"下岗": "下（待）岗", "待岗": "下（待）岗", "失业": "失（无）业", "无业": "失（无）业"},
)
class WorkerStatus(Vocabulary):
    """The worker's 身份, 填表说明第5项."""

    EMPLOYED = "在岗"
    LAID_OFF = "下（待）岗"
    UNEMPLOYED = "失（无）业"
    RETIRED = "退休"
    RETIRED_CADRE = "离休"
    RETIRED_ILL = "病退"
    SICK_LEAVE = "病休"
    MIGRANT_WORKER = "农民工"


@_vocabulary(6, "劳模类型")
class ModelWorkerType(Vocabulary):
    """劳模类型, 填表说明第6项 (printed there as 劳模类别)."""

    NONE = "非劳模"
    NATIONAL = "全国劳模"
    PROVINCIAL = "省部级劳模"
    MUNICIPAL = "地市级劳模"
    OTHER = "其他"


@_vocabulary(7, "住房类型")
class HousingType(Vocabulary):
    """住房类型, 填表说明第7项."""

    RENTED_EMPLOYER_HOUSING = "承租单位公房"
    LOW_RENT_PUBLIC_HOUSING = "政府廉租房"
    OWNED = "自购房"
    NO_HOUSING = "无房"
    RENTED = "租房"
    SELF_BUILT = "自建房"
    OTHER = "其他"


@_vocabulary(8, "建筑面积")
class FloorArea(Vocabulary):
    """建筑面积 band in square metres, 填表说明第8项 (printed there as 住房面积)."""

    UNDER_20 = "20以下"
    FROM_20_TO_50 = "20至50"
    FROM_50_TO_70 = "50至70"
    OVER_70 = "70以上"


@_vocabulary(10, "所属行业", {"农林牧渔业": "农、林、牧、渔业", "农林牧渔": "农、林、牧、渔业"})
class Industry(Vocabulary):
    """所属行业, 填表说明第10项."""

    AGRICULTURE = "农、林、牧、渔业"
    FINANCE_INSURANCE = "金融保险业"
    SOCIAL_SERVICES = "社会服务业"
    EDUCATION = "教育"
    SCIENCE_TECHNOLOGY = "科技"
    CULTURE = "文化"
    SPORTS = "体育"
    RELIGION = "宗教"
    HEALTH_CARE = "医疗卫生"
    ARMED_FORCES = "军队"
    STATE_ORGANS = "国家机关"
    TEXTILES = "纺织系统"
    METALLURGY = "冶金系统"
    COAL = "煤炭系统"
    MACHINERY_ELECTRICAL = "机电系统"
    ELECTRONICS_INSTRUMENTS = "电子仪表"
    CHEMICALS = "化工系统"
    NATIONAL_DEFENCE = "国防系统"
    URBAN_CONSTRUCTION = "城建系统"
    PRECISION_ENGINEERING = "精工系统"
    FINANCE_TRADE = "财贸系统"
    PHARMACEUTICALS = "医药系统"
    TRANSPORT = "交通系统"
    OTHER = "其他"


@_vocabulary(11, "婚姻状况")
class MaritalStatus(Vocabulary):
    """婚姻状况, 填表说明第11项."""

    UNMARRIED = "未婚"
    MARRIED = "已婚"
    DIVORCED = "离异"
    WIDOWED = "丧偶"


@_vocabulary(12, "户口类型")
class HouseholdType(Vocabulary):
    """户口类型 (household registration), 填表说明第12项."""

    NON_AGRICULTURAL = "非农业"
    AGRICULTURAL = "农业"
    AGRICULTURAL_TO_URBAN = "农转居"


@_vocabulary(13, "单位性质")
class EmployerNature(Vocabulary):
    """单位性质, 填表说明第13项."""

    STATE_ORGAN_OR_INSTITUTION = "国有机关/事业单位"
    STATE_OWNED_ENTERPRISE = "国有企业"
    COLLECTIVE_ENTERPRISE = "集体企业"
    PRIVATE_ENTERPRISE = "民营/私营/个体企业"
    HK_MACAO_TAIWAN_JOINT_VENTURE = "与港澳台合资/合作"
    SINO_FOREIGN_JOINT_VENTURE = "中外合资/合作"
    OTHER = "其他"


@_vocabulary(14, "企业状况")
class EnterpriseCondition(Vocabulary):
    """企业状况, 填表说明第14项."""

    LOSS_MAKING = "亏损企业"
    RESTRUCTURED = "改制企业"
    CLOSED_OR_BANKRUPT = "关闭破产企业"
    NORMAL = "正常"
    OTHER = "其他"


@_vocabulary(18, "关系")
class Relationship(Vocabulary):
    """A family member's 关系 to the worker, 填表说明第18项."""

    FATHER = "父亲"
    MOTHER = "母亲"
    HUSBAND = "丈夫"
    WIFE = "妻子"
    SON = "儿子"
    DAUGHTER = "女儿"
    OTHER = "其他"

    @property
    def implied_sex(self) -> str | None:
        """The 性别 the relationship implies (男/女), or None for 其他."""
        return _RELATIONSHIP_SEX.get(self.value)


_RELATIONSHIP_SEX = {"父亲": "男", "丈夫": "男", "儿子": "男", "母亲": "女", "妻子": "女", "女儿": "女"}


@_vocabulary(
    18,
    "身份",
    {"下岗": "下（待）岗", "待岗": "下（待）岗", "失业": "失（无）业", "无业": "失（无）业"},
)
class FamilyMemberStatus(Vocabulary):
    """A family member's 身份, 填表说明第18项."""

    MODEL_WORKER = "劳模"
    EMPLOYED = "在岗"
    LAID_OFF = "下（待）岗"
    UNEMPLOYED = "失（无）业"
    RETIRED = "退休"
    RETIRED_CADRE = "离休"
    RETIRED_ILL = "病退"
    SICK_LEAVE = "病休"
    EARLY_RETIRED = "内退"
    MIGRANT_WORKER = "农民工"
    POSTGRADUATE = "研究生"
    UNDERGRADUATE = "大学生"
    VOCATIONAL_SCHOOL = "中职中技"
    SENIOR_HIGH = "高中"
    JUNIOR_HIGH = "初中"
    PRIMARY_SCHOOL = "小学"
    INFANT = "幼儿"
    SOLDIER = "军人"
    FARMER = "农民"


@_vocabulary(21, "致困主要原因")
class HardshipCause(Vocabulary):
    """致困主要原因, 填表说明第21项: at least 1 and at most 3 per worker."""

    OWN_SERIOUS_ILLNESS = "本人大病"
    DEPENDANT_SERIOUS_ILLNESS = "供养直系亲属大病"
    ACCIDENT_OR_DISASTER = "意外灾害"
    CHILDREN_IN_SCHOOL = "子女上学"
    DISABILITY = "残疾"
    INCOME_TOO_LOW = "收入低无法维持基本生活"
    LAID_OFF_OR_UNEMPLOYED = "下岗失业"
    OTHER = "其他"


#: 是/否 (items 15, 17, 19, 20): the accepted spellings and the bool each means.
YES_NO: dict[str, bool] = {"是": True, "否": False, "true": True, "false": False}


def parse_yes_no(text: object) -> bool:
    """Return the bool a 是/否 field means.

    Accepts 是 and 否 (填表说明第15、17、19、20项) and YAML's true/false in any case.

    Raises:
        VocabularyError: anything else.
    """
    if isinstance(text, bool):
        return text
    key = _fold(str(text)).lower()
    if key in YES_NO:
        return YES_NO[key]
    raise VocabularyError(f"“{_shown(text)}”不是“是”或“否”", "请填写“是”或“否”")


# ---------------------------------------------------------------- other vocabularies


@_vocabulary(None, "性别", {"男性": "男", "女性": "女"})
class Sex(Vocabulary):
    """性别 (GB/T 2261.1: 1 男, 2 女); must agree with the 身份证号 (GB 11643-1999)."""

    MALE = "男"
    FEMALE = "女"


@_vocabulary(None, "民族")
class Ethnicity(Vocabulary):
    """民族: the 56 ethnic groups, in the order and with the names of GB 3304-91 (codes 01–56).

    The name without 族 is accepted (``汉`` → ``汉族``), see ``aliases``.
    """

    HAN = "汉族"
    MONGOL = "蒙古族"
    HUI = "回族"
    ZANG = "藏族"
    UYGUR = "维吾尔族"
    MIAO = "苗族"
    YI = "彝族"
    ZHUANG = "壮族"
    BUYEI = "布依族"
    CHOSEN = "朝鲜族"
    MAN = "满族"
    DONG = "侗族"
    YAO = "瑶族"
    BAI = "白族"
    TUJIA = "土家族"
    HANI = "哈尼族"
    KAZAK = "哈萨克族"
    DAI = "傣族"
    LI = "黎族"
    LISU = "傈僳族"
    VA = "佤族"
    SHE = "畲族"
    GAOSHAN = "高山族"
    LAHU = "拉祜族"
    SUI = "水族"
    DONGXIANG = "东乡族"
    NAXI = "纳西族"
    JINGPO = "景颇族"
    KIRGIZ = "柯尔克孜族"
    TU = "土族"
    DAUR = "达斡尔族"
    MULAO = "仫佬族"
    QIANG = "羌族"
    BLANG = "布朗族"
    SALAR = "撒拉族"
    MAONAN = "毛南族"
    GELAO = "仡佬族"
    XIBE = "锡伯族"
    ACHANG = "阿昌族"
    PUMI = "普米族"
    TAJIK = "塔吉克族"
    NU = "怒族"
    UZBEK = "乌孜别克族"
    RUSS = "俄罗斯族"
    EWENKI = "鄂温克族"
    DEANG = "德昂族"
    BONAN = "保安族"
    YUGUR = "裕固族"
    GIN = "京族"
    TATAR = "塔塔尔族"
    DERUNG = "独龙族"
    OROQEN = "鄂伦春族"
    HEZHEN = "赫哲族"
    MONBA = "门巴族"
    LHOBA = "珞巴族"
    JINO = "基诺族"

    @property
    def code(self) -> str:
        """The two-digit GB 3304-91 code (``01`` for 汉族)."""
        return f"{list(type(self)).index(self) + 1:02d}"

    @classmethod
    def allowed_text(cls) -> str:
        """The 56 names are too many for one message line: say what is expected."""
        return "56个民族之一，写全称或不带“族”字，如“汉族”“回族”“畲族”（“汉”记为“汉族”）"


Ethnicity.aliases = {member.value[:-1]: member.value for member in Ethnicity}


@_vocabulary(None, "档案状态", {"在册": "在档", "已脱贫": "脱贫"})
class ArchiveStatus(Vocabulary):
    """档案状态: a 脱贫 archive is kept but gets no payment (通知三.2, 四.1)."""

    ACTIVE = "在档"
    LIFTED_OUT_OF_POVERTY = "脱贫"


@_vocabulary(None, "单位类型", {"区总工会": "区工会", "产业工会工委": "产业工会"})
class UnitType(Vocabulary):
    """单位类型: decides the unit's submission packet (通知四.3)."""

    DISTRICT_UNION = "区工会"
    INDUSTRIAL_UNION = "产业工会"


@_vocabulary(None, "企业类型")
class EnterpriseType(Vocabulary):
    """The 企业类型 rows of 附件4 (weekly wage-arrears report)."""

    STATE_OWNED = "国有企业"
    COLLECTIVE = "集体企业"
    OTHER = "其他类型企业"


@_vocabulary(None, "用工来源")
class LabourSource(Vocabulary):
    """The 用工来源 rows of 附件4; 其中建筑业农民工 is a part of 农民工."""

    URBAN_WORKERS = "城镇职工"
    MIGRANT_WORKERS = "农民工"
    MIGRANT_WORKERS_IN_CONSTRUCTION = "其中建筑业农民工"


@_vocabulary(
    None,
    "周报日",
    {f"{p}{d}": f"星期{d}" for p in ("周", "礼拜") for d in "一二三四五六日"} | {"星期天": "星期日", "周天": "星期日", "礼拜天": "星期日"},
)
class Weekday(Vocabulary):
    """A weekday, Monday first (``weekday_number`` 0–6 as ``date.weekday()``)."""

    MONDAY = "星期一"
    TUESDAY = "星期二"
    WEDNESDAY = "星期三"
    THURSDAY = "星期四"
    FRIDAY = "星期五"
    SATURDAY = "星期六"
    SUNDAY = "星期日"

    @property
    def weekday_number(self) -> int:
        """0 for 星期一 … 6 for 星期日, as :meth:`datetime.date.weekday`."""
        return list(type(self)).index(self)


# ---------------------------------------------------------------- the 21 items


@dataclass(frozen=True)
class Item:
    """One item of the 填表说明 of 附件3.

    Attributes:
        number: 1–21, as printed before the field on the form.
        printed_label: the item's label as the 填表说明 prints it (住房面积 for item 8).
        fields: the form fields it governs (建筑面积 for item 8; 关系 and 身份 for item 18).
        vocabularies: the vocabularies it defines (empty for items 3, 9, 16 and the 是/否 items).
        rule: the instruction, abridged.
    """

    number: int
    printed_label: str
    fields: tuple[str, ...]
    vocabularies: tuple[type[Vocabulary], ...] = ()
    rule: str = ""


_YES_NO_RULE = "请填写“是”或“否”"

#: The 填表说明 of 附件3, by item number.
ITEMS: dict[int, Item] = {
    item.number: item
    for item in (
        Item(1, "困难类别", ("困难类别",), (DifficultyCategory,)),
        Item(2, "政治面貌", ("政治面貌",), (PoliticalStatus,)),
        Item(3, "身份证号", ("身份证号",), (), "必须是15位或18位"),
        Item(4, "健康状况", ("健康状况",), (HealthStatus,)),
        Item(5, "身份", ("身份",), (WorkerStatus,)),
        Item(6, "劳模类别", ("劳模类型",), (ModelWorkerType,)),
        Item(7, "住房类型", ("住房类型",), (HousingType,)),
        Item(8, "住房面积", ("建筑面积",), (FloorArea,)),
        Item(9, "工作时间", ("工作时间",), (), "请填写开始参加工作的时间年、月、日"),
        Item(10, "所属行业", ("所属行业",), (Industry,)),
        Item(11, "婚姻状况", ("婚姻状况",), (MaritalStatus,)),
        Item(12, "户口类型", ("户口类型",), (HouseholdType,)),
        Item(13, "单位性质", ("单位性质",), (EmployerNature,)),
        Item(14, "企业状况", ("企业状况",), (EnterpriseCondition,)),
        Item(15, "是否单亲", ("是否单亲",), (), _YES_NO_RULE),
        Item(16, "户口所在地行政区划", ("户口所在地行政区划",), (), "请必须填写清楚“省、市、县（区）”"),
        Item(17, "是否进入医保", ("是否进入医保",), (), _YES_NO_RULE),
        Item(18, "家庭成员关系", ("关系", "身份"), (Relationship, FamilyMemberStatus)),
        Item(19, "是否有一定自救能力", ("是否有一定自救能力",), (), _YES_NO_RULE),
        Item(20, "是否为零就业家庭", ("是否为零就业家庭",), (), _YES_NO_RULE),
        Item(21, "致困主要原因", ("致困主要原因",), (HardshipCause,), "最少要填写1项，最多填3项"),
    )
}
