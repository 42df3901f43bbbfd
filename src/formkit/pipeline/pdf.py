"""PDF conversion with LibreOffice headless, in checked calls of a few dozen documents.

Measured on a 2-core machine (design.md): starting LibreOffice costs about 2 s, so a batch is
converted by ``soffice --convert-to pdf`` calls over many files each (never more than it
reliably takes in one call), with a private profile
folder (a second LibreOffice already running, e.g. the clerk's own, cannot swallow the job)
and a timeout. The templates name the fonts of Chinese official documents (仿宋_GB2312, 宋体,
黑体); where those are not installed (any Linux machine), a fontconfig file aliases them to
installed CJK fonts, because a font LibreOffice must fall back from made a Chinese table
convert ten times slower and can print boxes. On Windows the real fonts are installed and
fontconfig is not used.

This module knows nothing about forms.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formkit.errors import EXIT_ENVIRONMENT, FormkitError


class PdfError(FormkitError):
    """LibreOffice is missing, timed out, or did not produce every PDF."""

    exit_code = EXIT_ENVIRONMENT


INSTALL_HINT = (
    "未找到 LibreOffice，无法生成 PDF。请安装 LibreOffice："
    "Windows/macOS 从 https://www.libreoffice.org 下载安装；Debian/Ubuntu 运行 "
    "sudo apt-get install libreoffice-writer fonts-noto-cjk。"
    "也可用环境变量 FORMKIT_SOFFICE 指定 soffice 的完整路径。"
)

#: Font names used by the templates (and by Word/WPS documents in Chinese offices), mapped to
#: the installed CJK fonts that stand in for them on machines without the originals.
FONT_ALIASES = {
    "仿宋_GB2312": "serif",
    "仿宋": "serif",
    "FangSong": "serif",
    "FangSong_GB2312": "serif",
    "宋体": "serif",
    "SimSun": "serif",
    "NSimSun": "serif",
    "方正小标宋简体": "sans",
    "方正小标宋_GBK": "sans",
    "黑体": "sans",
    "SimHei": "sans",
    "楷体": "serif",
    "楷体_GB2312": "serif",
    "KaiTi": "serif",
    "微软雅黑": "sans",
    "Microsoft YaHei": "sans",
}
_SERIF = ["Noto Serif CJK SC", "Source Han Serif SC", "AR PL UMing CN", "WenQuanYi Zen Hei"]
_SANS = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Droid Sans Fallback"]


def find_soffice() -> Path:
    """The LibreOffice executable.

    Looks at ``FORMKIT_SOFFICE``, then ``soffice``/``libreoffice`` on PATH, then the usual
    install places on Windows (Program Files), macOS (/Applications) and Linux (/usr/lib,
    /opt, snap, flatpak exports).

    Raises:
        PdfError: none found; the message says how to install it.
    """
    explicit = os.environ.get("FORMKIT_SOFFICE")
    if explicit:
        if Path(explicit).is_file():
            return Path(explicit)
        raise PdfError(f"FORMKIT_SOFFICE 指向的 {explicit} 不存在。")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    candidates: list[Path] = []
    if sys.platform == "win32":
        for env in ("PROGRAMFILES", "PROGRAMFILES(X86)", "PROGRAMW6432"):
            base = os.environ.get(env)
            if base:
                candidates.append(Path(base) / "LibreOffice" / "program" / "soffice.exe")
        candidates.append(Path(r"C:\Program Files\LibreOffice\program\soffice.exe"))
    elif sys.platform == "darwin":
        candidates.append(Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"))
    else:
        candidates += [
            Path("/usr/lib/libreoffice/program/soffice"),
            Path("/usr/local/bin/soffice"),
            Path("/snap/bin/libreoffice"),
            Path("/var/lib/flatpak/exports/bin/org.libreoffice.LibreOffice"),
        ]
        candidates += sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True)
    for path in candidates:
        if path.is_file():
            return path
    raise PdfError(INSTALL_HINT)


def fontconfig_text() -> str:
    """A fontconfig file: the system configuration plus the aliases of ``FONT_ALIASES``."""
    aliases = []
    for name, kind in FONT_ALIASES.items():
        prefer = "".join(f"<family>{f}</family>" for f in (_SERIF if kind == "serif" else _SANS))
        aliases.append(f'  <alias binding="same"><family>{name}</family><prefer>{prefer}</prefer></alias>')
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' + "\n".join(aliases) + "\n</fontconfig>\n"
    )


#: Documents handed to one ``soffice --convert-to`` call. LibreOffice 7.4 handed about 2,000
#: files in one call converted the first ~245 and exited with status 0 (issue 16), so a batch
#: is cut into calls far below that, and every output is checked.
CHUNK_FILES = 40


@dataclass
class Conversion:
    """What :func:`convert_to_pdf` made of a list of documents.

    Attributes:
        pdfs: each converted document and its PDF (beside it), in the order given.
        failed: each document without a PDF and why (Chinese), after one retry in a fresh
            LibreOffice; its .docx is untouched.
    """

    pdfs: dict[Path, Path] = field(default_factory=dict)
    failed: dict[Path, str] = field(default_factory=dict)


def _is_pdf(path: Path) -> bool:
    """A whole PDF: non-empty, ``%PDF`` at the start and ``%%EOF`` near the end."""
    try:
        size = path.stat().st_size
        if size < 64:
            return False
        with open(path, "rb") as fh:
            head = fh.read(5)
            fh.seek(max(0, size - 1024))
            tail = fh.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"%%EOF" in tail


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """End a LibreOffice call with everything it started (soffice starts soffice.bin)."""
    try:
        if sys.platform == "win32":
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.kill()
    except OSError:
        pass
    proc.wait()


class _Soffice:
    """Runs ``soffice --convert-to pdf`` calls with a private profile and the font aliases."""

    def __init__(self, soffice: Path, work: Path) -> None:
        self.soffice = soffice
        self.work = work
        self.env = dict(os.environ)
        if sys.platform != "win32":
            conf = work / "fonts.conf"
            conf.write_text(fontconfig_text(), encoding="utf-8")
            self.env["FONTCONFIG_FILE"] = str(conf)
        self.env.setdefault("SAL_USE_VCLPLUGIN", "svp")
        self.calls = 0

    def run(self, files: Sequence[Path], outbox: Path, timeout: float, *, fresh: bool) -> str:
        """Convert ``files`` into ``outbox``; returns "" or why the call failed (timeout, crash).

        ``fresh`` starts from a new profile folder (a retry must not inherit what broke).
        """
        self.calls += 1
        profile = self.work / (f"profile{self.calls}" if fresh else "profile")
        cmd = [
            str(self.soffice),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(outbox),
            *map(str, files),
        ]
        options: dict[str, Any] = {}
        if sys.platform == "win32":
            options["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        else:
            options["start_new_session"] = True
        try:
            proc = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **options)
        except OSError as exc:
            raise PdfError(f"无法启动 LibreOffice（{self.soffice}）：{exc.strerror or exc}") from exc
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            return f"LibreOffice 超时（{timeout:.0f} 秒）"
        return "" if code == 0 else f"LibreOffice 异常退出（状态 {code}）"


def _timeout(files: Sequence[Path]) -> float:
    """Seconds one call may take: start-up, plus per file and per MB of .docx (a print file of
    1,000 forms is about 1,000 pages, laid out at about 20 pages a second here)."""
    size = sum(f.stat().st_size for f in files)
    return 120 + 5 * len(files) + 40 * size / 1e6


def convert_to_pdf(
    documents: Sequence[Path],
    *,
    timeout: float | None = None,
    chunk: int = CHUNK_FILES,
    on_converted: Callable[[int, int], None] | None = None,
) -> Conversion:
    """Convert .docx files to PDF beside them (``a.docx`` → ``a.pdf``) with LibreOffice.

    The documents go to LibreOffice in calls of at most ``chunk`` files, each output is
    checked (a whole PDF), and every document left without one is tried once more in a fresh
    LibreOffice (a new process with a new profile; the first document a failed call did not
    convert is tried alone, since it may be the one that broke the call). What still fails is
    returned in :attr:`Conversion.failed`; the others are converted whatever happened to it.
    Each PDF is written in a private work folder and moved next to its document with an
    atomic rename: no half-written PDF is ever in place.

    Args:
        documents: the .docx files (any folders; equal names in different folders are fine).
        timeout: seconds for one LibreOffice call; default from the files' number and size.
        chunk: documents per LibreOffice call.
        on_converted: called with (documents done, documents in all) after each call.

    Returns:
        A :class:`Conversion`.

    Raises:
        PdfError: LibreOffice is missing or cannot be started.
    """
    documents = [Path(d) for d in documents]
    result = Conversion()
    if not documents:
        return result
    soffice = find_soffice()
    with tempfile.TemporaryDirectory(prefix="formkit-pdf-") as tmp:
        work = Path(tmp)
        inbox = work / "in"
        inbox.mkdir()
        # Unique ASCII names: equal stems in different folders, and no quoting trouble.
        staged: list[Path] = []
        for i, doc in enumerate(documents):
            target = inbox / f"d{i:06d}{doc.suffix}"
            shutil.copyfile(doc, target)
            staged.append(target)
        runner = _Soffice(soffice, work)
        made: dict[int, Path] = {}
        why: dict[int, str] = {}
        done = 0

        def attempt(indices: list[int], fresh: bool) -> list[int]:
            nonlocal done
            outbox = work / f"out{runner.calls + 1}"
            outbox.mkdir()
            files = [staged[i] for i in indices]
            failure = runner.run(files, outbox, timeout if timeout is not None else _timeout(files), fresh=fresh)
            missing = []
            for i in indices:
                pdf = outbox / (staged[i].stem + ".pdf")
                if _is_pdf(pdf):
                    made[i] = pdf
                else:
                    missing.append(i)
                    why[i] = failure or "LibreOffice 未生成 PDF（文件可能已损坏，或 LibreOffice 打不开它）"
            done += len(indices) - len(missing)
            if on_converted:
                on_converted(done, len(documents))
            return missing

        retry: list[list[int]] = []
        order = list(range(len(documents)))
        for start in range(0, len(order), chunk):
            missing = attempt(order[start : start + chunk], fresh=False)
            if missing:
                retry.append(missing[:1])
                if missing[1:]:
                    retry.append(missing[1:])
        for indices in retry:
            for start in range(0, len(indices), chunk):
                attempt(indices[start : start + chunk], fresh=True)
        for i, doc in enumerate(documents):
            if i in made:
                target = doc.with_suffix(".pdf")
                tmp_target = target.with_name(f".~{target.name}.tmp")
                shutil.move(str(made[i]), tmp_target)
                os.replace(tmp_target, target)
                result.pdfs[doc] = target
            else:
                result.failed[doc] = why.get(i, "未转换")
    return result
