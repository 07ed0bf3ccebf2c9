"""What leaves the desk: events become outbound messages, one per audience and channel,
written to the outbox in the transaction that caused them and delivered later by a relay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core import events as ev
from core.statuses import RESOLVED
from core.tickets import Comment, Ticket


class Audience(StrEnum):
    CLIENT = "client"  # the person who asked, in the channel the ticket came from
    AGENTS = "agents"  # the team chat (a forum topic per ticket)


@dataclass
class OutboundMessage:
    channel: str
    audience: Audience
    kind: str
    ticket_id: int
    created_at: datetime
    recipient: str | None = None
    comment_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    id: int = 0


@dataclass(frozen=True)
class InboundRef:
    """The platform's id of an update that caused a command, so a re-delivery is ignored."""

    channel: str
    external_id: str


@dataclass(frozen=True)
class Routing:
    """Which channels are switched on: the relay drains only these, so nothing piles up."""

    client_channels: frozenset[str] = frozenset()
    agent_channel: str | None = None


@dataclass(frozen=True)
class PlanContext:
    ticket: Ticket
    client_address: str | None  # the contact's id in the ticket's channel
    internal: bool
    comments: dict[int, Comment]
    notify_statuses: frozenset[str] = frozenset()  # §7.1: statuses whose change the client hears of
    people: frozenset[int] = frozenset()  # §7.3: responsible, observers, groups' lists


def team_messages(news: Sequence[tuple[str, dict[str, Any]]], routing: Routing,
                  now: datetime) -> list[OutboundMessage]:
    """Agents' messages about no ticket, for the team chat's general topic (ticket id 0)."""
    if not routing.agent_channel:
        return []
    return [OutboundMessage(routing.agent_channel, Audience.AGENTS, kind, 0, now,
                            payload=dict(payload)) for kind, payload in news]


# §7.3: what the ticket's people hear of (an SLA alert names them itself)
NEWS: tuple[type[ev.Event], ...] = (
    ev.TicketOpened, ev.ResponsibleChanged, ev.StatusChanged, ev.CommentAdded)


def heads_up(events: Sequence[ev.Event], people: frozenset[int]) -> dict[str, Any] | None:
    """One line to the ticket's people naming what happened, so that a group's notification
    list and the observers hear of it; nobody is told of what they did or were mentioned in.
    A status change says from which status to which (`old`, `new`)."""
    news = [e for e in events if isinstance(e, NEWS)]
    told = {e.actor.id for e in news if e.actor.is_employee}
    for event in events:
        if isinstance(event, ev.ColleagueMentioned):
            told |= set(event.employee_ids)
    whom = sorted(people - told)
    if not news or not whom:
        return None
    what = list(dict.fromkeys(_NEWS_NAMES[type(e)] for e in news))
    told_of: dict[str, Any] = {"employee_ids": whom, "news": what}
    changes = [e for e in news if isinstance(e, ev.StatusChanged)]
    if changes:
        told_of |= {"old": changes[0].old, "new": changes[-1].new}
    return told_of


_NEWS_NAMES: dict[type[ev.Event], str] = {
    ev.TicketOpened: "ticket_opened", ev.ResponsibleChanged: "responsible_changed",
    ev.StatusChanged: "status_changed", ev.CommentAdded: "comment"}


def plan_messages(
    events: Sequence[ev.Event], ctx: PlanContext, routing: Routing, now: datetime
) -> list[OutboundMessage]:
    messages: list[OutboundMessage] = []
    ticket = ctx.ticket
    to_client = (
        not ctx.internal
        and ticket.channel in routing.client_channels
        and ctx.client_address is not None
    )

    def agents(kind: str, **payload: Any) -> None:
        if routing.agent_channel:
            messages.append(OutboundMessage(routing.agent_channel, Audience.AGENTS, kind,
                                            ticket.id, now, payload=payload,
                                            comment_id=payload.get("comment_id")))

    def client(kind: str, **payload: Any) -> None:
        if to_client:
            messages.append(OutboundMessage(ticket.channel, Audience.CLIENT, kind, ticket.id,
                                            now, ctx.client_address,
                                            payload.get("comment_id"), payload))

    card_changed = False
    client_wrote = any(isinstance(e, ev.CommentAdded) and e.actor.is_client for e in events)
    for event in events:
        if isinstance(event, ev.TicketOpened):
            agents("ticket_opened", linked_from_id=event.linked_from_id)
            if event.actor.is_client:
                client("ticket_opened", number=ticket.number)
        elif isinstance(event, ev.CommentAdded):
            comment = ctx.comments.get(event.comment_id)
            origin = comment.channel if comment else None
            if event.actor.is_client:
                agents("client_comment", comment_id=event.comment_id)
            elif event.public:
                client("agent_reply", comment_id=event.comment_id)
                agents("agent_comment", comment_id=event.comment_id, origin=origin)
            else:
                agents("private_note", comment_id=event.comment_id, origin=origin)
        elif isinstance(event, ev.StatusChanged):
            card_changed = True
            if event.new == RESOLVED:
                client("resolution_request", old=event.old, new=event.new)
            elif (not event.actor.is_client and event.new in ctx.notify_statuses
                  and not client_wrote):  # an automatic reopen on the client's own message
                client("status_changed", old=event.old, new=event.new)
        elif isinstance(event, ev.ColleagueMentioned):
            agents("mention", comment_id=event.comment_id,
                   employee_ids=list(event.employee_ids))
        elif isinstance(event, ev.TicketRated):
            card_changed = True
            agents("rated", score=event.score, comment=event.comment)
        elif isinstance(event, ev.SlaWarning | ev.SlaBreached):
            kind = "sla_warning" if isinstance(event, ev.SlaWarning) else "sla_breached"
            agents(kind, target=event.target,
                   due_at=event.due_at.isoformat() if event.due_at else None,
                   employee_ids=list(event.notify_ids))
        elif isinstance(event, ev.TeamNotified):
            agents("notify", text=event.text, employee_ids=list(event.employee_ids))
        elif isinstance(event, ev.TicketIdle):
            continue  # what the idle rule did has events of its own
        else:
            card_changed = True
    if card_changed and not any(e for e in events if isinstance(e, ev.TicketOpened)):
        agents("card_changed")
    if (told := heads_up(events, ctx.people)) is not None:
        agents("heads_up", **told)
    return messages
