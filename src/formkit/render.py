"""Templates: finding them, checking them, and rendering one document from a context.

One Jinja environment serves every template: sandboxed (a template passed around by e-mail
cannot reach Python internals), autoescaping (``&``, ``<`` and ``>`` in values print as typed
instead of breaking the XML, design.md), ``StrictUndefined`` (a misspelt field is an error,
not a silent blank) and a ``finalize`` that prints None as ``""``.

docxtpl stays the template language, so a user's Word/WPS edit of a template keeps working.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from formkit.errors import OutputError, TemplateProblem

#: The template of each annex, by the short name formkit uses for it.
TEMPLATE_FILES = {
    "voucher": "附件1_慰问金发放凭证.docx",
    "roster": "附件2_实名制发放凭证汇总表.docx",
    "registration": "附件3_困难职工档案登记表.docx",
    "weekly": "附件4_企业工资拖欠情况周报表.docx",
}


_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_name(text: str, fallback: str = "未命名") -> str:
    """A file or folder name that Windows, macOS and Linux all accept.

    Replaces ``<>:"/\\|?*`` and control characters with ``_``, trims trailing dots and spaces,
    avoids the reserved device names (CON, NUL, COM1 …), keeps Chinese characters, and cuts
    the name to 120 characters.
    """
    name = _UNSAFE.sub("_", text).strip().rstrip(". ")
    if not name:
        name = fallback
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name[:120]


def _finalize(value: Any) -> Any:
    return "" if value is None else value


def make_environment() -> SandboxedEnvironment:
    """The Jinja environment every template renders in (sandboxed, autoescape, strict)."""
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, finalize=_finalize, keep_trailing_newline=True)


def default_template_dir() -> Path:
    """Where the shipped templates are.

    Looks, in order, at ``./templates`` (a checkout, or a user's own edited copies), the
    ``_templates`` folder packed into an installed wheel, and the repository's ``templates/``
    beside ``src/`` (an editable install run from elsewhere).

    Raises:
        TemplateProblem: none of them holds the four templates.
    """
    here = Path(__file__).resolve().parent
    candidates = [Path.cwd() / "templates", here / "_templates", here.parents[1] / "templates"]
    for folder in candidates:
        if all((folder / name).is_file() for name in TEMPLATE_FILES.values()):
            return folder
    raise TemplateProblem("找不到模板文件夹 templates/（应含附件1–4 的 .docx 模板）。请用 --templates 指定。")


class FormTemplate:
    """One annex template, checked once and rendered many times.

    Args:
        path: a .docx file with docxtpl tags.

    Raises:
        TemplateProblem: the file is missing, not a .docx (zip with word/document.xml), or
            its tags are not valid Jinja.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.env = make_environment()
        if not self.path.is_file():
            raise TemplateProblem(f"模板 {self.path} 不存在。")
        try:
            with zipfile.ZipFile(self.path) as zf:
                zf.getinfo("word/document.xml")
            self._bytes = self.path.read_bytes()
            probe = DocxTemplate(io.BytesIO(self._bytes))
            self.fields = frozenset(probe.get_undeclared_template_variables(jinja_env=self.env))
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise TemplateProblem(f"模板 {self.path.name} 不是有效的 Word .docx 文件（{type(exc).__name__}）。请用 Word 或 WPS 另存为 .docx。") from exc
        except TemplateError as exc:
            raise TemplateProblem(f"模板 {self.path.name} 的标签写法有误：{exc.message}") from exc

    def check_fields(self, known: set[str] | frozenset[str]) -> None:
        """Refuse a template that names a top-level field the context does not have.

        Raises:
            TemplateProblem: naming the unknown fields and the template, and listing the known ones.
        """
        unknown = sorted(self.fields - set(known))
        if unknown:
            raise TemplateProblem(
                f"模板 {self.path.name} 使用了记录中没有的字段：{'、'.join(unknown)}。"
                f"可用字段：{'、'.join(sorted(known))}（见 docs/templates.md）。"
            )

    def render(self, context: Mapping[str, Any]) -> bytes:
        """Render one document and return the .docx bytes.

        Raises:
            TemplateProblem: as :meth:`render_document`.
        """
        return document_bytes(self.render_document(context))

    def render_document(self, context: Mapping[str, Any]) -> DocxTemplate:
        """Render one document and return it, still in memory (for :class:`PrintFile`).

        Raises:
            TemplateProblem: the template names a nested field the context lacks, or tries
                something the sandbox forbids.
        """
        doc = DocxTemplate(io.BytesIO(self._bytes))
        try:
            doc.render(dict(context), jinja_env=self.env, autoescape=True)
        except SecurityError as exc:
            raise TemplateProblem(f"模板 {self.path.name} 试图访问不允许的内容，已拒绝：{exc}") from exc
        except UndefinedError as exc:
            raise TemplateProblem(f"模板 {self.path.name} 使用了记录中没有的字段：{exc.message}") from exc
        except TemplateError as exc:
            raise TemplateProblem(f"模板 {self.path.name} 无法填写：{exc.message}") from exc
        return doc


def document_bytes(doc: DocxTemplate) -> bytes:
    """The .docx bytes of a rendered document."""
    buffer = io.BytesIO()
    doc.docx.save(buffer)
    return buffer.getvalue()


class PrintFile:
    """One print file of many rendered documents of the same template, page after page.

    The bodies are concatenated into the first document, each following document starting
    on a new page (``w:pageBreakBefore`` on its first paragraph, so no blank page and no empty
    line is added). Time and memory are linear in the number of documents; docxcompose's
    append is quadratic (500 vouchers: 45 s, design.md), and is not needed for copies of one
    form, which share styles and page setup.

    Add each document after its own file has been written: the first one becomes the master
    and is changed by later additions.
    """

    def __init__(self) -> None:
        self._master: DocxTemplate | None = None
        self._end: Any = None
        self.count = 0

    def add(self, doc: DocxTemplate) -> None:
        """Append one rendered document (see :meth:`FormTemplate.render_document`)."""
        body = doc.docx.element.body
        children = [child for child in body if child.tag != qn("w:sectPr")]
        self.count += 1
        if self._master is None:
            self._master = doc
            self._end = body.find(qn("w:sectPr"))
            if self._end is None:
                self._end = body.makeelement(qn("w:sectPr"), {})
                body.append(self._end)
            return
        if children and children[0].tag == qn("w:p"):
            Paragraph(children[0], None).paragraph_format.page_break_before = True
        else:
            breaker = OxmlElement("w:p")
            run = OxmlElement("w:r")
            br = OxmlElement("w:br")
            br.set(qn("w:type"), "page")
            run.append(br)
            breaker.append(run)
            children.insert(0, breaker)
        for child in children:
            self._end.addprevious(child)

    def to_bytes(self) -> bytes:
        """The print file as .docx bytes.

        Raises:
            ValueError: no document was added.
        """
        if self._master is None:
            raise ValueError("empty print file")
        return document_bytes(self._master)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file beside it and an atomic rename.

    A reader never sees a half-written file; the file is readable by its owner only where
    the platform supports POSIX modes.

    Raises:
        OutputError: the folder cannot be created or written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".~", suffix=path.suffix + ".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if sys.platform != "win32":
                os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"无法写入 {path}：{exc.strerror or exc}") from exc
