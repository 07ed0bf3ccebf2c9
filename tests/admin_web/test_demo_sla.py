"""The demo desk on its first start: its SLA calendar and rules gave the demo tickets due
times, so the ticket list and the SLA report show real figures; its past replies read as
delivered."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from chatdesk.demo import load_demo
from storage import models as m
from tests.admin_web.conftest import Panel, sign_in

MOMENT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # loading costs seconds
async def test_after_the_demo_the_sla_report_and_the_list_show_due_times(panel: Panel) -> None:
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    result = await load_demo(15, 1, end=end)
    assert result.failed_steps == 0
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        period = f"from={(end - timedelta(days=70)).date()}&to={end.date()}"
        report = await (await client.get(f"/reports/sla.csv?{period}")).read()
        rows = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
        listing = await (await client.get("/tickets")).text()
        answered = await m.CommentRow.filter(author_kind="employee", public=True).first()
        assert answered is not None
        ticket_page = await (await client.get(f"/tickets/{answered.ticket_id}")).text()
    finally:
        await client.close()
    reaction, resolution = rows[1], rows[2]
    assert int(reaction[1]) + int(reaction[2]) >= 8 and float(reaction[3]) > 0
    assert int(resolution[1]) + int(resolution[2]) >= 5 and float(resolution[3]) > 0
    table = listing[listing.index('id="ticket-list"'):]
    table = table[:table.index("</table>")]
    shown = table.count("<tr>") - 1  # the header row
    assert shown > 0 and len(MOMENT.findall(table)) >= 2 * shown  # created and due, each
    # the demo's past replies reached their (made-up) clients, as the story has it
    assert " · sent" in ticket_page and " · pending" not in ticket_page
