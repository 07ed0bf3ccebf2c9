"""Handlers for what runs on time: a due timer (resume from hold, SLA warning or breach, an
idle rule, a recurring schedule), arming the recurring schedules, and macros (§2.5, §4, §6)."""

from __future__ import annotations

import dataclasses
import logging
from zoneinfo import ZoneInfo

from core import commands as c
from core import timers as tm
from core.automation import apply_macro as run_macro
from core.automation import fire_idle
from core.canned import render
from core.client_handlers import open_ticket
from core.context import HandlerContext
from core.errors import AlreadyHandled, NotFound
from core.people import Actor
from core.rulebook import facts_for, rulebook
from core.sla_policy import fire_sla_timer
from core.statuses import ON_HOLD, OPEN
from core.tickets import Comment, Ticket

log = logging.getLogger(__name__)


async def fire_timer(cmd: c.FireTimer, ctx: HandlerContext) -> tm.Timer:
    timer = await ctx.uow.timers.complete(cmd.timer_id)
    if timer is None:
        raise AlreadyHandled(f"timer {cmd.timer_id}")
    if timer.kind == tm.RECURRING:
        await run_schedule(timer, ctx)
        return timer
    try:
        ticket = await ctx.uow.tickets.get(timer.ticket_id or 0)
    except NotFound:
        return timer
    if timer.kind == tm.RESUME:
        await resume(ticket, ctx)
    elif timer.kind == tm.IDLE:
        book = await rulebook(ctx)
        await fire_idle(timer.ref_id or 0, ticket, book.automation,
                        lambda t: facts_for(t, ctx), ctx)
    elif timer.kind in tm.SLA_KINDS:
        await fire_sla_timer(timer, ticket, ctx)
    else:
        log.warning("unknown timer kind %r (timer %s)", timer.kind, timer.id)
    return timer


async def resume(ticket: Ticket, ctx: HandlerContext) -> None:
    """§2.1: On hold until a moment; when it passes, the ticket is Open again."""
    if ticket.status != ON_HOLD or ticket.on_hold_until is None:
        return
    if ticket.on_hold_until > ctx.now:
        return  # the date was moved later; the new timer will do it
    # Dated when the hold ended, not when a (late) worker got to it: the SLA clock restarts
    # then (§4.5), and nothing else can have changed the status in between.
    ticket.change_status(await ctx.workflow(), OPEN, Actor.system(), ticket.on_hold_until)


async def arm_resume(ticket: Ticket, ctx: HandlerContext) -> None:
    if ticket.status == ON_HOLD and ticket.on_hold_until is not None:
        await ctx.uow.timers.schedule(tm.Timer(tm.RESUME, ticket.on_hold_until, ticket.id))
    else:
        await ctx.uow.timers.cancel(ticket.id, [tm.RESUME])


async def apply_macro(cmd: c.ApplyMacro, ctx: HandlerContext) -> Ticket:
    await ctx.active_employee(cmd.employee_id)
    ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    await run_macro(await ctx.uow.rules.macros.all(), cmd.name, ticket, cmd.employee_id, ctx)
    return ticket


async def arm_recurring_schedules(cmd: c.ArmRecurringSchedules, ctx: HandlerContext) -> int:
    return await arm_schedules(ctx)


async def arm_schedules(ctx: HandlerContext) -> int:
    """Give every enabled schedule exactly one pending timer at its next run (after an edit,
    a new schedule, a disabled one). Returns how many timers changed."""
    pending = {t.ref_id: t for t in await ctx.uow.timers.pending(kind=tm.RECURRING)}
    changed = 0
    schedules = {s.id: s for s in await ctx.uow.rules.schedules.all()}
    for schedule in schedules.values():
        due = schedule.next_run() if schedule.enabled else None
        have = pending.get(schedule.id)
        if due is None and have is not None:
            await ctx.uow.timers.cancel(None, [tm.RECURRING], schedule.id)
        elif due is not None and (have is None or have.due_at != due):
            await ctx.uow.timers.schedule(tm.Timer(tm.RECURRING, due, None, schedule.id))
        else:
            continue
        changed += 1
    for ref_id in pending.keys() - schedules.keys():
        await ctx.uow.timers.cancel(None, [tm.RECURRING], ref_id)
        changed += 1
    return changed


async def run_schedule(timer: tm.Timer, ctx: HandlerContext) -> Ticket | None:
    """The schedule's timer is due: open its ticket once, then arm the next run."""
    try:
        schedule = await ctx.uow.rules.schedules.get(timer.ref_id or 0)
    except NotFound:
        return None
    if not schedule.enabled:
        return None
    if schedule.last_run_at is not None and timer.due_at <= schedule.last_run_at:
        return None  # a stale timer for a run already made
    contact = await ctx.uow.contacts.get(schedule.contact_id)
    template = schedule.template
    today = ctx.now.astimezone(ZoneInfo(schedule.timezone)).date().isoformat()
    subject = render(template.subject, {"date": today}).strip()[:200] or schedule.name
    actor = Actor.system()
    ticket = await open_ticket(ctx, contact, subject, "agent", actor,
                               type_code=template.type_code, priority=template.priority)
    if template.text.strip():
        await ctx.add_comment(ticket, Comment(ticket.id, actor, template.text.strip(), False,
                                              "system", ctx.now))
    done = dataclasses.replace(schedule, last_run_at=ctx.now)
    await ctx.uow.rules.schedules.save(done)
    following = done.next_run()
    if following is not None:
        await ctx.uow.timers.schedule(tm.Timer(tm.RECURRING, following, None, schedule.id))
    return ticket
