"""The channels page's table of the agents' Telegram forums (#18): how full each forum is,
the posts waiting for it and the expected delay, in the administrator's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bots.telegram.forums import ForumGauge
from core import commands as c
from core.outbox import Audience, OutboundMessage
from storage.delivery import OutboxStore, Topic, TopicStore
from storage.forum_views import group_forums
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


async def test_a_group_gets_its_own_forum_on_the_employees_page(panel: Panel) -> None:
    client = await panel.client()
    try:
        csrf = await sign_in(client, "ada")
        await post(client, "/settings/groups", csrf, name="Billing",
                   telegram_chat_id="-1001234567890")
        [billing] = [g for g, chat in (await group_forums()).items() if chat == -1001234567890]
        page = await (await client.get("/settings/employees")).text()
        assert 'inputmode="numeric" value="-1001234567890"' in page

        await post(client, "/language", csrf, language="ru")
        refused = await (await post(client, "/settings/groups", csrf, name="Tech",
                                    telegram_chat_id="12345")).text()
        assert "форум — это супергруппа с отрицательным номером, а не 12345" in refused
        taken = await (await post(client, "/settings/groups", csrf, name="Tech",
                                  telegram_chat_id="-1001234567890")).text()
        assert "форум -1001234567890 уже принадлежит другой группе" in taken
        await post(client, "/settings/groups", csrf, id=str(billing), name="Billing",
                   telegram_chat_id="")
        assert await group_forums() == {}
    finally:
        await client.close()
