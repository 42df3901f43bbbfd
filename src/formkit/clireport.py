"""What ``formkit render`` prints besides its result: the progress bars on a terminal, and
the lines about PDFs not made or whose pages break the page rules."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from formkit import api
from formkit.domain.privacy import scrub_numbers

__all__ = ["SHOWN_PDFS", "failed_lines", "page_hints", "render_progress"]

#: Most PDFs listed one by one (the rest are counted).
SHOWN_PDFS = 20


def _err(text: str = "") -> None:
    """A line on stderr, any ID or phone number masked (as ``formkit.cli``'s)."""
    click.echo(scrub_numbers(text), err=True)


def render_progress() -> tuple[Any, Any, Any, Any]:
    """The callbacks of a render's progress on stderr: (stage, counted, converted, finish)."""
    import time

    started = time.monotonic()
    bar: Any = None
    closed = False  # after finish (the run ended or was interrupted), no bar is drawn again

    def counted(done: int, total: int) -> None:
        nonlocal bar
        if closed:
            return
        if bar is None:
            if not sys.stderr.isatty() or time.monotonic() - started < 2 or done >= total:
                return
            bar = click.progressbar(length=total, label="生成文档", file=sys.stderr, show_pos=True, show_eta=True)
            bar.start -= time.monotonic() - started  # the time left counts from the batch's start
            bar.render_progress()
        bar.update(done - bar.pos)

    def stage(name: str) -> None:
        nonlocal bar
        if bar is not None and name == "PDF":
            bar.render_finish()
            bar = None
        if bar is None:
            _err(f"生成 {name} …")

    pages = 0
    pdf_bar: Any = None

    def converted(done: int, total: int, made: int) -> None:
        """PDFs: a bar of documents, with the pages made so far."""
        nonlocal pdf_bar, pages
        pages = made
        if closed:
            return
        if pdf_bar is None:
            if not sys.stderr.isatty() or done >= total:
                return
            pdf_bar = click.progressbar(length=total, label="生成 PDF", file=sys.stderr, show_pos=True, show_eta=True,
                                        item_show_func=lambda _: f"已 {pages} 页")  # fmt: skip
        pdf_bar.update(done - pdf_bar.pos, current_item=done)

    def finish() -> None:
        nonlocal closed
        closed = True
        if bar is not None:
            bar.render_finish()
        if pdf_bar is not None:
            pdf_bar.render_finish()

    return stage, counted, converted, finish


def failed_lines(out: Path, failed: Sequence[tuple[Path, str]]) -> list[str]:
    """The PDFs not made, at most :data:`SHOWN_PDFS` of them; a reason most of them share
    (LibreOffice stuck, the disk full) said once, not on every line."""
    from collections import Counter

    reason, count = Counter(why for _, why in failed).most_common(1)[0]
    shared = count > 1 and count * 2 >= len(failed)
    lines = [f"  原因（{count} 个相同）：{reason}"] if shared else []
    for path, why in failed[:SHOWN_PDFS]:
        lines.append(f"  {out / path}" if shared and why == reason else f"  {out / path}：{why}")
    if len(failed) > SHOWN_PDFS:
        lines.append(f"  …还有 {len(failed) - SHOWN_PDFS} 个")
    return lines


def page_hints(report: api.RenderReport) -> list[str]:
    """A line per annex folder most of whose documents break the page rules: the template,
    not the records, is then the likely cause (a clerk's edit that no longer fits a page)."""
    from collections import Counter

    wrong = Counter(Path(path).parent for path, _ in report.pdf_pages)
    lines = []
    for folder, n in sorted(wrong.items()):
        documents = sum(1 for f in report.files if f.parent == folder and f.suffix == ".docx")
        if n >= 2 and n * 2 >= documents:
            lines.append(
                f"  {folder} 的 {documents} 份文档里有 {n} 份页数不符：多半是模板改动后一页放不下"
                "（改短文字、调小字号或行距，再运行 formkit render --pdf 核对）。"
            )
    return lines
