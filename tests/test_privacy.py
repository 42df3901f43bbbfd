"""Publicity copies: no full ID or phone number of the records survives mask_context."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import RECORDS, TEMPLATES
from docxread import all_text
from formkit.documents.template import FormTemplate
from formkit.domain.idcard import check_digit, parse_id_number
from formkit.domain.privacy import (
    cut_address,
    looks_like_address,
    mask_context,
    mask_id,
    mask_phones,
    scrub_numbers,
)
from formkit.forms import context as ctx
from formkit.forms.summary import summary_context
from formkit.records.load import load_records
from formkit.records.yamlio import load_yaml


@pytest.mark.parametrize(
    "address, cut",
    [
        ("厦门市思明区莲前街道前埔西社区前埔西路36号502室", "厦门市思明区莲前街道"),
        ("厦门市翔安区新店镇洪前村洪厝里23号", "厦门市翔安区新店镇"),
        ("厦门市思明区鹭江街道镇海社区镇海路40号502室", "厦门市思明区鹭江街道"),
        ("厦门市湖里区殿前街道高殿社区高殿二路67号103室（租住）", "厦门市湖里区殿前街道"),
        ("福建省晋江市安海镇成功路1号", "福建省晋江市安海镇"),
        ("思明区莲前街道前埔西路", "思明区莲前街道"),
        ("厦门市思明区大同路218号3楼", "厦门市思明区"),
        ("厦门市莲前街道前埔社区前埔西路36号", "厦门市莲前街道"),
        ("前埔西路36号", ""),
        ("", ""),
    ],
)
def test_cut_address(address, cut):
    assert cut_address(address) == cut


@pytest.mark.parametrize(
    "text, is_address",
    [
        ("厦门市鹭江纺织厂", False),
        ("厦门市第二建筑工程公司", False),
        ("厦门市思明区大同路218号3楼", True),
        ("厦门市思明区莲前街道前埔西社区", True),
        ("厦门市翔安区新店镇洪前村", True),
    ],
)
def test_looks_like_address(text, is_address):
    assert looks_like_address(text) is is_address


def test_mask_phones_keeps_separators():
    masked = mask_phones("0592-5503127、13812345678")
    assert masked.count("、") == 1
    first, second = masked.split("、")
    assert "5503127" not in first and first.endswith("3127")
    assert "13812345678" not in second and second.startswith("138") and second.endswith("5678")


def _id(first17: str) -> str:
    return first17 + check_digit(first17)


ID_NUMBERS = st.builds(
    lambda area, y, m, d, seq: _id(f"{area}{y:04d}{m:02d}{d:02d}{seq:03d}"),
    st.sampled_from(["350203", "350206", "350211", "360731", "433127"]),
    st.integers(1930, 2010),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 999),
)
MOBILES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@given(ID_NUMBERS, MOBILES, st.text(alphabet="，。：困难职工备注号 ", max_size=8))
def test_scrub_numbers_hides_numbers_in_free_text(number, mobile, filler):
    text = f"{filler}身份证{number}{filler}电话{mobile}{filler}"
    masked = scrub_numbers(text)
    assert number not in masked and mobile not in masked
    assert mask_id(number) in masked


def _secrets(records_root: Path) -> set[str]:
    """Every ID and phone number typed in the records, as typed and folded."""
    found: set[str] = set()

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and value.strip():
            if key == "身份证号":
                found.add(value.strip())
                found.add(parse_id_number(value).number)
            elif key == "联系电话":
                for number in re.split(r"[、,，;；/]|或", value):
                    number = number.strip()
                    found.add(number)
                    digits = re.sub(r"\D", "", number)
                    found.add(digits)
                    found.add(digits[-7:] if len(digits) > 8 else digits)  # the local number

    for path in sorted(records_root.rglob("*.yaml")):
        walk(load_yaml(path).data)
    return {s for s in found if len(s) >= 7}


@pytest.fixture(scope="module")
def contexts():
    """Every context a template sees for the samples (vouchers, rosters, forms, reports, 小结)."""
    records = load_records(RECORDS)
    campaign = records.campaign.model_dump(by_alias=True)
    out = []
    for unit in records.units:
        info = unit.unit.model_dump(by_alias=True)
        paid = {rec.path for rec in records.paid_workers(unit)}
        paid_dumps = []
        for rec in unit.workers:
            worker = rec.worker.model_dump(by_alias=True)
            out.append(("registration", ctx.registration_context(campaign, info, worker)))
            if rec.path in paid:
                paid_dumps.append(worker)
                out.append(("voucher", ctx.voucher_context(campaign, info, worker)))
        out += [("roster", c) for _, c in ctx.roster_contexts(campaign, info, paid_dumps)]
        for week in unit.weeks:
            out.append(("weekly", ctx.weekly_context(campaign, info, week.report.model_dump(by_alias=True))))
        out.append(("summary", summary_context(unit, records)))
    return out


def test_masked_contexts_hold_no_full_id_or_phone(contexts):
    secrets = _secrets(RECORDS)
    assert len(secrets) > 40
    plain = json.dumps([c for _, c in contexts], ensure_ascii=False)
    assert sum(1 for s in secrets if s in plain) > 20, "the unmasked contexts do hold the numbers"
    masked = json.dumps([mask_context(c) for _, c in contexts], ensure_ascii=False)
    leaked = sorted(mask_id(s) for s in secrets if s in masked)
    assert leaked == []


def test_masking_keeps_shape_and_marks(contexts):
    for kind, context in contexts:
        before = copy.deepcopy(context)
        masked = mask_context(context)
        assert context == before, "the context itself is not changed"
        assert _shape(masked) == _shape(context), kind
        if kind == "voucher":
            assert masked["身份证号"] == mask_id(context["身份证号"])
            assert masked["居住地址"] == cut_address(context["居住地址"])
            assert not re.search(r"\d+号", masked["居住地址"])
            assert masked["姓名"] == context["姓名"] and masked["资助金额"] == context["资助金额"]
        if kind == "roster":
            for row, original in zip(masked["行"], context["行"]):
                assert row["身份证号"] == mask_id(original["身份证号"])
                assert "*" in row["家庭联系电话"] or not original["家庭联系电话"]
            # the paged copy of the rows is masked too
            assert [r for page in masked["分页"] for r in page["行"]] == masked["行"]


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


def test_masked_voucher_and_roster_render(contexts, tmp_path):
    secrets = _secrets(RECORDS)
    templates = {
        "voucher": FormTemplate(TEMPLATES / "附件1_慰问金发放凭证.docx"),
        "roster": FormTemplate(TEMPLATES / "附件2_实名制发放凭证汇总表.docx"),
    }
    done = set()
    for kind, context in contexts:
        if kind not in templates or kind in done:
            continue
        path = tmp_path / f"{kind}.docx"
        path.write_bytes(templates[kind].render(mask_context(context)))
        text = all_text(path)
        assert mask_id(context.get("身份证号") or context["行"][0]["身份证号"]) in text
        assert [s for s in secrets if s in text] == []
        done.add(kind)
    assert done == set(templates)


# --------------------------------------------------------------------------------------
# The one masker reaches every 公示 file: numbers typed every way in every free-text field
# --------------------------------------------------------------------------------------


def _fictional_id(body17: str) -> str:
    return body17 + check_digit(body17)


#: Fictional numbers (a valid check digit; a mobile and a landline of no one), each typed
#: the ways staff type them.
PHONE, LANDLINE, ID_NUMBER = "13912345678", "05926123456", _fictional_id("35020319800101123")
TYPED = [
    "139 1234 5678",
    "139-1234-5678",
    "139.1234.5678",
    "+86 139 1234 5678",
    "+86-13912345678",
    "电话13912345678",
    "(0592) 6123456",
    "0592－6123456",
    "（0592）6123 456",
    f"{ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:]}",
    f"身份证ID{ID_NUMBER}",
    ID_NUMBER.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    f"{ID_NUMBER[:6]}-{ID_NUMBER[6:14]}-{ID_NUMBER[14:]}",
]
#: The free-text fields a 公示 copy (roster, vouchers) prints, by where they sit in a worker record.
FREE_TEXT = [
    ("工作单位",),
    ("家庭住址",),
    ("备注",),
    ("慰问", "其它帮扶措施"),
    ("慰问", "居住地址"),
    ("慰问", "所在单位"),
    ("慰问", "致困原因"),
    ("慰问", "街道"),
]


def _digits_joined(text: str) -> str:
    """Text with separators between digits taken out (what a reader of the page sees as one number)."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"(?<=\d)[\s\-.()（）+]+(?=\d)", "", folded)


def test_no_full_number_typed_any_way_reaches_a_publicity_copy(tmp_path):
    import shutil

    import yaml

    from formkit import api

    records = tmp_path / "records"
    shutil.copytree(RECORDS, records)
    n = 0
    for path in sorted(records.glob("*/职工/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "慰问" not in data:
            continue
        for where in FREE_TEXT:
            target = data
            for key in where[:-1]:
                target = target[key]
            typed = TYPED[n % len(TYPED)]
            n += 1
            base = target.get(where[-1]) or ("莲前街道" if where[-1] == "街道" else "")
            target[where[-1]] = f"{base}（联系{typed}）"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert n >= 2 * len(TYPED), "every way of typing is used, in several fields"
    report = api.render(records, tmp_path / "out", templates=TEMPLATES, mask=True)
    assert not report.skipped
    public = sorted((tmp_path / "out" / "公示").rglob("*.docx"))
    assert public
    whole = [PHONE, LANDLINE, ID_NUMBER]
    for path in public:
        text = _digits_joined(all_text(path))
        for number in whole:
            assert number not in text, f"{number[:3]}… in {path.name}"
    # the same numbers are in the office's own copies: the test would see them if masking failed
    office = "".join(_digits_joined(all_text(p)) for p in (tmp_path / "out").glob("*/附件2_*.docx"))
    assert all(number in office for number in whole)
