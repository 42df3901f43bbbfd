"""What keeps the page to the person who started it: token, Host, CSRF, paths, logs.

- A random token is in the printed address; the first request carrying it gets a cookie
  (HttpOnly, SameSite=Strict) and is redirected to the same address without it. Every
  request needs the token (cookie or ``?token=``), compared in constant time.
- The Host header must name the address the server was started on (DNS rebinding: a
  page of another site made to resolve to 127.0.0.1 sends its own host name).
- A write (POST) needs the CSRF token, in the form (``_csrf``) or the ``X-CSRF-Token``
  header, and an Origin header, when sent, of the server itself.
- A path in a URL is taken only when it names a file inside the records or output folder:
  no empty, ``.``, ``..`` or hidden part, no backslash, colon or NUL, and the resolved path
  (symbolic links followed) inside the folder.
- Every line the server logs goes through :func:`formkit.records.scrub_numbers`: no full ID
  or phone number in the log, whatever a message holds. No traceback is printed (only the
  exception's type) unless ``FORMKIT_DEBUG=1``. The access log shows the method, the path
  (scrubbed) and the status, never the query (which may hold the token).
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode

from formkit.serve import _core

__all__ = ["Guard", "ScrubFormatter", "UnsafePath", "configure_logging", "csrf_token", "inside", "new_token"]

LOG = logging.getLogger("formkit.serve")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def new_token() -> str:
    """A fresh random token for the printed address (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def csrf_token(token: str) -> str:
    """The CSRF token of a server run: derived from its token, different from it."""
    return hmac.new(token.encode(), b"formkit-serve-csrf", "sha256").hexdigest()[:40]


def same(a: str | None, b: str) -> bool:
    """Constant-time comparison of a token received with the expected one."""
    return a is not None and hmac.compare_digest(a.encode("utf-8", "replace"), b.encode())


#: Windows device names: a path part named so opens the device, not a file.
_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))})


class UnsafePath(Exception):
    """A path from a URL that names nothing the server may serve."""


def inside(base: Path, rel: str) -> Path:
    """The file *rel* (``/``-separated, from a URL) inside the folder *base*.

    Raises:
        UnsafePath: an empty, ``.``, ``..`` or hidden part, a Windows device name (CON, NUL,
            …), a backslash, colon or NUL, an absolute path, a path that resolves (links
            followed) outside *base*, or one the system refuses to look at (a name too long,
            a file taken for a folder, no permission: any OSError but "not found").
    """
    if not rel or any(ch in rel for ch in "\\:\x00") or rel.startswith("/"):
        raise UnsafePath(rel)
    parts = rel.split("/")
    if any(not p or p in (".", "..") or p.startswith(".") or p != p.strip() or p.split(".")[0].upper() in _DEVICES for p in parts):
        raise UnsafePath(rel)
    try:
        root = base.resolve()
        target = (root / Path(*parts)).resolve()
        if target != root and not target.is_relative_to(root):
            raise UnsafePath(rel)
        os.stat(target)  # a name too long, a part that is a file, no permission: an OSError here
    except FileNotFoundError:
        return target  # absent (a new record's path may be): the caller says so
    except OSError:
        raise UnsafePath(rel) from None
    return target


class ScrubFormatter(logging.Formatter):
    """A formatter whose every line (message, traceback) has ID and phone numbers masked."""

    #: the level shown before a message, in Chinese; none before an INFO line (a request)
    LEVELS: ClassVar[dict[int, str]] = {
        logging.DEBUG: "调试 ",
        logging.INFO: "",
        logging.WARNING: "警告：",
        logging.ERROR: "错误：",
        logging.CRITICAL: "严重错误：",
    }

    #: uvicorn's English words before an exception of the application, in Chinese
    WORDS: ClassVar[dict[str, str]] = {"Exception in ASGI application": "处理请求时出错"}

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record, scrubbed; an exception as its type only (its text and
        traceback may hold a record's values), unless ``FORMKIT_DEBUG=1``."""
        record.level_zh = self.LEVELS.get(record.levelno, record.levelname + " ")
        if record.exc_info and not debugging():
            kind = record.exc_info[1]
            message = record.getMessage()
            record = logging.makeLogRecord(record.__dict__)
            record.msg = self.WORDS.get(message.strip(), message.strip()) + (f"（{type(kind).__name__}）" if kind is not None else "")
            record.args = None
            record.exc_info = record.exc_text = record.stack_info = None
        return _core.scrub_numbers(super().format(record))


def debugging() -> bool:
    """``FORMKIT_DEBUG=1`` is set: tracebacks are printed."""
    return os.environ.get("FORMKIT_DEBUG", "") not in ("", "0")


def configure_logging(stream: Any = None) -> logging.Handler:
    """Send the server's and uvicorn's log lines through one scrubbing handler.

    Returns:
        The handler (tests read what it wrote).
    """
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ScrubFormatter("%(asctime)s %(level_zh)s%(message)s", "%H:%M:%S"))
    for name in ("formkit.serve", "uvicorn", "uvicorn.error", "starlette"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.propagate = False
        # formkit's own lines (each request, in Chinese where words are used) from INFO;
        # uvicorn's and Starlette's English start-up lines are left out: only their warnings
        logger.setLevel(logging.INFO if name == "formkit.serve" else logging.WARNING)
    access = logging.getLogger("uvicorn.access")  # its lines hold the query (the token): ours replace them
    access.handlers = []
    access.propagate = False
    access.disabled = True
    return handler


_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>{title}</h1><p>{text}</p></body></html>"""


class Guard:
    """ASGI middleware: Host check, token (cookie after the first visit), Origin on writes,
    security headers, and the access log (scrubbed, without the query)."""

    def __init__(self, app: Any, token: str, hosts: Iterable[str], cookie: str) -> None:
        self.app = app
        self.token = token
        self.hosts = {h.lower() for h in hosts}
        self.cookie = cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # no websockets here
            return
        started = time.monotonic()
        status_seen: list[int] = []

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status_seen.append(message["status"])
                headers = list(message.get("headers", []))
                headers += [
                    (b"cache-control", b"no-store"),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),  # no-referrer would make a form POST send Origin: null
                    (
                        b"content-security-policy",
                        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                        b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
                    ),
                ]
                message = dict(message, headers=headers)
            await send(message)

        try:
            await self._guarded(scope, receive, sending)
        except Exception:
            if not status_seen or debugging():
                raise
            # the error page was sent and the exception logged (its type only): uvicorn
            # would print it again with its traceback
        finally:
            method = scope.get("method", "")
            shown = _core.scrub_numbers(scope.get("path", ""))
            shown = shown if len(shown) <= 300 else shown[:300] + f"…（共 {len(shown)} 个字符）"
            status = status_seen[0] if status_seen else 0
            LOG.info("%s %s %s %.0f ms", method, shown, status, (time.monotonic() - started) * 1000)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "").lower()
        if host not in self.hosts:
            await _reply(send, 400, "地址不对", "这个网址的主机名不被允许。请使用 formkit serve 启动时打印的地址。")
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header: as if there were none
            cookies = SimpleCookie()
        cookie = cookies.get(self.cookie)
        by_cookie = same(cookie.value if cookie else None, self.token)
        by_query = same(query.get("token"), self.token)
        if not (by_cookie or by_query):
            await _reply(
                send,
                403,
                "需要启动时打印的地址",
                "请使用 formkit serve 启动时打印的完整地址（带 token=…）打开这个页面。"
                "如果找不到了，请关掉 formkit serve 再重新启动，它会打印新的地址。",
            )
            return
        method = scope.get("method", "GET")
        if method not in ("GET", "HEAD"):
            origin = headers.get("origin")
            if origin is not None and origin.lower().split("://", 1)[-1] not in self.hosts:
                await _reply(send, 403, "拒绝", "这个请求来自别的网站，已拒绝。")
                return
        if by_query and method in ("GET", "HEAD"):
            rest = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode("latin-1")) if k != "token"]
            location = (scope.get("root_path", "") + scope["path"]) + (("?" + urlencode(rest)) if rest else "")
            cookie_header = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict"
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [
                        (b"location", _quote_path(location).encode("latin-1")),
                        (b"set-cookie", cookie_header.encode("latin-1")),
                        (b"content-length", b"0"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


def _quote_path(location: str) -> str:
    from urllib.parse import quote

    return quote(location, safe="/?=&%:@!$'()*+,;~-._")


async def _reply(send: Send, status: int, title: str, text: str) -> None:
    body = _PAGE.format(title=title, text=text).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
