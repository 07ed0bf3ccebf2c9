"""The sandbox: the product running against the Telegram emulator, played from the page in
headless Chromium (Selenium, Debian's chromium and chromium-driver). The person writes as a
Persian-speaking client, sees the ticket number, sees the ticket's topic appear with its card,
answers as the agent and sees the answer arrive on the client's side. A screenshot is saved to
test-artifacts/sandbox.png."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from chatdesk.app import build_runtime
from chatdesk.sandbox import (
    AGENT_CHAT_ID,
    AGENT_TELEGRAM_ID,
    FIRST_CLIENT_ID,
    GROUP_TITLE,
    Sandbox,
    ensure_agent,
)
from chatdesk.settings import load_settings
from core import commands as c
from storage import models as m

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CLIENT_TEXT = "سلام، سفارش ۴۵۱۲ من هنوز نرسیده است"
AGENT_TEXT = "Hello Sara! Your order left the warehouse today."

pytestmark = pytest.mark.e2e


def _need_browser() -> None:
    if os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER) and find_spec("selenium"):
        return
    message = (f"needs Debian's chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER}) "
               "and selenium (the dev extras)")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@asynccontextmanager
async def running_sandbox(database: str, tmp_path: Path) -> AsyncIterator[Sandbox]:
    """The product wired exactly as `chatdesk run` does without a token (minus the panel)."""
    settings = load_settings({"CHATDESK_DATA_DIR": str(tmp_path / "data"),
                              "DATABASE_URL": database}, env_file=None)
    sandbox = Sandbox(settings, port=0)
    await sandbox.prepare()
    await sandbox.start()
    runtime = await build_runtime(sandbox.settings)
    await runtime.start()
    try:
        yield sandbox
    finally:
        await runtime.stop()
        await sandbox.stop()


# --- the browser ------------------------------------------------------------------------------


def _driver(profile: str) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1440,900", "--lang=en-US", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def play(url: str, screenshot: Path) -> dict[str, Any]:
    """Drive the page like a person; returns what was seen (runs in a thread)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    seen: dict[str, Any] = {}
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="chatdesk-chromium-") as profile:
        driver = _driver(profile)
        try:
            # the page re-renders a pane when it changes: read through scripts, retry clicks
            wait = WebDriverWait(driver, 20, poll_frequency=0.1,
                                 ignored_exceptions=(StaleElementReferenceException,))

            def texts(css: str) -> list[str]:
                return list(driver.execute_script(
                    "return Array.from(document.querySelectorAll(arguments[0]),"
                    " e => e.textContent)", css))

            def click(css: str, containing: str = "") -> None:
                def attempt(d: Any) -> bool:
                    for element in d.find_elements(By.CSS_SELECTOR, css):
                        if containing in element.text:
                            element.click()
                            return True
                    return False
                wait.until(attempt)

            driver.get(url)
            wait.until(lambda d: "connected" in d.find_element(By.ID, "status").text)
            assert driver.find_element(By.ID, "group-title").text == GROUP_TITLE

            # a new Persian-speaking client writes to the bot
            Select(driver.find_element(By.ID, "client-lang")).select_by_value("fa")
            driver.find_element(By.ID, "new-client").click()
            wait.until(lambda d: "سارا" in Select(
                d.find_element(By.ID, "client-select")).first_selected_option.text)
            driver.find_element(By.ID, "client-text").send_keys(CLIENT_TEXT, Keys.ENTER)

            # ... sees their message and the ticket number in the bot's answer
            def number(_: Any) -> str | None:
                for text in texts("#client-messages .msg.from-bot .text"):
                    if found := re.search(r"#(\d+)", text):
                        return found.group(1)
                return None

            seen["number"] = ticket = wait.until(number)
            assert CLIENT_TEXT in texts("#client-messages .msg.own .text")

            # the ticket's topic appears on the right, with the card and its buttons
            click("#topics .topic", f"#{ticket}")
            card = wait.until(lambda d: next((t for t in texts(
                "#group-messages .msg.from-bot .text") if f"#{ticket} ·" in t), None))
            seen["card"] = card
            wait.until(lambda d: d.find_elements(
                By.CSS_SELECTOR, "#group-messages button[data-callback^='t:take:']"))
            wait.until(lambda d: any(CLIENT_TEXT in t for t in texts(
                "#group-messages .msg.from-bot .text")))

            # the agent answers in the topic; the answer reaches the client
            driver.find_element(By.ID, "agent-text").send_keys(AGENT_TEXT, Keys.ENTER)
            wait.until(lambda d: any(AGENT_TEXT in t for t in texts(
                "#client-messages .msg.from-bot .text")))
            assert AGENT_TEXT in texts("#group-messages .msg.own .text")
            # ... and the bot's reaction on the agent's message says the client has it
            seen["reaction"] = wait.until(lambda d: next((t for t in texts(
                "#group-messages .msg.own .reactions") if t == "👍"), None))

            # the agent takes the ticket with the card's button: the card is edited in place
            click("#group-messages button[data-callback^='t:take:']")
            seen["taken_card"] = wait.until(lambda d: next((t for t in texts(
                "#group-messages .msg.from-bot .text")
                if f"#{ticket} ·" in t and "Sandbox Agent" in t), None))
            wait.until(lambda d: not d.find_elements(
                By.CSS_SELECTOR, "#group-messages button[data-callback^='t:take:']"))

            seen["direction"] = driver.execute_script(
                "return Array.from(document.querySelectorAll('#client-messages .msg.own .text'))"
                ".filter(e => e.textContent === arguments[0])"
                ".map(e => getComputedStyle(e).direction)", CLIENT_TEXT)
            seen["topics"] = texts("#topics .topic")
            driver.save_screenshot(str(screenshot))
            seen["console"] = [e for e in driver.get_log("browser")
                               if e.get("level") == "SEVERE"]
        except Exception:
            driver.save_screenshot(str(screenshot.with_name(screenshot.stem + "-failed.png")))
            raise
        finally:
            driver.quit()
    return seen


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - local test server
        return response.status, dict(response.headers), response.read()


def _post_as_a_form(url: str) -> int:
    """What another web site could make a visitor's browser send without a preflight."""
    request = urllib.request.Request(url, data=b'{"user_id": 5}', method="POST",
                                     headers={"Content-Type": "text/plain"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


# --- tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_a_person_plays_client_and_agent_through_the_page(
        database: str, tmp_path: Path) -> None:
    _need_browser()
    async with running_sandbox(database, tmp_path) as sandbox:
        assert sandbox.emulator is not None
        status, headers, body = await asyncio.to_thread(_get, sandbox.url)
        assert status == 200 and b"ChatDesk sandbox" in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]

        seen = await asyncio.wait_for(
            asyncio.to_thread(play, sandbox.url, ARTIFACTS / "sandbox.png"), 50)

        assert seen["direction"] == ["rtl"]
        assert "Responsible: —" in seen["card"] and "Sandbox Agent" in seen["taken_card"]
        assert seen["console"] == []
        assert any(f"#{seen['number']}" in t for t in seen["topics"])
        assert not sandbox.emulator.internal_errors
        assert sandbox.emulator.rate_limited_count == 0

    ticket = await m.TicketRow.get(id=int(seen["number"]))
    comments = await m.CommentRow.filter(ticket_id=ticket.id).order_by("id")
    assert [(x.author_kind, x.public) for x in comments] == [("client", True),
                                                             ("employee", True)]
    assert ticket.responsible_id is not None


async def test_the_sandbox_agent_is_the_demo_admin_linked_on_start(database: str) -> None:
    from chatdesk.bootstrap import build_desk

    desk = build_desk()
    admin = await desk.handle(c.AddEmployee("Dana Whitfield", "admin", "admin"))
    agent = await ensure_agent(desk)
    assert (agent.employee_id, agent.telegram_id) == (admin.id, AGENT_TELEGRAM_ID)
    assert (await m.EmployeeRow.get(id=admin.id)).telegram_id == AGENT_TELEGRAM_ID
    assert await ensure_agent(desk) == agent  # a second start changes nothing

    await desk.handle(c.LinkTelegram(admin.id, 123456))  # linked to a real account
    again = await ensure_agent(desk)
    assert (again.employee_id, again.telegram_id) == (admin.id, 123456)


async def test_without_employees_a_sandbox_agent_is_created(database: str) -> None:
    from chatdesk.bootstrap import build_desk

    agent = await ensure_agent(build_desk())
    row = await m.EmployeeRow.get(id=agent.employee_id)
    assert (row.login, row.role, row.telegram_id) == ("sandbox", "admin", AGENT_TELEGRAM_ID)


async def test_the_page_and_its_config_are_served_by_the_emulator(
        database: str, tmp_path: Path) -> None:
    # an earlier run left a topic and a client behind: the fresh world must not reuse ids
    await m.TelegramTopicRow.create(ticket_id=1, chat_id=AGENT_CHAT_ID, thread_id=57,
                                    card_message_id=58)
    await m.IdentityRow.create(channel="telegram", external_id=str(FIRST_CLIENT_ID + 4),
                               contact_id=1)
    settings = load_settings({"CHATDESK_DATA_DIR": str(tmp_path / "data"),
                              "DATABASE_URL": database}, env_file=None)
    sandbox = Sandbox(settings, port=0)
    config = await sandbox.start()
    try:
        assert (config.agent_chat_id, config.api_url) == (AGENT_CHAT_ID, sandbox.api_url)
        assert sandbox.settings.telegram_enabled and not settings.telegram_enabled
        for path in ("", "sandbox", "sandbox/static/sandbox.js", "sandbox/static/sandbox.css"):
            status, headers, _ = await asyncio.to_thread(_get, sandbox.url + path)
            assert status == 200 and headers["X-Content-Type-Options"] == "nosniff", path
        _, _, body = await asyncio.to_thread(_get, sandbox.url + "sandbox/config")
        info = json.loads(body)["result"]
        assert info["agent_chat_id"] == AGENT_CHAT_ID
        assert info["agent_user_id"] == AGENT_TELEGRAM_ID
        assert info["bot"]["is_bot"] is True
        assert info["first_client_id"] == FIRST_CLIENT_ID + 5
        assert await asyncio.to_thread(_post_as_a_form, sandbox.url + "control/users") == 415
        assert sandbox.emulator is not None and 5 not in sandbox.emulator.state.users
        group = sandbox.emulator.chat(AGENT_CHAT_ID) if sandbox.emulator else None
        assert group is not None and group.is_forum and AGENT_TELEGRAM_ID in group.members
        assert sandbox.emulator is not None
        _, created = await sandbox.emulator.call("createForumTopic", chat_id=AGENT_CHAT_ID,
                                                 name="#2 · new")
        assert created["result"]["message_thread_id"] > 58
    finally:
        await sandbox.stop()


def test_the_script_never_inserts_markup() -> None:
    script = (Path(__file__).parents[2] / "emulators/telegram/sandbox/static/sandbox.js"
              ).read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
