"""Submission packets: what each unit sends to the 市总工会法律与保障部 (通知四.3).

The notice says who sends what (§四.3): 各产业工会 send the 慰问金发放凭证 (附件1), the
中央财政帮扶专项资金实名制发放凭证汇总表 (附件2) and the 两节送温暖活动小结; 各区工会 send only
the 汇总表 and the 小结 (their vouchers are still rendered, to be signed and kept, but they
are not part of the packet). :func:`build_unit_packet` assembles that packet from a unit's
rendered output folder::

    <unit folder>/报送_<填报单位>_<上报截止 YYYY-MM-DD>/
        附件1_慰问金发放凭证.docx                   产业工会 only: the print file, every voucher
        附件2_实名制发放凭证汇总表_<帮扶项目>.docx   one per 帮扶项目
        活动小结.docx                               the unit's 小结 (see below)
        manifest.json
    <unit folder>/报送_<填报单位>_<上报截止>.zip     the same folder, zipped

The vouchers go in as the one print file (打印件/附件1_慰问金发放凭证.docx: one document, a
voucher a page, what the office prints and has signed); only when it is missing are the
individual files of 附件1_慰问金发放凭证/ taken instead, under that folder name.

The 小结. If the unit's records folder holds ``活动小结.docx`` (the staff's finished text),
that file goes into the packet as it is, and it is listed among the records in the manifest;
otherwise the draft of :func:`formkit.forms.summary.render_summary` goes in. The packet is output:
a 小结 edited inside it is overwritten by the next render, so staff save their finished 小结
as ``<records>/<填报单位>/活动小结.docx`` and render again.

The manifest (``manifest.json``, UTF-8, keys in English, values as the records have them)
lists each file of the packet with its size and SHA-256, the workers (registered / paid /
脱贫), the total paid per 资金来源 and per 帮扶项目 (yuan, strings with 2 decimals), and every
record file it was made from (path relative to the folder holding campaign.yaml, size,
SHA-256), plus the record files of the unit left out for errors (``render --keep-going``).

Reproducible: the same records give a byte-identical manifest and zip. The manifest holds no
time of generation (none at all: the zip's file times are fixed too, so a re-print that
differs shows as a different hash, issue 6). Every .docx is re-zipped with fixed entry times
(:func:`normalize_docx`: python-docx stamps each part with the time of saving), and the zip
has sorted entries, fixed times and permissions, and no compression of its own (the .docx
inside are compressed already), so its bytes do not depend on the zlib of the machine.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formkit._version import __version__
from formkit.documents.zipio import deterministic_zip, normalize_docx
from formkit.domain.amounts import format_yuan
from formkit.domain.annexes import ROSTER, SUMMARY, Document, packet_rule, sent_by
from formkit.errors import FormkitError, OutputError, os_reason
from formkit.files import safe_name, swap_in, write_atomic
from formkit.forms.summary import UnitFigures, render_summary, unit_figures
from formkit.records.recordset import RecordSet, UnitRecords
from formkit.records.walk import CAMPAIGN_FILE

__all__ = [
    "MANIFEST_FILE",
    "MANIFEST_FORMAT",
    "PACKET_PREFIX",
    "PacketItem",
    "build_manifest",
    "build_unit_packet",
    "packet_items",
    "packet_name",
    "packet_zip_path",
    "user_summary",
    "user_summary_path",
    "verify_packet",
]

PACKET_PREFIX = "报送"
MANIFEST_FILE = "manifest.json"
MANIFEST_FORMAT = "formkit-packet/1"


@dataclass(frozen=True)
class PacketItem:
    """One file of a packet.

    Attributes:
        name: its path inside the packet folder (posix, e.g. ``活动小结.docx``).
        role: what it is, in the notice's words (附件1 慰问金发放凭证, 附件2 …, 活动小结).
        source: the file it is copied from, or None when ``data`` is given.
        data: its bytes when generated here (the 小结 draft), else None.
    """

    name: str
    role: str
    source: Path | None = None
    data: bytes | None = None

    def read(self) -> bytes:
        """The file's bytes (a .docx normalised by :func:`normalize_docx`)."""
        if self.data is not None:
            return self.data
        if self.source is None:
            raise ValueError(f"packet item {self.name} has neither bytes nor a source file")
        raw = self.source.read_bytes()
        return normalize_docx(raw) if self.name.endswith(".docx") else raw


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _unit_name(unit: UnitRecords) -> str:
    return unit.name


def packet_name(unit: UnitRecords, records: RecordSet) -> str:
    """``报送_<填报单位>_<上报截止 YYYY-MM-DD>``: the packet folder's name (its zip adds .zip).

    Raises:
        FormkitError: the records have no valid campaign (no 上报截止).
    """
    if records.campaign is None:
        raise FormkitError("没有有效的 campaign.yaml（上报截止）：无法生成报送材料")
    return safe_name(f"{PACKET_PREFIX}_{_unit_name(unit)}_{records.campaign.report_deadline.isoformat()}")


def packet_zip_path(folder: Path) -> Path:
    """The zip beside a packet folder: ``<folder>.zip``."""
    return folder.parent / f"{folder.name}.zip"


def _printed_items(unit_folder: Path, annex: Document) -> list[PacketItem]:
    """A printed annex's documents: its print file, or (missing) its single documents."""
    print_file = unit_folder / annex.print_file
    if print_file.is_file():
        return [PacketItem(f"{annex.stem}.docx", annex.label, print_file)]
    folder = unit_folder / annex.folder
    singles = sorted(folder.glob("*.docx")) if folder.is_dir() else []
    return [PacketItem(f"{annex.folder}/{p.name}", annex.label, p) for p in singles if not p.name.startswith((".", "~"))]


def _roster_items(unit_folder: Path) -> list[PacketItem]:
    rosters = sorted(p for p in unit_folder.glob(f"{ROSTER.stem}*.docx") if p.is_file())
    return [PacketItem(p.name, ROSTER.label, p) for p in rosters]


def user_summary_path(unit: UnitRecords) -> Path:
    """Where the staff's finished 小结 goes: ``<records>/<unit folder>/活动小结.docx``."""
    return unit.folder / SUMMARY.template


def user_summary(unit: UnitRecords) -> Path | None:
    """The staff's finished 小结 in the unit's records folder (``活动小结.docx``), if any."""
    path = user_summary_path(unit)
    return path if path.is_file() else None


def packet_items(
    unit_folder: Path, unit: UnitRecords, records: RecordSet, *, templates: Path | None = None, figures: UnitFigures | None = None
) -> list[PacketItem]:
    """What a unit's packet holds, in the order of 通知四.3.

    A 产业工会: 附件1 vouchers (the print file), the 附件2 roster(s), the 小结. A 区工会: the
    附件2 roster(s) and the 小结 only.

    Args:
        unit_folder: the unit's rendered output (``OUT/<填报单位>/`` or its staging folder).
        unit, records: the unit's records and the set they belong to.
        templates: where to find 活动小结.docx (a folder), default as
            :func:`formkit.forms.summary.summary_template_path`.
        figures: the unit's :func:`formkit.forms.summary.unit_figures`, when already counted.

    Returns:
        The items; the 小结 carries its bytes (the staff's file, or the rendered draft).

    Raises:
        FormkitError: the unit has paid workers but its rendered folder has no voucher (a
            产业工会) or no roster; or no valid campaign.
        TemplateProblem: the 小结 template is missing or broken.
    """
    paid = records.paid_workers(unit)
    items: list[PacketItem] = []
    name = _unit_name(unit)
    for document in sent_by(str(unit.unit.unit_type)):
        if document is SUMMARY:
            finished = user_summary(unit)
            if finished is not None:
                items.append(PacketItem(SUMMARY.template, SUMMARY.title, data=finished.read_bytes()))
            else:
                draft = normalize_docx(render_summary(unit, records, templates, figures))
                items.append(PacketItem(SUMMARY.template, f"{SUMMARY.title}（草稿）", data=draft))
            continue
        found = _roster_items(unit_folder) if document is ROSTER else _printed_items(unit_folder, document)
        if paid and not found:
            raise FormkitError(
                f"{name}：{unit_folder} 中没有{document.title}（附件{document.number}），"
                f"{unit.unit.unit_type}的报送材料须包含它（通知四.3）。请先生成。"
            )
        items += found
    return items


def _base(unit: UnitRecords) -> Path:
    """The folder holding campaign.yaml and the unit folders (records.md layout)."""
    return unit.folder.parent


def _file_entry(path: Path, base: Path) -> dict[str, Any]:
    data = path.read_bytes()
    try:
        shown = path.relative_to(base).as_posix()
    except ValueError:
        shown = path.as_posix()
    return {"path": shown, "bytes": len(data), "sha256": _sha256(data)}


def _record_files(unit: UnitRecords, records: RecordSet) -> tuple[list[Path], list[Path]]:
    """The record files the packet comes from, and the unit's files left out for errors."""
    base = _base(unit)
    used = [base / CAMPAIGN_FILE, unit.path]
    used += [rec.path for rec in unit.workers] + [week.path for week in unit.weeks]
    finished = user_summary(unit)
    if finished is not None:
        used.append(finished)
    used = sorted({p for p in used if p.is_file()}, key=lambda p: p.as_posix())
    folder = unit.folder.resolve()
    left_out = sorted(
        {p.path for p in records.errors if p.path.is_file() and p.path not in used and folder in p.path.resolve().parents},
        key=lambda p: p.as_posix(),
    )
    return used, left_out


def build_manifest(
    unit: UnitRecords, records: RecordSet, files: Mapping[str, tuple[str, bytes]], figures: UnitFigures | None = None
) -> dict[str, Any]:
    """The manifest of a packet (written as manifest.json).

    Args:
        unit, records: the unit and its record set.
        files: ``{name in packet: (role, bytes)}`` in packet order.
        figures: the unit's :func:`formkit.forms.summary.unit_figures`, when already counted.

    Returns:
        A JSON-ready dict: format, generator, campaign (name, document number, deadline),
        unit (name, type), rule (the sentence of 通知四.3), files (path, role, bytes, sha256),
        workers (registered, paid, lifted_out_of_poverty: persons), paid_by_fund_source and
        paid_by_project (yuan strings with 2 decimals, sorted by name), paid_total, summary
        (``draft`` or ``records``: where the 小结 came from), records and left_out (path,
        bytes, sha256). No time of generation.

    Raises:
        FormkitError: no valid campaign.
    """
    campaign = records.campaign
    if campaign is None:
        raise FormkitError("没有有效的 campaign.yaml：无法生成报送清单")
    figures = figures or unit_figures(unit, records)
    used, left_out = _record_files(unit, records)
    base = _base(unit)
    return {
        "format": MANIFEST_FORMAT,
        "generator": f"formkit {__version__}",
        "campaign": {
            "name": campaign.name,
            "document_number": campaign.document_number,
            "report_deadline": campaign.report_deadline.isoformat(),
        },
        "unit": {"name": figures.name, "type": figures.unit_type},
        "rule": packet_rule(figures.unit_type),
        "files": [{"path": name, "role": role, "bytes": len(data), "sha256": _sha256(data)} for name, (role, data) in files.items()],
        "workers": {"registered": figures.registered, "paid": figures.paid, "lifted_out_of_poverty": figures.lifted},
        "paid_by_fund_source": {f.name: format_yuan(f.amount) for f in figures.by_fund},
        "paid_by_project": {f.name: format_yuan(f.amount) for f in figures.by_project},
        "paid_total": format_yuan(figures.paid_total),
        "summary": "records" if user_summary(unit) is not None else "draft",
        "records": [_file_entry(p, base) for p in used],
        "left_out": [_file_entry(p, base) for p in left_out],
    }


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    """The manifest as UTF-8 JSON (Chinese as is, 2-space indent, a final newline)."""
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def build_unit_packet(unit_folder: Path, unit: UnitRecords, records: RecordSet, *, templates: Path | None = None) -> Path:
    """Assemble a unit's submission packet (通知四.3) from its rendered documents.

    Call it after the unit's documents are rendered into *unit_folder* (``OUT/<填报单位>/``
    or the staging folder before the swap-in). Writes ``报送_<填报单位>_<上报截止>/`` (the
    files of :func:`packet_items` and ``manifest.json``) and ``报送_…_<上报截止>.zip`` beside
    it, both inside *unit_folder*, replacing an earlier packet of the same name whole. The
    folder is made aside and moved in place, and the zip written atomically, so an
    interrupted run leaves the earlier packet or none, never half of one.

    Args:
        unit_folder: the unit's rendered output folder.
        unit: the unit's records (``records.units[i]``).
        records: the record set (campaign, problems).
        templates: a folder holding 活动小结.docx; default as
            :func:`formkit.forms.summary.summary_template_path`.

    Returns:
        The packet folder (its zip is :func:`packet_zip_path` of it).

    Raises:
        FormkitError: no valid campaign; a rendered annex the packet needs is missing.
        TemplateProblem: the 小结 template is missing or broken.
        OutputError: the folder cannot be written.
    """
    unit_folder = Path(unit_folder)
    name = packet_name(unit, records)
    figures = unit_figures(unit, records)  # once: the 小结 and the manifest both count
    items = packet_items(unit_folder, unit, records, templates=templates, figures=figures)
    files = {item.name: (item.role, item.read()) for item in items}
    manifest = build_manifest(unit, records, files, figures)
    contents = {f"{name}/{path}": data for path, (_, data) in files.items()}
    contents[f"{name}/{MANIFEST_FILE}"] = manifest_bytes(manifest)

    target = unit_folder / name
    temp = unit_folder / f".~packet-{uuid.uuid4().hex[:8]}"
    try:
        for inner, data in contents.items():
            write_atomic(temp / inner.split("/", 1)[1], data)
        swap_in(temp, target)
        write_atomic(packet_zip_path(target), deterministic_zip(contents))
    except OSError as exc:
        raise OutputError(f"无法写入报送材料 {target}：{os_reason(exc)}") from exc
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return target


def verify_packet(folder: Path) -> list[str]:
    """Check a packet folder against its manifest (what the 法律与保障部 can run on receipt).

    Args:
        folder: a packet folder holding manifest.json.

    Returns:
        One Chinese line per discrepancy (a file missing, of another size or hash, or not
        listed); ``[]`` when the folder matches its manifest.

    Raises:
        FormkitError: there is no readable manifest.json.
    """
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FormkitError(f"{folder} 中没有可读的 {MANIFEST_FILE}") from exc
    problems = []
    listed = set()
    for entry in manifest.get("files", []):
        path = folder / entry["path"]
        listed.add(entry["path"])
        if not path.is_file():
            problems.append(f"缺少文件：{entry['path']}")
            continue
        data = path.read_bytes()
        if len(data) != entry["bytes"] or _sha256(data) != entry["sha256"]:
            problems.append(f"文件与清单不符（已被修改）：{entry['path']}")
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and rel != MANIFEST_FILE and rel not in listed:
            problems.append(f"清单中没有的文件：{rel}")
    return problems
