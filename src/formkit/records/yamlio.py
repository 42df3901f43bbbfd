"""Read a YAML record file with every scalar as text, and the line of every key and item.

PyYAML's default loaders resolve plain scalars by YAML 1.1 rules: ``1990.10`` becomes the
float 1990.1, ``010010`` an octal number, ``yes`` True, ``2011-12-02`` a date. A record is
typed by hand, so formkit resolves nothing here: every scalar stays the text the user typed
(money, dates and IDs are converted by field type in :mod:`formkit.domain.models`). An empty plain
value (``备注:``) and the plain words ``~``/``null`` are read as None (absent).

Each key's and each list item's 1-based line is kept in :attr:`YamlDocument.lines`, keyed by
the path of keys and 0-based list indexes (``("家庭成员", 1, "身份证号")``), so an error can
point at ``file:line``. A plain or quoted value written over several lines, which YAML joins
into one line (each line break becomes a space, YAML 1.2 §6.5 line folding), is noted in
:attr:`YamlDocument.folded` with its first and last line, for the warning of
:mod:`formkit.records.load`.

Files are read as UTF-8 (with or without BOM), UTF-16 with BOM (Windows Notepad's "Unicode"),
or GBK/GB 18030 (older Chinese Windows editors). Refused, with a message in Chinese that says
what to do: files over :data:`MAX_BYTES`, undecodable bytes, tabs in indentation, syntax
errors (with the line's text, and the line where an unclosed quote opens), binary files (a
picture or a Word file named .yaml), several documents in one file, duplicate keys, non-text keys,
and more than :data:`MAX_ALIASES` alias uses or :data:`MAX_NODES` values (anchors and
aliases can expand exponentially: the "billion laughs" attack).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from formkit.errors import FormkitError, os_reason

__all__ = [
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "YamlDocument",
    "YamlFileError",
    "decode_bytes",
    "load_yaml",
    "load_yaml_text",
]

#: Largest record file read, in bytes (a worker's record is about 2 KB).
MAX_BYTES = 1024 * 1024
#: Most alias (``*name``) uses allowed in one file.
MAX_ALIASES = 16
#: Most values (scalars, lists, mappings, counted after alias expansion) in one file.
MAX_NODES = 50_000
#: Deepest nesting of lists and mappings.
MAX_DEPTH = 32

Path_ = str | int
_NULL_WORDS = frozenset({"~", "null", "Null", "NULL"})


class YamlFileError(FormkitError):
    """A record file that cannot be read as YAML.

    Attributes:
        path: the file.
        line: 1-based line of the fault, 0 for the whole file.
        message: what is wrong and how to fix it, in Chinese (no ID or phone number: the
            text of the faulty line is masked by the caller, see ``records``).
        line_text: the text of that line ("" when none), for the caller to show.
    """

    def __init__(self, path: Path | None, line: int, message: str, line_text: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.message = message
        self.line_text = line_text


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


class _TextLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]  # libyaml's loader where PyYAML was built with it
    """A loader that resolves no implicit type: every plain scalar is tagged ``str``.

    The resolver's methods are replaced by constant ones: the composer calls them for every
    node, and with nothing to resolve the general machinery is wasted time (a third of the
    cost of composing a record).
    """

    yaml_implicit_resolvers: ClassVar[dict[str, Any]] = {}

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


@dataclass
class YamlDocument:
    """One YAML file, read with every scalar as text.

    Attributes:
        path: the file (None for text loaded from a string).
        data: the document: dict / list / str / None, with str keys.
        lines: 1-based line of each key or list item, by path (``()`` is the document itself).
        quoted: the paths of the scalars that were typed in quotes.
        folded: the paths of the plain or quoted scalars written over several lines (YAML
            joined their lines with spaces), with their first and last line (1-based).
        encoding: the encoding the file was read in (``utf-8``, ``utf-8-sig``, ``utf-16``, ``gbk``).
    """

    path: Path | None
    data: Any
    lines: dict[tuple[Path_, ...], int] = field(default_factory=dict)
    quoted: set[tuple[Path_, ...]] = field(default_factory=set)
    encoding: str = "utf-8"
    folded: dict[tuple[Path_, ...], tuple[int, int]] = field(default_factory=dict)

    def line_of(self, loc: tuple[Path_, ...]) -> int:
        """Return the line of *loc*, or of its nearest enclosing key or item that has one.

        Args:
            loc: a path of keys (str) and 0-based list indexes (int), as pydantic reports it.

        Returns:
            The 1-based line; 0 when nothing on the path is known (an empty file).
        """
        loc = tuple(loc)
        while loc:
            line = self.lines.get(loc)
            if line is not None:
                return line
            loc = loc[:-1]
        return self.lines.get((), 0)


def decode_bytes(raw: bytes, path: Path | None = None) -> tuple[str, str]:
    """Decode a record file's bytes.

    Returns:
        ``(text, encoding)``, encoding one of ``utf-8``, ``utf-8-sig``, ``utf-16``, ``gbk``.

    Raises:
        YamlFileError: the bytes are neither UTF-8, UTF-16 with BOM nor GBK (GB 18030).
    """
    if raw.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "gb18030"]
    for encoding in encodings:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, "gbk" if encoding == "gb18030" else encoding
    raise YamlFileError(
        path,
        0,
        "文件编码无法识别（既不是 UTF-8 也不是 GBK）：请用记事本或 WPS 打开，“另存为”时把编码选为 UTF-8 再保存",
    )


#: Leading bytes of the files most often misnamed .yaml, and what to call them.
_SIGNATURES = (
    (b"\x89PNG", "是 PNG 图片"),
    (b"\xff\xd8\xff", "是 JPEG 图片"),
    (b"GIF8", "是 GIF 图片"),
    (b"%PDF", "是 PDF 文件"),
    (b"PK\x03\x04", "是 Word/Excel（.docx/.xlsx）或压缩文件；表格可用 formkit import 导入"),
    (b"\xd0\xcf\x11\xe0", "是旧版 Word/Excel（.doc/.xls）文件"),
    (b"\x1f\x8b", "是压缩文件"),
    (b"Rar!", "是压缩文件"),
)


def _binary_kind(raw: bytes) -> str:
    """What a non-text file is ("" for text): a known signature, or NUL bytes outside UTF-16."""
    for signature, kind in _SIGNATURES:
        if raw.startswith(signature):
            return kind
    if b"\x00" in raw[:8192] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "含有空字节；若是“Unicode”编码的文本，请在记事本里另存为 UTF-8"
    return ""


def load_yaml(path: Path | str, require_mapping: bool = False) -> YamlDocument:
    """Read one record file with every scalar as text.

    Args:
        path: the ``.yaml`` file.
        require_mapping: refuse a file whose content is not ``键: 值`` lines (an empty
            file, a list, or text, e.g. keys typed with a full-width colon ``姓名：张三``).

    Returns:
        The document with the line of each key and item.

    Raises:
        YamlFileError: the file is unreadable, too large, badly encoded or not valid YAML
            (see the module docstring); the error carries the line and a message in Chinese.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise YamlFileError(
                path,
                0,
                f"文件太大（{size // 1024} KB，上限 {MAX_BYTES // 1024} KB）：一个文件只放一条记录",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlFileError(path, 0, f"无法读取文件：{os_reason(exc)}") from exc
    kind = _binary_kind(raw)
    if kind:
        raise YamlFileError(
            path,
            0,
            f"这不是文本文件（{kind}）：记录文件要用记事本等文本编辑器编写，保存为 UTF-8 编码、以 .yaml 结尾",
        )
    text, encoding = decode_bytes(raw, path)
    document = load_yaml_text(text, path, require_mapping)
    document.encoding = encoding
    return document


def load_yaml_text(text: str, path: Path | None = None, require_mapping: bool = False) -> YamlDocument:
    """Parse YAML *text* with every scalar as text (see :func:`load_yaml`).

    Raises:
        YamlFileError: not valid YAML, several documents, duplicate or non-text keys, too
            many aliases, values or levels; or, with *require_mapping*, not a mapping.
    """
    text = text.lstrip("\ufeff")
    loader = _TextLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, path) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise YamlFileError(
            path,
            line,
            f"第{line}行有不可见的控制字符（#x{exc.character:04x}）：请删去它（常见于从网页或表格粘贴的文字）"
            if isinstance(exc.character, int)
            else f"第{line}行有无法识别的字符：请删去它",
        ) from None
    except RecursionError:  # the pure-Python loader (no libyaml) recurses once per level
        line = _too_deep_line(text)
        raise YamlFileError(path, line, _TOO_DEEP.format(line=line), _line(text, line)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error we saw is marked
        raise YamlFileError(path, 0, f"YAML 格式错误：{exc}") from None
    finally:
        loader.dispose()
    document = YamlDocument(path=path, data=None)
    if node is not None:
        document.data = _Walker(document).build(node, (), 0)
        document.lines.setdefault((), node.start_mark.line + 1)
    if require_mapping and not isinstance(document.data, dict):
        if document.data is None:
            raise YamlFileError(path, 0, "文件是空的：请按“formkit new”生成的样子填写“键: 值”")
        line = document.lines.get((), 1)
        raise YamlFileError(path, line, f"内容不是“键: 值”的形式：{top_level_hint(text)}")
    return document


_TOO_DEEP = (
    "第{line}行 YAML 格式错误：嵌套层数太多（方括号“[”、花括号“{{”或“- ”套了太多层）："
    f"一条记录最多 {MAX_DEPTH} 层，请检查是否多写或漏写了括号"
)


def _too_deep_line(text: str) -> int:
    """The first line where brackets nest deeper than :data:`MAX_DEPTH` (1 if none does)."""
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        for ch in line:
            if ch in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return number
            elif ch in "]}":
                depth -= 1
    return 1


def _line(text: str, number: int) -> str:
    """Line *number* (1-based) of *text*, "" when there is none."""
    lines = text.splitlines()
    return lines[number - 1].rstrip() if 0 < number <= len(lines) else ""


class _Walker:
    """Turn a composed node graph into plain data, recording lines and bounding expansion."""

    def __init__(self, document: YamlDocument) -> None:
        self.document = document
        self.seen: set[int] = set()
        self.aliases = 0
        self.nodes = 0

    def _fail(self, node: yaml.Node, message: str) -> YamlFileError:
        return YamlFileError(self.document.path, node.start_mark.line + 1, message)

    def build(self, node: yaml.Node, loc: tuple[Path_, ...], depth: int) -> Any:
        """Return the data of *node*; record lines, quoted scalars; bound the expansion.

        Scalars inside a mapping or list are handled inline (most values are scalars), which
        halves the cost of walking a record.
        """
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self._fail(node, f"文件里的值太多（超过 {MAX_NODES} 个）：一个文件只放一条记录")
        if depth > MAX_DEPTH:
            raise self._fail(node, _TOO_DEEP.format(line=node.start_mark.line + 1))
        if node.__class__ is yaml.ScalarNode:
            return self._scalar(node, loc)
        if id(node) in self.seen:
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise self._fail(node, f"引用（*别名）用得太多（超过 {MAX_ALIASES} 次）：请直接写出各个值")
        self.seen.add(id(node))
        lines = self.document.lines
        if node.__class__ is yaml.SequenceNode:
            items = []
            for index, item in enumerate(node.value):
                item_loc = loc + (index,)
                lines[item_loc] = item.start_mark.line + 1
                if item.__class__ is yaml.ScalarNode:
                    self.nodes += 1
                    items.append(self._scalar(item, item_loc))
                else:
                    items.append(self.build(item, item_loc, depth + 1))
            return items
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode:
                raise self._fail(key_node, "键必须是文字（“键: 值”的冒号前面只能写键名）")
            key = key_node.value.strip()
            line = key_node.start_mark.line + 1
            key_loc = loc + (key,)
            if key in mapping:
                raise YamlFileError(
                    self.document.path,
                    line,
                    f"键“{key}”重复出现（第{lines[key_loc]}行和第{line}行）：请删去或合并其中一个",
                )
            lines[key_loc] = line
            if value_node.__class__ is yaml.ScalarNode:
                self.nodes += 1
                mapping[key] = self._scalar(value_node, key_loc)
            else:
                mapping[key] = self.build(value_node, key_loc, depth + 1)
        return mapping

    def _scalar(self, node: yaml.ScalarNode, loc: tuple[Path_, ...]) -> str | None:
        style = node.style
        if node.end_mark.line != node.start_mark.line and style not in ("|", ">"):
            self.document.folded[loc] = (node.start_mark.line + 1, node.end_mark.line + 1)
        if style == "'" or style == '"':
            self.document.quoted.add(loc)
            return str(node.value)
        value: str = node.value
        if not style and (not value or value in _NULL_WORDS):
            return None
        return value


# ---------------------------------------------------------------- syntax errors in Chinese

_FULLWIDTH_COLON = re.compile(r"^\s*(-\s+)?[^\s:#'\"][^:#]*?：")
_NO_SPACE_COLON = re.compile(r"^\s*(-\s+)?[^\s:#'\"\-][^:#\s]*:[^\s/]")

_PROBLEMS = (
    ("mapping values are not allowed", "这里不能出现“: ”（冒号加空格）：值里本身有冒号时，请给整个值加引号"),
    ("could not find expected ':'", "缺少“: ”（半角冒号加空格）：每一行应写成“键: 值”"),
    ("did not find expected key", "缩进不一致：同一层的键要左对齐，用同样多的空格"),
    ("did not find expected '-' indicator", "缩进不一致：列表项（“- ”开头）和键混在同一层"),
    ("did not find expected <document start>", "缩进不一致：最外层的键要顶格写"),
    ("did not find expected node content", "缺少值：检查这一行的“- ”或冒号后面"),
    ("did not find expected ',' or ']'", "方括号“[ ]”没有配对，或列表项之间缺少逗号"),
    ("did not find expected ',' or '}'", "花括号“{ }”没有配对，或各项之间缺少逗号"),
    ("found unexpected end of stream", "引号没有配对：值开头的引号要在同一个值的末尾再写一次"),
    ("found unknown escape character", "双引号里的反斜杠“\\”被当作转义符：请改用单引号，或写成“\\\\”"),
    ("found undefined alias", "以“*”开头的值被当作引用：若是普通文字，请给整个值加引号"),
    ("found undefined tag handle", "以“!”开头的值被当作类型标记：若是普通文字，请给整个值加引号"),
    ("expected a single document", "一个文件只能放一条记录（不能有第二个“---”）"),
    (
        "found character that cannot start any token",
        "这个字符不能作为值的开头（如 @ ` % |）：请给整个值加引号",
    ),
    ("special characters are not allowed", "文件里有不可见的控制字符：请删去这一行的特殊字符"),
    ("expected alphabetic or numeric character", "“&”或“*”后面缺少名称：若是普通文字，请给整个值加引号"),
    ("found unexpected ':'", "冒号位置不对：值里本身有冒号时，请给整个值加引号"),
)


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, path: Path | None) -> YamlFileError:
    """Translate a PyYAML error into a located Chinese message, with the likely cause."""
    lines = text.splitlines()
    problem = f"{exc.problem or ''} {exc.context or ''}"
    mark = exc.problem_mark or exc.context_mark
    if "end of stream" in problem and exc.context_mark is not None:
        mark = exc.context_mark  # an unclosed quote: point at where it opens
    line = mark.line + 1 if mark is not None else 0

    def text_of(n: int) -> str:
        return lines[n - 1].rstrip() if 0 < n <= len(lines) else ""

    if "nesting depth" in problem:  # libyaml's bound (1,000 levels), more than MAX_DEPTH
        nested = _too_deep_line(text) if "flow" in problem else line
        return YamlFileError(path, nested, _TOO_DEEP.format(line=nested), text_of(nested))
    opened = _unclosed_quote(text, line)
    if opened:
        return YamlFileError(
            path,
            opened,
            f"第{opened}行 YAML 格式错误：引号没有配对：这一行值开头的引号在行末没有再写一次，它一直延续到第{line}行的引号才结束",
            text_of(opened),
        )
    # Look at the faulty line and the ones before it for the usual slips of hand.
    for n in range(line, max(line - 3, 0), -1):
        candidate = text_of(n)
        if candidate[: len(candidate) - len(candidate.lstrip())].count("\t"):
            return YamlFileError(
                path,
                n,
                f"第{n}行用 Tab 键缩进：YAML 只能用空格缩进，请把 Tab 换成空格（编辑器里可设置“用空格代替 Tab”）",
                candidate,
            )
        if _FULLWIDTH_COLON.match(candidate):
            return YamlFileError(
                path,
                n,
                f"第{n}行的键后面用了全角冒号“：”：请改成半角冒号加一个空格“: ”",
                candidate,
            )
        if n != line and _NO_SPACE_COLON.match(candidate):
            return YamlFileError(path, n, f"第{n}行的冒号后面缺少空格：请写成“键: 值”（冒号后加一个空格）", candidate)
    if "mapping values are not allowed" in problem and line > 1:
        here, before = text_of(line), next((t for t in reversed(lines[: line - 1]) if t.strip()), "")
        if _indent(here) > _indent(before) and re.search(r":\s+\S", before):
            return YamlFileError(
                path,
                line,
                f"第{line}行 YAML 格式错误：缩进不一致：这一行比上一行缩进得多；同一层的键要与上一行左对齐",
                here,
            )
    reason = next((zh for en, zh in _PROBLEMS if en in problem), f"YAML 格式错误（{problem.strip()}）")
    return YamlFileError(path, line, f"第{line}行 YAML 格式错误：{reason}", text_of(line))


def _unclosed_quote(text: str, line: int) -> int:
    """The line where a quoted value opens that runs on to the faulty *line* (0 if none).

    A quote left open (``家庭住址: "厦门…`` without its closing ``"``) swallows the lines
    below it up to the next quote, and PyYAML reports the fault there, lines later and as
    something else. A record's values fit on one line, so a quoted value spanning lines that
    ends on the faulty line is the cause. PyYAML's pure-Python scanner (tokens only, no
    nesting) finds it; only the text up to the faulty line is scanned.
    """
    if line < 2:
        return 0
    head = "\n".join(text.splitlines()[:line])
    try:
        for token in yaml.scan(head, Loader=yaml.SafeLoader):
            if (
                token.__class__ is yaml.ScalarToken
                and token.style in ('"', "'")
                and token.start_mark.line < token.end_mark.line == line - 1
            ):
                return int(token.start_mark.line) + 1
    except yaml.YAMLError:
        pass
    return 0


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def top_level_hint(text: str) -> str:
    """Explain why a file that parsed is not a mapping of ``键: 值`` (full-width colons, …)."""
    for line in text.splitlines():
        if _FULLWIDTH_COLON.match(line):
            return "键后面用了全角冒号“：”：请改成半角冒号加一个空格“: ”"
        if _NO_SPACE_COLON.match(line):
            return "冒号后面缺少空格：请写成“键: 值”（冒号后加一个空格）"
    return "文件内容应是一行一个“键: 值”"
