"""Hostile and broken input (issue 7): a clear error or correct output, never a traceback or a hang.

Every case runs the real ``formkit`` command in a subprocess, so that a hang is cut off by
the subprocess timeout and a runaway allocation by an address-space limit (POSIX), and
asserts:

- no Python traceback on stdout or stderr;
- the exit code (0 output written, 1 the records have errors, 2 any other refusal);
- the message names the offending file (or template, or folder);
- the command finished within :data:`BOUND` seconds under :data:`MEMORY_LIMIT` bytes of
  address space.

Records are copied from the shipped samples into ``tmp_path`` and broken there; every
person, ID number and phone number is fictional (the ID numbers are made with a correct
GB 11643-1999 check digit so that only the intended fault shows). The shipped ``records/``
is never written to.

Where formkit fails today the test is marked ``xfail(strict=True)`` with the bug in its
reason: once the bug is fixed the test passes, strict xfail turns that into a failure, and
the marker must be removed.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import time
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from conftest import RECORDS, ROOT, TEMPLATES

SRC = ROOT / "src"

#: Wall-clock bound of one command (seconds); the sample folder renders in about 3 s.
BOUND = 60
#: Bound for the cases that hang today: they burn CPU until killed, so keep them short.
HANG_BOUND = 20
#: Address-space limit of the child process (bytes): a runaway allocation fails instead of
#: swapping the machine (a clerk's PC has far less memory than a build server).
MEMORY_LIMIT = 2 * 1024**3

WORKER = Path("思明区总工会") / "职工"
WORKER_001 = WORKER / "001-王秀英.yaml"
VOUCHER_TEMPLATE = "附件1_慰问金发放凭证.docx"

ID_001 = "350203196205142107"  # the fictional 身份证号 of the sample record 001-王秀英


# ---------------------------------------------------------------- running formkit


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@dataclass
class Run:
    """One finished formkit command."""

    args: tuple[str, ...]
    rc: int
    out: str
    err: str
    seconds: float

    @property
    def text(self) -> str:
        return self.out + self.err


def formkit(*args: object, timeout: float = BOUND, cwd: Path | None = None, code: str | None = None) -> Run:
    """Run ``python -m formkit.cli ARGS`` (or ``python -c CODE ARGS``); fail the test on a hang."""
    env = dict(os.environ, PYTHONPATH=str(SRC), PYTHONIOENCODING="utf-8", LC_ALL="C.UTF-8", LANG="C.UTF-8")
    head = ["-c", code] if code is not None else ["-m", "formkit.cli"]
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, *head, *map(str, args)],
            capture_output=True,
            env=env,
            cwd=cwd,
            timeout=timeout,
            preexec_fn=_limit_memory if os.name == "posix" else None,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"formkit {' '.join(map(str, args))} did not finish within {timeout} s (hang)")
    seconds = time.monotonic() - start
    out, err = (b.decode("utf-8", errors="replace") for b in (proc.stdout, proc.stderr))
    return Run(tuple(map(str, args)), proc.returncode, out, err, seconds)


def assert_clear(run: Run, codes: tuple[int, ...], *mentions: str, bound: float = BOUND) -> None:
    """No traceback, an expected exit code, every *mentions* in the output, within *bound*."""
    shown = run.text[-3000:]
    assert "Traceback (most recent call last)" not in run.text, f"traceback:\n{shown}"
    assert run.rc in codes, f"exit {run.rc}, expected {codes}:\n{shown}"
    for text in mentions:
        assert text in run.text, f"{text!r} not in the output:\n{shown}"
    assert run.seconds < bound, f"took {run.seconds:.1f} s"


def check(records: Path, **kw) -> Run:
    return formkit("check", records, **kw)


def render(records: Path, out: Path, *extra: object, templates: Path = TEMPLATES, **kw) -> Run:
    return formkit("render", records, "-o", out, "--templates", templates, *extra, **kw)


# ---------------------------------------------------------------- fictional records


_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]


def id_number(born: date, seq: int, female: bool, region: str = "350203") -> str:
    """A fictional 18-digit 身份证号 with a correct GB 11643-1999 check digit."""
    first = f"{region}{born:%Y%m%d}{seq % 100:02d}{(2 if female else 1)}"
    return first + "10X98765432"[sum(int(c) * w for c, w in zip(first, _WEIGHTS)) % 11]


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """A private copy of the shipped sample records."""
    folder = tmp_path / "records"
    shutil.copytree(RECORDS, folder)
    return folder


def sample_worker() -> str:
    return (RECORDS / WORKER_001).read_text(encoding="utf-8")


def edited(text: str, edits: dict[str, str]) -> str:
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def new_worker(folder: Path, file_name: str, seq: int, edits: dict[str, str] | None = None, name: str | None = None) -> Path:
    """Write a copy of worker 001 with its own 身份证号 and 档案编号, then *edits*."""
    text = edited(sample_worker(), edits or {})
    text = text.replace(f'身份证号: "{ID_001}"', f'身份证号: "{id_number(date(1962, 5, 14), seq, True)}"', 1)
    text = text.replace("档案编号: SM2011-001", f"档案编号: SM2011-{500 + seq}", 1)
    if name is not None:
        text = text.replace("姓名: 王秀英", f"姓名: {name}", 1)
    path = folder / WORKER / file_name
    path.write_text(text, encoding="utf-8")
    return path


def family(count: int) -> str:
    members = []
    for i in range(count):
        born = date(1990, 1, 1) + timedelta(days=i)
        members.append(
            f"  - 姓名: 成员{i}\n    关系: 儿子\n    性别: 男\n    政治面貌: 群众\n    出生日期: {born.isoformat()}\n"
            f'    身份证号: "{id_number(born, 55, False)}"\n    健康状况: 良好\n    月收入: 0\n    身份: 大学生\n'
            "    单位或学校: 集美大学\n"
        )
    return "".join(members)


def file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under *folder*, by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8"))
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def docx_text(path: Path) -> str:
    """The document.xml of a .docx (raises if the XML is not well-formed)."""
    from lxml import etree

    with zipfile.ZipFile(path) as zf:
        xml = zf.read("word/document.xml")
    etree.fromstring(xml)
    return xml.decode("utf-8")


# ---------------------------------------------------------------- hostile templates


def template_copy(folder: Path, transform, name: str = VOUCHER_TEMPLATE) -> Path:
    """Copy templates/ to *folder*, replacing word/document.xml of *name* by transform(xml)."""
    shutil.copytree(TEMPLATES, folder)
    with zipfile.ZipFile(TEMPLATES / name) as zin, zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                data = transform(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    return folder


def template_with_tag(folder: Path, tag: str, name: str = VOUCHER_TEMPLATE) -> Path:
    """Copy templates/ and put *tag* into the first run of *name* (the 附件1 heading), as Word would."""
    anchor = "<w:t>附件1</w:t>"

    def put(xml: str) -> str:
        assert anchor in xml, "the voucher template's heading run moved; update this test"
        return xml.replace(anchor, f"<w:t>附件1 {escape(tag)}</w:t>", 1)

    return template_copy(folder, put, name)


# ================================================================ 1. record files


def test_yaml_bomb_billion_laughs(records):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [{', '.join([f'*{prev}'] * 9)}]")
    (records / WORKER / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = check(records)
    assert_clear(run, (1,), "bomb.yaml")


def test_huge_file_50_mb(records):
    with open(records / WORKER / "huge.yaml", "wb") as fh:
        fh.write("备注: ".encode())
        chunk = b"x" * (1024 * 1024)
        for _ in range(50):
            fh.write(chunk)
        fh.write(b"\n")
    run = check(records)
    assert_clear(run, (1,), "huge.yaml")


@pytest.mark.parametrize("opening,closing", [("[", "]"), ("{", "}")], ids=["lists", "mappings"])
def test_deeply_nested_10000_levels(records, opening, closing):
    (records / WORKER / "deep.yaml").write_text("备注: " + opening * 10_000 + closing * 10_000 + "\n", encoding="utf-8")
    run = check(records)
    assert_clear(run, (1,), "deep.yaml")


def test_deeply_nested_block_sequence(records):
    (records / WORKER / "deep.yaml").write_text("- " * 10_000 + "a\n", encoding="utf-8")
    run = check(records)
    assert_clear(run, (1,), "deep.yaml")


def test_deeply_nested_message_is_chinese_and_short(records):
    (records / WORKER / "deep.yaml").write_text("备注: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    run = check(records)
    lines = [line for line in run.out.splitlines() if "deep.yaml" in line]
    assert lines
    assert "exceeded" not in lines[0] and "嵌套" in lines[0]
    assert max(len(line) for line in run.out.splitlines()) < 1000


def test_deeply_nested_without_libyaml(records):
    (records / WORKER / "deep.yaml").write_text("备注: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    code = "import sys, yaml\nyaml.__dict__.pop('CSafeLoader', None)\nfrom formkit.cli import main\nmain(sys.argv[1:])\n"
    run = formkit("check", records, code=code)
    assert_clear(run, (1,), "deep.yaml")


def _deep_tree(top: Path, levels: int):
    if os.name != "posix":
        pytest.skip("paths this long need POSIX")
    deep = top
    for _ in range(levels):
        deep = deep / "a"
        deep.mkdir()  # one level at a time: Path.mkdir(parents=True) recurses per level
    return top / "a"


def _remove(path: Path) -> None:
    subprocess.run(["rm", "-rf", str(path)], check=False)  # shutil.rmtree recurses per level


def test_deep_folder_tree_300_levels(records):
    top = _deep_tree(records / WORKER, 300)
    try:
        assert_clear(check(records), (0,))
    finally:
        _remove(top)


def test_deep_folder_tree_1000_levels(records):
    top = _deep_tree(records / WORKER, 1000)
    try:
        assert_clear(check(records), (0,))
    finally:
        _remove(top)


def test_binary_garbage_named_yaml(records):
    (records / WORKER / "garbage.yaml").write_bytes(random.Random(7).randbytes(4096))
    run = check(records)
    assert_clear(run, (1,), "garbage.yaml")


def test_png_named_yaml(records):
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    (records / WORKER / "photo.yaml").write_bytes(png)
    run = check(records)
    assert_clear(run, (1,), "photo.yaml")


@pytest.mark.parametrize(
    "content", [b"", b"\n\n   \n# \xe5\x8f\xaa\xe6\x9c\x89\xe6\xb3\xa8\xe9\x87\x8a\n", b"\x00\x00\x00"], ids=["empty", "blank", "nul-bytes"]
)
def test_empty_files(records, content):
    (records / WORKER / "empty.yaml").write_bytes(content)
    run = check(records)
    assert_clear(run, (1,), "empty.yaml")


def test_symlink_loops_in_records(records):
    if os.name != "posix":
        pytest.skip("symlinks")
    (records / WORKER / "loop").symlink_to("..", target_is_directory=True)  # 职工/loop -> the unit folder
    (records / "思明区总工会" / "周报" / "self").symlink_to(".", target_is_directory=True)
    (records / "up").symlink_to(".", target_is_directory=True)  # a "unit" that is the records folder
    run = check(records)
    assert_clear(run, (0, 1))


def test_records_folder_is_a_symlink_loop(tmp_path):
    if os.name != "posix":
        pytest.skip("symlinks")
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    run = check(tmp_path / "a")
    assert_clear(run, (2,), "a")


def test_unit_folder_symlinked_to_records_parent(records):
    if os.name != "posix":
        pytest.skip("symlinks")
    unit = records / "循环单位"
    unit.mkdir()
    shutil.copy(records / "思明区总工会" / "单位.yaml", unit / "单位.yaml")
    (unit / "职工").symlink_to("..", target_is_directory=True)
    run = check(records)
    assert_clear(run, (1,), "循环单位")


def test_names_with_spaces_cjk_extension_b_and_middle_dots(records, tmp_path):
    new_worker(records, "010 𠮷 田 花.yaml", 31, name="𠮷田花")
    new_worker(records, "011-阿依古丽·买买提.yaml", 32, {"民族: 汉族": "民族: 维吾尔族"}, name="阿依古丽·买买提")
    new_worker(records, " 012 张 三 .yaml", 33, name="张 三")
    assert_clear(check(records), (0,))
    out = tmp_path / "out"
    run = render(records, out)
    assert_clear(run, (0,))
    for name in ("𠮷田花", "阿依古丽·买买提", "张 三"):
        vouchers = list(out.rglob(f"*{name}.docx"))
        assert vouchers, f"no document named after {name}"
        assert all(name in docx_text(p) for p in vouchers)


def test_unit_folder_without_unit_file(records):
    (records / "思明区总工会" / "单位.yaml").unlink()
    run = check(records)
    assert_clear(run, (1,), "单位.yaml", "思明区总工会")


def test_campaign_yaml_that_is_a_list(records, tmp_path):
    (records / "campaign.yaml").write_text("- 活动名称: 2012年元旦春节送温暖活动\n- 文号: 厦工[2011]104号\n", encoding="utf-8")
    assert_clear(check(records), (1,), "campaign.yaml")
    run = render(records, tmp_path / "out", "--keep-going")
    assert_clear(run, (1,), "campaign.yaml")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.docx"))


def test_worker_with_500_family_members(records, tmp_path):
    path = records / WORKER_001
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("家庭成员:\n", 1)
    tail = rest[rest.index("是否有一定自救能力") :]
    head = head.replace("家庭人口: 3", "家庭人口: 501").replace("家庭年人均收入: 7200\n", "")
    path.write_text(head + "家庭成员:\n" + family(500) + tail, encoding="utf-8")
    assert_clear(check(records), (0,))
    out = tmp_path / "out"
    assert_clear(render(records, out), (0,))
    (form,) = out.rglob("附件3_*/SM2011-001_*.docx")
    xml = docx_text(form)
    assert all(f"成员{i}<" in xml for i in (0, 250, 499))


def test_remark_of_50000_characters(records, tmp_path):
    path = records / WORKER / "002-林志强.yaml"
    remark = ("很长的备注" * 10_000)[:50_000]
    path.write_text(path.read_text(encoding="utf-8") + f"备注: {remark}\n", encoding="utf-8")
    assert_clear(check(records), (0,))
    out = tmp_path / "out"
    assert_clear(render(records, out), (0,))
    (form,) = out.rglob("附件3_*/SM2011-002_*.docx")
    # the form's page holds its first lines, the continuation page the rest (forms.pages)
    text = re.sub(r"<[^>]+>", "", docx_text(form))
    before, after = text.split("（转续页）")
    head = before[before.index("备注" + remark[:2]) + len("备注") :]  # after the form's 备注 label
    tail = after.split("备注（续）", 1)[1]
    assert head and head + tail == remark


def test_control_characters_in_values(records, tmp_path):
    path = records / WORKER_001
    path.write_text(
        edited(path.read_text(encoding="utf-8"), {"档案状态: 在档": '备注: "换\\x0c页\\x00空\\x01字\\x7f符"\n档案状态: 在档'}),
        encoding="utf-8",
    )
    assert_clear(check(records), (0,))
    out = tmp_path / "out"
    assert_clear(render(records, out), (0,))
    (form,) = out.rglob("附件3_*/SM2011-001_*.docx")
    xml = docx_text(form)
    assert "换页空字符" in xml  # the control characters are dropped, the text is kept


def test_raw_control_character_in_file(records):
    path = records / WORKER_001
    path.write_bytes(path.read_bytes().replace("婚姻状况: 已婚".encode(), "婚姻状况: 已\x0c婚".encode()))
    run = check(records)
    assert_clear(run, (1,), "001-王秀英.yaml")


def test_rtl_override_characters(records, tmp_path):
    path = records / WORKER_001
    path.write_text(
        edited(path.read_text(encoding="utf-8"), {"档案状态: 在档": '备注: "\\u202e倒序\\u202c与\\u2066隔离\\u2069"\n档案状态: 在档'}),
        encoding="utf-8",
    )
    assert_clear(check(records), (0,))
    out = tmp_path / "out"
    assert_clear(render(records, out), (0,))
    (form,) = out.rglob("附件3_*/SM2011-001_*.docx")
    assert "倒序" in docx_text(form)


def test_values_are_not_template_code(records, tmp_path):
    path = records / WORKER_001
    path.write_text(
        edited(path.read_text(encoding="utf-8"), {"工作单位: 厦门市鹭江纺织厂": '工作单位: "{{ 7*7 }}A&B<C>]]>{%p endif %}"'}),
        encoding="utf-8",
    )
    assert_clear(check(records), (0,))
    out = tmp_path / "out"
    assert_clear(render(records, out), (0,))
    (form,) = out.rglob("附件3_*/SM2011-001_*.docx")
    assert escape("{{ 7*7 }}A&B<C>]]>{%p endif %}") in docx_text(form)


def test_gbk_file_with_syntax_error(records):
    path = records / WORKER / "002-林志强.yaml"
    text = edited(path.read_text(encoding="utf-8"), {"\n婚姻状况:": "\n婚姻状况："})
    path.write_bytes(text.encode("gbk"))
    run = check(records)
    assert_clear(run, (1,), "002-林志强.yaml", "全角冒号")


def test_yaml_tags_do_not_run_code(records, tmp_path):
    marker = tmp_path / "PWNED"
    new_worker(records, "tag.yaml", 40, {"姓名: 王秀英": f'姓名: !!python/object/apply:os.system ["touch {marker.as_posix()}"]'})
    run = check(records)
    assert_clear(run, (1,), "tag.yaml")
    assert not marker.exists()


def test_record_saved_as_yaml_txt_is_not_silently_skipped(records):
    path = records / WORKER / "002-林志强.yaml"
    path.rename(path.with_name("002-林志强.yaml.txt"))
    run = check(records)
    assert_clear(run, (0, 1), "002-林志强.yaml.txt")


# ================================================================ 2. templates


def test_template_that_is_not_a_docx(records, tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    (folder / VOUCHER_TEMPLATE).write_text("这是一个改了扩展名的文本文件\n", encoding="utf-8")
    run = render(records, tmp_path / "out", templates=folder)
    assert_clear(run, (2,), VOUCHER_TEMPLATE)
    assert not any((tmp_path / "out").rglob("*.docx")) if (tmp_path / "out").exists() else True


def test_template_truncated_zip(records, tmp_path):
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    data = (TEMPLATES / VOUCHER_TEMPLATE).read_bytes()
    (folder / VOUCHER_TEMPLATE).write_bytes(data[: len(data) // 2])
    run = render(records, tmp_path / "out", templates=folder)
    assert_clear(run, (2,), VOUCHER_TEMPLATE)


def test_template_with_malformed_document_xml(records, tmp_path):
    folder = template_copy(tmp_path / "templates", lambda xml: xml[: len(xml) // 2])
    run = render(records, tmp_path / "out", templates=folder)
    assert_clear(run, (2,), VOUCHER_TEMPLATE)


@pytest.mark.parametrize(
    "tag",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ 姓名.__class__ }}",
        "{{ 姓名|attr('__class__') }}",
        "{{ '{0.__class__}'.format(姓名) }}",
        "{{ cycler.__init__.__globals__ }}",
    ],
)
def test_template_reaching_python_internals_is_refused(records, tmp_path, tag):
    folder = template_with_tag(tmp_path / "templates", tag)
    out = tmp_path / "out"
    run = render(records, out, templates=folder)
    assert_clear(run, (2,), VOUCHER_TEMPLATE)
    assert "不允许" in run.text
    assert not out.exists() or not any(out.rglob("*.docx")), "a refused template must not leave documents"


def test_template_naming_an_unknown_field(records, tmp_path):
    folder = template_with_tag(tmp_path / "templates", "{{ 不存在 }}")
    out = tmp_path / "out"
    run = render(records, out, templates=folder)
    assert_clear(run, (2,), VOUCHER_TEMPLATE, "不存在")
    assert not out.exists() or not any(out.rglob("*.docx"))


@pytest.mark.parametrize(
    "tag",
    [
        "{{ 姓名 + 1 }}",
        "{{ 1/0 }}",
        "{% for i in range(10**9) %}x{% endfor %}",
        "{% include 'other.xml' %}",
        "{% extends 'base.xml' %}",
    ],
    ids=["type-error", "zero-division", "range-too-big", "include", "extends"],
)
def test_template_runtime_error_is_a_clear_refusal(records, tmp_path, tag):
    folder = template_with_tag(tmp_path / "templates", tag)
    run = render(records, tmp_path / "out", templates=folder)
    assert_clear(run, (2,), VOUCHER_TEMPLATE)


def test_template_memory_bomb(records, tmp_path):
    folder = template_with_tag(tmp_path / "templates", "{{ 'x'|center(10**9) }}")
    run = render(records, tmp_path / "out", templates=folder, timeout=HANG_BOUND)
    assert_clear(run, (2,), VOUCHER_TEMPLATE, bound=HANG_BOUND)


def test_template_cpu_bomb(records, tmp_path):
    folder = template_with_tag(tmp_path / "templates", "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")
    run = render(records, tmp_path / "out", templates=folder, timeout=HANG_BOUND)
    assert_clear(run, (2,), VOUCHER_TEMPLATE, bound=HANG_BOUND)


def test_template_safe_filter_cannot_corrupt_the_document(records, tmp_path):
    path = records / WORKER_001
    path.write_text(edited(path.read_text(encoding="utf-8"), {"工作单位: 厦门市鹭江纺织厂": "工作单位: 厦门市A&B纺织厂"}), encoding="utf-8")
    folder = template_with_tag(tmp_path / "templates", "{{ 所在单位|safe }}")
    out = tmp_path / "out"
    run = render(records, out, templates=folder)
    assert "Traceback (most recent call last)" not in run.text
    if run.rc == 0:
        for doc in out.rglob("*.docx"):
            docx_text(doc)  # every written document must be well-formed
    else:
        assert_clear(run, (2,), VOUCHER_TEMPLATE)


# ================================================================ 3. output folders


def test_output_under_a_file(records, tmp_path):
    blocker = tmp_path / "some_file"
    blocker.write_text("not a folder", encoding="utf-8")
    run = render(records, blocker / "out")
    assert_clear(run, (2,), "some_file")


def test_output_is_a_file(records, tmp_path):
    blocker = tmp_path / "some_file"
    blocker.write_text("not a folder", encoding="utf-8")
    run = render(records, blocker)
    assert_clear(run, (2,), "some_file")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_output_folder_is_the_records_folder(records):
    before = file_hashes(records)
    run = render(records, records)
    assert_clear(run, (0, 2))
    assert {p: h for p, h in file_hashes(records).items() if p in before} == before, "records deleted or changed"


def test_output_folder_is_the_parent_of_a_unit_folder(records):
    unit = records / "思明区总工会"
    before = file_hashes(records)
    run = render(unit, records)
    assert_clear(run, (0, 2))
    assert {p: h for p, h in file_hashes(records).items() if p in before} == before, "records deleted or changed"


def test_records_are_not_modified_by_check_and_render(records, tmp_path):
    before = tree_hash(records)
    assert_clear(check(records), (0,))
    assert_clear(render(records, tmp_path / "out"), (0,))
    assert tree_hash(records) == before


def test_check_and_render_agree_on_long_names(records, tmp_path):
    new_worker(records, "long.yaml", 41, name="王" * 100)
    checked = check(records)
    if checked.rc == 1:  # refused by check: fine, if it says where
        assert_clear(checked, (1,), "long.yaml")
        return
    run = render(records, tmp_path / "out")
    assert_clear(run, (0,))


def test_new_into_an_unwritable_path(tmp_path):
    blocker = tmp_path / "some_file"
    blocker.write_text("x", encoding="utf-8")
    run = formkit("new", "worker", blocker / "x.yaml")
    assert_clear(run, (1, 2), "some_file")


# ================================================================ 4. privacy


def _fold(text: str) -> str:
    """Full-width to ASCII, separators removed: how a reader would retype a number."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[^\S\n]|[\-+().,/]", "", text)


def _secrets(folder: Path) -> set[str]:
    """Every ID number (15/18) and 11-digit phone number typed anywhere in the records."""
    found: set[str] = set()
    for path in folder.rglob("*.yaml"):
        text = _fold(path.read_text(encoding="utf-8"))
        found |= set(re.findall(r"(?<!\d)(?:\d{17}[\dXx]|\d{15})(?!\d)", text))
        found |= set(re.findall(r"(?<!\d)(?:1[3-9]\d{9}|0\d{10})(?!\d)", text))
        found |= {m[2:] for m in re.findall(r"(?<!\d)861[3-9]\d{9}(?!\d)", text)}
    return found


#: Realistic faults that put an ID or phone number where formkit echoes the typed text.
PRIVACY_FAULTS = {
    "check-digit": {f'身份证号: "{ID_001}"': '身份证号: "350203196205142108"'},
    "16-digits": {f'身份证号: "{ID_001}"': '身份证号: "3502031962051421"'},
    "19-chars": {f'身份证号: "{ID_001}"': f'身份证号: "{ID_001}X"'},
    "id-with-spaces": {f'身份证号: "{ID_001}"': '身份证号: "350203 19620514 2108"'},
    "id-in-birth-date": {"出生日期: 1962-05-14": f"出生日期: {ID_001}"},
    "id-in-phone": {"联系电话: 0592-5503127": f"联系电话: {ID_001}"},
    "id-in-ethnic-group": {"民族: 汉族": f"民族: 汉族{ID_001}"},
    "id-in-area": {"建筑面积: 20至50": f"建筑面积: {ID_001}"},
    "id-in-cause": {"  - 供养直系亲属大病": f"  - {ID_001}"},
    "id-as-household-size": {"家庭人口: 3": f"家庭人口: {ID_001}"},
    "id-full-width-colon": {f'身份证号: "{ID_001}"': "身份证号：350203196205142108"},
    "id-month-13": {f'身份证号: "{ID_001}"': '身份证号: "350203196213142107"'},
    "id-15-sex": {f'身份证号: "{ID_001}"': '身份证号: "350203620514211"'},
    "member-check-digit": {'    身份证号: "350203196008171312"': '    身份证号: "350203196008171313"'},
    "member-id-in-relation": {"    关系: 丈夫": "    关系: 350203196008171312"},
    "phone-in-ethnic-group": {"民族: 汉族": "民族: 13812345678"},
    "phone-in-marital-status": {"婚姻状况: 已婚": "婚姻状况: 13812345678"},
    "phone-in-category": {"困难类别: 低保户": "困难类别: 低保户13812345678"},
    "phone-with-letter": {"联系电话: 0592-5503127": "联系电话: 1381234567x8"},
    "phone-in-zip": {'邮政编码: "361008"': '邮政编码: "13812345678"'},
    "phone-on-tab-line": {"婚姻状况: 已婚": "婚姻状况: 已婚\n\t联系电话: 13812345678"},
    "phones-on-bad-line": {"婚姻状况: 已婚": "婚姻状况: 已婚\n: 13812345678 13912345678"},
    "phone-after-bracket": {'    身份证号: "350203196008171312"': '    身份证号: "350203196008171312" ] 13812345678'},
    "duplicate-id": {"姓名: 王秀英": "姓名: 王秀英"},  # keeps ID_001: the same person twice
}

#: Faults whose message shows the whole number today (each one a bug).
PRIVACY_LEAKS = {
    "letter-before-id": {"民族: 汉族": f"民族: ID{ID_001}"},
    "letter-before-id-in-key": {"婚姻状况: 已婚": f"婚姻状况: 已婚\nID{ID_001}: x"},
    "id-with-spaces-echoed": {"民族: 汉族": '民族: "350203 19620514 2107"'},
    "id-with-hyphens-echoed": {"民族: 汉族": '民族: "350203-19620514-2107"'},
    "phone-with-hyphens": {"民族: 汉族": "民族: 138-1234-5678"},
    "phone-with-spaces": {"民族: 汉族": '民族: "138 1234 5678"'},
    "phone-with-86": {"民族: 汉族": '民族: "+8613812345678"'},
    "landline-with-space": {"民族: 汉族": '民族: "0592 5503127"'},
    "spaced-phone-on-tab-line": {"婚姻状况: 已婚": "婚姻状况: 已婚\n\t联系电话: 138 1234 5678"},
}


def _assert_no_secret(run: Run, folder: Path) -> None:
    folded = _fold(run.text)
    leaked = sorted(s for s in _secrets(folder) if s in folded)
    assert not leaked, f"full numbers in the messages: {[s[:3] + '…' for s in leaked]}\n{run.text[-2000:]}"


def test_no_full_id_or_phone_in_check_messages(records):
    for seq, (name, edits) in enumerate(PRIVACY_FAULTS.items()):
        path = new_worker(records, f"p-{name}.yaml", 60 + seq, edits)
        if name == "duplicate-id":
            path.write_text(edited(sample_worker(), {"档案编号: SM2011-001": "档案编号: SM2011-999"}), encoding="utf-8")
    # and every file of the unit once more under another unit: the same IDs twice, everywhere
    shutil.copytree(records / "思明区总工会" / "职工", records / "市建设工会工委" / "职工" / "副本")
    run = check(records)
    assert_clear(run, (1,))
    assert run.out.count("\n") > 2 * len(PRIVACY_FAULTS), "the corpus must raise many errors"
    assert len(_secrets(records)) > 40
    _assert_no_secret(run, records)


@pytest.mark.parametrize("name", sorted(PRIVACY_LEAKS))
def test_no_full_number_when_typed_with_separators(records, name):
    new_worker(records, f"leak-{name}.yaml", 90, PRIVACY_LEAKS[name])
    run = check(records)
    assert_clear(run, (1,), f"leak-{name}.yaml")
    _assert_no_secret(run, records)


def test_no_full_id_in_a_file_name(records):
    new_worker(records, "350203196205142108.yaml", 91, {f'身份证号: "{ID_001}"': '身份证号: "350203196205142108"'})
    run = check(records)
    assert_clear(run, (1,))
    assert "350203196205142108" not in run.text
