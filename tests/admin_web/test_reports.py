"""Dashboard and reports on a known data set: the DOMAIN §3.5 example gives a resolution
time of 1 h 30 min, and the XLSX download says the same."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from chatdesk.bootstrap import build_desk
from core import commands as c
from tests.admin_web.conftest import Panel, sign_in

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


async def _worked_example(panel: Panel) -> int:
    """§3.5: answered and closed after 1 h; the client writes a week later, the ticket
    reopens, and is closed again 30 minutes later."""
    clock = Clock()
    desk = build_desk(clock=clock)
    result = await desk.handle(c.ClientWrites("telegram", "7", "Rita", "Where is my parcel?"))
    ticket = result.ticket_id
    await desk.handle(c.AssignTicket(ticket, panel.admin_id, panel.agent_id))
    clock.at = T0 + timedelta(hours=1)
    await desk.handle(c.AddAgentReply(ticket, panel.agent_id, "On its way", resolve=True))
    await desk.handle(c.ClientRatesTicket(result.contact_id, ticket, 4))
    clock.at = T0 + timedelta(days=6)
    await desk.handle(c.ClientWrites("telegram", "7", "Rita", "It never came"))
    clock.at = T0 + timedelta(days=6, minutes=30)
    await desk.handle(c.AddAgentReply(ticket, panel.agent_id, "Resent", resolve=True))
    return int(ticket)


async def test_resolution_and_first_response_on_the_worked_example(panel: Panel) -> None:
    await _worked_example(panel)
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        html = await (await client.get("/reports?from=2026-03-01&to=2026-03-31")).text()
        resolution = html[html.index('id="report-resolution"'):]
        resolution = resolution[:resolution.index("</section>")]
        assert "<td>Sam Agent</td><td>1</td><td>90.0</td>" in resolution
        first = html[html.index('id="report-first_response"'):]
        assert "<td>Sam Agent</td><td>1</td><td>60.0</td>" in first[:first.index("</section>")]
        satisfaction = html[html.index('id="report-satisfaction"'):]
        assert "<td>Sam Agent</td><td>1</td><td>4.0</td>" in satisfaction
        response = await client.get("/reports/resolution.xlsx?from=2026-03-01&to=2026-03-31")
        assert response.headers["Content-Disposition"].startswith("attachment")
        book = load_workbook(io.BytesIO(await response.read()))
        rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
        assert rows[0] == ("Employee", "Tickets", "Average, minutes")
        assert ("Sam Agent", 1, 90.0) in rows
        csv_text = (await (await client.get(
            "/reports/first_response.csv?from=2026-03-01&to=2026-03-31")).read()).decode(
            "utf-8-sig")
        assert "Sam Agent,1,60.0" in csv_text
    finally:
        await client.close()


async def test_dashboard_counts_and_chart(panel: Panel) -> None:
    await panel.desk.handle(c.ClientWrites("telegram", "1", "A", "first"))
    second = await panel.desk.handle(c.ClientWrites("telegram", "2", "B", "second"))
    await panel.desk.handle(c.AssignTicket(second.ticket_id, panel.admin_id, panel.agent_id))
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        html = await (await client.get("/")).text()
        tiles = html[html.index('id="tiles"'):html.index("<section")]
        assert "<b>2</b><span>Open</span>" in tiles
        assert "<b>1</b><span>Without a responsible</span>" in tiles
        assert "<svg" in html and "<script" not in html
        # a specialist's dashboard counts only their tickets
        await client.close()
        client = await panel.client()
        await sign_in(client, "sam")
        html = await (await client.get("/")).text()
        assert "<b>1</b><span>Open</span>" in html
    finally:
        await client.close()
