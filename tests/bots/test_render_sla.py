"""What agents read in a ticket's topic when an SLA deadline nears or passes, or an
automation rule notifies them."""

from __future__ import annotations

from datetime import UTC, datetime

from bots.i18n import translator
from bots.telegram import render_agents as ra
from bots.telegram.render import MAX_TEXT, visible_len
from storage.views import CommentView, EmployeeRef

ANNA = EmployeeRef(1, "Anna <A&B>", "anna", 7001)
BORIS = EmployeeRef(2, "Boris", "boris", None)


def test_breach_names_the_target_time_and_notifies_the_people_linked_in_telegram():
    text = ra.sla_alert(translator("en", "notices"), True, "resolution", "2026-12-01 10:00",
                        [ANNA, BORIS])
    assert "breached" in text and "resolution" in text and "2026-12-01 10:00" in text
    assert '<a href="tg://user?id=7001">Anna &lt;A&amp;B&gt;</a>' in text
    assert "<b>Boris</b>" in text


def test_warning_is_not_a_breach():
    text = ra.sla_alert(translator("en", "notices"), False, "reaction", "2026-12-01 09:25", [])
    assert "warning" in text and "reaction" in text and "breached" not in text


def test_automation_notice_escapes_the_rule_text():
    assert ra.team_notice("VIP <client> waiting", [BORIS]).startswith(
        "🔔 VIP &lt;client&gt; waiting")


def test_a_mention_of_a_long_note_quotes_an_excerpt_that_fits_one_post() -> None:
    note = CommentView(7, 3, "word " * 2000, False, "telegram", "employee", 1, "Anna", (),
                       "pending", datetime(2026, 11, 28, tzinfo=UTC))
    people = [EmployeeRef(2, "Boris", "boris", 222)]
    text = ra.mention(translator("en", "agents", "en"), note, people)
    assert visible_len(text) <= MAX_TEXT
    assert "…</blockquote>" in text and text.count("word") == ra.MENTION_EXCERPT // 5
