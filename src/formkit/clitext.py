"""Click's own words in Chinese: usage, option and argument errors, help headings.

Click marks every message it prints with gettext (``_()``, ``ngettext()``, bound in each of
its modules). A gettext catalog would need a compiled .mo file and a Chinese locale on the
staff's PC; formkit instead hands click these two functions, which look the message up in
:data:`CHINESE` (the English message when it is not there, so a newer click still prints
something). :func:`install` is called once, by :mod:`formkit.cli`, before its commands are
defined (click reads some words, such as ``--version``'s help, at definition time).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

import click

__all__ = ["CHINESE", "Choice", "install", "quoted", "translate", "translate_plural"]

#: Click's messages (as in its source, ``{placeholders}`` included) → formkit's Chinese.
CHINESE: dict[str, str] = {
    # help pages
    "Usage:": "用法:",  # click adds a space after it
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示这段说明并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已停用",
    # errors
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看用法。",
    "Invalid value: {message}": "值不对：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值不对：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令：formkit 后面要写一个命令，如 formkit check。",
    "No such option {name!r}.": "没有“{name}”这个选项。",
    "No such command {name!r}.": "没有“{name}”这个命令。",
    "Did you mean {possibility}?": "是不是 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是其中之一：{possibilities}？）",
    "Got unexpected extra argument ({args})": "多写了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多写了参数（{args}）",
    "Option {name!r} does not take a value.": "选项“{name}”后面不能写值。",
    "Option {name!r} requires an argument.": "选项“{name}”后面要写一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项“{name}”后面要写 {nargs} 个值。",
    "Argument {name!r} takes {nargs} values.": "参数“{name}”要写 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的开头字符不对（{option}）",
    "Takes {nargs} values but 1 was given.": "要写 {nargs} 个值，只写了 1 个。",
    "Takes {nargs} values but {len} were given.": "要写 {nargs} 个值，写了 {len} 个。",
    "{len_type} values are required, but {len_value} was given.": "要写 {len_type} 个值，写了 {len_value} 个。",
    "{len_type} values are required, but {len_value} were given.": "要写 {len_type} 个值，写了 {len_value} 个。",
    "Value must be an iterable.": "值应是一组。",
    "Aborted!": "已中止。",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
    # values of parameters
    "{value!r} is not {choice}.": "“{value}”不是可选的值：只能是 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}”不是可选的值：可选 {choices}。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的数。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 的范围内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”不是是/否值；可写：{states}",
    "{value!r} is not a valid UUID.": "“{value}”不是有效的 UUID。",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "“{value}”不符合格式 {formats}。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是文件，这里要的是文件夹。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是文件夹，这里要的是文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”无法读取（没有权限）。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”无法写入（没有权限）。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”不能执行。",
    # prompts (formkit asks none today)
    "Press any key to continue...": "按任意键继续…",
    "Repeat for confirmation": "再输入一次确认",
    "Error: The two entered values do not match.": "错误：两次输入的不一样。",
    "Error: invalid input": "错误：输入无效",
    "Do you want to continue?": "继续吗？",
    "Confirm the action without prompting.": "不询问，直接执行。",
}


def quoted(values: Iterable[object], last: str = "、") -> str:
    """Values a user may type, each in Chinese quotes: ``“worker”、“week”、“unit”``; *last*
    (``或``) before the last one (click's own lists are ``'worker', 'week'``, which its
    messages format before the words above could change them)."""
    items = [f"“{value}”" for value in values]
    return "、".join(items[:-1]) + last + items[-1] if len(items) > 1 else "".join(items)


class Choice(click.Choice):  # type: ignore[type-arg]  # generic in click 8.2+, not in 8.1
    """``click.Choice`` whose refusal lists the choices as :func:`quoted` does:
    ``“foo”不是可选的值：可选 “worker”、“week”、“unit”、“campaign”。``."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        return f"“{value}”不是可选的值：可选 {quoted(self.choices)}。"


#: Click's modules that bind ``_`` or ``ngettext`` from gettext.
_MODULES = (
    "click.core",
    "click.exceptions",
    "click.parser",
    "click.types",
    "click.decorators",
    "click.formatting",
    "click.termui",
    "click.utils",
    "click._termui_impl",
    "click.shell_completion",
)


def translate(message: str) -> str:
    """Click's *message* in Chinese (itself when the catalog lacks it)."""
    return CHINESE.get(message, message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    """``ngettext`` for click: Chinese has one form; the English one when unknown."""
    message = singular if n == 1 else plural
    return CHINESE.get(message, message)


def install() -> None:
    """Make click print its messages in Chinese (idempotent)."""
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a click without that module
            continue
        if hasattr(module, "_"):
            module._ = translate  # type: ignore[attr-defined]  # click's gettext binding, replaced by design (see the module)
        if hasattr(module, "ngettext"):
            module.ngettext = translate_plural  # type: ignore[attr-defined]  # the same, for plural forms
