"""Settings page for custom ticket attributes (§9.5, administrators only): define, edit,
reorder, switch off and delete them. Every change is a command for Desk.handle."""

from __future__ import annotations

from aiohttp import web

from admin_web.forms import flag, run
from admin_web.keys import EMPLOYEE
from admin_web.render import redirect, render
from admin_web.security import Access, access
from core import commands as c
from core.attributes import AttributeKind
from core.people import Role
from storage.attributes import definitions

routes = web.RouteTableDef()
PAGE = "/settings/attributes"


@routes.get(PAGE)
@access(Access.ADMIN)
async def attributes(request: web.Request) -> web.Response:
    return render(request, "settings/attributes.html", attributes=await definitions(),
                  kinds=list(AttributeKind), roles=[Role.LEAD, Role.SPECIALIST])


@routes.post(PAGE)
@access(Access.ADMIN)
async def save_attribute(request: web.Request) -> web.Response:
    form = await request.post()
    roles = tuple(r.value for r in Role if flag(form, f"visible_{r.value}"))
    _, error = await run(request, c.SaveAttribute(
        request[EMPLOYEE].id, str(form.get("code", "")), str(form.get("name", "")),
        str(form.get("kind", "text")), tuple(str(form.get("options", "")).splitlines()),
        visible_to=roles, required=flag(form, "required"), enabled=flag(form, "enabled")))
    raise redirect(PAGE, error)


@routes.post(PAGE + "/{code}/delete")
@access(Access.ADMIN)
async def delete_attribute(request: web.Request) -> web.Response:
    _, error = await run(request, c.DeleteAttribute(request[EMPLOYEE].id,
                                                    request.match_info["code"]))
    raise redirect(PAGE, error)


@routes.post(PAGE + "/{code}/{direction:(up|down)}")
@access(Access.ADMIN)
async def move_attribute(request: web.Request) -> web.Response:
    _, error = await run(request, c.MoveItem(request[EMPLOYEE].id, "attributes",
                                             request.match_info["code"],
                                             request.match_info["direction"] == "up"))
    raise redirect(PAGE, error)
