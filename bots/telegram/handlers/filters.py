"""aiogram runs a filter that is not a coroutine function in a thread (`asyncio.to_thread` in
`CallableObject.call`): for a magic filter (`F.chat.type == "private"`), a hop to the thread
pool and back for every update it looks at, and a pause in which every other task of the
process (the outbox relay's deliveries) runs first. Under a burst that pause, a dozen times
per update, made the intake wait most of its time on PostgreSQL. Our filters are attribute
checks, so they run in the event loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from magic_filter import MagicFilter


def inline(magic: MagicFilter) -> Callable[[Any], Awaitable[Any]]:
    """The same check as `magic`, as a coroutine function aiogram awaits in place."""
    resolve = magic.resolve

    async def check(event: Any) -> Any:
        return resolve(event)

    check.__qualname__ = f"inline({magic!r})"
    return check
