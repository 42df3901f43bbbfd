"""Edit a record file in place: ruamel.yaml round trip, every scalar kept as text.

A record is read with ruamel.yaml's round-trip loader and a resolver that turns no plain
scalar into a number, a date or a boolean (as formkit's own reader, :mod:`formkit.yamlio`,
reads it): ``1000.00`` stays ``1000.00`` and ``2011-12-02`` stays ``2011-12-02`` when the
file is written again. Comments, key order, quotes and flow lists (``[2011-12-01,
2012-01-22]``) are kept by ruamel.yaml; the indentation is the file's own (found by trying
the usual layouts until one reproduces the file byte for byte); the encoding (UTF-8 with or
without BOM, UTF-16, GBK) and the line endings (LF or CRLF) are the file's own too.

Writing is atomic (a temporary file beside the record, then :func:`os.replace`) and keeps
the file's permissions. Nothing here deletes a file.
"""

from __future__ import annotations

import codecs
import difflib
import hashlib
import io
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from formkit.serve import _core

__all__ = ["EditError", "RecordText", "digest", "dump", "load_record_text", "parse_text", "write_atomic", "write_new"]

_NULL_TAG = "tag:yaml.org,2002:null"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


class _TextResolver(VersionedResolver):
    """Resolves a plain scalar to null (empty, ``~``, ``null``) or text, nothing else."""

    @property
    def versioned_resolver(self) -> Any:
        """The implicit rules: null only (ruamel.yaml's hook)."""
        rules = [(_NULL_TAG, _NULL)]
        return {"": list(rules), "~": list(rules), "n": list(rules), "N": list(rules)}


class EditError(_core.FormkitError):
    """A record file that cannot be edited through the form (message in Chinese)."""


#: (mapping indent, sequence dash offset) tried in this order; the first that writes the
#: unchanged file back byte for byte is the file's layout.
_LAYOUTS = ((2, 2), (2, 0), (4, 2), (4, 0), (4, 4), (2, 4), (3, 0), (3, 2))


def _yaml(mapping: int, offset: int) -> YAML:
    yaml = YAML(typ="rt")
    yaml.Resolver = _TextResolver
    yaml.preserve_quotes = True
    yaml.width = 1 << 20  # never fold a long value onto a second line
    yaml.allow_unicode = True
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    return yaml


def digest(data: bytes) -> str:
    """SHA-256 of a file's bytes: what a form was opened on."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class RecordText:
    """A record file as read for editing.

    Attributes:
        data: the document (CommentedMap; every scalar a ``str`` or None).
        text: the file's text (decoded, LF line endings).
        encoding: ``utf-8``, ``utf-8-sig``, ``utf-16`` or ``gbk``.
        crlf: the file used CRLF line endings.
        layout: (mapping indent, sequence offset) that reproduces the file.
        exact: writing the unchanged document gives the file's text back byte for byte
            (False for a file with uneven indentation: a save then evens it out).
        sha: the SHA-256 of the file's bytes.
    """

    data: Any
    text: str
    encoding: str
    crlf: bool
    layout: tuple[int, int]
    exact: bool
    sha: str


def _fault_line(text: str, exc: YAMLError) -> int:
    """The line of a YAML fault as ``formkit check`` gives it (its reader names the line
    where the fault starts: an unclosed quote's, not where ruamel.yaml gave up); ruamel.yaml's
    own when formkit's reader finds none. 0 when neither knows."""
    try:
        _core.load_yaml_text(text)
    except _core.YamlFileError as found:
        if found.line:
            return found.line
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else 0


def parse_text(text: str) -> tuple[Any, tuple[int, int], bool]:
    """Parse record text for editing.

    Returns:
        (document, layout, exact): see :class:`RecordText`.

    Raises:
        EditError: not YAML that ruamel.yaml can read, or duplicate keys.
    """
    best: tuple[int, tuple[int, int]] | None = None
    for layout in _LAYOUTS:
        yaml = _yaml(*layout)
        try:
            data = yaml.load(text)
        except YAMLError as exc:
            line = _fault_line(text, exc)
            where = f"第{line}行" if line else ""
            raise EditError(f"这份文件{where}的 YAML 写法有误，表单无法打开：请在“原文”里修改（错误见下）") from None
        if text.strip() and data is None:
            data = CommentedMap()
        out = io.StringIO()
        yaml.dump(data, out)
        if out.getvalue() == text or (data == {} and not text.strip()):
            return data, layout, True
        changed = sum(1 for line in difflib.ndiff(text.splitlines(), out.getvalue().splitlines()) if line[:1] in "+-")
        if best is None or changed < best[0]:
            best = (changed, layout)
    assert best is not None
    return _yaml(*best[1]).load(text), best[1], False


def load_record_text(raw: bytes) -> RecordText:
    """Decode and parse a record file's bytes for editing.

    Raises:
        EditError: undecodable, too large, or not readable as YAML.
    """
    if len(raw) > _core.MAX_BYTES:
        raise EditError(f"文件超过 {_core.MAX_BYTES // 1024} KB，不像一份记录，表单无法打开")
    try:
        text, encoding = _core.decode_bytes(raw)
    except _core.YamlFileError as exc:
        raise EditError(exc.message) from None
    text = text.lstrip("\ufeff")
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n")
    data, layout, exact = parse_text(text)
    if data is not None and not isinstance(data, CommentedMap):
        raise EditError("文件内容不是“键: 值”的形式，表单无法打开：请在“原文”里修改")
    return RecordText(data if data is not None else CommentedMap(), text, encoding, crlf, layout, exact, digest(raw))


def dump(record: RecordText) -> str:
    """The document's text (LF line endings), in the file's layout."""
    out = io.StringIO()
    _yaml(*record.layout).dump(record.data, out)
    return out.getvalue()


def encode(text: str, encoding: str, crlf: bool) -> bytes:
    """*text* as the file's bytes: its encoding (GBK written as GB 18030, its superset),
    its line endings, and its BOM."""
    if crlf:
        text = text.replace("\n", "\r\n")
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    if encoding == "gbk":
        return text.encode("gb18030")
    return text.encode(encoding)


def scalar(value: str, like: Any = None, quote: bool = False) -> Any:
    """The value to store for typed text: multi-line text as a ``|`` block, the quotes of
    the value it replaces (*like*) kept, or double quotes when *quote* (ID numbers, postcodes:
    other YAML readers would take their digits for a number)."""
    if "\n" in value:
        return LiteralScalarString(value if value.endswith("\n") else value + "\n")
    if isinstance(like, DoubleQuotedScalarString) or (quote and not isinstance(like, SingleQuotedScalarString)):
        return DoubleQuotedScalarString(value)
    if isinstance(like, SingleQuotedScalarString):
        return SingleQuotedScalarString(value)
    return value


def write_atomic(path: Path, data: bytes) -> None:
    """Replace *path* with *data* through a temporary file beside it and :func:`os.replace`,
    keeping the file's permissions.

    Raises:
        OutputError: the file cannot be written (open in another program on Windows, …).
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o600
        _core.replace_file(path, lambda fh: fh.write(data), mode=mode)
    except OSError as exc:
        raise _core.OutputError(f"无法保存 {path.name}：{exc.strerror or exc}（文件是否在别的程序里打开着？）") from exc


def write_new(folder: Path, stem: str, data: bytes) -> Path:
    """Write a new record file ``<stem>.yaml`` in *folder*, never replacing a file: when the
    name is taken, ``<stem>-2.yaml``, ``<stem>-3.yaml`` … The file is complete before it
    appears under its name (written beside it first, then linked or renamed in).

    Returns:
        The new file.

    Raises:
        OutputError: the folder cannot be written.
    """
    try:
        return _core.create_numbered_file(folder, stem, ".yaml", data)
    except FileExistsError as exc:
        raise _core.OutputError(f"{folder} 里同名的文件太多，无法新建 {stem}.yaml") from exc
    except OSError as exc:
        raise _core.OutputError(f"无法在 {folder} 新建记录：{exc.strerror or exc}") from exc


def new_map() -> CommentedMap:
    """An empty mapping to insert into a document."""
    return CommentedMap()


def new_seq(flow: bool = False) -> CommentedSeq:
    """An empty list to insert into a document (``[a, b]`` style when *flow*)."""
    seq = CommentedSeq()
    if flow:
        seq.fa.set_flow_style()
    return seq
