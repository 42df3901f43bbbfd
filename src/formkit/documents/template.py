"""Templates: loading a docxtpl .docx once and rendering documents from contexts, fast."""

from __future__ import annotations

import contextlib
import copy
import io
import itertools
import queue
import re
import sys
import threading
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx.opc.oxml import parse_xml as opc_parse_xml
from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from formkit.documents.body import (
    _final_sectpr_start,
    _prefix_end,
    split_final_sectpr,
)
from formkit.documents.deflate import PrintPiece, compress_piece, deflated_member
from formkit.documents.fitting import FILTER as FIT_FILTER
from formkit.documents.fitting import fitted_size, mark_fitting
from formkit.documents.jinjawords import runtime_message
from formkit.documents.preflight import culprit, name_problems, note_problems, syntax_problems, tag_problem
from formkit.documents.sandbox import MAX_RANGE_STEPS, _range_budget, make_environment
from formkit.documents.shapes import Shape
from formkit.documents.steps import (
    _BODY_OPEN,
    _BODY_OPEN_B,
    _DOCPR_ID,
    _DOCXTPL,
    _JINJA_ANY,
    _TC_TAGS,
    _always_xml,
    _bare_tree,
    _grid_is_stable,
    _marked,
    _post_process,
)
from formkit.documents.templatefile import content_problem, file_problems
from formkit.documents.templatefile import default_template_dir as default_template_dir  # where callers found it
from formkit.documents.wordmarkup import flatten_docx
from formkit.documents.zipio import (
    DEFLATE_LEVEL,
    DOCUMENT_PART,
    ZipMember,
    read_members,
    zip_bytes,
)
from formkit.errors import Problem, TemplateProblem, os_reason

#: A body longer than this (characters) is rendered as a stream: deflated in a second
#: thread, segment by segment, while Jinja writes the next (a 1,000-row roster: 5 MB of XML).
STREAM_CHARS = 1 << 17
#: Jinja output pieces (about 250 characters each) per segment handed to the deflating
#: thread, at most: segments start at a quarter of this and double (the thread starts early,
#: and hands over seldom on a long document).
STREAM_BATCH = 512

_STRICT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


# --------------------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------------------


@dataclass
class RenderedDocument:
    """One rendered document.

    Attributes:
        members: its .docx parts in archive order (unchanged parts share the template's
            compressed bytes).
        body: the inner XML of its ``w:body`` (UTF-8: paragraphs, tables, the final
            ``w:sectPr``); None for a document rendered as a stream (see
            :data:`STREAM_CHARS`), which keeps only its pieces and ``sect``.
        level: zlib level of its pieces.
        pieces: the deflated prefix and rest of its body content (see
            :func:`split_first_paragraph`), shared by its document.xml and its print-file
            piece; None when the document was not made by the fast path.
    """

    members: list[ZipMember]
    body: bytes | None
    level: int = DEFLATE_LEVEL
    pieces: tuple[PrintPiece | None, PrintPiece, bytes] | None = None  # (prefix, rest, prefix XML)
    sect: bytes | None = None  # the final w:sectPr of a streamed document (body None)

    def final_sectpr(self) -> bytes:
        """The body's own final ``w:sectPr`` (b"" when it has none)."""
        if self.body is None:
            return self.sect or b""
        return split_final_sectpr(self.body)[1]

    def to_bytes(self) -> bytes:
        """The .docx bytes (deterministic, see :func:`zip_bytes`)."""
        return zip_bytes(self.members)


class _Prepared:
    """Everything about a template that does not depend on the record (built once).

    Attributes:
        fields: the top-level names the template uses (what docxtpl's
            ``get_undeclared_template_variables`` returns).
        always_xml: whether every rendering is well-formed XML whatever the values
            (:func:`_always_xml`); else each rendering needs checking.
        fallback: render with docxtpl itself (tags in footnotes or document properties).
    """

    def __init__(self, data: bytes, env: SandboxedEnvironment, level: int) -> None:
        self.level = level
        self.members = read_members(data, level)
        names = [m.name for m in self.members]
        probe = DocxTemplate(io.BytesIO(data))
        probe.init_docx()
        docx = probe.docx
        fitting = mark_fitting(docx.element.body)  # values that fit their cells (documents.fitting)
        source = probe.get_xml()
        patched = fitting.apply(_DOCXTPL.patch_xml(source))
        headers = []
        for uri in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI):
            for _, part in probe.get_headers_footers(uri):
                headers.append((str(part.partname).lstrip("/"), _DOCXTPL.patch_xml(probe.get_part_xml(part))))
        # docxtpl's get_undeclared_template_variables, without loading and patching again
        self.fields = frozenset(meta.find_undeclared_variables(env.parse(patched + "".join(x for _, x in headers))))
        self.fallback = DOCUMENT_PART not in names or _needs_docxtpl(docx)
        # document.xml as python-docx writes it, cut around an emptied body
        root = copy.deepcopy(docx._element)
        body = root.find(qn("w:body"))
        for child in list(body):
            body.remove(child)
        body.text = None
        whole = serialize_part_xml(root).decode("utf-8")
        found = list(re.finditer(r"<w:body(?:\s[^>]*)?/>", whole))
        opening = _BODY_OPEN.match(patched)
        if len(found) != 1 or opening is None:
            self.fallback = True
        if self.fallback:
            self.always_xml = False
            return
        assert opening is not None  # else fallback
        empty = found[0]
        self.head = (whole[: empty.start()] + empty.group(0)[:-2] + ">").encode("utf-8")
        self.tail = ("</w:body>" + whole[empty.end() :]).encode("utf-8")
        self.head_piece = compress_piece(self.head, level)
        self._tails: dict[bytes, PrintPiece] = {}
        self.body_open = opening.group(0)
        inner = "" if opening.group(1) else patched[opening.end() : patched.rindex("</w:body>")]
        raw_text = re.sub(r"<[^>]+>", "", source)
        self.fix_tables = bool(_TC_TAGS.search(raw_text)) or not _grid_is_stable(patched)
        # docxtpl puts each paragraph on a line of its own for its error line numbers and
        # takes the line breaks out again after rendering; without a line break in the
        # template there is nothing to take out (messages here do not quote line numbers).
        self.marked = "\n" in inner
        tree = env.parse(_marked(inner) if self.marked else inner)
        self.always_xml = _always_xml(tree)
        self.flat = self.always_xml and not _paragraphs_nest(patched)
        self.drawings = "docPr" in patched
        # paragraphs never nest, the output is always XML, no table to mend afterwards:
        # every post-processing step is local to a paragraph, so a body may be handled
        # in segments cut after a </w:p>
        self.streamable = self.flat and not self.fix_tables
        self.body = env.from_string(tree)
        self.document_index = names.index(DOCUMENT_PART)
        # headers and footers: compiled when they hold tags, else kept as they are
        self.parts: list[tuple[int, Any]] = []
        for name, xml in headers:
            if name in names and _JINJA_ANY.search(xml):
                part_tree = env.parse(_marked(xml))
                self.always_xml = self.always_xml and _always_xml(part_tree)
                self.parts.append((names.index(name), env.from_string(part_tree)))

    def tail_piece(self, sect: bytes) -> PrintPiece:
        """The final piece of a document.xml: section properties and the template's tail."""
        piece = self._tails.get(sect)
        if piece is None:
            piece = compress_piece(sect + self.tail, self.level, final=True)
            if len(self._tails) < 64:
                self._tails[sect] = piece
        return piece


def _paragraphs_nest(patched_body: str) -> bool:
    """Whether a paragraph of the template (Jinja tags taken out) holds another (a text box)."""
    tree = _bare_tree(patched_body)
    if tree is None:
        return True
    p = qn("w:p")
    return any(para.find(f".//{p}") is not None for para in tree.iter(p))


def _needs_docxtpl(docx: Any) -> bool:
    """Tags in footnotes or in the document properties: left to docxtpl itself."""
    for part in docx.part.package.parts:
        if part.content_type.endswith(".footnotes+xml"):
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            if _JINJA_ANY.search(re.sub(r"<[^>]+>", "", blob)):
                return True
    props = docx.core_properties
    return any(
        _JINJA_ANY.search(getattr(props, name) or "") for name in ("author", "comments", "identifier", "language", "subject", "title")
    )


def _number_drawings(body: bytes, counter: Iterator[int], prep: _Prepared) -> bytes:
    """docxtpl's renumbering of ``wp:docPr`` ids (1001, 1002, … in document order).

    Skipped without a drawing in the template: escaped values cannot make one."""
    if (prep.drawings or not prep.always_xml) and b"docPr" in body:
        body = _DOCPR_ID.sub(lambda m: m.group(1) + str(next(counter)).encode("ascii") + m.group(2), body)
    return body


class _BodyStream:
    """A body deflated segment by segment in a second thread (see ``_render_streaming``).

    ``feed`` takes rendered text in any pieces; whatever follows the last ``</w:p>`` waits
    for the next. ``finish`` handles the rest (which holds the final ``w:sectPr``) and
    returns the document. Used as a context manager, the thread ends however the
    rendering ends.
    """

    def __init__(self, template: FormTemplate, prep: _Prepared, counter: Iterator[int]) -> None:
        self.template = template
        self.prep = prep
        self.counter = counter
        self.carry = b""
        self.prefix: bytes | None = None
        self.prefix_piece: PrintPiece | None = None
        self.crc = 0
        self.size = 0
        self.packed: list[bytes] = []
        self.failed: BaseException | None = None
        self.queue: queue.Queue[bytes | None] = queue.Queue()
        self.taken = threading.Semaphore(0)
        self.packer = zlib.compressobj(template.level, zlib.DEFLATED, -15)
        self.thread = threading.Thread(target=self._deflate, name="formkit-deflate", daemon=True)

    def __enter__(self) -> _BodyStream:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()

    def _deflate(self) -> None:
        while True:
            segment = self.queue.get()
            self.taken.release()
            if segment is None:
                return
            if self.failed is None:
                try:
                    self.packed.append(self.packer.compress(segment))
                except BaseException as exc:  # MemoryError: reported by finish()
                    self.failed = exc

    def _hand_over(self, segment: bytes | None) -> None:
        """Give the thread a segment and wait until it has taken it.

        Waiting here (a moment: the thread takes the segment when it has deflated the one
        before) is what makes the two threads alternate without fighting over the GIL:
        the thread needs it only while this one waits, and gives it back on entering zlib.
        """
        self.queue.put(segment)
        self.taken.acquire()

    def _processed(self, data: bytes) -> bytes:
        data = _post_process(data, marked=self.prep.marked, flat=True)
        return _number_drawings(data, self.counter, self.prep)

    def _send(self, rest: bytes) -> None:
        if rest:
            self.size += len(rest)
            self.crc = zlib.crc32(rest, self.crc)  # here: in the thread it would need the GIL once more
            self._hand_over(rest)

    def _open(self, data: bytes, stop: int) -> bytes:
        """The body's first segment: split off its prefix (see split_first_paragraph)."""
        split = _prefix_end(data, 0, stop)
        self.prefix = data[:split]
        self.prefix_piece = compress_piece(self.prefix, self.template.level) if self.prefix else None
        return data[split:]

    def feed(self, text: str) -> None:
        data = self.carry + text.encode("utf-8")
        cut = data.rfind(b"</w:p>")
        if cut < 0:
            self.carry = data
            return
        cut += len(b"</w:p>")
        self.carry = data[cut:]
        segment = self._processed(data[:cut])
        del data
        if self.prefix is None:
            segment = self._open(segment, len(segment))
        self._send(segment)

    def finish(self) -> RenderedDocument:
        last = self._processed(self.carry)
        self.carry = b""
        cut = _final_sectpr_start(last)
        sect = last[cut:]
        last = last[:cut]
        if self.prefix is None:
            last = self._open(last, len(last))
        self._send(last)
        self._hand_over(None)
        self.thread.join()
        if self.failed is not None:
            raise self.failed
        self.packed.append(self.packer.flush(zlib.Z_SYNC_FLUSH))
        prep, level = self.prep, self.template.level
        rest_piece = PrintPiece(b"".join(self.packed), self.crc, self.size)
        assert self.prefix is not None
        stream = [prep.head_piece, *([self.prefix_piece] if self.prefix_piece else []), rest_piece, prep.tail_piece(sect)]
        members = list(prep.members)
        members[prep.document_index] = deflated_member(DOCUMENT_PART, stream)
        return RenderedDocument(members, None, level, (self.prefix_piece, rest_piece, self.prefix), sect)


class FormTemplate:
    """One annex template, checked once and rendered many times.

    The template-only work (loading, docxtpl's ``patch_xml``, Jinja compilation) is done on
    the first render and kept; a FormTemplate pickles as its path and bytes, so a process
    pool can receive one and prepare it once per process.

    Args:
        path: a .docx file with docxtpl tags.
        level: zlib level of the parts it writes; default :data:`DEFLATE_LEVEL`.
        names: the shape of the context and the form's label: every name of every tag is
            checked against it when the template is read (:meth:`check_names`).

    Raises:
        TemplateProblem: the file is missing, not a .docx (zip with word/document.xml), or
            its tags are not valid Jinja.
    """

    def __init__(self, path: Path, *, level: int | None = None, names: tuple[Shape, str] | None = None) -> None:
        self.path = Path(path)
        self.level = DEFLATE_LEVEL if level is None else level
        problems = file_problems(self.path)
        if problems:
            raise TemplateProblem(f"模板 {self.path.name} 不能用：", problems)
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise TemplateProblem(f"模板 {self.path.name} 无法读取：{os_reason(exc)}（文件可能正在 Word 或 WPS 里打开着）。") from exc
        self._setup(data, names)

    def _setup(self, data: bytes, names: tuple[Shape, str] | None = None) -> None:
        """Check the file, flatten Word's markup around the tags (:mod:`wordmarkup`), read each
        tag (:func:`syntax_problems`) and, given ``names`` (a shape and the form's label),
        check every name (:meth:`check_names`); then prepare the flattened bytes."""
        self.env = make_environment()
        self.env.filters[FIT_FILTER] = fitted_size
        self._bytes = data
        refused = content_problem(self.path, data)
        if refused is not None:
            raise TemplateProblem(f"模板 {self.path.name} 不能用：", [refused])
        broken = f"模板 {self.path.name} 不是有效的 Word .docx 文件（文件不完整或已损坏）。请用 Word 或 WPS 打开后另存为 .docx。"
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                zf.getinfo(DOCUMENT_PART)
            flat = flatten_docx(data)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, etree.LxmlError) as exc:
            raise TemplateProblem(broken) from exc
        self.tags = flat.tags
        found = syntax_problems(self.path, flat.tags, self.env, names[0] if names is not None else None)
        if names is not None and not found:
            found = self.check_names(*names)
        found = note_problems(self.path, flat.notes) + found
        self.notes = [p for p in found if not p.is_error]
        if any(p.is_error for p in found):
            raise TemplateProblem(f"模板 {self.path.name} 的标签有问题：", found)
        self._source = flat.data
        try:
            self._prepared = _Prepared(flat.data, self.env, self.level)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, etree.LxmlError) as exc:
            raise TemplateProblem(broken) from exc
        except TemplateError as exc:
            raise TemplateProblem(f"模板 {self.path.name} 的标签写法有误：{runtime_message(exc)}") from exc
        self.fields = self._prepared.fields
        self.uses_safe = any(re.search(r"\|\s*safe\b|autoescape", t.text) for t in flat.tags)

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "level": self.level, "data": self._bytes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.path = state["path"]
        self.level = state["level"]
        self._setup(state["data"])

    @property
    def data(self) -> bytes:
        """The template file's bytes (as read once, when the FormTemplate was made)."""
        return self._bytes

    def check_names(self, shape: Shape, label: str) -> list[Problem]:
        """Every name of every tag against ``shape``, in every branch and loop
        (:func:`formkit.documents.preflight.name_problems`); ``label`` names the form."""
        return name_problems(self.path, self.tags, shape, self.env, label)

    def check_fields(self, known: set[str] | frozenset[str]) -> None:
        """Refuse a template that names a top-level field the context does not have.

        Raises:
            TemplateProblem: each tag naming an unknown field, where it is and the closest
                known names.
        """
        problems = self.check_names(Shape.names(known), self.path.stem)
        if problems:
            raise TemplateProblem(f"模板 {self.path.name} 使用了记录中没有的字段（可用的字段见 docs/templates.md）：", problems)

    def _prepare(self) -> _Prepared:
        """The template's record-independent work (done once, when it was loaded)."""
        return self._prepared

    @contextlib.contextmanager
    def _rendering(self, context: Mapping[str, Any]) -> Iterator[None]:
        """Run one rendering under the range budget, turning its failures into TemplateProblem
        (in Chinese: :func:`formkit.documents.jinjawords.runtime_message`), at the tag that
        failed when it can be found (:func:`formkit.documents.preflight.culprit`)."""
        token = _range_budget.set([MAX_RANGE_STEPS])
        try:
            yield
        except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError, RecursionError, MemoryError) as exc:
            _range_budget.set([MAX_RANGE_STEPS])
            tag = culprit(self.tags, self.env, context, exc) if not isinstance(exc, MemoryError) else None
            problems = [tag_problem(self.path, tag, runtime_message(exc))] if tag is not None else []
            raise TemplateProblem(f"模板 {self.path.name} 无法填写：{runtime_message(exc)}。", problems) from exc
        finally:
            _range_budget.reset(token)

    def _jinja(self, template: Any, context: Mapping[str, Any]) -> bytes:
        with self._rendering(context):
            xml: str = template.render(context)
        return xml.encode("utf-8")

    def _well_formed(self, xml: bytes, what: str) -> None:
        """Refuse output that is not XML: Word would not open the document. (A ``|safe`` or
        ``{% autoescape false %}`` lets a value's ``<`` through; a block cut across paragraphs
        or cells leaves an element open.)"""
        try:
            etree.fromstring(xml, parser=_STRICT_PARSER)
        except etree.XMLSyntaxError as exc:
            why = (
                "模板里的 |safe 或 autoescape false 让值里的 < 或 & 成了 Word 的内容，请去掉"
                if self.uses_safe
                else "模板的 {% if %}、{% for %} 把段落或表格拆开了：开头和结尾要在同一段里，或各占一整段（{%p %}）、一整行（{%tr %}）"
            )
            raise TemplateProblem(f"模板 {self.path.name} 生成的{what}不是有效的 Word 内容：{why}。") from exc

    def render_fast(self, context: Mapping[str, Any]) -> RenderedDocument:
        """Render one document: its parts and its body XML (for print files).

        document.xml is stored as four deflate pieces in a row: the template's head (deflated
        once per template), the body's prefix and rest (see :func:`split_first_paragraph`;
        the same pieces serve the print file) and the final section properties with the
        template's tail (deflated once per distinct value).

        Raises:
            TemplateProblem: the template names a nested field the context lacks, or tries
                something the sandbox forbids.
        """
        prep = self._prepare()
        if prep.fallback:
            data = self.render_with_docxtpl(context)
            members = read_members(data, self.level)
            return RenderedDocument(members, _body_inner(_document_xml(members)), self.level)
        context = dict(context)
        counter = iter(range(1001, sys.maxsize))  # docPr ids, numbered as docxtpl does
        if prep.streamable:
            streamed = self._render_streaming(prep, context, counter)
            if isinstance(streamed, RenderedDocument):
                return self._with_parts(prep, context, streamed)
            text = streamed
        else:
            with self._rendering(context):
                text = prep.body.render(context)
        body = _post_process(text.encode("utf-8"), marked=prep.marked, flat=prep.flat)
        del text
        if not prep.always_xml:
            self._well_formed(prep.head + body + prep.tail, "正文")
        if prep.fix_tables:
            tree = _DOCXTPL.fix_tables(prep.body_open + body.decode("utf-8") + "</w:body>")
            body = _body_inner(etree.tostring(tree, encoding="UTF-8"))
        body = _number_drawings(body, counter, prep)
        cut = _final_sectpr_start(body)
        split = _prefix_end(body, 0, cut)
        prefix = body[:split]
        prefix_piece = compress_piece(prefix, self.level) if prefix else None
        rest_piece = compress_piece(memoryview(body)[split:cut], self.level)  # no copy of the body
        stream = [prep.head_piece, *([prefix_piece] if prefix_piece else []), rest_piece, prep.tail_piece(body[cut:])]
        members = list(prep.members)
        members[prep.document_index] = deflated_member(DOCUMENT_PART, stream)
        return self._with_parts(prep, context, RenderedDocument(members, body, self.level, (prefix_piece, rest_piece, prefix)))

    def _render_streaming(self, prep: _Prepared, context: dict[str, Any], counter: Iterator[int]) -> RenderedDocument | str:
        """Render a streamable template's body; a short one comes back as its text.

        Past :data:`STREAM_CHARS` characters the body is cut after a ``</w:p>`` into
        segments, each post-processed as the whole would be (every step is local to a
        paragraph here) and deflated in a second thread while the next is rendered: the
        same bytes as :meth:`render_fast` on the whole body (zlib's output does not depend
        on how its input is split), in memory that does not grow with the document.
        """
        with self._rendering(context):
            chunks = prep.body.generate(context)
            first: list[str] = []
            size = 0
            while size < STREAM_CHARS:
                batch = list(itertools.islice(chunks, 256))
                if not batch:
                    return "".join(first)
                first += batch
                size += sum(map(len, batch))
            with _BodyStream(self, prep, counter) as stream:
                stream.feed("".join(first))
                del first
                pieces = STREAM_BATCH // 4  # small segments first: the thread starts early
                while True:
                    batch = list(itertools.islice(chunks, pieces))
                    if not batch:
                        break
                    stream.feed("".join(batch))
                    pieces = min(2 * pieces, STREAM_BATCH)
                return stream.finish()

    def _with_parts(self, prep: _Prepared, context: dict[str, Any], doc: RenderedDocument) -> RenderedDocument:
        """The document with its headers and footers rendered (those holding tags)."""
        members = doc.members
        for index, template in prep.parts:
            xml = _post_process(self._jinja(template, context))
            if not prep.always_xml:
                self._well_formed(xml, "页眉或页脚")
            part = serialize_part_xml(opc_parse_xml(xml))  # type: ignore[arg-type]  # python-docx parses bytes as well as str
            members[index] = ZipMember.deflated(members[index].name, part, self.level)
        return doc

    def render(self, context: Mapping[str, Any]) -> bytes:
        """Render one document and return the .docx bytes.

        Raises:
            TemplateProblem: as :meth:`render_fast`.
        """
        return self.render_fast(context).to_bytes()

    def render_with_docxtpl(self, context: Mapping[str, Any]) -> bytes:
        """Render with ``DocxTemplate.render`` from scratch, as formkit did before issue 5.

        The reference the fast path is tested against, and the path of templates with tags
        in footnotes or document properties. Returns deterministic bytes (:func:`zip_bytes`).

        Raises:
            TemplateProblem: as :meth:`render_fast`.
        """
        doc = DocxTemplate(io.BytesIO(self._source))
        doc.init_docx()
        fitting = mark_fitting(doc.docx.element.body)  # as _Prepared does (documents.fitting)
        patch = doc.patch_xml
        doc.patch_xml = lambda xml: fitting.apply(patch(xml))  # this instance patches as docxtpl does, then fits
        with self._rendering(context):
            doc.render(dict(context), jinja_env=self.env, autoescape=True)
        return zip_bytes(read_members(document_bytes(doc), self.level))


def _document_xml(members: Sequence[ZipMember]) -> bytes:
    xml = next(m for m in members if m.name == DOCUMENT_PART)
    return zlib.decompress(xml.data, -15) if xml.method == zipfile.ZIP_DEFLATED else xml.data


def _body_inner(xml: bytes) -> bytes:
    """The inner XML of the (first) ``w:body`` element of ``xml``."""
    opening = _BODY_OPEN_B.search(xml)
    if opening is None or opening.group(1):
        return b""
    return xml[opening.end() : xml.rindex(b"</w:body>")]


def document_bytes(doc: DocxTemplate) -> bytes:
    """The .docx bytes of a docxtpl/python-docx document (as python-docx saves it)."""
    buffer = io.BytesIO()
    doc.docx.save(buffer)
    return buffer.getvalue()
