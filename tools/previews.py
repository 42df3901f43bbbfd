"""Render the sample records to PNG previews of each annex, for the README.

    .venv/bin/python tools/previews.py            # writes docs/previews/*.png

Pipeline: formkit render (records/ → .docx) → LibreOffice → PDF (formkit.pipeline.pdf, one process)
→ pdftoppm → PNG. Needs LibreOffice and poppler-utils.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from formkit import api
from formkit.domain import annexes
from formkit.pipeline.pdf import convert_to_pdf

#: Preview name → (document path inside a unit's output folder, first page, last page).
PICKS = {
    "附件1_慰问金发放凭证": (f"{annexes.VOUCHER.folder}/*.docx", 1, 1),
    "附件2_实名制发放凭证汇总表": (f"{annexes.ROSTER.stem}*.docx", 1, 1),
    "附件3_困难职工档案登记表": (f"{annexes.REGISTRATION.folder}/*吴天明.docx", 1, 1),
    "附件4_企业工资拖欠情况周报表": (f"{annexes.WEEKLY.folder}/2011-12-09.docx", 1, 2),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, default=ROOT / "records")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "previews")
    parser.add_argument("--dpi", type=int, default=70)
    args = parser.parse_args(argv)
    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found: install poppler-utils", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="formkit-preview-") as tmp:
        api.render(args.records, Path(tmp), templates=ROOT / "templates")
        chosen = {}
        for name, (pattern, first, last) in PICKS.items():
            matches = sorted(Path(tmp).glob(f"*/{pattern}"), key=lambda p: (p.parts[-3:], p))
            if matches:
                chosen[name] = (matches[0], first, last)
        conversion = convert_to_pdf([doc for doc, _, _ in chosen.values()])
        if conversion.failed:
            print(f"LibreOffice could not convert: {', '.join(p.name for p in conversion.failed)}", file=sys.stderr)
            return 1
        pdfs = [conversion.made[doc].pdf for doc, _, _ in chosen.values()]  # by document: the engine finishes in any order
        args.out.mkdir(parents=True, exist_ok=True)
        for (name, (_, first, last)), pdf in zip(chosen.items(), pdfs):
            for page in range(first, last + 1):
                stem = args.out / (name if first == last else f"{name}-{page}")
                subprocess.run(
                    ["pdftoppm", "-png", "-r", str(args.dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem)],
                    check=True,
                )
                print(stem.with_suffix(".png").relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
