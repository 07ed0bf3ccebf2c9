"""The one way in: `Desk.handle(command)` runs the command's handler in a unit of work, then
commits the tickets it touched with their history, events and outbox messages together."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from core import agent_handlers as agents
from core import attribute_handlers as attributes
from core import callback_handlers as callbacks
from core import client_handlers as clients
from core import commands as c
from core import contact_links as links
from core import rule_admin
from core import setup_handlers as setup
from core import team_handlers as team
from core import timer_handlers as timed
from core.actions import ticket_people
from core.clean import without_nul
from core.context import HandlerContext
from core.errors import AlreadyHandled, ConcurrentUpdate, DomainError
from core.outbox import (
    NEWS,
    InboundRef,
    OutboundMessage,
    PlanContext,
    Routing,
    plan_messages,
    team_messages,
)
from core.policies import apply_policies
from core.ports import Clock, UnitOfWorkFactory
from core.statuses import RESOLVED
from core.tickets import Ticket

log = logging.getLogger(__name__)

Handler = Callable[[Any, HandlerContext], Awaitable[Any]]

HANDLERS: dict[type[c.Command], Handler] = {
    c.ClientWrites: clients.client_writes,
    c.ClientStartsNewTicket: clients.client_starts_new_ticket,
    c.ClientPicksTicket: clients.client_picks_ticket,
    c.ClientClosesTicket: clients.client_closes_ticket,
    c.ClientReopensTicket: clients.client_reopens_ticket,
    c.ClientRatesTicket: clients.client_rates_ticket,
    c.OpenTicketForClient: agents.open_ticket_for_client,
    c.AddAgentReply: agents.add_agent_reply,
    c.AddPrivateNote: agents.add_private_note,
    c.TakeTicket: agents.take_ticket,
    c.AssignTicket: agents.assign_ticket,
    c.Escalate: agents.escalate,
    c.Deescalate: agents.deescalate,
    c.ChangeStatus: agents.change_status,
    c.SetTicketField: agents.set_ticket_field,
    c.AddObserver: agents.add_observer,
    c.RemoveObserver: agents.remove_observer,
    c.LinkContacts: links.link_contacts,
    c.AddEmployee: team.add_employee,
    c.SetEmployeeActive: team.set_employee_active,
    c.LinkTelegram: team.link_telegram,
    c.FireTimer: timed.fire_timer,
    c.ApplyMacro: timed.apply_macro,
    c.ArmRecurringSchedules: timed.arm_recurring_schedules,
    c.SaveRule: rule_admin.save_rule,
    c.DeleteRule: rule_admin.delete_rule,
    c.SaveNoticeTemplate: rule_admin.save_notice_template,
    c.SetEmployeeRole: setup.set_employee_role,
    c.SetEmployeePassword: setup.set_employee_password,
    c.SaveStatus: setup.save_status,
    c.DeleteStatus: setup.delete_status,
    c.SavePriority: setup.save_priority,
    c.DeletePriority: setup.delete_priority,
    c.SaveTicketType: setup.save_ticket_type,
    c.DeleteTicketType: setup.delete_ticket_type,
    c.MoveItem: setup.move_item,
    c.SaveCannedGroup: setup.save_canned_group,
    c.DeleteCannedGroup: setup.delete_canned_group,
    c.SaveCannedAnswer: setup.save_canned_answer,
    c.DeleteCannedAnswer: setup.delete_canned_answer,
    c.SaveGroup: setup.save_group,
    c.DeleteGroup: setup.delete_group,
    c.SaveCompany: setup.save_company,
    c.SaveContact: setup.save_contact,
    c.SetCompanyCategories: setup.set_company_categories,
    c.SetDeskSettings: setup.set_desk_settings,
    c.SaveAttribute: attributes.save_attribute,
    c.DeleteAttribute: attributes.delete_attribute,
    c.SetTicketAttributes: attributes.set_ticket_attributes,
    c.RegisterCallback: callbacks.register_callback,
    c.OpenCallback: callbacks.open_callback,
    c.ReleaseCallback: callbacks.release_callback,
    c.MarkCallbackProcessed: callbacks.mark_callback_processed,
    c.PostponeCallback: callbacks.postpone_callback,
}


class Desk:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, routing: Routing | None = None,
        attempts: int = 3,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.routing = routing or Routing()
        self.attempts = attempts

    async def handle(self, command: c.Command, source: InboundRef | None = None) -> Any:
        """Run a command. With `source`, the update that caused it is recorded in the same
        transaction, and a re-delivered update raises AlreadyHandled instead of running twice."""
        handler = HANDLERS[type(command)]
        command = without_nul(command)
        for attempt in range(1, self.attempts + 1):
            async with self.uow_factory() as uow:
                ctx = HandlerContext(uow, self.clock.now())
                try:
                    if source is not None and not await uow.inbound.record(source):
                        raise AlreadyHandled(f"{source.channel} update {source.external_id}")
                    result = await handler(command, ctx)
                    await apply_policies(ctx)  # routing, automation, SLA, timers
                    await self._commit(ctx)
                    return result
                except ConcurrentUpdate:
                    await uow.rollback()
                    log.info("concurrent update on %s, attempt %d", command, attempt)
        raise DomainError("ticket.busy")

    async def reply(
        self, messages: Sequence[OutboundMessage], source: InboundRef | None = None
    ) -> None:
        """Queue messages that answer an update without changing a ticket (a list of tickets,
        a polite refusal), recording the update so a re-delivery is not answered twice."""
        messages = without_nul(messages)  # they quote what came in (the client's name)
        async with self.uow_factory() as uow:
            if source is not None and not await uow.inbound.record(source):
                raise AlreadyHandled(f"{source.channel} update {source.external_id}")
            await uow.outbox.add_many(messages)
            await uow.commit()

    async def _commit(self, ctx: HandlerContext) -> None:
        uow = ctx.uow
        for ticket in uow.tickets.seen:
            if not ticket.history and not ticket.events:
                continue
            await uow.tickets.save(ticket)
            await uow.history.add_many(ticket.history)
            await uow.events.add_many(ticket.events)
            contact = await uow.contacts.get(ticket.contact_id)
            workflow = await ctx.workflow()
            plan = PlanContext(
                ticket, contact.address_in(ticket.channel), await ctx.is_internal(ticket),
                ctx.comments,
                frozenset(s.code for s in workflow.statuses
                          if s.notify_client and s.code != RESOLVED),
                await self._people(ticket, ctx),
            )
            await uow.outbox.add_many(plan_messages(ticket.events, plan, self.routing, ctx.now))
            ticket.history.clear()
            ticket.events.clear()
        await uow.outbox.add_many(team_messages(ctx.team_news, self.routing, ctx.now))
        await uow.commit()

    async def _people(self, ticket: Ticket, ctx: HandlerContext) -> frozenset[int]:
        """Who hears of the ticket's news (§7.3); looked up only when there is news."""
        if not self.routing.agent_channel or not any(isinstance(e, NEWS) for e in ticket.events):
            return frozenset()
        return frozenset(await ticket_people(ticket, ctx))
