"""formkit serve in a real browser: headless Chromium (Debian's chromium and chromium-driver,
installed by .ci/run) driven through Selenium.

The issue's "done when": open the printed address, create a worker through the form, see the
errors beside the fields for a wrong check digit and an empty 致困主要原因, fix them, save,
see the file on disk with the values and the skeleton's comments untouched, render the unit,
open a produced document's link.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from conftest import require_tools
from servekit import UNIT, copy_records, fictional_id, start, wrong_check_digit

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def _chromium_present() -> None:
    require_tools("chromium", "chromedriver")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    _chromium_present()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    profile = tempfile.mkdtemp(prefix="formkit-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("FORMKIT_CHROMIUM", CHROMIUM)
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,1600",
        "--lang=zh-CN",
    ):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(os.environ.get("FORMKIT_CHROMEDRIVER", CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, condition, timeout: float = 30, message: str = ""):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d), message)


def field(driver, name: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.NAME, name)


def type_into(driver, name: str, text: str) -> None:
    element = field(driver, name)
    element.clear()
    element.send_keys(text)


def choose(driver, name: str, label: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(field(driver, name)).select_by_value(label)


def problems_beside(driver, name: str) -> list[str]:
    from selenium.webdriver.common.by import By

    row = driver.find_element(By.ID, f"f-{name}-row")
    return [li.text for li in row.find_elements(By.CSS_SELECTOR, "ul.problems li.error")]


def live_text(driver, name: str) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'[data-live-for="f-{name}"]').text


def test_create_a_worker_fix_errors_render_and_open_a_document(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    records = copy_records(tmp_path)
    out = tmp_path / "output"
    server = start(records, out)
    driver = browser
    try:
        # the printed address: the token becomes a cookie and leaves the address bar
        driver.get(server.url)
        assert driver.current_url == f"http://127.0.0.1:{server.port}/"
        assert "思明区总工会" in driver.page_source
        driver.find_element(By.LINK_TEXT, UNIT).click()
        driver.find_element(By.ID, "new-worker").click()
        wait_for(driver, lambda d: "新职工" in d.title)

        # a worker with a wrong check digit and no 致困主要原因
        good = fictional_id("35020319800101123")
        type_into(driver, "档案编号", "SM2011-010")
        choose(driver, "困难类别", "意外致困户")
        type_into(driver, "姓名", "测试者")
        type_into(driver, "身份证号", wrong_check_digit(good))
        wait_for(driver, lambda d: "校验码不符" in live_text(d, "身份证号"), message="the ID number is checked as typed")
        driver.find_element(By.ID, "save").click()
        wait_for(driver, lambda d: "saved=1" in d.current_url)
        path = records / UNIT / "职工" / "SM2011-010-测试者.yaml"
        assert path.is_file()
        assert any("校验码不符" in p for p in problems_beside(driver, "身份证号"))
        assert any("致困主要原因" in p for p in problems_beside(driver, "致困主要原因"))
        assert "2 处错误" in driver.find_element(By.ID, "saved").text or "处错误" in driver.find_element(By.ID, "saved").text

        # fix them: the number fills 性别 and 出生日期; the amount shows as the voucher prints it
        type_into(driver, "身份证号", good)
        wait_for(driver, lambda d: field(d, "性别").get_attribute("value") == "男", message="性别 from the number")
        assert field(driver, "出生日期").get_attribute("value") == "1980-01-01"
        choose(driver, "致困主要原因[1]", "本人大病")
        type_into(driver, "慰问.资助金额", "1409.50")
        voucher = driver.find_element(By.CSS_SELECTOR, '[data-amount-for="f-慰问.资助金额"]')
        wait_for(driver, lambda d: "壹仟肆佰零玖元伍角整" in voucher.text, message="大写金额 shown live")
        assert [e.text for e in voucher.find_elements(By.CSS_SELECTOR, ".digit")] == ["壹", "肆", "零", "玖", "伍", "零"]
        type_into(driver, "慰问.帮扶项目", "生活救助")
        type_into(driver, "慰问.资金来源", "送温暖工程资金")
        type_into(driver, "慰问.发放日期", "2011年12月26日")
        wait_for(driver, lambda d: "2011年12月26日" in live_text(d, "慰问.发放日期"))
        # the family table: the skeleton's blank row, filled; a second row added then removed
        wife = fictional_id("35020319820202124")
        type_into(driver, "家庭成员[1].姓名", "测试家属")
        choose(driver, "家庭成员[1].关系", "妻子")
        type_into(driver, "家庭成员[1].身份证号", wife)
        wait_for(driver, lambda d: field(d, "家庭成员[1].性别").get_attribute("value") == "女", message="the member's own 性别")
        assert field(driver, "性别").get_attribute("value") == "男"
        driver.find_element(By.CSS_SELECTOR, '[data-add-row="家庭成员"]').click()
        type_into(driver, "家庭成员[2].姓名", "多余的一行")
        driver.find_elements(By.CSS_SELECTOR, "fieldset.row [data-remove-row]")[1].click()
        driver.switch_to.alert.accept()
        assert not driver.find_elements(By.NAME, "家庭成员[2].姓名")
        type_into(driver, "家庭人口", "2")
        driver.find_element(By.ID, "save").click()
        wait_for(driver, lambda d: "saved=" in d.current_url and d.find_elements(By.ID, "saved"))
        banner = driver.find_element(By.ID, "saved").text
        assert "没有错误" in banner, banner
        assert not driver.find_elements(By.CSS_SELECTOR, "ul.problems li.error")

        # the file on disk: the values, and the skeleton's comments where they were
        text = path.read_text(encoding="utf-8")
        assert f'身份证号: "{good}"' in text
        assert "致困主要原因:\n  - 本人大病\n" in text
        assert "  资助金额: 1409.50\n" in text and "  发放日期: 2011年12月26日\n" in text
        assert "  - 姓名: 测试家属\n" in text and "多余的一行" not in text
        assert "性别: 男\n" in text and "出生日期: 1980-01-01\n" in text
        assert "# 困难职工档案编号（附件1），本单位内不重复（必填）\n档案编号: SM2011-010\n" in text
        assert "  # 资助金额（元），最多两位小数，小于10000（凭证大写金额格只到仟位）（必填）\n  资助金额: 1409.50\n" in text
        from formkit.serve import _core

        assert not [p for p in _core.check(records).errors], "the record is valid for formkit check"

        # render the unit from its page, then open a produced document
        driver.find_element(By.LINK_TEXT, "返回单位").click()
        wait_for(driver, lambda d: d.find_elements(By.ID, "render-button"))
        row = driver.find_element(By.XPATH, "//table[@id='workers']//tr[td/a[text()='测试者']]")
        assert "没有问题" in row.text and "未生成" in row.text
        driver.find_element(By.ID, "render-button").click()
        wait_for(driver, lambda d: d.find_elements(By.ID, "documents"), timeout=180, message="render finished, page reloaded")
        row = driver.find_element(By.XPATH, "//table[@id='workers']//tr[td/a[text()='测试者']]")
        assert "已生成" in row.text
        link = row.find_element(By.LINK_TEXT, "登记表")
        assert link.get_attribute("title") == "SM2011-010_测试者.docx"
        link.click()
        target = driver.downloads / "SM2011-010_测试者.docx"
        wait_for(driver, lambda d: target.is_file() and target.stat().st_size > 0, timeout=30, message="the document downloads")
        time.sleep(0.2)
        assert target.read_bytes()[:2] == b"PK"
        assert (out / UNIT / "附件3_困难职工档案登记表" / "SM2011-010_测试者.docx").read_bytes() == target.read_bytes()
        assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]]
    finally:
        server.stop()


def test_weekly_report_through_the_form(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    records = copy_records(tmp_path)
    server = start(records, tmp_path / "output")
    driver = browser
    try:
        driver.get(server.url)
        driver.get(f"http://127.0.0.1:{server.port}/new/week/{UNIT}")
        type_into(driver, "时间", "2012.1.27")
        wait_for(driver, lambda d: "2012年1月27日" in live_text(d, "时间"))
        assert driver.find_element(By.CSS_SELECTOR, 'input.picker[data-for="f-时间"]').get_attribute("value") == "2012-01-27"
        type_into(driver, "企业类型.国有企业.拖欠数额", "2.5")
        type_into(driver, "企业类型.国有企业.涉及企业数", "1")
        type_into(driver, "企业类型.国有企业.涉及人数", "30")
        type_into(driver, "用工来源.城镇职工.拖欠数额", "2")  # does not add up: an error
        type_into(driver, "用工来源.城镇职工.涉及人数", "30")
        assert "不填则用单位的" in field(driver, "填表人").get_attribute("placeholder")
        driver.find_element(By.ID, "save").click()
        wait_for(driver, lambda d: "saved=" in d.current_url)
        assert any("两者应相等" in p for p in problems_beside(driver, "用工来源"))
        type_into(driver, "用工来源.城镇职工.拖欠数额", "2.5")
        driver.find_element(By.ID, "save").click()
        wait_for(driver, lambda d: "saved=1" in d.current_url and "没有错误" in d.find_element(By.ID, "saved").text)
        text = (records / UNIT / "周报" / "2012-01-27.yaml").read_text(encoding="utf-8")
        assert "时间: 2012.1.27\n" in text and "    拖欠数额: 2.5\n" in text
    finally:
        server.stop()
