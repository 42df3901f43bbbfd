"""The web application of ``formkit serve`` (Starlette, pages rendered on the server).

Pages: the records folder with its units (``/``); a unit with its workers, weekly reports,
problems and the render panel (``/unit/<folder>``); a record's form (``/record/<path>``,
the path inside the records folder); a new record's form (``/new/worker/<unit>``,
``/new/week/<unit>``, ``/new/unit``, ``/new/campaign``); a record's text (``/raw/<path>``).
Files of the output folder are served from ``/out/<path>`` and previews of PDFs from
``/preview/<path>``. ``/api/value`` checks one value as it is typed (ID number, date,
amount) with formkit's own functions; ``/render/...`` starts and follows a render.

Every request passes :class:`formkit.serve.security.Guard` (token, Host); every POST
carries the CSRF token. A path from a URL is resolved by
:func:`formkit.serve.security.inside` and must name a record (or, for ``/out``, a file of
the output folder). Saving never deletes a record file; a new record never replaces one.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from formkit.serve import _core, yamledit
from formkit.serve.binding import attach_problems, bind, sections
from formkit.serve.folder import Folder, FolderState, RecordFile, record_kind
from formkit.serve.forms import apply_form, changed_fields
from formkit.serve.jobs import Renderer, pdf_available, preview
from formkit.serve.outputs import draft_summaries, unit_documents
from formkit.serve.pagetext import (
    check_value,
    diff_lines,
    field_label,
    form_refusal,
    hidden_characters,
    hidden_pairs,
    natural_key,
    new_stem,
    next_number,
    status_phrase,
    title_of,
)
from formkit.serve.security import Guard, UnsafePath, csrf_token, inside, same
from formkit.serve.specs import Spec, spec_of

HERE = Path(__file__).resolve().parent

#: The record model of each kind of file.
MODELS: dict[str, type[BaseModel]] = {"worker": _core.Worker, "week": _core.WeeklyReport, "unit": _core.Unit, "campaign": _core.Campaign}
KIND_NAMES = {"worker": "职工", "week": "周报", "unit": "单位", "campaign": "活动"}
#: Most form fields accepted in one save (a worker with 90 family members stays below).
MAX_FIELDS = 5000
#: The 档案编号 a unit's first worker starts with.
FIRST_NUMBER = "001"


class Pages:
    """State shared by the pages of one server: folders, renders, templates, tokens."""

    def __init__(self, records: Path, out: Path, token: str) -> None:
        self.folder = Folder(records, out)
        self.renderer = Renderer(self.folder)
        self.token = token
        self.csrf = csrf_token(token)
        self.pdf = pdf_available()
        self.pdf_wanted = False  # "同时生成 PDF" was ticked for the last render
        self.opened: OrderedDict[str, bytes] = OrderedDict()  # file bytes by digest, for a refused save
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=jinja2.StrictUndefined,
        )
        env.filters["q"] = lambda text: quote(str(text), safe="/")
        env.filters["fid"] = lambda name: "f-" + str(name)
        env.filters["label"] = lambda name: field_label(str(name or ""))
        env.globals.update(csrf=self.csrf, kinds=KIND_NAMES, version=_core.__version__)
        self.env = env

    # -- helpers ---------------------------------------------------------------------------

    def page(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        """A page rendered from *template*."""
        values.setdefault("records_dir", str(self.folder.root))
        values.setdefault("out_dir", str(self.folder.out))
        return HTMLResponse(self.env.get_template(template).render(**values), status_code=status)

    async def state(self) -> FolderState:
        """The records folder checked, in a worker thread (a check of a thousand records takes
        a second or two: the server keeps answering meanwhile, e.g. a render's progress)."""
        return await run_in_threadpool(self.folder.state)

    def remember(self, raw: bytes) -> str:
        """Keep the bytes a form was opened on (a few dozen), by their digest."""
        sha = yamledit.digest(raw)
        self.opened[sha] = raw
        self.opened.move_to_end(sha)
        while len(self.opened) > 64:
            self.opened.popitem(last=False)
        return sha

    async def form(self, request: Request) -> dict[str, str]:
        """The POSTed form, once its CSRF token is checked."""
        try:
            data = await request.form(max_fields=MAX_FIELDS, max_files=0)
        except HTTPException as exc:  # Starlette's words for a form too large or malformed
            raise HTTPException(*form_refusal(str(exc.detail), MAX_FIELDS)) from None
        form = {k: v for k, v in data.items() if isinstance(v, str)}
        if not same(form.get("_csrf") or request.headers.get("x-csrf-token"), self.csrf):
            raise HTTPException(403, "缺少或错误的表单令牌（CSRF）：请刷新页面后再提交。")
        return form

    def record_path(self, rel: str) -> tuple[Path, str]:
        """The record file of a URL path, and its kind."""
        kind = record_kind(rel)
        if kind is None:
            raise HTTPException(404, "这里只能打开记录文件（campaign.yaml、单位.yaml、职工/ 和 周报/ 里的 .yaml）。")
        try:
            path = inside(self.folder.root, rel)
        except UnsafePath:
            raise HTTPException(404, "找不到这个记录。") from None
        if record_kind(self.folder.rel(path)) != kind:
            raise HTTPException(404, "找不到这个记录。")
        return path, kind

    def unit_view(self, state: FolderState, name: str) -> Any:
        """The unit folder *name* of the records folder (404 when there is none)."""
        view = state.units.get(name)
        if view is None:
            raise HTTPException(404, f"没有名为“{name}”的单位文件夹。")
        return view

    def unit_of(self, state: FolderState, rel: str) -> Any:
        """The unit a record file belongs to (None for campaign.yaml)."""
        return state.units.get(rel.split("/")[0]) if "/" in rel else None

    # -- pages -----------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        """The records folder: its units and the campaign."""
        state = await self.state()
        return self.page("index.html", state=state, title="首页")

    async def unit(self, request: Request) -> Response:
        """A unit: its workers and weekly reports with their state; rendering."""
        state = await self.state()
        view = self.unit_view(state, request.path_params["unit"])
        job = self.renderer.last.get(view.name)
        missing = [p for p in view.problems if p.field == "时间" and Path(p.path).name == _core.WEEKS_DIR]
        return self.page(
            "unit.html",
            state=state,
            view=view,
            job=job,
            pdf=self.pdf,
            pdf_ticked=self.pdf_wanted,
            missing=missing,
            title=view.title,
            created=request.query_params.get("created") == "1",
            documents=unit_documents(self.folder.out, view),
            summaries=draft_summaries(self.folder.out, view),
            doc_names={_core.REGISTRATION_DIR: "登记表", _core.VOUCHER_DIR: "凭证", _core.WEEKLY_DIR: "周报表"},
        )

    async def record(self, request: Request) -> Response:
        """A record's form, with formkit's problems beside the fields."""
        rel = request.path_params["rel"]
        path, kind = self.record_path(rel)
        if not path.is_file():
            raise HTTPException(404, "找不到这个记录文件（可能已改名或移走）。")
        raw = path.read_bytes()
        state = await self.state()
        rec = state.files.get(rel)
        try:
            text = yamledit.load_record_text(raw)
        except yamledit.EditError as exc:
            return self.raw_page(rel, raw, kind, rec, str(exc))
        saved = request.query_params.get("saved")
        return self.form_page(
            kind,
            rel=rel,
            data=text.data,
            sha=self.remember(raw),
            rec=rec,
            state=state,
            saved=saved,
            created=request.query_params.get("created") == "1",
            exact=text.exact,
        )

    def form_page(
        self,
        kind: str,
        *,
        rel: str = "",
        data: Any = None,
        sha: str = "",
        rec: RecordFile | None = None,
        state: FolderState | None = None,
        saved: str | None = None,
        created: bool = False,
        exact: bool = True,
        unit: str = "",
        status: int = 200,
        notice: str = "",
        notes: dict[str, str] | None = None,
        problems: list[Any] | None = None,
    ) -> HTMLResponse:
        """A record's form: its values, formkit's problems beside the fields, hints.

        Args:
            notes: a line of help under a field, by its name (why a new record's value was
                filled in).
            problems: a new record's problems beside its fields (why it was not written).
        """
        model = MODELS[kind]
        specs = spec_of(model)
        bound = bind(specs, data)
        problems = list(rec.problems) if rec is not None else list(problems or [])
        loose, by_row = attach_problems(bound, problems)
        state = state or self.folder.state()
        view = self.unit_of(state, rel) if rel else state.units.get(unit)
        unknown = sorted(set(data or {}) - {s.key for s in specs}) if isinstance(data, dict) else []
        defaults: dict[str, str] = {}
        if kind == "week" and view is not None:
            defaults.update({k: f"不填则用单位的：{view.info[k]}" for k in ("单位负责人", "填表人", "联系电话") if view.info.get(k)})
        title = title_of(kind, rec, data)
        action = f"/record/{quote(rel)}" if rel else (f"/new/{kind}/{quote(unit)}" if unit else f"/new/{kind}")
        return self.page(
            "record.html",
            status=status,
            kind=kind,
            rel=rel,
            sha=sha,
            rec=rec,
            view=view,
            parts=sections(model, bound),
            loose=loose,
            by_row=by_row,
            problems=problems,
            saved=saved,
            created=created,
            exact=exact,
            unknown=unknown,
            defaults=defaults,
            notes=notes or {},
            title=title,
            action=action,
            notice=notice,
            is_new=not rel,
            skeleton_hint=not rel,
        )

    async def save(self, request: Request) -> Response:
        """Save a record's form: only the changed fields, atomically; refused when the file
        changed on disk since the form was opened."""
        rel = request.path_params["rel"]
        path, kind = self.record_path(rel)
        form = await self.form(request)
        if not path.is_file():
            raise HTTPException(404, "找不到这个记录文件（可能已改名或移走），没有保存。")
        raw = path.read_bytes()
        specs = spec_of(MODELS[kind])
        if yamledit.digest(raw) != form.get("_digest", ""):
            return self.conflict(rel, kind, raw, form, specs)
        try:
            text = yamledit.load_record_text(raw)
        except yamledit.EditError as exc:
            return self.raw_page(rel, raw, kind, (await self.state()).files.get(rel), str(exc))
        changed = apply_form(specs, text.data, form)
        if changed:
            yamledit.write_atomic(path, yamledit.encode(yamledit.dump(text), text.encoding, text.crlf))
            self.folder.forget()
        return RedirectResponse(f"/record/{quote(rel)}?saved={len(changed)}", status_code=303)

    def conflict(self, rel: str, kind: str, raw: bytes, form: dict[str, str], specs: list[Spec]) -> HTMLResponse:
        """The page of a refused save: the file on disk, the version of the form, and the
        fields the form changed (re-applied onto the file on disk only when asked)."""
        disk = yamledit.load_record_text(raw)
        before = self.opened.get(form.get("_digest", ""))
        mine_text = ""
        changes: dict[str, Any] = {}
        if before is not None:
            original = yamledit.load_record_text(before)
            changes = changed_fields(specs, original.data, form)
            apply_form(specs, original.data, form)
            mine_text = yamledit.dump(original)
        else:
            changes = changed_fields(specs, disk.data, form)
        scalar_only = all(v is not None for v in changes.values())
        return self.page(
            "conflict.html",
            status=409,
            rel=rel,
            kind=kind,
            disk_text=disk.text,
            mine_text=mine_text,
            diff=diff_lines(disk.text, mine_text),
            changes=changes,
            hidden=hidden_pairs(specs, changes),
            scalar_only=scalar_only and bool(changes),
            known=before is not None,
            sha=self.remember(raw),
            title="文件已被修改",
        )

    async def reapply(self, request: Request) -> Response:
        """Apply the fields a refused save changed onto the file as it is now on disk."""
        rel = request.path_params["rel"]
        path, kind = self.record_path(rel)
        form = await self.form(request)
        raw = path.read_bytes()
        specs = spec_of(MODELS[kind])
        if yamledit.digest(raw) != form.get("_digest", ""):
            return self.conflict(rel, kind, raw, {k[5:]: v for k, v in form.items() if k.startswith("mine:")} | {"_digest": ""}, specs)
        text = yamledit.load_record_text(raw)
        submitted = {k[5:]: v for k, v in form.items() if k.startswith("mine:")}
        for spec in specs:  # every row of the file kept: only the edited cells change
            rows = text.data.get(spec.key) if spec.kind == "rows" else None
            if isinstance(rows, list):
                submitted.update({f"{spec.key}[{i}]._from": str(i) for i in range(1, len(rows) + 1)})
        changed = apply_form(specs, text.data, submitted)
        if changed:
            yamledit.write_atomic(path, yamledit.encode(yamledit.dump(text), text.encoding, text.crlf))
            self.folder.forget()
        return RedirectResponse(f"/record/{quote(rel)}?saved={len(changed)}", status_code=303)

    def raw_page(self, rel: str, raw: bytes, kind: str, rec: RecordFile | None, message: str = "", status: int = 200) -> HTMLResponse:
        """A record's text in a text box (for a file the form cannot show)."""
        try:
            text, _ = _core.decode_bytes(raw)
        except _core.YamlFileError as exc:
            text, message = "", exc.message
        return self.page(
            "raw.html",
            status=status,
            rel=rel,
            kind=kind,
            text=text.lstrip("\ufeff").replace("\r\n", "\n"),
            sha=self.remember(raw),
            rec=rec,
            message=message,
            title=f"原文：{rel}",
        )

    async def raw(self, request: Request) -> Response:
        """A record's text."""
        rel = request.path_params["rel"]
        path, kind = self.record_path(rel)
        if not path.is_file():
            raise HTTPException(404, "找不到这个记录文件。")
        return self.raw_page(rel, path.read_bytes(), kind, (await self.state()).files.get(rel))

    async def raw_save(self, request: Request) -> Response:
        """Save a record's text, atomically, in the file's encoding and line endings."""
        rel = request.path_params["rel"]
        path, kind = self.record_path(rel)
        form = await self.form(request)
        raw = path.read_bytes()
        if yamledit.digest(raw) != form.get("_digest", ""):
            return self.page(
                "conflict.html",
                status=409,
                rel=rel,
                kind=kind,
                disk_text=raw.decode("utf-8", "replace"),
                mine_text=form.get("text", ""),
                changes={},
                hidden=[],
                scalar_only=False,
                known=True,
                diff=diff_lines(raw.decode("utf-8", "replace"), form.get("text", "")),
                sha=self.remember(raw),
                title="文件已被修改",
            )
        try:
            _, encoding = _core.decode_bytes(raw)
        except _core.YamlFileError:
            encoding = "utf-8"
        new = form.get("text", "").replace("\r\n", "\n")
        if new.strip():
            crlf = b"\r\n" in raw
            data = yamledit.encode(new if new.endswith("\n") else new + "\n", encoding, crlf)
            if data != raw:
                yamledit.write_atomic(path, data)
                self.folder.forget()
        return RedirectResponse(f"/record/{quote(rel)}?saved=1", status_code=303)

    # -- new records -------------------------------------------------------------------------

    async def new(self, request: Request) -> Response:
        """The form of a new record, from the skeleton of ``formkit new``."""
        kind = request.path_params["kind"]
        unit = request.path_params.get("unit", "")
        state = await self.state()
        if kind in ("worker", "week"):
            self.unit_view(state, unit)
        elif kind not in MODELS or unit:
            raise HTTPException(404, "没有这种记录。")
        if kind == "campaign" and state.campaign is not None:
            return RedirectResponse(f"/record/{quote(_core.CAMPAIGN_FILE)}", status_code=303)
        text = yamledit.load_record_text(_core.new_record(kind).encode("utf-8"))
        values, notes = self.suggestions(kind, state, unit)
        if isinstance(text.data, dict):
            for key, value in values.items():
                text.data[key] = value
        return self.form_page(kind, data=text.data, unit=unit, state=state, notes=notes)

    def suggestions(self, kind: str, state: FolderState, unit: str) -> tuple[dict[str, str], dict[str, str]]:
        """What a new record's form starts with: the unit's next free 档案编号 (001 for its
        first worker), the first report day still without a report; and, under each, why."""
        view = state.units.get(unit)
        if view is None:
            return {}, {}
        if kind == "worker":
            numbers = {rec.number for rec in view.workers if rec.number}
            if not numbers:
                return {"档案编号": FIRST_NUMBER}, {"档案编号": f"已填入 {FIRST_NUMBER}（本单位的第一位职工），可改成本单位自己的编号"}
            last = max(numbers, key=natural_key)
            following = next_number(last)
            while following and following in numbers:
                following = next_number(following)
            if not following:
                return {}, {"档案编号": f"本单位已用到 {last}"}
            return {"档案编号": following}, {"档案编号": f"已填入下一个编号 {following}（本单位已用到 {last}），可以修改"}
        if kind == "week" and state.record_set is not None:
            unit_records = next((u for u in state.record_set.units if u.folder.resolve() == view.folder.resolve()), None)
            missing = state.record_set.missing_weeks(unit_records) if unit_records is not None else []
            if missing:
                shown = _core.format_date_zh(missing[0])
                note = (
                    f"已填入 {shown}：本单位还缺这一周的周报" + (f"（共缺 {len(missing)} 周）" if len(missing) > 1 else "") + "，可以修改"
                )
                return {"时间": missing[0].isoformat()}, {"时间": note}
        return {}, {}

    async def create(self, request: Request) -> Response:
        """Write a new record from its form (the skeleton with the values typed); never
        replaces a file."""
        kind = request.path_params["kind"]
        unit = request.path_params.get("unit", "")
        form = await self.form(request)
        state = await self.state()
        skeleton = _core.new_record(kind).encode("utf-8")
        text = yamledit.load_record_text(skeleton)
        specs = spec_of(MODELS[kind])
        apply_form(specs, text.data, form)
        hidden = hidden_characters(kind, form)
        if hidden:
            return self.form_page(kind, data=text.data, unit=unit, state=state, status=400, problems=hidden)
        data = yamledit.encode(yamledit.dump(text), "utf-8", False)
        if kind in ("worker", "week"):
            view = self.unit_view(state, unit)
            folder = view.folder / (_core.WORKERS_DIR if kind == "worker" else _core.WEEKS_DIR)
            path = yamledit.write_new(folder, new_stem(kind, form), data)
        elif kind == "unit":
            name = form.get("填报单位", "").strip()
            if not name:
                return self.form_page(kind, data=text.data, state=state, status=400, notice="请先填写“填报单位”：单位的文件夹以它命名。")
            folder = self.folder.root / _core.safe_name(_core.scrub_numbers(name))
            if folder.exists():
                return self.form_page(
                    kind, data=text.data, state=state, status=409, notice=f"已经有名为“{folder.name}”的文件夹，没有新建。"
                )
            folder.mkdir(parents=True)
            (folder / _core.WORKERS_DIR).mkdir()
            (folder / _core.WEEKS_DIR).mkdir()
            yamledit.write_new(folder, Path(_core.UNIT_FILE).stem, data)
            self.folder.forget()
            return RedirectResponse(f"/unit/{quote(folder.name)}?created=1", status_code=303)
        elif kind == "campaign":
            if (self.folder.root / _core.CAMPAIGN_FILE).exists():
                raise HTTPException(409, "campaign.yaml 已经存在，没有新建。")
            self.folder.root.mkdir(parents=True, exist_ok=True)
            path = yamledit.write_new(self.folder.root, Path(_core.CAMPAIGN_FILE).stem, data)
        else:
            raise HTTPException(404, "没有这种记录。")
        self.folder.forget()
        return RedirectResponse(f"/record/{quote(self.folder.rel(path))}?saved=1&created=1", status_code=303)

    # -- values as typed -------------------------------------------------------------------

    async def value(self, request: Request) -> Response:
        """Check one value as it is typed: ``{"kind": "id"|"date"|"amount"|"money", "value": …}``."""
        if not same(request.headers.get("x-csrf-token"), self.csrf):
            raise HTTPException(403, "缺少或错误的表单令牌（CSRF）：请刷新页面。")
        try:
            body = json.loads(await request.body())
            kind, value = str(body.get("kind", "")), str(body.get("value", ""))[:200]
        except (ValueError, AttributeError):
            raise HTTPException(400, "请求格式不对。") from None
        return JSONResponse(check_value(kind, value))

    # -- rendering -------------------------------------------------------------------------

    async def render_start(self, request: Request) -> Response:
        """Start rendering a unit (``pdf``, ``keep_going`` as form fields)."""
        form = await self.form(request)
        state = await self.state()
        view = self.unit_view(state, request.path_params["unit"])
        self.pdf_wanted = form.get("pdf") == "1"  # the box stays ticked on the page reloaded after the render
        job = self.renderer.start(view.name, pdf=self.pdf_wanted and self.pdf, keep_going=form.get("keep_going") == "1")
        if job.unit != view.name:
            raise HTTPException(409, f"“{job.unit}”正在生成，请等它完成后再生成本单位。")
        return JSONResponse(job.as_json())

    async def render_status(self, request: Request) -> Response:
        """The state of a render."""
        job = self.renderer.jobs.get(request.path_params["job"])
        if job is None:
            raise HTTPException(404, "没有这个生成任务。")
        return JSONResponse(job.as_json())

    async def out_file(self, request: Request) -> Response:
        """A file of the output folder (documents open in Word/WPS; PDFs and PNGs in the browser)."""
        path = self.out_path(request.path_params["rel"])
        inline = path.suffix.lower() in (".pdf", ".png")
        media = {
            ".pdf": "application/pdf",
            ".png": "image/png",
            ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".zip": "application/zip",
            ".json": "application/json",
            ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }.get(path.suffix.lower(), "application/octet-stream")
        return FileResponse(path, media_type=media, filename=path.name, content_disposition_type="inline" if inline else "attachment")

    def out_path(self, rel: str) -> Path:
        """The file *rel* of the output folder (404 outside it or when missing)."""
        try:
            path = inside(self.folder.out, rel)
        except UnsafePath:
            raise HTTPException(404, "找不到这个文件。") from None
        if not path.is_file():
            raise HTTPException(404, "找不到这个文件（可能需要重新生成）。")
        return path

    async def preview(self, request: Request) -> Response:
        """The PNG of a PDF's first page."""
        rel = request.path_params["rel"]
        path = self.out_path(rel)
        if path.suffix.lower() != ".pdf":
            raise HTTPException(404, "只能预览 PDF。")
        try:
            png = preview(self.folder.out, path)
        except _core.FormkitError as exc:
            raise HTTPException(404, str(exc)) from None
        return FileResponse(png, media_type="image/png")

    async def error(self, request: Request, exc: Exception) -> Response:
        """An error page in Chinese."""
        status = getattr(exc, "status_code", 500)
        detail = getattr(exc, "detail", "") or "出错了。"
        if detail == status_phrase(status):  # Starlette's own English words (no such page, method)
            detail = STATUS_ZH.get(status, "出错了。")
        if request.url.path.startswith(("/api/", "/render/")):
            return JSONResponse({"error": detail}, status_code=status)
        return self.page("error.html", status=status, message=detail, title="出错了")

    async def failure(self, request: Request, exc: Exception) -> Response:
        """A formkit refusal (file cannot be written, …) as a page."""
        message = str(exc) if isinstance(exc, _core.FormkitError) else "出错了（详情见 formkit serve 的窗口）。"
        if isinstance(exc, OSError):
            message = f"无法读写文件：{_core.os_reason(exc)}。"
        if not isinstance(exc, _core.FormkitError):
            from formkit.serve.security import LOG

            LOG.error("出错：%s", type(exc).__name__)  # its text may hold a record's values
        return self.page("error.html", status=500, message=message, title="出错了")


STATUS_ZH = {
    400: "请求有误。",
    403: "没有权限。",
    404: "找不到这个页面（地址可能打错了）。",
    405: "不能这样访问这个地址。",
    413: "提交的内容太大。",
    422: "请求有误。",
}


def create_app(records: Path, out: Path, token: str, hosts: list[str], cookie: str) -> Guard:
    """The ASGI application of ``formkit serve``.

    Args:
        records: the records folder (created pages write into it).
        out: the output folder of renders.
        token: the token of the printed address.
        hosts: the Host header values accepted (``127.0.0.1:8765``, ``localhost:8765``, …).
        cookie: the name of the token's cookie (per port: browsers share cookies between ports).
    """
    pages = Pages(records, out, token)
    routes = [
        Route("/", pages.index),
        Route("/unit/{unit}", pages.unit),
        Route("/record/{rel:path}", pages.record, methods=["GET"]),
        Route("/record/{rel:path}", pages.save, methods=["POST"]),
        Route("/reapply/{rel:path}", pages.reapply, methods=["POST"]),
        Route("/raw/{rel:path}", pages.raw, methods=["GET"]),
        Route("/raw/{rel:path}", pages.raw_save, methods=["POST"]),
        Route("/new/{kind}/{unit}", pages.new, methods=["GET"]),
        Route("/new/{kind}/{unit}", pages.create, methods=["POST"]),
        Route("/new/{kind}", pages.new, methods=["GET"]),
        Route("/new/{kind}", pages.create, methods=["POST"]),
        Route("/api/value", pages.value, methods=["POST"]),
        Route("/render/{unit}", pages.render_start, methods=["POST"]),
        Route("/render-status/{job}", pages.render_status),
        Route("/out/{rel:path}", pages.out_file),
        Route("/preview/{rel:path}", pages.preview),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: pages.error, Exception: pages.failure})
    app.state.pages = pages
    return Guard(app, token, hosts, cookie)
