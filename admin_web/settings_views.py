"""Settings pages (administrators only): statuses, priorities, types, canned answers, desk
settings and channels. Every change is a command for Desk.handle."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from admin_web import channel_words
from admin_web.channel_status import live_channels
from admin_web.forms import flag, integer, path_id, run
from admin_web.forum_status import forums
from admin_web.keys import CONFIG, EMPLOYEE, RUNTIME, TRANSLATOR
from admin_web.localize import names_of
from admin_web.render import redirect, render
from admin_web.security import Access, access
from core import commands as c
from storage import panel_views as views

routes = web.RouteTableDef()
BACK = {"statuses": "/settings/statuses", "priorities": "/settings/priorities",
        "types": "/settings/types", "canned_groups": "/settings/canned",
        "canned_answers": "/settings/canned", "sla": "/settings/sla",
        "routing": "/settings/routing", "automation": "/settings/automation",
        "macros": "/settings/macros"}
ORDERED = frozenset(BACK)


@routes.get("/settings")
@access(Access.ADMIN)
async def settings_home(request: web.Request) -> web.Response:
    raise redirect("/settings/statuses")


@routes.get("/settings/statuses")
@access(Access.ADMIN)
async def statuses(request: web.Request) -> web.Response:
    return render(request, "settings/statuses.html", ref=await views.reference(),
                  editing_names=True)


@routes.post("/settings/statuses")
@access(Access.ADMIN)
async def save_status(request: web.Request) -> web.Response:
    form = await request.post()
    _, error = await run(request, c.SaveStatus(
        request[EMPLOYEE].id, str(form.get("code", "")), str(form.get("name", "")),
        str(form.get("state", "open")), flag(form, "pauses_sla"),
        flag(form, "excluded_from_load"), str(form.get("color", "#888888")),
        flag(form, "notify_client"), names_of(form)))
    raise redirect("/settings/statuses", error)


@routes.post("/settings/statuses/{code}/delete")
@access(Access.ADMIN)
async def delete_status(request: web.Request) -> web.Response:
    _, error = await run(request, c.DeleteStatus(request[EMPLOYEE].id,
                                                 request.match_info["code"]))
    raise redirect("/settings/statuses", error)


@routes.post("/settings/move/{kind}/{key}/{direction:(up|down)}")
@access(Access.ADMIN)
async def move(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    if kind not in ORDERED:
        raise web.HTTPNotFound()
    _, error = await run(request, c.MoveItem(request[EMPLOYEE].id, kind,
                                             request.match_info["key"],
                                             request.match_info["direction"] == "up"))
    raise redirect(BACK[kind], error)


@routes.get("/settings/priorities")
@access(Access.ADMIN)
async def priorities(request: web.Request) -> web.Response:
    return render(request, "settings/priorities.html", ref=await views.reference(),
                  editing_names=True)


@routes.post("/settings/priorities")
@access(Access.ADMIN)
async def save_priority(request: web.Request) -> web.Response:
    form = await request.post()
    _, error = await run(request, c.SavePriority(request[EMPLOYEE].id,
                                                 str(form.get("code", "")),
                                                 str(form.get("name", "")),
                                                 str(form.get("color", "#888888")),
                                                 names_of(form)))
    raise redirect("/settings/priorities", error)


@routes.post("/settings/priorities/{code}/delete")
@access(Access.ADMIN)
async def delete_priority(request: web.Request) -> web.Response:
    _, error = await run(request, c.DeletePriority(request[EMPLOYEE].id,
                                                   request.match_info["code"]))
    raise redirect("/settings/priorities", error)


@routes.get("/settings/types")
@access(Access.ADMIN)
async def types(request: web.Request) -> web.Response:
    return render(request, "settings/types.html", ref=await views.reference(),
                  editing_names=True)


@routes.post("/settings/types")
@access(Access.ADMIN)
async def save_type(request: web.Request) -> web.Response:
    form = await request.post()
    _, error = await run(request, c.SaveTicketType(request[EMPLOYEE].id,
                                                   str(form.get("code", "")),
                                                   str(form.get("name", "")),
                                                   flag(form, "internal"), names_of(form)))
    raise redirect("/settings/types", error)


@routes.post("/settings/types/{code}/delete")
@access(Access.ADMIN)
async def delete_type(request: web.Request) -> web.Response:
    _, error = await run(request, c.DeleteTicketType(request[EMPLOYEE].id,
                                                     request.match_info["code"]))
    raise redirect("/settings/types", error)


@routes.get("/settings/canned")
@access(Access.ADMIN)
async def canned(request: web.Request) -> web.Response:
    groups, answers = await views.canned()
    return render(request, "settings/canned.html", groups=groups, answers=answers,
                  editing_names=True)


@routes.post("/settings/canned/groups")
@access(Access.ADMIN)
async def save_canned_group(request: web.Request) -> web.Response:
    form = await request.post()
    _, error = await run(request, c.SaveCannedGroup(request[EMPLOYEE].id,
                                                    integer(form.get("id")) or 0,
                                                    str(form.get("name", "")),
                                                    names_of(form)))
    raise redirect("/settings/canned", error)


@routes.post("/settings/canned/groups/{group_id:\\d+}/delete")
@access(Access.ADMIN)
async def delete_canned_group(request: web.Request) -> web.Response:
    _, error = await run(request, c.DeleteCannedGroup(request[EMPLOYEE].id,
                                                      path_id(request, "group_id")))
    raise redirect("/settings/canned", error)


@routes.post("/settings/canned/answers")
@access(Access.ADMIN)
async def save_canned_answer(request: web.Request) -> web.Response:
    form = await request.post()
    _, error = await run(request, c.SaveCannedAnswer(
        request[EMPLOYEE].id, integer(form.get("id")) or 0,
        integer(form.get("group_id")) or 0, str(form.get("title", "")),
        str(form.get("body", "")), names_of(form, "title")))
    raise redirect("/settings/canned", error)


@routes.post("/settings/canned/answers/{answer_id:\\d+}/delete")
@access(Access.ADMIN)
async def delete_canned_answer(request: web.Request) -> web.Response:
    _, error = await run(request, c.DeleteCannedAnswer(request[EMPLOYEE].id,
                                                       path_id(request, "answer_id")))
    raise redirect("/settings/canned", error)


@routes.get("/settings/desk")
@access(Access.ADMIN)
async def desk(request: web.Request) -> web.Response:
    ref = await views.reference()
    return render(request, "settings/desk.html", ref=ref, s=ref.settings)


@routes.post("/settings/desk")
@access(Access.ADMIN)
async def save_desk(request: web.Request) -> web.Response:
    form = await request.post()
    reopen = integer(form.get("reopen_days"))
    close = integer(form.get("auto_close_days"))
    if reopen is None or close is None:
        raise redirect("/settings/desk", request[TRANSLATOR]("Give whole numbers of days."))
    _, error = await run(request, c.SetDeskSettings(
        request[EMPLOYEE].id, int(timedelta(days=reopen).total_seconds()),
        int(timedelta(days=close).total_seconds()), str(form.get("default_priority", "")),
        flag(form, "leads_see_reports")))
    if error is None:
        names = tuple(str(form.get("categories", "")).splitlines())
        _, error = await run(request, c.SetCompanyCategories(request[EMPLOYEE].id, names))
    raise redirect("/settings/desk", error or request[TRANSLATOR]("Saved."))


@routes.get("/settings/channels")
@access(Access.ADMIN)
async def channels(request: web.Request) -> web.Response:
    runtime, configured = request.app[RUNTIME], request.app[CONFIG].channels
    return render(request, "settings/channels.html", channels=configured,
                  workers=runtime.workers_alive(), live=await live_channels(runtime, configured),
                  forums=await forums(configured), words=channel_words)
