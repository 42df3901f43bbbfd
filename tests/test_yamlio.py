"""formkit.records.yamlio: every scalar as text, lines of keys, encodings, and faults in Chinese."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from formkit.records import yamlio
from formkit.records.yamlio import YamlFileError, load_yaml, load_yaml_text

TEXT = """\
# a comment
出生日期: 1990.10
档案编号: 010010
是否单亲: yes
工作时间: 2011-12-02
金额: 1e3
十六进制: 0x1F
身份证号: 350203197508151232
备注:
空: ''
波浪: ~
引号: "0012"
家庭成员:
  - 姓名: 甲
    月收入: 1409.50
  - 姓名: 乙
列表: [a, b]
说明: |
  第一行
  第二行
"""


def test_every_scalar_stays_text() -> None:
    doc = load_yaml_text(TEXT)
    data = doc.data
    assert data["出生日期"] == "1990.10"
    assert data["档案编号"] == "010010"
    assert data["是否单亲"] == "yes"
    assert data["工作时间"] == "2011-12-02"
    assert data["金额"] == "1e3"
    assert data["十六进制"] == "0x1F"
    assert data["身份证号"] == "350203197508151232"
    assert data["引号"] == "0012"
    assert data["家庭成员"] == [{"姓名": "甲", "月收入": "1409.50"}, {"姓名": "乙"}]
    assert data["列表"] == ["a", "b"]
    assert data["说明"] == "第一行\n第二行\n"


def test_blank_values_are_none_but_quoted_empty_is_text() -> None:
    data = load_yaml_text(TEXT).data
    assert data["备注"] is None
    assert data["波浪"] is None
    assert data["空"] == ""


def test_lines_of_keys_and_items() -> None:
    doc = load_yaml_text(TEXT)
    assert doc.lines[("出生日期",)] == 2
    assert doc.lines[("家庭成员",)] == 13
    assert doc.lines[("家庭成员", 0)] == 14
    assert doc.lines[("家庭成员", 0, "月收入")] == 15
    assert doc.lines[("家庭成员", 1, "姓名")] == 16
    assert doc.lines[()] == 2
    # a key that is not there: the line of the nearest enclosing key or item
    assert doc.line_of(("家庭成员", 1, "身份证号")) == 16
    assert doc.line_of(("没有",)) == 2
    assert ("引号",) in doc.quoted and ("档案编号",) not in doc.quoted


def _write(tmp_path: Path, raw: bytes) -> Path:
    path = tmp_path / "r.yaml"
    path.write_bytes(raw)
    return path


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8-sig"),
        (lambda t: t.encode("gbk"), "gbk"),
        (lambda t: t.encode("utf-16"), "utf-16"),
    ],
    ids=["utf-8", "utf-8 with BOM", "GBK", "UTF-16 (Notepad's Unicode)"],
)
def test_encodings(tmp_path: Path, encode, encoding: str) -> None:
    path = _write(tmp_path, encode("姓名: 陈志明\n民族: 畲族\n"))
    doc = load_yaml(path)
    assert doc.data == {"姓名": "陈志明", "民族": "畲族"}
    assert doc.encoding == encoding
    assert doc.lines[("姓名",)] == 1


def test_undecodable_bytes_are_refused_with_how_to_resave(tmp_path: Path) -> None:
    path = _write(tmp_path, "姓名: ".encode() + b"\x80\xff\x80\n")
    with pytest.raises(YamlFileError) as info:
        load_yaml(path)
    assert "UTF-8" in info.value.message and "另存为" in info.value.message
    assert info.value.path == path


def test_too_large_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlio, "MAX_BYTES", 100)
    path = _write(tmp_path, ("备注: " + "很长" * 100 + "\n").encode("utf-8"))
    with pytest.raises(YamlFileError, match="文件太大"):
        load_yaml(path)


def _fault(text: str) -> YamlFileError:
    with pytest.raises(YamlFileError) as info:
        load_yaml_text(text, require_mapping=True)
    return info.value


def test_tab_indentation_names_its_line() -> None:
    error = _fault("家庭成员:\n  - 姓名: 甲\n\t关系: 妻子\n")
    assert error.line == 3
    assert "Tab" in error.message
    assert error.line_text == "\t关系: 妻子"


def test_syntax_error_gives_line_and_its_text() -> None:
    error = _fault("姓名: 甲\n工作单位: [某厂\n民族: 汉族\n")
    assert error.line == 3
    assert "第3行" in error.message
    assert error.line_text == "民族: 汉族"


def test_fullwidth_colon_and_missing_space() -> None:
    error = _fault("姓名: 甲\n民族：汉族\n性别: 男\n")
    assert (error.line, "全角冒号" in error.message) == (2, True)
    error = _fault("姓名:甲\n性别: 男\n")
    assert (error.line, "空格" in error.message) == (1, True)
    error = _fault("姓名：甲\n性别：男\n")  # the whole file is one piece of text
    assert "全角冒号" in error.message


def test_unclosed_quote_points_where_it_opens() -> None:
    error = _fault("姓名: 甲\n工作单位: '某厂\n民族: 汉族\n")
    assert error.line == 2 and "引号" in error.message


def test_duplicate_keys_are_an_error() -> None:
    error = _fault("姓名: 甲\n性别: 男\n姓名: 乙\n")
    assert error.line == 3
    assert "第1行和第3行" in error.message


def test_aliases_are_bounded() -> None:
    assert load_yaml_text("a: &x 1\nb: *x\n").data == {"a": "1", "b": "1"}
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join('*' + chr(97 + i) for _ in range(9))}]\n" for i in range(8)
    )
    error = _fault(laughs)
    assert "引用" in error.message


def test_recursive_alias_is_refused() -> None:
    assert "引用" in _fault("a: &a [*a]\n").message


def test_one_document_per_file() -> None:
    error = _fault("姓名: 甲\n---\n姓名: 乙\n")
    assert error.line == 2 and "一条记录" in error.message


def test_content_must_be_a_mapping() -> None:
    assert "空" in _fault("# nothing\n").message
    assert _fault("- a\n- b\n").line == 1
    assert "控制字符" in _fault("姓名: 甲\x07\n").message
    assert load_yaml_text("- a\n").data == ["a"]  # allowed when no mapping is required


def test_keys_must_be_text() -> None:
    assert "键" in _fault("? [a, b]\n: 1\n").message


def test_no_id_number_in_the_error_itself() -> None:
    error = _fault("身份证号: 350203197508151232\n\t姓名: 甲\n")
    assert "350203197508151232" not in error.message


class _PureTextLoader(yaml.SafeLoader):
    """The text loader built on PyYAML's pure-Python loader (as where libyaml is missing)."""

    yaml_implicit_resolvers: ClassVar[dict] = {}
    resolve = yamlio._TextLoader.resolve
    descend_resolver = yamlio._TextLoader.descend_resolver
    ascend_resolver = yamlio._TextLoader.ascend_resolver


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("姓名: 甲\n备注: " + "[" * 5000 + "]" * 5000 + "\n", 2),
        ("备注: " + "{" * 5000 + "}" * 5000 + "\n", 1),
        ("- " * 5000 + "a\n", 1),
    ],
    ids=["lists", "mappings", "block-sequence"],
)
def test_deep_nesting_without_libyaml_is_a_chinese_error(monkeypatch: pytest.MonkeyPatch, text: str, line: int) -> None:
    monkeypatch.setattr(yamlio, "_TextLoader", _PureTextLoader)
    assert load_yaml_text("a: [b]\n").data == {"a": ["b"]}  # the patched loader works
    error = _fault(text)
    assert error.line == line
    assert "嵌套层数太多" in error.message


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("姓名: 甲\n备注: " + "[" * 2000 + "]" * 2000 + "\n", 2),  # libyaml's own bound (1,000)
        ("- " * 2000 + "a\n", 1),
        ("备注: " + "[" * 40 + "]" * 40 + "\n", 1),  # formkit's bound
    ],
    ids=["libyaml-flow", "libyaml-block", "max-depth"],
)
def test_deep_nesting_is_a_chinese_error(text: str, line: int) -> None:
    error = _fault(text)
    assert error.line == line
    assert "嵌套层数太多" in error.message and "exceeded" not in error.message


@pytest.mark.parametrize("quote", ['"', "'"])
def test_unclosed_quote_closed_lines_later_by_the_next_quote(quote: str) -> None:
    text = (
        f"姓名: 甲\n家庭住址: {quote}厦门市思明区\n工作单位: 某厂\n民族: 汉族\n"
        f"家庭成员:\n  - 姓名: 乙\n    身份证号: {quote}350203196008171312{quote}\n"
    )
    error = _fault(text)
    assert error.line == 2, error.message
    assert "引号没有配对" in error.message and "第7行" in error.message
    assert error.line_text == f"家庭住址: {quote}厦门市思明区"


def test_a_quoted_value_on_several_lines_is_still_read() -> None:
    assert load_yaml_text('备注: "第一行\n  第二行"\n姓名: 甲\n').data == {"备注": "第一行 第二行", "姓名": "甲"}


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"PK\x03\x04\x14\x00\x06\x00", "docx"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\xe5\xa7\x93\xe5\x90\x8d: \x00\x00\n", "空字节"),
    ],
)
def test_a_binary_file_named_yaml_is_not_a_text_file(tmp_path: Path, raw: bytes, kind: str) -> None:
    path = tmp_path / "photo.yaml"
    path.write_bytes(raw)
    with pytest.raises(YamlFileError) as info:
        load_yaml(path)
    assert "这不是文本文件" in info.value.message and kind in info.value.message
