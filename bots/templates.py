"""Notice templates an administrator edits (docs/DOMAIN.md §7): the client's notice per status and
the team's notifications, with variables, rendered in jinja2's sandbox so a template cannot
reach Python internals, allocate without bound or loop for long.

Keys: `client.status.<status code>` (a status change the client hears of, §7.1; Resolved is
`client.status.resolved`), `client.ticket_opened`, and `agents.<outbox kind>` for the team
(`agents.ticket_opened`, `agents.client_comment`, `agents.mention`, `agents.sla_warning`,
`agents.sla_breached`, `agents.notify`, ...). Without a template for a key the channel's own
default wording is used: `render_notice` returns None. `client.wrapper` is the design wrapper
(§7.2): a client notice rendered from a template is put in its `{{ content }}` placeholder.

Variables: `ticket` (number, subject, status, status_name, priority, type, channel, line,
planned_reaction_at, planned_resolution_at, on_hold_until), `client` (name, company),
`responsible` (name), and the message's own values (`target` and `due_at` of an SLA alert,
`text` of an automation notice, `old` and `new` of a status change)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from jinja2 import StrictUndefined, TemplateError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from core.errors import InvalidInput, NotFound
from core.outbox import Audience, OutboundMessage
from core.ports import UnitOfWork
from core.rule_admin import WRAPPER_KEY
from wording.terms import display_name

log = logging.getLogger(__name__)

MAX_OUTPUT = 4096  # a Telegram message; longer output is cut
MAX_REPEAT = 10_000  # "x" * n and range(n) beyond this are refused
Variables = Mapping[str, Any]


class NoticeEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, plus bounds on what a template may build: no `**`, no huge repeats."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, html: bool) -> None:
        super().__init__(autoescape=html, undefined=StrictUndefined, trim_blocks=True,
                         lstrip_blocks=True)
        self.globals["range"] = self._range

    @staticmethod
    def _range(*args: int) -> range:
        bounded = range(*args)
        if len(bounded) > MAX_REPEAT:
            raise SecurityError(f"range longer than {MAX_REPEAT}")
        return bounded

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("** is not allowed in a notice template")
        for count, other in ((left, right), (right, left)):
            if isinstance(count, int) and isinstance(other, str | list | tuple) and (
                    count * max(len(other), 1) > MAX_REPEAT):
                raise SecurityError("the template repeats too much text")
        return super().call_binop(context, operator, left, right)


def template_key(message: OutboundMessage) -> str:
    if message.audience is Audience.AGENTS:
        return f"agents.{message.kind}"
    if message.kind == "status_changed":
        return f"client.status.{message.payload.get('new')}"
    if message.kind == "resolution_request":
        return "client.status.resolved"
    return f"client.{message.kind}"


class NoticeRenderer:
    def __init__(self, html: bool = True) -> None:
        self.env = NoticeEnvironment(html)

    def check(self, body: str, key: str = "") -> None:
        """For the panel: refuse a template that does not parse, or a design wrapper with no
        place for the notice, with the reason."""
        try:
            parsed = self.env.parse(body)
        except TemplateError as exc:
            raise InvalidInput("notice.unreadable", error=exc) from exc
        if key == WRAPPER_KEY and "content" not in meta.find_undeclared_variables(parsed):
            raise InvalidInput("notice.no_placeholder", placeholder="{{ content }}")

    def wrap(self, wrapper: str, content: str, variables: Variables) -> str:
        """The notice inside the design wrapper; the bare notice if the wrapper fails."""
        inner = Markup(content) if self.env.autoescape else content  # escaped once already
        return self.render(wrapper, {**variables, "content": inner}) or content

    def render(self, body: str, variables: Variables) -> str | None:
        """The text, or None when the template fails (the default wording is used then)."""
        try:
            text = self.env.from_string(body).render(**variables)
        except (TemplateError, SecurityError, TypeError, ValueError, ArithmeticError) as exc:
            log.warning("notice template failed: %s", exc)
            return None
        return text.strip()[:MAX_OUTPUT] or None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def notice_variables(uow: UnitOfWork, message: OutboundMessage) -> dict[str, Any]:
    """Plain values only (str, int, None): nothing a template could call into."""
    ticket = await uow.tickets.get(message.ticket_id)
    contact = await uow.contacts.get(ticket.contact_id)
    workflow = await uow.catalog.workflow()
    company = responsible = ""
    if contact.company_id is not None:
        company = (await uow.contacts.get_company(contact.company_id)).name
    if ticket.responsible_id is not None:
        with contextlib.suppress(NotFound):
            responsible = (await uow.employees.get(ticket.responsible_id)).name
    status = workflow.get(ticket.status) if ticket.status in workflow else None
    status_name = (display_name(status.name, status.names, contact.language or "en")
                   if status else "")
    return {
        **{k: v for k, v in message.payload.items() if isinstance(v, str | int | float)},
        "ticket": {
            "number": ticket.number, "subject": ticket.subject, "status": ticket.status,
            "status_name": status_name, "priority": ticket.priority,
            "type": ticket.type_code or "", "channel": ticket.channel, "line": ticket.line,
            "planned_reaction_at": _iso(ticket.planned_reaction_at),
            "planned_resolution_at": _iso(ticket.planned_resolution_at),
            "on_hold_until": _iso(ticket.on_hold_until),
        },
        "client": {"name": contact.name, "company": company},
        "responsible": {"name": responsible},
    }


NoticeSource = Callable[[OutboundMessage], Awaitable[str | None]]


def administrators_notices(html: bool) -> NoticeSource:
    """What the senders ask: the administrator's wording of a message, or None."""
    from storage.rule_repositories import notice_written
    from storage.uow import TortoiseUnitOfWork

    async def notice(message: OutboundMessage) -> str | None:
        if not await notice_written(template_key(message)):  # most kinds have none: one
            return None  # plain read instead of a transaction for every message sent
        return await render_notice(message, TortoiseUnitOfWork, html=html)
    return notice


async def render_notice(
    message: OutboundMessage, uow_factory: Callable[[], UnitOfWork], html: bool = True
) -> str | None:
    """The administrator's text for an outbound message, or None to use the default."""
    key = template_key(message)
    async with uow_factory() as uow:
        body = await uow.rules.notices.get(key)
        if not body or key == WRAPPER_KEY:
            return None
        wrapper = await uow.rules.notices.get(WRAPPER_KEY) if key.startswith("client.") else None
        variables = await notice_variables(uow, message)
    renderer = NoticeRenderer(html)
    text = renderer.render(body, variables)
    if text is None or not wrapper:
        return text
    return renderer.wrap(wrapper, text, variables)
