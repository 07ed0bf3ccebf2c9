"""The agents' lists (/queue, /mine, /history) end with how many tickets they hold, in the
plural form of the agent's language."""

from __future__ import annotations

import pytest

from bots.i18n import translator
from bots.telegram.handlers.agent_lists import render_lines
from storage.lists import TicketLine


def _lines(count: int) -> list[TicketLine]:
    return [TicketLine(n, f"Printer {n}", "open", "Open", True) for n in range(1, count + 1)]


@pytest.mark.parametrize(("language", "count", "last"), [
    ("ru", 2, "2 обращения"), ("ru", 5, "5 обращений"), ("ru", 21, "21 обращение"),
    ("fa", 3, "۳ درخواست"), ("en", 2, "2 tickets"),
])
def test_a_list_says_how_many_tickets_it_holds(language: str, count: int, last: str) -> None:
    lines = render_lines(_lines(count), translator(language, "agents"))
    assert len(lines) == count + 1 and lines[-1] == last


def test_a_single_ticket_needs_no_count() -> None:
    assert len(render_lines(_lines(1), translator("ru", "agents"))) == 1
