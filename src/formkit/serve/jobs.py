"""Rendering a unit from the page, in a background thread, with progress.

A render runs :func:`formkit.api.render` on the unit's records as ``formkit check`` found
them in the whole folder (so a problem across units still blocks it), into the output
folder, with ``--pdf`` when asked and LibreOffice is there. One render runs at a time (two
renders into one output folder would spoil each other). The page polls the job's state:
its stage, documents done of all, and at the end the files written.

PNG previews of a PDF's first page are made on demand by :func:`preview` (poppler's
``pdftoppm``) and kept beside the output, in ``<output>/.formkit-serve/预览/``.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formkit.serve import _core
from formkit.serve.folder import Folder

__all__ = ["PREVIEW_DIR", "Job", "Renderer", "pdf_available", "preview"]

#: Inside the output folder: previews made for the page.
PREVIEW_DIR = ".formkit-serve/预览"


def pdf_available() -> bool:
    """LibreOffice is installed (``formkit render --pdf`` can run)."""
    try:
        _core.find_soffice()
    except _core.PdfError:
        return False
    return True


@dataclass
class Job:
    """One render of one unit.

    Attributes:
        id: its id in URLs.
        unit: the unit folder's name.
        pdf, keep_going: as ``formkit render --pdf --keep-going``.
        state: ``running``, ``done`` or ``failed``.
        stage: what it is doing, in Chinese.
        done, total: documents rendered (or found unchanged) of all.
        message: the outcome, in Chinese.
        problems: the errors that refused the render.
        files: the files written, relative to the output folder.
        rebuilt: how many of them were made this time.
        output: the unit's folder in the output folder.
    """

    id: str
    unit: str
    pdf: bool
    keep_going: bool
    state: str = "running"
    stage: str = "准备"
    done: int = 0
    total: int = 0
    message: str = ""
    problems: list[Any] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    rebuilt: int = 0
    output: str = ""
    started: float = field(default_factory=time.monotonic)
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The state the page polls."""
        return {
            "id": self.id,
            "unit": self.unit,
            "state": self.state,
            "stage": self.stage,
            "done": self.done,
            "total": self.total,
            "message": self.message,
            "files": self.files,
            "rebuilt": self.rebuilt,
            "output": self.output,
            "seconds": round(self.seconds or time.monotonic() - self.started, 1),
            "problems": [{"file": p.path.name, "line": p.line or None, "field": p.field, "message": p.message} for p in self.problems],
        }


class Renderer:
    """Runs renders one at a time, each in its own thread."""

    def __init__(self, folder: Folder) -> None:
        self.folder = folder
        self.jobs: dict[str, Job] = {}
        self.last: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._running: Job | None = None

    def start(self, unit: str, *, pdf: bool, keep_going: bool) -> Job:
        """Start rendering *unit*; the running job when one is already running."""
        with self._lock:
            if self._running is not None and self._running.state == "running":
                return self._running
            job = Job(uuid.uuid4().hex[:12], unit, pdf, keep_going)
            self.jobs[job.id] = job
            self.last[unit] = job
            self._running = job
        threading.Thread(target=self._run, args=(job,), name=f"formkit-render-{job.id}", daemon=True).start()
        return job

    def _run(self, job: Job) -> None:
        try:
            self._render(job)
        except _core.RecordsInvalid as exc:
            job.problems = [p for p in exc.problems if p.is_error][:50]
            job.message = f"记录有 {len([p for p in exc.problems if p.is_error])} 处错误，没有生成。请先改正。"
            job.state = "failed"
        except _core.FormkitError as exc:
            job.message = str(exc)
            job.state = "failed"
        except Exception as exc:
            from formkit.serve.security import LOG

            LOG.exception("生成时出错")
            job.message = f"生成时出错：{type(exc).__name__}: {_core.scrub_numbers(str(exc))}"
            job.state = "failed"
        finally:
            job.seconds = time.monotonic() - job.started
            if job.state == "running":
                job.state = "done"

    def _render(self, job: Job) -> None:
        job.stage = "检查记录"
        state = self.folder.state()
        record_set = state.record_set
        view = state.units.get(job.unit)
        if record_set is None or view is None:
            raise _core.FormkitError(state.failure or "找不到这个单位。")
        unit = next((u for u in record_set.units if u.folder.resolve() == view.folder.resolve()), None)
        campaign_problems = state.files[_core.CAMPAIGN_FILE].problems if _core.CAMPAIGN_FILE in state.files else []
        if unit is None or record_set.campaign is None:
            raise _core.RecordsInvalid([p for p in view.problems + campaign_problems])
        mine = sorted(set(view.problems + [p for p in campaign_problems]))
        one = _core.RecordSet(record_set.root, record_set.campaign, [unit], mine)
        if one.errors and not job.keep_going:
            raise _core.RecordsInvalid(mine)
        job.stage = "生成文档"

        def progress(name: str) -> None:
            job.stage = "转换 PDF（LibreOffice）" if name == "PDF" else "生成文档"

        def counted(done: int, total: int) -> None:
            job.done, job.total = done, total

        report = _core.render(one, self.folder.out, pdf=job.pdf, keep_going=job.keep_going, progress=progress, on_documents=counted)
        files = [p.as_posix() for p in report.files] + [p.as_posix() for p in report.packets]
        job.files = files
        job.rebuilt = len(report.rebuilt)
        job.output = next(iter(report.counts), "")
        counts = "，".join(f"{name} {n} 份" for name, n in next(iter(report.counts.values()), {}).items())
        job.message = f"已生成：{counts}。共 {len(report.files)} 个文件，其中 {len(report.rebuilt)} 个是这次新生成的。"
        failed = getattr(report, "pdf_failed", None) or []
        if failed:
            job.message += f" 有 {len(failed)} 个文件没能转换成 PDF（Word 文件照常生成）。"
        if report.draft_summaries:
            job.message += " 报送包里的活动小结是 formkit 生成的草稿，写完后另存到本单位的记录文件夹（见下面的提示）。"
        if report.skipped:
            job.message += f" 有 {len([p for p in report.skipped if p.is_error])} 处错误的记录没有生成，输出在“（不完整）”文件夹里。"
        job.stage = "完成"
        self.folder.forget()


def preview(out: Path, pdf: Path) -> Path:
    """The PNG of the first page of *pdf* (a file in the output folder), made when missing
    or older than the PDF.

    Raises:
        FormkitError: pdftoppm (poppler) is not installed or failed.
    """
    rel = pdf.relative_to(out.resolve())
    target = out.resolve() / PREVIEW_DIR / rel.with_suffix(".png")
    if target.is_file() and target.stat().st_mtime_ns >= pdf.stat().st_mtime_ns:
        return target
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise _core.FormkitError("没有安装 pdftoppm（poppler），无法显示预览；文档本身不受影响。")
    target.parent.mkdir(parents=True, exist_ok=True)
    stem = target.with_name(f".~{target.stem}-{uuid.uuid4().hex[:6]}")
    try:
        subprocess.run(
            [tool, "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
            check=True,
            timeout=60,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        made = stem.with_name(stem.name + ".png")
        made.replace(target)
    except (OSError, subprocess.SubprocessError) as exc:
        raise _core.FormkitError(f"预览生成失败：{type(exc).__name__}") from None
    finally:
        stem.with_name(stem.name + ".png").unlink(missing_ok=True)
    return target
