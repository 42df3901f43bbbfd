"""Deflate streams that concatenate: pieces of a document.xml compressed on their own.

And the CRC-32 of a concatenation from its parts' CRCs.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from formkit.documents.zipio import _LIMIT, DEFLATE_LEVEL, ZipMember
from formkit.errors import OutputError

# CRC-32 of a concatenation from the CRCs of its parts (zlib's crc32_combine, which Python's
# zlib module does not expose): multiply the first CRC by x^(8·len2) modulo the polynomial.
_POLY = 0xEDB88320


def _multmodp(a: int, b: int) -> int:
    m, p = 1 << 31, 0
    while m:
        if a & m:
            p ^= b
            if not a & (m - 1):
                break
        m >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return p


def _powers() -> list[int]:
    table, p = [], 1 << 30  # x^1
    for _ in range(32):
        table.append(p)
        p = _multmodp(p, p)
    return table


_X2N = _powers()


_SHIFT_TABLES: dict[int, tuple[list[int], list[int], list[int], list[int]]] = {}


def _shift_table(k: int) -> tuple[list[int], list[int], list[int], list[int]]:
    """Byte-sliced tables of the linear map "append 2^k zero bytes" on a CRC register.

    Built on first use from 32 images of ``x^(8·2^k) · c mod P`` (about a millisecond).
    """
    table = _SHIFT_TABLES.get(k)
    if table is None:
        op = _X2N[(k + 3) & 31]
        columns = [_multmodp(op, 1 << bit) for bit in range(32)]
        slices = []
        for byte in range(4):
            values = [0] * 256
            for v in range(1, 256):
                low = v & -v
                values[v] = values[v ^ low] ^ columns[8 * byte + low.bit_length() - 1]
            slices.append(values)
        table = _SHIFT_TABLES[k] = (slices[0], slices[1], slices[2], slices[3])
    return table


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of ``A + B`` from ``crc1 = crc32(A)``, ``crc2 = crc32(B)`` and ``len2 = len(B)``.

    zlib's ``crc32_combine``: the CRC register of A shifted over ``len2`` zero bytes
    (``x^(8·len2) · crc1 mod P``), xor ``crc2``. The shift is applied as one table step per
    set bit of ``len2`` (tables per power of two, :func:`_shift_table`): about 10 µs.
    """
    c, n, k = crc1, len2, 0
    while n:
        if n & 1:
            t0, t1, t2, t3 = _shift_table(k)
            c = t0[c & 0xFF] ^ t1[(c >> 8) & 0xFF] ^ t2[(c >> 16) & 0xFF] ^ t3[c >> 24]
        n >>= 1
        k += 1
    return c ^ crc2


# --------------------------------------------------------------------------------------
# Deflate streams that concatenate
# --------------------------------------------------------------------------------------


class PieceRef(NamedTuple):
    """A :class:`PrintPiece` whose bytes wait in a file: ``length`` bytes at ``offset``
    (a print file is then written without holding its pieces in memory)."""

    path: Path
    offset: int
    length: int
    crc: int
    size: int


class PrintPiece(NamedTuple):
    """Part of a document.xml, deflated on its own.

    Pieces end on a byte boundary (sync flush, not final), so that pieces in a row, closed by
    a final one, are one valid deflate stream: a fresh compressor never refers back past its
    own start.

    Attributes:
        data: the raw deflate bytes.
        crc: CRC-32 of the uncompressed XML.
        size: length of the uncompressed XML in bytes.
    """

    data: bytes
    crc: int
    size: int


def compress_piece(raw: bytes | memoryview, level: int = DEFLATE_LEVEL, *, final: bool = False) -> PrintPiece:
    """Deflate ``raw`` on its own (a fresh compressor), ending with a sync or final flush."""
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    data = packer.compress(raw) + packer.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)
    return PrintPiece(data, zlib.crc32(raw), len(raw))


def join_pieces(pieces: Iterable[PrintPiece]) -> PrintPiece:
    """The pieces in a row, as one piece (CRC-32s combined, not recomputed)."""
    data, crc, size = [], 0, 0
    for piece in pieces:
        data.append(piece.data)
        crc = crc32_combine(crc, piece.crc, piece.size) if size else piece.crc
        size += piece.size
    return PrintPiece(b"".join(data), crc, size)


def deflated_member(name: str, pieces: Sequence[PrintPiece]) -> ZipMember:
    """A zip member whose deflate stream is ``pieces`` in a row (the last one final).

    Raises:
        OutputError: the part would exceed 4 GiB.
    """
    whole = join_pieces(pieces)
    if whole.size >= _LIMIT:
        raise OutputError(f"{name} 超过 4 GiB，请分批生成。")
    return ZipMember(name, zipfile.ZIP_DEFLATED, whole.crc, whole.size, whole.data)
