"""Signing in and out, the panel language, and one's own API tokens."""

from __future__ import annotations

import secrets
from functools import cache

from aiohttp import web

from admin_web.forms import path_id
from admin_web.i18n import LANGUAGES
from admin_web.keys import (
    CONFIG,
    DESK,
    EMPLOYEE,
    PREFERENCES,
    SESSIONS,
    THROTTLE,
    TOKENS,
    TRANSLATOR,
)
from admin_web.passwords import hash_password, needs_rehash, verify_password
from admin_web.render import redirect, render
from admin_web.security import SESSION_COOKIE, Access, access, client_ip, now
from core import commands as c
from core.clean import without_nul
from storage import panel_views as views

routes = web.RouteTableDef()
NEXT_LIMIT = 2000


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


_TAB_AND_NEWLINE = dict.fromkeys(map(ord, "\t\n\r"))
_C0_AND_SPACE = "".join(map(chr, range(33)))


def _safe_next(value: str) -> str:
    r"""Only a path on this site, read as a browser reads a Location: browsers drop tabs and
    line breaks anywhere and control characters or spaces at the ends, so `/\t/evil.example`
    would reach `//evil.example`. After that: a path (no scheme), not `//host` or `/\host`,
    no backslash, control or other invisible character, and short enough for a Location
    header (aiohttp's client, and proxies, refuse one over 8 KB). Anything else is `/`."""
    path = value.translate(_TAB_AND_NEWLINE).strip(_C0_AND_SPACE)
    if (path.startswith("/") and not path.startswith("//") and "\\" not in path
            and path.isprintable() and " " not in path and len(path) <= NEXT_LIMIT):
        return path
    return "/"


@routes.get("/login")
@access(Access.PUBLIC)
async def login_form(request: web.Request) -> web.Response:
    if EMPLOYEE in request:
        raise redirect("/")
    return render(request, "login.html", next=_safe_next(request.query.get("next", "/")),
                  error=None, login="")


@routes.post("/login")
@access(Access.PUBLIC)
async def login(request: web.Request) -> web.Response:
    form = await request.post()
    # cleaned as the desk cleans what it stores: PostgreSQL cannot compare text with a NUL
    login_name = without_nul(str(form.get("login", ""))).strip()[:64]
    password = str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/")))
    throttle, ip = request.app[THROTTLE], client_ip(request)
    tr = request[TRANSLATOR]
    if await throttle.blocked(login_name, ip, now()):
        return render(request, "login.html", status=429, next=target, login=login_name,
                      error=tr("Too many failed attempts. Wait 15 minutes and try again."))
    employee = await views.employee_by_login(login_name) if login_name else None
    # Verify against a real or a dummy hash alike, so timing does not tell which logins exist.
    known = verify_password(employee.password_hash if employee and employee.password_hash
                            else _dummy_hash(), password)
    if employee is None or not employee.active or not employee.password_hash or not known:
        await throttle.failed(login_name, ip, now())
        return render(request, "login.html", status=401, next=target, login=login_name,
                      error=tr("Wrong login or password."))
    await throttle.succeeded(login_name)
    if employee.password_hash and needs_rehash(employee.password_hash):
        await request.app[DESK].handle(c.SetEmployeePassword(employee.id,
                                                             hash_password(password)))
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await request.app[SESSIONS].end(old)
    await request.app[SESSIONS].purge_expired(now())
    session_id = await request.app[SESSIONS].start(employee.id, now())
    response = redirect(target)
    config = request.app[CONFIG]
    response.set_cookie(SESSION_COOKIE, session_id, path="/", httponly=True, samesite="Lax",
                        secure=config.secure_cookies,
                        max_age=int(config.session_ttl.total_seconds()))
    raise response


@routes.post("/logout")
@access(Access.STAFF)
async def logout(request: web.Request) -> web.Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        await request.app[SESSIONS].end(session_id)
    response = redirect("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


@routes.post("/language")
@access(Access.STAFF)
async def set_language(request: web.Request) -> web.Response:
    form = await request.post()
    language = str(form.get("language", ""))
    if language in LANGUAGES:
        await request.app[PREFERENCES].set_language(request[EMPLOYEE].id, language)
    raise redirect(_safe_next(str(form.get("next", "/"))))


@routes.get("/profile")
@access(Access.STAFF)
async def profile(request: web.Request) -> web.Response:
    tokens = await request.app[TOKENS].for_employee(request[EMPLOYEE].id)
    return render(request, "profile.html", tokens=tokens, new_token=None)


@routes.post("/profile/tokens")
@access(Access.STAFF)
async def create_token(request: web.Request) -> web.Response:
    form = await request.post()
    employee = request[EMPLOYEE]
    token = await request.app[TOKENS].create(employee.id, str(form.get("name", "")), now())
    tokens = await request.app[TOKENS].for_employee(employee.id)
    return render(request, "profile.html", tokens=tokens, new_token=token)


@routes.post("/profile/tokens/{token_id:\\d+}/revoke")
@access(Access.STAFF)
async def revoke_token(request: web.Request) -> web.Response:
    await request.app[TOKENS].revoke(path_id(request, "token_id"),
                                     request[EMPLOYEE].id)
    raise redirect("/profile")


@routes.post("/profile/password")
@access(Access.STAFF)
async def change_password(request: web.Request) -> web.Response:
    form = await request.post()
    employee = request[EMPLOYEE]
    tr = request[TRANSLATOR]
    if not verify_password(employee.password_hash, str(form.get("current", ""))):
        raise redirect("/profile", tr("The current password is wrong."))
    new = str(form.get("new", ""))
    if len(new) < 10:
        raise redirect("/profile", tr("A password has at least 10 characters."))
    await request.app[DESK].handle(c.SetEmployeePassword(employee.id, hash_password(new),
                                                         employee.id))
    await request.app[SESSIONS].end_all(employee.id)
    raise redirect("/login", tr("Password changed. Sign in again."))
