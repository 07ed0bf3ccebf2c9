"""Who may do what, as middlewares: security headers, the panel session, CSRF tokens, API
tokens, and the access level every route declares (docs/DOMAIN.md §9.1). A panel or API route
without a declared level is refused, so a forgotten check fails closed."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Any, TypeVar

from aiohttp import web

from admin_web.i18n import Translator, best_language
from admin_web.keys import (
    ANON_CSRF,
    CONFIG,
    EMPLOYEE,
    EXEMPT,
    PREFERENCES,
    SESSION,
    SESSIONS,
    TOKENS,
    TRANSLATOR,
)
from core.people import Employee, Role
from storage import panel_views as views

SESSION_COOKIE = "cd_session"
ANON_CSRF_COOKIE = "cd_csrf"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
H = TypeVar("H", bound=Callable[..., Any])


class Access(StrEnum):
    PUBLIC = "public"  # the sign-in page, static files
    STAFF = "staff"  # any active employee
    REPORTS = "reports"  # administrators, and leads when allowed
    ADMIN = "admin"  # settings


def access(level: Access) -> Callable[[H], H]:
    def mark(handler: H) -> H:
        handler.access = level  # type: ignore[attr-defined]
        return handler
    return mark


def now() -> datetime:
    return datetime.now(UTC)


def client_ip(request: web.Request) -> str:
    """The client's address: the peer's, unless the peer is a trusted reverse proxy; then
    the right-most address in X-Forwarded-For that no trusted proxy added (each proxy
    appends the address it was called from, and what the client sent stands left of it)."""
    peer = request.remote or "unknown"
    proxies = request.app[CONFIG].trusted_proxies
    if not _trusted(peer, proxies):
        return peer
    forwarded = [part.strip() for header in request.headers.getall("X-Forwarded-For", ())
                 for part in header.split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, proxies):
            return address[:64]
    return forwarded[0][:64] if forwarded else peer


def _trusted(address: str, proxies: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, IPv6Address) and ip.ipv4_mapped:  # a dual-stack socket's IPv4 peer
        ip = ip.ipv4_mapped
    return any(ip in network for network in proxies)


def is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/")


async def allowed(employee: Employee, level: Access) -> bool:
    if level in (Access.PUBLIC, Access.STAFF):
        return True
    if employee.role is Role.ADMIN:
        return True
    if level is Access.REPORTS and employee.role is Role.LEAD:
        return (await views.reference()).settings.leads_see_reports
    return False


def _exempt(request: web.Request) -> bool:
    resource = request.match_info.route.resource
    return resource is None or resource.canonical in request.app[EXEMPT]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    secure = request.app[CONFIG].secure_cookies
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _headers(exc, secure)
        raise
    _headers(response, secure)
    return response


def _headers(response: web.StreamResponse, secure: bool) -> None:
    if secure:  # served over https: browsers should never try plain http again
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CSP)
    if response.content_type == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")


@web.middleware
async def panel_session(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Loads the signed-in employee and picks the language of the page."""
    if _exempt(request) or is_api(request):
        return await handler(request)
    config = request.app[CONFIG]
    session_id = request.cookies.get(SESSION_COOKIE)
    language = None
    if session_id:
        session = await request.app[SESSIONS].get(session_id, now())
        employee = await views.employee(session.employee_id) if session else None
        if session and employee and employee.active:
            request[SESSION], request[EMPLOYEE] = session, employee
            language = await request.app[PREFERENCES].language(employee.id)
        elif session:
            await request.app[SESSIONS].end(session_id)
    request[TRANSLATOR] = Translator(language or best_language(
        request.headers.get("Accept-Language"), config.default_language))
    anon = request.cookies.get(ANON_CSRF_COOKIE, "")
    new_anon = not anon and SESSION not in request
    request[ANON_CSRF] = anon or (secrets.token_urlsafe(32) if new_anon else "")
    response = await handler(request)
    if new_anon:
        response.set_cookie(ANON_CSRF_COOKIE, request[ANON_CSRF], path="/", httponly=True,
                            samesite="Lax", secure=config.secure_cookies)
    return response


@web.middleware
async def csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every unsafe panel request carries the token of its session (or, before sign-in, of
    the anonymous cookie); the API is exempt because it takes no cookies."""
    if request.method in UNSAFE and not _exempt(request) and not is_api(request):
        try:
            form = await request.post()
        except LookupError:  # a charset Python does not know: the form cannot be read
            raise web.HTTPBadRequest(text="The form could not be read (unknown character "
                                          "set). Send it as UTF-8.") from None
        sent = str(form.get("csrf_token", "")) or request.headers.get("X-CSRF-Token", "")
        session = request.get(SESSION)
        expected = session.csrf_token if session else request.cookies.get(ANON_CSRF_COOKIE, "")
        # as bytes: compare_digest refuses str with non-ASCII characters (a forged token)
        if not sent or not expected or not hmac.compare_digest(sent.encode(),
                                                               expected.encode()):
            raise web.HTTPForbidden(text="The form has expired or did not come from this "
                                         "site. Go back, reload the page and try again.")
    return await handler(request)


@web.middleware
async def api_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not is_api(request):
        return await handler(request)
    try:
        return await _api_call(request, handler)
    except web.HTTPException as exc:  # unknown path, wrong method: JSON like every API answer
        if exc.status < 400:
            raise
        return web.json_response({"error": exc.reason.lower().replace(" ", "_"),
                                  "message": exc.reason}, status=exc.status)


async def _api_call(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _exempt(request):
        return await handler(request)
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    employee = None
    if scheme.lower() == "bearer" and token.strip():
        employee_id = await request.app[TOKENS].employee_for(token.strip(), now())
        employee = await views.employee(employee_id) if employee_id else None
    level = getattr(request.match_info.handler, "access", None)
    if level is Access.PUBLIC:
        return await handler(request)
    if employee is None or not employee.active:
        return web.json_response({"error": "unauthorized",
                                  "message": "a valid API token is required"}, status=401,
                                 headers={"WWW-Authenticate": 'Bearer realm="chatdesk"'})
    request[EMPLOYEE] = employee
    return await handler(request)


@web.middleware
async def route_access(request: web.Request, handler: Handler) -> web.StreamResponse:
    if _exempt(request):
        return await handler(request)
    level = getattr(request.match_info.handler, "access", None)
    if level is None:
        raise web.HTTPForbidden(text="this route declares no access level")
    if level is Access.PUBLIC:
        return await handler(request)
    employee: Employee | None = request.get(EMPLOYEE)
    if employee is None:
        raise web.HTTPSeeOther(f"/login?next={request.path_qs}" if request.method == "GET"
                               else "/login")
    if not await allowed(employee, level):
        if is_api(request):
            return web.json_response({"error": "forbidden",
                                      "message": "your role does not allow this"}, status=403)
        raise web.HTTPForbidden(text="Your role does not allow this page.")
    return await handler(request)


MIDDLEWARES = [security_headers, api_token, panel_session, csrf, route_access]
