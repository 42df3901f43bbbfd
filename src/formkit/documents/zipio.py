"""Zip writing: a .docx's parts as stored, and deterministic zips (fixed times and attributes)."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from formkit.errors import OutputError

#: zlib level of every part formkit compresses (document.xml, print files). 6 is zlib's and
#: Python's zipfile's default; the benchmark (bench/run.py) measures it against level 1.
DEFLATE_LEVEL = 6

DOCUMENT_PART = "word/document.xml"

# --------------------------------------------------------------------------------------
# Zip members and deterministic zips
# --------------------------------------------------------------------------------------

_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest date a zip entry can carry
_DOS_TIME = 0
_LIMIT = 0xFFFFFFFF  # no zip64: a .docx part of 4 GiB is no form


@dataclass(frozen=True)
class ZipMember:
    """One part of a .docx as it is stored in the zip.

    Attributes:
        name: the part name (``word/document.xml``).
        method: 0 (stored) or 8 (deflated).
        crc: CRC-32 of the uncompressed bytes.
        size: uncompressed size in bytes.
        data: the bytes as stored (compressed when ``method`` is 8).
    """

    name: str
    method: int
    crc: int
    size: int
    data: bytes

    @classmethod
    def deflated(cls, name: str, raw: bytes, level: int = DEFLATE_LEVEL) -> ZipMember:
        """A member holding ``raw`` deflated at ``level``."""
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        return cls(name, zipfile.ZIP_DEFLATED, zlib.crc32(raw), len(raw), packer.compress(raw) + packer.flush())


def read_members(data: bytes, level: int = DEFLATE_LEVEL) -> list[ZipMember]:
    """The members of a zip, in archive order, with their stored (compressed) bytes.

    Members compressed with anything but deflate are re-compressed with deflate.

    Raises:
        zipfile.BadZipFile: ``data`` is not a zip.
        ValueError: a member is encrypted.
    """
    members: list[ZipMember] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            if info.flag_bits & 0x1:
                raise ValueError(f"encrypted member {info.filename}")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                members.append(ZipMember.deflated(info.filename, zf.read(info), level))
                continue
            offset = info.header_offset
            name_len, extra_len = struct.unpack("<HH", data[offset + 26 : offset + 30])
            start = offset + 30 + name_len + extra_len
            members.append(ZipMember(info.filename, info.compress_type, info.CRC, info.file_size, data[start : start + info.compress_size]))
    return members


def zip_bytes(members: Sequence[ZipMember]) -> bytes:
    """A zip of ``members`` in the given order, with fixed times and attributes.

    Every entry is dated 1980-01-01 00:00 and carries no extra field, so equal members give
    equal bytes on any machine and day (python-docx stamps each part with the saving time).

    Raises:
        OutputError: a member or the archive exceeds 4 GiB (zip64 is not written).
    """
    return b"".join(_zip_chunks(members))


class StreamedMember(NamedTuple):
    """A zip member whose stored bytes are written piece by piece (see :func:`write_zip`).

    Attributes:
        name, method, crc, size: as :class:`ZipMember`.
        length: the stored (compressed) length in bytes.
        chunks: called once when the member is written; yields its stored bytes.
    """

    name: str
    method: int
    crc: int
    size: int
    length: int
    chunks: Callable[[], Iterable[bytes]]


def _zip_chunks(members: Sequence[ZipMember | StreamedMember]) -> Iterator[bytes]:
    """The bytes of :func:`zip_bytes`, in order (a streamed member's as it yields them)."""
    central: list[bytes] = []
    offset = 0
    for m in members:
        length = m.length if isinstance(m, StreamedMember) else len(m.data)
        name = m.name.encode("utf-8")
        flag = 0 if m.name.isascii() else 0x800
        if max(m.size, length, offset) >= _LIMIT:
            raise OutputError(f"{m.name} 超过 4 GiB，无法写入 .docx。")
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flag, m.method, _DOS_TIME, _DOS_DATE, m.crc, length, m.size, len(name), 0)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                flag,
                m.method,
                _DOS_TIME,
                _DOS_DATE,
                m.crc,
                length,
                m.size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
        yield header + name
        if isinstance(m, StreamedMember):
            written = 0
            for chunk in m.chunks():
                written += len(chunk)
                yield chunk
            if written != length:
                raise OutputError(f"{m.name} 的数据长度与预计不符（{written} ≠ {length}）。")
        else:
            yield m.data
        offset += len(header) + len(name) + length
    directory = b"".join(central)
    if offset + len(directory) >= _LIMIT:
        raise OutputError("文件超过 4 GiB，无法写入 .docx。")
    yield directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), offset, 0)


def write_zip(path: Path, members: Sequence[ZipMember | StreamedMember]) -> tuple[str, int]:
    """Write what :func:`zip_bytes` makes of ``members`` to a new file in a staging folder
    (as :func:`write_new`), streamed members piece by piece: memory holds one piece.

    Returns:
        The file's SHA-256 (hex) and its size in bytes.

    Raises:
        OSError: the file cannot be written or a piece read.
        OutputError: the archive would exceed 4 GiB.
    """
    digest, size = hashlib.sha256(), 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as fh:
        for chunk in _zip_chunks(members):
            digest.update(chunk)
            size += len(chunk)
            fh.write(chunk)
    return digest.hexdigest(), size


def member_data_offset(path: Path, name: str) -> int:
    """Where the stored bytes of member ``name`` start in the zip file at ``path``.

    Raises:
        OSError, zipfile.BadZipFile, KeyError: the file is unreadable, not a zip, or lacks
            the member.
    """
    with open(path, "rb") as fh, zipfile.ZipFile(fh) as zf:
        info = zf.getinfo(name)
        fh.seek(info.header_offset + 26)
        name_len, extra_len = struct.unpack("<HH", fh.read(4))
    return int(info.header_offset + 30 + name_len + extra_len)


#: The zip format's earliest time: every entry of every zip formkit writes carries it.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def normalize_docx(data: bytes) -> bytes:
    """A .docx with fixed zip entry times, so equal content gives equal bytes.

    python-docx stamps each part with the time of saving; the parts themselves are the same
    for the same records. The parts keep their order (``[Content_Types].xml`` first, as Word
    writes it) and are deflated again at the default level.

    A zip whose every entry is already dated :data:`ZIP_TIME` and carries no extra field
    (what formkit writes, :func:`zip_bytes`) is returned as it is: its bytes
    depend on its content only, and a 1,000-voucher print file is not inflated and deflated
    again (30 MB of XML).

    Args:
        data: the bytes of a .docx (any zip).

    Returns:
        The normalised bytes; *data* unchanged when it is not a zip (it is then hashed as is)
        or is fixed already.
    """
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return data
    if all(info.date_time == ZIP_TIME and not info.extra and not info.is_dir() for info in source.infolist()):
        source.close()
        return data
    buffer = io.BytesIO()
    with source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.is_dir():
                continue
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return buffer.getvalue()


def deterministic_zip(files: Mapping[str, bytes]) -> bytes:
    """Zip ``{name: bytes}`` reproducibly: names sorted, fixed times, permissions and host.

    Entries are stored (not compressed again: .docx files are zips already, and stored
    bytes do not depend on the zlib version). Names are UTF-8 (the zip format's flag 11,
    read by Windows 10+, 7-Zip, WinRAR and macOS).

    Args:
        files: the entries, by their path inside the zip (posix separators).

    Returns:
        The zip's bytes.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_STORED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, files[name])
    return buffer.getvalue()
