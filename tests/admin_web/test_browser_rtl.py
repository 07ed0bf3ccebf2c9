"""Persian in headless Chromium: the dashboard's chart draws nothing past its edges and no
legend label over a swatch; a client's name in Russian keeps its full stop at its end
on the right-to-left ticket page. Screenshots go to test-artifacts/."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core import commands as c
from tests.admin_web.conftest import PASSWORD, Panel
from tests.admin_web.test_browser import ARTIFACTS, _click_and_load, browser, pytestmark

__all__ = ["browser", "pytestmark"]

CHART = """
const svg = document.querySelector('svg.chart'), box = svg.getBoundingClientRect();
const texts = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect());
const swatches = [...svg.querySelectorAll('rect[width="10"]')].map(r => r.getBoundingClientRect());
const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
return {outside: texts.filter(r => r.left < box.left - 0.5 || r.right > box.right + 0.5).length,
        overlapping: texts.filter(t => swatches.some(s => meet(t, s))).length,
        texts: texts.length};
"""
# Where the first and the last letter of the subject's link are drawn.
ENDS = """
const dd = [...document.querySelectorAll('dd')].find(d => d.textContent.includes('К.'));
const walk = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
let node; while ((node = walk.nextNode()) && !node.data.includes('Ольга К.')) {}
const at = i => { const r = document.createRange();
  r.setStart(node, i); r.setEnd(node, i + 1); return r.getBoundingClientRect().left; };
return [at(node.data.indexOf('О')), at(node.data.lastIndexOf('.'))];
"""


def _in_persian(driver: Any, base: str) -> dict[str, Any]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver.get(base + "/login")
    driver.find_element(By.NAME, "login").send_keys("ada")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    _click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    # choosing the language switches at once (static/panel.js submits the form)
    Select(driver.find_element(By.NAME, "language")).select_by_value("fa")
    WebDriverWait(driver, 15).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fa")
    driver.get(base + "/")
    chart = driver.execute_script(CHART)
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "rtl-dashboard-fa.png"))
    driver.get(base + "/tickets/1")
    ends = driver.execute_script(ENDS)
    driver.save_screenshot(str(ARTIFACTS / "rtl-ticket-fa.png"))
    return {"chart": chart, "ends": ends}


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_persian_chart_and_list_read_right_to_left_without_clipping(
        panel: Panel, browser: Any) -> None:
    await panel.desk.handle(c.SaveContact(panel.admin_id, 0, "Ольга К."))
    await panel.desk.handle(c.OpenTicketForClient(panel.admin_id, 1, "Где мой заказ?", "…"))
    seen = await asyncio.to_thread(_in_persian, browser, str(panel.server.make_url("")))
    chart = seen["chart"]
    assert chart["texts"] > 10 and chart["outside"] == 0 and chart["overlapping"] == 0
    first, last = seen["ends"]
    assert first < last, seen  # "Ольга К." reads left to right, "." at its end
