"""The registry of the documents: each annex's template, output names, title, and who sends it.

The notice 厦工[2011]104号 has four annexes; §四.3 says who sends what by 上报截止: "各产业工会
务必……将《慰问金发放凭证》和《中央财政帮扶专项资金实名制发放凭证汇总表》及两节送温暖活动小结报市
总工会法律与保障部。各区工会只报送《中央财政帮扶专项资金实名制发放凭证汇总表》和两节送温暖活动小结"; the
附件4 weekly report goes in every Friday on its own, and the 附件3 registration forms stay with the
unit's archive. Every module that names a document's template, folder or file, prints its
title, plans it, or decides whether a unit sends it reads it here. Adding a kind of document is
one entry in :data:`RENDERED`, its template file, and the builder of what it prints
(:data:`formkit.forms.context.CONTEXTS`).

    >>> VOUCHER.template, VOUCHER.folder, VOUCHER.print_file
    ('附件1_慰问金发放凭证.docx', '附件1_慰问金发放凭证', '打印件/附件1_慰问金发放凭证.docx')
    >>> [d.kind for d in sent_by("区工会")]
    ['roster', 'summary']
"""

from __future__ import annotations

from dataclasses import dataclass

from formkit.domain.vocab import UnitType

__all__ = [
    "ANNEXES",
    "EACH_PAID",
    "EACH_PROJECT",
    "EACH_UNIT",
    "EACH_WEEK",
    "EACH_WORKER",
    "PRINT_DIR",
    "REGISTRATION",
    "RENDERED",
    "ROSTER",
    "SUMMARY",
    "VOUCHER",
    "WEEKLY",
    "Document",
    "by_kind",
    "documents",
    "packet_rule",
    "sent_by",
]

#: Folder of a unit's print files: per annex, every document page after page.
PRINT_DIR = "打印件"

#: What one document is made for (:attr:`Document.each`).
EACH_WORKER, EACH_PAID, EACH_PROJECT, EACH_WEEK, EACH_UNIT = "worker", "paid worker", "帮扶项目", "week", "unit"

_BOTH = frozenset({UnitType.INDUSTRIAL_UNION.value, UnitType.DISTRICT_UNION.value})


@dataclass(frozen=True)
class Document:
    """One kind of document formkit writes for a unit.

    Attributes:
        kind: formkit's short name (``voucher``, ``roster``, ``registration``, ``weekly``,
            ``summary``): the key of templates, manifests and counts.
        number: the annex number in the notice (1–4); None for the 活动小结.
        title: the document's name as the notice prints it (``慰问金发放凭证``).
        short: the name in counts and messages (``慰问金发放凭证``, ``周报表``).
        template: the template's file name in a templates folder.
        stem: the output name without extension: the folder of one document per record
            (附件1, 附件3, 附件4), or the file name before ``_<帮扶项目>.docx`` (附件2).
        each: what one document is made for, which decides how a render plans it:
            :data:`EACH_WORKER` (every worker), :data:`EACH_PAID` (every paid worker: 在档
            with a 慰问, 通知三.2), :data:`EACH_PROJECT` (the paid workers of one 帮扶项目: the
            roster), :data:`EACH_WEEK` (every weekly report), :data:`EACH_UNIT` (the 小结).
        printed: whether a print file (``打印件/<stem>.docx``) collects its documents.
        sent_by: the 单位类型 that send it by 上报截止 (通知四.3).
    """

    kind: str
    number: int | None
    title: str
    short: str
    template: str
    stem: str
    each: str
    printed: bool
    sent_by: frozenset[str]

    @property
    def label(self) -> str:
        """``附件1 慰问金发放凭证`` (the 活动小结: its title)."""
        return f"附件{self.number} {self.title}" if self.number else self.title

    @property
    def folder(self) -> str:
        """The unit's output folder of its documents, one per record (附件1, 3, 4)."""
        return self.stem

    @property
    def print_file(self) -> str:
        """The print file's path in the unit's output folder (posix), for a printed kind."""
        return f"{PRINT_DIR}/{self.stem}.docx"


VOUCHER = Document(
    "voucher",
    1,
    "慰问金发放凭证",
    "慰问金发放凭证",
    "附件1_慰问金发放凭证.docx",
    "附件1_慰问金发放凭证",
    "paid worker",
    True,
    frozenset({UnitType.INDUSTRIAL_UNION.value}),
)
ROSTER = Document(
    "roster",
    2,
    "中央财政帮扶专项资金实名制发放凭证汇总表",
    "实名制发放凭证汇总表",
    "附件2_实名制发放凭证汇总表.docx",
    "附件2_实名制发放凭证汇总表",
    "帮扶项目",
    False,
    _BOTH,
)
REGISTRATION = Document(
    "registration",
    3,
    "困难职工档案登记表",
    "困难职工档案登记表",
    "附件3_困难职工档案登记表.docx",
    "附件3_困难职工档案登记表",
    "worker",
    True,
    frozenset(),
)
WEEKLY = Document(
    "weekly",
    4,
    "企业工资拖欠情况周报表",
    "周报表",
    "附件4_企业工资拖欠情况周报表.docx",
    "附件4_企业工资拖欠情况周报表",
    "week",
    True,
    frozenset(),
)
SUMMARY = Document("summary", None, "两节送温暖活动小结", "活动小结", "活动小结.docx", "活动小结", EACH_UNIT, False, _BOTH)

#: The four annexes of the notice, in its order (the notice packet carries them blank).
ANNEXES: tuple[Document, ...] = (VOUCHER, ROSTER, REGISTRATION, WEEKLY)
#: The documents ``formkit render`` writes for every unit, from a template of their own each,
#: planned by their :attr:`Document.each`. A new kind of document joins here.
RENDERED: tuple[Document, ...] = ANNEXES


def documents() -> tuple[Document, ...]:
    """Every document kind formkit writes for a unit: :data:`RENDERED` and the 小结."""
    return (*RENDERED, SUMMARY)


def by_kind(kind: str) -> Document:
    """The document of ``kind``.

    Raises:
        KeyError: no such kind.
    """
    for document in documents():
        if document.kind == kind:
            return document
    raise KeyError(kind)


def sent_by(unit_type: str) -> list[Document]:
    """What a unit of ``unit_type`` (产业工会 / 区工会) sends by 上报截止, in the notice's order
    (通知四.3)."""
    return [d for d in documents() if unit_type in d.sent_by]


def packet_rule(unit_type: str) -> str:
    """The sentence of 通知四.3 that decides what a unit of ``unit_type`` sends ("" for
    another type)."""
    sent = sent_by(unit_type)
    if not sent:
        return ""
    names = [f"《{d.title}》" if d.number else d.title for d in sent]
    listed = "和".join(names[:-1]) + "及" + names[-1] if len(names) > 2 else "和".join(names)
    if unit_type == UnitType.DISTRICT_UNION.value:
        return f"各区工会只报送{listed}（通知四.3）"
    return f"各{unit_type}务必在上报截止前将{listed}报市总工会法律与保障部（通知四.3）"
