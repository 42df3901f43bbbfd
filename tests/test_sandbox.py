"""The template environment: sandboxed, escaping, strict, and bounded in size and time."""

from __future__ import annotations

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from formkit.documents.sandbox import (
    MAX_NUMBER,
    MAX_RANGE_STEPS,
    TemplateLimit,
    _range_budget,
    make_environment,
)
from formkit.files import safe_name


def render(source: str, **context):
    env = make_environment()
    token = _range_budget.set([MAX_RANGE_STEPS])
    try:
        return env.from_string(source).render(context)
    finally:
        _range_budget.reset(token)


def test_values_are_escaped_and_none_prints_blank():
    assert render("{{ a }}|{{ b }}", a="A&B<c>", b=None) == "A&amp;B&lt;c&gt;|"


def test_unknown_fields_are_errors_not_blanks():
    with pytest.raises(UndefinedError):
        render("{{ 不存在 }}")


@pytest.mark.parametrize(
    "source", ["{{ ''.__class__.__mro__ }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ cycler.__init__.__globals__ }}"]
)
def test_python_internals_are_refused(source):
    with pytest.raises(SecurityError):
        render(source)


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x'|center(10**9) }}",
        "{{ '%999999999d'|format(1) }}",
        "{{ 'a' * 100000000 }}",
        "{{ 9**999999999 }}",
        "{{ lipsum(1000000) }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    ],
)
def test_size_and_time_bombs_are_refused(source):
    with pytest.raises(TemplateLimit):
        render(source)


def test_ordinary_template_work_stays_allowed():
    assert (
        render("{{ 'x'|center(5) }}{{ '%05d'|format(7) }}{{ 'ab' * 2 }}{{ 2**10 }}{% for i in range(3) %}{{ i }}{% endfor %}")
        == "  x  00007abab1024012"
    )
    assert MAX_NUMBER >= 10_000


def test_file_names_fit_the_file_system():
    name = safe_name("张" * 200)
    assert len((name + ".docx.tmp").encode("utf-8")) < 255
    assert safe_name("CON") == "_CON" and safe_name('a<b>:"c"') == "a_b___c_" and safe_name("  ") == "未命名"
    # a leading dot would make a hidden file that formkit's folder walks skip (a 档案编号 "..")
    assert safe_name(".SM001") == "SM001" and safe_name("..") == "未命名" and safe_name(". 王秀英") == "王秀英"
