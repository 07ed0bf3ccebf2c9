"""The settings editors in headless Chromium: an action row shows only the fields of the
action chosen, a long checkbox list gets a filter box, the rule saves what is shown, and the
editors and the statuses page are photographed in English, Russian and Persian
(test-artifacts/editors-*.png)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from core.actions import Notify, SetStatus
from storage import panel_views as views
from tests.admin_web.conftest import PASSWORD, Panel
from tests.admin_web.test_browser import ARTIFACTS, _click_and_load, _wait, browser

__all__ = ["browser"]  # the fixture, shared with the other browser test
pytestmark = pytest.mark.e2e


def _shown(driver: Any, name: str) -> bool:
    from selenium.webdriver.common.by import By

    return all(e.is_displayed() and e.is_enabled()
               for e in driver.find_elements(By.NAME, name)) and bool(
        driver.find_elements(By.NAME, name))


def _language(driver: Any, language: str) -> None:
    from selenium.webdriver.common.by import By

    page = driver.find_element(By.TAG_NAME, "html")
    driver.execute_script(
        "var f = document.querySelector(\"form[action='/language']\");"
        "f.language.value = arguments[0]; f.submit();", language)
    _wait(lambda: not _alive(page) and driver.find_element(
        By.TAG_NAME, "html").get_attribute("lang") == language)


def _alive(element: Any) -> bool:
    try:
        element.is_enabled()
        return True
    except Exception:  # stale: the page was replaced
        return False


def _edit_in_browser(driver: Any, base: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    driver.get(f"{base}/login")
    driver.find_element(By.NAME, "login").send_keys("ada")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    _click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "button.primary"))
    driver.get(f"{base}/settings/automation")
    assert not _shown(driver, "a1_status") and not _shown(driver, "a1_text")

    kind = Select(driver.find_element(By.NAME, "a1_kind"))
    kind.select_by_value("notify")
    assert _shown(driver, "a1_text") and _shown(driver, "a1_notify_employees")
    assert not _shown(driver, "a1_status") and not _shown(driver, "a1_canned")
    driver.find_element(By.NAME, "a1_text").send_keys("typed, then the action changed")
    kind.select_by_value("set_status")
    assert _shown(driver, "a1_status") and not _shown(driver, "a1_hold_hours")
    assert not _shown(driver, "a1_text") and not _shown(driver, "a1_notify_employees")
    Select(driver.find_element(By.NAME, "a1_status")).select_by_value("open")
    assert not _shown(driver, "a1_hold_hours")  # hours of a hold only for "On hold"
    Select(driver.find_element(By.NAME, "a1_status")).select_by_value("on_hold")
    assert _shown(driver, "a1_hold_hours")
    driver.find_element(By.NAME, "a1_hold_hours").send_keys("24")

    Select(driver.find_element(By.NAME, "a2_kind")).select_by_value("notify")
    driver.find_element(By.NAME, "a2_text").send_keys("Put on hold")
    # the statuses' checkbox list filters as one types
    statuses = driver.find_element(By.CSS_SELECTOR, "[aria-label='Statuses'] .filter")
    statuses.send_keys("hold")
    visible = [e.text for e in driver.find_elements(
        By.CSS_SELECTOR, "[aria-label='Statuses'] .options label") if e.is_displayed()]
    assert visible == ["On hold"]
    driver.find_element(By.CSS_SELECTOR, "[aria-label='Statuses'] .options input[value=on_hold]"
                        ).click()
    driver.find_element(By.NAME, "name").send_keys("Hold and tell")
    _click_and_load(driver, driver.find_element(By.CSS_SELECTOR, "#automation-form .primary"))
    _wait(lambda: "Hold and tell" in driver.find_element(By.ID, "automation-rules").text)

    driver.get(f"{base}/settings/statuses")
    driver.find_element(By.ID, "new-status-name").send_keys("Parts ordered")
    form = driver.find_element(By.ID, "new-status")
    form.find_element(By.NAME, "name_ru").send_keys("Ждём запчасти")
    form.find_element(By.NAME, "name_fa").send_keys("در انتظار قطعه")
    _click_and_load(driver, driver.find_element(By.ID, "add-status"))
    for language in ("en", "ru", "fa"):
        if language != "en":
            _language(driver, language)
        for page, shot in (("/settings/automation?edit=2", "automation"),
                           ("/settings/statuses", "statuses")):
            driver.get(base + page)
            _whole_page(driver, ARTIFACTS / f"editors-{shot}-{language}.png")
        tickets = driver.get(f"{base}/tickets") or driver.find_element(By.TAG_NAME, "main").text
        expected = {"en": "Parts ordered", "ru": "Ждём запчасти", "fa": "در انتظار قطعه"}[language]
        assert expected in tickets, language
    _language(driver, "en")


def _whole_page(driver: Any, path: Path) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1366, min(int(height) + 120, 2600))
    driver.save_screenshot(str(path))
    driver.set_window_size(1366, 900)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_an_action_row_shows_only_its_actions_fields_and_saves_what_it_shows(
        panel: Panel, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    base = str(panel.server.make_url("")).rstrip("/")
    await asyncio.to_thread(_edit_in_browser, browser, base)
    [rule] = [r for r in (await views.rule_tables())["automation"] if r.name == "Hold and tell"]
    assert rule.actions == (SetStatus("on_hold", 24.0), Notify("Put on hold", (), True))
    assert rule.when.statuses == frozenset({"on_hold"})
    assert (ARTIFACTS / "editors-statuses-fa.png").stat().st_size > 0
