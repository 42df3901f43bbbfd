"""The ``formkit`` command: a thin click layer over :mod:`formkit.api`.

Conventions (README "Exit codes"): results on stdout; problems, warnings and progress on
stderr (``formkit check``'s findings are its result, and go to stdout as any linter's do);
every message in Chinese, click's own included (:mod:`formkit.clitext`); no traceback and no
personal number in any message. This is the one place where errors become ``错误：…`` lines
and exit codes: 0 done; 1 problems in the records or a sheet's rows (or units left out
with --keep-going); 2 wrong usage (a template folder that cannot be used included); 3 the
environment (LibreOffice missing, a folder
that cannot be written, PDFs not made); 70 an internal error of formkit; 130 stopped by
Ctrl+C.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from formkit import __version__, api, clitext
from formkit.clireport import SHOWN_PDFS, failed_lines, page_hints, render_progress
from formkit.domain.dates import parse_date
from formkit.domain.privacy import masked_path, scrub_numbers
from formkit.errors import (
    EXIT_ENVIRONMENT,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    FormkitError,
    OutputError,
    Problem,
    RecordsInvalid,
    os_reason,
)
from formkit.exchange.sheetexport import CSV_FORMS
from formkit.forms.tagnames import template_files

clitext.install()  # before the commands below are defined: click reads some of its words then

#: Exit code of an error formkit did not foresee (sysexits.h EX_SOFTWARE), and of Ctrl+C.
EXIT_INTERNAL, EXIT_INTERRUPTED = 70, 130

EXIT_CODES = f"""\b
退出码：
  0    完成
  {EXIT_PROBLEMS}    记录（或导入表格的行）有问题；--keep-going 时有单位不完整；或 PDF 的页数与表格的页面规则不符
  {EXIT_USAGE}    用法不对：选项、文件夹、文件或模板不是命令要的
  {EXIT_ENVIRONMENT}    运行环境的问题：没有 LibreOffice、文件夹无法写入、PDF 未生成
  {EXIT_INTERNAL}   formkit 内部错误（请告诉维护者）
  {EXIT_INTERRUPTED}  按 Ctrl+C 中止
结果打印在标准输出；问题、警告和进度打印在标准错误。"""


def _utf8_console() -> None:
    """Print Chinese on a Windows console (cp936) without UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
            try:
                reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):  # pragma: no cover - exotic streams
                pass


def _out(text: str = "") -> None:
    """A line of the result, on stdout."""
    click.echo(text)


def _err(text: str = "") -> None:
    """A line for the person at the terminal (a problem, a warning, progress), on stderr;
    any ID or phone number masked (the last safety net)."""
    click.echo(scrub_numbers(text), err=True)


def _shown(problem: Problem) -> str:
    """``path:line: 字段 — …`` with the path as the user can open it from here.

    Problems carry the record's path as the records folder was given (relative paths stay
    relative to the current folder); absolute paths are shown relative to it when possible.
    """
    return problem.format(Path.cwd()) if problem.path.is_absolute() else problem.format()


def _problem_lines(problems: Sequence[Problem]) -> list[str]:
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    lines = []
    if errors:
        lines.append(f"错误（{len(errors)}）：")
        lines += ["  " + _shown(p) for p in sorted(errors)]
    if warnings:
        lines.append(f"警告（{len(warnings)}）：")
        lines += ["  " + _shown(p) for p in sorted(warnings)]
    return lines


#: A file operation failing for one of these reasons failed because of the path given (a
#: file where a folder should be, a name too long), not because of the computer.
_PATH_GIVEN = frozenset({errno.ENOTDIR, errno.EEXIST, errno.EISDIR, errno.ENAMETOOLONG, errno.EINVAL})


def _exit_code(exc: FormkitError) -> int:
    """The exit code of *exc*: its own, but wrong usage for an output path that cannot be a
    folder (``-o`` naming a file) rather than a computer that cannot write."""
    cause = exc.__cause__
    if isinstance(exc, OutputError) and isinstance(cause, OSError) and cause.errno in _PATH_GIVEN:
        return EXIT_USAGE
    return exc.exit_code


def _hint(param: click.Parameter | None, ctx: click.Context | None) -> str:
    """A parameter as the user typed or sees it: ``-o/--out``, ``KIND``."""
    if param is None:
        return "参数"
    if isinstance(param, click.Option):
        return "/".join(param.opts)
    return param.make_metavar(ctx) if ctx is not None else (param.name or "参数").upper()


#: Click's error for an unknown command, with the near ones (click 8.4+; before, a plain
#: UsageError without suggestions).
_NO_SUCH_COMMAND = getattr(click.exceptions, "NoSuchCommand", None)


def _usage_error(exc: click.exceptions.UsageError) -> list[str]:
    """Click's usage error as formkit says it: ``错误：…``, the command's usage line, and
    where its help is (the words from :mod:`formkit.clitext`)."""
    ctx = exc.ctx
    if isinstance(exc, click.exceptions.NoSuchOption):
        message = f"没有“{exc.option_name}”这个选项"
        if exc.possibilities:
            message += f"：是不是{clitext.quoted(exc.possibilities, '或')}？"
    elif _NO_SUCH_COMMAND is not None and isinstance(exc, _NO_SUCH_COMMAND):
        message = f"没有“{exc.command_name}”这个命令"
        if exc.possibilities:
            message += f"：是不是{clitext.quoted(sorted(exc.possibilities), '或')}？"
    elif isinstance(exc, click.exceptions.MissingParameter):
        message = f"缺少{'选项' if isinstance(exc.param, click.Option) else '参数'} {_hint(exc.param, ctx)}"
        if exc.param is not None and isinstance(exc.param.type, click.Choice):
            message += "：可写 " + clitext.quoted(exc.param.type.choices)
    elif isinstance(exc, click.exceptions.BadParameter) and exc.param is not None:
        message = f"{_hint(exc.param, ctx)} 的值不对：{exc.message}"
    else:
        message = exc.format_message()
    lines = [f"错误：{message}"]
    if ctx is not None:
        lines.append(ctx.get_usage())
        lines.append(f"运行“{ctx.command_path} --help”查看用法。")
    return lines


class _Between(click.IntRange):
    """An integer option within bounds, shown in help as "[1 到 64]" rather than click's
    "[1<=x<=64]"."""

    def _describe_range(self) -> str:
        return f"{self.min} 到 {self.max}"


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a ``kill``, the terminal window closed): stopped as by Ctrl+C, so
    that LibreOffice is killed and the staging folder removed, nothing half written."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop_on_termination() -> Any:
    """Turn SIGTERM and SIGHUP into :class:`_Terminated` in the main thread (POSIX; on
    Windows closing the console cannot be caught this way). Returns what puts the previous
    handlers back (a command run inside another program, a test, leaves them as they were)."""
    import signal
    import threading

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def stop(signum: int, _frame: Any) -> None:
            raise _Terminated(signum)

        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is not None:
                try:
                    previous[number] = signal.signal(number, stop)
                except (OSError, ValueError):
                    pass

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    return restore


class _Command(click.Command):
    """A formkit command: its usage line says ``[选项]`` for the options."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class _Group(click.Group):
    """The command group: every error, click's and formkit's, becomes a Chinese message on
    stderr and its exit code (module docstring); never a traceback."""

    command_class = _Command

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        _utf8_console()
        restore_signals = _stop_on_termination()
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # `formkit` alone: the help
            _err(exc.format_message())
            code = exc.exit_code
        except click.exceptions.UsageError as exc:  # usage and option errors
            for line in _usage_error(exc):
                _err(line)
            code = exc.exit_code
        except click.exceptions.ClickException as exc:
            _err(f"错误：{exc.format_message()}")
            code = exc.exit_code
        except (click.exceptions.Abort, KeyboardInterrupt) as exc:
            _err("已中止。")
            cause = exc if isinstance(exc, _Terminated) else exc.__cause__ or exc.__context__  # click turns it into Abort
            code = 128 + cause.signum if isinstance(cause, _Terminated) else EXIT_INTERRUPTED
        except RecordsInvalid as exc:
            for line in _problem_lines(exc.problems):
                _err(line)
            _err(f"错误：{exc}")
            code = exc.exit_code
        except FormkitError as exc:
            _err(f"错误：{exc}")
            code = _exit_code(exc)
        except OSError as exc:  # a file the command reads or writes, outside formkit's own checks
            where = f" {masked_path(Path(exc.filename))}" if isinstance(exc.filename, str) else ""
            _err(f"错误：无法读写{where}：{os_reason(exc)}")
            code = EXIT_ENVIRONMENT
        except Exception as exc:
            if os.environ.get("FORMKIT_DEBUG"):
                raise
            _err(
                f"formkit 内部错误（{type(exc).__name__}），命令没有完成。请把运行的命令和这段话告诉维护者；"
                "为保护个人信息，这里不显示错误的内容（设置环境变量 FORMKIT_DEBUG=1 再运行可看到全部）。"
            )
            code = EXIT_INTERNAL
        else:
            code = result if isinstance(result, int) else 0
        restore_signals()
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(cls=_Group, epilog=EXIT_CODES, options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
@click.version_option(__version__, prog_name="formkit")
def main() -> None:
    """formkit：按厦工[2011]104号通知，从 YAML 记录生成附件1–4 的 Word 表格。

    通常先运行 formkit check records 检查记录，再运行 formkit render records 生成表格。每个命令的用法：formkit 命令 --help。
    """


RECORDS = click.argument("records", type=click.Path(path_type=Path), default="records", required=False)
TEMPLATES = click.option(
    "--templates", type=click.Path(path_type=Path, file_okay=False), default=None, help="自己的模板所在的文件夹（默认用 formkit 自带的）。"
)


@main.command()
@RECORDS
@click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="同时检查这个文件夹里的每个模板：每个标签（每个分支、每个循环里的）都对照记录的字段。",
)
def check(records: Path, templates: Path | None) -> None:
    """检查 RECORDS 里的每份记录（填表说明第1–21项、身份证号、记录之间的规则）。

    每个问题一行：文件:行: 字段 — 问题 — 允许值，错误和警告分开（这是检查的结果，打印在标准输出）。加 --templates 时，模板的问题也一样列出（模板: 表格1 第3行 第2格 — 标签“…”：…）。没有错误时退出码为 0，有错误时为 1。
    """
    record_set = api.check(records, templates=templates)
    for line in _problem_lines(record_set.problems):
        _out(line)
    if templates is not None:  # the templates were read: say so, and how many (issue: a silent check)
        own = [p for p in record_set.problems if Path(p.path).parent == templates]
        errors = sum(1 for p in own if p.is_error)
        _out(
            f"模板：{templates} 里 {len(template_files(templates))} 个模板，"
            + (f"{len(own)} 处问题（{errors} 处错误，{len(own) - errors} 处警告）。" if own else "0 处问题。")
        )
    workers = sum(len(u.workers) for u in record_set.units)
    weeks = sum(len(u.weeks) for u in record_set.units)
    bad = {p.path for p in record_set.errors}
    bad_workers = sum(1 for path in bad if "职工" in Path(path).parts)
    bad_weeks = sum(1 for path in bad if "周报" in Path(path).parts)
    bad_units = sum(1 for path in bad if Path(path).name == api.UNIT_FILE)
    _out(
        f"{len(record_set.units)} 个单位"
        + (f"（另有 {bad_units} 个单位的 {api.UNIT_FILE} 有错误，其中正确的职工和周报未计入）" if bad_units else "")
        + f"，{workers + bad_workers} 名职工"
        + (f"（{bad_workers} 份有错误）" if bad_workers else "")
        + f"，{weeks + bad_weeks} 份周报"
        + (f"（{bad_weeks} 份有错误）" if bad_weeks else "")
        + f"；{len(record_set.errors)} 处错误，{len(record_set.warnings)} 处警告。"
    )
    if record_set.errors:
        sys.exit(EXIT_PROBLEMS)


@main.command()
@RECORDS
@click.option("-o", "--out", type=click.Path(path_type=Path), default="output", show_default=True, help="输出文件夹。")
@TEMPLATES
@click.option("--keep-going", is_flag=True, help="有记录出错时，仍生成其余正确的记录（有错的单位放进“（不完整）”文件夹，退出码 1）。")
@click.option("--pdf", is_flag=True, help="每个文档旁再生成 PDF（需要 LibreOffice）。")
@click.option("--force", is_flag=True, help="全部重新生成，包括上次以来没有变化的文档。")
@click.option("--mask", is_flag=True, help="另写一份遮盖了身份证号、电话、详细地址的公示用副本到 OUT/公示/（以后每次生成都会更新它）。")
@click.option(
    "--jobs",
    "jobs",
    type=_Between(1, 64),
    default=None,
    metavar="个数",
    help="加 --pdf 时同时运行的 LibreOffice 个数（默认：CPU 核数）。",
)
def render(
    records: Path, out: Path, templates: Path | None, keep_going: bool, pdf: bool, force: bool, mask: bool, jobs: int | None
) -> None:
    """把 RECORDS 里每个单位的附件1–4 生成到 OUT。

    记录有错误时不写任何文件（--keep-going 除外）。只重新生成记录、单位、活动或模板有变化的文档（--force 全部重新生成）；不加 --pdf 时，重新生成的文档的 PDF 会删去（并列出），其余 PDF 保留。在终端里，超过两秒的生成会显示进度条。
    """
    stage, counted, converted, finish = render_progress()
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
            pdf_workers=jobs,
            on_pdf=converted,
        )
    finally:
        finish()
    for unit, counts in report.counts.items():
        parts = "，".join(f"{name} {n} 份" for name, n in counts.items())
        _out(f"{unit}：{parts}")
    _out(f"共 {len(report.files)} 个文件，已写入 {out}")
    kept = len(report.files) - len(report.rebuilt)
    if kept:
        _out(f"其中 {kept} 个与上次相同，未重新生成（--force 全部重新生成）。")
    for packet in report.packets:
        _out(f"报送包：{out / packet}" + ("（其中的活动小结是草稿，见下面的提示）" if packet in report.draft_summaries else ""))
    if report.publicity:
        _out(f"公示用（已遮盖身份证号、电话、详细地址）：{len(report.publicity)} 个文件，在 {out / api.PUBLICITY_DIR}")
    if pdf:
        pdfs = [f for f in report.files if f.suffix == ".pdf"]
        converted = sum(1 for f in report.rebuilt if f.suffix == ".pdf")
        memory = f"；LibreOffice 最多同时占用内存 {report.pdf_peak_rss / 1e6:.0f} MB" if report.pdf_peak_rss else ""
        _out(f"PDF：{len(pdfs)} 个，本次转换 {converted} 个{memory}")
    if report.pdf_removed:
        _out(f"删去了 {len(report.pdf_removed)} 个 PDF：它们的文档重新生成了，旧 PDF 可能与之不符（加 --pdf 再生成）：")
        for path in report.pdf_removed[:SHOWN_PDFS]:
            _out(f"  {out / path}")
        if len(report.pdf_removed) > SHOWN_PDFS:
            _out(f"  …还有 {len(report.pdf_removed) - SHOWN_PDFS} 个")
    if report.draft_summaries:
        _err(
            "注意：这些报送包里的活动小结是 formkit 生成的草稿，有“（请填写）”的地方，还不能报送。"
            "在 Word 里把草稿写完，存到右边的位置，再运行 formkit render，报送包就会换用它："
        )
        for packet, finished in report.draft_summaries.items():
            _err(f"  {out / packet.with_suffix('') / finished.name} → {finished}")
    shown = [p for p in report.warnings if p.path.suffix.lower() == ".docx"]  # the templates' own (issue 14)
    for p in shown:
        _err("模板警告：" + _shown(p))
    if len(report.warnings) > len(shown):
        _err(f"另有 {len(report.warnings) - len(shown)} 处警告（运行 formkit check 查看）。")
    if report.pdf_pages:
        _err(f"有 {len(report.pdf_pages)} 个 PDF 的页数与表格的页面规则不符，打印前请打开核对：")
        for path, why in report.pdf_pages:
            _err(f"  {out / path}：{why}")
        for line in page_hints(report):
            _err(line)
    if report.pdf_failed:
        _err(f"有 {len(report.pdf_failed)} 个 PDF 未能生成（对应的 .docx 已写入；再运行一次 formkit render --pdf 会只转换这些）：")
        for line in failed_lines(out, report.pdf_failed):
            _err(line)
    if report.skipped:
        _err("以下记录有错误，未生成；它们所在单位的输出在“（不完整）”文件夹里，不生成报送包，请改正后重新生成：")
        for p in sorted(report.skipped):
            if p.is_error:
                _err("  " + _shown(p))
        sys.exit(EXIT_PROBLEMS)
    if report.pdf_failed:
        sys.exit(EXIT_ENVIRONMENT)
    if report.pdf_pages:
        sys.exit(EXIT_PROBLEMS)


@main.command(context_settings={"ignore_unknown_options": True})
@click.argument("values", nargs=-1, required=True)
def amount(values: tuple[str, ...]) -> None:
    """打印每个金额 VALUES（元）的大写金额，一行一个。

    例：formkit amount 1409.50  →  壹仟肆佰零玖元伍角整。不能接受的金额（负数、超过两位小数、不是数）在标准错误打印“错误：…”，退出码为 2。
    """
    failed = False
    for value in values:
        try:
            _out(api.amount_in_words(value))
        except FormkitError as exc:
            _err(f"错误：{value}：{exc}")
            failed = True
    if failed:
        sys.exit(EXIT_USAGE)


@main.command()
@click.argument("kind", type=clitext.Choice(["worker", "week", "unit", "campaign"]), metavar="KIND")
@click.argument("path", type=click.Path(path_type=Path), required=False)
def new(kind: str, path: Path | None) -> None:
    """写一份空白记录：KIND 是 worker（职工）、week（周报）、unit（单位）或 campaign（活动）。

    每个键都在，注释里写着允许的值。

    不给 PATH 时打印出来。PATH 是 .yaml 文件名，或文件夹：unit 写到 PATH/单位.yaml，campaign 写到 PATH/campaign.yaml，worker 和 week 在 PATH/职工/、PATH/周报/ 里新建一个编号的文件。从不覆盖已有的文件。
    """
    if path is None:
        _out(api.new_record(kind).rstrip("\n"))
        return
    written = api.write_new_record(kind, path)
    _out(f"已写入 {written}")
    if kind == "worker":
        _err("填好后可以把文件改名为“档案编号-姓名.yaml”；填写时运行 formkit check 检查。")


@main.command()
@RECORDS
@click.option(
    "-o", "--out", type=click.Path(path_type=Path), default="output", show_default=True, help="输出文件夹（通知放进 OUT/通知/）。"
)
@TEMPLATES
@click.option("--date", "issued", default=None, metavar="日期", help="要印上的成文日期（如 2011年11月25日）；不写则留空盖章。")
def notice(records: Path, out: Path, templates: Path | None, issued: str | None) -> None:
    """为主送的每个单位生成通知及其四个空白附件。"""
    files = api.notice(records, out, templates=templates, issued=parse_date(issued) if issued else None)
    _out(f"共 {len(files)} 个文件，已写入 {out / api.NOTICE_DIR}")


@main.command()
@RECORDS
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("output") / "全市汇总", show_default=True, help="输出文件夹。")
@TEMPLATES
def collect(records: Path, out: Path, templates: Path | None) -> None:
    """全市汇总（法律与保障部）：全市名册，各单位、各资金来源的合计，各周五的拖欠情况，以及在多个单位出现的人。"""
    record_set = api.check(records)
    if record_set.errors:
        _err(f"注意：记录中有 {len(record_set.errors)} 处错误，有错的记录未计入汇总（运行 formkit check 查看）。")
    files = api.collect(record_set, out, templates=templates)
    for path in files:
        _out(str(path))
    _out(f"共 {len(files)} 个文件，已写入 {out}")


@main.command(name="import")
@click.argument("sheet", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--unit", "unit", default=None, metavar="单位", help="填报单位：写入哪个单位的文件夹（默认按表中的“填报单位”列，或唯一的单位）。"
)
@click.option(
    "-o",
    "--records",
    "records",
    type=click.Path(path_type=Path),
    default="records",
    show_default=True,
    help="写入的记录文件夹。",
)
@click.option("--sheet", "sheet_name", default=None, metavar="工作表", help="工作表的名称（默认：第一个有可识别表头的）。")
@click.option("--dry-run", is_flag=True, help="只检查、报告将写入什么，不写任何文件。")
def import_(sheet: Path, unit: str | None, records: Path, sheet_name: str | None, dry_run: bool) -> None:
    """把名册表格 SHEET（.xlsx 或 .csv）导入为职工记录，每行一份 YAML。

    从不覆盖：身份证号已有记录的行只报告（相同或哪些列不同）。每个被拒绝的行都列出单元格和原因，不写入；有被拒绝的行时退出码为 1。
    """
    report = api.import_sheet(sheet, records, unit=unit, sheet_name=sheet_name, dry_run=dry_run)
    for line in report.summary_lines():
        _out(line)
    for line in report.problem_lines():
        _err(line)
    if report.refused:
        sys.exit(EXIT_PROBLEMS)


@main.command()
@RECORDS
@click.option("-o", "--out", type=click.Path(path_type=Path), default=Path("output") / "表格", show_default=True, help="输出文件夹。")
@click.option("--keep-going", is_flag=True, help="有记录出错时，仍导出其余正确的记录。")
@click.option(
    "--csv",
    "csv_form",
    type=clitext.Choice(CSV_FORMS),
    default="plain",
    show_default=True,
    help='CSV 的形式：plain 为普通 UTF-8（给其他软件读）；excel 为给 Excel 双击打开的形式（带 BOM，身份证号写成 ="…" 不被当成数字）。',
)
def export(records: Path, out: Path, keep_going: bool, csv_form: str) -> None:
    """把附件2 名册、附件4 周报数据和全部职工记录导出为 .xlsx 和 CSV，每个单位一份，另有全市汇总。"""
    files = api.export(records, out, keep_going=keep_going, csv_form=csv_form)
    for path in files:
        _out(str(path))
    _out(f"共 {len(files)} 个文件，已写入 {out}")


@main.command()
@RECORDS
@click.option("--today", default=None, metavar="日期", help="按这一天计算剩余天数，而不是今天（如 2011-12-20）。")
def schedule(records: Path, today: str | None) -> None:
    """打印约束各单位的日期：每周五的周报、资金使用截止、上报截止，以及已报、缺报和剩余天数。"""
    _out(api.schedule(records, parse_date(today) if today else None).rstrip("\n"))


@main.command()
@RECORDS
@click.option("-o", "--out", type=click.Path(path_type=Path), default="output", show_default=True, help="从网页生成时的输出文件夹。")
@click.option("--host", default=None, metavar="地址", help="在这个地址上监听，而不是 127.0.0.1 和 ::1（其他电脑就能打开这个网页）。")
@click.option("--port", type=int, default=8765, metavar="端口", show_default=True, help="端口（被占用时用下一个空闲的；0：任意空闲端口）。")
@click.option("--no-browser", is_flag=True, help="不打开浏览器，只打印地址。")
def serve(records: Path, out: Path, host: str | None, port: int, no_browser: bool) -> None:
    """在浏览器的表单里编辑记录：本机上的一个网页，读写同样的 YAML 文件。

    打印地址（带令牌）并打开它。保存时只改动编辑过的字段；formkit 的检查结果显示在字段旁；可以在网页上生成一个单位的表格。按 Ctrl+C 停止。
    """
    from formkit.serve import serve as run

    run(records, out, host=host, port=port, open_browser=not no_browser, echo=click.echo)


@main.command()
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="把每种记录的 schema 文件写进这个文件夹，并打印 VS Code 的设置。",
)
def schema(out: Path | None) -> None:
    """写出记录文件的 JSON Schema，供编辑器补全和检查（见 README）。

    不加 -o 时打印一份合并的 schema；加 -o DIR 时把职工、周报、单位、活动的 schema 写进 DIR，并打印 VS Code 的 YAML 扩展所用的 yaml.schemas 设置。
    """
    if out is None:
        _out(json.dumps(api.json_schema(), ensure_ascii=False, indent=2))
        return
    settings = api.write_schemas(out)
    _out(f"已写入 {out}/。把下面这段加入 VS Code 的 .vscode/settings.json：")
    _out(json.dumps(settings, ensure_ascii=False, indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
