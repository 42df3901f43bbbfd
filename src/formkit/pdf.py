"""PDF conversion with LibreOffice headless: one LibreOffice process for a whole batch.

Measured on a 2-core machine (design.md): starting LibreOffice costs about 2 s, so a batch is
converted by one ``soffice --convert-to pdf`` call over all its files, with a private profile
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
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from formkit.errors import FormkitError


class PdfError(FormkitError):
    """LibreOffice is missing, timed out, or did not produce every PDF."""


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
        candidates += [Path("/usr/lib/libreoffice/program/soffice"), Path("/usr/local/bin/soffice"), Path("/snap/bin/libreoffice"),
                       Path("/var/lib/flatpak/exports/bin/org.libreoffice.LibreOffice")]
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


def convert_to_pdf(documents: Sequence[Path], *, timeout: float | None = None) -> list[Path]:
    """Convert .docx files to PDF beside them, in one LibreOffice process.

    Each PDF is first written into a private work folder and then moved next to its document
    (``a.docx`` → ``a.pdf``) with an atomic rename, so no half-written PDF is ever in place.

    Args:
        documents: the .docx files (any folders; equal names in different folders are fine).
        timeout: seconds for the whole batch; default 60 s plus 3 s per document.

    Returns:
        The PDF paths, in the order of ``documents``.

    Raises:
        PdfError: LibreOffice is missing, timed out, failed, or left a document unconverted.
    """
    documents = [Path(d) for d in documents]
    if not documents:
        return []
    soffice = find_soffice()
    if timeout is None:
        timeout = 60 + 3 * len(documents)
    with tempfile.TemporaryDirectory(prefix="formkit-pdf-") as tmp:
        work = Path(tmp)
        inbox, outbox, profile = work / "in", work / "out", work / "profile"
        for folder in (inbox, outbox, profile):
            folder.mkdir()
        # Unique ASCII names: equal stems in different folders, and no quoting trouble.
        staged = []
        for i, doc in enumerate(documents):
            target = inbox / f"d{i:06d}{doc.suffix}"
            shutil.copyfile(doc, target)
            staged.append(target)
        env = dict(os.environ)
        if sys.platform != "win32":
            conf = work / "fonts.conf"
            conf.write_text(fontconfig_text(), encoding="utf-8")
            env["FONTCONFIG_FILE"] = str(conf)
        env.setdefault("SAL_USE_VCLPLUGIN", "svp")
        cmd = [str(soffice), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(outbox), *map(str, staged)]
        try:
            proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"LibreOffice 转换 {len(documents)} 个文件超时（{timeout:.0f} 秒）。") from exc
        except OSError as exc:
            raise PdfError(f"无法启动 LibreOffice（{soffice}）：{exc}") from exc
        results = []
        missing = []
        for doc, src in zip(documents, staged):
            pdf = outbox / (src.stem + ".pdf")
            if not pdf.is_file() or pdf.stat().st_size == 0:
                missing.append(doc.name)
                continue
            target = doc.with_suffix(".pdf")
            tmp_target = target.with_name(f".~{target.name}.tmp")
            shutil.move(str(pdf), tmp_target)
            os.replace(tmp_target, target)
            results.append(target)
        if missing:
            tail = proc.stdout.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PdfError(f"LibreOffice 未能转换 {len(missing)} 个文件：{'、'.join(missing[:5])}。{' '.join(tail)}")
    return results
