"""Jinja's and lxml's English turned into the clerk's Chinese: what a template message may say.

No message about a template quotes Jinja's or lxml's own text (an English sentence, a
position in the XML): :func:`syntax_message` reads what Jinja found wrong in one tag and says
it in Chinese, :func:`runtime_message` does the same for what went wrong while filling a
document in. Anything not recognised gets a general sentence, never the original.
"""

from __future__ import annotations

import re

from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError

#: Jinja's names of the tokens that end a tag, as the clerk types them.
_TOKENS = {
    "end of print statement": "}}",
    "end of statement block": "%}",
    "end of template": "标签的结尾",
    "name": "名字",
    "in": "in",
    "integer": "数字",
}

#: Statements a template may use, for "不认识的语句" (Jinja's own, and docxtpl's).
STATEMENTS = ("if", "elif", "else", "endif", "for", "endfor", "set", "endset", "with", "endwith", "macro", "endmacro", "vm", "hm")


def _token(name: str) -> str:
    return _TOKENS.get(name, name)


def syntax_message(exc: TemplateSyntaxError) -> tuple[str, str]:
    """(what is wrong, what to write instead) for a syntax error Jinja found in one tag."""
    text = exc.message or ""
    found = re.match(r"unexpected char (['\"])(.*?)\1 at \d+", text)
    if found:
        char = found.group(2)
        if char in "'\"":
            return "引号没有配对", '文字要放在一对半角引号里，如 "无"'
        return f"标签里有不能用的字符“{char}”", "标签里只写字段名、点“.”、“|”、括号和半角引号"
    found = re.match(r"expected token '(.*?)', got '(.*?)'", text)
    if found:
        wanted, got = _token(found.group(1)), _token(found.group(2))
        if wanted in ("}}", "%}"):
            return f"读到“{got}”时标签应该结束了（{wanted}）", "一个标签里只写一个字段；两个字段请分成两个标签，或用 ~ 连起来"
        return f"这里应是“{wanted}”，写成了“{got}”", ""
    found = re.match(r"unexpected '(.*?)'(?:, expected '(.*?)')?", text)
    if found:
        got = _token(found.group(1))
        if found.group(2):
            return f"这里应是“{_token(found.group(2))}”，写成了“{got}”", "检查括号是否配对"
        return f"“{got}”用得不对：多了，或它前面缺了字段名", "检查括号、点和 | 前后是否完整"
    found = re.match(r"Encountered unknown tag '(.*?)'", text)
    if found:
        word = found.group(1)
        if word in ("p", "tr", "tc", "r"):
            return f"{word} 要紧跟在 {{% 后面", f"写成 {{%{word} … %}}，中间不空格"
        if word in ("else", "elif") or word.startswith("end"):
            return f"多出的 {{% {word} %}}：前面没有对应的开头", "删去它，或补上对应的 {% if %} / {% for %}"
        return f"不认识的语句“{word}”", "{% %} 里可用的语句：" + "、".join(STATEMENTS)
    if text.startswith("Expected an expression"):
        return "这里缺少字段名或文字", "在标签里写上字段名，如 {{ 姓名 }}"
    if text.startswith("tag name expected"):
        return "{% %} 里缺少语句", "如 {% if 案例说明 %}、{% for r in 行 %}"
    if text.startswith("expected name or number"):
        return "“.”后面缺少字段名", "如 {{ 低保.起年 }}"
    if text.startswith("Unexpected end of template"):
        return "语句没有结束", "补上对应的 {% endif %} 或 {% endfor %}"
    return "标签写法有误", "检查括号、引号、点和 | 是否完整、是否是半角（见 docs/templates.md）"


_NAMED = re.compile(r"has no attribute '(.*?)'|^'(.*?)' is undefined|no element (.*)$")


def runtime_message(exc: BaseException) -> str:
    """What went wrong while a document was filled in, in Chinese (without Jinja's text)."""
    if isinstance(exc, UndefinedError):
        found = _NAMED.search(exc.message or "")
        name = next((g for g in found.groups() if g), "") if found else ""
        return f"使用了记录中没有的字段“{name}”" if name else "使用了记录中没有的字段"
    if isinstance(exc, SecurityError):
        limit = str(exc)
        if re.search(r"[\u4e00-\u9fff]", limit):  # formkit's own bounds say it in Chinese
            return f"要求超出了表格需要的范围，已拒绝：{limit}"
        return "试图访问不允许的内容，已拒绝（模板只能读记录里的字段）"
    if isinstance(exc, ZeroDivisionError):
        return "标签里有除以零的计算"
    if isinstance(exc, (TypeError, ValueError)):
        return "标签里的计算用错了值的类型（例如把文字和数字相加）；表格上的值都是文字"
    if isinstance(exc, (LookupError, AttributeError)):
        return "标签取了不存在的一项"
    if isinstance(exc, (RecursionError, MemoryError)):
        return "标签要求的计算过大，已拒绝"
    return "标签无法计算"
