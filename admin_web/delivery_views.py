"""What the ticket page shows of messages that did not reach the client (why, in the
viewer's language, and a Retry button), and the Retry itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from markupsafe import Markup, escape

from admin_web.forms import path_id
from admin_web.i18n import Translator
from admin_web.keys import DESK, EMPLOYEE, TRANSLATOR
from admin_web.render import redirect
from admin_web.security import Access, access, now
from bots.failures import FailureReason, failure_reason
from storage import panel_views as views
from storage.delivery_failures import FailedDelivery, failed_deliveries, retry_delivery

routes = web.RouteTableDef()

REASONS = {
    FailureReason.NO_CHAT: "The messenger has no chat with this client: they have not "
                           "written to the bot there, or their account is gone.",
    FailureReason.BLOCKED: "The client blocked the bot or turned off messages from it.",
    FailureReason.TOO_LONG: "The message is too long for the messenger: shorten it or "
                            "split it in two.",
    FailureReason.NETWORK: "The messenger could not be reached; the desk tried several "
                           "times.",
    FailureReason.OTHER: "The messenger refused the message.",
}
NOTICES = {"ticket_opened": "The notice with the ticket number",
           "resolution_request": "The request to confirm the solution",
           "status_changed": "The notice of the status change"}
# The channels a reply goes out through (a ticket registered by hand has no client chat).
MESSENGERS = {"telegram": "Telegram", "vk": "VK", "viber": "Viber"}


@dataclass(frozen=True)
class Failure:
    id: int
    reason: str
    error: str
    what: str = ""  # a notice without a comment: which one


@dataclass
class Deliveries:
    """The ticket page's delivery troubles: per comment, notices, and a channel off."""

    by_comment: dict[int, Failure] = field(default_factory=dict)
    notices: list[Failure] = field(default_factory=list)
    unconnected: Markup | None = None
    """Said on public replies that wait in a ticket whose channel the desk has not on."""


def _failure(row: FailedDelivery, tr: Translator) -> Failure:
    what = "" if row.comment_id else tr(NOTICES.get(row.kind, "A notice to the client"))
    return Failure(row.id, tr(REASONS[failure_reason(row.error)]), row.error[:300], what)


async def deliveries(request: web.Request, ticket_id: int, channel: str) -> dict[str, Any]:
    """The ticket page's context for its delivery blocks (templates/_delivery*.html)."""
    tr: Translator = request[TRANSLATOR]
    found = Deliveries()
    for row in await failed_deliveries(ticket_id):
        failure = _failure(row, tr)
        if row.comment_id:
            found.by_comment[row.comment_id] = failure
        else:
            found.notices.append(failure)
    if channel in MESSENGERS and channel not in request.app[DESK].routing.client_channels:
        name = Markup("<bdi>{}</bdi>").format(MESSENGERS[channel])
        found.unconnected = escape(tr("Not sent: {channel} is not connected to this desk.")
                                   ).replace("{channel}", name)
    return {"delivery": found}


@routes.post("/tickets/{ticket_id:\\d+}/deliveries/{message_id:\\d+}/retry")
@access(Access.STAFF)
async def retry(request: web.Request) -> web.Response:
    """Queue a failed message again; the relay sends it on its next round."""
    ticket_id = path_id(request, "ticket_id")
    if not await views.can_see(request[EMPLOYEE], ticket_id):
        raise web.HTTPNotFound(text="No such ticket.")
    tr: Translator = request[TRANSLATOR]
    queued = await retry_delivery(ticket_id, path_id(request, "message_id"), now())
    raise redirect(f"/tickets/{ticket_id}", tr(
        "The message is queued again." if queued
        else "This message is not waiting for a retry any more."))
