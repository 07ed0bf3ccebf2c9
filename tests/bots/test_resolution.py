"""Which presses on an answered resolution question still apply (`bots.resolution`)."""

from __future__ import annotations

import pytest

from bots.i18n import translator
from bots.resolution import Answered

RESOLVED, CLOSED, OPEN = "resolved", "closed", "open"


@pytest.mark.parametrize(("status", "rating", "live"), [
    (RESOLVED, None, {"close", "reopen", "rate"}),
    (RESOLVED, 4, {"close", "reopen", "rate"}),  # resolved again after a reopen
    (CLOSED, None, {"rate"}),  # confirmed first: the stars stay
    (CLOSED, 4, {"comment", "skip"}),  # rated: only the comment choice
    (OPEN, 4, {"rate"}),  # open again: stars are the core's to refuse
])
def test_a_press_applies_only_while_the_question_is_open(
        status: str, rating: int | None, live: set[str]) -> None:
    answered = Answered(7, status, rating)
    actions = {"close", "reopen", "rate", "comment", "skip"}
    assert {a for a in actions if not answered.stale(a)} == live


@pytest.mark.parametrize(("language", "status", "rating", "expected"), [
    ("en", CLOSED, 4, "Closed — rated 4★"),
    ("ru", CLOSED, 4, "Закрыто — оценка 4★"),
    ("fa", CLOSED, None, "بسته شد. هنوز می‌توانید به کار ما امتیاز دهید:"),
    ("ru", OPEN, 4, "Обращение #7 снова открыто."),
])
def test_the_outcome_reads_in_the_clients_language(language: str, status: str,
                                                   rating: int | None, expected: str) -> None:
    assert Answered(7, status, rating).outcome(translator(language, "client")) == expected
