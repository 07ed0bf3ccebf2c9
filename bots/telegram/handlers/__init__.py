"""The Telegram routers: clients in private chats, agents in the team chat(s). Each
update becomes one command for the core (or one answer through the outbox); everything a
ticket change causes is planned by the core and delivered by the sender."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, F, Router
from aiogram.types import CallbackQuery, Message, TelegramObject

from bots.telegram.config import TelegramConfig
from bots.telegram.handlers import (
    agent_callbacks,
    agent_commands,
    agent_lists,
    agent_topic,
    canned,
    client_callbacks,
    client_commands,
    client_messages,
    follow,
    link,
    macro,
)
from bots.telegram.handlers.errors import DomainErrorsMiddleware
from bots.telegram.handlers.filters import inline
from bots.telegram.handlers.identity import AgentIdentityMiddleware
from bots.telegram.team_forums import TeamForums
from core.outbox import Audience
from storage.delivery import TopicStore
from storage.lists import TicketLists


class ReadSide(BaseMiddleware):
    """Hands handlers (and filters) the read-side queries as `lists` and `topics`."""

    def __init__(self, lists: TicketLists, topics: TopicStore) -> None:
        self.lists = lists
        self.topics = topics

    async def __call__(
        self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject, data: dict[str, Any],
    ) -> Any:
        data["lists"], data["topics"] = self.lists, self.topics
        return await handler(event, data)


def build_routers(config: TelegramConfig, lists: TicketLists | None = None,
                  topics: TopicStore | None = None,
                  forums: TeamForums | None = None) -> list[Router]:
    lists, topics, forums = lists or TicketLists(), topics or TopicStore(), forums or TeamForums()
    read_side = ReadSide(lists, topics)

    clients = Router(name="clients")
    clients.message.filter(inline(F.chat.type == "private"))
    clients.callback_query.filter(inline(F.message.chat.type == "private"))
    clients.include_routers(client_commands.router(), client_callbacks.router(),
                            client_messages.router())

    agents = Router(name="agents")

    async def agents_chat(chat_id: int) -> bool:  # the desk's or a team's forum
        return chat_id in config.agent_chats or await forums.is_forum(chat_id)

    async def agents_message(message: Message) -> bool:
        return await agents_chat(message.chat.id)

    async def agents_callback(query: CallbackQuery) -> bool:
        return query.message is not None and await agents_chat(query.message.chat.id)

    agents.message.filter(agents_message)
    agents.callback_query.filter(agents_callback)
    identity = AgentIdentityMiddleware(lists)
    agents.include_routers(agent_commands.router(), link.router(), follow.router(),
                           canned.router(), macro.router(), agent_lists.router(),
                           agent_callbacks.router(), agent_topic.router())

    for router, domain, audience in ((clients, "client", Audience.CLIENT),
                                     (agents, "agents", Audience.AGENTS)):
        for observer in (router.message, router.callback_query):
            observer.outer_middleware(read_side)
            observer.middleware(DomainErrorsMiddleware(domain, audience))
    for observer in (agents.message, agents.callback_query):
        observer.middleware(identity)
    return [clients, agents]
