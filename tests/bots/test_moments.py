"""Times people read are in the desk's time zone, with the zone named."""

from __future__ import annotations

from datetime import UTC, datetime

from bots.i18n import translator
from bots.messenger.compose import status_notice
from bots.moments import local_time


def test_a_moment_reads_in_the_desks_zone_across_a_dst_change() -> None:
    winter = datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    summer = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert local_time(winter, "Europe/Berlin") == "2026-03-28 10:00 CET"
    assert local_time(summer, "Europe/Berlin") == "2026-03-30 11:00 CEST"
    assert local_time(summer) == "2026-03-30 09:00 UTC"
    assert local_time(None, "Europe/Berlin") == "—"


def test_a_vk_or_viber_client_reads_the_hold_time_in_the_desks_zone() -> None:
    _ = translator("en", "notices")
    until = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    text = status_notice(_, 42, "on_hold", {"on_hold": "On hold"}, until, "Europe/Moscow")
    assert "2026-12-01 10:00 MSK" in text
