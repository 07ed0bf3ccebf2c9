"""The ticket page in headless Chromium (the setup of test_browser.py): a canned answer is
inserted into the draft the agent is typing, in place, without a reload; screenshots of the
page in English, Russian and Persian go to test-artifacts/."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from core import commands as c
from tests.admin_web.conftest import PASSWORD, Panel
from tests.admin_web.test_browser import ARTIFACTS, _wait, browser

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database", ["sqlite"], indirect=True)]
__all__ = ["browser"]  # the fixture, shared with test_browser.py

DRAFT = "Hello! I have checked your order"
LONG = "https://shop.example/orders/" + "0123456789" * 12


async def _ticket(panel: Panel) -> tuple[int, str]:
    admin = panel.admin_id
    group = await panel.desk.handle(c.SaveCannedGroup(admin, 0, "Orders"))
    await panel.desk.handle(c.SaveCannedAnswer(admin, 0, group.id, "Late",
                                               "Sorry, {{ client_name }}, it is on its way."))
    sent = await panel.desk.handle(c.ClientWrites("telegram", "77", "Ann Lee",
                                                  f"Where is my parcel? {LONG}"))
    await panel.desk.handle(c.AddObserver(sent.ticket_id, admin, panel.agent_id))
    await panel.desk.handle(c.SetTicketField(sent.ticket_id, admin, "subject",
                                             f"Parcel {LONG}"))
    return int(sent.ticket_id), "Sorry, Ann Lee, it is on its way."


def _session(driver: Any, base: str, ticket: int, canned: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    driver.get(f"{base}/login")
    driver.find_element(By.NAME, "login").send_keys("ada")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button.primary").click()
    _wait(lambda: driver.find_elements(By.ID, "tiles"))
    driver.get(f"{base}/tickets/{ticket}")
    text = driver.find_element(By.ID, "reply-text")
    text.send_keys(DRAFT)
    driver.execute_script("window.notReloaded = true")
    Select(driver.find_element(By.ID, "canned-select")).select_by_visible_text("Late")
    driver.find_element(By.ID, "insert-canned").click()
    assert text.get_attribute("value") == f"{DRAFT}\n{canned}"
    assert driver.execute_script("return window.notReloaded === true")
    wide = driver.execute_script("return document.documentElement.scrollWidth > innerWidth")
    assert not wide, "the page scrolls sideways"
    ARTIFACTS.mkdir(exist_ok=True)
    for language in ("en", "ru", "fa"):
        # choosing a language switches at once (static/panel.js submits the form)
        Select(driver.find_element(By.NAME, "language")).select_by_value(language)
        _wait(lambda lang=language: driver.find_element(By.TAG_NAME, "html").get_attribute(
            "lang") == lang)
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True})  # the whole page
        (ARTIFACTS / f"ticket_page_{language}.png").write_bytes(base64.b64decode(shot["data"]))


async def test_a_canned_answer_joins_the_draft_without_a_reload(panel: Panel,
                                                                browser: Any) -> None:
    ticket, canned = await _ticket(panel)
    base = str(panel.server.make_url("")).rstrip("/")
    await asyncio.to_thread(_session, browser, base, ticket, canned)
    assert (ARTIFACTS / "ticket_page_fa.png").stat().st_size > 0
