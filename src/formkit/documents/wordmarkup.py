"""Word's markup inside a tag flattened, so that each tag is whole in one run.

Word and LibreOffice cut what the clerk typed as ``{{ 姓名 }}`` into several runs (spell
check marks, bookmarks, revision ids, a change of font), and Word's editing features wrap
parts of it in more: a tracked insertion or deletion (track changes on), a hyperlink (typed
text that looks like an address), a smart tag, a field, a content control. docxtpl joins
runs by cutting the XML between ``</w:t>`` and the next ``<w:t>``, which leaves such a
wrapper open and the document broken. Here, once per template, in every paragraph of the
body, headers and footers that holds a tag:

- tracked changes are accepted (insertions kept, deletions dropped), with a warning; a
  paragraph or table row inserted or deleted as a revision is refused ("请在 Word 中接受所有
  修订后再保存"): accepting it means joining paragraphs or rows, which is Word's to do;
- a hyperlink, field, content control or smart tag that holds part of a tag, not all of it,
  is taken away (its text stays), with a warning for all but the smart tag;
- each tag's text is put whole into the run holding its first character (whose formatting
  the value takes, design.md), full-width delimiters and punctuation in ASCII
  (:func:`formkit.documents.tags.halfwidth`, with a warning);
- a page break in a paragraph that docxtpl removes with its ``{%p %}`` tag moves to the
  paragraph that follows (LibreOffice saves "page break before" as a break at the end of the
  previous paragraph).

Only paragraphs holding a tag (or a deleted one) change; a template without such markup
comes out byte for byte as it went in.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from formkit.documents.normalize import W_NS, order_properties
from formkit.documents.places import PART_NAMES, paragraph_places
from formkit.documents.tags import Span, docxtpl_letter, find_tags, halfwidth, shown

_W = "{" + W_NS + "}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
#: Content types of the parts whose tags are read, and of those only put in order.
_TAGGED_TYPES = ("document.main+xml", "template.main+xml", "document.macroEnabled.main+xml", ".header+xml", ".footer+xml")
_ORDERED_TYPES = (".styles+xml", ".numbering+xml")

#: Elements around runs inside a paragraph, and the warning given when one is taken away.
_WRAPPERS = {
    _W + "hyperlink": "标签的一部分在超链接里（Word 会把像网址、电话的文字自动变成链接）：已去掉这个链接",
    _W + "fldSimple": "标签的一部分在域里：已去掉这个域，只留下它显示的文字",
    _W + "sdtContent": "标签的一部分在内容控件里：已去掉这个内容控件",
    _W + "smartTag": "",
    _W + "customXml": "",
}
_INSERTED = (_W + "ins", _W + "moveTo")
_DELETED = (_W + "del", _W + "moveFrom")
_TAGGISH = re.compile("[{\uff5b][{\uff5b%\uff05#]|[%\uff05}\uff5d#][}\uff5d]")
_STRAY_CLOSE = re.compile("[}\uff5d][}\uff5d]|[%\uff05][}\uff5d]")
_BRACES = ("}", "\uff5d")
#: What a ``{%p``, ``{%tr`` or ``{%tc`` tag replaces, in words.
_UNITS = {"p": "段", "tr": "行", "tc": "格"}
_CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
ACCEPT_ALL = "请在 Word 中接受所有修订后再保存（审阅 → 接受 → 接受所有修订）"


@dataclass(frozen=True)
class Tag:
    """One tag of a template.

    Attributes:
        part: the part it is in (``word/document.xml``, ``word/footer1.xml``).
        where: where it is, in words (:func:`formkit.documents.places.paragraph_places`).
        shown: the tag as the clerk sees it in Word (the paragraph's text, revisions accepted).
        text: the tag as the prepared template holds it (ASCII delimiters and punctuation).
        dropped: docxtpl drops it (it shares a paragraph, row or cell with a ``{%p``,
            ``{%tr`` or ``{%tc`` tag that replaces the whole of it).
        broken: the tag does not close in its paragraph (refused with a note): it still
            counts when blocks are paired, so the ``{% endif %}`` after it is not blamed too.
    """

    part: str
    where: str
    shown: str
    text: str
    dropped: bool = False
    broken: bool = False


@dataclass(frozen=True)
class Note:
    """Something preparing a template found: a warning, or with ``error`` a refusal."""

    where: str
    tag: str
    message: str
    allowed: str = ""
    error: bool = False


@dataclass
class Flattened:
    """A template's .docx bytes with its tags flattened (:func:`flatten_docx`).

    Attributes:
        data: the .docx bytes to prepare (the input's own bytes when nothing changed).
        tags: every tag, part by part (the body first), in document order.
        notes: warnings and refusals, in document order.
    """

    data: bytes
    tags: list[Tag] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def flatten_docx(data: bytes) -> Flattened:
    """Flatten Word's markup around the tags of every part of a .docx, and put the
    properties of those parts and of the styles in Word's order.

    Raises:
        zipfile.BadZipFile, KeyError, etree.XMLSyntaxError: not a readable .docx.
    """
    result = Flattened(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        types = _content_types(zf.read("[Content_Types].xml"))
        changed: dict[str, bytes] = {}
        parts = sorted((n for n in zf.namelist() if n in types), key=lambda n: (n != "word/document.xml", n))
        for name in parts:
            tagged = types[name].endswith(_TAGGED_TYPES)
            if not tagged and not types[name].endswith(_ORDERED_TYPES):
                continue
            root = etree.fromstring(zf.read(name), _PARSER)
            dirty = _flatten_part(root, name, result) if tagged and root.tag in PART_NAMES else False
            if order_properties(root) or dirty:
                changed[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if changed:
            result.data = _rezip(zf, changed)
    return result


def _content_types(xml: bytes) -> dict[str, str]:
    """Part name (without the leading /) → content type, for the parts named in Overrides."""
    root = etree.fromstring(xml, _PARSER)
    return {o.get("PartName", "").lstrip("/"): o.get("ContentType", "") for o in root.iter(_CT + "Override")}


def _rezip(zf: zipfile.ZipFile, changed: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in zf.infolist():
            data = changed.get(info.filename)
            new.writestr(info, zf.read(info) if data is None else data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# --------------------------------------------------------------------------------------
# One part
# --------------------------------------------------------------------------------------


def _own(element: etree._Element, paragraph: etree._Element) -> bool:
    """Whether ``element`` belongs to ``paragraph`` itself (not to a text box inside it)."""
    return next(element.iterancestors(_W + "p"), None) is paragraph


def _atoms(paragraph: etree._Element) -> list[etree._Element]:
    """The paragraph's own ``w:t``, in order, deleted text left out."""
    return [t for t in paragraph.iter(_W + "t") if _own(t, paragraph) and not any(a.tag in _DELETED for a in _between(t, paragraph))]


def _between(element: etree._Element, paragraph: etree._Element) -> Iterator[etree._Element]:
    """The ancestors of ``element`` inside ``paragraph``, innermost first."""
    for ancestor in element.iterancestors():
        if ancestor is paragraph:
            return
        yield ancestor


def _flatten_part(root: etree._Element, name: str, result: Flattened) -> bool:
    places = paragraph_places(root)
    changed = False
    tags_of: dict[etree._Element, list[Tag]] = {}
    for paragraph in list(root.iter(_W + "p")):
        where = places.get(paragraph, "")
        tags, dirty = _flatten_paragraph(paragraph, name, where, result.notes)
        changed = changed or dirty
        if tags:
            tags_of[paragraph] = tags
    tags = [tag for paragraph_tags in tags_of.values() for tag in paragraph_tags]
    result.tags += _mark_dropped(tags_of, tags, result.notes)
    return _move_page_breaks(tags_of) or changed


def _flatten_paragraph(paragraph: etree._Element, part: str, where: str, notes: list[Note]) -> tuple[list[Tag], bool]:
    atoms = _atoms(paragraph)
    text = "".join(t.text or "" for t in atoms)
    spans = find_tags(text)
    deleted = "".join(d.text or "" for d in paragraph.iter(_W + "delText") if _own(d, paragraph))
    if not spans and not _TAGGISH.search(deleted):
        _stray_closers(text, [], where, notes)
        return [], False
    first = text[spans[0].start : spans[0].end] if spans else deleted.strip()
    if _revised_structure(paragraph):
        notes.append(Note(where, first, "这一段是修订（整段或整行被插入或删除），formkit 不能替 Word 接受", ACCEPT_ALL, error=True))
        written = [text[s.start : s.end] for s in spans if s.closed]
        return [Tag(part, where, t, halfwidth(t)[0]) for t in written], False  # still read, for the blocks around
    changed = False
    if _accept_revisions(paragraph):
        notes.append(Note(where, first, "这一段的标签里或旁边有修订（插入或删除）：已按接受修订处理", ACCEPT_ALL))
        atoms = _atoms(paragraph)
        text = "".join(t.text or "" for t in atoms)
        spans = find_tags(text)
        changed = True
    _stray_closers(text, spans, where, notes)
    starts = _starts(atoms)
    lengths = [len(t.text or "") for t in atoms]
    for span in spans:
        inside = [t for t, s in zip(atoms, starts) if s < span.end and s + len(t.text or "") > span.start]
        changed = _unwrap_around(inside, paragraph, where, text[span.start : span.end], notes) or changed
    tags: list[Tag] = []
    doomed: list[etree._Element] = []
    for span in reversed(spans):
        typed = text[span.start : span.end]
        if not span.closed:
            notes.append(_unclosed(where, typed, span))
            tags.append(Tag(part, where, typed, halfwidth(typed)[0], broken=True))
            continue
        fixed, slips = halfwidth(typed)
        if slips:
            notes.append(
                Note(where, typed, f"标签里有全角字符{shown(slips)}（中文输入法）：已按半角读作 {fixed}", f"请在模板里改成半角：{fixed}")
            )
        emptied = _rewrite(atoms, starts, lengths, span, fixed)
        if emptied is not None:
            changed = True
            doomed += emptied
        tags.append(Tag(part, where, typed, fixed))
    tags.reverse()
    _drop_empty(doomed)
    return tags, changed


def _starts(atoms: list[etree._Element]) -> list[int]:
    starts, pos = [], 0
    for t in atoms:
        starts.append(pos)
        pos += len(t.text or "")
    return starts


def _revised_structure(paragraph: etree._Element) -> bool:
    """A paragraph mark, or the table row or cell holding the paragraph, inserted or deleted
    as a tracked change."""
    mark = paragraph.find(f"{_W}pPr/{_W}rPr")
    if mark is not None and any(child.tag in _INSERTED + _DELETED for child in mark):
        return True
    for ancestor in paragraph.iterancestors(_W + "tr", _W + "tc"):
        props = ancestor.find(_W + ("trPr" if ancestor.tag == _W + "tr" else "tcPr"))
        names = ("ins", "del") if ancestor.tag == _W + "tr" else ("cellIns", "cellDel", "cellMerge")
        if props is not None and any(props.find(_W + n) is not None for n in names):
            return True
    return False


def _parent_tag(element: etree._Element) -> str:
    parent = element.getparent()
    return parent.tag if parent is not None else ""


def _accept_revisions(paragraph: etree._Element) -> bool:
    """Accept the paragraph's tracked insertions and deletions of text; True if there were any."""
    found = [e for e in paragraph.iter(*_INSERTED, *_DELETED) if _own(e, paragraph) and _parent_tag(e) != _W + "rPr"]
    for element in found:
        if element.getparent() is None:
            continue
        if element.tag in _DELETED:
            _remove(element)
        else:
            _unwrap(element, list(element))
    return bool(found)


def _unwrap_around(inside: list[etree._Element], paragraph: etree._Element, where: str, typed: str, notes: list[Note]) -> bool:
    """Take away each wrapper (and field) holding some of a tag's text but not all of it."""
    changed = False
    chains = [list(_between(t, paragraph)) for t in inside]
    wrappers = {w for chain in chains for w in chain if w.tag in _WRAPPERS}
    for wrapper in wrappers:
        if all(wrapper in chain for chain in chains):
            continue
        warning = _WRAPPERS[wrapper.tag]
        if warning:
            notes.append(Note(where, typed, warning))
        if wrapper.tag == _W + "sdtContent":
            holder = wrapper.getparent()
            if holder is not None:
                _unwrap(holder, list(wrapper))
        else:
            _unwrap(wrapper, [c for c in wrapper if c.tag not in (_W + "smartTagPr", _W + "customXmlPr")])
        changed = True
    fields = _fields(paragraph)
    ids = {fields.get(t) for t in inside}
    if len(ids) > 1:
        notes.append(Note(where, typed, _WRAPPERS[_W + "fldSimple"]))
        for number in sorted((i for i in ids if i is not None), reverse=True):  # later fields first: numbers stay
            _remove_field(paragraph, number)
        changed = True
    return changed


def _fields(paragraph: etree._Element) -> dict[etree._Element, int | None]:
    """Each ``w:t`` of the paragraph and the complex field whose result holds it (None: none)."""
    inside: dict[etree._Element, int | None] = {}
    stack: list[int] = []
    count = 0
    for element in paragraph.iter(_W + "fldChar", _W + "t"):
        if not _own(element, paragraph):
            continue
        if element.tag == _W + "t":
            inside[element] = stack[-1] if stack else None
            continue
        kind = element.get(_W + "fldCharType")
        if kind == "begin":
            count += 1
            stack.append(count)
        elif kind == "end" and stack:
            stack.pop()
    return inside


def _remove_field(paragraph: etree._Element, number: int) -> None:
    """Take field ``number`` (counted as :func:`_fields` does) away, keeping its result text:
    its begin, code, separate and end marks go."""
    stack: list[int] = []
    count = 0
    in_code = False
    doomed: list[etree._Element] = []
    for element in paragraph.iter(_W + "fldChar", _W + "instrText", _W + "t"):
        if not _own(element, paragraph):
            continue
        mine = bool(stack) and stack[-1] == number
        if element.tag == _W + "fldChar":
            kind = element.get(_W + "fldCharType")
            if kind == "begin":
                count += 1
                stack.append(count)
                mine = count == number
                in_code = mine or in_code
            elif kind == "separate" and mine:
                in_code = False
            elif kind == "end" and stack:
                stack.pop()
            if mine:
                doomed.append(element)
        elif mine and (in_code or element.tag == _W + "instrText"):
            doomed.append(element)
    for element in doomed:
        run = element.getparent()
        _remove(element)
        if run is not None and run.tag == _W + "r" and all(c.tag == _W + "rPr" for c in run):
            _remove(run)


def _rewrite(atoms: list[etree._Element], starts: list[int], lengths: list[int], span: Span, fixed: str) -> list[etree._Element] | None:
    """Put ``fixed`` whole into the atom holding the tag's first character and take the tag's
    other characters out of the atoms after it; return the atoms left empty.

    Spans are rewritten right to left: the text before ``span`` in every atom is still as
    ``starts`` and ``lengths`` counted it, whatever a later span changed after it. None when
    the tag was whole in one atom as ``fixed`` already.
    """
    touched = [i for i, (s, n) in enumerate(zip(starts, lengths)) if s < span.end and s + n > span.start]
    if not touched:
        return None
    first = touched[0]
    head, head_start = atoms[first], starts[first]
    current = head.text or ""
    if len(touched) == 1 and current[span.start - head_start : span.end - head_start] == fixed:
        return None
    after = current[span.end - head_start :] if span.end <= head_start + lengths[first] else ""
    head.text = current[: span.start - head_start] + fixed + after
    _preserve(head)
    emptied = []
    for i in touched[1:]:
        atom, start = atoms[i], starts[i]
        atom.text = (atom.text or "")[span.end - start :] if span.end < start + lengths[i] else ""
        _preserve(atom)
        if not atom.text:
            emptied.append(atom)
    return emptied


def _preserve(t: etree._Element) -> None:
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _drop_empty(emptied: list[etree._Element]) -> None:
    """Remove the ``w:t`` left empty by rewriting, and the runs left with nothing but properties."""
    for t in emptied:
        run = t.getparent()
        if t.text or run is None:
            continue
        _remove(t)
        if run.tag == _W + "r" and all(c.tag == _W + "rPr" for c in run):
            _remove(run)


def _remove(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _unwrap(element: etree._Element, children: list[etree._Element]) -> None:
    """Replace ``element`` by ``children`` (some of its descendants), in place."""
    parent = element.getparent()
    if parent is None:
        return
    index = parent.index(element)
    for child in children:
        holder = child.getparent()
        if holder is not None:
            holder.remove(child)
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)


def _unclosed(where: str, typed: str, span: Span) -> Note:
    closer = _CLOSERS[span.kind]
    wrong = [c for k, c in _CLOSERS.items() if k != span.kind and c in typed.replace("\uff5d", "}").replace("\uff05", "%")]
    if wrong:
        message = f"以 {span.kind} 开始的标签要以 {closer} 结束，这里写成了 {wrong[0]}"
    else:
        message = f"标签在这一段里没有结束：缺少 {closer}"
    return Note(where, typed.strip(), message, f"把标签写完整，如 {span.kind} … {closer}，整个标签在同一段里", error=True)


def _stray_closers(text: str, spans: list[Span], where: str, notes: list[Note]) -> None:
    """A ``}}`` or ``%}`` outside every tag: its opening half is missing, and it prints as typed;
    so does a single ``}`` right after a tag (``{{ 姓名 }}}``, a slip of the finger)."""
    masked = list(text)
    for span in spans:
        masked[span.start : span.end] = " " * (span.end - span.start)
    for found in _STRAY_CLOSE.finditer("".join(masked)):
        before = text[max(0, found.start() - 12) : found.end()]
        notes.append(Note(where, before, f"“{found.group(0)}”前面没有对应的开头，会原样印在表上", "补上开头的 {{ 或 {%，或删去它"))
    for span in spans:
        after = text[span.end : span.end + 1] if span.closed else ""
        if after and after in _BRACES and text[span.end + 1 : span.end + 2] not in _BRACES:
            typed = text[span.start : span.end]
            notes.append(
                Note(
                    where,
                    typed + after,
                    f"标签后面多了一个“{after}”，会原样印在表上（紧跟在填入的内容后面）",
                    f"删去多出的“{after}”：{typed}",
                )
            )


# --------------------------------------------------------------------------------------
# docxtpl's paragraph, row and cell tags
# --------------------------------------------------------------------------------------


def _unit(paragraph: etree._Element, letter: str) -> etree._Element:
    """The paragraph, row or cell a ``{%p``, ``{%tr`` or ``{%tc`` tag replaces."""
    if letter in ("tr", "tc"):
        found = next(paragraph.iterancestors(_W + letter), None)
        if found is not None:
            return found
    return paragraph


def _mark_dropped(tags_of: dict[etree._Element, list[Tag]], tags: list[Tag], notes: list[Note]) -> list[Tag]:
    """Tags that docxtpl drops: the others in a paragraph, row or cell replaced by its tag
    (a ``{{ … }}`` among them never prints: a warning)."""
    replaced: dict[etree._Element, Tag] = {}
    for paragraph, paragraph_tags in tags_of.items():
        for tag in paragraph_tags:
            letter = docxtpl_letter(tag.text)
            if letter in ("p", "tr", "tc"):
                replaced.setdefault(_unit(paragraph, letter), tag)
    if not replaced:
        return tags
    out = []
    for paragraph, paragraph_tags in tags_of.items():
        units = [paragraph, *paragraph.iterancestors(_W + "tr", _W + "tc")]
        for tag in paragraph_tags:
            keeper = next((replaced[u] for u in units if u in replaced), None)
            if keeper is None or keeper is tag:
                out.append(tag)
                continue
            out.append(Tag(tag.part, tag.where, tag.shown, tag.text, True, tag.broken))
            if tag.text.startswith("{{") and not docxtpl_letter(tag.text):
                unit = _UNITS[docxtpl_letter(keeper.text)]
                notes.append(
                    Note(
                        tag.where,
                        tag.shown.strip(),
                        f"和“{keeper.shown.strip()}”在同一{unit}：这一{unit}整个换成那个语句，这个标签印不出来",
                        f"把它移到别的{unit}（{keeper.shown.strip()} 要单独占一{unit}）",
                    )
                )
    return out


def _is_page_break(element: etree._Element) -> bool:
    if element.tag == _W + "br":
        return element.get(_W + "type") == "page"
    return element.get(_W + "val", "true") not in ("false", "0", "off")


def _move_page_breaks(tags_of: dict[etree._Element, list[Tag]]) -> bool:
    """A page break in a paragraph that a ``{%p`` tag replaces goes to the next paragraph
    kept, as "page break before" (LibreOffice saves that as a break at the end of the
    paragraph before, which docxtpl would drop with the tag)."""
    removed = {p for p, tags in tags_of.items() if any(docxtpl_letter(t.text) == "p" for t in tags)}
    changed = False
    for paragraph in removed:
        breaks = [b for b in paragraph.iter(_W + "br") if _own(b, paragraph) and _is_page_break(b)]
        before = paragraph.find(f"{_W}pPr/{_W}pageBreakBefore")
        if before is not None and _is_page_break(before):
            breaks.append(before)
        if not breaks:
            continue
        for element in breaks:
            run = element.getparent()
            _remove(element)
            if run is not None and run.tag == _W + "r" and all(c.tag == _W + "rPr" for c in run):
                _remove(run)
        target = _next_kept(paragraph, removed)
        if target is not None:
            props = target.find(_W + "pPr")
            if props is None:
                props = etree.Element(_W + "pPr")
                target.insert(0, props)
            old = props.find(_W + "pageBreakBefore")
            if old is not None:
                props.remove(old)
            props.append(etree.Element(_W + "pageBreakBefore"))  # put in order with the rest
        changed = True
    return changed


def _next_kept(paragraph: etree._Element, removed: set[etree._Element]) -> etree._Element | None:
    """The first paragraph after ``paragraph`` in its container that docxtpl keeps (inside a
    table that follows: the first paragraph of its first cell)."""
    for sibling in paragraph.itersiblings():
        if sibling.tag == _W + "p":
            if sibling not in removed:
                return sibling
        elif sibling.tag in (_W + "tbl", _W + "sdt"):
            return next((p for p in sibling.iter(_W + "p") if p not in removed), None)
    return None
