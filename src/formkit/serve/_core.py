"""The one door from ``formkit serve`` into the rest of formkit.

Every name the web page uses from formkit's other modules is imported here and only here,
so that when the package is reorganised (formkit.domain, formkit.records, …) this file is
the only one of :mod:`formkit.serve` that changes. The other modules of the subpackage
import ``from formkit.serve import _core`` (or names from it), never ``formkit.<module>``.
"""

from __future__ import annotations

from typing import Any

from formkit import __version__, api
from formkit.domain.amounts import (
    VOUCHER_LIMIT,
    amount_in_words,
    format_yuan,
    parse_yuan,
    voucher_boxes,
)
from formkit.domain.annexes import PRINT_DIR, REGISTRATION, ROSTER, SUMMARY, VOUCHER, WEEKLY
from formkit.domain.dates import ACCEPTED_FORMS, format_date_zh, parse_date
from formkit.domain.idcard import parse_id_number
from formkit.domain.models import (
    Campaign,
    FamilyMember,
    Payment,
    Unit,
    VocabularyMarker,
    WeeklyReport,
    Worker,
)
from formkit.domain.privacy import mask_id, mask_phone, masked_path, scrub_numbers
from formkit.domain.vocab import (
    ITEMS,
    HardshipCause,
    Vocabulary,
    VocabularyError,
    parse_yes_no,
)
from formkit.errors import FormkitError, OutputError, Problem, RecordsInvalid, os_reason
from formkit.files import create_numbered_file, replace_file, safe_name
from formkit.pipeline.pdf import PdfError, convert_to_pdf, find_soffice
from formkit.records.problems import FILE_FIELD, dotted
from formkit.records.recordset import RecordSet
from formkit.records.skeleton import new_record
from formkit.records.walk import CAMPAIGN_FILE, UNIT_FILE, WEEKS_DIR, WORKERS_DIR
from formkit.records.yamlio import (
    MAX_BYTES,
    YamlFileError,
    decode_bytes,
    load_yaml_text,
)

#: ``api.check``: load a records folder and run every check (the code of ``formkit check``).
check = api.check
#: ``api.render``: render the annexes of a records folder (or of one unit's folder).
render = api.render
#: True when a RecordSet has an error in a file of the given unit.
unit_has_errors = api.unit_has_errors

#: Names of the output folders and files ``formkit render`` writes per unit.
VOUCHER_DIR = VOUCHER.folder
REGISTRATION_DIR = REGISTRATION.folder
WEEKLY_DIR = WEEKLY.folder
ROSTER_STEM = ROSTER.stem
#: The 活动小结 in a unit's packet, and the staff's finished one in the unit's records folder
#: (``formkit render`` puts that one in the packet instead of its draft).
SUMMARY_FILE = SUMMARY.template
INCOMPLETE = api.INCOMPLETE


def output_name(unit: Any) -> str:
    """The name of a unit's folder in the output folder (a ``UnitRecords`` of a RecordSet),
    as ``formkit render`` names it."""
    return str(unit.name)


__all__ = [
    "ACCEPTED_FORMS",
    "CAMPAIGN_FILE",
    "FILE_FIELD",
    "INCOMPLETE",
    "ITEMS",
    "MAX_BYTES",
    "PRINT_DIR",
    "REGISTRATION_DIR",
    "ROSTER_STEM",
    "SUMMARY_FILE",
    "UNIT_FILE",
    "VOUCHER_DIR",
    "VOUCHER_LIMIT",
    "WEEKLY_DIR",
    "WEEKS_DIR",
    "WORKERS_DIR",
    "Campaign",
    "FamilyMember",
    "FormkitError",
    "HardshipCause",
    "OutputError",
    "Payment",
    "PdfError",
    "Problem",
    "RecordSet",
    "RecordsInvalid",
    "Unit",
    "Vocabulary",
    "VocabularyError",
    "VocabularyMarker",
    "WeeklyReport",
    "Worker",
    "YamlFileError",
    "__version__",
    "amount_in_words",
    "check",
    "convert_to_pdf",
    "create_numbered_file",
    "decode_bytes",
    "dotted",
    "find_soffice",
    "format_date_zh",
    "format_yuan",
    "load_yaml_text",
    "mask_id",
    "mask_phone",
    "masked_path",
    "new_record",
    "os_reason",
    "output_name",
    "parse_date",
    "parse_id_number",
    "parse_yes_no",
    "parse_yuan",
    "render",
    "replace_file",
    "safe_name",
    "scrub_numbers",
    "unit_has_errors",
    "voucher_boxes",
]
