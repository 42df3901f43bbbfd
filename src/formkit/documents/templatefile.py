"""A template file as staff save it: the .docx to read, a .doc, .wps, .odt or .rtf beside it, Strict Open XML.

formkit reads the .docx of each template by its name. A clerk who edits it in WPS or an old
Word may save it as .doc (or .wps, .odt, .rtf) beside the old .docx: formkit would go on
with the old one and the edit would be lost without a word. So a copy in another format
where the .docx should be, or newer than the .docx beside it, is an error naming both files
with "请另存为 .docx（Word 文档）"; so is a .docx that is really another format inside (a
renamed .doc), or Word's Strict Open XML, which python-docx cannot read.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from formkit.domain import annexes
from formkit.errors import Problem, TemplateProblem

#: Other formats a template may be saved in by mistake, and their names in Word's and
#: WPS's "另存为" lists.
OTHER_FORMATS = {
    ".doc": "Word 97-2003 文档",
    ".wps": "WPS 文字文件",
    ".odt": "ODF 文本文档",
    ".rtf": "RTF 格式",
    ".docm": "启用宏的 Word 文档",
    ".dotx": "Word 模板",
    ".wpt": "WPS 文字模板",
}
SAVE_AS = "请在 Word 或 WPS 中打开它，另存为 .docx（保存类型选“Word 文档”），文件名不变"
STRICT = "在 Word 中打开它，另存为时选 Word 文档，不要选 Strict Open XML 文档"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_STRICT_NAMESPACES = (b"http://purl.oclc.org/ooxml/officeDocument/relationships", b"http://purl.oclc.org/ooxml/wordprocessingml/main")

FIELD = "文件"


def _others(path: Path) -> list[Path]:
    """Files beside ``path`` with its name and another format's extension (any case)."""
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return []
    return sorted(e for e in entries if e.stem == path.stem and e.suffix.lower() in OTHER_FORMATS and e.is_file())


def file_problems(path: Path) -> list[Problem]:
    """What is wrong with a template's file before it is read: missing (perhaps saved in
    another format instead), or another format's copy newer than it (the edit is there).

    Returns:
        Errors (each a Problem at ``path``, field 文件), [] when the .docx is there and newest.
    """
    others = _others(path)
    if not path.is_file():
        if others:
            other = others[0]
            return [
                Problem(
                    path,
                    0,
                    FIELD,
                    f"没有 {path.name}，只有 {other.name}（{OTHER_FORMATS[other.suffix.lower()]}）：formkit 只读 .docx",
                    f"{SAVE_AS}：{path.name}",
                )
            ]
        return [Problem(path, 0, FIELD, f"模板 {path.name} 不存在", "把它放进模板文件夹，文件名不变（各附件的文件名见 docs/templates.md）")]
    problems = []
    try:
        newest = path.stat().st_mtime
    except OSError:
        return []
    for other in others:
        try:
            newer = other.stat().st_mtime > newest
        except OSError:
            continue
        if newer:
            problems.append(
                Problem(
                    path,
                    0,
                    FIELD,
                    f"{other.name} 比 {path.name} 新：改动可能只在 {other.name} 里，而 formkit 只读 {path.name}",
                    f"{SAVE_AS}，替换 {path.name}；不再要的 {other.name} 请删去或移走",
                )
            )
    return problems


def content_problem(path: Path, data: bytes) -> Problem | None:
    """A .docx whose content is another format: a renamed .doc or .wps, an RTF, an
    OpenDocument text, or Strict Open XML (ISO/IEC 29500 Strict, which python-docx cannot
    read). None for anything else (a broken file is left to the reader's own message)."""
    if data.startswith(_OLE2):
        return Problem(path, 0, FIELD, f"{path.name} 其实是 Word 97-2003 或 WPS 格式（扩展名改成了 .docx）", SAVE_AS)
    if data.lstrip().startswith(b"{\\rtf"):
        return Problem(path, 0, FIELD, f"{path.name} 其实是 RTF 格式（扩展名改成了 .docx）", SAVE_AS)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and zf.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
                return Problem(path, 0, FIELD, f"{path.name} 其实是 ODF 文本文档（.odt）", SAVE_AS)
            rels = zf.read("_rels/.rels") if "_rels/.rels" in names else b""
            body = zf.read("word/document.xml")[:4096] if "word/document.xml" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return None
    if any(ns in rels or ns in body for ns in _STRICT_NAMESPACES):
        return Problem(path, 0, FIELD, f"{path.name} 是 Strict Open XML 文档（严格格式），formkit 读不了", STRICT)
    return None


def default_template_dir() -> Path:
    """Where the shipped templates are.

    Looks, in order, at ``./templates`` (a checkout, or a user's own edited copies), the
    ``_templates`` folder packed into an installed wheel, and the repository's ``templates/``
    beside ``src/`` (an editable install run from elsewhere). A folder counts when it holds
    each annex's template, as .docx or saved in another format (which reading it then
    refuses, :func:`file_problems`, rather than silently taking another folder's).

    Raises:
        TemplateProblem: none of them holds the four templates.
    """
    here = Path(__file__).resolve().parents[1]  # the formkit package
    candidates = [Path.cwd() / "templates", here / "_templates", here.parents[1] / "templates"]
    for folder in candidates:
        if all((folder / d.template).is_file() or _others(folder / d.template) for d in annexes.RENDERED):
            return folder
    raise TemplateProblem("找不到模板文件夹 templates/（应含附件1–4 的 .docx 模板）。请用 --templates 指定。")
