"""aiogram runs every filter or handler that is not a coroutine function in a thread, and the
update waits while every other task of the process runs. Under a burst that made the intake
wait on the outbox relay most of its time (PostgreSQL: 195 messages/s, 602 once the filters
ran in the loop; docs/PERFORMANCE.md). No filter or handler of ours may go to a thread."""

from __future__ import annotations

from aiogram import Router
from aiogram.dispatcher.event.handler import HandlerObject

from bots.telegram.config import TelegramConfig
from bots.telegram.handlers import build_routers


def _handlers(router: Router) -> list[tuple[str, HandlerObject]]:
    found = []
    for name, observer in router.observers.items():
        found.append((f"{router.name}.{name} (the router's filters)", observer._handler))
        found += [(f"{router.name}.{name}: {h.callback.__name__}", h)
                  for h in observer.handlers]
    for sub in router.sub_routers:
        found += _handlers(sub)
    return found


def test_every_filter_and_handler_runs_in_the_event_loop_not_in_a_thread() -> None:
    config = TelegramConfig(token="1:x", api_url="http://127.0.0.1:1", agent_chat_id=-100,
                            line2_chat_id=-200)
    handlers = [h for router in build_routers(config) for h in _handlers(router)]
    assert len(handlers) > 30  # the clients' and agents' routers, with their sub-routers
    threaded = [f"{where}: {f.callback!r}" for where, handler in handlers
                for f in handler.filters or () if not f.awaitable]
    threaded += [where for where, handler in handlers
                 if handler.callback.__name__ != "<lambda>" and not handler.awaitable]
    assert threaded == []
