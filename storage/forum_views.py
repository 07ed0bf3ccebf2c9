"""What the channels page shows of the agents' forums: how full each one is (kept by
bots/telegram/forums.py) and the posts waiting for it."""

from __future__ import annotations

from storage.messenger_state import MessengerState
from storage.plain_sql import select

CAPACITY = 1_000_000  # messages in a forum after which Telegram loses its old topics
PREFIX = "forum:"  # messenger_state keys of the forums' counts

_BACKLOG = """
SELECT t.chat_id AS chat_id, COUNT(*) AS n
FROM outbox o LEFT JOIN telegram_topics t ON t.ticket_id = o.ticket_id
WHERE o.channel = 'telegram' AND o.audience = 'agents' AND o.state = 'pending'
GROUP BY t.chat_id"""


async def forum_backlog() -> dict[int | None, int]:
    """Pending agents' Telegram messages per forum (by the chat of their ticket's topic;
    None for tickets that have no topic yet, and for messages of no ticket)."""
    rows = await select(_BACKLOG, [])
    return {(int(r["chat_id"]) if r["chat_id"] is not None else None): int(r["n"])
            for r in rows}


async def forum_counts() -> dict[int, dict[str, int | bool]]:
    """Each forum the bot has posted in: its messages, capacity, and whether it was warned."""
    found = await MessengerState().with_prefix("telegram", PREFIX)
    return {int(chat): {"count": int(v.get("count") or 0),
                        "capacity": int(v.get("capacity") or CAPACITY),
                        "warned": bool(v.get("warned"))} for chat, v in found.items()}


async def group_forums() -> dict[int, int]:
    """Employee group id -> the group's own agents' forum, for the groups that have one."""
    rows = await select("SELECT id, telegram_chat_id FROM employee_groups"
                        " WHERE telegram_chat_id IS NOT NULL", [])
    return {int(r["id"]): int(r["telegram_chat_id"]) for r in rows}


async def ticket_place(ticket_id: int) -> tuple[int, int | None]:
    """The ticket's line and responsible group: where its topic belongs."""
    rows = await select("SELECT line, group_id FROM tickets WHERE id = {}", [ticket_id])
    if not rows:
        return 1, None
    group = rows[0]["group_id"]
    return int(rows[0]["line"]), int(group) if group is not None else None
