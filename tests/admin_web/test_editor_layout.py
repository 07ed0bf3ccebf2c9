"""The automation, routing and SLA editors as a page gives them: two columns (when | then),
every multiple choice a list of checkboxes, and each action row with only the fields of its
action (the others hidden and disabled, so a browser does not send them; the server ignores
them when it gets them anyway)."""

from __future__ import annotations

import re

from core.actions import SetPriority
from storage import panel_views as views
from tests.admin_web.conftest import Panel, post, sign_in
from tests.admin_web.forms import action_rows, form_fields


def _row(html: str, number: int) -> str:
    found = re.search(rf'<fieldset class="action pairs" data-action="{number}">(.*?)</fieldset>',
                      html, re.S)
    assert found, f"no action row {number}"
    return found.group(1)


def _enabled_fields(row: str) -> set[str]:
    names = re.findall(r'<(?:input|select|textarea)[^>]*name="a\d+_(\w+)"([^>]*)>', row)
    return {name for name, rest in names if " disabled" not in rest}


async def test_a_saved_rules_action_rows_show_only_the_fields_of_their_action(
        panel: Panel) -> None:
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        page = await client.get("/settings/automation?edit=2")
        assert "script-src 'self';" in page.headers["Content-Security-Policy"]
        html = await page.text()
        assert html.count('<div class="column">') == 2  # conditions | actions
        status_row = _row(html, 1)
        assert _enabled_fields(status_row) == {"kind", "status", "hold_hours", "remove"}
        assert re.search(r'<label hidden data-kinds="add_note notify">', status_row)
        # an empty row offers every field, for whichever action is chosen (no script needed)
        assert _enabled_fields(_row(html, 2)) >= {"kind", "status", "text", "canned",
                                                  "notify_employees", "notify_people"}
        assert '<script src="/static/editors.js" defer></script>' in html
        assert 'name="statuses" value="resolved" checked' in html
        assert "<select name=\"statuses\"" not in html and " multiple" not in html
    finally:
        await client.close()


async def test_fields_that_do_not_belong_to_the_chosen_action_are_ignored(
        panel: Panel) -> None:
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        page = await post(client, "/settings/automation", csrf, name="Raise", enabled="1",
                          trigger="created", a1_kind="set_priority", a1_priority="high",
                          a1_status="closed", a1_text="stray", a1_canned="999",
                          a2_kind="notify", a2_hold_hours="soon")
        assert page.status == 400  # the notification has no text; the stray hours are no error
        html = await page.text()
        assert "Action 2: A notification needs a text" in html
        rows = action_rows(form_fields(html, "automation-form"))
        assert rows[0] == {"kind": ["set_priority"], "priority": ["high"]}
        assert "hold_hours" not in rows[1]
        page = await post(client, "/settings/automation", csrf, name="Raise", enabled="1",
                          trigger="created", a1_kind="set_priority", a1_priority="high",
                          a1_status="closed", a1_text="stray", a1_canned="999")
        assert "Saved." in await page.text()
        [rule] = [r for r in (await views.rule_tables())["automation"] if r.name == "Raise"]
        assert rule.actions == (SetPriority("high"),)
    finally:
        await client.close()


async def test_routing_and_sla_editors_are_two_columns_of_checkbox_lists(panel: Panel) -> None:
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        routing = await (await client.get("/settings/routing")).text()
        form = routing[routing.index('id="new-routing"'):]
        assert form.count('<div class="column">') == 2
        assert 'type="checkbox" name="priorities" value="urgent"' in form
        assert 'type="checkbox" name="channels" value="telegram"' in form
        sla = await (await client.get("/settings/sla")).text()
        assert " multiple" not in sla
        assert 'name="weekdays" value="0" checked' in sla
        assert 'name="weekdays" value="5" >' in sla
    finally:
        await client.close()
