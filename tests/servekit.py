"""Helpers for the tests of ``formkit serve``: a running server and a raw HTTP client.

The client speaks HTTP through :mod:`http.client` so that a path is sent exactly as written
(``..%2f``, ``%252e``, backslashes): no client-side normalisation hides a traversal.
"""

from __future__ import annotations

import http.client
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from formkit.fake import check_digit
from formkit.serve import Server

ROOT = Path(__file__).resolve().parents[1]
UNIT = "思明区总工会"


def fictional_id(first17: str = "35020319800101123") -> str:
    """A fictional 18-character ID number with a valid GB 11643 check digit."""
    return first17 + check_digit(first17)


def wrong_check_digit(number: str) -> str:
    """The same number with another (wrong) check digit."""
    digits = "0123456789X"
    return number[:17] + digits[(digits.index(number[17]) + 3) % 11]


def copy_records(tmp: Path) -> Path:
    """A copy of the shipped (fictional) sample records."""
    target = tmp / "records"
    shutil.copytree(ROOT / "records", target)
    return target


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """Requests to a running :class:`formkit.serve.Server`, with its cookie by default."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.port = server.port
        self.cookie = f"formkit_token_{server.port}={server.token}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        cookie: bool = True,
        host: str | None = None,
    ) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {"Host": f"127.0.0.1:{self.port}" if host is None else host}
        if cookie:
            sent["Cookie"] = self.cookie
        sent.update(headers or {})
        path = re.sub(r"[^\x21-\x7e]", lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), path)  # as sent, %xx kept
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for key, value in sent.items():
            conn.putheader(key, value.encode("utf-8") if not value.isascii() else value)
        body = body or b""
        if method == "POST":
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body if body else None)
        response = conn.getresponse()
        data = response.read()
        reply = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        conn.close()
        return reply

    def get(self, path: str, **kw: Any) -> Reply:
        return self.request("GET", quote(path, safe="/%?=&:"), **kw)

    def post(self, path: str, form: dict[str, str], csrf: bool = True, **kw: Any) -> Reply:
        data = dict(form)
        if csrf:
            data.setdefault("_csrf", self.csrf())
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        headers.update(kw.pop("headers", {}))
        return self.request("POST", quote(path, safe="/%?=&:"), urlencode(data).encode("utf-8"), headers=headers, **kw)

    def csrf(self) -> str:
        page = self.get("/").text
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def digest(self, rel: str) -> str:
        page = self.get(f"/record/{rel}").text
        return re.search(r'name="_digest" value="([^"]*)"', page).group(1)

    def form_values(self, path: str) -> dict[str, str]:
        """The fields of the record form at *path*, as the browser would submit them untouched."""
        page = self.get(path).text
        form = page[page.index('id="record-form"') :]
        form = re.sub(r"<template.*?</template>", "", form, flags=re.S)
        values: dict[str, str] = {}
        for m in re.finditer(r'<input type="(?:text|hidden)"[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', form):
            values[_unescape(m.group(1))] = _unescape(m.group(2))
        for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
            values[_unescape(m.group(1))] = _unescape(m.group(2))
        for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, flags=re.S):
            chosen = re.search(r'<option value="([^"]*)" selected', m.group(2))
            values[_unescape(m.group(1))] = _unescape(chosen.group(1)) if chosen else ""
        for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, flags=re.S):
            values[_unescape(m.group(1))] = _unescape(m.group(2))
        return values


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def start(records: Path, out: Path, log: io.StringIO | None = None) -> Server:
    """A server on a free port of 127.0.0.1 (and ::1)."""
    return Server(records, out, port=0, log_stream=log).start()
