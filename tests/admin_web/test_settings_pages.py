"""Settings pages: what an administrator saves is there on the next visit."""

from __future__ import annotations

import re

from tests.admin_web.conftest import Panel, post, sign_in


async def test_administrator_creates_reorders_and_deletes_a_custom_status(panel: Panel) -> None:
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        page = await post(client, "/settings/statuses", csrf, name="In progress",
                          state="open", color="#00aa00", notify_client="1")
        html = await page.text()
        assert 'value="In progress"' in html
        await post(client, "/settings/move/statuses/in_progress/up", csrf)
        page = await post(client, "/settings/statuses/in_progress/delete", csrf)
        assert 'value="In progress"' not in await page.text()
        page = await post(client, "/settings/statuses/open/delete", csrf)
        assert "system status" in await page.text()
    finally:
        await client.close()


async def test_every_settings_page_renders(panel: Panel) -> None:
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        await post(client, "/settings/canned/groups", csrf, name="Orders")
        await post(client, "/settings/groups", csrf, name="Billing",
                   members=str(panel.agent_id))
        await post(client, "/settings/companies", csrf, name="Acme <b>", category="VIP")
        await post(client, "/settings/contacts", csrf, name="Zed", phone="+100")
        await post(client, "/settings/desk", csrf, reopen_days="3", auto_close_days="2",
                   default_priority="normal", categories="Client\nVIP", leads_see_reports="1")
        for path in ("/settings/statuses", "/settings/priorities", "/settings/types",
                     "/settings/canned", "/settings/employees", "/settings/clients",
                     "/settings/desk", "/settings/channels"):
            response = await client.get(path)
            assert response.status == 200, path
        assert "Acme &lt;b&gt;" in await (await client.get("/settings/clients")).text()
        assert 'value="3"' in await (await client.get("/settings/desk")).text()
        assert "Billing" in await (await client.get("/settings/employees")).text()
    finally:
        await client.close()


async def test_deactivated_employee_is_signed_out(panel: Panel) -> None:
    admin, agent = await panel.client(), await panel.client()
    try:
        csrf = await sign_in(admin, "ada")
        await sign_in(agent, "sam")
        await post(admin, f"/settings/employees/{panel.agent_id}", csrf, action="deactivate")
        response = await agent.get("/tickets", allow_redirects=False)
        assert response.status == 303
    finally:
        await admin.close()
        await agent.close()


async def test_pages_follow_the_language_and_persian_is_right_to_left(panel: Panel) -> None:
    client = await panel.client()
    try:
        html = await (await client.get("/login", headers={"Accept-Language": "fa"})).text()
        assert 'dir="rtl"' in html and 'lang="fa"' in html
        html = await (await client.get("/login", headers={"Accept-Language": "ru,en;q=0.5"})
                      ).text()
        assert 'lang="ru"' in html and "Войти" in html
        csrf = await sign_in(client, "ada")
        await post(client, "/language", csrf, language="fa", next="/tickets")
        html = await (await client.get("/tickets")).text()
        assert 'dir="rtl"' in html
    finally:
        await client.close()


async def test_sla_rules_are_added_reordered_switched_off_and_deleted(panel: Panel) -> None:
    import re

    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        page = await post(client, "/settings/calendars", csrf, name="Office", timezone=
                          "Europe/Berlin", start="09:00", end="18:00", weekdays="0",
                          holidays="2026-12-25")
        html = await page.text()
        assert "Office" in html and "2026-12-25" in html
        calendar_id = re.search(r'<option value="(\d+)">Office</option>', html)
        assert calendar_id
        for name, minutes in (("VIP first", "15"), ("Everyone else", "60")):
            await post(client, "/settings/sla", csrf, name=name, calendar=calendar_id.group(1),
                       reaction=minutes, resolution="480", enabled="1")
        html = await (await client.get("/settings/sla")).text()
        names = re.findall(r'class="rule-name">([^<]+)<', html)
        assert names == ["VIP first", "Everyone else"]
        second = re.findall(r'/settings/move/sla/(\d+)/up', html)[1]
        page = await post(client, f"/settings/move/sla/{second}/up", csrf)
        assert re.findall(r'class="rule-name">([^<]+)<', await page.text()) == [
            "Everyone else", "VIP first"]
        page = await post(client, f"/settings/rules/sla/{second}/toggle", csrf)
        assert "Enable" in await page.text()
        page = await post(client, f"/settings/rules/calendars/{calendar_id.group(1)}/delete",
                          csrf)
        assert "SLA rules use this calendar" in await page.text()
        await post(client, f"/settings/rules/sla/{second}/delete", csrf)
        html = await (await client.get("/settings/sla")).text()
        assert re.findall(r'class="rule-name">([^<]+)<', html) == ["VIP first"]
        assert (await client.get("/settings/routing")).status == 200
    finally:
        await client.close()


async def test_notice_template_preview_and_save(panel: Panel) -> None:
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        page = await post(client, "/settings/notices", csrf, key="client.status.resolved",
                          body="Hello {{ client.name }}, #{{ ticket.number }} is done <b>",
                          preview="1")
        html = await page.text()
        assert "Hello Ivan Petrov, #123 is done &lt;b&gt;" in html
        page = await post(client, "/settings/notices", csrf, key="client.status.resolved",
                          body="{% if %}", preview="1")
        assert "cannot be read" in await page.text()
        page = await post(client, "/settings/notices", csrf, key="client.status.resolved",
                          body="Done, {{ client.name }}!")
        assert "customised" in await page.text()
    finally:
        await client.close()


async def test_the_design_wrapper_is_previewed_refused_without_placeholder_and_applied(
        panel: Panel) -> None:
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        page = await post(client, "/settings/notices", csrf, key="client.wrapper",
                          body="Acme support")
        assert "{{ content }} placeholder" in await page.text()
        page = await post(client, "/settings/notices", csrf, key="client.wrapper",
                          body="[Acme] {{ content }} [{{ client.name }}]", preview="1")
        assert ("[Acme] Ticket #123 is resolved. Is everything in order? [Ivan Petrov]"
                in await page.text())
        await post(client, "/settings/notices", csrf, key="client.wrapper",
                   body="[Acme] {{ content }}")
        page = await post(client, "/settings/notices", csrf, key="client.status.resolved",
                          body="Done, {{ client.name }}!", preview="1")
        assert "[Acme] Done, Ivan Petrov!" in await page.text()
        page = await post(client, "/settings/notices", csrf, key="agents.notify",
                          body="Psst", preview="1")
        assert "[Acme]" not in await page.text()
    finally:
        await client.close()


async def test_a_groups_members_are_a_checkbox_list_with_its_members_ticked(panel: Panel) -> None:
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        await post(client, "/settings/groups", csrf, name="Billing",
                   members=str(panel.agent_id))
        html = await (await client.get("/settings/employees")).text()
        assert "<select name=\"members\"" not in html
        ticked = re.findall(r'name="members" value="(\d+)" checked', html)
        assert ticked == [str(panel.agent_id)]
        assert 'name="notify" value=' in html
    finally:
        await client.close()
