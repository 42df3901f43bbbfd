"""The formkit command's conventions (issue 15): results on stdout, problems and progress on
stderr, every message in Chinese (click's own included), the documented exit codes, no
traceback and no personal number on any error path."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import RECORDS, ROOT, TEMPLATES
from formkit import api
from formkit.cli import EXIT_INTERNAL, EXIT_INTERRUPTED, main
from formkit.clitext import CHINESE
from formkit.errors import EXIT_ENVIRONMENT, EXIT_PROBLEMS, EXIT_USAGE

SM = "思明区总工会"
SECRET_ID = "350203196205142107"  # 王秀英's, in the fictional sample records

#: Words of click's English messages (from the messages formkit translates): none may reach
#: the user. Placeholders and words shorter than four letters are left out.
ENGLISH = sorted(
    {w.lower() for m in CHINESE for w in re.findall(r"[A-Za-z]{4,}", re.sub(r"\{[^}]*\}|%\([^)]*\)s", "", m))} - {"prog", "bash", "json"}
)


class _Runner(CliRunner):
    """Invokes the command as ``formkit`` (its name in usage lines)."""

    def invoke(self, *args: object, **kwargs: object) -> Result:  # type: ignore[override]
        kwargs.setdefault("prog_name", "formkit")
        return super().invoke(*args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def runner() -> CliRunner:
    return _Runner()


@pytest.fixture
def records(tmp_path: Path) -> Path:
    copy = tmp_path / "records"
    shutil.copytree(RECORDS, copy)
    return copy


def english_in(text: str) -> list[str]:
    """Click's English words in *text* (option names such as --version and formkit's
    metavars such as PATH aside)."""
    text = re.sub(r"--?[A-Za-z][\w-]*|\b[A-Z]{2,}\b", "", text)
    return [w for w in ENGLISH if re.search(rf"\b{w}\b", text, re.I)]


def assert_clean(result: Result) -> None:
    """No traceback, no English word of click's, no full ID number, on either stream."""
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream and "Error:" not in stream, stream
        assert not english_in(stream), (english_in(stream), stream)
        assert SECRET_ID not in stream
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


# ---------------------------------------------------------------- streams


def test_results_go_to_stdout_refusals_to_stderr(runner: CliRunner) -> None:
    result = runner.invoke(main, ["amount", "1409.50", "2.675"])
    assert result.exit_code == EXIT_USAGE
    assert result.stdout == "壹仟肆佰零玖元伍角整\n"
    assert result.stderr.startswith("错误：2.675：") and "两位小数" in result.stderr
    assert_clean(result)


def test_a_refused_render_prints_its_problems_on_stderr(runner: CliRunner, records: Path, tmp_path: Path) -> None:
    bad = records / SM / "职工" / "004-黄建国.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("政治面貌:", "政治面目:", 1), encoding="utf-8")
    result = runner.invoke(main, ["render", str(records), "-o", str(tmp_path / "out")])
    assert result.exit_code == EXIT_PROBLEMS
    assert result.stdout == ""
    assert "004-黄建国.yaml" in result.stderr and "政治面目" in result.stderr and "错误：记录有 1 处错误" in result.stderr
    assert not (tmp_path / "out").exists()
    assert_clean(result)


def test_check_prints_its_findings_as_its_result(runner: CliRunner, records: Path) -> None:
    bad = records / SM / "职工" / "004-黄建国.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("政治面貌:", "政治面目:", 1), encoding="utf-8")
    result = runner.invoke(main, ["check", str(records)])
    assert result.exit_code == EXIT_PROBLEMS
    assert "政治面目" in result.stdout and "1 处错误" in result.stdout and result.stderr == ""


def test_render_says_the_packet_holds_the_draft_summary_and_where_the_finished_one_goes(
    runner: CliRunner, records: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = runner.invoke(main, ["render", str(records), "-o", str(out), "--templates", str(TEMPLATES)])
    assert result.exit_code == 0, result.output
    packets = [line for line in result.stdout.splitlines() if line.startswith("报送包：")]
    assert len(packets) == 2 and all("活动小结是草稿" in line for line in packets)
    finished = records / SM / "活动小结.docx"
    draft = next(out.glob(f"{SM}/报送_*/活动小结.docx"))
    assert "活动小结是 formkit 生成的草稿" in result.stderr and f"  {draft} → {finished}" in result.stderr
    assert "生成 " in result.stderr  # progress on stderr, never on stdout
    assert "生成 " not in result.stdout
    assert_clean(result)


# ---------------------------------------------------------------- click's words in Chinese


USAGE_ERRORS = [
    ["render", "--bogus"],
    ["render", "-o"],
    ["new"],
    ["new", "bogus"],
    ["frob"],
    ["check", "records", "多余的"],
    ["export", "--csv", "foo"],
    ["import", "no-such-file.xlsx"],
    ["render", "--pdf=yes"],
    ["serve", "--port", "eighty"],
]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=" ".join)
def test_usage_errors_are_in_chinese_with_exit_2(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("错误：")
    assert_clean(result)


def test_usage_error_names_the_near_option_and_the_usage(runner: CliRunner) -> None:
    result = runner.invoke(main, ["render", "--ot", "x"])
    assert "没有“--ot”这个选项：是不是“--out”" in result.stderr  # click suggests the near options, --out first
    assert "用法: formkit render [选项] [RECORDS]" in result.stderr and "formkit render --help" in result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["rendr"], "错误：没有“rendr”这个命令：是不是“render”？"),
        (["new", "foo"], "错误：KIND 的值不对：“foo”不是可选的值：可选 “worker”、“week”、“unit”、“campaign”。"),
        (["export", "--csv", "foo"], "错误：--csv 的值不对：“foo”不是可选的值：可选 “plain”、“excel”。"),
        (["new"], "错误：缺少参数 KIND：可写 “worker”、“week”、“unit”、“campaign”"),
    ],
    ids=["command", "choice", "option-choice", "missing-choice"],
)
def test_click_names_commands_and_choices_in_chinese_quotes(runner: CliRunner, args: list[str], said: str) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.splitlines()[0] == said
    assert "'" not in result.stderr and ", " not in result.stderr and " ？" not in result.stderr


@pytest.mark.parametrize("command", [None, "check", "render", "new", "import", "export", "schedule", "amount"])
def test_help_pages_are_in_chinese(runner: CliRunner, command: str | None) -> None:
    result = runner.invoke(main, [command, "--help"] if command else ["--help"])
    assert result.exit_code == 0
    assert result.stdout.startswith("用法: formkit") and "选项:" in result.stdout and "显示这段说明并退出。" in result.stdout
    assert not english_in(result.stdout), english_in(result.stdout)


def test_the_exit_codes_are_in_the_help_and_the_readme(runner: CliRunner) -> None:
    help_text = runner.invoke(main, ["--help"]).stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in (0, EXIT_PROBLEMS, EXIT_USAGE, EXIT_ENVIRONMENT, EXIT_INTERNAL, EXIT_INTERRUPTED):
        assert re.search(rf"^\s+{code}\s+\S", help_text, re.M), code
        assert re.search(rf"^\| `{code}` \|", readme, re.M), code


# ---------------------------------------------------------------- exit codes


def test_a_records_folder_that_does_not_exist_is_wrong_usage(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["check", str(tmp_path / "nowhere")])
    assert result.exit_code == EXIT_USAGE and "记录文件夹不存在" in result.stderr
    assert_clean(result)


def test_an_output_path_that_is_a_file_is_wrong_usage(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be", encoding="utf-8")
    result = runner.invoke(main, ["render", str(RECORDS), "-o", str(blocker), "--templates", str(TEMPLATES)])
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr.startswith("错误：无法写入输出文件夹") and "不是文件夹" in result.stderr
    assert blocker.read_text(encoding="utf-8").startswith("a file")
    assert_clean(result)


def test_a_full_disk_is_the_environment(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = runner.invoke(main, ["export", str(RECORDS), "-o", str(tmp_path / "表格")])
    assert result.exit_code == EXIT_ENVIRONMENT, result.output
    assert "磁盘已满" in result.stderr and "No space" not in result.stderr
    assert_clean(result)


def test_libreoffice_missing_is_the_environment(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMKIT_SOFFICE", str(tmp_path / "no-soffice"))
    result = runner.invoke(main, ["render", str(RECORDS), "-o", str(tmp_path / "out"), "--pdf"])
    assert result.exit_code == EXIT_ENVIRONMENT and "FORMKIT_SOFFICE" in result.stderr
    assert not (tmp_path / "out").exists()
    assert_clean(result)


def test_keep_going_with_a_unit_left_out_exits_1(runner: CliRunner, records: Path, tmp_path: Path) -> None:
    bad = records / SM / "职工" / "004-黄建国.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("政治面貌:", "政治面目:", 1), encoding="utf-8")
    result = runner.invoke(main, ["render", str(records), "-o", str(tmp_path / "out"), "--keep-going", "--templates", str(TEMPLATES)])
    assert result.exit_code == EXIT_PROBLEMS
    assert "共 " in result.stdout and "以下记录有错误，未生成" in result.stderr


@pytest.mark.parametrize(
    ("raised", "code", "said"),
    [
        (RuntimeError(f"a bug while reading {SECRET_ID}"), EXIT_INTERNAL, "formkit 内部错误（RuntimeError）"),
        (PermissionError(13, "Permission denied", f"/records/{SECRET_ID}.yaml"), EXIT_ENVIRONMENT, "没有权限"),
        (KeyboardInterrupt(), EXIT_INTERRUPTED, "已中止"),
    ],
    ids=["bug", "os-error", "ctrl-c"],
)
def test_the_unforeseen_has_an_exit_code_and_no_traceback_or_personal_value(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, raised: BaseException, code: int, said: str
) -> None:
    def fail(*_: object, **__: object) -> None:
        raise raised

    monkeypatch.setattr(api, "check", fail)
    result = runner.invoke(main, ["check", "records"])
    assert result.exit_code == code
    assert said in result.stderr and result.stdout == ""
    assert "350203********2107" in result.stderr or SECRET_ID[:6] not in result.stderr
    assert_clean(result)


# ---------------------------------------------------------------- formkit new, import


def test_new_with_a_folder_writes_each_record_where_it_belongs(runner: CliRunner, records: Path) -> None:
    unit = records / "湖里区总工会"
    result = runner.invoke(main, ["new", "unit", str(unit)])
    assert result.exit_code == 0 and (unit / "单位.yaml").is_file(), result.output
    assert result.stdout == f"已写入 {unit / '单位.yaml'}\n"
    first = runner.invoke(main, ["new", "worker", str(unit)])
    second = runner.invoke(main, ["new", "worker", str(unit)])
    assert (unit / "职工" / "001.yaml").is_file() and (unit / "职工" / "002.yaml").is_file()
    assert "002.yaml" in second.stdout and "档案编号-姓名.yaml" in first.stderr
    assert runner.invoke(main, ["new", "week", str(unit / "周报")]).exit_code == 0
    assert (unit / "周报" / "第1周.yaml").is_file()
    # the records folder itself is not a unit: said, with the path to give, nothing written
    wrong = runner.invoke(main, ["new", "worker", str(records)])
    assert wrong.exit_code == EXIT_USAGE and f"formkit new worker {records / '<填报单位>'}" in wrong.stderr
    assert not (records / "职工").exists()
    # an existing file is never overwritten
    again = runner.invoke(main, ["new", "unit", str(unit)])
    assert again.exit_code == EXIT_USAGE and "不会覆盖" in again.stderr
    # what check then says of the new unit names its files, not a missing folder
    check = runner.invoke(main, ["check", str(records)])
    assert "湖里区总工会/职工/001.yaml" in check.stdout


def test_import_into_a_unit_that_does_not_exist_says_how_to_make_it(runner: CliRunner, records: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "名册.csv"
    sheet.write_text("档案编号,姓名,身份证号,困难类别,致困主要原因\nHL-001,林小梅,350203198003151127,低保户,子女上学\n", encoding="utf-8")
    result = runner.invoke(main, ["import", str(sheet), "--unit", "湖里区总工会", "-o", str(records)])
    assert result.exit_code == EXIT_USAGE
    hint = f"formkit new unit {records / '湖里区总工会'}"
    assert hint in result.stderr
    assert runner.invoke(main, ["new", "unit", str(records / "湖里区总工会")]).exit_code == 0
    done = runner.invoke(main, ["import", str(sheet), "--unit", "湖里区总工会", "-o", str(records)])
    assert done.exit_code == 0, done.output
    assert "写入 1 份" in done.stdout and (records / "湖里区总工会" / "职工" / "HL-001-林小梅.yaml").is_file()


def test_import_prints_refused_rows_on_stderr_and_exits_1(runner: CliRunner, records: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "名册.csv"
    sheet.write_text("档案编号,姓名,身份证号,困难类别,致困主要原因\nHL-002,林小梅,350203198003151128,低保户,子女上学\n", encoding="utf-8")
    result = runner.invoke(main, ["import", str(sheet), "--unit", SM, "-o", str(records)])
    assert result.exit_code == EXIT_PROBLEMS
    assert "拒绝 1 行" in result.stdout and "拒绝，未写入" in result.stderr and "名册.csv!C2" in result.stderr
    assert "350203198003151128" not in result.output
    assert_clean(result)


# ---------------------------------------------------------------- export


def test_export_writes_values_with_control_characters_without_a_traceback(runner: CliRunner, records: Path, tmp_path: Path) -> None:
    worker = records / SM / "职工" / "001-王秀英.yaml"
    text = worker.read_text(encoding="utf-8").replace("工作单位: 厦门市鹭江纺织厂", '工作单位: "厦门市鹭江\\x0b纺织厂\\x01"')
    worker.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["export", str(records), "-o", str(tmp_path / "表格")])
    assert result.exit_code == 0, result.output
    assert_clean(result)


def test_export_csv_plain_by_default_and_for_excel_on_request(runner: CliRunner, tmp_path: Path) -> None:
    plain = runner.invoke(main, ["export", str(RECORDS), "-o", str(tmp_path / "a")])
    excel = runner.invoke(main, ["export", str(RECORDS), "-o", str(tmp_path / "b"), "--csv", "excel"])
    assert plain.exit_code == excel.exit_code == 0
    name = f"{SM}/困难职工档案.csv"
    assert not (tmp_path / "a" / name).read_bytes().startswith(b"\xef\xbb\xbf")
    assert '="' not in (tmp_path / "a" / name).read_text(encoding="utf-8")
    assert (tmp_path / "b" / name).read_bytes().startswith(b"\xef\xbb\xbf")
    assert '="' in (tmp_path / "b" / name).read_text(encoding="utf-8-sig")


# ---------------------------------------------------------------- masking


def test_a_large_amount_is_shown_as_typed_not_masked(runner: CliRunner, records: Path) -> None:
    worker = records / SM / "职工" / "001-王秀英.yaml"
    worker.write_text(worker.read_text(encoding="utf-8").replace("资助金额: 1000.00", "资助金额: 100000000"), encoding="utf-8")
    result = runner.invoke(main, ["check", str(records)])
    assert "资助金额 100000000.00 元填不进" in result.stdout
    assert "****" not in result.stdout


# ---------------------------------------------------------------- every command's error paths


COMMANDS_WITH_RECORDS = ["check", "render", "schedule", "collect", "export", "notice"]


@pytest.mark.parametrize("command", sorted(main.commands))
def test_no_command_prints_english_or_a_traceback_on_an_unknown_option(runner: CliRunner, command: str) -> None:
    result = runner.invoke(main, [command, "--no-such-option"])
    assert result.exit_code == EXIT_USAGE
    # amount takes what follows as values (so that -5 is an amount, refused as negative)
    said = "错误：--no-such-option：" if command == "amount" else "错误：没有“--no-such-option”这个选项"
    assert result.stderr.startswith(said) and result.stdout == ""
    assert_clean(result)


@pytest.mark.parametrize("command", COMMANDS_WITH_RECORDS)
def test_no_command_prints_english_or_a_traceback_for_a_missing_records_folder(runner: CliRunner, command: str, tmp_path: Path) -> None:
    result = runner.invoke(
        main,
        [command, str(tmp_path / "没有这个文件夹"), *(["-o", str(tmp_path / "o")] if command != "check" and command != "schedule" else [])],
    )
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr == f"错误：记录文件夹不存在：{tmp_path / '没有这个文件夹'}\n" and result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["schedule", str(RECORDS), "--today", "2011-13-45"],
        ["notice", str(RECORDS), "--date", "明天"],
        ["amount", "-5", "abc", "１２.３４５"],
    ],
    ids=["bad-today", "bad-date", "bad-amounts"],
)
def test_bad_values_are_said_in_chinese(runner: CliRunner, args: list[str], tmp_path: Path) -> None:
    result = runner.invoke(main, [*args, *(["-o", str(tmp_path)] if args[0] == "notice" else [])])
    assert result.exit_code == EXIT_USAGE
    assert result.stderr.startswith("错误：") and result.stdout == ""
    assert_clean(result)


def test_import_of_a_broken_or_warned_workbook_says_it_in_chinese(
    runner: CliRunner, records: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "名册.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    result = runner.invoke(main, ["import", str(broken), "--unit", SM, "-o", str(records)])
    assert result.exit_code == EXIT_USAGE and "不是能读取的 .xlsx 文件" in result.stderr
    assert_clean(result)

    import warnings

    import openpyxl
    from openpyxl import Workbook

    real = openpyxl.load_workbook

    def warned(*args: object, **kwargs: object) -> object:  # what openpyxl says of sheets offices keep
        warnings.warn("Data Validation extension is not supported and will be removed", UserWarning, stacklevel=2)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(openpyxl, "load_workbook", warned)
    book = Workbook()
    book.active.append(["档案编号", "姓名", "身份证号", "困难类别", "致困主要原因"])
    book.save(tmp_path / "名册2.xlsx")

    def shown(
        message: Warning | str, category: type[Warning], filename: str, lineno: int, file: object = None, line: str | None = None
    ) -> None:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))  # as Python shows it outside pytest

    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = shown
        result = runner.invoke(main, ["import", str(tmp_path / "名册2.xlsx"), "--unit", SM, "-o", str(records)])
    assert result.exit_code == 0, result.output
    assert "Validation" not in result.output and "Warning" not in result.output


def test_help_shows_no_english_value_names(runner: CliRunner) -> None:
    """Every option's value is named in Chinese (click's defaults are TEXT, INTEGER …)."""
    for name in main.commands:
        options = [line for line in runner.invoke(main, [name, "--help"]).output.splitlines() if line.lstrip().startswith("-")]
        assert options, name
        for line in options:
            assert not re.search(r"\b(TEXT|INTEGER|FLOAT|RANGE|PATH|DIRECTORY|FILENAME|BOOLEAN)\b|<=", line), (name, line)


def test_check_counts_a_unit_whose_unit_file_is_wrong(runner: CliRunner, tmp_path: Path) -> None:
    """A 单位.yaml with an error leaves its workers out of the counts: the summary says so
    instead of "0 个单位，0 名职工" (a new user's confusion)."""
    records = tmp_path / "records"
    shutil.copytree(RECORDS, records)
    unit_file = records / "思明区总工会" / "单位.yaml"
    unit_file.write_text(re.sub(r"(?m)^填报单位:.*\n", "", unit_file.read_text(encoding="utf-8")), encoding="utf-8")
    result = runner.invoke(main, ["check", str(records)])
    assert result.exit_code == 1
    assert "1 个单位（另有 1 个单位的 单位.yaml 有错误，其中正确的职工和周报未计入）" in result.output, result.output
