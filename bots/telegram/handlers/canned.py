"""Canned answers in a ticket's topic (docs/DOMAIN.md §3.6): /canned shows the groups, a group
its answers, an answer its text with "Send" (to the client) and "Edit" (the bot posts the
text for the agent to copy, adjust and send as an ordinary reply).

Callback data: cn:g:<group id>:<ticket id>, cn:a:<answer id>:<ticket id>,
cn:s:<answer id>:<ticket id> (send), cn:e:<answer id>:<ticket id> (edit)."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message

from bots.i18n import Translator
from bots.telegram.config import TelegramConfig
from bots.telegram.handlers.common import (
    acknowledge,
    agent_tr,
    keyboard,
    parse_button,
    tell_agents,
)
from bots.telegram.handlers.filters import inline
from bots.telegram.handlers.topics import InTicketTopic, thread_of
from core import commands as c
from core.canned import render
from core.errors import InvalidInput
from core.outbox import InboundRef
from core.people import Employee
from core.ports import Clock
from core.services import Desk
from storage.lists import TicketLists
from wording.terms import display_name

ACTIONS = {"g": 2, "a": 2, "s": 2, "e": 2}
ORIGIN = "canned"  # not "telegram": the text is not in the topic yet, so the sender posts it


def router() -> Router:
    r = Router(name="agent-canned")
    r.message.register(show_groups, Command("canned"), InTicketTopic())
    r.callback_query.register(on_button, inline(F.data.startswith("cn:")))
    return r


async def show_groups(message: Message, ticket_id: int, desk: Desk, tg: TelegramConfig,
                      clock: Clock, lists: TicketLists, source: InboundRef) -> None:
    tr = agent_tr(message.from_user, tg)
    text, markup = await groups_menu(ticket_id, lists, tr)
    await tell_agents(desk, clock, message.chat.id, thread_of(message), text, source,
                      markup, ticket_id)


async def groups_menu(ticket_id: int, lists: TicketLists,
                      tr: Translator) -> tuple[str, InlineKeyboardMarkup | None]:
    groups = await lists.canned_groups()
    if not groups:
        return tr("No canned answers yet: an administrator adds them in the settings."), None
    return tr("Canned answers — choose a group:"), keyboard(
        [[(display_name(g.name, g.names, tr.language)[:60], f"cn:g:{g.id}:{ticket_id}")]
         for g in groups])


async def on_button(callback: CallbackQuery, employee: Employee, desk: Desk,
                    tg: TelegramConfig, clock: Clock, lists: TicketLists,
                    source: InboundRef) -> None:
    action, (item_id, ticket_id) = parse_button(callback.data, "cn", ACTIONS)
    tr = agent_tr(callback.from_user, tg)
    if action == "g":
        answers = await lists.canned_answers(item_id)
        text = tr("Choose an answer:") if answers else tr("This group is empty.")
        markup = keyboard([[(display_name(a.title, a.names, tr.language)[:60],
                             f"cn:a:{a.id}:{ticket_id}")] for a in answers])
        await _post(callback, desk, clock, text, source, markup, ticket_id)
        await acknowledge(callback)
        return
    body = await _rendered(item_id, ticket_id, employee, lists)
    if action == "s":
        await desk.handle(c.AddAgentReply(ticket_id, employee.id, body, origin=ORIGIN),
                          source=source)
        await acknowledge(callback, tr("Sent to the client."))
    elif action == "e":
        text = tr("Copy the text, adjust it and send it here:") + f"\n\n<code>{escape(body)}</code>"
        await _post(callback, desk, clock, text, source, None, ticket_id)
        await acknowledge(callback)
    else:
        markup = keyboard([[(tr("Send"), f"cn:s:{item_id}:{ticket_id}"),
                            (tr("Edit"), f"cn:e:{item_id}:{ticket_id}")]])
        await _post(callback, desk, clock, escape(body), source, markup, ticket_id)
        await acknowledge(callback)


async def _rendered(answer_id: int, ticket_id: int, employee: Employee,
                    lists: TicketLists) -> str:
    answer = await lists.canned_answer(answer_id)
    ticket = await lists.brief(ticket_id)
    if answer is None or ticket is None:
        raise InvalidInput("canned.gone")
    return render(answer.body, {"client_name": ticket.contact_name,
                                "ticket_number": ticket.number, "agent_name": employee.name,
                                "ticket_subject": ticket.subject})


async def _post(callback: CallbackQuery, desk: Desk, clock: Clock, text: str,
                source: InboundRef, markup: InlineKeyboardMarkup | None,
                ticket_id: int) -> None:
    message = callback.message
    if message is None:
        raise InvalidInput("button.outdated")
    thread = None if isinstance(message, InaccessibleMessage) else thread_of(message)
    await tell_agents(desk, clock, message.chat.id, thread, text, source, markup, ticket_id)
