"""A template's tags checked before any record is filled in: each tag's syntax, the blocks, every name in every branch.

Jinja reports a misspelt name only when a record reaches it, in English, without the tag;
a tag it cannot read, with a position in the XML. Here each tag is read on its own
(:func:`syntax_problems`: a message naming the tag and where it is, in Chinese), the
``{% if %}``/``{% for %}`` blocks are paired, and then every name is walked against the
shape of the context (:func:`name_problems`): every branch, every loop, whether or not a
record would reach it, with the closest valid names (difflib) for an unknown one. Filters
and tests must exist in the sandbox (checked with each tag).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from formkit.documents.jinjawords import runtime_message, syntax_message
from formkit.documents.shapes import ANY, FLAG, LOOP, TEXT, Shape
from formkit.documents.tags import docxtpl_letter, jinja_source
from formkit.documents.wordmarkup import Note, Tag
from formkit.errors import Problem

#: Statements that open a block, and the statement that closes it.
_OPENERS = {
    "if": "endif",
    "for": "endfor",
    "with": "endwith",
    "macro": "endmacro",
    "call": "endcall",
    "filter": "endfilter",
    "autoescape": "endautoescape",
    "block": "endblock",
    "raw": "endraw",
    "set": "endset",
}
_CLOSERS = {end: start for start, end in _OPENERS.items()}
#: A stand-in opening for reading a closing tag on its own.
_DUMMY = {
    "if": "{% if 1 %}",
    "for": "{% for _ in () %}",
    "with": "{% with %}",
    "macro": "{% macro _m() %}",
    "call": "{% call _m() %}",
    "filter": "{% filter upper %}",
    "autoescape": "{% autoescape true %}",
    "block": "{% block _b %}",
    "set": "{% set _x %}",
}
_MIDDLES = {"elif": ("if",), "else": ("if", "for")}
_OTHER_FILES = ("include", "extends", "import", "from")
_WORD = re.compile(r"^\{%[-+]?\s*(\w+)")


def tag_problem(path: Path, tag: Tag, message: str, allowed: str = "", severity: str = "error") -> Problem:
    """A Problem at a tag: the template, where the tag is, the tag as the clerk sees it."""
    return Problem(path, 0, tag.where or "正文", f"标签“{tag.shown.strip()}”：{message}", allowed, severity)


def note_problems(path: Path, notes: Iterable[Note]) -> list[Problem]:
    """The notes of :func:`formkit.documents.wordmarkup.flatten_docx` as Problems."""
    return [
        Problem(
            path, 0, n.where or "正文", f"标签“{n.tag}”：{n.message}" if n.tag else n.message, n.allowed, "error" if n.error else "warning"
        )
        for n in notes
    ]


def _statement(source: str) -> str:
    found = _WORD.match(source)
    return found.group(1) if found else ""


def _is_block_set(source: str) -> bool:
    return _statement(source) == "set" and "=" not in source


def syntax_problems(path: Path, tags: Sequence[Tag], env: SandboxedEnvironment, shape: Shape | None = None) -> list[Problem]:
    """Every tag read on its own, then the blocks of each part paired; [] when all is well.

    A block's ``{%p``, ``{%tr`` or ``{%tc`` letter must be the same on its opening, middle
    and closing tags (docxtpl removes a whole paragraph, row or cell for each of them).
    Given the ``shape`` of the form's names, a name cut by a space (``{{ 姓 名 }}``) is told
    the name its words make.
    """
    known = _all_names(shape) if shape is not None else frozenset()
    problems: list[Problem] = []
    for tag in tags:
        if not tag.dropped and not tag.broken:
            problems += _alone(path, tag, env, known)
    if problems:
        return problems
    for part in dict.fromkeys(t.part for t in tags):
        problems += _blocks(path, [t for t in tags if t.part == part and not t.dropped])
    return problems


def _all_names(shape: Shape) -> frozenset[str]:
    """Every name and sub-name of a shape, at any depth (a list's items' too)."""
    names: set[str] = set()
    pending = [shape]
    while pending:
        current = pending.pop()
        names.update(current.fields)
        pending += current.fields.values()
        if current.item is not None:
            pending.append(current.item)
    return frozenset(names)


_JOINED = re.compile(r"^\{\{-?\s*(.*?)\s*-?\}\}$", re.S)
_NAME_PATH = re.compile(r"^\w+(?:\.\w+)*$")


def _joined(source: str, known: frozenset[str]) -> str:
    """The name a ``{{ … }}`` tag's words make without their spaces (``{{ 姓 名 }}``: 姓名)
    when its last part is a name of the form, else ""."""
    found = _JOINED.match(source)
    if found is None or not re.search(r"\w\s+\w", found.group(1)):
        return ""
    joined = re.sub(r"\s+", "", found.group(1))
    return joined if _NAME_PATH.match(joined) and joined.rsplit(".", 1)[-1] in known else ""


def _alone(path: Path, tag: Tag, env: SandboxedEnvironment, names: frozenset[str] = frozenset()) -> list[Problem]:
    source = jinja_source(tag.text)
    if not source or source.startswith("{#"):
        return []
    word = _statement(source)
    if word in _OTHER_FILES:
        return [tag_problem(path, tag, "模板里不能引用别的模板文件", "删去这个标签：表格上的内容都写在这一个模板里")]
    if source.startswith("{%"):
        if word == "raw":
            return []
        if word in _OPENERS and (word != "set" or _is_block_set(source)):
            source += "{% " + _OPENERS[word] + " %}"
        elif word in _MIDDLES:
            source = "{% if 1 %}" + source + "{% endif %}"
        elif word in _CLOSERS and _CLOSERS[word] in _DUMMY:
            source = _DUMMY[_CLOSERS[word]] + source
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        message, allowed = syntax_message(exc)
        joined = _joined(source, names)
        if joined:
            allowed = f"是不是“{joined}”？名字中间不要有空格：{{{{ {joined} }}}}"
        return [tag_problem(path, tag, message, allowed)]
    problems = []
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        known, what = (env.filters, "过滤器（| 后面的名字）") if isinstance(node, nodes.Filter) else (env.tests, "判断（is 后面的名字）")
        if node.name not in known:
            usual = (
                "常用的有 default、replace、trim、upper、length"
                if isinstance(node, nodes.Filter)
                else "常用的有 defined、none、number、string"
            )
            problems.append(tag_problem(path, tag, f"没有叫“{node.name}”的{what}", _suggest(node.name, known, everything=False) + usual))
    return problems


def _blocks(path: Path, tags: list[Tag]) -> list[Problem]:
    problems: list[Problem] = []
    stack: list[tuple[str, Tag]] = []
    for tag in tags:
        source = jinja_source(tag.text)
        word = _statement(source)
        if word in _OPENERS and (word != "set" or _is_block_set(source)):
            stack.append((word, tag))
        elif word in _MIDDLES or word in _CLOSERS:
            allowed_openers = _MIDDLES.get(word) or (_CLOSERS.get(word),)
            if not stack or stack[-1][0] not in allowed_openers:
                if stack:
                    opener = stack[-1][1]
                    problems.append(
                        tag_problem(
                            path,
                            tag,
                            f"与前面的“{opener.shown.strip()}”（{opener.where}）不配对",
                            f"先写 {_written(_OPENERS[stack[-1][0]], opener)} 结束“{opener.shown.strip()}”",
                        )
                    )
                else:
                    problems.append(
                        tag_problem(path, tag, "前面没有对应的开头", f"删去它，或在前面补上 {_written(f'{allowed_openers[0]} …', tag)}")
                    )
                return problems
            opener = stack[-1][1]
            if docxtpl_letter(opener.text) != docxtpl_letter(tag.text):
                letter = docxtpl_letter(opener.text)
                wanted = f"{{%{letter} {word} %}}" if letter else f"{{% {word} %}}"
                problems.append(
                    tag_problem(
                        path,
                        tag,
                        f"与“{opener.shown.strip()}”（{opener.where}）配对，两者的写法要一致",
                        f"写成 {wanted}（{{%p 占一整段，{{%tr 占一整行，{{%tc 占一整格）",
                    )
                )
            if word in _CLOSERS:
                stack.pop()
    for word, tag in stack:
        closer = _written(_OPENERS[word], tag)
        problems.append(tag_problem(path, tag, f"没有对应的 {closer}", f"在该结束的地方写上 {closer}"))
    return problems


def _written(statement: str, like: Tag) -> str:
    """``statement`` as a tag with the docxtpl letter of ``like`` (``{%p endif %}`` for a
    ``{%p if … %}``), the form that pairs with it."""
    letter = docxtpl_letter(like.text)
    return f"{{%{letter} {statement} %}}" if letter else f"{{% {statement} %}}"


def name_problems(path: Path, tags: Sequence[Tag], shape: Shape, env: SandboxedEnvironment, label: str) -> list[Problem]:
    """Every name, sub-name, filter and test of the tags checked against ``shape``, in every
    branch and loop (the tags must have passed :func:`syntax_problems`).

    Args:
        label: what the names belong to, for messages (``附件1 慰问金发放凭证``).
    """
    problems: list[Problem] = []
    for part in dict.fromkeys(t.part for t in tags):
        kept = [t for t in tags if t.part == part and not t.dropped]
        source = "\n".join(_stand_in(t) if t.broken else jinja_source(t.text) for t in kept)
        try:
            tree = env.parse(source)
        except TemplateSyntaxError as exc:
            tag = kept[min(max((exc.lineno or 1) - 1, 0), len(kept) - 1)]
            message, allowed = syntax_message(exc)
            problems.append(tag_problem(path, tag, message, allowed))
            continue
        walker = _Names(path, kept, shape, env, label)
        walker.walk(tree)
        problems += walker.problems
    return list(dict.fromkeys(problems))


def used_names(tags: Sequence[Tag], shape: Shape, env: SandboxedEnvironment) -> set[str]:
    """Every name path the tags print or test, in every part (dropped tags left out): ``姓名``,
    ``低保.起年``; a loop's item as its list with ``[]`` (``{{ r.姓名 }}`` in
    ``{%tr for r in 页.行 %}`` in ``{%p for 页 in 分页 %}``: ``分页[].行[].姓名``). The tags must
    have passed :func:`syntax_problems`."""
    used: set[str] = set()
    for part in dict.fromkeys(t.part for t in tags):
        kept = [t for t in tags if t.part == part and not t.dropped]
        try:
            tree = env.parse("\n".join(_stand_in(t) if t.broken else jinja_source(t.text) for t in kept))
        except TemplateSyntaxError:
            continue
        walker = _Names(Path(), kept, shape, env, "")
        walker.walk(tree)
        used |= walker.used
    return used


def _stand_in(tag: Tag) -> str:
    """What a broken tag (refused already) counts as when the names are walked: the same
    opening, middle or closing of a block, else nothing."""
    word = _statement(jinja_source(tag.text))
    if word in _DUMMY and word != "set":
        return _DUMMY[word]
    if word in _MIDDLES:
        return "{% else %}" if word == "else" else "{% elif 1 %}"
    if word in _CLOSERS and _CLOSERS[word] in _DUMMY:
        return "{% " + word + " %}"
    return ""


def _suggest(name: str, choices: Iterable[str], everything: bool = True) -> str:
    """ "是不是…？" with the closest names (difflib), and all of them when they are few."""
    choices = list(choices)
    close = difflib.get_close_matches(name, choices, n=3, cutoff=0.5)
    text = "是不是" + "或".join(f"“{c}”" for c in close) + "？" if close else ""
    if everything and 0 < len(choices) <= 16:
        text += "可用：" + "、".join(choices)
    return text


class _Names:
    """The walk of :func:`name_problems` over one part's tags (one tag per line)."""

    def __init__(self, path: Path, tags: list[Tag], shape: Shape, env: SandboxedEnvironment, label: str) -> None:
        self.path, self.tags, self.shape, self.env, self.label = path, tags, shape, env, label
        self.problems: list[Problem] = []
        self.assigned: set[str] = set()
        self.used: set[str] = set()  # name paths (used_names)
        self.origins: dict[str, str] = {}  # a loop item's label → its list's path
        self.loops: dict[str, Tag] = {}  # a loop's variable → the tag of its first loop

    def problem(self, node: nodes.Node, message: str, allowed: str = "") -> None:
        self.problems.append(tag_problem(self.path, self.tag_of(node), message, allowed))

    def tag_of(self, node: nodes.Node) -> Tag:
        return self.tags[min(max(getattr(node, "lineno", 1) - 1, 0), len(self.tags) - 1)]

    def walk(self, tree: nodes.Template) -> None:
        for loop in tree.find_all(nodes.For):
            targets = [loop.target] if isinstance(loop.target, nodes.Name) else loop.target.find_all(nodes.Name)
            for target in targets:
                self.loops.setdefault(target.name, self.tag_of(loop))
        for node in tree.find_all((nodes.Assign, nodes.AssignBlock, nodes.Macro, nodes.Import, nodes.FromImport)):
            for name in node.find_all(nodes.Name):
                if name.ctx in ("store", "param"):
                    self.assigned.add(name.name)
            if isinstance(node, nodes.Macro):
                self.assigned.add(node.name)
        self.body(tree.body, {}, {})

    def body(self, body: Iterable[nodes.Node], scope: dict[str, Shape], labels: dict[str, str]) -> None:
        for node in body:
            self.statement(node, scope, labels)

    def statement(self, node: nodes.Node, scope: dict[str, Shape], labels: dict[str, str]) -> None:
        if isinstance(node, nodes.For):
            rows = self.expr(node.iter, scope, labels)
            inner, inner_labels = dict(scope), dict(labels)
            if rows.kind == "rows":
                item = rows.item or ANY
            elif rows.kind in ("flag", "text"):
                what = "真或假" if rows.kind == "flag" else "一项文字"
                self.problem(
                    node.iter, f"{self.describe(node.iter, labels)} 是{what}，不能循环", "for 后面要写一组行，如 页.行、家庭成员行"
                )
                item = ANY
            else:
                item = ANY
            if isinstance(node.target, nodes.Name):
                inner[node.target.name] = item
                inner_labels[node.target.name] = f"{node.target.name}（{self.describe(node.iter, labels)} 的每一项）"
                origin = self.name_path(node.iter, labels)
                if origin:
                    self.origins[inner_labels[node.target.name]] = origin + "[]"
            else:
                for name in node.target.find_all(nodes.Name):
                    inner[name.name] = ANY
            inner["loop"] = LOOP
            if node.test is not None:
                self.expr(node.test, inner, inner_labels)
            self.body(node.body, inner, inner_labels)
            self.body(node.else_, scope, labels)
        elif isinstance(node, nodes.If):
            self.expr(node.test, scope, labels)
            self.body(node.body, scope, labels)
            for branch in node.elif_:
                self.statement(branch, scope, labels)
            self.body(node.else_, scope, labels)
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                self.expr(child, scope, labels)
        elif isinstance(node, (nodes.Macro, nodes.CallBlock)):
            inner = dict(scope, caller=ANY, varargs=ANY, kwargs=ANY)
            for arg in node.args:
                inner[arg.name] = ANY
            if isinstance(node, nodes.CallBlock):
                self.expr(node.call, scope, labels)
            self.body(node.body, inner, labels)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values):
                self.expr(value, scope, labels)
                for name in target.find_all(nodes.Name):
                    inner[name.name] = ANY
            self.body(node.body, inner, labels)
        elif isinstance(node, nodes.Assign):
            self.expr(node.node, scope, labels)
        elif isinstance(node, (nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)):
            self.problem(node, "模板里不能引用别的模板文件")
        else:
            for inner_node in node.iter_child_nodes():
                if isinstance(inner_node, nodes.Stmt):
                    self.statement(inner_node, scope, labels)
                elif isinstance(inner_node, nodes.Expr):
                    self.expr(inner_node, scope, labels)

    def describe(self, node: nodes.Node, labels: dict[str, str]) -> str:
        """A name path as the template writes it (``低保.起年``; a loop item with its list)."""
        if isinstance(node, nodes.Name):
            return labels.get(node.name, node.name)
        if isinstance(node, nodes.Getattr):
            return f"{self.describe(node.node, labels)}.{node.attr}"
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            return f"{self.describe(node.node, labels)}[{node.arg.value!r}]"
        return "这一项"

    def name_path(self, node: nodes.Node, labels: dict[str, str]) -> str:
        """A name path as :func:`used_names` gives it ("" for anything else)."""
        if isinstance(node, nodes.Name):
            return self.origins.get(labels.get(node.name, ""), node.name)
        if isinstance(node, nodes.Getattr):
            base = self.name_path(node.node, labels)
            return f"{base}.{node.attr}" if base else ""
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            base = self.name_path(node.node, labels)
            return f"{base}.{node.arg.value}" if base else ""
        return ""

    def expr(self, node: nodes.Node, scope: dict[str, Shape], labels: dict[str, str]) -> Shape:
        if isinstance(node, (nodes.Name, nodes.Getattr, nodes.Getitem)):
            self.used.add(self.name_path(node, labels))
        if isinstance(node, nodes.Name):
            return self.name(node, scope)
        if isinstance(node, nodes.Getattr):
            return self.attribute(self.expr(node.node, scope, labels), node.attr, node, labels)
        if isinstance(node, nodes.Getitem):
            base = self.expr(node.node, scope, labels)
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                return self.attribute(base, node.arg.value, node, labels)
            self.expr(node.arg, scope, labels)
            return (base.item or ANY) if base.kind == "rows" else ANY
        if isinstance(node, nodes.Filter):
            base = self.expr(node.node, scope, labels) if node.node is not None else ANY
            self.arguments(node, scope, labels)
            return base if node.name in ("default", "d") else ANY
        if isinstance(node, nodes.Test):
            self.expr(node.node, scope, labels)
            self.arguments(node, scope, labels)
            return FLAG
        if isinstance(node, (nodes.Const, nodes.TemplateData)):
            return TEXT
        for child in node.iter_child_nodes():
            self.expr(child, scope, labels)
        return ANY

    def arguments(self, node: nodes.Filter | nodes.Test, scope: dict[str, Shape], labels: dict[str, str]) -> None:
        for arg in [*node.args, *(k.value for k in node.kwargs), node.dyn_args, node.dyn_kwargs]:
            if arg is not None:
                self.expr(arg, scope, labels)

    def name(self, node: nodes.Name, scope: dict[str, Shape]) -> Shape:
        if node.name in scope:
            return scope[node.name]
        if node.name in self.shape.fields:
            return self.shape.fields[node.name]
        if node.name in self.assigned or node.name in self.env.globals:
            return ANY
        if node.name == "loop":
            self.problem(node, "loop 只能用在 for 循环里面")
            return ANY
        if node.name in self.loops:
            opener = self.loops[node.name]
            letter = docxtpl_letter(opener.text)
            closer = f"{{%{letter} endfor %}}" if letter else "{% endfor %}"
            between = {"tr": "之间的行里", "tc": "之间的格里", "p": "之间的段落里"}.get(letter, "之间")
            self.problem(
                node,
                f"“{node.name}”是循环“{opener.shown.strip()}”（{opener.where}）的变量，在这个循环外面没有值（印出来是空的）",
                f"把标签移到 {opener.shown.strip()} 与 {closer} {between}",
            )
            return ANY
        names = [*self.shape.fields, *scope]
        self.problem(
            node,
            f"“{node.name}”不是{self.label}能用的字段",
            (_suggest(node.name, names, everything=False) + f"可用的字段见 docs/templates.md 的“{self.label}”一节").lstrip(),
        )
        return ANY

    def attribute(self, base: Shape, name: str, node: nodes.Node, labels: dict[str, str]) -> Shape:
        if name.startswith("_"):
            self.problem(node, f"“{name}”以下划线开头：模板不允许访问程序内部的内容", "标签里只写记录的字段，见 docs/templates.md")
            return ANY
        owner = self.describe(node.node, labels) if isinstance(node, (nodes.Getattr, nodes.Getitem)) else "这一项"
        written = self.describe(node.node, {}) if isinstance(node, (nodes.Getattr, nodes.Getitem)) else "这一项"
        if base.kind == "fields":
            if name in base.fields:
                return base.fields[name]
            self.problem(node, f"{owner} 下没有“{name}”", _suggest(name, base.fields))
        elif base.kind == "text":
            if not name.startswith("_") and name in dir(str):
                return ANY
            self.problem(node, f"{owner} 是一项文字，下面没有“{name}”", f"直接写 {{{{ {written} }}}}")
        elif base.kind == "flag":
            self.problem(node, f"{owner} 是真或假，下面没有“{name}”", f"用 {{% if {written} %}} … {{% endif %}}")
        elif base.kind == "rows":
            if not name.startswith("_") and name in dir(list):
                return ANY
            item = sorted(base.item.fields) if base.item is not None and base.item.kind == "fields" else []
            self.problem(
                node,
                f"{owner} 是一组行，要先用 for 循环取出每一行",
                f"如 {{%tr for r in {written} %}} … {{{{ r.{item[0] if item else name} }}}} … {{%tr endfor %}}",
            )
        return ANY


_CONDITION = re.compile(r"^\{%-?\s*(?:if|elif)\s+(.*?)\s*-?%\}$|^\{%-?\s*for\s+.+?\s+in\s+(.*?)\s*-?%\}$", re.S)


def culprit(tags: Sequence[Tag], env: SandboxedEnvironment, context: Mapping[str, Any], failure: BaseException) -> Tag | None:
    """The tag that failed a rendering: the first whose expression, evaluated alone in the
    same context, fails with the same message (:func:`runtime_message`). Tags inside a loop
    fail alone on the loop's variable instead, and are passed over. None when none does."""
    wanted = (type(failure), runtime_message(failure))
    for tag in tags:
        source = jinja_source(tag.text)
        condition = _CONDITION.match(source)
        if condition is not None:
            source = "{{ " + (condition.group(1) or condition.group(2)) + " }}"
        if tag.dropped or tag.broken or not source.startswith("{{"):
            continue
        try:
            env.from_string(source).render(context)
        except Exception as exc:  # whatever it is, it is compared with the failure
            if (type(exc), runtime_message(exc)) == wanted:
                return tag
    return None
