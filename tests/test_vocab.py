"""formkit.domain.vocab: the vocabularies are the 填表说明's lists, word for word.

tests/data/填表说明.txt is the 填表说明 of 附件3, copied from the notice 厦工[2011]104号; the
allowed values are read from it (every “…” of an item) and compared with the enums.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from formkit.domain import vocab
from formkit.domain.vocab import (
    ITEMS,
    ArchiveStatus,
    DifficultyCategory,
    Ethnicity,
    FamilyMemberStatus,
    HealthStatus,
    Industry,
    Relationship,
    UnitType,
    Vocabulary,
    VocabularyError,
    Weekday,
    WorkerStatus,
    parse_yes_no,
)

NOTICE = (Path(__file__).parent / "data" / "填表说明.txt").read_text(encoding="utf-8")


def _item_text(number: int) -> str:
    match = re.search(rf"^{number}[．、.](.*?)$", NOTICE, re.M)
    assert match, number
    return match.group(1)


def _quoted(text: str) -> list[str]:
    return re.findall(r"“([^”]+)”", text)


ITEMS_WITH_LISTS = [n for n, item in ITEMS.items() if item.vocabularies and n != 18]


def test_there_are_21_items_numbered_as_printed() -> None:
    assert sorted(ITEMS) == list(range(1, 22))
    for number, item in ITEMS.items():
        assert _item_text(number).lstrip().startswith(item.printed_label), number


@pytest.mark.parametrize("number", ITEMS_WITH_LISTS)
def test_vocabulary_is_the_list_the_notice_prints(number: int) -> None:
    [vocabulary] = ITEMS[number].vocabularies
    assert list(vocabulary.labels()) == _quoted(_item_text(number))
    assert vocabulary.item_number == number


def test_item_18_has_two_lists_relationship_and_status() -> None:
    text = _item_text(18)
    relation_part, status_part = text.split("身份请填写")
    assert list(Relationship.labels()) == _quoted(relation_part)
    assert list(FamilyMemberStatus.labels()) == _quoted(status_part)
    assert ITEMS[18].fields == ("关系", "身份")


def test_printed_labels_differ_from_field_labels_where_the_notice_does() -> None:
    assert (ITEMS[6].printed_label, ITEMS[6].fields) == ("劳模类别", ("劳模类型",))
    assert (ITEMS[8].printed_label, ITEMS[8].fields) == ("住房面积", ("建筑面积",))


def test_yes_no_items() -> None:
    for number in (15, 17, 19, 20):
        assert _quoted(_item_text(number)) == ["是", "否"]
        assert ITEMS[number].vocabularies == ()
    for text, value in (("是", True), ("否", False), ("true", True), ("FALSE", False), (" 是 ", True)):
        assert parse_yes_no(text) is value
    for text in ("yes", "不是", "", "1"):
        with pytest.raises(VocabularyError):
            parse_yes_no(text)


def test_56_ethnic_groups_in_gb3304_order() -> None:
    labels = Ethnicity.labels()
    assert len(labels) == 56 == len(set(labels))
    assert all(label.endswith("族") for label in labels)
    assert (Ethnicity.HAN.code, Ethnicity.SHE.code, Ethnicity.JINO.code) == ("01", "22", "56")
    assert Ethnicity.lookup("汉") is Ethnicity.HAN
    assert Ethnicity.lookup("维吾尔") is Ethnicity.UYGUR
    assert Ethnicity.lookup(" 畲族 ") is Ethnicity.SHE
    with pytest.raises(VocabularyError) as info:
        Ethnicity.lookup("汉人")
    assert "汉族" in info.value.message


def test_lookup_folds_width_and_accepts_documented_aliases() -> None:
    assert WorkerStatus.lookup("下(待)岗") is WorkerStatus.LAID_OFF
    assert WorkerStatus.lookup("下岗") is WorkerStatus.LAID_OFF
    assert HealthStatus.lookup("其他") is HealthStatus.OTHER  # the notice prints 其它 here
    assert Industry.lookup("其它") is Industry.OTHER
    assert Industry.lookup("农林牧渔业") is Industry.AGRICULTURE
    assert UnitType.lookup("产业工会工委") is UnitType.INDUSTRIAL_UNION
    assert Weekday.lookup("周五") is Weekday.FRIDAY
    assert Weekday.FRIDAY.weekday_number == 4
    assert ArchiveStatus.lookup("在档") is ArchiveStatus.ACTIVE


def test_error_names_the_item_and_lists_the_allowed_values() -> None:
    with pytest.raises(VocabularyError) as info:
        DifficultyCategory.lookup("低保")
    assert "第1项" in info.value.message
    assert "低保户" in info.value.message  # the suggestion
    assert info.value.allowed == "请填写“低保户”、“低保边缘户”或“意外致困户”"


def test_members_print_as_their_label() -> None:
    member = WorkerStatus.LAID_OFF
    assert str(member) == "下（待）岗"
    assert f"{member}" == "下（待）岗"
    assert f"{member}" == "下（待）岗"
    assert member == "下（待）岗"


def test_relationship_implies_sex() -> None:
    assert Relationship.WIFE.implied_sex == "女"
    assert Relationship.SON.implied_sex == "男"
    assert Relationship.OTHER.implied_sex is None


def test_every_vocabulary_is_exported() -> None:
    found = {obj for obj in vars(vocab).values() if isinstance(obj, type) and issubclass(obj, Vocabulary) and obj is not Vocabulary}
    assert {v.__name__ for v in found} <= set(vocab.__all__)


def test_a_long_typed_value_is_quoted_short() -> None:
    typed = "低保" * 5_000
    with pytest.raises(VocabularyError) as info:
        DifficultyCategory.lookup(typed)
    assert len(info.value.message) < 200 and "共10000字" in info.value.message
    with pytest.raises(VocabularyError) as info:
        parse_yes_no("是" * 1_000)
    assert len(info.value.message) < 100
