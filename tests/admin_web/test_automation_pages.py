"""Automation in the panel (docs/DOMAIN.md §6): an administrator writes trigger rules, macros and
recurring schedules on settings pages, and the desk then acts on them; the channels page
shows each channel's live webhook or polling state without waiting on a dead platform."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from admin_web.app import create_app
from admin_web.config import ChannelInfo, PanelConfig
from admin_web.keys import RUNTIME
from bots.telegram.config import TelegramConfig
from bots.telegram.setup import install_telegram, make_bot
from bots.telegram.status import TelegramStatus
from chatdesk.bootstrap import SystemClock, build_desk
from chatdesk.channel_status import ask
from chatdesk.runtime import Runtime
from core import commands as c
from core.actions import AddNote, Notify, SetPriority, SetStatus
from core.automation import Trigger
from core.cron import CronSchedule
from core.errors import NotFound
from core.outbox import InboundRef, Routing
from emulators.telegram import RateLimits, TelegramEmulator
from storage import panel_views as views
from storage.delivery import OutboxStore
from tests.admin_web.conftest import Browser, Panel, post, sign_in
from tests.admin_web.forms import action_rows, form_fields, replaced

TOKEN = "7000000003:panel-status-token"
_FLASH_OK = "Saved."


async def ticket(ticket_id: int) -> views.TicketDetail:
    detail = await views.ticket_detail(ticket_id)
    assert detail is not None
    return detail


async def admin(panel: Panel) -> tuple[Browser, str]:
    client = await panel.client()
    return client, await sign_in(client, "ada")


async def test_a_trigger_rule_made_in_the_panel_fires_when_the_client_replies(
        panel: Panel) -> None:
    first = await panel.desk.handle(c.ClientWrites("telegram", "1", "Ivan", "hello"))
    assert (await ticket(first.ticket_id)).ticket.priority != "high"
    client, csrf = await admin(panel)
    try:
        page = await post(client, "/settings/automation", csrf, name="Client <b>replied</b>",
                          trigger="client_replied", a1_kind="set_priority", a1_priority="high",
                          a2_kind="add_note", a2_text="Raised for {{client_name}}", enabled="1")
        html = await page.text()
        assert page.status == 200 and _FLASH_OK in html
        assert "Client &lt;b&gt;replied&lt;/b&gt;" in html and "<b>replied" not in html
        [rule] = [r for r in (await views.rule_tables())["automation"]
                  if r.trigger is Trigger.CLIENT_REPLIED and r.id > 2]
        assert [a.kind for a in rule.actions] == ["set_priority", "add_note"]

        await panel.desk.handle(c.ClientWrites("telegram", "1", "Ivan", "any news?"))
        detail = await ticket(first.ticket_id)
        assert detail.ticket.priority == "high"
        assert any(not cm.public and cm.body == "Raised for Ivan" for cm in detail.comments)

        await panel.desk.handle(c.SaveAttribute(panel.admin_id, "contract", "Contract <i>",
                                                "list", ("basic", "gold")))
        form = await (await client.get("/settings/automation")).text()
        assert '<option value="attr:contract" >Contract &lt;i&gt;</option>' in form
        await post(client, "/settings/automation", csrf, name="Gold contract", enabled="1",
                   trigger="field_changed", field="attr:contract", attributes="contract: gold",
                   a1_kind="add_note", a1_text="Gold client on #{{ticket_number}}")
        await panel.desk.handle(c.SetTicketField(first.ticket_id, panel.admin_id,
                                                 "attr:contract", "gold"))
        detail = await ticket(first.ticket_id)
        notes = [cm.body for cm in detail.comments if not cm.public]
        assert f"Gold client on #{detail.ticket.number}" in notes
        [gold] = [r for r in (await views.rule_tables())["automation"] if r.name == "Gold contract"]
        assert (gold.field, gold.when.attributes) == ("attr:contract",
                                                      {"contract": frozenset({"gold"})})
    finally:
        await client.close()


async def test_the_default_rules_are_editable_in_the_panel(panel: Panel) -> None:
    client, csrf = await admin(panel)
    try:
        rules = {r.id: r for r in (await views.rule_tables())["automation"]}
        auto_close = rules[2]
        form = await (await client.get("/settings/automation?edit=2")).text()
        assert f'value="{auto_close.name}"' in form
        assert 'name="idle_hours" size="5" value="72"' in form
        page = await post(client, "/settings/automation", csrf, id="2",
                          name="Resolved and quiet for 2 days: Closed", trigger="idle",
                          idle_hours="48", statuses="resolved", a1_kind="set_status",
                          a1_status="closed", enabled="1")
        assert _FLASH_OK in await page.text()
        edited = {r.id: r for r in (await views.rule_tables())["automation"]}[2]
        assert (edited.name, edited.idle_hours, edited.actions) == (
            "Resolved and quiet for 2 days: Closed", 48.0, auto_close.actions)
        assert edited.when.statuses == frozenset({"resolved"})
        assert edited.position == auto_close.position
    finally:
        await client.close()


async def test_a_macro_made_in_the_panel_is_applied_to_a_ticket(panel: Panel) -> None:
    opened = await panel.desk.handle(c.ClientWrites("telegram", "1", "Ivan", "hello"))
    client, csrf = await admin(panel)
    try:
        page = await post(client, "/settings/macros", csrf, name="Escalate urgently",
                          a1_kind="set_priority", a1_priority="urgent", a2_kind="set_line",
                          a2_line="2", a3_kind="add_note", a3_text="Escalated by {{agent_name}}",
                          enabled="1")
        html = await page.text()
        assert _FLASH_OK in html and "Escalate urgently" in html
        [macro] = (await views.rule_tables())["macros"]
        edit = await (await client.get(f"/settings/macros?edit={macro.id}")).text()
        assert "Escalated by {{agent_name}}" in edit

        await panel.desk.handle(c.ApplyMacro(opened.ticket_id, panel.admin_id,
                                             "escalate urgently"))
        detail = await ticket(opened.ticket_id)
        assert (detail.ticket.priority, detail.ticket.line) == ("urgent", 2)
        assert any(cm.body == "Escalated by Ada Admin" for cm in detail.comments)

        await post(client, "/settings/macros", csrf, name="Thank", a1_kind="add_note",
                   a1_text="Thanks", enabled="1")
        await post(client, "/settings/move/macros/{}/up".format(
            (await views.rule_tables())["macros"][1].id), csrf)
        assert [m.name for m in (await views.rule_tables())["macros"]] == [
            "Thank", "Escalate urgently"]
        await post(client, f"/settings/rules/macros/{macro.id}/toggle", csrf)
        with pytest.raises(NotFound, match="available: Thank"):
            await panel.desk.handle(c.ApplyMacro(opened.ticket_id, panel.admin_id,
                                                 "Escalate urgently"))
        await post(client, f"/settings/rules/macros/{macro.id}/delete", csrf)
        assert [m.name for m in (await views.rule_tables())["macros"]] == ["Thank"]
    finally:
        await client.close()


async def test_a_schedule_made_in_the_panel_shows_its_next_run_and_is_armed(
        panel: Panel) -> None:
    opened = await panel.desk.handle(c.ClientWrites("telegram", "1", "Acme office", "hi"))
    client, csrf = await admin(panel)
    try:
        page = await post(client, "/settings/schedules", csrf, name="Monthly printer check",
                          cron="0 9 * * mon#1", timezone="Europe/Moscow",
                          contact_id=str(opened.contact_id), subject="Printer check {{ date }}",
                          text="Check the toner", priority="high", enabled="1")
        html = await page.text()
        assert _FLASH_OK in html and "Acme office" in html
        [schedule] = (await views.rule_tables())["schedules"]
        due = CronSchedule.parse("0 9 * * mon#1").next_after(datetime.now(UTC),
                                                             "Europe/Moscow")
        assert due is not None and schedule.next_run() == due
        assert (await views.armed_schedules()) == {schedule.id: due}
        shown = due.strftime("%Y-%m-%d %H:%M")  # the panel's zone is UTC
        row = re.search(r'data-schedule="\d+".*?</tr>', html, re.S)
        assert row and row.group(0).count(shown) == 2  # next run, and the armed timer

        await post(client, f"/settings/rules/schedules/{schedule.id}/toggle", csrf)
        assert await views.armed_schedules() == {}
        page = await post(client, "/settings/schedules", csrf, id=str(schedule.id),
                          name="Weekly printer check", cron="30 8 * * fri",
                          timezone="Europe/Moscow", contact_id=str(opened.contact_id),
                          subject="Printer check", enabled="1")
        [weekly] = (await views.rule_tables())["schedules"]
        assert (weekly.id, weekly.cron, weekly.enabled) == (schedule.id, "30 8 * * fri", True)
        assert list(await views.armed_schedules()) == [schedule.id]
        await post(client, f"/settings/rules/schedules/{schedule.id}/delete", csrf)
        assert await views.armed_schedules() == {}
    finally:
        await client.close()


async def _rule(kind: str, name: str) -> Any:
    [found] = [r for r in (await views.rule_tables())[kind] if r.name == name]
    return found


async def _shown_rows(client: Browser, path: str, form_id: str) -> list[dict[str, list[str]]]:
    """The action rows the edit page shows that have a kind, in order."""
    rows = action_rows(form_fields(await (await client.get(path)).text(), form_id))
    return [r for r in rows if r["kind"] != [""]]


async def test_a_rule_with_two_notifications_and_a_note_does_all_three_in_order(
        panel: Panel) -> None:
    client, csrf = await admin(panel)
    try:
        page = await post(client, "/settings/automation", csrf, name="Tell the team",
                          trigger="created", channels="telegram", lines="1", enabled="1",
                          a1_kind="notify", a1_text="New ticket #{{ticket_number}}",
                          a1_notify_people="1",
                          a2_kind="add_note", a2_text="The team was told",
                          a3_kind="notify", a3_text="FYI, Lea",
                          a3_notify_employees=str(panel.lead_id))
        listed = await page.text()
        assert _FLASH_OK in listed
        assert "Notify: New ticket #{{ticket_number}}" in listed and "Notify: FYI, Lea" in listed
        rule = await _rule("automation", "Tell the team")
        edit = f"/settings/automation?edit={rule.id}"
        rows = await _shown_rows(client, edit, "automation-form")
        assert [(r["kind"], r["text"]) for r in rows] == [
            (["notify"], ["New ticket #{{ticket_number}}"]),
            (["add_note"], ["The team was told"]), (["notify"], ["FYI, Lea"])]
        assert rows[0]["notify_people"] == ["1"] and "notify_employees" not in rows[0]
        assert rows[2]["notify_employees"] == [str(panel.lead_id)]
        assert "notify_people" not in rows[2]

        # the desk as it runs with its team chat: both notifications leave, in order
        team_desk = build_desk(routing=Routing(frozenset({"telegram"}), "telegram"))
        opened = await team_desk.handle(c.ClientWrites("telegram", "7", "Vera", "hello"))
        number = (await ticket(opened.ticket_id)).ticket.number
        told = [(p.message.payload["text"], p.message.payload["employee_ids"])
                for p in await OutboxStore().pending("telegram")
                if p.message.kind == "notify" and p.message.ticket_id == opened.ticket_id]
        assert told == [(f"New ticket #{number}", []), ("FYI, Lea", [panel.lead_id])]
        notes = [cm.body for cm in (await ticket(opened.ticket_id)).comments if not cm.public]
        assert notes == ["The team was told"]

        # the edit page's own form, with the first notification removed
        fields = form_fields(await (await client.get(edit)).text(), "automation-form")
        saved = await client.post("/settings/automation", data=replaced(fields, a1_remove="1"))
        assert _FLASH_OK in await saved.text()
        edited = await _rule("automation", "Tell the team")
        assert edited.actions == (AddNote("The team was told"),
                                  Notify("FYI, Lea", (panel.lead_id,), False))
        assert (edited.id, edited.when, edited.trigger) == (rule.id, rule.when, rule.trigger)
        assert [r["kind"] for r in await _shown_rows(client, edit, "automation-form")] == [
            ["add_note"], ["notify"]]
    finally:
        await client.close()


async def test_a_refused_rule_form_keeps_every_typed_row_and_says_which_one_is_wrong(
        panel: Panel) -> None:
    client, _ = await admin(panel)
    try:
        new_form = form_fields(await (await client.get("/settings/automation")).text(),
                               "automation-form")
        assert [r["kind"] for r in action_rows(new_form)] == [[""]] * 3
        typed = replaced(
            new_form, name="Quiet <VIP>", trigger="client_replied",
            statuses=["open", "awaiting_reply"], attributes="contract: gold",
            reg_start="18:00", reg_end="09:00",
            a1_kind="notify", a1_text="VIP wrote", a1_notify_employees=str(panel.lead_id),
            a1_notify_people=[], a2_kind="set_status", a2_status="on_hold",
            a2_hold_hours="soon", a3_kind="add_note", a3_text="Put <b>on hold</b>")
        refused = await client.post("/settings/automation", data=typed)
        assert refused.status == 400
        html = await refused.text()
        assert re.search(r'id="rule-error">Action 2: On hold for is not a number: soon<', html)
        kept = form_fields(html, "automation-form")
        for name in ("name", "trigger", "statuses", "attributes", "reg_start", "reg_end",
                     "enabled"):
            assert [v for k, v in kept if k == name] == [v for k, v in typed if k == name]
        rows = action_rows(kept)
        assert [r["kind"] for r in rows] == [["notify"], ["set_status"], ["add_note"],
                                             [""], [""], [""]]
        assert (rows[0]["text"], rows[0]["notify_employees"]) == (["VIP wrote"],
                                                                  [str(panel.lead_id)])
        assert "notify_people" not in rows[0]
        assert (rows[1]["status"], rows[1]["hold_hours"]) == (["on_hold"], ["soon"])
        assert rows[2]["text"] == ["Put <b>on hold</b>"] and "<b>on hold" not in html
        assert len((await views.rule_tables())["automation"]) == 2  # the default rules only

        # "more action rows" shows the form again with what was typed, and empty rows added
        more = await client.post("/settings/automation", data=[*kept, ("more", "1")])
        assert more.status == 200
        rows = action_rows(form_fields(await more.text(), "automation-form"))
        assert [r["kind"] for r in rows] == [["notify"], ["set_status"], ["add_note"]] + [
            [""]] * 6
        assert len((await views.rule_tables())["automation"]) == 2

        saved = await client.post("/settings/automation",
                                  data=replaced(kept, a2_hold_hours="48"))
        assert _FLASH_OK in await saved.text()
        rule = await _rule("automation", "Quiet <VIP>")
        assert rule.actions == (Notify("VIP wrote", (panel.lead_id,), False),
                                SetStatus("on_hold", 48.0), AddNote("Put <b>on hold</b>"))
        assert rule.when.statuses == frozenset({"open", "awaiting_reply"})
        assert rule.when.registered is not None and rule.when.registered.start.hour == 18
    finally:
        await client.close()


async def test_a_macro_with_two_notes_adds_both_in_order_and_one_can_be_removed(
        panel: Panel) -> None:
    opened = await panel.desk.handle(c.ClientWrites("telegram", "1", "Ivan", "hello"))
    client, csrf = await admin(panel)
    try:
        await post(client, "/settings/macros", csrf, name="Ask for logs", enabled="1",
                   a1_kind="add_note", a1_text="Asked {{client_name}} for the logs",
                   a2_kind="set_priority", a2_priority="high",
                   a3_kind="add_note", a3_text="Waiting for the logs")
        macro = await _rule("macros", "Ask for logs")
        edit = f"/settings/macros?edit={macro.id}"
        rows = await _shown_rows(client, edit, "macro-form")
        assert [(r["kind"], r.get("text"), r.get("priority")) for r in rows] == [
            (["add_note"], ["Asked {{client_name}} for the logs"], None),
            (["set_priority"], None, ["high"]), (["add_note"], ["Waiting for the logs"], None)]

        await panel.desk.handle(c.ApplyMacro(opened.ticket_id, panel.admin_id, "ask for logs"))
        detail = await ticket(opened.ticket_id)
        assert [cm.body for cm in detail.comments if not cm.public] == [
            "Asked Ivan for the logs", "Waiting for the logs"]
        assert detail.ticket.priority == "high"

        fields = form_fields(await (await client.get(edit)).text(), "macro-form")
        saved = await client.post("/settings/macros", data=replaced(fields, a1_remove="1"))
        assert _FLASH_OK in await saved.text()
        assert (await _rule("macros", "Ask for logs")).actions == (
            SetPriority("high"), AddNote("Waiting for the logs"))

        # a new row without its text: refused, and every row comes back as typed
        fields = form_fields(await (await client.get(edit)).text(), "macro-form")
        refused = await client.post("/settings/macros", data=replaced(
            fields, a3_kind="notify", a3_notify_employees=str(panel.agent_id)))
        assert refused.status == 400
        html = await refused.text()
        assert "Action 3: A notification needs a text" in html
        rows = action_rows(form_fields(html, "macro-form"))
        assert [r["kind"] for r in rows[:3]] == [["set_priority"], ["add_note"], ["notify"]]
        assert rows[2]["notify_employees"] == [str(panel.agent_id)]
        assert (await _rule("macros", "Ask for logs")).actions == (
            SetPriority("high"), AddNote("Waiting for the logs"))
    finally:
        await client.close()


CLOSE = {"a1_kind": "set_status", "a1_status": "closed"}
BAD_INPUT: list[tuple[str, dict[str, str], str]] = [
    ("/settings/automation", {"name": "Quiet", "trigger": "idle", **CLOSE},
     "An idle rule needs a number of hours"),
    ("/settings/automation", {"name": "Quiet", "trigger": "idle", "idle_hours": "soon",
                              **CLOSE}, "Idle hours is not a number"),
    ("/settings/automation", {"name": "Nothing", "trigger": "created"},
     "Choose at least one action"),
    ("/settings/automation", {"name": "Odd", "trigger": "nonsense", "a1_kind": "set_priority",
                              "a1_priority": "high"}, "Choose the event the rule waits for"),
    ("/settings/automation", {"name": "Odd", "trigger": "created", "a1_kind": "set_priority",
                              "a1_priority": "sky-high"}, "no priority &#39;sky-high&#39;"),
    ("/settings/automation", {"name": "Odd", "trigger": "created", "a1_kind": "send_canned",
                              "a1_canned": "999"}, "no canned answer 999"),
    ("/settings/automation", {"name": "Odd", "trigger": "created", "a1_kind": "add_note",
                              "a1_text": "x", "reg_start": "25:99"},
     "Give registration hours as HH:MM"),
    ("/settings/automation", {"name": "Twice", "trigger": "created", **CLOSE,
                              "attributes": "contract: gold\ncontract: basic"},
     "contract has two lines; put all its values on one"),
    ("/settings/macros", {"name": " ", "a1_kind": "set_line", "a1_line": "2"},
     "Give it a name"),
    ("/settings/macros", {"name": "Line 3", "a1_kind": "set_line", "a1_line": "3"},
     "the line is 1 or 2"),
    ("/settings/macros", {"name": "Hold", "a1_kind": "set_status", "a1_status": "on_hold",
                          "a1_hold_hours": "-1"}, "Action 1: On hold for must be above 0"),
    ("/settings/macros", {"name": "Tell", "a1_kind": "add_note", "a1_text": "x",
                          "a2_kind": "notify"}, "Action 2: A notification needs a text"),
    ("/settings/macros", {"name": "Tell", "a1_kind": "add_note", "a1_text": "x",
                          "a2_kind": "", "a2_text": "y"},
     "Action 2: Choose what the action does"),
    ("/settings/macros", {"name": "Raise", "a1_kind": "set_priority"},
     "Action 1: Choose the priority"),
    ("/settings/macros", {"name": "Odd", "a1_kind": "explode"},
     "Action 1: Not a valid choice: explode"),
    ("/settings/schedules", {"name": "Bad cron", "cron": "61 * * * *", "contact_id": "1",
                             "subject": "x"}, "outside 0-59"),
    ("/settings/schedules", {"name": "No client", "cron": "0 9 * * *", "subject": "x"},
     "Choose the client the tickets are for"),
    ("/settings/schedules", {"name": "Bad zone", "cron": "0 9 * * *", "contact_id": "1",
                             "subject": "x", "timezone": "Mars/Olympus"},
     "unknown time zone"),
    ("/settings/schedules", {"name": "Bad start", "cron": "0 9 * * *", "contact_id": "1",
                             "subject": "x", "starts_at": "yesterday"},
     "Give the start as a date and time"),
]


async def test_bad_input_shows_an_error_on_the_page_and_saves_nothing(panel: Panel) -> None:
    await panel.desk.handle(c.ClientWrites("telegram", "1", "Ivan", "hello"))  # contact 1
    before = await views.rule_tables()
    client, csrf = await admin(panel)
    try:
        for path, form, message in BAD_INPUT:
            page = await post(client, path, csrf, **form)
            # a refused rule or macro form comes back filled in; a schedule's reason is shown
            # on the page it goes back to
            assert page.status == (200 if path == "/settings/schedules" else 400), (path, form)
            assert message in await page.text(), (path, form)
        assert await views.rule_tables() == before
        await post(client, "/language", csrf, language="ru", next="/settings/automation")
        page = await post(client, "/settings/automation", csrf, name="Quiet", trigger="idle",
                          idle_hours="0", **CLOSE)
        assert "Часы без движения: больше 0 и не больше года" in await page.text()
        page = await post(client, "/settings/macros", csrf, name="Tell", a1_kind="notify")
        assert "Действие 1: Оповещению нужен текст" in await page.text()
    finally:
        await client.close()


async def test_automation_pages_are_for_administrators_only(panel: Panel) -> None:
    client = await panel.client()
    try:
        csrf = await sign_in(client, "sam")
        for path in ("/settings/automation", "/settings/macros", "/settings/schedules",
                     "/settings/automation?edit=1"):
            assert (await client.get(path)).status == 403, path
        for path in ("/settings/automation", "/settings/macros", "/settings/schedules",
                     "/settings/rules/macros/1/delete", "/settings/rules/schedules/1/toggle"):
            response = await post(client, path, csrf, name="Mine", trigger="created",
                                  a_priority="high")
            assert response.status == 403, path
        assert len((await views.rule_tables())["automation"]) == 2
    finally:
        await client.close()


# --- the channels page's live status ----------------------------------------------------------
@pytest.fixture
async def emulator() -> AsyncIterator[TelegramEmulator]:
    emulator = TelegramEmulator(token=TOKEN, rate_limits=RateLimits.off())
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


def _telegram(emulator_url: str) -> TelegramConfig:
    return TelegramConfig(token=TOKEN, api_url=emulator_url, agent_chat_id=-100123)


async def _live_row(client: Browser, channel: str) -> str:
    html = await (await client.get("/settings/channels")).text()
    row = re.search(rf'<tr data-channel="{channel}">.*?</tr>', html, re.S)
    assert row, html
    return row.group(0)


async def test_the_channels_page_shows_telegram_polling_and_webhook_state(
        panel: Panel, emulator: TelegramEmulator) -> None:
    runtime = panel.server.app[RUNTIME]
    await install_telegram(runtime, None, SystemClock(), config=_telegram(emulator.base_url))
    client, _ = await admin(panel)
    try:
        row = await _live_row(client, "telegram")
        assert 'data-mode="polling"' in row
        assert 'Updates waiting at Telegram: <bdi dir="ltr">0</bdi>' in row
        assert ">yes<" in row

        bot = make_bot(_telegram(emulator.base_url))
        try:
            await bot.set_webhook("https://desk.example/telegram/webhook")
        finally:
            await bot.session.close()
        row = await _live_row(client, "telegram")
        assert 'data-mode="webhook"' in row
        assert "https://desk.example/telegram/webhook" in row
        assert "Configured mode: polling" in row  # a stray webhook blocks polling
    finally:
        await client.close()
        for close in runtime.on_close:
            await close()


async def test_the_live_status_shows_each_bots_posts_and_429s(
        panel: Panel, emulator: TelegramEmulator) -> None:
    helper = "7000000099:helper-token"
    emulator.add_helper_bot(helper, "helper_bot")
    runtime = panel.server.app[RUNTIME]
    config = replace(_telegram(emulator.base_url), helper_tokens=(helper,))
    await install_telegram(runtime, None, SystemClock(), config=config)
    client, _ = await admin(panel)
    try:
        row = await _live_row(client, "telegram")
        main_bot = TOKEN.split(':')[0]
        assert f'Bot {main_bot}: posts / refused with 429: <bdi dir="ltr">0 / 0</bdi>' in row
        assert 'Bot 7000000099: posts / refused with 429: <bdi dir="ltr">0 / 0</bdi>' in row
    finally:
        await client.close()
        for close in runtime.on_close:
            await close()


async def test_an_unreachable_telegram_api_shows_unknown_with_the_error(
        panel: Panel, emulator: TelegramEmulator) -> None:
    runtime = panel.server.app[RUNTIME]
    await install_telegram(runtime, None, SystemClock(), config=_telegram(emulator.base_url))
    await emulator.stop()
    client, _ = await admin(panel)
    try:
        started = time.monotonic()
        row = await _live_row(client, "telegram")
        assert "unknown (error" in row and 'data-mode="unknown"' in row
        assert time.monotonic() - started < 10
    finally:
        await client.close()
        for close in runtime.on_close:
            await close()


async def test_a_telegram_api_that_never_answers_gives_up_after_the_timeout() -> None:
    done = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await done.wait()  # accepts the request and never answers
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    bot = make_bot(_telegram(f"http://127.0.0.1:{port}"))
    try:
        started = time.monotonic()
        status = await ask(TelegramStatus(bot, "polling"), seconds=0.5)
        assert time.monotonic() - started < 3
        assert (status.reachable, status.mode) == (None, "unknown")
        assert status.error == "no answer in 0.5 s"
    finally:
        await bot.session.close()
        done.set()
        server.close()
        await server.wait_closed()
        await asyncio.sleep(0.05)  # let the handler close its side


async def test_vk_and_viber_show_their_mode_and_the_last_message_received(panel: Panel) -> None:
    config = PanelConfig(channels=(ChannelInfo("vk", True, {"mode": "longpoll"}),
                                   ChannelInfo("viber", True, {}),
                                   ChannelInfo("telegram", False, {})))
    server = TestServer(create_app(Runtime(panel.desk), config))
    await server.start_server()
    await panel.desk.handle(c.ClientWrites("vk", "42", "Vera", "hello"),
                            source=InboundRef("vk", "event-1"))
    client = Browser(server)
    try:
        await sign_in(client, "ada")
        vk, viber = await _live_row(client, "vk"), await _live_row(client, "viber")
        assert 'data-mode="longpoll"' in vk and "not checked" in vk
        assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d</td>", vk)
        assert 'data-mode="webhook"' in viber and "<td>—</td>" in viber
        assert 'data-channel="telegram"' not in await (await client.get(
            "/settings/channels")).text()
    finally:
        await client.close()
        await server.close()


async def test_the_channels_page_names_every_setting_and_worker_in_the_readers_language(
        panel: Panel) -> None:
    config = PanelConfig(channels=(
        ChannelInfo("telegram", True, {"bot_token": "7000…", "agent_chat_id": "-100123",
                                       "mode": "polling", "limits_time_scale": "1.0"}),
        ChannelInfo("email", True, {"imap": "imaps://desk:…@mail.example/INBOX",
                                    "idle": "True", "max_file_bytes": "10485760"})))
    runtime = Runtime(panel.desk)
    server = TestServer(create_app(runtime, config))
    await server.start_server()
    client = Browser(server)
    try:
        csrf = await sign_in(client, "ada")
        for language, words in (("ru", ("Токен бота", "Группа сотрудников", "опрос",
                                        "Почтовые ящики (IMAP)", "Наибольший файл, байт")),
                                ("fa", ("توکن ربات", "گروه کارشناسان", "صندوق‌های نامه"))):
            await post(client, "/language", csrf, language=language, next="/")
            html = await (await client.get("/settings/channels")).text()
            for word in words:
                assert word in html, (language, word)
            for raw in ("bot_token", "agent_chat_id", "limits_time_scale", "max_file_bytes",
                        ">idle<", ">True<", ">telegram<", ">email<"):
                assert raw not in html, (language, raw)
    finally:
        await client.close()
        await server.close()
