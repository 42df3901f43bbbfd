"""Pydantic models of the record files, keyed by the Chinese keys of records.md.

Models: :class:`Campaign` (campaign.yaml), :class:`Unit` (单位.yaml), :class:`Worker`
(职工/*.yaml, with :class:`FamilyMember`, :class:`Attachment` and the payment
:class:`Payment` = 慰问 with its :class:`Subsidy` = 低保 line) and :class:`WeeklyReport`
(周报/*.yaml, with :class:`Figures` rows). Attribute names are English; the aliases are the
Chinese keys, so ``model_validate`` takes the records as typed and
``model_dump(by_alias=True)`` returns the records.md keys with typed values: ``Decimal``
yuan, ``date``, ``bool``, ``int``, ``str`` (vocabulary values as their printed label),
lists and dicts, and None for an absent optional value.

Every scalar arrives as text (:mod:`formkit.records.yamlio`) and is converted by field type: money
by :func:`formkit.domain.amounts.parse_yuan`, dates by :func:`formkit.domain.dates.parse_date`, 是/否 by
:func:`formkit.domain.vocab.parse_yes_no`, ID numbers by :func:`formkit.domain.idcard.parse_id_number`
(stored in their 18-character form), vocabulary fields by :meth:`Vocabulary.lookup`. An empty
value is absent.

Checks within one record run after the fields validate (``model_validator(mode="after")``);
their errors are raised together as one ``record_check`` error whose context holds the
:class:`Finding` list (``ctx["findings"]``), each located relative to the model; their
warnings are kept on the model (:attr:`Worker.warnings`). Values derived when absent:
性别 and 出生日期 from the 身份证号; 家庭年人均收入; 慰问's 居住地址, 所在单位 and 致困原因.
Nothing here knows about files or line numbers (see :mod:`formkit.records.load`).

The package: :mod:`.fields` (field types and converters), :mod:`.campaign` (campaign.yaml,
单位.yaml), :mod:`.worker` (职工/*.yaml), :mod:`.weekly` (周报/*.yaml), :mod:`.keys` (the keys of
a model, for messages and skeletons). Import the models from here.
"""

from formkit.domain.models.campaign import Campaign, Unit
from formkit.domain.models.fields import (
    INVISIBLE_CHARACTERS,
    MAX_HOUSEHOLD_SIZE,
    RECORD_CHECK,
    VALUE_ERROR,
    Finding,
    OptionalText,
    PersonName,
    RequiredText,
    VocabularyMarker,
    describe_invisible,
    name_findings,
)
from formkit.domain.models.keys import field_description, known_keys
from formkit.domain.models.weekly import (
    EnterpriseRows,
    Figures,
    LabourRows,
    WeeklyReport,
)
from formkit.domain.models.worker import (
    Attachment,
    FamilyMember,
    Payment,
    Subsidy,
    Worker,
    check_household_division,
)

__all__ = [
    "INVISIBLE_CHARACTERS",
    "MAX_HOUSEHOLD_SIZE",
    "RECORD_CHECK",
    "VALUE_ERROR",
    "Attachment",
    "Campaign",
    "EnterpriseRows",
    "FamilyMember",
    "Figures",
    "Finding",
    "LabourRows",
    "OptionalText",
    "Payment",
    "PersonName",
    "RequiredText",
    "Subsidy",
    "Unit",
    "VocabularyMarker",
    "WeeklyReport",
    "Worker",
    "check_household_division",
    "describe_invisible",
    "field_description",
    "known_keys",
    "name_findings",
]
