"""The buttons of a ticket's card (`t:<action>:<id>`): the same commands as /take,
/escalate, /deescalate, /wait, /resolve, /close and /reopen."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.agent_commands import SIMPLE
from bots.telegram.handlers.common import acknowledge, agent_tr, parse_button
from bots.telegram.handlers.filters import inline
from core.outbox import InboundRef
from core.people import Employee
from core.services import Desk

ACTIONS = {action: 1 for action in SIMPLE}


def router() -> Router:
    r = Router(name="agent-card-buttons")
    r.callback_query.register(on_card_button, inline(F.data.startswith("t:")))
    return r


async def on_card_button(callback: CallbackQuery, employee: Employee, desk: Desk,
                         tg: TelegramConfig, source: InboundRef) -> None:
    action, (ticket_id,) = parse_button(callback.data, "t", ACTIONS)
    await desk.handle(SIMPLE[action](ticket_id, employee.id), source=source)
    await acknowledge(callback, agent_tr(callback.from_user, tg)("Done."))
