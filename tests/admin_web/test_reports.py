"""Dashboard and reports on a known data set: the docs/DOMAIN.md §3.5 example gives a resolution
time of 1 h 30 min, and the XLSX download says the same."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from chatdesk.bootstrap import build_desk
from core import commands as c
from tests.admin_web.conftest import Panel, post, sign_in

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


def _section(html: str, kind: str) -> str:
    part = html[html.index(f'id="report-{kind}"'):]
    return part[:part.index("</section>")]


async def test_resolution_and_first_response_on_the_worked_example(panel: Panel) -> None:
    await _worked_example(panel)
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        html = await (await client.get("/reports?from=2026-03-01&to=2026-03-31")).text()
        resolution = _section(html, "resolution")
        assert "<td>Sam Agent</td><td>1</td><td>1 h 30 min</td>" in resolution
        assert "<td>Sam Agent</td><td>1</td><td>1 h</td>" in _section(html, "first_response")
        assert "<td>Sam Agent</td><td>1</td><td>4.0</td>" in _section(html, "satisfaction")
        for kind in ("first_response", "resolution", "satisfaction", "load"):  # sla: no targets
            assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in _section(
                html, kind), kind  # a chart per report
        assert "1 h 30 min</title>" in resolution  # the bar says its value
        csv_text = (await (await client.get(
            "/reports/first_response.csv?from=2026-03-01&to=2026-03-31")).read()).decode(
            "utf-8-sig")
        assert "Sam Agent,1,1 h" in csv_text
        await post(client, "/language", csrf, language="ru", next="/reports")
        html = await (await client.get("/reports?from=2026-03-01&to=2026-03-31")).text()
        assert "<td>1 ч 30 мин</td>" in _section(html, "resolution")
        await post(client, "/language", csrf, language="fa", next="/reports")
        html = await (await client.get("/reports?from=2026-03-01&to=2026-03-31")).text()
        assert "۱ ساعت ۳۰ دقیقه" in _section(html, "resolution")
        assert 'direction="rtl"' in _section(html, "resolution")
    finally:
        await client.close()


async def test_xlsx_has_a_bold_header_widths_and_the_tickets_behind_it(panel: Panel) -> None:
    ticket = await _worked_example(panel)
    other = await panel.desk.handle(c.ClientWrites("telegram", "8", "=cmd|calc", "Still open"))
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        response = await client.get("/reports/resolution.xlsx?from=2026-03-01&to=2026-03-31")
        assert response.headers["Content-Disposition"].startswith("attachment")
        book = load_workbook(io.BytesIO(await response.read()))
        summary, tickets = book.worksheets
        rows = list(summary.iter_rows(values_only=True))
        assert rows[0] == ("Employee", "Tickets", "Average")
        assert ("Sam Agent", 1, "1 h 30 min") in rows
        assert all(cell.font.bold for cell in summary[1])
        assert tickets.title == "Tickets"
        header = [cell.value for cell in tickets[1]]
        assert header == ["#", "Subject", "Client", "Responsible", "Status", "Created",
                          "Resolution time"]
        assert all(cell.font.bold for cell in tickets[1])
        assert tickets.column_dimensions["B"].width >= 30  # the subject has room
        assert summary.column_dimensions["A"].width >= len("Sam Agent")
        lines = list(tickets.iter_rows(min_row=2, values_only=True))
        assert len(lines) == 1  # the open ticket has no resolution time yet
        number, subject, client_name, responsible, status, created, spent = lines[0]
        assert (number, subject, client_name, responsible) == (
            ticket, "Where is my parcel?", "Rita", "Sam Agent")
        assert status == "Resolved" and created == T0.replace(tzinfo=None)
        assert spent == timedelta(minutes=90)
        assert tickets.cell(2, 7).number_format == "[h]:mm"
        # satisfaction: the rated ticket with its score; load: the open ticket, its client
        # name kept as text, never a formula
        await panel.desk.handle(c.AssignTicket(other.ticket_id, panel.admin_id, panel.lead_id))
        book = load_workbook(io.BytesIO(await (await client.get(
            "/reports/satisfaction.xlsx?from=2026-03-01&to=2026-03-31")).read()))
        assert [r[0] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)] == [
            ticket]
        book = load_workbook(io.BytesIO(await (await client.get("/reports/load.xlsx")).read()))
        lines = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
        assert [(r[0], r[2]) for r in lines] == [(other.ticket_id, "'=cmd|calc")]
        book = load_workbook(io.BytesIO(await (await client.get(
            "/reports/all.xlsx?from=2026-03-01&to=2026-03-31")).read()))
        assert book.sheetnames[:2] == ["First response time", "First response time — Tickets"]
        assert len(book.sheetnames) == 10  # every report, each with its tickets
    finally:
        await client.close()


async def test_an_export_reads_its_tickets_a_batch_at_a_time(panel: Panel) -> None:
    from storage import report_views

    for n in range(5):
        await panel.desk.handle(c.ClientWrites("telegram", str(n), f"C{n}", f"Question {n}"))
    moment = datetime.now(UTC)
    scope = report_views.ReportScope(moment - timedelta(days=1), moment + timedelta(days=1))
    batches = [b async for b in report_views.report_fact_batches(scope, size=2)]
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [f.ticket.subject for b in batches for f in b] == [
        f"Question {n}" for n in range(5)]


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
        chart = html[html.index("<svg"):html.index("</svg>")]
        assert "<script" not in chart
        # a specialist's dashboard counts only their tickets
        await client.close()
        client = await panel.client()
        await sign_in(client, "sam")
        html = await (await client.get("/")).text()
        assert "<b>1</b><span>Open</span>" in html
    finally:
        await client.close()


async def test_dashboard_sla_cards_link_to_lists_with_the_same_counts(panel: Panel) -> None:
    from admin_web.ticket_list import end_of_today

    moment = datetime.now(UTC)
    later_today = moment + (end_of_today("UTC", moment) - moment) / 2
    opened = [await panel.desk.handle(c.ClientWrites(
        "telegram", str(n), f"Client {n}", f"Question {n}")) for n in range(4)]
    tickets = [int(r.ticket_id) for r in opened]
    for ticket, due in zip(tickets, (moment - timedelta(hours=3), moment - timedelta(days=2),
                                     later_today, moment + timedelta(days=3)), strict=True):
        await panel.desk.handle(c.SetTicketField(ticket, panel.admin_id,
                                                 "planned_resolution_at", due))
    await panel.desk.handle(c.AddAgentReply(tickets[3], panel.agent_id, "On it",
                                            resolve=True))
    await panel.desk.handle(c.ClientRatesTicket(opened[3].contact_id, tickets[3], 5))
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        html = await (await client.get("/")).text()
        for tile, count in (("overdue", 2), ("due-today", 1)):
            found = re.search(rf'href="([^"]+)" id="tile-{tile}"><b>(\d+)</b>', html)
            assert found, tile
            assert int(found.group(2)) == count
            listing = await (await client.get(found.group(1).replace("&amp;", "&"))).text()
            shown = f"{count} ticket" + ("" if count == 1 else "s")
            assert f'<small id="ticket-count">{shown}</small>' in listing, tile
        response = html[html.index('id="tile-first-response"'):]
        assert re.match(r'id="tile-first-response"><b>(under 1 min|\d+ min)</b>', response)
        assert "Answered tickets: 1" in response
        assert '<b>5.0<small> / 5</small></b><span>Satisfaction</span>' in html
    finally:
        await client.close()
