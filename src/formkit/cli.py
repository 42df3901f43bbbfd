"""The ``formkit`` command: a thin click layer over :mod:`formkit.api`.

This is the one place where errors become ``Error: …`` lines on stderr and exit codes:
0 success, 1 the records have errors, 2 any other refusal (bad template, bad argument,
unwritable output).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from formkit import __version__, api
from formkit.domain.dates import parse_date
from formkit.errors import FormkitError, Problem, RecordsInvalid


def _utf8_console() -> None:
    """Print Chinese on a Windows console (cp936) without UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
            try:
                reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):  # pragma: no cover - exotic streams
                pass


def _shown(problem: Problem, records: Path | None = None) -> str:
    """``path:line: 字段 — …`` with the path as the user can open it from here.

    Problems carry the record's path as the records folder was given (relative paths stay
    relative to the current folder); absolute paths are shown relative to it when possible.
    """
    return problem.format(Path.cwd()) if problem.path.is_absolute() else problem.format()


def _print_problems(problems: list[Problem], records: Path | None) -> None:
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    if errors:
        click.echo(f"错误（{len(errors)}）：")
        for p in sorted(errors):
            click.echo("  " + _shown(p, records))
    if warnings:
        click.echo(f"警告（{len(warnings)}）：")
        for p in sorted(warnings):
            click.echo("  " + _shown(p, records))


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RecordsInvalid as exc:
            _print_problems(exc.problems, None)
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except FormkitError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="formkit")
def main() -> None:
    """formkit: 按厦工[2011]104号通知的附件1–4，从 YAML 记录生成 Word 表格。

    Typical use: formkit check records, then formkit render records.
    """
    _utf8_console()


RECORDS = click.argument("records", type=click.Path(path_type=Path), default="records", required=False)


@main.command()
@RECORDS
@click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Also check every template in this folder: each tag against the record fields, in every branch.",
)
def check(records: Path, templates: Path | None) -> None:
    """Check every record (填表说明 items 1–21, ID numbers, cross-checks).

    Prints every problem as `file:line: 字段 — 问题 — 允许值`, errors and warnings apart.
    With --templates, the templates' problems too (`模板:0: 表格1 第3行 第2格 — 标签“…”：…`).
    Exit 0 when there are no errors, 1 when there are.
    """
    record_set = api.check(records, templates=templates)
    _print_problems(record_set.problems, records)
    workers = sum(len(u.workers) for u in record_set.units)
    weeks = sum(len(u.weeks) for u in record_set.units)
    bad = {p.path for p in record_set.errors}
    bad_workers = sum(1 for path in bad if "职工" in Path(path).parts)
    bad_weeks = sum(1 for path in bad if "周报" in Path(path).parts)
    click.echo(
        f"{len(record_set.units)} 个单位，{workers + bad_workers} 名职工"
        + (f"（{bad_workers} 份有错误）" if bad_workers else "")
        + f"，{weeks + bad_weeks} 份周报"
        + (f"（{bad_weeks} 份有错误）" if bad_weeks else "")
        + f"；{len(record_set.errors)} 处错误，{len(record_set.warnings)} 处警告。"
    )
    if record_set.errors:
        sys.exit(1)


@main.command()
@RECORDS
@click.option("-o", "--out", type=click.Path(path_type=Path), default="output", show_default=True, help="Output folder.")
@click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder with your own versions of the four templates.",
)
@click.option("--keep-going", is_flag=True, help="Render the valid records even when others have errors.")
@click.option("--pdf", is_flag=True, help="Also convert every document to PDF (needs LibreOffice).")
@click.option("--force", is_flag=True, help="Render every document again, even those unchanged since the last run.")
@click.option(
    "--mask",
    is_flag=True,
    help="Also write masked copies (IDs, phones, addresses) for 公示 or the press into OUT/公示/ (kept current by later renders).",
)
def render(records: Path, out: Path, templates: Path | None, keep_going: bool, pdf: bool, force: bool, mask: bool) -> None:
    """Render annexes 1–4 for every unit of RECORDS into OUT.

    Refuses to write anything while the records have errors, unless --keep-going.
    Only documents whose record, unit, campaign or template changed since the last run
    into OUT are rendered again (--force: all of them). On a terminal, a batch that takes
    more than two seconds shows a progress bar with counts and the time left.
    """
    import time

    started = time.monotonic()
    bar = None

    def counted(done: int, total: int) -> None:
        nonlocal bar
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
            click.echo(f"生成 {name} …", err=True)

    try:
        try:
            report = api.render(
                records,
                out,
                templates=templates,
                keep_going=keep_going,
                pdf=pdf,
                force=force,
                progress=stage,
                on_documents=counted,
                mask=mask,
            )
        finally:
            if bar is not None:
                bar.render_finish()
    except RecordsInvalid as exc:
        _print_problems(exc.problems, records)
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    for unit, counts in report.counts.items():
        parts = "，".join(f"{name} {n} 份" for name, n in counts.items())
        click.echo(f"{unit}：{parts}")
    click.echo(f"共 {len(report.files)} 个文件，已写入 {out}")
    kept = len(report.files) - len(report.rebuilt)
    if kept:
        click.echo(f"其中 {kept} 个与上次相同，未重新生成（--force 全部重新生成）。")
    for packet in report.packets:
        click.echo(f"报送包：{out / packet}")
    if report.publicity:
        click.echo(f"公示用（已遮盖身份证号、电话、详细地址）：{len(report.publicity)} 个文件，在 {out / api.PUBLICITY_DIR}")
    shown = [p for p in report.warnings if p.path.suffix.lower() == ".docx"]  # the templates' (issue 14)
    for p in shown:
        click.echo("模板警告：" + _shown(p), err=True)
    if len(report.warnings) > len(shown):
        click.echo(f"另有 {len(report.warnings) - len(shown)} 处警告（运行 formkit check 查看）。")
    if report.pdf_failed:
        click.echo(
            f"有 {len(report.pdf_failed)} 个 PDF 未能生成（对应的 .docx 已写入；再运行一次 formkit render --pdf 会只转换这些）：", err=True
        )
        for path, why in report.pdf_failed:
            click.echo(f"  {out / path}：{why}", err=True)
    if report.skipped:
        click.echo("以下记录有错误，未生成；它们所在单位的输出在“（不完整）”文件夹里，不生成报送包，请改正后重新生成：")
        for p in sorted(report.skipped):
            if p.is_error:
                click.echo("  " + _shown(p, records))
        sys.exit(1)
    if report.pdf_failed:
        sys.exit(3)


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("values", nargs=-1, required=True)
def amount(values: tuple[str, ...]) -> None:
    """Print the 大写金额 of each VALUE (yuan), one line per value.

    Example: formkit amount 1409.50  →  壹仟肆佰零玖元伍角整. A value that must be refused
    (negative, more than 2 decimals, not a number) prints `错误：…` on its own line, in its
    place, and the exit code is 2.
    """
    failed = False
    for value in values:
        try:
            click.echo(api.amount_in_words(value))
        except FormkitError as exc:
            click.echo(f"错误：{value}：{exc}")
            failed = True
    if failed:
        sys.exit(2)


@main.command()
@click.argument("kind", type=click.Choice(["worker", "week", "unit", "campaign"]))
@click.argument("path", type=click.Path(path_type=Path), required=False)
def new(kind: str, path: Path | None) -> None:
    """Write a skeleton record of KIND (every key, allowed values in comments).

    Prints it, or writes it to PATH (never overwrites an existing file).
    """
    if path is None:
        click.echo(api.new_record(kind), nl=False)
        return
    click.echo(f"已写入 {api.write_new_record(kind, path)}")


@main.command()
@RECORDS
@click.option(
    "-o", "--out", type=click.Path(path_type=Path), default="output", show_default=True, help="Output folder (packets go into OUT/通知/)."
)
@click.option(
    "--templates", type=click.Path(path_type=Path, file_okay=False), default=None, help="Folder with the notice and annex templates."
)
@click.option("--date", "issued", default=None, help="成文日期 to print (e.g. 2011年11月25日); blank for the seal if omitted.")
def notice(records: Path, out: Path, templates: Path | None, issued: str | None) -> None:
    """Render the notice packet (notice + four blank annexes) for every addressee in 主送."""
    files = api.notice(records, out, templates=templates, issued=parse_date(issued) if issued else None)
    click.echo(f"共 {len(files)} 个文件，已写入 {out / api.NOTICE_DIR}")


@main.command()
@RECORDS
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("output") / "全市汇总", show_default=True, help="Output folder.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False), default=None, help="Folder with the annex-2 template.")
def collect(records: Path, out: Path, templates: Path | None) -> None:
    """City roll-up (法律与保障部): city-wide roster, totals per unit and per 资金来源,
    weekly arrears per Friday across units, and people who appear in more than one unit."""
    record_set = api.check(records)
    if record_set.errors:
        click.echo(f"注意：记录中有 {len(record_set.errors)} 处错误，有错的记录未计入汇总（运行 formkit check 查看）。", err=True)
    files = api.collect(record_set, out, templates=templates)
    for path in files:
        click.echo(str(path))
    click.echo(f"共 {len(files)} 个文件，已写入 {out}")


@main.command(name="import")
@click.argument("sheet", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--unit", "unit", default=None, help="填报单位: the unit folder to write into (default: from the sheet or the only unit).")
@click.option(
    "-o",
    "--records",
    "records",
    type=click.Path(path_type=Path),
    default="records",
    show_default=True,
    help="Records folder to write into.",
)
@click.option("--sheet", "sheet_name", default=None, help="Worksheet name (default: the first with a recognisable header).")
@click.option("--dry-run", is_flag=True, help="Report what would be written, write nothing.")
def import_(sheet: Path, unit: str | None, records: Path, sheet_name: str | None, dry_run: bool) -> None:
    """Import a roster spreadsheet (.xlsx or .csv) into worker records, one YAML per row.

    Never overwrites: rows whose 身份证号 already exists are reported (same or different).
    Every refused row is listed with its cell and reason; nothing is written for it.
    """
    report = api.import_sheet(sheet, records, unit=unit, sheet_name=sheet_name, dry_run=dry_run)
    click.echo(report.format())
    if report.refused:
        sys.exit(1)


@main.command()
@RECORDS
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("output") / "表格", show_default=True, help="Output folder.")
@click.option("--keep-going", is_flag=True, help="Export the valid records even when others have errors.")
def export(records: Path, out: Path, keep_going: bool) -> None:
    """Export the annex-2 roster and annex-4 weekly figures as .xlsx and CSV, per unit and city-wide."""
    files = api.export(records, out, keep_going=keep_going)
    for path in files:
        click.echo(str(path))
    click.echo(f"共 {len(files)} 个文件，已写入 {out}")


@main.command()
@RECORDS
@click.option("--today", default=None, help="Count days left from this date instead of today (e.g. 2011-12-20).")
def schedule(records: Path, today: str | None) -> None:
    """Print the dates that bind each unit: every weekly report, 资金使用截止, 上报截止."""
    click.echo(api.schedule(records, parse_date(today) if today else None), nl=False)


@main.command()
@RECORDS
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path),
    default="output",
    show_default=True,
    help="Output folder of renders started from the page.",
)
@click.option("--host", default=None, help="Listen on this address instead of 127.0.0.1 and ::1 (other computers can then reach the page).")
@click.option("--port", type=int, default=8765, show_default=True, help="Port (the next free one when taken; 0: any free port).")
@click.option("--no-browser", is_flag=True, help="Do not open the browser; only print the address.")
def serve(records: Path, out: Path, host: str | None, port: int, no_browser: bool) -> None:
    """Edit the records in a browser form: a local page over the same YAML files.

    Prints the address (with its token) and opens it. Saving changes only the fields edited;
    formkit's checks are shown beside the fields; a unit can be rendered from the page.
    Stop with Ctrl+C.
    """
    from formkit.serve import serve as run

    run(records, out, host=host, port=port, open_browser=not no_browser, echo=click.echo)


@main.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Write one schema file per kind of record into this folder, and print the VS Code setting.",
)
def schema(out: Path | None) -> None:
    """Write a JSON Schema of the record files, for editor completion (see README).

    Without -o, prints one combined schema. With -o DIR, writes worker/week/unit/campaign
    schema files into DIR and prints the `yaml.schemas` setting for VS Code's YAML extension.
    """
    if out is None:
        click.echo(json.dumps(api.json_schema(), ensure_ascii=False, indent=2))
        return
    settings = api.write_schemas(out)
    click.echo(f"已写入 {out}/。把下面这段加入 VS Code 的 .vscode/settings.json：")
    click.echo(json.dumps(settings, ensure_ascii=False, indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
