"""Make the corpus of edited templates: the shipped annex templates with one edit each, as
Word, WPS or a Chinese input method leave them (see README.md beside this script).

    python tests/data/edited-templates/make.py

Each file is the shipped template with its word/document.xml (and, for the hyperlink, its
relationships) changed the way Word writes such markup. Zip entries carry a fixed date, so
the files are the same bytes each time the script runs on the same shipped templates.
"""

from __future__ import annotations

import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE.parents[2] / "templates"
VOUCHER = "附件1_慰问金发放凭证.docx"
WEEKLY = "附件4_企业工资拖欠情况周报表.docx"
DATE = (2011, 12, 2, 9, 0, 0)
AUTHOR = 'w:author="林晓燕" w:date="2011-12-02T09:00:00Z"'
LINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def run_of(xml: str, text: str) -> tuple[str, str]:
    """The whole run holding ``text`` alone, and its run properties."""
    found = re.search(r"<w:r><w:rPr>((?:(?!</w:rPr>).)*)</w:rPr><w:t>" + re.escape(text) + "</w:t></w:r>", xml)
    assert found, f"{text} not found as a run of its own"
    return found.group(0), found.group(1)


def runs(rpr: str, *texts: str, attrs: str = "") -> str:
    return "".join(f'<w:r{attrs}><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{t}</w:t></w:r>' for t in texts)


def replace_run(text: str, build: Callable[[str], str]) -> Callable[[str], str]:
    """An edit of document.xml: the run holding ``text`` replaced by ``build(its rPr)``."""

    def edit(xml: str) -> str:
        whole, rpr = run_of(xml, text)
        return xml.replace(whole, build(rpr), 1)

    return edit


def word_splits(rpr: str) -> str:
    """{{ 姓名 }} as Word splits it: revision ids, spelling marks, a bookmark, a rendered page break."""
    return (
        f'<w:r w:rsidR="00A12B3C"><w:rPr>{rpr}</w:rPr><w:t xml:space="preserve">{{{{ </w:t></w:r>'
        '<w:proofErr w:type="spellStart"/><w:bookmarkStart w:id="0" w:name="_GoBack"/>'
        f'<w:r w:rsidR="00D4E5F6"><w:rPr>{rpr}</w:rPr><w:lastRenderedPageBreak/><w:t>姓</w:t></w:r>'
        f'<w:r w:rsidRPr="00D4E5F6"><w:rPr>{rpr}</w:rPr><w:t>名</w:t></w:r><w:bookmarkEnd w:id="0"/>'
        '<w:proofErr w:type="spellEnd"/>' + runs(rpr, " }}", attrs=' w:rsidR="00A12B3C"')
    )


def tracked_insertion(rpr: str) -> str:
    return runs(rpr, "{{ 姓") + f'<w:ins w:id="101" {AUTHOR}>' + runs(rpr, "名 }}") + "</w:ins>"


def tracked_deletion(rpr: str) -> str:
    deleted = f'<w:del w:id="102" {AUTHOR}><w:r><w:rPr>{rpr}</w:rPr><w:delText>明</w:delText></w:r></w:del>'
    return runs(rpr, "{{ 姓") + deleted + runs(rpr, "名 }}")


def hyperlink(rpr: str) -> str:
    """Word's AutoFormat made a link of what looked like a phone number, half the tag inside."""
    return f'<w:hyperlink r:id="rId90" w:history="1">{runs(rpr, "{{ 联系")}</w:hyperlink>' + runs(rpr, "电话 }}")


def smart_tag(rpr: str) -> str:
    tag = (
        '<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="PersonName">'
        '<w:smartTagPr><w:attr w:name="ProductID" w:val="姓名"/></w:smartTagPr>'
    )
    return tag + runs(rpr, "{{ 姓名") + "</w:smartTag>" + runs(rpr, " }}")


def with_link_relationship(rels: str) -> str:
    return rels.replace(
        "</Relationships>", f'<Relationship Id="rId90" Type="{LINK}" Target="tel:13906001234" TargetMode="External"/></Relationships>'
    )


def tracked_paragraph(xml: str) -> str:
    """The {%p if 案例说明 %} paragraph added while track changes was on (its mark inserted)."""
    mark = f'<w:ins w:id="103" {AUTHOR}/>'
    found = re.search(r"(<w:p><w:pPr>(?:(?!</w:pPr>).)*?<w:rPr>)((?:(?!</w:pPr>).)*</w:pPr><w:r>(?:(?!</w:r>).)*\{%p if 案例说明 %\})", xml)
    assert found
    return xml[: found.start()] + found.group(1) + mark + found.group(2) + xml[found.end() :]


#: name: (shipped template, edit of document.xml, edit of document.xml.rels or None)
CASES: dict[str, tuple[str, Callable[[str], str], Callable[[str], str] | None]] = {
    "word_splits": (VOUCHER, replace_run("{{ 姓名 }}", word_splits), None),
    "tracked_insertion": (VOUCHER, replace_run("{{ 姓名 }}", tracked_insertion), None),
    "tracked_deletion": (VOUCHER, replace_run("{{ 姓名 }}", tracked_deletion), None),
    "hyperlink": (VOUCHER, replace_run("{{ 联系电话 }}", hyperlink), with_link_relationship),
    "smart_tag": (VOUCHER, replace_run("{{ 姓名 }}", smart_tag), None),
    "fullwidth_braces": (VOUCHER, replace_run("{{ 姓名 }}", lambda rpr: runs(rpr, "｛｛ 姓名 ｝｝")), None),
    "fullwidth_bracket": (VOUCHER, replace_run("{{ 联系电话 }}", lambda rpr: runs(rpr, "{{ 联系电话|default（“—”） }}")), None),
    "unreached_misspelt": (
        VOUCHER,
        replace_run("{{ 档案编号 }}", lambda rpr: runs(rpr, "{{ 档案编号 }}{% if 档案状态 == “脱贫” %}（{{ 低保.起越 }}）{% endif %}")),
        None,
    ),
    "broken_tag": (VOUCHER, replace_run("{{ 姓名 }}", lambda rpr: runs(rpr, "{{ 姓名 }")), None),
    "worker_field": (
        VOUCHER,
        replace_run("{{ 姓名 }}", lambda rpr: runs(rpr, "{{ 姓名 }}（{{ 民族 }}）") + runs(rpr, "{{ 家庭住址 }}")),
        None,
    ),
    "tracked_paragraph": (WEEKLY, tracked_paragraph, None),
    "broken_block": (WEEKLY, replace_run("{%p if 案例说明 %}", lambda rpr: runs(rpr, "{%p if 案例说明 }")), None),
}


def strict(xml: bytes) -> bytes:
    """A part as Word's "Strict Open XML 文档" writes it: the ISO/IEC 29500 Strict namespaces."""
    for old, new in (
        (b"http://schemas.openxmlformats.org/wordprocessingml/2006/main", b"http://purl.oclc.org/ooxml/wordprocessingml/main"),
        (
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships",
        ),
    ):
        xml = xml.replace(old, new)
    return xml.replace(b"<w:document ", b'<w:document w:conformance="strict" ', 1)


def write(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, DATE), data, compress_type=zipfile.ZIP_DEFLATED)


def read(name: str) -> dict[str, bytes]:
    with zipfile.ZipFile(TEMPLATES / name) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def main() -> int:
    for case, (template, edit, rels) in CASES.items():
        members = read(template)
        members["word/document.xml"] = edit(members["word/document.xml"].decode("utf-8")).encode("utf-8")
        if rels is not None:
            name = "word/_rels/document.xml.rels"
            members[name] = rels(members[name].decode("utf-8")).encode("utf-8")
        write(HERE / f"{case}.docx", members)
    members = read(VOUCHER)
    write(HERE / "strict.docx", {n: strict(d) if n.endswith((".xml", ".rels")) else d for n, d in members.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
