"""The channels page's table of the agents' Telegram forums (#18): how full each forum is,
the posts waiting for it and the expected delay, in the administrator's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bots.telegram.forums import ForumGauge
from core import commands as c
from core.outbox import Audience, OutboundMessage
from storage.delivery import OutboxStore, Topic, TopicStore
from tests.admin_web.conftest import Panel, post, sign_in

FULL, QUIET = -1001000000001, -1001000000002


def _row(html: str, chat_id: int) -> str:
    row = re.search(rf'<tr data-forum="{chat_id}">.*?</tr>', html, re.S)
    assert row, html
    return re.sub(r"\s+", " ", row.group(0))


async def test_the_channels_page_warns_of_a_full_forum_and_shows_each_forums_backlog(
        panel: Panel) -> None:
    gauge = ForumGauge()
    await gauge.saw(FULL, 812_345)  # as the sender does with every post's message id
    await gauge.saw(QUIET, 1_200)
    ticket = (await panel.desk.handle(c.ClientWrites("telegram", "7", "Ivan", "hello"))).ticket_id
    await TopicStore().save(Topic(ticket, QUIET, 77, 78, "#1", False))
    now = datetime.now(UTC)
    await OutboxStore().add([OutboundMessage("telegram", Audience.AGENTS, "client_comment",
                                             ticket, now, comment_id=n) for n in range(30)])
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        html = await (await client.get("/settings/channels")).text()
        full, quiet = _row(html, FULL), _row(html, QUIET)
        assert "812345 (81%)" in full and "Nearly full" in full
        assert "Nearly full" not in quiet and "1200 (0%)" in quiet
        # 30 posts (and the new ticket's own) at 20 a minute
        assert re.search(r"<td>3[0-9]</td><td>up to 9[0-9] s</td>", quiet), quiet

        await post(client, "/language", csrf, language="ru")
        html = await (await client.get("/settings/channels")).text()
        assert "Почти полон" in _row(html, FULL) and "Форумы агентов" in html
    finally:
        await client.close()
