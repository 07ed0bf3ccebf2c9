"""Nothing heavy on the event loop (issue 16): while an XLSX export is being written, /healthz
and the ticket list still answer, and the CSV comes as a stream."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Sequence
from typing import Any

import pytest
from openpyxl import load_workbook

from admin_web import exports
from core import commands as c
from tests.admin_web.conftest import Panel, sign_in


async def test_healthz_and_the_list_answer_while_an_export_is_written(
        panel: Panel, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(3):
        await panel.desk.handle(c.ClientWrites("telegram", str(n), f"C{n}", f"Question {n}"))
    writing, release = threading.Event(), threading.Event()
    append = exports._append

    def held_append(sheet: Any, rows: list[Sequence[object]]) -> None:
        """The writer holds on its first batch until the test has made its requests: were
        it on the event loop, nothing else could answer meanwhile."""
        writing.set()
        release.wait(timeout=10)
        append(sheet, rows)

    monkeypatch.setattr(exports, "_append", held_append)
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        export = asyncio.ensure_future(client.get("/reports/all.xlsx"))
        for _ in range(500):
            if writing.is_set():
                break
            await asyncio.sleep(0.01)
        assert writing.is_set(), "the export never started writing"
        health = await client.get("/healthz")
        tickets = await client.get("/tickets")
        assert (health.status, tickets.status) == (200, 200)
        assert "Question 2" in await tickets.text()
        assert not export.done()  # they answered while the workbook was being written
        release.set()
        response = await export
        assert response.status == 200
        book = load_workbook(io.BytesIO(await response.read()))
        assert len(book.sheetnames) == 10
    finally:
        release.set()
        await client.close()


async def test_a_csv_report_streams_in_chunks(panel: Panel) -> None:
    await panel.desk.handle(c.ClientWrites("telegram", "1", "Rita", "Hello"))
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        response = await client.get("/reports/load.csv")
        assert response.status == 200
        assert response.headers.get("Transfer-Encoding") == "chunked"  # no length up front
        assert response.headers["Content-Disposition"].startswith("attachment")
        text = (await response.read()).decode("utf-8-sig")
        assert text.splitlines()[0] == "Employee,Open tickets"
    finally:
        await client.close()
