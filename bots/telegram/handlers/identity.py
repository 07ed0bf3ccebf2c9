"""Who is acting in the agents' chats: the active employee linked to the Telegram account
(handed to handlers as `employee`). Anyone else is refused once, then ignored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Chat, TelegramObject
from aiogram.types import User as TgUser

from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.common import acknowledge, agent_tr, answer
from core.outbox import Audience, InboundRef
from core.ports import Clock
from core.services import Desk
from storage.lists import TicketLists


class AgentIdentityMiddleware(BaseMiddleware):
    """Inner middleware of the agents' routers: it runs only for updates a handler would
    act on, so chatter and service messages never draw a refusal."""

    def __init__(self, lists: TicketLists) -> None:
        self.lists = lists
        # Per process: after a restart a stranger may be told once more, never more often.
        self.refused: set[int] = set()

    async def __call__(
        self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject, data: dict[str, Any],
    ) -> Any:
        user: TgUser | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return None
        employee = await self.lists.employee_by_telegram_id(user.id)
        if employee is not None and employee.active:
            data["employee"] = employee
            return await handler(event, data)
        if user.id not in self.refused:
            await self._refuse(event, data, user, deactivated=employee is not None)
            self.refused.add(user.id)
        return None

    @staticmethod
    async def _refuse(event: TelegramObject, data: dict[str, Any], user: TgUser,
                      deactivated: bool) -> None:
        tg: TelegramConfig = data["tg"]
        tr = agent_tr(user, tg)
        text = tr("Your account is deactivated, so you cannot work on tickets here.") \
            if deactivated else tr(
                "Only members of the support team can work here. Ask an administrator to "
                "link your Telegram account (id {telegram_id}).", telegram_id=user.id)
        if isinstance(event, CallbackQuery):
            await acknowledge(event, text, alert=True)
            return
        chat: Chat = data["event_chat"]
        desk: Desk = data["desk"]
        clock: Clock = data["clock"]
        source: InboundRef | None = data.get("source")
        await desk.reply([answer(clock, chat.id, escape(text), audience=Audience.AGENTS,
                                 thread_id=data.get("event_thread_id"))], source=source)
