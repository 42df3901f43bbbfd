"""Rendering jobs: what one process renders and writes, picklable for a spawn-safe process pool."""

from __future__ import annotations

import hashlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import threading
from pathlib import Path
from typing import Any, NamedTuple

from formkit.documents.deflate import PieceRef, PrintPiece
from formkit.documents.printfile import print_piece
from formkit.documents.template import (
    FormTemplate,
)
from formkit.errors import FormkitError, OutputError, os_reason
from formkit.files import (
    write_new,
)
from formkit.forms import context as ctx
from formkit.forms.pages import expected_pages
from formkit.records.recordset import unpack

#: Below this many documents to render, one process renders them: starting a process pool
#: costs about half a second per process (imports), more than 400 documents take to render.
POOL_THRESHOLD = 400
#: Documents per job sent to a pool process.
CHUNK = 48

# --------------------------------------------------------------------------------------
# Jobs: what a process renders (top-level, picklable: the pool uses ``spawn``)
# --------------------------------------------------------------------------------------


class JobItem(NamedTuple):
    doc: int  # position in the unit's document list
    kind: str  # voucher / registration / weekly / roster
    rel: str  # path in the unit folder (posix)
    payload: Any  # the record dump, or (帮扶项目, [paid worker dumps]) for a roster
    piece: bool  # its print-file piece is wanted
    write: bool  # its file is to be written (else only the piece)


class Job(NamedTuple):
    unit: str
    folder: str  # the unit's staging folder
    campaign: dict[str, Any]
    info: dict[str, Any]
    items: list[JobItem]
    pages: bool = False  # note each document's expected pages (render --pdf counts them)


class Done(NamedTuple):
    doc: int
    sha256: str
    size: int
    piece: PrintPiece | PieceRef | None  # a PieceRef once the parent has spooled it
    pages: int = 0  # its expected pages (formkit.forms.pages.expected_pages), 0: not counted


def document_context(kind: str, campaign: dict[str, Any], info: dict[str, Any], payload: Any) -> dict[str, Any]:
    """The template context of one document (formkit.forms.context).

    A worker's document carries its record's dump packed (``bytes``, formkit.records.load.pack:
    0.5 KB, for the parent holds a unit's worth of them and a pool process a roster's); a
    roster carries ``(帮扶项目, [packed dumps])``, unpacked one by one as its rows are made.
    """
    build = ctx.CONTEXTS.get(kind)
    if build is not None:
        return build(campaign, info, unpacked(payload))
    project, workers = payload
    [(name, roster)] = ctx.roster_contexts(campaign, info, (unpacked(w) for w in workers))
    assert name == project
    return roster


def unpacked(payload: Any) -> Any:
    return unpack(payload, "dump") if isinstance(payload, bytes) else payload


def render_items(templates: dict[str, FormTemplate], job: Job) -> list[Done]:
    done = []
    folder = Path(job.folder)
    for item in job.items:
        template = templates[item.kind]
        context = document_context(item.kind, job.campaign, job.info, item.payload)
        doc = template.render_fast(context)
        data = doc.to_bytes()
        if item.write:
            write_new(folder / item.rel, data)
        piece = print_piece(doc, level=template.level) if item.piece else None
        pages = _expected(item.kind, context) if job.pages and item.write else 0
        done.append(Done(item.doc, hashlib.sha256(data).hexdigest(), len(data), piece, pages))
    return done


def _expected(kind: str, context: dict[str, Any]) -> int:
    """Pages a document's page rules give it; 0 for a kind they do not know."""
    try:
        return expected_pages(kind, context)
    except ValueError:
        return 0


_POOL_TEMPLATES: dict[str, FormTemplate] = {}


def pool_init(templates: dict[str, FormTemplate]) -> None:
    """Set up a pool process: the templates, and an end with its parent.

    A pool process waits for work on a queue whose writing end every sibling also holds, so
    it never sees the parent go when the parent is killed (SIGKILL, a closed console): it
    would wait for ever. A thread watches the parent's sentinel and ends the process then.
    """
    global _POOL_TEMPLATES
    _POOL_TEMPLATES = templates
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=exit_with, args=(parent.sentinel,), daemon=True, name="formkit-parent-watch").start()


def exit_with(sentinel: Any) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(70)


def pool_job(job: Job) -> list[Done]:
    try:
        return render_items(_POOL_TEMPLATES, job)
    except OSError as exc:
        raise OutputError(f"无法写入输出文件夹：{os_reason(exc)}") from None
    except Exception as exc:
        try:  # the exception travels back to the parent pickled: make sure it can
            pickle.loads(pickle.dumps(exc))
        except Exception:
            raise FormkitError(f"{type(exc).__name__}: {exc}") from None
        raise


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # Windows, macOS
        return os.cpu_count() or 1
