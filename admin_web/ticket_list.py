"""The panel's ticket list: saved views as tabs, the filters, sortable columns, channels by
name, and the form that registers a ticket by hand (a refused one comes back filled in)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from admin_web import ticket_attributes as attrs
from admin_web.forms import integer, run
from admin_web.keys import CONFIG, EMPLOYEE, TRANSLATOR
from admin_web.render import redirect, render
from admin_web.security import Access, access, now
from core import commands as c
from core.attributes import AttributeDefinition, AttributeKind
from core.attributes import visible as visible_attributes
from core.errors import DomainError
from core.tickets import Channel
from storage import panel_views as views
from storage import ticket_search as search
from storage.attributes import definitions

routes = web.RouteTableDef()
PER_PAGE = 25
COUNT_LIMIT = 1000  # the list counts this far: "more than 1,000 tickets"
# Channels by the names people know them by (translated like any panel text).
CHANNEL_NAMES = {"telegram": "Telegram", "vk": "VK", "viber": "Viber", "agent": "Agent",
                 "email": "E-mail", "web": "Web form"}
# The query string parts that are not filters.
NOT_FILTERS = frozenset({"page", "sort", "before"})


@dataclass(frozen=True)
class SavedView:
    key: str
    title: str
    params: Mapping[str, str]

    @property
    def query(self) -> str:
        return urlencode(self.params)


SAVED_VIEWS = (
    SavedView("mine", "My open", {"status": "@open", "responsible": "me"}),
    SavedView("unassigned", "Unassigned", {"status": "@open", "responsible": "none"}),
    SavedView("overdue", "Overdue", {"overdue": "1"}),
    SavedView("open", "All open", {"status": "@open"}),
    SavedView("all", "All tickets", {}),
)


def channel_namer(tr: Callable[[str], str]) -> Callable[[str], str]:
    return lambda code: tr(CHANNEL_NAMES[code]) if code in CHANNEL_NAMES else code


def end_of_today(zone_name: str, moment: datetime) -> datetime:
    """Midnight after `moment` in the desk's time zone: "due today" ends there."""
    zone = ZoneInfo(zone_name)
    today = moment.astimezone(zone).date()
    return datetime.combine(today + timedelta(days=1), time(0), zone)


def ticket_filter(q: Mapping[str, str]) -> views.TicketFilter:
    """Filters from a query string, cut to the lengths the columns hold."""
    return views.TicketFilter(
        status=q.get("status", "")[:40], line=integer(q.get("line")),
        responsible=q.get("responsible", "")[:12], group_id=integer(q.get("group")),
        channel=q.get("channel", "")[:20], priority=q.get("priority", "")[:40],
        overdue=q.get("overdue", "") == "1", text=q.get("q", "")[:200],
        contact_id=integer(q.get("contact")))


def attribute_filter(f: views.TicketFilter, q: Mapping[str, str],
                     shown: Sequence[AttributeDefinition]) -> views.TicketFilter:
    """The custom attribute filter (§9.5), for an attribute the viewer may see. Any other
    code is dropped, so the list cannot be used to probe a hidden attribute's values."""
    chosen = next((d for d in shown if d.code == q.get("attr", "")), None)
    if chosen is None:
        return f
    value = q.get("attr_value", "")[:200]
    if chosen.kind in (AttributeKind.NUMBER, AttributeKind.DATE) and value.strip():
        with suppress(DomainError):  # a value that is none finds nothing
            value = str(chosen.parse(value))  # as the ticket stores it: 1500, 2025-03-01
    return replace(f, attribute=chosen.code, attribute_value=value,
                   attribute_contains=chosen.kind is AttributeKind.TEXT)


def _panel_filter(request: web.Request, shown: Sequence[AttributeDefinition]
                  ) -> views.TicketFilter:
    """The list's filter with the panel's words: `responsible=me`, `due=today`."""
    q = request.query
    f = attribute_filter(ticket_filter(q), q, shown)
    if f.responsible == "me":
        f = replace(f, responsible=str(request[EMPLOYEE].id))
    if q.get("due") == "today":
        f = replace(f, due_until=end_of_today(request.app[CONFIG].timezone, now()))
    return f


async def desk_channels(request: web.Request) -> list[str]:
    """Channels worth a filter option: those configured and those some ticket came by."""
    present = await views.ticket_channels()
    present |= {ch.name for ch in request.app[CONFIG].channels if ch.enabled}
    return [ch.value for ch in Channel if ch.value in present]


@routes.get("/tickets")
@access(Access.STAFF)
async def ticket_list(request: web.Request) -> web.Response:
    return await list_page(request)


async def list_page(request: web.Request, typed: Mapping[str, str] | None = None,
                    error: str | None = None, status: int = 200) -> web.Response:
    """The list with its views, filters, bulk actions and the new-ticket form."""
    ref = await views.reference()
    shown = visible_attributes(await definitions(), request[EMPLOYEE].role)
    f = _panel_filter(request, shown)
    sort = search.parse_sort(request.query.get("sort", ""))
    page_no = integer(request.query.get("page")) or 1
    visible = await views.visible_ticket_ids(request[EMPLOYEE])
    page = await views.list_tickets(f, visible, ref, now(), page_no, PER_PAGE, sort,
                                    before_id=integer(request.query.get("before")),
                                    count_limit=COUNT_LIMIT)
    filters = {k: v for k, v in request.query.items() if k not in NOT_FILTERS and v}
    current = next((v.key for v in SAVED_VIEWS if dict(v.params) == filters), None)
    return render(request, "tickets.html", status, page=page, f=f, ref=ref,
                  channels=await desk_channels(request), saved_views=SAVED_VIEWS,
                  current_view=current, sort=sort, sort_keys=search.KEYS,
                  filters=urlencode(filters), query=urlencode({**filters, "sort": sort.param}),
                  now=now(), attributes=shown, typed=typed or {}, error=error,
                  channel_name=channel_namer(request[TRANSLATOR]),
                  raw_query=request.query_string)


@routes.post("/tickets/new")
@access(Access.STAFF)
async def new_ticket(request: web.Request) -> web.Response:
    form = await request.post()
    typed = {str(k): str(v) for k, v in form.items() if k != "csrf_token"}
    contact_id = integer(form.get("contact"))
    if contact_id is None:
        return await list_page(request, typed, request[TRANSLATOR]("Choose a contact."), 400)
    ticket, error = await run(request, c.OpenTicketForClient(
        request[EMPLOYEE].id, contact_id, typed.get("subject", ""), typed.get("text", ""),
        typed.get("type") or None, typed.get("priority") or None, attrs.from_form(form)))
    if ticket is None:
        return await list_page(request, typed, error, 400)
    raise redirect(f"/tickets/{ticket.id}")
