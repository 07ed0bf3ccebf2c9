"""The call-back queue in the panel (docs/DOMAIN.md §10), for every employee: New requests in bold
first, then those being processed (who, since when), postponed ones and the recently
processed; opening, releasing, marking processed and postponing go through Desk.handle."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiohttp import web

from admin_web.forms import local_datetime, path_id
from admin_web.keys import CONFIG, DESK, EMPLOYEE, TRANSLATOR
from admin_web.render import redirect, render
from admin_web.security import Access, access, now
from core import commands as c
from core.callbacks import CallbackHeld, CallbackState
from core.errors import DomainError
from storage import callbacks as cb

routes = web.RouteTableDef()
PAGE = "/callbacks"
ACTIONS = {"registered": "Registered", "opened": "Opened", "taken_over": "Taken over",
           "released": "Released", "processed": "Processed", "postponed": "Postponed"}
DONE = {"open": "The request is yours to process.",
        "release": "The request is back in the queue.", "processed": "Marked as processed."}


@routes.get(PAGE)
@access(Access.STAFF)
async def callbacks_page(request: web.Request) -> web.Response:
    return render(request, "callbacks.html", items=await cb.queue(now()),
                  states=CallbackState, me_id=request[EMPLOYEE].id, actions=ACTIONS)


async def _act(request: web.Request, command: c.Command, done: str) -> web.Response:
    tr = request[TRANSLATOR]
    try:
        await request.app[DESK].handle(command)
    except CallbackHeld as held:
        since = held.since.astimezone(ZoneInfo(request.app[CONFIG].timezone))
        raise redirect(PAGE, tr("{name} has been processing this request since {since}.",
                                name=held.holder_name,
                                since=since.strftime("%Y-%m-%d %H:%M"))) from None
    except DomainError as exc:
        raise redirect(PAGE, tr.refusal(exc)) from None
    raise redirect(PAGE, tr(done))


@routes.post(PAGE + "/{request_id:\\d+}/{action:open|release|processed}")
@access(Access.STAFF)
async def act_on_request(request: web.Request) -> web.Response:
    rid, me = path_id(request, "request_id"), request[EMPLOYEE].id
    action = request.match_info["action"]
    if action == "open":
        command: c.Command = c.OpenCallback(rid, me, request.app[CONFIG].callback_lock)
    elif action == "release":
        command = c.ReleaseCallback(rid, me)
    else:
        command = c.MarkCallbackProcessed(rid, me)
    return await _act(request, command, DONE[action])


@routes.post(PAGE + "/{request_id:\\d+}/postpone")
@access(Access.STAFF)
async def postpone_request(request: web.Request) -> web.Response:
    until = local_datetime(request, (await request.post()).get("until"))
    if until is None:
        raise redirect(PAGE, request[TRANSLATOR]("Give the date and time to call back."))
    return await _act(request, c.PostponeCallback(path_id(request, "request_id"),
                                                   request[EMPLOYEE].id, until),
                      "Postponed.")
