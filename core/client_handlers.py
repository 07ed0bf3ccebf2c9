"""Handlers for what clients do in a messenger (docs/DOMAIN.md §3.3-3.4, §8.1)."""

from __future__ import annotations

from dataclasses import dataclass

from core import commands as c
from core.clean import ascii_digits
from core.context import HandlerContext
from core.errors import InvalidInput, NotAllowed, NotFound, TransitionRefused
from core.people import Actor, Contact, Identity
from core.statuses import CLOSED, OPEN, RESOLVED
from core.tickets import Comment, Ticket

MAX_TEXT = 65_536
SUBJECT_LENGTH = 100


@dataclass(frozen=True)
class ClientWriteResult:
    contact_id: int
    ticket_id: int
    comment_id: int
    opened: bool = False
    reopened: bool = False
    linked_from_id: int | None = None


def subject_from(text: str, attachments: tuple[object, ...]) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first_line:
        kind = getattr(attachments[0], "kind", "file") if attachments else "message"
        return str(kind).capitalize()
    if len(first_line) > SUBJECT_LENGTH:
        return first_line[: SUBJECT_LENGTH - 1].rstrip() + "…"
    return first_line


def normal_phone(phone: str | None) -> str | None:
    """"+7 (999) 000-11-22", "79990001122" and "۷۹۹۹۰۰۰۱۱۲۲" are one number:
    "+79990001122"."""
    digits = "".join(ch for ch in ascii_digits(phone or "") if ch in "0123456789")
    return f"+{digits}" if len(digits) >= 5 else None


async def _contact_for(cmd: c.ClientWrites, ctx: HandlerContext) -> Contact:
    identity = Identity(cmd.channel, cmd.external_id)
    phone = normal_phone(cmd.phone)
    email = normal_email(cmd.email)
    contact = await ctx.uow.contacts.by_identity(identity)
    changed = False
    if contact is None and (phone or email):  # the same person, known elsewhere (§8.2)
        contact = await _known_contact(Contact(0, "", phone=phone, email=email), ctx)
        if contact is not None:
            contact.identities.append(identity)
            changed = True
    if contact is None:
        name = cmd.name.strip() or f"{cmd.channel} {cmd.external_id}"
        company = await ctx.uow.contacts.company_by_domain(email.rpartition("@")[2]) \
            if email else None
        return await ctx.uow.contacts.add(
            Contact(0, name[:200], phone=phone, email=email, language=cmd.language,
                    identities=[identity], company_id=company.id if company else None)
        )
    if cmd.language and cmd.language != contact.language:
        contact.language, changed = cmd.language, True
    if phone and phone != contact.phone:
        contact.phone, changed = phone, True
    if changed:
        await ctx.uow.contacts.save(contact)
    return contact


def normal_email(email: str | None) -> str | None:
    """An address as contacts are matched by it: trimmed, lower case; None if not one."""
    value = (email or "").strip().lower()
    local, at, domain = value.rpartition("@")
    return value if at and local and "." in domain and len(value) <= 254 else None


async def _known_contact(address: Contact, ctx: HandlerContext) -> Contact | None:
    """The oldest contact with this phone number or e-mail address."""
    ids = await ctx.uow.contacts.related_ids(address)
    return await ctx.uow.contacts.get(min(ids)) if ids else None


async def _thread_ticket(cmd: c.ClientWrites, contact: Contact,
                         ctx: HandlerContext) -> Ticket | None:
    """The ticket a mail answers, when it is the writer's own (a ticket number in a subject
    is easy to guess); None opens a new ticket."""
    if cmd.ticket_id is None:
        return None
    try:
        ticket = await ctx.uow.tickets.get(cmd.ticket_id)
    except NotFound:
        return None
    if ticket.contact_id != contact.id or await ctx.is_internal(ticket):
        return None
    return ticket


async def _current_ticket(contact: Contact, ctx: HandlerContext) -> Ticket | None:
    if contact.wants_new_ticket:
        return None
    if contact.current_ticket_id:
        try:
            ticket = await ctx.uow.tickets.get(contact.current_ticket_id)
            if ticket.contact_id == contact.id and not await ctx.is_internal(ticket):
                return ticket
        except NotFound:
            pass
    return await ctx.uow.tickets.latest_for_contact(contact.id)


async def _latest_in_channel(contact: Contact, channel: str,
                             ctx: HandlerContext) -> Ticket | None:
    """A person reachable in several messengers keeps a ticket per messenger, so that the
    answers reach them where they asked (§3.1)."""
    for ticket in await ctx.uow.tickets.for_contacts([contact.id]):
        if ticket.channel == channel and not await ctx.is_internal(ticket):
            return await ctx.uow.tickets.get(ticket.id)
    return None


async def default_responsible(contact: Contact, ctx: HandlerContext) -> int | None:
    """§5.2: the contact's manager, else the company's, else the account default. A manager
    whose account is deactivated or gone is passed over: the ticket would wait on nobody."""
    if await _can_work(contact.manager_id, ctx):
        return contact.manager_id
    if contact.company_id:
        company = await ctx.uow.contacts.get_company(contact.company_id)
        if await _can_work(company.manager_id, ctx):
            return company.manager_id
    default = (await ctx.settings()).default_responsible_id
    return default if await _can_work(default, ctx) else None


async def _can_work(employee_id: int | None, ctx: HandlerContext) -> bool:
    if employee_id is None:
        return False
    try:
        await ctx.active_employee(employee_id)
    except NotAllowed:
        return False
    return True


async def open_ticket(
    ctx: HandlerContext, contact: Contact, subject: str, channel: str, actor: Actor,
    linked_from_id: int | None = None, type_code: str | None = None,
    priority: str | None = None,
) -> Ticket:
    settings = await ctx.settings()
    ticket = Ticket(
        subject=subject, channel=channel, contact_id=contact.id, created_at=ctx.now,
        priority=priority or settings.default_priority, type_code=type_code,
        responsible_id=await default_responsible(contact, ctx), linked_from_id=linked_from_id,
    )
    ticket = await ctx.uow.tickets.add(ticket)
    ticket.opened(actor, ctx.now)
    return ticket


async def client_writes(cmd: c.ClientWrites, ctx: HandlerContext) -> ClientWriteResult:
    text = cmd.text.strip()
    if not text and not cmd.attachments:
        raise InvalidInput("message.empty")
    if len(text) > MAX_TEXT:
        raise InvalidInput("message.too_long", limit=MAX_TEXT)
    contact = await _contact_for(cmd, ctx)
    actor = Actor.client(contact.id)
    if cmd.ticket_id is not None or cmd.new_thread:
        ticket = await _thread_ticket(cmd, contact, ctx)
    else:
        ticket = await _current_ticket(contact, ctx)
        if ticket and ticket.channel != cmd.channel and contact.address_in(ticket.channel):
            ticket = await _latest_in_channel(contact, cmd.channel, ctx)  # their other app
    opened, reopened, linked_from = False, False, None
    subject = subject_from(cmd.subject or text, cmd.attachments)
    if ticket is None:
        ticket, opened = await open_ticket(ctx, contact, subject, cmd.channel, actor), True
    elif not (await ctx.workflow()).get(ticket.status).is_open:
        window = (await ctx.settings()).reopen_window
        if ticket.can_reopen(ctx.now, window):
            ticket.change_status(await ctx.workflow(), OPEN, actor, ctx.now,
                                 reopen_window=window)
            reopened = True
        else:
            linked_from = ticket.id
            ticket = await open_ticket(ctx, contact, subject, cmd.channel, actor, linked_from)
            opened = True
    comment = await ctx.add_comment(ticket, Comment(
        ticket.id, actor, text, True, cmd.channel, ctx.now, cmd.attachments))
    if contact.current_ticket_id != ticket.id or contact.wants_new_ticket:
        contact.current_ticket_id, contact.wants_new_ticket = ticket.id, False
        await ctx.uow.contacts.save(contact)
    return ClientWriteResult(contact.id, ticket.id, comment.id, opened, reopened, linked_from)


async def _own_ticket(contact_id: int, ticket_id: int, ctx: HandlerContext) -> Ticket:
    try:
        ticket = await ctx.uow.tickets.get(ticket_id)
    except NotFound:
        raise NotAllowed("ticket.not_yours") from None
    if ticket.contact_id != contact_id or await ctx.is_internal(ticket):
        raise NotAllowed("ticket.not_yours")
    return ticket


async def client_starts_new_ticket(cmd: c.ClientStartsNewTicket, ctx: HandlerContext) -> None:
    contact = await ctx.uow.contacts.get(cmd.contact_id)
    contact.wants_new_ticket, contact.current_ticket_id = True, None
    await ctx.uow.contacts.save(contact)


async def client_picks_ticket(cmd: c.ClientPicksTicket, ctx: HandlerContext) -> Ticket:
    ticket = await _own_ticket(cmd.contact_id, cmd.ticket_id, ctx)
    contact = await ctx.uow.contacts.get(cmd.contact_id)
    contact.current_ticket_id, contact.wants_new_ticket = ticket.id, False
    await ctx.uow.contacts.save(contact)
    return ticket


async def client_closes_ticket(cmd: c.ClientClosesTicket, ctx: HandlerContext) -> Ticket:
    ticket = await _own_ticket(cmd.contact_id, cmd.ticket_id, ctx)
    if ticket.status == CLOSED:
        raise TransitionRefused("ticket.already_closed", number=ticket.number)
    ticket.change_status(await ctx.workflow(), CLOSED, Actor.client(cmd.contact_id), ctx.now)
    return ticket


async def client_reopens_ticket(cmd: c.ClientReopensTicket, ctx: HandlerContext) -> Ticket:
    ticket = await _own_ticket(cmd.contact_id, cmd.ticket_id, ctx)
    if (await ctx.workflow()).get(ticket.status).is_open:
        raise TransitionRefused("ticket.still_open", number=ticket.number)
    window = (await ctx.settings()).reopen_window
    if not ticket.can_reopen(ctx.now, window):
        raise TransitionRefused("ticket.reopen_too_late", number=ticket.number)
    ticket.change_status(await ctx.workflow(), OPEN, Actor.client(cmd.contact_id), ctx.now,
                         reopen_window=window)
    return ticket


async def client_rates_ticket(cmd: c.ClientRatesTicket, ctx: HandlerContext) -> Ticket:
    ticket = await _own_ticket(cmd.contact_id, cmd.ticket_id, ctx)
    comment = (cmd.comment or "").strip()[:2000] or None
    ticket.rate(cmd.score, comment, Actor.client(cmd.contact_id), ctx.now)
    if ticket.status == RESOLVED:  # a rating confirms the resolution (§2.6)
        ticket.change_status(await ctx.workflow(), CLOSED, Actor.client(cmd.contact_id),
                             ctx.now)
    return ticket
