"""The incremental manifest (formkit-manifest.json): what each output file was made from."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

#: Inside each unit folder: what each file was made from, for the next incremental run.
#: Not a dot-file: other tools treat dot-entries in a unit folder as leftovers of their own
#: (tests/test_packets.py), and a dot-file is not hidden on Windows anyway. Deleting it only
#: makes the next run render the unit in full.
MANIFEST = "formkit-manifest.json"
#: 2: print-file pieces are the documents' bodies as they are, each document its own section
#: (formkit.documents.printfile), reused by the document's key.
MANIFEST_FORMAT = 2


def canonical_json(value: Any) -> str:
    """Canonical JSON of a record dump (Decimal, date and enum values as their text)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
