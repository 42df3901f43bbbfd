"""``formkit serve``: the records in a browser form, on this computer only.

A local web page over the same YAML files that staff and scripts keep using: the units of
the records folder with their workers and weekly reports, a form per record built from the
record model (drop-downs for the 填表说明's values, dates, ID numbers and amounts checked as
typed), saving that changes only what was edited (comments and formatting elsewhere kept),
formkit's own checks beside the fields after each save, and a unit's annexes rendered from
the page.

Only :mod:`formkit.serve._core` imports the rest of formkit.
"""

from __future__ import annotations

import errno
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from formkit.serve import _core

__all__ = ["Server", "check_folders", "serve"]

DEFAULT_PORT = 8765


def _is_unit_folder(folder: Path) -> bool:
    return (folder / _core.UNIT_FILE).is_file() or (folder / _core.WORKERS_DIR).is_dir() or (folder / _core.WEEKS_DIR).is_dir()


def check_folders(records: Path, out: Path) -> None:
    """Refuse an output folder that is, holds or lies inside the records folder (a render
    would replace records), as ``formkit render`` does.

    Raises:
        OutputError: naming both folders.
    """
    source, target = records.resolve(), out.resolve()
    if source == target or source.is_relative_to(target) or target.is_relative_to(source):
        raise _core.OutputError(
            f"输出文件夹 {out} 不能是记录文件夹 {records}，也不能在它里面或包含它。请用 -o 换一个输出文件夹，例如 output。"
        )


def _sockets(host: str | None, port: int) -> list[socket.socket]:
    """Listening sockets: 127.0.0.1 and ::1 (when the machine has IPv6) on one port, or
    *host*. Port 0 takes a free port; a taken port tries the next ones."""
    hosts = [host] if host else ["127.0.0.1", "::1"]
    for attempt in range(20 if port else 1):
        chosen = port + attempt if port else 0
        made: list[socket.socket] = []
        try:
            for h in hosts:
                family = socket.AF_INET6 if ":" in h else socket.AF_INET
                try:
                    sock = socket.socket(family, socket.SOCK_STREAM)
                except OSError:
                    if h == "::1":
                        continue  # no IPv6 here
                    raise
                if family == socket.AF_INET6:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                if sys.platform != "win32":
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind((h, chosen))
                except OSError as exc:
                    sock.close()
                    if h == "::1" and exc.errno != errno.EADDRINUSE:
                        continue  # IPv6 switched off here: 127.0.0.1 alone
                    raise
                sock.listen(64)
                sock.set_inheritable(True)
                chosen = sock.getsockname()[1]
                made.append(sock)
            return made
        except OSError as exc:
            for sock in made:
                sock.close()
            if exc.errno != errno.EADDRINUSE or attempt == 19 or not port:
                raise _core.OutputError(f"无法在端口 {chosen} 上启动：{exc.strerror or exc}。可用 --port 换一个端口。") from exc
    raise _core.OutputError("找不到空闲的端口：请用 --port 指定一个。")  # pragma: no cover


def _local_names(host: str | None) -> list[str]:
    """The host names the page may be opened under (the Host header is checked)."""
    if not host:
        return ["127.0.0.1", "localhost", "[::1]"]
    names = [f"[{host}]" if ":" in host else host, "127.0.0.1", "localhost"]
    if host in ("0.0.0.0", "::"):
        names.append(socket.gethostname())
        try:
            names += socket.gethostbyname_ex(socket.gethostname())[2]
        except OSError:
            pass
    return names


@dataclass
class Server:
    """A running ``formkit serve`` (started in a thread by :meth:`start`, for tests and the
    command alike).

    Attributes:
        url: the address to open, with its token.
        token: the token.
        port: the port.
    """

    records: Path
    out: Path
    host: str | None = None
    port: int = DEFAULT_PORT
    log_stream: Any = None
    url: str = ""
    token: str = ""
    _server: Any = None
    _thread: threading.Thread | None = None
    _sockets: list[socket.socket] = field(default_factory=list)

    def start(self) -> Server:
        """Bind, then serve in a background thread; returns once the server accepts."""
        import uvicorn

        from formkit.serve.app import create_app
        from formkit.serve.security import configure_logging, new_token

        check_folders(self.records, self.out)
        self.records.mkdir(parents=True, exist_ok=True)
        self._sockets = _sockets(self.host, self.port)
        self.port = self._sockets[0].getsockname()[1]
        self.token = new_token()
        names = _local_names(self.host)
        hosts = [f"{n}:{self.port}" for n in names]
        app = create_app(self.records, self.out, self.token, hosts, cookie=f"formkit_token_{self.port}")
        configure_logging(self.log_stream)
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", ws="none", timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        shown = "127.0.0.1" if not self.host or self.host in ("0.0.0.0", "::") else names[0]
        self.url = f"http://{shown}:{self.port}/?token={self.token}"
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": self._sockets}, name="formkit-serve", daemon=True)
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise _core.OutputError("formkit serve 没能启动（详情见上面的日志）。")
            self._thread.join(0.05)
        return self

    def stop(self) -> None:
        """Stop serving and close the sockets."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        for sock in self._sockets:
            sock.close()

    def wait(self) -> None:
        """Serve until interrupted (Ctrl+C)."""
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()


def serve(
    records: Path,
    out: Path,
    *,
    host: str | None = None,
    port: int = DEFAULT_PORT,
    open_browser: bool = True,
    echo: Callable[[str], None] = print,
) -> None:
    """Run ``formkit serve`` until Ctrl+C: print the address, open the browser.

    Args:
        records: the records folder (created when missing, if the folder it goes in exists).

    Raises:
        FormkitError: the records folder and the folder it goes in are both missing (a
            mistyped path), or a folder is unusable (:func:`check_folders`).
        out: the output folder of renders.
        host: listen on this address instead of 127.0.0.1 and ::1 (other computers can then
            reach the page: a warning is printed).
        port: the port (the next free one when taken; 0: any free port).
        open_browser: open the address in the default browser.
        echo: prints a line for the user.
    """
    if host in ("127.0.0.1", "localhost", "::1"):
        host = None
    records = Path(records)
    if not (records / _core.CAMPAIGN_FILE).is_file() and _is_unit_folder(records) and (records.parent / _core.CAMPAIGN_FILE).is_file():
        echo(f"{records} 是一个单位的文件夹：网页打开它所在的记录文件夹 {records.parent}（campaign.yaml 在那里）。")
        records = records.parent
    if not records.exists():
        if not records.parent.is_dir():
            raise _core.FormkitError(f"记录文件夹不存在：{records}，它所在的文件夹 {records.parent} 也不存在。请检查路径。")
        echo(f"记录文件夹 {records} 不存在：已新建一个空的记录文件夹，在网页上新建单位和记录。")
    if host:
        echo(
            f"警告：--host {host} 让其他电脑也能打开这个页面。页面里是困难职工的个人信息（身份证号、收入、住址）。"
            "只在可信的内部网络这样用，用完立即关闭。"
        )
    server = Server(records, out, host=host, port=port).start()
    echo(f"formkit serve 已启动。记录文件夹：{server.records.resolve()}，输出文件夹：{server.out.resolve()}")
    echo(f"请在浏览器打开：{server.url}")
    echo("（地址里的 token 是这次启动的钥匙，不要发给别人。按 Ctrl+C 停止。）")
    if open_browser:
        try:
            webbrowser.open(server.url)
        except Exception:
            pass
    server.wait()
