"""The tables the fictional records are drawn from: names, districts and streets, and the
填表说明 vocabularies (taken from :mod:`formkit.domain.vocab`, their one home). All invented
or public (GB/T 2260 district codes).
"""

from __future__ import annotations

from formkit.domain.vocab import (
    DifficultyCategory,
    EmployerNature,
    EnterpriseCondition,
    FloorArea,
    HardshipCause,
    HealthStatus,
    HouseholdType,
    HousingType,
    Industry,
    ModelWorkerType,
    PoliticalStatus,
)

# (province+city+county as 户口所在地行政区划, region code): home counties of 农民工.
_HOME_COUNTIES = [
    ("福建省龙岩市长汀县", "350821"),
    ("福建省泉州市南安市", "350583"),
    ("福建省漳州市南靖县", "350627"),
    ("福建省莆田市仙游县", "350322"),
    ("江西省赣州市于都县", "360731"),
    ("湖南省湘西土家族苗族自治州永顺县", "433127"),
    ("四川省广安市岳池县", "511621"),
    ("河南省信阳市光山县", "411522"),
    ("贵州省安顺市普定县", "520422"),
]

# district, region code, [(街道, 邮政编码, road)]
#: A district: its name, its GB/T 2260 code, and (street, postcode, road) triples.
District = tuple[str, str, list[tuple[str, str, str]]]

_DISTRICTS: list[District] = [
    (
        "思明区",
        "350203",
        [
            ("中华街道", "361001", "大同路"),
            ("鹭江街道", "361001", "镇海路"),
            ("厦港街道", "361002", "大学路"),
            ("开元街道", "361004", "溪岸路"),
            ("梧村街道", "361004", "金榜路"),
            ("筼筜街道", "361003", "湖滨南路"),
            ("嘉莲街道", "361012", "嘉禾路"),
            ("莲前街道", "361008", "莲前西路"),
            ("滨海街道", "361008", "环岛南路"),
        ],
    ),
    (
        "湖里区",
        "350206",
        [
            ("湖里街道", "361006", "湖里大道"),
            ("殿前街道", "361006", "高殿路"),
            ("禾山街道", "361009", "禾山路"),
            ("江头街道", "361009", "江村路"),
            ("金山街道", "361016", "金山路"),
        ],
    ),
    (
        "集美区",
        "350211",
        [
            ("集美街道", "361021", "石鼓路"),
            ("侨英街道", "361021", "叶厝里"),
            ("杏林街道", "361022", "杏林北路"),
            ("杏滨街道", "361022", "杏滨路"),
            ("灌口镇", "361023", "灌口中路"),
            ("后溪镇", "361024", "后溪路"),
        ],
    ),
    ("海沧区", "350205", [("海沧街道", "361026", "海沧大道"), ("新阳街道", "361026", "新阳路"), ("东孚镇", "361027", "东孚大道")]),
    (
        "同安区",
        "350212",
        [
            ("大同街道", "361100", "环城南路"),
            ("祥平街道", "361100", "祥平路"),
            ("西柯镇", "361100", "西柯街"),
            ("五显镇", "361100", "五显路"),
        ],
    ),
    ("翔安区", "350213", [("新店镇", "361101", "新店路"), ("马巷镇", "361101", "马巷路"), ("内厝镇", "361101", "内厝路")]),
]

# Plausible but fictional names of industry union committees (产业工会工委).
_INDUSTRY_UNIONS = [
    "市建设工会工委",
    "市机关工会工委",
    "市教育工会",
    "市卫生工会工委",
    "市金融工会工委",
    "市交通运输工会工委",
    "市商贸工会工委",
    "市电子工业工会工委",
    "市旅游会展工会工委",
]

_SURNAMES = "陈林黄张吴王郑李刘蔡杨许洪苏曾庄谢叶周柯邱何高郭傅施江卢沈方徐朱胡游钟潘罗颜戴魏卓庄彭"
_GIVEN = (
    "建国 志强 秀英 美华 丽娟 天明 文华 国栋 淑贞 永福 春花 金水 红梅 庆祥 水生 明辉 伟 芳 敏 "
    "静 丽华 强 磊 建军 海洋 志勇 艳 俊杰 娟 海涛 超 霞 建平 刚 桂兰 玉珍 荣华 海燕 晓燕 小燕 "
    "雅琳 文博 浩然 宇轩 子豪 雨欣 婷婷 志鹏 振东 丽萍 阿珠 火炎 秀琴 金花 清华 永强 宝珠 "
    "鸿 燕玲 丽云 国平 德明 金发 志伟 晓雯 明亮 少华 惠珍 素琴 瑞芳 文彬 一鸣 思远 佳怡"
).split()

_ETHNIC_MINOR = ["回族", "畲族", "高山族", "土家族", "满族", "壮族", "苗族", "蒙古族"]

# The 填表说明's vocabularies, in its order; the workers' 身份 and the 民族 are selections.
_CATEGORIES = list(DifficultyCategory.labels())
_POLITICS = list(PoliticalStatus.labels())
_HEALTH = list(HealthStatus.labels())
# 离休 (retired before 1949 service) is allowed by item 5 but implausible for these ages.
_WORKER_STATUS = ["在岗", "下（待）岗", "失（无）业", "退休", "病退", "病休"]
_MODEL_WORKER = list(ModelWorkerType.labels())
_HOUSING = list(HousingType.labels())
_AREA = list(FloorArea.labels())
_INDUSTRY = list(Industry.labels())
_HUKOU = list(HouseholdType.labels())
_EMPLOYER_KIND = list(EmployerNature.labels())
_EMPLOYER_STATE = list(EnterpriseCondition.labels())
_CAUSES = list(HardshipCause.labels())
_DISABILITY = ["肢体残疾三级", "肢体残疾四级", "视力残疾二级", "听力残疾三级", "精神残疾三级"]
_AMOUNTS = ["500", "800", "1000", "1000.00", "600", "1200", "1409.50", "325.04", "1500", "2000"]
_COMPANY_WORDS = ["鹭江", "海湾", "金鹭", "嘉禾", "鼓浪", "筼筜", "同益", "翔鹭", "闽南", "华侨"]
_COMPANY_KINDS = [
    "纺织有限公司",
    "电子有限公司",
    "建筑劳务有限公司",
    "物业管理有限公司",
    "食品厂",
    "机械厂",
    "贸易有限公司",
    "运输有限公司",
    "餐饮管理有限公司",
]
_SCHOOLS = {
    "幼儿": "幼儿园",
    "小学": "小学",
    "初中": "中学",
    "高中": "中学",
    "中职中技": "职业技术学校",
    "大学生": "大学",
    "研究生": "大学",
}
