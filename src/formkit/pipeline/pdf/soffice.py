"""LibreOffice headless: finding it, its fonts, and one soffice process with its profile."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
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
        path = Path(explicit)
        if path.is_dir():
            raise PdfError(f"FORMKIT_SOFFICE 指向的 {explicit} 是文件夹：应指向 LibreOffice 的程序（如 …/program/soffice）。")
        if not path.is_file():
            raise PdfError(f"FORMKIT_SOFFICE 指向的 {explicit} 不存在。")
        if sys.platform != "win32" and not os.access(path, os.X_OK):
            raise PdfError(f"FORMKIT_SOFFICE 指向的 {explicit} 不是可以运行的程序：应指向 LibreOffice 的 soffice。")
        return path
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

PDF_FILTER = 'pdf:writer_pdf_Export:{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'
#: Read .docx files with Word's filter only: without it LibreOffice opens a damaged .docx
#: (or any file so named) as plain text and makes a PDF of its bytes.
DOCX_INFILTER = "--infilter=MS Word 2007 XML"
#: Files per soffice call. LibreOffice 7.4 drops every file past the 245th without a word

SAMPLE_SECONDS = 0.2
#: Marker names start with this (Word bookmark names: a letter first, letters, digits and

# --------------------------------------------------------------------------------------
# LibreOffice processes
# --------------------------------------------------------------------------------------


def default_timeout(documents: Sequence[Path], weights: Sequence[int]) -> float:
    """Seconds a call may run: 120 s, plus 5 s a document, plus 8 s per MB of document XML.

    About ten times what a call took on a busy 2-core machine (1,000 registration forms,
    82 MB of XML, in one document: 65 s; allowed 791 s); a LibreOffice that hangs is killed
    after this and its document tried once more.
    """
    return 120.0 + 5.0 * len(documents) + 8.0 * sum(weights) / 1e6


def kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Kill soffice and everything it started (the launcher script, oosplash, soffice.bin)."""
    if sys.platform == "win32":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        proc.kill()
    else:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


class MemorySampler:
    """Samples the summed resident memory of the running soffice process groups (Linux)."""

    def __init__(self) -> None:
        self.groups: set[int] = set()
        self.peak: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self.available = sys.platform.startswith("linux") and Path("/proc/self/stat").exists()

    def start(self) -> None:
        if self.available:
            self.peak = 0
            self._thread = threading.Thread(target=self._run, name="formkit-pdf-memory", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def add(self, pgid: int) -> None:
        with self._lock:
            self.groups.add(pgid)

    def remove(self, pgid: int) -> None:
        self.sample()
        with self._lock:
            self.groups.discard(pgid)

    def sample(self) -> None:
        if not self.available:
            return
        with self._lock:
            groups = set(self.groups)
        if not groups:
            return
        total = 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            fields = stat[stat.rfind(b")") + 2 :].split()
            if len(fields) > 21 and int(fields[2]) in groups:  # pgrp; rss (pages) is field 24
                total += int(fields[21]) * self._page
        with self._lock:
            self.peak = max(self.peak or 0, total)

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.sample()


class Office:
    """One worker's LibreOffice: a private profile folder, one soffice call at a time."""

    def __init__(self, number: int, soffice: Path, work: Path, env: dict[str, str]) -> None:
        self.number = number
        self.soffice = soffice
        self.work = Path(work).resolve()  # its profile is given to LibreOffice as a file URI: absolute
        self.env = env
        self.generation = 0
        self.profile = self._new_profile()
        self.proc: subprocess.Popen[bytes] | None = None  # the soffice of the call under way
        self.stopped = False

    def _new_profile(self) -> Path:
        self.generation += 1
        profile = self.work / f"profile{self.number}-{self.generation}"
        profile.mkdir()
        return profile

    def stop(self) -> None:
        """Kill the call under way, if any, and refuse none after (the run is being
        interrupted: its soffice must not outlive it nor write into a removed folder)."""
        self.stopped = True
        proc = self.proc
        if proc is not None:
            kill_tree(proc)

    def fresh(self) -> None:
        """Use a new profile from the next call on (after a kill, the old one may be broken)."""
        shutil.rmtree(self.profile, ignore_errors=True)
        self.profile = self._new_profile()

    def run(
        self, inputs: Sequence[Path], outdir: Path, timeout: float, memory: MemorySampler, started: Callable[[int], None] | None
    ) -> tuple[int, bool, float, str, int]:
        """Convert ``inputs`` into ``outdir`` in one soffice call.

        Returns:
            (exit status, timed out, seconds, the last lines LibreOffice printed, pid).

        Raises:
            OSError: soffice could not be started.
        """
        outdir.mkdir()
        log = outdir.with_suffix(".log")
        cmd = [str(self.soffice), f"-env:UserInstallation={self.profile.as_uri()}", "--headless", "--norestore", "--nolockcheck"]
        if all(p.suffix.lower() == ".docx" for p in inputs):
            cmd.append(DOCX_INFILTER)  # else a damaged .docx may be read as plain text
        # absolute paths: the output folder given as a relative one (-o output) is read the same
        cmd += ["--convert-to", PDF_FILTER, "--outdir", str(outdir.resolve()), *(str(Path(p).resolve()) for p in inputs)]
        kwargs: dict[str, Any] = {}
        if sys.platform == "win32":
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)  # Windows only: killed as one group
        else:
            kwargs["start_new_session"] = True  # its own process group: killed and measured as one
        begin = time.monotonic()
        with open(log, "wb") as out:
            proc = subprocess.Popen(cmd, env=self.env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, **kwargs)
            self.proc = proc
            if self.stopped:  # stopped while it was starting
                kill_tree(proc)
            memory.add(proc.pid)
            timed_out = False
            try:
                if started is not None:
                    started(proc.pid)
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                kill_tree(proc)
            except BaseException:
                kill_tree(proc)
                raise
            finally:
                memory.remove(proc.pid)
                self.proc = None
        seconds = time.monotonic() - begin
        text = log.read_text(encoding="utf-8", errors="replace")
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("convert ") and "javaldx" not in ln]
        return proc.returncode if proc.returncode is not None else -9, timed_out, seconds, " ".join(lines[-3:])[:300], proc.pid


def exit_reason(returncode: int, timed_out: bool, timeout: float) -> str:
    if timed_out:
        return f"LibreOffice 超过 {timeout:.0f} 秒仍未转换完，已被终止"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = str(-returncode)
        return f"LibreOffice 转换时异常退出（被信号 {name} 终止）"
    return f"LibreOffice 转换时异常退出（退出码 {returncode}）"


def soffice_environment(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    if sys.platform != "win32":
        conf = work / "fonts.conf"
        conf.write_text(fontconfig_text(), encoding="utf-8")
        env["FONTCONFIG_FILE"] = str(conf)
    env.setdefault("SAL_USE_VCLPLUGIN", "svp")
    return env
