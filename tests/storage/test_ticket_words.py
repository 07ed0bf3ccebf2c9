"""The ticket list at scale (issue 16) on SQLite and PostgreSQL: word search by the engine's
full-text index (FTS5, tsvector), keyset pages and a count that stops."""

from __future__ import annotations

from datetime import UTC, datetime

from chatdesk.bootstrap import build_desk
from core import commands as c
from storage import panel_views as views


async def _found(text: str) -> list[int]:
    page = await views.list_tickets(views.TicketFilter(text=text), None,
                                    await views.reference(), datetime.now(UTC))
    return sorted(i.ticket.id for i in page.items)


async def test_words_are_found_in_any_order_case_and_script_by_prefix(database: str) -> None:
    desk = build_desk()
    agent = (await desk.handle(c.AddEmployee("Ann", "ann", "specialist"))).id
    parcel = (await desk.handle(c.ClientWrites("telegram", "1", "Ирина Петрова",
                                               "Where is my parcel?"))).ticket_id
    refund = (await desk.handle(c.ClientWrites("vk", "2", "Omid", "درخواست بازپرداخت"))
              ).ticket_id
    await desk.handle(c.AddAgentReply(parcel, agent, "The courier has your ORDER"))
    assert await _found("order parc") == [parcel]  # a later comment, a prefix, any order
    assert await _found("ИРИНА order") == [parcel]  # the client's name, any case
    assert await _found("بازپرداخت") == [refund]
    assert await _found("parcel بازپرداخت") == []  # every word must match
    assert await _found(f"#{refund}") == [refund]
    assert await _found("'; DROP TABLE tickets; --") == []  # words, never SQL
    assert await _found("courier") == [parcel]


async def test_pages_follow_the_last_id_and_the_count_stops(database: str) -> None:
    desk = build_desk()
    ids = [(await desk.handle(c.ClientWrites("telegram", str(n), f"C{n}", f"Question {n}"))
            ).ticket_id for n in range(7)]
    ref, moment = await views.reference(), datetime.now(UTC)
    seen: list[int] = []
    before = None
    while True:
        page = await views.list_tickets(views.TicketFilter(), None, ref, moment, per_page=3,
                                        before_id=before, count_limit=5)
        seen += [i.ticket.id for i in page.items]
        assert (page.total, page.capped) == (5, True)  # "more than 5"
        if not page.more:
            break
        before = page.last_id
    assert seen == sorted(ids, reverse=True)  # every ticket once, newest first
    exact = await views.list_tickets(views.TicketFilter(), None, ref, moment, count_limit=50)
    assert (exact.total, exact.capped, exact.more) == (7, False, False)
