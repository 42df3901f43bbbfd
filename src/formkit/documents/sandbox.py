"""The Jinja sandbox every template renders in: no Python internals, bounded numbers, text and loops."""

from __future__ import annotations

import contextvars
import re
from typing import Any

from jinja2 import StrictUndefined, Undefined
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment


def _finalize(value: Any) -> Any:
    return "" if value is None else value


def default(value: Any, default_value: Any = "", boolean: bool = False) -> Any:
    """``{{ 联系电话|default("—") }}``: ``default_value`` where the field is empty.

    Jinja's own ``default`` acts on undefined names only, and every field a template sees is
    defined, empty fields as ``""`` (design.md, "Known pitfalls"): so here an undefined name,
    None and an empty (or blank) text all take the default; with ``boolean=True`` any false
    value does, as in Jinja.
    """
    if isinstance(value, Undefined) or value is None:
        return default_value
    if isinstance(value, str) and not value.strip():
        return default_value
    if boolean and not value:
        return default_value
    return value


#: Bounds on what a template may ask for (templates travel by e-mail; issue 7). A form needs
#: none of these anywhere near: its loops run over the records' own lists.
MAX_NUMBER = 100_000  # any number handed to a filter or function
MAX_TEXT = 200_000  # characters a string or list operation may produce
MAX_RANGE_STEPS = 200_000  # range() steps in one document, all loops together
_WIDE_FORMAT = re.compile(r"%[-+ #0]*\d{5,}|\{[^{}]*:[^{}]*\d{5,}[^{}]*\}")
_range_budget: contextvars.ContextVar[list[int]] = contextvars.ContextVar("formkit_range_budget")


class TemplateLimit(SecurityError):
    """A template asked for more than a form can need (a huge number, string or loop)."""


def _check_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            raise TemplateLimit(f"数值 {str(value)[:12]} 过大（最多 {MAX_NUMBER}）")
        if isinstance(value, str) and _WIDE_FORMAT.search(value):
            raise TemplateLimit("格式宽度过大")


def _bounded_range(*args: int) -> range:
    _check_args(args, {})
    steps = range(*args)
    budget = _range_budget.get(None)
    if budget is not None:
        budget[0] -= len(steps)
        if budget[0] < 0:
            raise TemplateLimit(f"循环次数过多（一份文档最多 {MAX_RANGE_STEPS} 次）")
    return steps


def _guarded(function: Any) -> Any:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        # The first argument is the value being filtered (or the context/environment the
        # filter asked for): only its format widths are bounded, not its size.
        _check_args(args[1:], kwargs)
        for value in args[:2]:
            if isinstance(value, str) and _WIDE_FORMAT.search(value):
                raise TemplateLimit("格式宽度过大")
        return function(*args, **kwargs)

    for attr in ("jinja_pass_arg",):
        if hasattr(function, attr):
            setattr(guarded, attr, getattr(function, attr))
    guarded.__name__ = getattr(function, "__name__", "filter")
    return guarded


#: What ``getattr`` finds on a plain dict instance (its type's attributes; a dict has no others).
_DICT_ATTRIBUTES = frozenset(dir(dict))


class FormSandbox(SandboxedEnvironment):
    """Jinja's sandbox, plus bounds on size and time.

    Besides what :class:`SandboxedEnvironment` refuses (attributes starting with ``_``,
    unsafe callables), a template may not pass a number above ``MAX_NUMBER`` or a format
    width of five digits or more to a filter or function, build a string or list longer than
    ``MAX_TEXT``, raise to a large power, or run more than ``MAX_RANGE_STEPS`` range() steps
    in one document. Each is refused with :class:`TemplateLimit` instead of eating the
    machine's memory or time.
    """

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _guarded(f) for name, f in {**self.filters, "default": default, "d": default}.items()}
        self.globals["range"] = _bounded_range

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 64 or abs(left).bit_length() * max(right, 0) > 256:
                raise TemplateLimit("乘方过大")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_TEXT:
                    raise TemplateLimit(f"生成的文字过长（最多 {MAX_TEXT} 字）")
        if operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
            raise TemplateLimit("格式宽度过大")
        result = super().call_binop(context, operator, left, right)
        if isinstance(result, (str, list, tuple)) and len(result) > MAX_TEXT:
            raise TemplateLimit(f"生成的文字过长（最多 {MAX_TEXT} 字）")
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``row.姓名`` on a plain dict: its item, as Jinja would find it, without first
        raising the AttributeError Jinja's lookup starts with (a 1,000-row roster makes
        tens of thousands of these). A name that dict itself has (``items``) still goes the
        sandbox's way, so the result is always the sandbox's own."""
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 (Jinja's signature)
        _check_args(args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def make_environment() -> FormSandbox:
    """The Jinja environment every template renders in (sandboxed and bounded, autoescape, strict)."""
    return FormSandbox(autoescape=True, undefined=StrictUndefined, finalize=_finalize, keep_trailing_newline=True)
