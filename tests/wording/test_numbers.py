"""Figures in Persian are written with Persian digits wherever the wording puts them into a
text (counts, durations, scores); ticket numbers, ids and phones stay as typed."""

from __future__ import annotations

import pytest

from admin_web.i18n import Translator as PanelTranslator
from bots.i18n import translator
from wording.durations import format_duration
from wording.numbers import digits, fill
from wording.words import words


def test_persian_writes_figures_with_its_own_digits_and_decimal_separator() -> None:
    assert [digits(1234567890, lang) for lang in ("en", "ru", "fa")] == [
        "1234567890", "1234567890", "۱۲۳۴۵۶۷۸۹۰"]
    assert digits("4.5", "fa") == "۴٫۵"


@pytest.mark.parametrize("language", ["fa", "en", "ru"])
def test_counts_and_durations_use_the_same_digits_in_one_text(language: str) -> None:
    count = PanelTranslator(language).ngettext("{count} ticket", "{count} tickets", 12)
    duration = format_duration(12 * 3600, language)
    figure = "۱۲" if language == "fa" else "12"
    assert figure in count and figure in duration
    assert figure in translator(language, "agents").ngettext("{count} ticket",
                                                             "{count} tickets", 12)
    assert figure in words("{count} ticket", "{count} tickets", 12, language)


def test_a_persian_score_is_in_persian_digits_but_the_ticket_number_stays_as_typed() -> None:
    _ = translator("fa", "client")
    rated = _("Closed — rated {score}★", score=4)
    assert "۴" in rated and "4" not in rated
    resolved = _("Ticket #{number} is resolved.", number=123)
    assert "123" in resolved and "۱۲۳" not in resolved
    assert fill("{code} · {n}", "fa", code=4021, n=3) == "4021 · ۳"
    assert fill("{count} · {n}", "fa", count=True, n="7") == "True · 7"  # only whole numbers
