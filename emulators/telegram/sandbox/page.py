"""Routes of the sandbox page, added to the emulator's aiohttp app.

``GET /`` and ``GET /sandbox`` serve the page, ``GET /sandbox/config`` tells it which chat is
the agents' group and who the agent is, ``GET /sandbox/clients`` lists the clients (private
chats with their language), ``/sandbox/static/`` serves its CSS and JavaScript.
Everything else the page does goes through the emulator's control API (``/control/...``):
it polls what the bot sent and injects what the people do, exactly as a test would.

The page is vanilla JavaScript without external resources; a strict Content-Security-Policy
forbids inline scripts and anything not served from here, and the script inserts every text
with ``textContent``. Writes to the control API must be JSON, so that other sites cannot make a
visitor's browser post to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from ..server import EMULATOR_KEY

if TYPE_CHECKING:
    from ..emulator import TelegramEmulator

STATIC = Path(__file__).parent / "static"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class SandboxInfo:
    """What the page needs to know about the emulated world."""

    agent_chat_id: int
    """The forum supergroup the product uses as the agents' chat."""
    agent_user_id: int
    """The Telegram account of the linked employee the person plays on the right."""
    agent_name: str
    group_title: str = "ChatDesk agents"
    first_client_id: int = 100_000_001
    """The Telegram id of the first client the page creates (then one more each)."""
    panel_url: str | None = None
    """The product's web panel, linked from the page header when known."""
    panel_login: str | None = None
    """A hint such as ``admin / admin`` shown next to the panel link."""


SANDBOX_INFO: web.AppKey[SandboxInfo] = web.AppKey("sandbox_info", SandboxInfo)


async def _page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "sandbox.html", headers=SECURITY_HEADERS)


async def _config(request: web.Request) -> web.Response:
    info = asdict(request.app[SANDBOX_INFO])
    info["bot"] = request.app[EMULATOR_KEY].bot_user.to_api()
    return web.json_response({"ok": True, "result": info}, headers=SECURITY_HEADERS)


async def _clients(request: web.Request) -> web.Response:
    """The people with a private chat with the bot (but the agent), with their language."""
    state = request.app[EMULATOR_KEY].state
    agent = request.app[SANDBOX_INFO].agent_user_id
    clients = []
    for chat in state.chats.values():
        if chat.type != "private" or chat.id == agent:
            continue
        user = state.users.get(chat.id)
        clients.append({
            "id": chat.id,
            "first_name": chat.first_name,
            "last_name": chat.last_name,
            "username": chat.username,
            "language_code": user.language_code if user else None,
        })
    return web.json_response({"ok": True, "result": clients}, headers=SECURITY_HEADERS)


FILE_HEADERS = {
    # Files people upload are shown by the page; opened directly they must not run anything.
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
    "X-Content-Type-Options": "nosniff",
}


@web.middleware
async def _json_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Other web sites may not drive the sandbox from a visitor's browser: a cross-site
    request can only carry a JSON content type after a CORS preflight, which fails here."""
    if (request.path.startswith("/control/") and request.method in ("POST", "PUT", "DELETE")
            and request.content_type != "application/json"):
        return web.json_response(
            {"ok": False, "error": "the sandbox's control API takes application/json"},
            status=415)
    return await handler(request)


async def _static_headers(request: web.Request, response: web.StreamResponse) -> None:
    headers = SECURITY_HEADERS if request.path.startswith("/sandbox") or request.path == "/" \
        else FILE_HEADERS if request.path.startswith("/control/files/") else {}
    for name, value in headers.items():
        response.headers.setdefault(name, value)


def setup_sandbox_routes(app: web.Application, info: SandboxInfo) -> None:
    """Add the page, its config and its static files to ``app``."""
    app[SANDBOX_INFO] = info
    app.router.add_get("/", _page)
    app.router.add_get("/sandbox", _page)
    app.router.add_get("/sandbox/config", _config)
    app.router.add_get("/sandbox/clients", _clients)
    app.router.add_static("/sandbox/static/", STATIC)
    app.on_response_prepare.append(_static_headers)
    app.middlewares.append(_json_only)


def install_sandbox_page(emulator: TelegramEmulator, info: SandboxInfo) -> None:
    """Serve the page from ``emulator`` (call before ``emulator.start()``)."""
    emulator.app_setups.append(lambda app: setup_sandbox_routes(app, info))
