"""Screenshots of ``formkit serve`` for README (docs/serve/*.png).

Runs the page over a temporary copy of the shipped (fictional) sample records and drives
headless Chromium through it: a unit rendered with PDF previews, a new worker with the
errors beside its fields, the amount as the voucher prints it, a weekly report, a refused
save. Needs chromium and chromium-driver (Debian), LibreOffice and poppler for the previews.

    .venv/bin/python tools/serve_screenshots.py [OUT_DIR]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from formkit.fake import check_digit
from formkit.serve import Server

ROOT = Path(__file__).resolve().parents[1]
UNIT = "思明区总工会"


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="formkit-shots-"))
    records = work / "records"
    shutil.copytree(ROOT / "records", records)
    server = Server(records, work / "output", port=0).start()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={work / 'profile'}",
        "--window-size=1280,900",
        "--lang=zh-CN",
        "--hide-scrollbars",
    ):
        options.add_argument(arg)
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    base = f"http://127.0.0.1:{server.port}"

    def wait(condition, timeout: float = 120) -> None:
        WebDriverWait(d, timeout, 0.2).until(lambda x: condition(x))

    def type_into(name: str, text: str) -> None:
        element = d.find_element(By.NAME, name)
        element.clear()
        element.send_keys(text)

    def click(element) -> None:
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()

    def shoot(element, name: str) -> None:
        d.execute_script("arguments[0].scrollIntoView({block: 'start'})", element)
        time.sleep(0.3)
        element.screenshot(str(out / name))
        print(out / name)

    try:
        d.get(server.url)
        # a unit rendered with PDF previews
        d.get(f"{base}/unit/{UNIT}")
        click(d.find_element(By.NAME, "pdf"))
        click(d.find_element(By.ID, "render-button"))
        wait(lambda x: x.find_elements(By.CSS_SELECTOR, ".previews img"))
        wait(
            lambda x: all(
                x.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img)
                for img in x.find_elements(By.CSS_SELECTOR, ".previews img")
            ),
            60,
        )
        d.set_window_size(1280, d.execute_script("return document.body.scrollHeight") + 50)
        shoot(d.find_element(By.TAG_NAME, "main"), "单位.png")
        d.set_window_size(1280, 900)

        # a new worker: a wrong check digit, no 致困主要原因
        d.get(f"{base}/new/worker/{UNIT}")
        number = "35020319800101123"
        number += check_digit(number)
        wrong = number[:17] + ("0" if number[17] != "0" else "1")
        type_into("档案编号", "SM2011-010")
        Select(d.find_element(By.NAME, "困难类别")).select_by_value("意外致困户")
        type_into("姓名", "陈某某")
        type_into("身份证号", wrong)
        time.sleep(0.6)
        click(d.find_element(By.ID, "save"))
        wait(lambda x: "saved=" in x.current_url)
        d.set_window_size(1280, 1400)
        time.sleep(0.5)
        d.execute_script("window.scrollTo(0, 0)")
        d.save_screenshot(str(out / "职工-检查结果.png"))
        print(out / "职工-检查结果.png")

        # the amount as the voucher prints it, the family table
        type_into("身份证号", number)
        Select(d.find_element(By.NAME, "致困主要原因[1]")).select_by_value("本人大病")
        type_into("慰问.资助金额", "1409.50")
        type_into("慰问.帮扶项目", "生活救助")
        type_into("慰问.资金来源", "送温暖工程资金")
        type_into("慰问.发放日期", "2011年12月26日")
        time.sleep(1.0)
        shoot(d.find_elements(By.CSS_SELECTOR, "section.part")[-1], "职工-慰问.png")
        click(d.find_element(By.ID, "save"))
        wait(lambda x: "saved=" in x.current_url)

        # a weekly report
        d.get(f"{base}/record/{UNIT}/周报/2011-12-16.yaml")
        d.set_window_size(1280, d.execute_script("return document.body.scrollHeight") + 50)
        shoot(d.find_element(By.TAG_NAME, "main"), "周报.png")
        d.set_window_size(1280, 900)

        # a save over a file changed on disk
        rel = f"{UNIT}/职工/002-林志强.yaml"
        d.get(f"{base}/record/{rel}")
        path = records / rel
        path.write_text(
            path.read_text(encoding="utf-8").replace("婚姻状况: 未婚", "婚姻状况: 未婚  # 同事在记事本里加的说明"), encoding="utf-8"
        )
        type_into("联系电话", "0592-5550001")
        click(d.find_element(By.ID, "save"))
        wait(lambda x: x.find_elements(By.ID, "diff"))
        d.set_window_size(1280, 1300)
        d.execute_script("window.scrollTo(0, 0)")
        d.save_screenshot(str(out / "冲突.png"))
        print(out / "冲突.png")
    finally:
        d.quit()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "serve")
