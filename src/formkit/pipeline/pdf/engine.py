"""The conversion engine: N LibreOffice workers on checked calls, one retry alone, failures named."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from formkit.pipeline.pdf.pdffiles import InvalidPdf, Made, check_pdf, document_weight, place_file
from formkit.pipeline.pdf.soffice import (
    MemorySampler,
    Office,
    PdfError,
    default_timeout,
    exit_reason,
    find_soffice,
    soffice_environment,
)

MAX_FILES_PER_CALL = 48
#: Bytes of document XML (uncompressed ``word/document.xml``) per call, about 360
#: registration forms or 1,000 vouchers: a call's files are added largest first up to this.
#: Within one call each document costs a little more than the one before (ten chunks of 100
#: registration forms in one call: 3.3 s for the first, 4.4 s for the tenth, 38.7 s CPU in
#: all; one call each: 4.0 s with the start-up): three or four chunks a call is the best.
CALL_XML_BUDGET = 30_000_000
#: A call takes up to a worker's share of the document XML left (so that the workers end
#: together), but at least this much when there is: the last calls stay long enough to pay
#: for their start-up (a simulation of a 1,000-worker unit on 2 workers, with the measured
#: costs: 7 calls and 26.8 s; with 0.25 MB, 11 calls and 28.1 s).
MIN_SHARE_XML = 8_000_000
#: Times a document is tried: once, and once more alone in a fresh LibreOffice.
ATTEMPTS = 2
#: Calls in a row that reach their time limit without one PDF, on documents not tried before,
#: after which LibreOffice is taken to be stuck and the conversion is given up (each document
#: named): a LibreOffice that hangs would otherwise cost every document two time limits.
STALLED_CALLS = 2
#: Seconds between two samples of the LibreOffice processes' memory (Linux).


@dataclass(frozen=True)
class Call:
    """One soffice call: for reports and the benchmark.

    Attributes:
        worker: the worker (0 … N-1) that ran it.
        pid: the soffice process id (the process group on POSIX).
        start: when it started, in seconds from the start of the run.
        documents: the documents it was given, in order.
        seconds: wall time from start to exit.
        returncode: soffice's exit status (negative: killed by that signal, POSIX).
        timed_out: killed because it ran past its timeout.
    """

    worker: int
    pid: int
    start: float
    documents: tuple[Path, ...]
    seconds: float
    returncode: int
    timed_out: bool


@dataclass(frozen=True)
class Progress:
    """What a progress callback receives after each document is settled.

    Attributes:
        document: the document just converted (or given up).
        done: documents settled so far (converted or failed), of ``total``.
        total: documents of the run.
        pages: pages converted so far.
        failed: documents given up so far.
    """

    document: Path
    done: int
    total: int
    pages: int
    failed: int


@dataclass
class ConversionResult:
    """What a conversion made.

    Attributes:
        made: document → its PDF in place and its pages (pypdf's count).
        failed: document → why it has no PDF (Chinese, for users).
        retried: documents that failed once and were tried again alone (whatever came of it).
        calls: every soffice call, in the order they ended.
        peak_rss: the highest sum of resident memory of all LibreOffice processes at one
            moment, in bytes, sampled every :data:`SAMPLE_SECONDS`; None where it cannot be
            measured (not Linux).
        seconds: wall time of the whole run.
        workers: LibreOffice processes run side by side.
    """

    made: dict[Path, Made] = field(default_factory=dict)
    failed: dict[Path, str] = field(default_factory=dict)
    retried: list[Path] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    peak_rss: int | None = None
    seconds: float = 0.0
    workers: int = 0

    @property
    def pages(self) -> int:
        """Pages of all the PDFs made."""
        return sum(m.pages for m in self.made.values())

    def merge(self, other: ConversionResult) -> None:
        """Add another run's outcome to this one (peaks: the higher)."""
        self.made.update(other.made)
        for doc in other.made:
            self.failed.pop(doc, None)
        self.failed.update(other.failed)
        self.retried += other.retried
        self.calls += other.calls
        if other.peak_rss is not None:
            self.peak_rss = max(self.peak_rss or 0, other.peak_rss)
        self.seconds += other.seconds
        self.workers = max(self.workers, other.workers)


# --------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------


#: Free space (bytes) below which a PDF LibreOffice did not write is put down to a full disk.
LOW_DISK = 20_000_000


def disk_hint(folder: Path) -> str:
    """ "（磁盘空间不足…）" when the disk of ``folder`` is (nearly) full, else ""."""
    try:
        free = shutil.disk_usage(folder if folder.exists() else folder.parent).free
    except OSError:
        return ""
    return f"（磁盘空间不足：只剩 {free / 1e6:.0f} MB，请腾出空间后再运行）" if free < LOW_DISK else ""


def failure_text(reasons: Sequence[str]) -> str:
    """The reason given for a document that failed every attempt."""
    if len(set(reasons)) == 1:
        return f"转换 {len(reasons)} 次均失败：{reasons[0]}"
    return "转换失败：" + "；".join(f"第 {n} 次：{r}" for n, r in enumerate(reasons, 1))


@dataclass
class QueueItem:
    index: int
    source: Path
    target: Path
    staged: Path
    weight: int
    attempts: int = 0
    reasons: list[str] = field(default_factory=list)


class WorkQueue:
    """The work of a run: largest documents first, retries (alone) before anything else."""

    def __init__(self, items: Iterable[QueueItem], max_files: int, budget: int, workers: int, min_share: int) -> None:
        self.todo = deque(sorted(items, key=lambda i: (-i.weight, i.index)))
        self.weight_left = sum(i.weight for i in self.todo)
        self.workers = workers
        self.min_share = min_share
        self.solo: deque[QueueItem] = deque()
        self.active = 0
        self.max_files = max_files
        self.budget = budget
        self.cond = threading.Condition()
        self.stopped = False

    def take(self) -> list[QueueItem] | None:
        """The next call's documents; None once nothing is left or to come."""
        with self.cond:
            while True:
                if self.stopped:
                    return None
                if self.solo:
                    self.active += 1
                    return [self.solo.popleft()]
                if self.todo:
                    # guided: at most a worker's share of the work left, so that every
                    # worker gets some; never less than min_share (start-ups)
                    share = max(self.min_share, -(-self.weight_left // self.workers))
                    batch = [self.todo.popleft()]
                    weight = batch[0].weight
                    while self.todo and len(batch) < self.max_files and weight + self.todo[0].weight <= min(self.budget, share):
                        weight += self.todo[0].weight
                        batch.append(self.todo.popleft())
                    self.weight_left -= weight
                    self.active += 1
                    return batch
                if self.active == 0:
                    return None
                self.cond.wait()

    def done(self, retry: Sequence[QueueItem], again: Sequence[QueueItem]) -> None:
        """A call ended: ``retry`` go alone to a fresh LibreOffice, ``again`` (not tried) back
        to the front of the queue."""
        with self.cond:
            self.solo.extend(retry)
            for item in reversed(again):
                self.todo.appendleft(item)
                self.weight_left += item.weight
            self.active -= 1
            self.cond.notify_all()

    def stop(self) -> None:
        with self.cond:
            self.stopped = True
            self.cond.notify_all()


def convert_documents(
    documents: Sequence[Path],
    *,
    targets: Mapping[Path, Path] | None = None,
    workers: int | None = None,
    max_files: int = MAX_FILES_PER_CALL,
    budget: int = CALL_XML_BUDGET,
    min_share: int = MIN_SHARE_XML,
    timeout: Callable[[Sequence[Path], Sequence[int]], float] | None = None,
    progress: Callable[[Progress], None] | None = None,
    on_call: Callable[[int, Sequence[Path]], None] | None = None,
    on_made: Callable[[Path, Made], None] | None = None,
    soffice: Path | None = None,
    work_dir: Path | None = None,
) -> ConversionResult:
    """Convert documents (.docx, or anything LibreOffice Writer opens) to PDF.

    ``workers`` LibreOffice processes run side by side, each with its own profile, on
    disjoint calls taken from one queue, largest documents first (the size is
    :func:`document_weight`); a call takes at most ``max_files`` documents and ``budget``
    bytes of document XML (a larger document goes alone). Every output is checked
    (:func:`check_pdf`). A document without a good PDF after a call is tried once more,
    alone, in a new soffice process (with a new profile if the call ended abnormally); if
    that fails too it is reported in ``failed`` with the reasons. When a call ends
    abnormally (killed, crashed, timed out), the documents after the one it was on were not
    tried and go back to the queue without counting as a failure: LibreOffice converts in
    the order given. The PDFs are moved into place atomically (:func:`place_file`).

    Args:
        documents: the files (equal names in different folders are fine; each once).
        targets: document → where its PDF goes; default beside it (``a.docx`` → ``a.pdf``).
        workers: LibreOffice processes; default the number of CPUs (never more than calls).
        max_files: documents per call (see :data:`MAX_FILES_PER_CALL`).
        budget: bytes of document XML per call (see :data:`CALL_XML_BUDGET`).
        min_share: bytes of document XML a call takes at least when there are (see
            :data:`MIN_SHARE_XML`; 0: split the work evenly however small).
        timeout: (documents, weights) of a call → its seconds; default :func:`default_timeout`.
        progress: called after each document is settled (from worker threads, one call at a
            time); must be quick.
        on_call: called with (pid, documents) as each soffice call starts (for monitoring).
        on_made: called with (document, :class:`Made`) in the worker thread as soon as a PDF
            is in place, before its progress (work on it there overlaps the conversions);
            an exception it raises stops the run and is raised.
        soffice: the LibreOffice executable; default :func:`formkit.pdf.find_soffice`.
        work_dir: folder for the temporary work folder (inputs staged under ASCII names,
            outputs, profiles); default the system's temporary folder.

    Returns:
        A :class:`ConversionResult`: every document is in ``made`` or in ``failed``.

    Raises:
        PdfError: LibreOffice is not installed (the message says how to install it), or the
            temporary folder cannot be written.
        ValueError: a document is given twice, or two documents share a target.
    """
    documents = [Path(d) for d in documents]
    result = ConversionResult()
    if len(set(documents)) != len(documents):
        raise ValueError("a document is given twice")
    target_of = {d: Path(targets[d]) if targets and d in targets else d.with_suffix(".pdf") for d in documents}
    if len(set(target_of.values())) != len(documents):
        raise ValueError("two documents share a target")
    if not documents:
        return result
    begin = time.monotonic()
    soffice = soffice or find_soffice()
    timeout = timeout or default_timeout
    try:
        if work_dir is not None:
            Path(work_dir).mkdir(parents=True, exist_ok=True)
        tmp = tempfile.TemporaryDirectory(prefix="formkit-pdf-", dir=work_dir, ignore_cleanup_errors=True)
    except OSError as exc:
        raise PdfError(f"无法创建临时文件夹：{exc}") from exc
    lock = threading.Lock()
    memory = MemorySampler()
    with tmp as tmp_name:
        work = Path(tmp_name)
        inbox = work / "in"
        inbox.mkdir()
        items: list[QueueItem] = []
        for i, doc in enumerate(documents):
            staged = inbox / f"d{i:06d}{doc.suffix.lower() or '.docx'}"
            try:
                try:
                    os.link(doc, staged)  # same volume: no copy
                except OSError:
                    shutil.copyfile(doc, staged)
            except OSError as exc:
                result.failed[doc] = f"无法读取文档：{exc.strerror or exc}"
                continue
            items.append(QueueItem(i, doc, target_of[doc], staged, document_weight(staged)))
        env = soffice_environment(work)
        n_workers = max(1, min(workers or os.cpu_count() or 1, len(items) or 1))
        queue = WorkQueue(items, max(1, max_files), budget, n_workers, min_share)
        count = [0]
        result.workers = n_workers
        errors: list[BaseException] = []

        def settle(item: QueueItem, made: Made | None, reason: str | None) -> None:
            with lock:
                if made is not None:
                    result.made[item.source] = made
                else:
                    result.failed[item.source] = reason or "未知原因"
                count[0] += 1
                if progress is not None:
                    progress(Progress(item.source, count[0], len(documents), result.pages, len(result.failed)))

        offices: list[Office] = []
        stalls = [0]  # calls in a row that timed out without a PDF, on documents not tried before
        stopped: list[str] = []  # why the whole conversion was given up, if it was

        def give_up(reason: str) -> None:
            """LibreOffice cannot work here: no further call, the running ones killed; every
            document not yet settled is named with ``reason``."""
            with lock:
                if stopped:
                    return
                stopped.append(reason)
            queue.stop()
            for office in list(offices):
                office.stop()

        def work_loop(number: int) -> None:
            office = Office(number, soffice, work, env)
            offices.append(office)
            calls = 0
            while (batch := queue.take()) is not None:
                calls += 1
                outdir = work / f"out{number}-{calls}"
                seconds_allowed = timeout([b.source for b in batch], [b.weight for b in batch])
                started = (lambda pid, docs=tuple(b.source for b in batch): on_call(pid, docs)) if on_call else None
                first_try = all(item.attempts == 0 for item in batch)
                try:
                    rc, timed_out, seconds, tail, pid = office.run([b.staged for b in batch], outdir, seconds_allowed, memory, started)
                except OSError as exc:
                    reason = f"无法启动 LibreOffice（{soffice}）：{exc.strerror or exc}"
                    for item in batch:
                        settle(item, None, reason)
                    queue.done([], [])
                    give_up(reason)  # the next call would fail the same way
                    continue
                with lock:
                    result.calls.append(
                        Call(number, pid, time.monotonic() - begin - seconds, tuple(b.source for b in batch), seconds, rc, timed_out)
                    )
                abnormal = timed_out or rc != 0
                retry: list[QueueItem] = []
                again: list[QueueItem] = []
                suspect_found = False
                for item in batch:
                    out = outdir / (item.staged.stem + ".pdf")
                    try:
                        pages = check_pdf(out)
                    except InvalidPdf as exc:
                        if abnormal and suspect_found:
                            again.append(item)  # after the one LibreOffice was on: not tried
                            continue
                        suspect_found = True
                        reason = exit_reason(rc, timed_out, seconds_allowed) if abnormal else str(exc)
                        if not abnormal and tail:
                            reason += f"（LibreOffice：{tail}）"
                        reason += disk_hint(outdir)
                        item.attempts += 1
                        item.reasons.append(reason)
                        if item.attempts < ATTEMPTS:
                            retry.append(item)
                            with lock:
                                result.retried.append(item.source)
                        else:
                            settle(item, None, failure_text(item.reasons))
                        continue
                    try:
                        place_file(out, item.target)
                    except OSError as exc:
                        settle(item, None, f"无法写入 {item.target}：{exc.strerror or exc}")
                        continue
                    made = Made(item.target, pages)
                    if on_made is not None:
                        on_made(item.source, made)
                    settle(item, made, None)
                shutil.rmtree(outdir, ignore_errors=True)
                if abnormal:
                    office.fresh()
                queue.done(retry, again)
                placed = any(item.source in result.made for item in batch)
                stuck = False
                with lock:
                    if placed:
                        stalls[0] = 0
                    elif timed_out and first_try:
                        stalls[0] += 1
                        stuck = stalls[0] >= STALLED_CALLS
                if stuck:
                    give_up(
                        f"LibreOffice 连续 {STALLED_CALLS} 次到了时限仍没有转换出任何文件，其余文档不再转换："
                        "它可能卡住了（关闭所有 LibreOffice 窗口和进程，再运行 formkit render --pdf）"
                    )

        def guarded(number: int) -> None:
            try:
                work_loop(number)
            except BaseException as exc:  # an unexpected error: stop everything, re-raise below
                errors.append(exc)
                queue.stop()

        memory.start()
        threads = [threading.Thread(target=guarded, args=(k,), name=f"formkit-pdf-{k}") for k in range(n_workers)]
        try:
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        except BaseException:  # Ctrl+C: no new call, the running ones killed, the workers waited for
            queue.stop()
            for office in list(offices):
                office.stop()
            for t in threads:
                t.join(15)
            raise
        finally:
            memory.stop()
        if errors:
            raise errors[0]
        for item in items:  # a stopped queue: anything left is named
            if item.source not in result.made and item.source not in result.failed:
                result.failed[item.source] = stopped[0] if stopped else "未转换（转换被中止）"
    result.peak_rss = memory.peak
    result.seconds = time.monotonic() - begin
    return result
