"""What a unit's output folder holds, as the unit page lists it: its documents by folder
(with their PDFs), and the packets whose 活动小结 is still formkit's draft."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from formkit.serve import _core

__all__ = ["draft_summaries", "unit_documents"]


def unit_documents(out: Path, view: Any) -> dict[str, list[dict[str, str]]]:
    """The unit's rendered files, by folder, with PDF and preview where there are."""
    base = out / view.output
    groups: dict[str, list[dict[str, str]]] = {}
    if not base.is_dir():
        return groups
    for path in sorted(base.rglob("*")):
        if not path.is_file() or path.suffix.lower() == ".pdf" or path.name.startswith(".") or path.name == "formkit-manifest.json":
            continue
        rel = path.relative_to(out).as_posix()
        inner = path.relative_to(base)
        group = inner.parts[0] if len(inner.parts) > 1 else "本单位"
        if len(inner.parts) > 2:
            continue  # the packet's own files: the zip stands for them
        pdf = path.with_suffix(".pdf")
        groups.setdefault(group, []).append(
            {
                "name": path.name,
                "rel": rel,
                "pdf": pdf.relative_to(out).as_posix() if pdf.is_file() else "",
            }
        )
    return groups


def draft_summaries(out: Path, view: Any) -> dict[str, dict[str, str]]:
    """The packets of the unit whose 活动小结 is formkit's draft, by the packet's folder
    name (as :func:`unit_documents` groups it): the draft (relative to the output folder),
    where the finished one goes, and ``waiting`` when it is there but newer than the
    packet (rendering again puts it in)."""
    base = out / view.output
    finished = view.folder / _core.SUMMARY_FILE
    found: dict[str, dict[str, str]] = {}
    if not base.is_dir():
        return found
    for archive in sorted(base.glob("*.zip")):
        draft = archive.with_suffix("") / _core.SUMMARY_FILE
        if not draft.is_file():
            continue
        waiting = finished.is_file() and finished.stat().st_mtime_ns > archive.stat().st_mtime_ns
        if finished.is_file() and not waiting:
            continue
        found[archive.stem] = {
            "zip": archive.name,
            "draft": draft.relative_to(out).as_posix(),
            "finished": str(finished),
            "waiting": "1" if waiting else "",
        }
    return found
