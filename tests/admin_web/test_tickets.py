"""Tickets in the panel: who sees which, the thread, and the agent's actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core import commands as c
from tests.admin_web.conftest import Panel, csrf_of, post, sign_in


async def _ticket(panel: Panel, name: str = "Kim Client", text: str = "My order is late",
                  external_id: str = "100") -> int:
    result = await panel.desk.handle(c.ClientWrites("telegram", external_id, name, text))
    return int(result.ticket_id)


async def test_specialist_sees_own_tickets_and_not_a_colleagues(panel: Panel) -> None:
    mine = await _ticket(panel, external_id="1")
    theirs = await _ticket(panel, "Other Client", "Printer on fire", external_id="2")
    await panel.desk.handle(c.AssignTicket(mine, panel.admin_id, panel.agent_id))
    await panel.desk.handle(c.AssignTicket(theirs, panel.admin_id, panel.other_agent_id))
    client = await panel.client()
    try:
        await sign_in(client, "sam")
        assert (await client.get(f"/tickets/{mine}")).status == 200
        assert (await client.get(f"/tickets/{theirs}")).status == 404
        listing = await (await client.get("/tickets")).text()
        assert "My order is late" in listing and "Printer on fire" not in listing
        csrf = csrf_of(listing)
        response = await post(client, f"/tickets/{theirs}/reply", csrf, text="sneaky")
        assert response.status == 404
    finally:
        await client.close()


async def test_client_name_with_a_script_tag_is_shown_as_text(panel: Panel) -> None:
    ticket = await _ticket(panel, "<script>alert(1)</script>", "<img src=x onerror=alert(2)>")
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        for path in (f"/tickets/{ticket}", "/tickets"):
            html = await (await client.get(path)).text()
            assert "<script>alert(1)" not in html and "<img src=x" not in html
        html = await (await client.get(f"/tickets/{ticket}")).text()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    finally:
        await client.close()


async def test_agent_replies_notes_and_resolves_from_the_page(panel: Panel) -> None:
    ticket = await _ticket(panel)
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        await post(client, f"/tickets/{ticket}/take", csrf)
        await post(client, f"/tickets/{ticket}/reply", csrf, text="Checking it now",
                   private="1")
        page = await post(client, f"/tickets/{ticket}/reply", csrf, text="It ships today",
                          resolve="1")
        html = await page.text()
        assert 'class="msg private"' in html and "Checking it now" in html
        assert 'class="msg agent"' in html and "It ships today" in html
        assert "Resolved" in html
        history = html[html.index('id="history"'):]
        assert "Responsible: <bdi>—</bdi> → <bdi>Ada Admin</bdi>" in history
    finally:
        await client.close()


async def test_status_change_refusal_is_shown_to_the_agent(panel: Panel) -> None:
    ticket = await _ticket(panel)
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        page = await post(client, f"/tickets/{ticket}/status", csrf, status="on_hold")
        assert "On hold needs a date and time" in await page.text()
        page = await post(client, f"/tickets/{ticket}/status", csrf, status="on_hold",
                          until="2999-01-01T10:00")
        assert "the on-hold date must be within a year" in await page.text()
        day = (datetime.now(UTC) + timedelta(days=30)).date()
        page = await post(client, f"/tickets/{ticket}/status", csrf, status="on_hold",
                          until=f"{day}T10:00")
        assert f"{day} 10:00" in await page.text()
        page = await post(client, f"/tickets/{ticket}/escalate", csrf)
        assert "line</small>" not in await page.text()
        assert "Return to line 1" in await page.text()
    finally:
        await client.close()


async def test_ticket_list_filters_and_searches(panel: Panel) -> None:
    first = await _ticket(panel, "Ann", "Refund please", external_id="1")
    await _ticket(panel, "Bob", "Password reset", external_id="2")
    await panel.desk.handle(c.AssignTicket(first, panel.admin_id, panel.agent_id))
    client = await panel.client()
    try:
        await sign_in(client, "lea")
        html = await (await client.get("/tickets?q=refund")).text()
        assert "Refund please" in html and "Password reset" not in html
        html = await (await client.get("/tickets?q=Bob")).text()
        assert "Password reset" in html and "Refund please" not in html
        html = await (await client.get("/tickets?responsible=none")).text()
        assert "Password reset" in html and "Refund please" not in html
        html = await (await client.get(f"/tickets?responsible={panel.agent_id}")).text()
        assert "Refund please" in html
        html = await (await client.get("/tickets?status=closed")).text()
        assert "No tickets match." in html
    finally:
        await client.close()


async def test_attachments_download_and_never_render_inline(panel: Panel) -> None:
    from core.tickets import Attachment

    result = await panel.desk.handle(c.ClientWrites(
        "telegram", "9", "Eve", "see file",
        (Attachment("document", "file-1", "evil.svg", "image/svg+xml"),)))
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        response = await client.get(
            f"/tickets/{result.ticket_id}/files/{result.comment_id}/0")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/octet-stream")
        assert response.headers["Content-Disposition"].startswith("attachment")
    finally:
        await client.close()


async def test_observer_sees_the_ticket_and_agent_registers_one_by_hand(panel: Panel) -> None:
    watched = await _ticket(panel, "Watched", "Needs a second pair of eyes")
    await panel.desk.handle(c.AddObserver(watched, panel.admin_id, panel.agent_id))
    contact = await panel.desk.handle(c.SaveContact(panel.admin_id, 0, "Phone caller"))
    client = await panel.client()
    try:
        csrf = await sign_in(client, "sam")
        assert (await client.get(f"/tickets/{watched}")).status == 200
        page = await post(client, "/tickets/new", csrf, contact=str(contact.id),
                          subject="Called about a refund", priority="high")
        assert "Called about a refund" in await page.text()
        assert page.url.path.startswith("/tickets/")  # the new ticket is the author's to see
    finally:
        await client.close()
