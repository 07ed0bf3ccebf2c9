"""Durations and counts in the person's language: one formatter for bots, panel and reports,
and plural forms by each catalog's rule (Russian has three)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from admin_web.i18n import Translator as PanelTranslator
from bots.i18n import translator
from wording.durations import format_duration, weekday_names
from wording.numbers import digits
from wording.terms import channel_name
from wording.words import words

DAY, HOUR, MINUTE = 86400, 3600, 60


@pytest.mark.parametrize(("seconds", "en", "ru", "fa"), [
    (DAY + 17 * HOUR + 25 * MINUTE, "1 d 17 h", "1 д 17 ч", "۱ روز ۱۷ ساعت"),
    (90 * MINUTE, "1 h 30 min", "1 ч 30 мин", "۱ ساعت ۳۰ دقیقه"),
    (8 * HOUR, "8 h", "8 ч", "۸ ساعت"),
    (7 * MINUTE + 20, "7 min", "7 мин", "۷ دقیقه"),
    (12, "under 1 min", "меньше 1 мин", "کمتر از ۱ دقیقه"),  # in words: "<" would mirror
    (0, "0 min", "0 мин", "۰ دقیقه"),
    (2 * DAY + 5 * MINUTE, "2 d", "2 д", "۲ روز"),
])
def test_a_duration_reads_in_days_hours_and_minutes(seconds: int, en: str, ru: str,
                                                    fa: str) -> None:
    assert [format_duration(seconds, lang) for lang in ("en", "ru", "fa")] == [en, ru, fa]
    assert format_duration(timedelta(seconds=seconds), "en") == en


def test_no_duration_is_a_dash() -> None:
    assert format_duration(None, "ru") == "—"


@pytest.mark.parametrize(("count", "ru"), [
    (1, "1 заявка"), (2, "2 заявки"), (4, "4 заявки"), (5, "5 заявок"), (11, "11 заявок"),
    (21, "21 заявка"), (22, "22 заявки"), (112, "112 заявок"),
])
def test_russian_counts_take_the_right_plural_form(count: int, ru: str) -> None:
    assert PanelTranslator("ru").ngettext("{count} ticket", "{count} tickets", count) == ru
    assert words("{count} ticket", "{count} tickets", count, "ru") == ru  # the shared words
    bots = translator("ru", "agents").ngettext("{count} ticket", "{count} tickets", count)
    assert bots.split()[1] in {"обращение", "обращения", "обращений"}  # the bots' own word
    assert PanelTranslator("en").ngettext("{count} ticket", "{count} tickets",
                                          count) == f"{count} ticket{'s' * (count != 1)}"
    assert PanelTranslator("fa").ngettext("{count} ticket", "{count} tickets",
                                          count) == f"{digits(count, 'fa')} درخواست"


def test_weekdays_and_channels_are_named_in_the_language() -> None:
    assert weekday_names("ru", "abbreviated")[0] == "пн"
    assert weekday_names("fa")[4] == "جمعه"
    assert channel_name("vk", "ru") == "ВКонтакте" and channel_name("web", "fa") == "فرم وب"
    assert channel_name("carrier-pigeon", "ru") == "carrier-pigeon"
