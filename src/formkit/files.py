"""Files and folders of the output: safe names, atomic writes, folder swaps.

Every file formkit writes goes through here: a file of the output appears whole or not at
all (:func:`write_atomic`), a staging folder's files are written once and reach the output
by a folder's rename (:func:`write_new`, :func:`swap_in`). Imports nothing of formkit but
:mod:`formkit.errors`, so every layer may use it.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from formkit.errors import OutputError, os_reason

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


#: Longest name safe_name returns, in UTF-8 bytes (leaves room for '.~', '.docx.tmp' and more).
MAX_NAME_BYTES = 200


def safe_name(text: str, fallback: str = "未命名") -> str:
    """A file or folder name that Windows, macOS and Linux all accept.

    Replaces ``<>:"/\\|?*`` and control characters with ``_``, trims dots and spaces at both
    ends (a name starting with a dot is a hidden file that formkit's own folder walks skip),
    avoids the reserved device names (CON, NUL, COM1 …), keeps Chinese characters, and cuts
    the name to ``MAX_NAME_BYTES`` bytes of UTF-8 (file systems limit names to 255 bytes).
    """
    name = _UNSAFE.sub("_", text).strip().strip(". ")  # a leading dot would hide the file
    if not name:
        name = fallback
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    # File systems count bytes (255 on ext4/NTFS-in-UTF-16 counts units): keep room for a
    # suffix and a temporary prefix. A Chinese character is 3 bytes in UTF-8.
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    return name.rstrip(". ") or fallback


def write_new(path: Path, data: bytes) -> None:
    """Write a file inside a staging folder: created readable by its owner only, no fsync.

    Staged files reach the output only by the folder's rename (see ``api.render``), so a
    temporary file per document is not needed; an fsync per document would cost more than
    rendering it on most disks.

    Raises:
        OSError: the file cannot be written.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def replace_file(path: Path, write: Callable[[BinaryIO], object], *, mode: int = 0o600, fsync: bool = True) -> None:
    """Replace ``path`` (or create it) atomically: ``write`` fills a temporary file beside it
    (``.~<name>….tmp``), which gets ``mode`` (POSIX) and is renamed over ``path``; a reader
    never sees half a file, and the temporary file never stays behind. The folder must exist.

    Args:
        write: called with the open temporary file (binary).
        mode: the file's permissions; by default readable by its owner only (personal data).
        fsync: flush the file to disk before the rename (records and output files; a
            throwaway PDF inside a staging folder need not).

    Raises:
        OSError: the file cannot be written or renamed.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".~", suffix=path.suffix + ".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        if sys.platform != "win32":
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_numbered_file(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Create ``folder/<stem><suffix>``, or ``<stem>-2<suffix>``, ``<stem>-3<suffix>`` … when
    the name is taken: never replaces a file, and the file is complete before it appears under
    its name (written beside it, then hard-linked in; created exclusively where the file
    system has no hard links, a FAT32 USB drive). The folder is created.

    Returns:
        The new file.

    Raises:
        FileExistsError: 999 names are taken.
        OSError: the folder or file cannot be written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".~", suffix=suffix + ".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        for n in range(1, 1000):
            target = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
            if target.exists() or target.is_symlink():
                continue
            try:
                os.link(tmp, target)  # fails if the name was taken meanwhile
            except FileExistsError:
                continue
            except OSError:  # no hard links on this file system: create exclusively
                try:
                    with open(target, "xb") as out:
                        out.write(data)
                except FileExistsError:
                    continue
            return target
        raise FileExistsError(f"{folder / (stem + suffix)}：同名的文件太多")
    finally:
        Path(tmp).unlink(missing_ok=True)  # our own temporary file, never a record


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file beside it and an atomic rename
    (:func:`replace_file`), the folder created.

    A reader never sees a half-written file; the file is readable by its owner only where
    the platform supports POSIX modes.

    Raises:
        OutputError: the folder cannot be created or written.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, lambda fh: fh.write(data))
    except OSError as exc:
        raise OutputError(f"无法写入 {path}：{os_reason(exc)}") from exc


#: Prefixes of what a run keeps beside the output while it works: its staging folder and the
#: previous folders set aside during a swap. Left behind only by an interrupted run.
STAGING_PREFIX = ".formkit-staging-"
ASIDE_PREFIX = ".formkit-old-"


def staging_folder(out: Path) -> Path:
    """A new, unique name for a staging folder inside ``out`` (not created)."""
    return out / f"{STAGING_PREFIX}{uuid.uuid4().hex[:8]}"


def swap_in(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` in the place of ``target`` (which may not exist).

    ``target`` is first renamed aside and removed only once ``new`` is in place (os.replace
    cannot replace a non-empty folder on Windows): at every moment the old folder or the new
    one is there whole, never a mixture.

    Raises:
        OSError: a rename failed (``target`` is then still the old folder).
    """
    aside = target.parent / f"{ASIDE_PREFIX}{uuid.uuid4().hex[:8]}"
    if target.exists():
        os.replace(target, aside)
    os.replace(new, target)
    shutil.rmtree(aside, ignore_errors=True)


def remove_leftovers(out: Path) -> None:
    """Remove what an interrupted run left in ``out`` (staging and set-aside folders).

    They hold personal data and are never part of the output. One render per output folder
    at a time: a second render started into the same folder while one runs makes the first
    fail cleanly (its staging folder is gone), never mixes their files.
    """
    if not out.is_dir():
        return
    for leftover in out.iterdir():
        if leftover.name.startswith((STAGING_PREFIX, ASIDE_PREFIX, ".~packet-")) and leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def link_or_copy(source: Path, target: Path) -> None:
    """Put an unchanged file of the previous output into the staging folder."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
