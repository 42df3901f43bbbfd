"""Cells that fit their values (formkit.documents.fitting): sizes in steps, on the fast path
and on docxtpl's alike. The PDF side (one line, measured with pdftotext -bbox) is in
tests/test_pages.py."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from formkit import api
from formkit.documents.fitting import FLOOR, fitted_size, text_width
from formkit.documents.template import FormTemplate
from formkit.domain import annexes

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
TWIPS_PER_MM = 1440 / 25.4


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        # measured with LibreOffice 7.4, Noto Serif CJK SC (em of the font size)
        ("柯尔克孜族", 5.0, 5.0),
        ("王建·阿不都", 5.33, 5.6),
        ("35020619890909899X", 10.03, 11.0),
        ("1965年12月12日", 8.21, 8.8),
        ("民营/私营/个体企业", 8.7, 9.0),
        ("下（待）岗", 5.0, 5.0),
    ],
)
def test_widths_are_estimated_on_the_wide_side(text: str, low: float, high: float) -> None:
    assert low <= text_width(text) <= high


def test_sizes_step_down_to_the_floor_then_wrap() -> None:
    cell = round(20 * TWIPS_PER_MM)  # 20 mm between the margins: 6.3 characters of 9 pt
    assert fitted_size("王建·阿不都", 18, cell) == 18
    assert fitted_size("王建·阿不都", 18, cell - 200) == 16  # 5.5 em in 16.5 mm: 8 pt
    assert fitted_size("王建·阿不都热合", 18, cell) == 15  # 7.5 em in 20 mm: 7.5 pt, the floor
    assert fitted_size("买买提·阿不都热合曼江", 18, cell) == 18  # no step fits: wraps at its size
    assert fitted_size("甲乙丙\n丁", 18, 10) == 18  # several lines: never smaller
    for n in range(1, 20):
        size = fitted_size("国" * n, 24, cell)
        assert size == 24 or FLOOR <= size < 24
        assert size == 24 or n * size / 2 * 20 <= cell  # a smaller size only where it fits


def _sizes_of(data: bytes, text: str) -> set[str]:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    runs = re.findall(r"<w:r>(?:(?!</w:r>).)*?" + re.escape(text) + "</w:t></w:r>", xml)
    assert runs, text
    return {size for run in runs for size in re.findall(r'<w:sz w:val="(\d+)"/>', run)}


def test_a_long_name_is_set_smaller_on_both_render_paths() -> None:
    from formkit.forms.context import registration_context
    from test_speed_equivalence import c14n

    template = FormTemplate(TEMPLATES / annexes.REGISTRATION.template)
    records = api.check(ROOT / "records")
    unit = records.units[0]
    worker = unit.workers[0].worker.model_dump(by_alias=True)
    worker.update(姓名="王建·阿不都热合", 民族="柯尔克孜族")
    context = registration_context(records.campaign.model_dump(by_alias=True), unit.unit.model_dump(by_alias=True), worker)
    fast = template.render(context)
    assert c14n(fast) == c14n(template.render_with_docxtpl(context))
    (name_size,) = _sizes_of(fast, "王建·阿不都热合")
    assert int(name_size) < 18
    assert _sizes_of(fast, "柯尔克孜族") == {"18"}
    # the template file itself keeps its sizes: only the prepared copy calls the filter
    xml = zipfile.ZipFile(TEMPLATES / annexes.REGISTRATION.template).read("word/document.xml")
    assert b"formkit_fit_size" not in xml and b"FORMKITFIT" not in xml
    etree.fromstring(zipfile.ZipFile(io.BytesIO(fast)).read("word/document.xml"))


def test_a_unit_name_a_little_too_long_for_its_line_is_set_smaller() -> None:
    """附件1's 所在单位 is a left-aligned cell of nine characters at 12 pt: a ten-character
    name printed one character on a line of its own ("厦门某某机械有限公/司")."""
    from formkit.forms.context import voucher_context

    template = FormTemplate(TEMPLATES / annexes.VOUCHER.template)
    records = api.check(ROOT / "records")
    unit = records.units[0]
    paid = next(w for w in unit.workers if w.worker.payment)
    worker = paid.worker.model_dump(by_alias=True)
    worker["慰问"]["所在单位"] = "厦门某某机械有限公司"
    context = voucher_context(records.campaign.model_dump(by_alias=True), unit.unit.model_dump(by_alias=True), worker)
    (size,) = _sizes_of(template.render(context), "厦门某某机械有限公司")
    assert 18 <= int(size) < 24
    worker["慰问"]["所在单位"] = "厦门某某机械有限公司第二分公司所属第三车间"  # too long for any step: wraps at its size
    context = voucher_context(records.campaign.model_dump(by_alias=True), unit.unit.model_dump(by_alias=True), worker)
    assert _sizes_of(template.render(context), worker["慰问"]["所在单位"]) == {"24"}
