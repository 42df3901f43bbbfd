"""Word-strictness check for .docx files, standing alone in formkit's tests.

Adapted from the team's ``shared/ooxml/validate.py`` (lxml only): OPC packaging (zip
structure, content types, relationships and their targets), the ISO/IEC 29500-4:2016
transitional schemas applied after markup compatibility (ECMA-376 Part 3) is resolved as Word
2010+ resolves it, ``w:rPr`` children in Word's fixed order (Office's own schema; ISO leaves
them in a choice), and a few rules Word enforces that no schema states (a table cell ends with
a paragraph, ``wp:docPr`` ids unique, every ``r:id`` resolves, ...).

The schemas are read from ``tests/data/ooxml`` (see its README.md: which files, where from);
nothing is written to disk and nothing is fetched. They are compiled once per process
(:func:`schemas`, about a second); a document then takes a few milliseconds.

Use::

    from ooxml_check import check_docx, errors
    problems = errors(check_docx(path))          # [] when Word would open it without a word

or from a shell, for a folder of output: ``python tests/ooxml_check.py OUT templates/``
(``--zips`` also checks every .docx inside the submission packets).

Markup compatibility is applied before the schema check: mc:AlternateContent resolved (first
Choice whose Requires are understood, else Fallback), namespaces Word understands beyond
ECMA-376 (w14, w15, wp14, ...) removed (not validated here), any other namespace removed only
if listed in mc:Ignorable in scope, otherwise reported (Word refuses non-ignorable unknown
namespaces).
"""

from __future__ import annotations

import collections
import functools
import io
import itertools
import posixpath
import re
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "ooxml"

# --------------------------------------------------------------------------- namespaces
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"

# ECMA-376 transitional namespaces that the loaded XSDs cover (validated, kept)
ECMA_NS = {
    W,
    R,
    MC,
    WP,
    XML_NS,
    XSI,
    CT_NS,
    REL_NS,
    CP,
    DC,
    DCTERMS,
    "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "http://schemas.openxmlformats.org/drawingml/2006/diagram",
    "http://schemas.openxmlformats.org/drawingml/2006/lockedCanvas",
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "http://schemas.openxmlformats.org/officeDocument/2006/customXml",
    "http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes",
    "urn:schemas-microsoft-com:vml",
    "urn:schemas-microsoft-com:office:office",
    "urn:schemas-microsoft-com:office:word",
    "http://schemas.openxmlformats.org/officeDocument/2006/bibliography",
}
# Namespaces Word 2010..365 understands but the ECMA XSDs do not cover: stripped, not validated.
OFFICE_EXT_NS = {
    "http://schemas.microsoft.com/office/word/2006/wordml",  # wne
    "http://schemas.microsoft.com/office/word/2010/wordml",  # w14
    "http://schemas.microsoft.com/office/word/2012/wordml",  # w15
    "http://schemas.microsoft.com/office/word/2015/wordml/symex",
    "http://schemas.microsoft.com/office/word/2016/wordml/cid",
    "http://schemas.microsoft.com/office/word/2018/wordml",
    "http://schemas.microsoft.com/office/word/2018/wordml/cex",
    "http://schemas.microsoft.com/office/word/2020/wordml/sdtdatahash",
    "http://schemas.microsoft.com/office/word/2023/wordml/word16du",
    "http://schemas.microsoft.com/office/word/2024/wordml/sdtformatlock",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingInk",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "http://schemas.microsoft.com/office/drawing/2010/main",
    "http://schemas.microsoft.com/office/drawing/2014/main",
    "http://schemas.microsoft.com/office/drawing/2016/ink",
    "http://schemas.microsoft.com/office/drawing/2017/model3d",
    "http://schemas.microsoft.com/office/2006/coverPageProps",
    "http://schemas.microsoft.com/office/2020/mipLabelMetadata",
    "http://schemas.microsoft.com/office/2019/extlst",
    "http://schemas.microsoft.com/office/mac/office/2008/main",
    "urn:schemas-microsoft-com:mac:vml",
    "http://schemas.microsoft.com/office/thememl/2012/main",
}
# extension points whose content model is xsd:any (unknown content is ignored by design)
EXT_POINTS = {"{http://schemas.openxmlformats.org/drawingml/2006/main}ext"}
UNDERSTOOD = ECMA_NS | OFFICE_EXT_NS

# --------------------------------------------------------------------------- content types / rel types
CT = {
    "document": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "template": "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "docm": "application/vnd.ms-word.document.macroEnabled.main+xml",
    "styles": "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml",
    "settings": "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml",
    "webSettings": "application/vnd.openxmlformats-officedocument.wordprocessingml.webSettings+xml",
    "fontTable": "application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml",
    "numbering": "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml",
    "footer": "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
    "header": "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
    "footnotes": "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
    "endnotes": "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml",
    "comments": "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml",
    "theme": "application/vnd.openxmlformats-officedocument.theme+xml",
    "core": "application/vnd.openxmlformats-package.core-properties+xml",
    "app": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    "custom": "application/vnd.openxmlformats-officedocument.custom-properties+xml",
    "rels": "application/vnd.openxmlformats-package.relationships+xml",
    "stylesWithEffects": "application/vnd.ms-word.stylesWithEffects+xml",
}
WML_CTS = {
    CT[k]
    for k in (
        "document",
        "template",
        "docm",
        "styles",
        "settings",
        "webSettings",
        "fontTable",
        "numbering",
        "footer",
        "header",
        "footnotes",
        "endnotes",
        "comments",
        "stylesWithEffects",
    )
}
OD = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
REL_EXPECT = {  # relationship type -> acceptable target content types
    OD + "officeDocument": {CT["document"], CT["template"], CT["docm"]},
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties": {CT["core"]},
    OD + "metadata/core-properties": {CT["core"]},
    OD + "extended-properties": {CT["app"]},
    OD + "custom-properties": {CT["custom"]},
    OD + "styles": {CT["styles"]},
    OD + "settings": {CT["settings"]},
    OD + "webSettings": {CT["webSettings"]},
    OD + "fontTable": {CT["fontTable"]},
    OD + "numbering": {CT["numbering"]},
    OD + "footer": {CT["footer"]},
    OD + "header": {CT["header"]},
    OD + "footnotes": {CT["footnotes"]},
    OD + "endnotes": {CT["endnotes"]},
    OD + "comments": {CT["comments"]},
    OD + "theme": {CT["theme"]},
}

# --------------------------------------------------------------------------- schemas
# Schema errors that Word-authored files produce: the ISO text is stricter than Word here.
KNOWN_XSD_DEVIATIONS = [
    # Word writes <w:zoom w:val="bestFit"/> without w:percent (python-docx default.docx, Word 2011)
    ("zoom", f"The attribute '{{{W}}}percent' is required but missing."),
]


def xsd_known_deviation(path: str, message: str) -> bool:
    return any(
        path.endswith(el) or (("}" + el + "'") in message and frag in message) for el, frag in KNOWN_XSD_DEVIATIONS if frag in message
    )


_XS = "{http://www.w3.org/2001/XMLSchema}"
_SCHEMA_PARSER = etree.XMLParser(no_network=True, resolve_entities=False)


def word_order_patch(wml: etree._ElementTree) -> etree._ElementTree:
    """ISO 29500 turned the run-property group EG_RPrBase into an unordered, repeatable choice;
    Office's own schema (Open XML SDK: CT_RPr is OneSequence, same element order) and Word keep
    the ECMA-376 1st-edition sequence. Rebuild that sequence (in place) so w:rPr children out of
    order (or repeated) are reported, as Word's parser sees them."""
    grp = next(g for g in wml.iter(_XS + "group") if g.get("name") == "EG_RPrBase")
    choice = grp.find(_XS + "choice")
    choice.tag = _XS + "sequence"
    for e in choice.findall(_XS + "element"):
        e.set("minOccurs", "0")
    for ref in wml.iter(_XS + "group"):
        if ref.get("ref") == "EG_RPrBase" and ref.get("maxOccurs") == "unbounded":
            del ref.attrib["maxOccurs"]
    return wml


class Schemas:
    """The compiled schemas, by content type of the part they validate.

    Args:
        xsd_dir: the folder laid out as ``tests/data/ooxml``.
        word_order: ``w:rPr`` children in Word's sequence (default), else ISO's unordered choice.
    """

    def __init__(self, xsd_dir: Path = SCHEMA_DIR, word_order: bool = True):
        self.dir = xsd_dir
        iso = xsd_dir / "ISO-IEC29500-4_2016"
        opc = xsd_dir / "ecma" / "fouth-edition"
        local = xsd_dir / "dc-local"

        def load(path: Path, patch=None) -> etree.XMLSchema:
            # parsed from the file, so that relative schemaLocations resolve beside it
            tree = etree.parse(str(path), _SCHEMA_PARSER)
            return etree.XMLSchema(patch(tree) if patch else tree)

        self.by_ct = {}
        wml = load(iso / "wml.xsd", word_order_patch if word_order else None)
        for ct in WML_CTS:
            self.by_ct[ct] = wml
        self.by_ct[CT["theme"]] = load(iso / "dml-main.xsd")
        self.by_ct[CT["app"]] = load(iso / "shared-documentPropertiesExtended.xsd")
        self.by_ct[CT["custom"]] = load(iso / "shared-documentPropertiesCustom.xsd")
        self.by_ct[CT["core"]] = load(local / "opc-coreProperties.xsd")
        self.by_ct[CT["rels"]] = load(opc / "opc-relationships.xsd")
        self.by_ct["application/vnd.openxmlformats-officedocument.customXmlProperties+xml"] = load(
            iso / "shared-customXmlDataProperties.xsd"
        )
        self.content_types = load(opc / "opc-contentTypes.xsd")


@functools.lru_cache(maxsize=2)
def schemas(word_order: bool = True) -> Schemas:
    """The schemas of ``tests/data/ooxml``, compiled once per process."""
    return Schemas(SCHEMA_DIR, word_order=word_order)


# --------------------------------------------------------------------------- findings
class Findings:
    def __init__(self, file: str):
        self.file = file
        self.items: list[dict] = []

    def add(self, severity, code, part, where, msg):
        self.items.append(dict(file=self.file, severity=severity, code=code, part=part, where=where, msg=msg))


def el_path(el) -> str:
    """/w:document[1]/w:body[1]/w:p[3] ... with prefixes from a fixed map."""
    prefixes = {
        W: "w",
        R: "r",
        MC: "mc",
        WP: "wp",
        W14: "w14",
        CP: "cp",
        DC: "dc",
        DCTERMS: "dcterms",
        CT_NS: "ct",
        REL_NS: "rel",
        "http://schemas.openxmlformats.org/drawingml/2006/main": "a",
    }
    parts = []
    while el is not None and isinstance(el.tag, str):
        q = etree.QName(el)
        pre = prefixes.get(q.namespace, f"{{{q.namespace}}}" if q.namespace else "")
        name = f"{pre}:{q.localname}" if pre and not pre.startswith("{") else f"{pre}{q.localname}"
        parent = el.getparent()
        if parent is not None:
            idx = 1 + sum(1 for s in el.itersiblings(preceding=True) if s.tag == el.tag)
            parts.append(f"{name}[{idx}]")
        else:
            parts.append(name)
        el = parent
    return "/" + "/".join(reversed(parts))


# --------------------------------------------------------------------------- MCE
def _prefixes_to_ns(el, value: str, f: Findings, part: str, attr: str) -> set[str]:
    out = set()
    for p in value.split():
        ns = el.nsmap.get(p)
        if ns is None:
            f.add("error", "mce-undeclared-prefix", part, el_path(el), f"mc:{attr} names prefix '{p}' that is not declared")
        else:
            out.add(ns)
    return out


_PLAIN_NS = frozenset(ECMA_NS - {MC})
_XMLNS_DECL = re.compile(rb"""\sxmlns(?::([A-Za-z_][\w.\-]*))?\s*=\s*(["'])(.*?)\2""")


def mce_needed(raw: bytes) -> bool:
    """Whether markup compatibility may have anything to do in this part: some namespace
    outside the plain ECMA-376 ones (or mc itself) is declared and its prefix is used (a
    search over the bytes, instead of a walk over every element in Python). A default
    namespace outside ECMA-376 always counts as used."""
    for m in _XMLNS_DECL.finditer(raw):
        prefix, uri = m.group(1), m.group(3).decode("utf-8", "replace")
        if uri in _PLAIN_NS:
            continue
        if prefix is None or re.search(rb"[<\s]" + re.escape(prefix) + rb":", raw):
            return True
    return False


def apply_mce(root, f: Findings, part: str):
    """Preprocess in place as Word 2010+ would (ECMA-376 Part 3)."""
    ign_attr = f"{{{MC}}}Ignorable"
    pc_attr = f"{{{MC}}}ProcessContent"
    mu_attr = f"{{{MC}}}MustUnderstand"

    def walk(el, ignorable: frozenset, process: frozenset):
        if el.get(ign_attr) is not None:
            ignorable = ignorable | _prefixes_to_ns(el, el.get(ign_attr), f, part, "Ignorable")
        if el.get(mu_attr) is not None:
            for ns in _prefixes_to_ns(el, el.get(mu_attr), f, part, "MustUnderstand"):
                if ns not in UNDERSTOOD:
                    f.add(
                        "error",
                        "mce-must-understand",
                        part,
                        el_path(el),
                        f"mc:MustUnderstand names namespace {ns} that Word does not understand",
                    )
        if el.get(pc_attr) is not None:
            names = set()
            for qn in el.get(pc_attr).split():
                if ":" in qn:
                    prefix, local = qn.split(":", 1)
                    names.add((el.nsmap.get(prefix), local))
            process = process | frozenset(names)
        # attributes
        for a in list(el.attrib):
            ns = etree.QName(a).namespace
            if ns is None or (ns in ECMA_NS and ns != MC):
                continue
            if ns == MC:
                if etree.QName(a).localname in ("Ignorable", "ProcessContent", "MustUnderstand", "PreserveElements", "PreserveAttributes"):
                    del el.attrib[a]
                continue
            if ns in OFFICE_EXT_NS:
                del el.attrib[a]
            elif ns in ignorable:
                del el.attrib[a]
            else:
                f.add(
                    "error",
                    "mce-unknown-attr-ns",
                    part,
                    el_path(el),
                    f"attribute {a} in a namespace Word does not know and not mc:Ignorable",
                )
                del el.attrib[a]
        if el.tag in EXT_POINTS:
            return
        # children
        for ch in list(el):
            if not isinstance(ch.tag, str):
                continue
            q = etree.QName(ch)
            if q.namespace == MC and q.localname == "AlternateContent":
                chosen = None
                for alt in ch:
                    if not isinstance(alt.tag, str):
                        continue
                    aq = etree.QName(alt)
                    if aq.localname == "Choice":
                        req = _prefixes_to_ns(alt, alt.get("Requires", ""), f, part, "Requires")
                        if req and req <= UNDERSTOOD:
                            chosen = alt
                            break
                    elif aq.localname == "Fallback":
                        chosen = alt
                        break
                idx = el.index(ch)
                el.remove(ch)
                if chosen is not None:
                    for i, g in enumerate(list(chosen)):
                        el.insert(idx + i, g)
                        walk(g, ignorable, process)
                continue
            if q.namespace in ECMA_NS:
                walk(ch, ignorable, process)
                continue
            if q.namespace in OFFICE_EXT_NS or q.namespace in ignorable:
                if (q.namespace, q.localname) in process or (q.namespace, "*") in process:
                    idx = el.index(ch)
                    el.remove(ch)
                    for i, g in enumerate(list(ch)):
                        el.insert(idx + i, g)
                        walk(g, ignorable, process)
                else:
                    el.remove(ch)
                continue
            f.add(
                "error",
                "mce-unknown-element-ns",
                part,
                el_path(ch),
                f"element {ch.tag} in a namespace Word does not know and not mc:Ignorable",
            )
            el.remove(ch)

    walk(root, frozenset(), frozenset())


# --------------------------------------------------------------------------- OPC helpers
def resolve_target(source_part: str, target: str) -> str:
    """source_part like '/word/document.xml' ('/' for package rels); returns '/word/styles.xml'."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        p = target
    else:
        base = posixpath.dirname(source_part) if source_part != "/" else "/"
        p = posixpath.join(base, target)
    return posixpath.normpath(p)


def rels_source(rels_name: str) -> str:
    """'word/_rels/document.xml.rels' -> '/word/document.xml'; '_rels/.rels' -> '/'."""
    d, b = posixpath.split(rels_name)
    parent = posixpath.dirname(d)
    src = posixpath.join(parent, b[: -len(".rels")])
    return "/" + src if src else "/"


PARTNAME_OK = re.compile(r"^(/[A-Za-z0-9\-._~!$&'()*+,;=:@%\[\]]+)+$")


# --------------------------------------------------------------------------- raw zip
def raw_zip_checks(data: bytes, f: Findings):
    """Byte-level ZIP checks that zipfile glosses over: EOCD, local vs central headers,
    overlaps, and that every deflate stream ends with a final block and nothing after it."""
    import struct
    import zlib

    eocd = data.rfind(b"PK\x05\x06")
    if eocd < 0:
        f.add("error", "zip-eocd", "", "", "no end-of-central-directory record")
        return
    (_, disk, cd_disk, n_disk, n_total, cd_size, cd_off, clen) = struct.unpack("<IHHHHIIH", data[eocd : eocd + 22])
    if disk or cd_disk or n_disk != n_total:
        f.add("error", "zip-multidisk", "", "", "multi-disk fields set")
    if eocd + 22 + clen != len(data):
        f.add("warning", "zip-trailing", "", "", f"{len(data) - eocd - 22 - clen} bytes after the EOCD comment")
    if cd_off + cd_size != eocd:
        f.add("error", "zip-cd-range", "", "", f"central directory {cd_off}+{cd_size} does not end at EOCD {eocd}")
    pos, spans, count = cd_off, [], 0
    while pos < cd_off + cd_size:
        if data[pos : pos + 4] != b"PK\x01\x02":
            f.add("error", "zip-cd-entry", "", "", f"bad central header signature at {pos}")
            return
        (_ver_made, _ver_need, flag, method, _mtime, _mdate, crc, csize, usize, nlen, xlen, cmlen, _dstart, _iattr, _eattr, loff) = (
            struct.unpack("<HHHHHHIIIHHHHHII", data[pos + 4 : pos + 46])
        )
        name = data[pos + 46 : pos + 46 + nlen]
        pos += 46 + nlen + xlen + cmlen
        count += 1
        nm = name.decode("utf-8" if flag & 0x800 else "cp437", "replace")
        part = "/" + nm
        if not name.isascii() and not flag & 0x800:
            f.add("error", "zip-name-encoding", part, "", "non-ASCII name without the UTF-8 flag")
        if data[loff : loff + 4] != b"PK\x03\x04":
            f.add("error", "zip-local-header", part, "", f"no local header at offset {loff}")
            continue
        (_l_ver, l_flag, l_method, _l_time, _l_date, l_crc, l_csize, l_usize, l_nlen, l_xlen) = struct.unpack(
            "<HHHHHIIIHH", data[loff + 4 : loff + 30]
        )
        l_name = data[loff + 30 : loff + 30 + l_nlen]
        if l_name != name:
            f.add("error", "zip-local-mismatch", part, "", f"local name {l_name!r} != central {name!r}")
        if l_method != method or (l_flag & ~0x8) != (flag & ~0x8):
            f.add("error", "zip-local-mismatch", part, "", "method/flags differ between local and central header")
        if not flag & 0x8 and (l_crc, l_csize, l_usize) != (crc, csize, usize):
            f.add(
                "error",
                "zip-local-mismatch",
                part,
                "",
                f"crc/sizes differ: local {(l_crc, l_csize, l_usize)} central {(crc, csize, usize)}",
            )
        start = loff + 30 + l_nlen + l_xlen
        end = start + csize + (16 if flag & 0x8 else 0)
        spans.append((loff, end, nm))
        body = data[start : start + csize]
        if method == 8:
            d = zlib.decompressobj(-15)
            try:
                out = d.decompress(body) + d.flush()
            except zlib.error as e:
                f.add("error", "zip-deflate", part, "", f"deflate error: {e}")
                continue
            if not d.eof:
                f.add("error", "zip-deflate-unterminated", part, "", "deflate stream has no final block")
            elif d.unused_data:
                f.add("error", "zip-deflate-trailing", part, "", f"{len(d.unused_data)} bytes after the final deflate block")
            if len(out) != usize:
                f.add("error", "zip-size", part, "", f"inflated {len(out)} bytes, header says {usize}")
            elif zlib.crc32(out) != crc:
                f.add("error", "zip-crc", part, "", "CRC mismatch")
        elif method == 0:
            if csize != usize:
                f.add("error", "zip-size", part, "", "stored entry with csize != usize")
            elif zlib.crc32(body) != crc:
                f.add("error", "zip-crc", part, "", "CRC mismatch")
    if count != n_total:
        f.add("error", "zip-count", "", "", f"EOCD says {n_total} entries, central directory has {count}")
    spans.sort()
    for (_a0, a1, an), (b0, _b1, bn) in itertools.pairwise(spans):
        if b0 < a1:
            f.add("error", "zip-overlap", "/" + bn, "", f"entry overlaps {an}")
    if spans and spans[0][0] != 0:
        f.add("warning", "zip-prefix", "", "", f"{spans[0][0]} bytes before the first entry")


# --------------------------------------------------------------------------- the check
def check_docx(path: str | Path, data: bytes | None = None, sch: Schemas | None = None) -> Findings:
    """Every finding about one .docx: ``path`` names it (and is read unless ``data`` is
    given); ``sch`` defaults to :func:`schemas` (Word's run-property order)."""
    f = Findings(str(path))
    if data is None:
        data = Path(path).read_bytes()
    if sch is None:
        sch = schemas()
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        f.add("error", "zip-bad", "", "", str(e))
        return f
    raw_zip_checks(data, f)
    infos = z.infolist()
    # ---- zip level
    names = [i.filename for i in infos]
    for n, c in collections.Counter(names).items():
        if c > 1:
            f.add("error", "zip-duplicate-entry", "/" + n, "", f"zip entry '{n}' appears {c} times")
    low = collections.defaultdict(list)
    for n in set(names):
        low[n.lower()].append(n)
    for _k, v in low.items():
        if len(v) > 1:
            f.add("error", "zip-case-duplicate", "/" + v[0], "", f"part names equal ignoring case: {v}")
    for i in infos:
        n = i.filename
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            f.add("error", "zip-compression", "/" + n, "", f"compression method {i.compress_type}")
        if i.flag_bits & 0x1:
            f.add("error", "zip-encrypted", "/" + n, "", "encrypted entry")
        if n.endswith("/"):
            f.add("warning", "zip-folder-entry", "/" + n, "", "folder entry in package (OPC has no folders)")
            continue
        if n.startswith("/") or "\\" in n or any(s in ("", ".", "..") for s in n.split("/")):
            f.add("error", "zip-name", "/" + n, "", f"invalid zip item name {n!r}")
        elif not n.isascii() or not PARTNAME_OK.match("/" + n):
            f.add("error", "opc-partname", "/" + n, "", f"not a valid OPC part name: {n!r}")
        if n.lower().endswith("/") or n.endswith("."):
            f.add("error", "opc-partname", "/" + n, "", "part name ends with '.' or '/'")
    parts = {"/" + n for n in names if not n.endswith("/")}
    parts_lower = {p.lower(): p for p in parts}

    # ---- content types
    ct_of: dict[str, str] = {}
    if "[Content_Types].xml" not in names:
        f.add("error", "opc-no-content-types", "/[Content_Types].xml", "", "missing [Content_Types].xml")
    else:
        try:
            ctdoc = etree.fromstring(z.read("[Content_Types].xml"))
        except etree.XMLSyntaxError as e:
            f.add("error", "xml-malformed", "/[Content_Types].xml", "", str(e))
            ctdoc = None
        if ctdoc is not None:
            if not sch.content_types.validate(ctdoc):
                for e in sch.content_types.error_log:
                    f.add("error", "xsd", "/[Content_Types].xml", e.path or "", e.message)
            defaults, overrides = {}, {}
            for d in ctdoc.iter(f"{{{CT_NS}}}Default"):
                ext = (d.get("Extension") or "").lower()
                if ext in defaults:
                    f.add("error", "ct-duplicate-default", "/[Content_Types].xml", el_path(d), f"Default Extension '{ext}' declared twice")
                defaults[ext] = d.get("ContentType")
            for o in ctdoc.iter(f"{{{CT_NS}}}Override"):
                pn = o.get("PartName") or ""
                key = unquote(pn).lower()
                if key in overrides:
                    f.add("error", "ct-duplicate-override", "/[Content_Types].xml", el_path(o), f"Override for '{pn}' declared twice")
                overrides[key] = o.get("ContentType")
                if key not in parts_lower:
                    f.add("warning", "ct-override-no-part", "/[Content_Types].xml", el_path(o), f"Override for '{pn}' but no such part")
            for p in parts:
                if p == "/[Content_Types].xml":
                    continue
                ct = overrides.get(p.lower())
                if ct is None:
                    ext = p.rsplit(".", 1)[-1].lower() if "." in posixpath.basename(p) else ""
                    ct = defaults.get(ext)
                if ct is None:
                    f.add("error", "ct-missing", p, "", "part has no content type (neither Override nor Default)")
                else:
                    ct_of[p] = ct
            if defaults.get("rels") not in (None, CT["rels"]):
                f.add("error", "ct-rels", "/[Content_Types].xml", "", f"rels Default is {defaults.get('rels')}")

    # ---- relationships
    rels_by_source: dict[str, dict[str, dict]] = {}
    reachable = {"/[Content_Types].xml"}
    for n in names:
        if not n.endswith(".rels"):
            continue
        p = "/" + n
        reachable.add(p)
        if "/_rels/" not in "/" + n and not n.startswith("_rels/"):
            f.add("error", "opc-rels-location", p, "", ".rels part not inside a _rels folder")
        if ct_of.get(p) not in (None, CT["rels"]):
            f.add("error", "ct-rels-part", p, "", f"relationships part has content type {ct_of.get(p)}")
        src = rels_source(n)
        if src != "/" and src not in parts:
            f.add("error", "opc-rels-orphan", p, "", f"relationships for a part that does not exist: {src}")
        try:
            rdoc = etree.fromstring(z.read(n))
        except etree.XMLSyntaxError as e:
            f.add("error", "xml-malformed", p, "", str(e))
            continue
        if not sch.by_ct[CT["rels"]].validate(rdoc):
            for e in sch.by_ct[CT["rels"]].error_log:
                f.add("error", "xsd", p, e.path or "", e.message)
        table = rels_by_source.setdefault(src, {})
        for r in rdoc.iter(f"{{{REL_NS}}}Relationship"):
            rid, typ, tgt, mode = r.get("Id"), r.get("Type"), r.get("Target", ""), r.get("TargetMode", "Internal")
            if rid in table:
                f.add("error", "rel-duplicate-id", p, el_path(r), f"Id {rid} used twice")
            table[rid] = dict(type=typ, target=tgt, mode=mode)
            if mode == "External":
                continue
            tp = resolve_target(src, tgt)
            table[rid]["part"] = tp
            if tp not in parts:
                alt = parts_lower.get(tp.lower())
                f.add(
                    "error",
                    "rel-target-missing",
                    p,
                    el_path(r),
                    f"{rid} ({typ.rsplit('/', 1)[-1]}) -> {tgt} -> {tp} does not exist" + (f" (case differs: {alt})" if alt else ""),
                )
                continue
            reachable.add(tp)
            exp = REL_EXPECT.get(typ)
            if exp and ct_of.get(tp) not in exp:
                f.add(
                    "error",
                    "rel-target-content-type",
                    p,
                    el_path(r),
                    f"{rid} type {typ.rsplit('/', 1)[-1]} targets {tp} whose content type is {ct_of.get(tp)}",
                )
    pkg = rels_by_source.get("/", {})
    main = [r for r in pkg.values() if r["type"] == OD + "officeDocument"]
    if len(main) != 1:
        f.add("error", "opc-main-document", "/_rels/.rels", "", f"{len(main)} officeDocument relationships")
    core = [r for r in pkg.values() if r["type"].endswith("/metadata/core-properties")]
    if len(core) > 1:
        f.add("error", "opc-core-props", "/_rels/.rels", "", "more than one core-properties relationship")
    # a part type that may appear only once per source
    for src, table in rels_by_source.items():
        cnt = collections.Counter(
            r["type"]
            for r in table.values()
            if r["type"].rsplit("/", 1)[-1]
            in ("styles", "settings", "fontTable", "numbering", "theme", "webSettings", "footnotes", "endnotes", "comments")
        )
        for t, c in cnt.items():
            if c > 1:
                f.add("error", "rel-duplicate-type", src, "", f"{c} relationships of type {t}")
    for p in parts - reachable:
        f.add("warning", "opc-unreachable-part", p, "", "part not reached by any relationship")

    # ---- XML parts: well-formedness, MCE, XSD, Word rules
    docs = {}
    for p in sorted(parts):
        if p.endswith(".rels") or p == "/[Content_Types].xml":
            continue
        ct = ct_of.get(p, "")
        if not (ct.endswith("+xml") or ct.endswith("/xml")):
            continue
        raw = z.read(p[1:])
        head = raw[:200].lstrip(b"\xef\xbb\xbf")
        m = re.match(rb"<\?xml[^>]*encoding=['\"]([^'\"]+)", head)
        if m and m.group(1).lower() not in (b"utf-8", b"utf-16"):
            f.add("error", "xml-encoding", p, "", f"encoding {m.group(1).decode()} (OPC: UTF-8 or UTF-16 only)")
        if b"<!DOCTYPE" in raw[:2000]:
            f.add("error", "xml-dtd", p, "", "DOCTYPE in a part (OPC forbids DTDs)")
        try:
            root = etree.fromstring(raw, parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
        except etree.XMLSyntaxError as e:
            f.add("error", "xml-malformed", p, "", str(e))
            continue
        docs[p] = (ct, root)
        if ct == CT["core"]:
            core_rules(root, f, p)
        schema = sch.by_ct.get(ct)
        if schema is None:
            f.add("info", "xsd-not-checked", p, "", f"no schema loaded for {ct}")
            continue
        if mce_needed(raw):
            work = etree.fromstring(raw, parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
            apply_mce(work, f, p)
        else:
            work = root  # nothing to resolve: validate the tree as parsed
        if not schema.validate(work):
            seen = 0
            for e in schema.error_log:
                seen += 1
                if seen > 500:
                    f.add("error", "xsd", p, "", "... more schema errors cut")
                    break
                if xsd_known_deviation(e.path or "", e.message):
                    f.add("info", "xsd-known-word-deviation", p, e.path or f"line {e.line}", e.message)
                else:
                    f.add("error", "xsd", p, e.path or f"line {e.line}", e.message)
        if ct in WML_CTS:
            word_rules(root, f, p, rels_by_source.get(p, {}), ct)
    cross_part_rules(docs, f, rels_by_source)
    return f


def core_rules(root, f: Findings, p: str):
    """OPC Part 2 §8.3.3 (core properties) constraints beyond the XSD."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for a in el.attrib:
            if etree.QName(a).namespace == MC:
                f.add("error", "core-mc", p, el_path(el), "markup compatibility used in core properties")
        q = etree.QName(el)
        if q.namespace == DCTERMS and q.localname in ("created", "modified"):
            if el.get(f"{{{XSI}}}type") is None:
                f.add("error", "core-w3cdtf", p, el_path(el), "dcterms date without xsi:type=dcterms:W3CDTF")
        if el is not root and len(el):
            f.add("error", "core-refinement", p, el_path(el), "core property with child elements")


def _wt(tag):
    return f"{{{W}}}{tag}"


_R_ATTRS = etree.XPath("//@r:*", namespaces={"r": R})
_W14_IDS = etree.XPath("//@w14:paraId | //@w14:textId", namespaces={"w14": W14})


def _grouped(root, tag: str, container: str) -> dict:
    """Elements ``tag`` grouped by their nearest ``container`` ancestor (rows by table, cells
    by row), in document order; one pass over ``tag`` elements."""
    out: dict = collections.defaultdict(list)
    for el in root.iter(tag):
        a = el.getparent()
        while a is not None and a.tag != container:
            a = a.getparent()
        out[a].append(el)
    return out


def word_rules(root, f: Findings, p: str, rels: dict, ct: str):
    """Things Word rejects (or repairs) that the transitional XSD lets through."""
    # r:* attributes must name an existing relationship of this part
    for attr in _R_ATTRS(root):
        el, v = attr.getparent(), str(attr)
        name = etree.QName(attr.attrname).localname
        if v not in rels:
            f.add("error", "rid-missing", p, el_path(el), f"r:{name}='{v}' has no relationship in this part")
        else:
            loc = etree.QName(el).localname
            typ = rels[v]["type"].rsplit("/", 1)[-1]
            want = {"headerReference": "header", "footerReference": "footer", "hyperlink": "hyperlink"}.get(loc)
            if want and typ != want:
                f.add("error", "rid-wrong-type", p, el_path(el), f"{loc} r:id={v} points to a '{typ}' relationship")
    tbl_tag, tr_tag, tc_tag, tcpr_tag = _wt("tbl"), _wt("tr"), _wt("tc"), _wt("tcPr")
    grid_span, v_merge = f"{tcpr_tag}/{_wt('gridSpan')}", f"{tcpr_tag}/{_wt('vMerge')}"
    rows_of = _grouped(root, tr_tag, tbl_tag)
    cells_of = _grouped(root, tc_tag, tr_tag)

    def span_of(tc) -> int:
        gs = tc.find(grid_span)
        return int(gs.get(_wt("val"), "1")) if gs is not None else 1

    def grid_before_after(tr) -> tuple[int, int]:
        tpr = tr.find(_wt("trPr"))
        if tpr is None:
            return 0, 0
        gb, ga = tpr.find(_wt("gridBefore")), tpr.find(_wt("gridAfter"))
        return (int(gb.get(_wt("val"), "0")) if gb is not None else 0, int(ga.get(_wt("val"), "0")) if ga is not None else 0)

    # tables
    for tbl in root.iter(tbl_tag):
        rows = rows_of.get(tbl, [])
        if not rows:
            f.add("error", "tbl-no-rows", p, el_path(tbl), "table without any w:tr (Word: unreadable content)")
        grid = tbl.find(_wt("tblGrid"))
        ncols = len(grid.findall(_wt("gridCol"))) if grid is not None else 0
        above = {}  # vertical merges: a continuation cell needs a cell above it in the same grid columns
        for tr in rows:
            cells = cells_of.get(tr, [])
            before, after = grid_before_after(tr)
            if not cells:
                f.add("error", "tr-no-cells", p, el_path(tr), "table row without any w:tc")
            else:
                span = sum(span_of(tc) for tc in cells)
                if ncols and before + span + after != ncols:
                    f.add(
                        "warning",
                        "tr-grid-mismatch",
                        p,
                        el_path(tr),
                        f"row spans {before}+{span}+{after} grid columns, tblGrid has {ncols}",
                    )
            col, here = before, {}
            for tc in cells:
                span = span_of(tc)
                vm = tc.find(v_merge)
                state = None if vm is None else (vm.get(_wt("val")) or "continue")
                if state == "continue" and above.get((col, span)) is None:
                    f.add(
                        "warning",
                        "vmerge-orphan",
                        p,
                        el_path(tc),
                        f"vMerge continue at grid column {col} (span {span}) with no merged cell above",
                    )
                here[(col, span)] = state
                col += span
            above = {k: v for k, v in here.items() if v in ("restart", "continue")}
    for tc in root.iter(tc_tag):
        # last block-level child must be a paragraph
        last = None
        for c in reversed(tc):
            if isinstance(c.tag, str) and c.tag != tcpr_tag:
                last = c
                break
        if last is None or last.tag != _wt("p"):
            # an sdt/customXml wrapping a final paragraph is fine
            if last is None or not (last.tag in (_wt("sdt"), _wt("customXml")) and _last_block_is_p(last)):
                f.add("error", "tc-last-not-p", p, el_path(tc), "table cell whose last block is not a w:p (Word: unreadable content)")
    # complex fields balanced per part
    state = []
    for fc in root.iter(_wt("fldChar")):
        t = fc.get(_wt("fldCharType"))
        if t == "begin":
            state.append("begin")
        elif t == "separate":
            if not state or state[-1] != "begin":
                f.add("warning", "fld-unbalanced", p, el_path(fc), "fldChar separate without begin")
            else:
                state[-1] = "separate"
        elif t == "end":
            if not state:
                f.add("warning", "fld-unbalanced", p, el_path(fc), "fldChar end without begin")
            else:
                state.pop()
    if state:
        f.add("warning", "fld-unbalanced", p, "", f"{len(state)} complex field(s) not closed")
    # text: newlines / tabs / other control chars inside w:t (Word shows them as spaces)
    preserve = f"{{{XML_NS}}}space"
    for t in root.iter(_wt("t"), _wt("instrText")):
        s = t.text or ""
        if not s:
            continue
        if "\n" in s or "\r" in s or "\t" in s:
            f.add("warning", "t-control-char", p, el_path(t), f"literal newline/tab in {etree.QName(t).localname}: {s[:40]!r}")
        if (s[0] == " " or s[-1] == " ") and t.get(preserve) != "preserve":
            f.add("info", "t-space-lost", p, el_path(t), f"leading/trailing space without xml:space=preserve: {s[:40]!r}")
    # w14:paraId / textId (Word: must be < 0x80000000)
    for attr in _W14_IDS(root):
        el, v, a = attr.getparent(), str(attr), etree.QName(attr.attrname).localname
        try:
            if int(v, 16) >= 0x80000000:
                f.add("error", "w14-id-range", p, el_path(el), f"w14:{a}={v} >= 0x80000000")
        except ValueError:
            f.add("error", "w14-id-range", p, el_path(el), f"w14:{a}={v} not hex")


def _last_block_is_p(el):
    content = el.find(_wt("sdtContent")) if el.tag == _wt("sdt") else el
    if content is None:
        return False
    kids = [c for c in content if isinstance(c.tag, str) and c.tag not in (_wt("customXmlPr"),)]
    return bool(kids) and (kids[-1].tag == _wt("p") or (kids[-1].tag in (_wt("sdt"), _wt("customXml")) and _last_block_is_p(kids[-1])))


def cross_part_rules(docs: dict, f: Findings, rels_by_source: dict):
    """Ids that must be unique or resolve across the story parts."""
    styles = {}
    for p, (ct, root) in docs.items():
        if ct == CT["styles"]:
            for s in root.iter(_wt("style")):
                styles.setdefault(s.get(_wt("type")), set()).add(s.get(_wt("styleId")))
            ids = collections.Counter(s.get(_wt("styleId")) for s in root.iter(_wt("style")))
            for sid, c in ids.items():
                if c > 1:
                    f.add("warning", "style-duplicate-id", p, "", f"styleId {sid} defined {c} times")
            defaults = collections.Counter(
                s.get(_wt("type")) for s in root.iter(_wt("style")) if s.get(_wt("default")) in ("1", "true", "on")
            )
            for t, c in defaults.items():
                if c > 1:
                    f.add("warning", "style-two-defaults", p, "", f"{c} default styles of type {t}")
    nums = set()
    for _part, (ct, root) in docs.items():
        if ct == CT["numbering"]:
            nums = {n.get(_wt("numId")) for n in root.iter(_wt("num"))}
    docpr = collections.defaultdict(list)
    bookmarks = collections.defaultdict(list)
    for p, (ct, root) in docs.items():
        if ct not in (CT["document"], CT["header"], CT["footer"], CT["footnotes"], CT["endnotes"], CT["comments"]):
            continue
        for kind, tag in (("paragraph", "pStyle"), ("character", "rStyle"), ("table", "tblStyle")):
            for el in root.iter(_wt(tag)):
                v = el.get(_wt("val"))
                if styles and v not in styles.get(kind, set()):
                    f.add("info", "style-missing", p, el_path(el), f"{tag} '{v}' not defined in styles.xml")
        for el in root.iter(_wt("numId")):
            v = el.get(_wt("val"))
            if v != "0" and v not in nums:
                f.add("warning", "numid-missing", p, el_path(el), f"numId {v} not in numbering.xml")
        for el in root.iter(f"{{{WP}}}docPr"):
            docpr[el.get("id")].append((p, el_path(el)))
        for el in root.iter(_wt("bookmarkStart")):
            bookmarks[el.get(_wt("name"))].append((p, el_path(el)))
    for i, where in docpr.items():
        if len(where) > 1:
            f.add("error", "docpr-duplicate-id", where[0][0], where[0][1], f"wp:docPr id={i} used {len(where)} times")
    for n, where in bookmarks.items():
        if len(where) > 1 and n != "_GoBack":
            f.add("warning", "bookmark-duplicate-name", where[0][0], where[0][1], f"bookmark name '{n}' used {len(where)} times")


# --------------------------------------------------------------------------- driver
def errors(findings: Findings | list) -> list[dict]:
    """The findings of severity 'error' (what makes Word refuse or repair the file)."""
    items = findings.items if isinstance(findings, Findings) else findings
    return [i for i in items if i["severity"] == "error"]


def describe(items: list[dict], limit: int = 20) -> str:
    """Findings one per line, for an assertion message."""
    out = [f"{i['file']} {i['part']} {i['where']}: [{i['code']}] {i['msg']}" for i in items[:limit]]
    if len(items) > limit:
        out.append(f"... and {len(items) - limit} more")
    return "\n".join(out)


def iter_docx(paths, zips: bool = False):
    """(name, bytes) of every .docx under ``paths`` (files or folders, recursive), and with
    ``zips`` of every .docx inside a .zip there too (named ``packet.zip!/inner.docx``)."""
    for p in map(Path, paths):
        files = sorted(p.rglob("*.docx")) + (sorted(p.rglob("*.zip")) if zips else []) if p.is_dir() else [p]
        for fp in files:
            if fp.suffix.lower() == ".zip":
                with zipfile.ZipFile(fp) as outer:
                    for n in outer.namelist():
                        if n.lower().endswith(".docx"):
                            yield f"{fp}!/{n}", outer.read(n)
            else:
                yield str(fp), fp.read_bytes()


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("paths", nargs="+", help=".docx files or folders (recursive)")
    ap.add_argument("--zips", action="store_true", help="also check every .docx inside *.zip packets")
    ap.add_argument(
        "--iso-order", action="store_true", help="validate w:rPr with the ISO 29500 (unordered) model instead of Word's sequence"
    )
    ap.add_argument("-w", "--warnings", action="store_true", help="also list warnings and notes")
    a = ap.parse_args(argv)
    sch = schemas(word_order=not a.iso_order)
    n, bad = 0, 0
    for name, data in iter_docx(a.paths, a.zips):
        n += 1
        items = check_docx(name, data, sch).items
        shown = items if a.warnings else errors(items)
        bad += bool(errors(items))
        if shown:
            print(describe(shown, limit=50))
    print(f"{n} files checked, {bad} with errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
