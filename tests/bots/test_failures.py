"""A failed delivery's record, as each sender writes it, reads as a reason a person can act
on (the panel words it in the viewer's language)."""

from __future__ import annotations

import pytest

from bots.failures import FailureReason, failure_reason
from bots.i18n import translator
from bots.telegram.render_agents import delivery_failed

R = FailureReason


@pytest.mark.parametrize(("record", "reason"), [
    ("Bad Request: chat not found", R.NO_CHAT),
    ("Forbidden: bot can't initiate conversation with a user", R.NO_CHAT),
    ("the client is not registered (Viber): receiverNotRegistered", R.NO_CHAT),
    ("the client has no VK id", R.NO_CHAT),
    ("Forbidden: bot was blocked by the user", R.BLOCKED),
    ("Forbidden: user is deactivated", R.BLOCKED),
    ("VK error 901: Can't send messages for users without permission", R.BLOCKED),
    ("the client denied messages (VK)", R.BLOCKED),
    ("the client unsubscribed (Viber): nothing was sent", R.BLOCKED),
    ("the client blocked the bot (Viber): receiverBlocked", R.BLOCKED),
    ("Bad Request: message is too long", R.TOO_LONG),
    ("Request Entity Too Large", R.TOO_LONG),
    ("VK error 914: Message is too long", R.TOO_LONG),
    ("TelegramNetworkError: HTTP Client says - ClientConnectorError: Cannot connect to host",
     R.NETWORK),
    ("ConnectionError: HTTPSConnectionPool(host='chatapi.viber.com')", R.NETWORK),
    ("TimeoutError: ", R.NETWORK),
    ("TelegramServerError: Telegram server says - Bad Gateway", R.NETWORK),
    ("Bad Request: can't parse entities", R.OTHER),
    ("", R.OTHER),
])
def test_each_platforms_refusal_reads_as_a_reason(record: str, reason: FailureReason) -> None:
    assert failure_reason(record) is reason


@pytest.mark.parametrize(("language", "words"), [
    ("en", "the client blocked the bot"), ("ru", "клиент заблокировал бота"),
    ("fa", "مشتری ربات را مسدود کرده")])
def test_the_teams_notice_says_why_in_the_desks_language(language: str, words: str) -> None:
    note = delivery_failed(translator(language, "notices"),
                           "Forbidden: bot was blocked by the user", None)
    assert words in note and "Forbidden" not in note
