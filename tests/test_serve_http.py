"""formkit serve at the HTTP level: the safety list of issue 17, saving, conflicts, rendering.

A real server (uvicorn on a free port of 127.0.0.1) and raw HTTP requests: no token, a wrong
Host, no CSRF token, encoded ``../`` in paths and queries, a save over a file changed on disk.
"""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import pytest

from conftest import require_tools
from servekit import UNIT, Client, copy_records, fictional_id, start, wrong_check_digit

WORKER = f"{UNIT}/职工/001-王秀英.yaml"
SECRET = "机密内容-不应被读到"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """A server over a copy of the sample records, a file beside the records that must never
    be served, and the server's log."""
    base = tmp_path_factory.mktemp("serve")
    records = copy_records(base)
    (base / "secret.yaml").write_text(f"姓名: {SECRET}\n", encoding="utf-8")
    (base / "secret.txt").write_text(SECRET, encoding="utf-8")
    out = base / "output"
    log = io.StringIO()
    server = start(records, out, log)
    try:
        yield server, Client(server), records, out, base, log
    finally:
        server.stop()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------- who may ask


def test_bound_to_loopback_only(site) -> None:
    server, *_ = site
    addresses = {sock.getsockname()[0] for sock in server._sockets}
    assert addresses <= {"127.0.0.1", "::1"} and "127.0.0.1" in addresses
    assert server.url.startswith(f"http://127.0.0.1:{server.port}/?token=")


def test_no_token_no_page(site) -> None:
    server, client, *_ = site
    for path in ("/", f"/record/{WORKER}", "/static/app.js", "/out/x.docx", "/unit/" + UNIT):
        reply = client.get(path, cookie=False)
        assert reply.status == 403, path
        assert "王秀英" not in reply.text
        assert "启动时打印的" in reply.text
    wrong = client.get("/", cookie=False, headers={"Cookie": f"formkit_token_{server.port}=not-the-token"})
    assert wrong.status == 403
    assert client.get("/?token=not-the-token", cookie=False).status == 403


def test_token_in_the_address_becomes_a_cookie(site) -> None:
    server, client, *_ = site
    reply = client.get(f"/?token={server.token}", cookie=False)
    assert reply.status == 303
    assert reply.headers["location"] == "/"  # the token leaves the address bar
    cookie = reply.headers["set-cookie"]
    assert cookie.startswith(f"formkit_token_{server.port}={server.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = client.get("/")
    assert page.status == 200 and "思明区总工会" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_wrong_host_refused(site) -> None:
    server, client, *_ = site
    for host in ("evil.example", f"evil.example:{server.port}", f"127.0.0.1:{server.port + 1}", "localhost", ""):
        reply = client.get("/", host=host)
        assert reply.status == 400, host
        assert "思明区总工会" not in reply.text
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}", f"[::1]:{server.port}"):
        assert client.get("/", host=host).status == 200, host


def test_writes_need_the_csrf_token(site) -> None:
    _server, client, records, *_ = site
    before = (records / WORKER).read_bytes()
    form = client.form_values(f"/record/{WORKER}")
    form["姓名"] = "王秀"
    del form["_csrf"]
    assert client.post(f"/record/{WORKER}", form, csrf=False).status == 403
    form["_csrf"] = "0" * 40
    assert client.post(f"/record/{WORKER}", form, csrf=False).status == 403
    assert (records / WORKER).read_bytes() == before
    assert client.post(f"/new/worker/{UNIT}", {"档案编号": "X1", "姓名": "某"}, csrf=False).status == 403
    assert client.post(f"/render/{UNIT}", {}, csrf=False).status == 403
    body = json.dumps({"kind": "id", "value": "1"}).encode()
    assert client.request("POST", "/api/value", body, headers={"Content-Type": "application/json"}).status == 403
    # a request from another site's page (its Origin) is refused even with the token
    good = client.form_values(f"/record/{WORKER}")
    good["姓名"] = "王秀"
    reply = client.post(f"/record/{WORKER}", good, headers={"Origin": "http://evil.example"})
    assert reply.status == 403
    assert (records / WORKER).read_bytes() == before
    # and nothing was created
    assert not any("X1" in p.name for p in (records / UNIT / "职工").iterdir())


TRAVERSALS = [
    "/record/..%2fsecret.yaml",
    "/record/..%2F..%2Fsecret.yaml",
    "/record/%2e%2e/secret.yaml",
    "/record/%2e%2e%2fsecret.yaml",
    "/record/%252e%252e%252fsecret.yaml",
    "/record/..%5csecret.yaml",
    "/record/%2Fetc%2Fpasswd",
    "/record//etc/passwd",
    f"/record/{UNIT}/职工/..%2f..%2f..%2fsecret.yaml",
    f"/record/{UNIT}/%2e%2e/%2e%2e/secret.yaml",
    "/record/C:%5cWindows%5cwin.ini",
    "/raw/..%2fsecret.yaml",
    f"/raw/{UNIT}/职工/..%2f..%2f..%2fsecret.yaml",
    "/out/..%2fsecret.txt",
    "/out/..%2f..%2fsecret.txt",
    "/out/%2e%2e/secret.txt",
    "/out/%2e%2e%2fsecret.txt",
    "/out/....//secret.txt",
    "/preview/..%2fsecret.txt",
    "/static/..%2f..%2f..%2f..%2fsecret.txt",
    "/static/%2e%2e/app.py",
    "/unit/..",
    "/unit/..%2f..",
    "/new/worker/..%2f..",
    "/new/worker/%2e%2e",
    f"/record/{UNIT}/职工/CON.yaml",
    "/out/NUL",
    "/record/campaign.yaml%00.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_outside_the_folders(site, path: str) -> None:
    _server, client, *_ = site
    reply = client.request("GET", path, headers={"Cookie": client.cookie})
    assert reply.status in (400, 403, 404), (path, reply.status)
    assert SECRET not in reply.text
    assert "import" not in reply.text  # no source file either


def test_no_traversal_through_the_query(site) -> None:
    _server, client, *_ = site
    for path in (
        "/record/campaign.yaml?rel=..%2fsecret.yaml",
        "/?path=../secret.txt",
        f"/unit/{UNIT}?unit=..%2f..",
        "/out/x.docx?rel=../secret.txt",
        "/render-status/x?job=..%2f..%2fsecret.txt",
        "/preview/a.pdf?rel=..%2fsecret.txt",
    ):
        reply = client.request("GET", path, headers={"Cookie": client.cookie})
        assert SECRET not in reply.text, path


def test_no_traversal_in_a_write(site) -> None:
    _server, client, _records, _out, base, _ = site
    before = (base / "secret.yaml").read_bytes()
    token = client.csrf()
    for path in ("/record/..%2fsecret.yaml", "/raw/..%2fsecret.yaml", f"/record/{UNIT}/%E8%81%8C%E5%B7%A5/..%2f..%2f..%2fsecret.yaml"):
        reply = client.request(
            "POST",
            path,
            f"_csrf={token}&_digest=x&text=%E5%A7%93%E5%90%8D".encode(),
            headers={"Cookie": client.cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert reply.status in (400, 403, 404), path
    assert (base / "secret.yaml").read_bytes() == before


def test_a_link_out_of_the_records_folder_is_not_followed(site) -> None:
    _server, client, records, _out, base, _ = site
    link = records / UNIT / "职工" / "zz-link.yaml"
    try:
        link.symlink_to(base / "secret.yaml")
    except OSError:
        pytest.skip("no symbolic links here")
    try:
        for path in (f"/record/{UNIT}/职工/zz-link.yaml", f"/raw/{UNIT}/职工/zz-link.yaml"):
            reply = client.get(path)
            assert reply.status == 404 and SECRET not in reply.text, path
    finally:
        link.unlink()


def test_only_record_files_are_opened(site) -> None:
    _server, client, records, *_ = site
    (records / UNIT / "notes.txt").write_text(SECRET, encoding="utf-8")
    try:
        for path in (f"/record/{UNIT}/notes.txt", f"/raw/{UNIT}/notes.txt", f"/record/{UNIT}", "/record/"):
            reply = client.get(path)
            assert reply.status == 404 and SECRET not in reply.text, path
    finally:
        (records / UNIT / "notes.txt").unlink()


# ---------------------------------------------------------------- saving


def test_save_changes_only_the_edited_line(site) -> None:
    _server, client, records, *_ = site
    path = records / WORKER
    before = path.read_text(encoding="utf-8")
    form = client.form_values(f"/record/{WORKER}")
    assert form["姓名"] == "王秀英" and form["慰问.资助金额"] == "1000.00" and form["家庭成员[2].姓名"] == "张伟"
    form["邮政编码"] = "361009"
    reply = client.post(f"/record/{WORKER}", form)
    assert reply.status == 303 and reply.headers["location"].endswith("saved=1")
    after = path.read_text(encoding="utf-8")
    assert after == before.replace('邮政编码: "361008"', '邮政编码: "361009"')
    page = client.get(reply.headers["location"])
    assert "已保存（改动了 1 项）" in page.text and "没有错误" in page.text


def test_a_save_over_a_file_changed_on_disk_is_refused(site) -> None:
    _server, client, records, *_ = site
    rel = f"{UNIT}/职工/002-林志强.yaml"
    path = records / rel
    form = client.form_values(f"/record/{rel}")
    # meanwhile someone edits the file in a text editor
    edited = path.read_text(encoding="utf-8").replace("档案编号:", "# 有人在编辑器里加了一行\n档案编号:", 1)
    assert '联系电话: "13800000152"' in edited
    path.write_text(edited, encoding="utf-8")
    form["联系电话"] = "0592-5550001"
    reply = client.post(f"/record/{rel}", form)
    assert reply.status == 409
    assert "没有保存" in reply.text
    assert "# 有人在编辑器里加了一行" in reply.text  # the version on disk
    assert "0592-5550001" in reply.text  # and the form's
    diff = reply.text[reply.text.index('id="diff"') :]
    assert '<span class="diff-disk"># 有人在编辑器里加了一行</span>' in diff
    assert '<span class="diff-mine">联系电话: &#34;0592-5550001&#34;</span>' in diff
    assert path.read_text(encoding="utf-8") == edited
    # asked to, the form's change is written onto the new version, keeping the other edit
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', reply.text[reply.text.index('id="reapply-form"') :]))
    assert hidden.get("mine:联系电话") == "0592-5550001"
    again = client.post(f"/reapply/{rel}", {k: v for k, v in hidden.items() if k != "_csrf"})
    assert again.status == 303
    final = path.read_text(encoding="utf-8")
    assert final == edited.replace('联系电话: "13800000152"', '联系电话: "0592-5550001"')


def test_errors_appear_beside_their_fields_after_a_save(site) -> None:
    _server, client, _records, *_ = site
    rel = f"{UNIT}/职工/007-许文华.yaml"
    form = client.form_values(f"/record/{rel}")
    number = form["身份证号"]
    form["身份证号"] = wrong_check_digit(number)
    for key in [k for k in form if k.startswith("致困主要原因[")]:
        form[key] = ""
    reply = client.post(f"/record/{rel}", form)
    page = client.get(reply.headers["location"]).text
    row = page[page.index('id="f-身份证号-row"') :]
    row = row[: row.index('<div class="field')] if '<div class="field' in row else row
    assert "校验码不符" in row
    causes = page[page.index('id="f-致困主要原因-row"') :]
    assert "致困主要原因最少填1项" in causes[: causes.index("</div>\n</div>") + 20] or "致困主要原因最少填1项" in causes[:3000]
    # the unit page shows the record's errors too
    unit = client.get(f"/unit/{UNIT}").text
    assert "许文华" in unit and "校验码不符" in unit
    # fixed again
    form = client.form_values(f"/record/{rel}")
    form["身份证号"] = number
    form["致困主要原因[1]"] = "意外灾害"
    client.post(f"/record/{rel}", form)
    assert "校验码不符" not in client.get(f"/record/{rel}").text


def test_cross_record_problems_are_shown(site) -> None:
    _server, client, _records, *_ = site
    other = client.form_values(f"/record/{UNIT}/职工/004-黄建国.yaml")["身份证号"]
    rel = f"{UNIT}/职工/005-郑丽娟.yaml"
    form = client.form_values(f"/record/{rel}")
    mine = dict(form)
    form.update({"身份证号": other, "性别": "", "出生日期": ""})  # derived from the number
    client.post(f"/record/{rel}", form)
    page = client.get(f"/record/{rel}").text
    assert "同一身份证号登记了2次" in page and "004-黄建国.yaml" in page
    mine["_digest"] = client.digest(rel)
    client.post(f"/record/{rel}", mine)
    assert "同一身份证号" not in client.get(f"/record/{rel}").text


def test_new_records_never_replace_and_nothing_is_deleted(site) -> None:
    _server, client, records, *_ = site
    before = set(snapshot(records))
    for _ in range(2):
        reply = client.post(f"/new/worker/{UNIT}", {"档案编号": "SM2011-001", "姓名": "王秀英"})
        assert reply.status == 303
    made = sorted(set(snapshot(records)) - before)
    assert made == [f"{UNIT}/职工/SM2011-001-王秀英-2.yaml", f"{UNIT}/职工/SM2011-001-王秀英.yaml"]
    # a new worker with an ID number typed in as the name gets no ID in its file name
    number = fictional_id("35020319700101234")
    client.post(f"/new/worker/{UNIT}", {"档案编号": "", "姓名": number})
    assert any(p.endswith("/新职工.yaml") for p in snapshot(records))
    # removing family rows and saving raw text delete no file
    form = client.form_values(f"/record/{WORKER}")
    for key in [k for k in form if k.startswith("家庭成员[")]:
        del form[key]
    client.post(f"/record/{WORKER}", form)
    assert "张德明" not in (records / WORKER).read_text(encoding="utf-8")
    assert before <= set(snapshot(records))


def test_new_week_and_unit(site) -> None:
    _server, client, records, *_ = site
    reply = client.post(
        f"/new/week/{UNIT}",
        {
            "时间": "2012年1月27日",
            "企业类型.国有企业.拖欠数额": "1.5",
            "企业类型.国有企业.涉及企业数": "1",
            "企业类型.国有企业.涉及人数": "12",
            "用工来源.城镇职工.拖欠数额": "1.5",
            "用工来源.城镇职工.涉及人数": "12",
        },
    )
    assert reply.status == 303
    week = records / UNIT / "周报" / "2012-01-27.yaml"
    text = week.read_text(encoding="utf-8")
    assert "时间: 2012年1月27日" in text and "# 企业工资拖欠情况周报表（附件4），每周五一份" in text
    page = client.get(reply.headers["location"]).text
    assert "周报：2012年1月27日" in page
    reply = client.post("/new/unit", {"填报单位": "湖里区总工会", "单位类型": "区工会", "填表人": "吴某"})
    assert reply.status == 303
    assert (records / "湖里区总工会" / "单位.yaml").is_file() and (records / "湖里区总工会" / "职工").is_dir()
    assert client.post("/new/unit", {"填报单位": "湖里区总工会", "单位类型": "区工会"}).status == 409
    assert "湖里区总工会" in client.get("/").text


def test_values_checked_as_typed_over_http(site) -> None:
    _server, client, *_ = site
    headers = {"Content-Type": "application/json", "X-CSRF-Token": client.csrf()}
    number = fictional_id()
    good = client.request("POST", "/api/value", json.dumps({"kind": "id", "value": number}).encode(), headers=headers).json()
    assert good["ok"] and good["sex"] == "男"
    bad = client.request(
        "POST", "/api/value", json.dumps({"kind": "id", "value": wrong_check_digit(number)}).encode(), headers=headers
    ).json()
    assert not bad["ok"] and "校验码不符" in bad["message"]


def test_no_id_or_phone_number_in_the_log(site) -> None:
    server, client, _records, _out, _base, log = site
    number = fictional_id("35020319660606123")
    phone = "13812345678"
    reply = client.post(f"/new/worker/{UNIT}", {"档案编号": "L1", "姓名": "日志", "身份证号": number, "联系电话": phone})
    client.get(reply.headers["location"])
    client.request(
        "POST",
        "/api/value",
        json.dumps({"kind": "id", "value": number}).encode(),
        headers={"Content-Type": "application/json", "X-CSRF-Token": client.csrf(), "Cookie": client.cookie},
    )
    client.get(f"/record/{UNIT}/职工/{number}.yaml")  # a number in a path
    client.get(f"/?token={server.token}", cookie=False)
    text = log.getvalue()
    assert "POST /new/worker/" in text  # the log is written
    assert number not in text and phone not in text
    assert server.token not in text
    assert "350203********" in text  # the path with a number, masked


# ---------------------------------------------------------------- rendering


def wait(client: Client, job: dict) -> dict:
    deadline = time.monotonic() + 240
    while job["state"] == "running":
        assert time.monotonic() < deadline, job
        time.sleep(0.3)
        job = client.get(f"/render-status/{job['id']}").json()
    return job


def test_render_refused_while_the_unit_has_errors(site) -> None:
    _server, client, _records, out, *_ = site
    rel = f"{UNIT}/职工/006-吴天明.yaml"
    form = client.form_values(f"/record/{rel}")
    good = form["身份证号"]
    form["身份证号"] = wrong_check_digit(good)
    client.post(f"/record/{rel}", form)
    job = wait(client, client.post(f"/render/{UNIT}", {}).json())
    assert job["state"] == "failed" and "错误" in job["message"]
    assert any("校验码不符" in p["message"] for p in job["problems"])
    assert not (out / UNIT).exists()
    form = client.form_values(f"/record/{rel}")
    form["身份证号"] = good
    client.post(f"/record/{rel}", form)


def test_render_with_pdf_and_previews(tmp_path: Path) -> None:
    """A small unit rendered from the page with --pdf: documents, links, PNG previews."""
    require_tools("soffice", "pdftoppm")
    records = tmp_path / "records"
    unit = records / "测试区总工会"
    (unit / "职工").mkdir(parents=True)
    (unit / "周报").mkdir()
    source = copy_records(tmp_path / "src")
    (records / "campaign.yaml").write_bytes((source / "campaign.yaml").read_bytes())
    (unit / "单位.yaml").write_text("填报单位: 测试区总工会\n单位类型: 区工会\n", encoding="utf-8")
    (unit / "职工" / "a.yaml").write_bytes((source / WORKER).read_bytes())
    (unit / "周报" / "2011-12-02.yaml").write_bytes((source / UNIT / "周报" / "2011-12-02.yaml").read_bytes())
    server = start(records, tmp_path / "out")
    try:
        client = Client(server)
        job = wait(client, client.post("/render/测试区总工会", {"pdf": "1"}).json())
        assert job["state"] == "done", job
        assert "测试区总工会/打印件/附件1_慰问金发放凭证.pdf" in job["files"]
        page = client.get("/unit/测试区总工会").text
        links = re.findall(r'href="(/out/[^"]+)"', page)
        docx = next(link for link in links if link.endswith(".docx") and "%E9%99%84%E4%BB%B63" in link)
        reply = client.request("GET", docx, headers={"Cookie": client.cookie})
        assert reply.status == 200 and reply.body[:2] == b"PK"
        assert "attachment" in reply.headers["content-disposition"]
        previews = re.findall(r'src="(/preview/[^"]+)"', page)
        assert len(previews) >= 3
        png = client.request("GET", previews[0], headers={"Cookie": client.cookie})
        assert png.status == 200 and png.body[:8] == b"\x89PNG\r\n\x1a\n"
        assert "已生成" in client.get("/unit/测试区总工会").text
    finally:
        server.stop()


def test_a_file_the_form_cannot_read_opens_as_text(site) -> None:
    _server, client, records, *_ = site
    rel = f"{UNIT}/职工/zz-坏文件.yaml"
    path = records / rel
    path.write_text("档案编号: SM2011-099\n姓名: 坏文件\n\t民族: 汉族\n", encoding="utf-8")
    try:
        page = client.get(f"/record/{rel}")
        assert page.status == 200
        assert "第3行" in page.text and 'name="text"' in page.text  # the text, with formkit's message
        assert "Tab" in page.text
        sha = re.search(r'name="_digest" value="([^"]*)"', page.text).group(1)
        reply = client.post(f"/raw/{rel}", {"_digest": sha, "text": "档案编号: SM2011-099\r\n姓名: 坏文件\r\n民族: 汉族\r\n"})
        assert reply.status == 303
        assert path.read_bytes() == "档案编号: SM2011-099\n姓名: 坏文件\n民族: 汉族\n".encode()
        form = client.get(f"/record/{rel}").text
        assert 'name="民族"' in form and "缺少必填项" in form  # now a form, with what is missing
        # a stale text save is refused like a form's
        stale = client.post(f"/raw/{rel}", {"_digest": sha, "text": "姓名: 覆盖\n"})
        assert stale.status == 409 and "覆盖" in stale.text
        assert "坏文件" in path.read_text(encoding="utf-8")
    finally:
        path.unlink()


def test_a_new_records_folder_starts_with_the_campaign(tmp_path: Path) -> None:
    server = start(tmp_path / "新记录", tmp_path / "output")
    try:
        client = Client(server)
        home = client.get("/").text
        assert "先新建活动" in home and 'href="/new/campaign"' in home
        form = client.get("/new/campaign").text
        assert 'name="周报起止[1]"' in form and 'name="主送"' in form and 'name="周报日"' in form
        reply = client.post(
            "/new/campaign",
            {
                "活动名称": "2012年元旦春节送温暖活动",
                "文号": "厦工[2011]104号",
                "发文机关": "厦门市总工会",
                "资金使用截止": "2011-12-31",
                "上报截止": "2012-01-06",
                "周报起止[1]": "2011-12-01",
                "周报起止[2]": "2012.1.22",
                "周报日": "星期五",
                "主送": "思明区总工会\r\n湖里区总工会\r\n",
            },
        )
        assert reply.status == 303
        text = (tmp_path / "新记录" / "campaign.yaml").read_text(encoding="utf-8")
        assert "周报起止: [2011-12-01, 2012.1.22]\n" in text
        assert "主送:\n  - 思明区总工会\n  - 湖里区总工会\n" in text
        from formkit.serve import _core

        _core.Campaign.model_validate(_core.load_yaml_text(text).data)
        again = client.get("/new/campaign")  # it now opens the campaign's own form
        assert again.status == 303 and again.headers["location"] == "/record/campaign.yaml"
        assert client.post("/new/campaign", {"活动名称": "又一个"}).status == 409
        missing = client.get("/no/such/page")
        assert missing.status == 404 and "找不到这个页面" in missing.text
    finally:
        server.stop()


def test_output_inside_the_records_is_refused(tmp_path: Path) -> None:
    from formkit.serve import _core

    records = copy_records(tmp_path)
    with pytest.raises(_core.OutputError, match="不能是记录文件夹"):
        start(records, records / "output")


def test_a_mistyped_records_path_is_refused_a_new_folder_announced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`formkit serve` makes a missing records folder only where its parent exists."""
    from click.testing import CliRunner

    from formkit import serve as serving
    from formkit.cli import main

    result = CliRunner().invoke(
        main, ["serve", str(tmp_path / "没有" / "记录"), "-o", str(tmp_path / "out"), "--no-browser", "--port", "0"]
    )
    assert result.exit_code == 2
    assert "记录文件夹不存在" in result.stderr and "请检查路径" in result.stderr
    assert not (tmp_path / "没有").exists()

    lines: list[str] = []

    def no_wait(self: serving.Server) -> None:
        lines.append("waited")
        self.stop()

    monkeypatch.setattr(serving.Server, "wait", no_wait)
    serving.serve(tmp_path / "新的", tmp_path / "out", port=0, open_browser=False, echo=lines.append)
    assert (tmp_path / "新的").is_dir()
    assert any("不存在：已新建一个空的记录文件夹" in line for line in lines) and lines[-1] == "waited"


def test_the_log_has_no_english_start_up_lines(tmp_path: Path) -> None:
    import logging

    log = io.StringIO()
    server = start(copy_records(tmp_path), tmp_path / "output", log)  # the log handler is the latest server's
    try:
        Client(server).get("/")
        logging.getLogger("uvicorn.error").info("Started server process [1]")
        logging.getLogger("uvicorn.error").warning("something odd")
    finally:
        server.stop()
    deadline = time.monotonic() + 5
    while "GET /" not in log.getvalue() and time.monotonic() < deadline:  # written once the reply is sent
        time.sleep(0.05)
    text = log.getvalue()
    assert "Started server process" not in text and "INFO" not in text
    assert "警告：something odd" in text  # uvicorn's warnings still reach the log, marked in Chinese
    assert "GET /" in text


# ---------------------------------------------------------------- a fresh user's first records

CAMPAIGN = {
    "活动名称": "2012年元旦春节送温暖活动",
    "文号": "厦工[2011]104号",
    "发文机关": "厦门市总工会",
    "资金使用截止": "2011-12-31",
    "上报截止": "2012-01-06",
    "周报起止[1]": "2011-12-01",
    "周报起止[2]": "2012-01-22",
    "周报日": "星期五",
    "主送": "测试区总工会",
}
NEW_UNIT = "测试区总工会"


@pytest.fixture
def fresh(tmp_path: Path):
    """A server over an empty records folder where the campaign was just entered."""
    server = start(tmp_path / "记录", tmp_path / "output")
    try:
        client = Client(server)
        assert client.post("/new/campaign", CAMPAIGN).status == 303
        yield client, tmp_path / "记录", tmp_path / "output"
    finally:
        server.stop()


def field_row(page: str, name: str) -> str:
    """The HTML of one field of a form (its label, control and the lines under it)."""
    start_at = page.index(f'id="f-{name}-row"')
    end = page.find('<div class="field', start_at)
    return page[start_at : end if end > 0 else len(page)]


def add_unit(client: Client) -> None:
    assert client.post("/new/unit", {"填报单位": NEW_UNIT, "单位类型": "区工会", "填表人": "吴某"}).status == 303


def test_a_new_workers_number_and_a_new_weeks_day_are_filled_in(fresh) -> None:
    client, records, _out = fresh
    add_unit(client)
    first = client.form_values(f"/new/worker/{NEW_UNIT}")
    assert first["档案编号"] == "001"  # a value, not a grey hint that looks like one
    assert "第一位职工" in field_row(client.get(f"/new/worker/{NEW_UNIT}").text, "档案编号")
    client.post(f"/new/worker/{NEW_UNIT}", {"档案编号": "SM-009", "姓名": "王某"})
    client.post(f"/new/worker/{NEW_UNIT}", {"档案编号": "SM-010", "姓名": "林某"})
    page = client.get(f"/new/worker/{NEW_UNIT}").text
    assert client.form_values(f"/new/worker/{NEW_UNIT}")["档案编号"] == "SM-011"  # the unit's own style
    row = field_row(page, "档案编号")
    assert "已用到 SM-010" in row and 'placeholder="如 ' not in row
    # the week: the first report day still missing, as a value
    week = client.form_values(f"/new/week/{NEW_UNIT}")
    assert week["时间"] == "2011-12-02"
    client.post(f"/new/week/{NEW_UNIT}", {"时间": "2011-12-02"})
    page = client.get(f"/new/week/{NEW_UNIT}").text
    assert client.form_values(f"/new/week/{NEW_UNIT}")["时间"] == "2011-12-09"
    assert "2011年12月9日" in field_row(page, "时间") and "还缺" in field_row(page, "时间")
    # submitted untouched, the suggestion is what is saved
    form = client.form_values(f"/new/worker/{NEW_UNIT}")
    form["姓名"] = "陈某"
    client.post(f"/new/worker/{NEW_UNIT}", form)
    assert (records / NEW_UNIT / "职工" / "SM-011-陈某.yaml").is_file()


def test_messages_on_the_page_have_no_yaml_line_numbers(fresh) -> None:
    client, _records, _out = fresh
    add_unit(client)
    reply = client.post(f"/new/worker/{NEW_UNIT}", {"档案编号": "001", "姓名": "王某"})
    rel = reply.headers["location"].split("?")[0][len("/record/") :]
    form = client.get(reply.headers["location"]).text
    assert "不能为空" in field_row(form, "身份证号")
    unit = client.get(f"/unit/{NEW_UNIT}").text
    for page in (form, unit):
        assert not re.search(r"（第\d+行）", page)
    # the file's text names the lines: there they help
    assert re.search(r"（第\d+行）", client.get(f"/raw/{rel}").text)


def test_the_jump_links_use_the_forms_labels(site) -> None:
    _server, client, *_ = site
    rel = f"{UNIT}/职工/008-李国栋.yaml"
    form = client.form_values(f"/record/{rel}")
    before = dict(form)
    form["家庭成员[1].性别"] = "不男不女"
    form["慰问.发放日期"] = "不是日期"
    client.post(f"/record/{rel}", form)
    page = client.get(f"/record/{rel}").text
    jump = page[page.index('class="jump"') :]
    jump = jump[: jump.index("</nav>")]
    assert ">家庭成员 第1行 · 性别</a>" in jump and ">慰问 · 发放日期</a>" in jump
    assert "[1]" not in re.sub(r'href="[^"]*"', "", jump) and "慰问.发放日期" not in re.sub(r'href="[^"]*"', "", jump)
    assert 'href="#f-家庭成员[1].性别-row"' in jump  # the anchors still find the fields
    unit = client.get(f"/unit/{UNIT}").text
    assert "家庭成员 第1行 · 性别" in unit and "家庭成员[1].性别" not in unit
    before["_digest"] = client.digest(rel)
    client.post(f"/record/{rel}", before)


def test_a_campaign_without_a_unit_is_a_next_step_not_an_error(fresh) -> None:
    client, _records, _out = fresh
    home = client.get("/").text
    assert "<b>错误</b>" not in home and "没有任何单位文件夹" not in home and "campaign.yaml，以及" not in home
    assert 'id="no-unit"' in home and "新建单位" in home[home.index('id="no-unit"') :]
    add_unit(client)
    assert 'id="no-unit"' not in client.get("/").text


def test_a_unit_without_problems_says_so(fresh) -> None:
    client, _records, _out = fresh
    add_unit(client)
    page = client.get(f"/unit/{NEW_UNIT}").text
    box = page[page.index('id="unit-problems"') :]
    assert 'id="no-problems"' in box and "没有发现问题" in box
    # weeks still missing are listed with the weeks, and the box still says there is no other problem
    client.post(f"/new/week/{NEW_UNIT}", {"时间": "2011-12-02"})
    page = client.get(f"/unit/{NEW_UNIT}").text
    box = page[page.index('id="unit-problems"') :]
    assert "没有发现问题" in box and "还缺的周报" in box
    # a record with an error: listed, no such sentence
    client.post(f"/new/worker/{NEW_UNIT}", {"档案编号": "001", "姓名": "王某"})
    box = client.get(f"/unit/{NEW_UNIT}").text
    box = box[box.index('id="unit-problems"') :]
    assert "没有发现问题" not in box and "不能为空" in box


def small_unit(tmp_path: Path) -> Path:
    """A records folder with one 区工会 of one worker and one weekly report."""
    records = tmp_path / "records"
    unit = records / NEW_UNIT
    (unit / "职工").mkdir(parents=True)
    (unit / "周报").mkdir()
    source = copy_records(tmp_path / "src")
    (records / "campaign.yaml").write_bytes((source / "campaign.yaml").read_bytes())
    (unit / "单位.yaml").write_text(f"填报单位: {NEW_UNIT}\n单位类型: 区工会\n", encoding="utf-8")
    (unit / "职工" / "a.yaml").write_bytes((source / WORKER).read_bytes())
    (unit / "周报" / "2011-12-02.yaml").write_bytes((source / UNIT / "周报" / "2011-12-02.yaml").read_bytes())
    return records


def pages_of(server) -> object:
    return server._server.config.app.app.state.pages


def test_the_packets_draft_summary_is_named_with_where_the_finished_one_goes(tmp_path: Path) -> None:
    records = small_unit(tmp_path)
    server = start(records, tmp_path / "out")
    try:
        client = Client(server)
        job = wait(client, client.post(f"/render/{NEW_UNIT}", {}).json())
        assert job["state"] == "done", job
        assert "草稿" in job["message"]
        page = client.get(f"/unit/{NEW_UNIT}").text
        note = page[page.index('id="draft-summary"') :]
        note = note[: note.index("</div>")]
        finished = records / NEW_UNIT / "活动小结.docx"
        assert "草稿" in note and "（请填写）" in note and str(finished) in note
        draft = re.search(r'href="(/out/[^"]+)"', note).group(1)
        assert draft.endswith("%E6%B4%BB%E5%8A%A8%E5%B0%8F%E7%BB%93.docx")  # 活动小结.docx in the packet
        assert "草稿，写完后另存到记录文件夹" in page and "其中的活动小结是草稿" in page
        # the finished 小结 saved where the page says: render again to put it in the packet
        time.sleep(0.02)
        finished.write_bytes(client.request("GET", draft, headers={"Cookie": client.cookie}).body)
        assert "再点一次" in client.get(f"/unit/{NEW_UNIT}").text
        job = wait(client, client.post(f"/render/{NEW_UNIT}", {}).json())
        assert job["state"] == "done" and "草稿" not in job["message"], job
        assert 'id="draft-summary"' not in client.get(f"/unit/{NEW_UNIT}").text
    finally:
        server.stop()


def test_the_pdf_box_stays_ticked_after_a_render(tmp_path: Path) -> None:
    server = start(small_unit(tmp_path), tmp_path / "out")
    try:
        client = Client(server)
        pages = pages_of(server)
        pages.pdf = True  # as with LibreOffice installed
        box = re.compile(r'<input type="checkbox" name="pdf"[^>]*>')
        assert "checked" not in box.search(client.get(f"/unit/{NEW_UNIT}").text).group()
        pages.pdf = False  # the render itself without LibreOffice: quick
        assert wait(client, client.post(f"/render/{NEW_UNIT}", {"pdf": "1"}).json())["state"] == "done"
        pages.pdf = True
        assert "checked" in box.search(client.get(f"/unit/{NEW_UNIT}").text).group()
        assert wait(client, client.post(f"/render/{NEW_UNIT}", {}).json())["state"] == "done"
        assert "checked" not in box.search(client.get(f"/unit/{NEW_UNIT}").text).group()
    finally:
        server.stop()


# ---------------------------------------------------------------- a tester's findings


def test_a_new_records_file_name_is_visible_and_safe(site) -> None:
    _server, client, records, *_ = site
    workers = records / UNIT / "职工"
    before = {p.name for p in workers.iterdir()}
    for number, name in (("..", ""), ("../../../../tmp/t/evil", "x"), (". .", "某")):
        reply = client.post(f"/new/worker/{UNIT}", {"档案编号": number, "姓名": name})
        assert reply.status == 303, number
        assert client.get(reply.headers["location"]).status == 200, reply.headers["location"]  # not a 404
    made = sorted({p.name for p in workers.iterdir()} - before)
    assert len(made) == 3 and not [name for name in made if name.startswith((".", " "))], made
    assert all((workers / name).resolve().parent == workers.resolve() for name in made)
    unit_page = client.get(f"/unit/{UNIT}").text
    assert "evil-x.yaml" in " ".join(made) and "evil" in unit_page  # formkit check sees it
    # a 档案编号 or 姓名 with a character that shows nothing is refused beside its field
    before = {p.name for p in workers.iterdir()}
    for key, value, code in (("档案编号", "SM\u202e01", "U+202E"), ("姓名", "王\u200b某", "U+200B"), ("档案编号", "A\x01", "U+0001")):
        form = {"档案编号": "SM2011-077", "姓名": "某某", key: value}
        reply = client.post(f"/new/worker/{UNIT}", form)
        assert reply.status == 400, key
        row = field_row(reply.text, key)
        assert code in row and "没有保存" in row and "重新输入" in row
    assert {p.name for p in workers.iterdir()} == before
    from formkit.serve.pagetext import new_stem

    assert new_stem("worker", {"档案编号": "\u202eSM\u200b9", "姓名": "\u2066某"}) == "SM9-某"
    assert new_stem("worker", {"档案编号": "...", "姓名": " "}) == "新职工"


def test_a_path_the_system_refuses_is_a_chinese_404_and_no_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORMKIT_DEBUG", raising=False)
    log = io.StringIO()
    server = start(small_unit(tmp_path), tmp_path / "out", log)
    try:
        client = Client(server)
        long = "a" * 5000
        worker = f"{NEW_UNIT}/职工/a.yaml"
        for path in (
            f"/out/{long}",
            f"/out/{long}/x.pdf",
            f"/preview/{long}.pdf",
            f"/record/{NEW_UNIT}/职工/{long}.yaml",
            f"/raw/{worker[:-6]}{long}.yaml",
        ):
            reply = client.get(path)
            assert reply.status == 404, path[:40]
            assert "找不到" in reply.text and "Errno" not in reply.text
        assert client.get(f"/record/{worker}/x.yaml").status == 404  # a file taken for a folder
        # an unexpected error: a Chinese page, its type in the log, no traceback, no number
        number = fictional_id("35020319551111123")

        def broken() -> None:
            raise RuntimeError(f"记录 {number} 出错")

        monkeypatch.setattr(pages_of(server).folder, "state", broken)
        reply = client.get("/")
        assert reply.status == 500 and "出错了" in reply.text and number not in reply.text
    finally:
        server.stop()
    text = log.getvalue()
    assert "RuntimeError" in text and number not in text and "GET / 500" in text
    assert "Traceback" not in text and "Exception in ASGI" not in text and "Errno" not in text
    assert long not in text  # an address that long is shortened in the log


def test_the_log_shows_a_traceback_only_when_debugging(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    from formkit.serve.security import ScrubFormatter

    try:
        raise OSError(36, "File name too long", "/x/" + fictional_id())
    except OSError as exc:
        record = logging.LogRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application\n", None, (OSError, exc, exc.__traceback__)
        )
    formatter = ScrubFormatter("%(level_zh)s%(message)s")
    monkeypatch.delenv("FORMKIT_DEBUG", raising=False)
    line = formatter.format(record)
    assert line == "错误：处理请求时出错（OSError）"
    monkeypatch.setenv("FORMKIT_DEBUG", "1")
    shown = formatter.format(record)
    assert "Traceback" in shown and fictional_id() not in shown  # scrubbed all the same


def test_a_field_over_the_limit_is_refused_in_chinese(site) -> None:
    _server, client, records, *_ = site
    before = snapshot(records)
    reply = client.post(f"/new/worker/{UNIT}", {"档案编号": "SM2011-088", "姓名": "某", "备注": "长" * 2_000_000})
    assert reply.status == 413
    assert "1 MB" in reply.text and "没有保存" in reply.text and "备注" in reply.text
    assert "exceeded" not in reply.text
    assert snapshot(records) == before


def another_render_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """While a render runs, another ``formkit render`` into the same output folder starts:
    it removes what it takes for the leftovers of an interrupted run (this one's staging)."""
    from formkit.files import remove_leftovers
    from formkit.pipeline.batch import Batch

    original = Batch.collect

    def collect(self, *args, **kw):
        remove_leftovers(self.out)
        return original(self, *args, **kw)

    monkeypatch.setattr(Batch, "collect", collect)


def test_a_render_whose_staging_another_render_removed_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = start(small_unit(tmp_path), tmp_path / "out")
    try:
        client = Client(server)
        another_render_starts(monkeypatch)
        job = wait(client, client.post(f"/render/{NEW_UNIT}", {}).json())
        assert job["state"] == "failed"
        assert job["message"] == "另一个 formkit render 同时在写同一个输出文件夹，这次生成已中止；等它完成后再生成。"
        monkeypatch.undo()
        job = wait(client, client.post(f"/render/{NEW_UNIT}", {}).json())
        assert job["state"] == "done", job
    finally:
        server.stop()


def test_a_broken_yaml_files_header_names_the_line_formkit_check_names(site) -> None:
    _server, client, records, *_ = site
    rel = f"{UNIT}/职工/zz-未闭合.yaml"
    path = records / rel
    path.write_text('姓名: "未闭合\n身份证号: [\n\t民族: 汉族\n', encoding="utf-8")
    try:
        page = client.get(f"/record/{rel}").text
        assert "这份文件第1行的 YAML 写法有误" in page
        assert set(re.findall(r"第(\d+)行", page)) == {"1"}, re.findall(r"第\d+行[^<]{0,30}", page)
    finally:
        path.unlink()
