"""The aiohttp application speaking VK's HTTP API: `POST|GET /method/<name>` (form fields or
query string, `access_token` and `v` among them) and the Bots Long Poll endpoint
`GET /longpoll/<group id>?act=a_check&key=&ts=&wait=`; the control API is under
`/control/`. Every call is checked in VK's order: the method exists, the token is the
community's, the 20 requests/s limit, then the parameters against the schema."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from aiohttp import web

from .errors import AUTH, SERVER, TOO_MANY_RPS, VkError
from .methods import IMPLEMENTED, not_emulated
from .state import CallRecord
from .uploads import UPLOAD_METHODS

if TYPE_CHECKING:
    from .emulator import VkEmulator

log = logging.getLogger(__name__)

EMULATOR: web.AppKey[VkEmulator] = web.AppKey("vk_emulator")
MAX_WAIT = 90


async def _params(request: web.Request) -> dict[str, str]:
    params = dict(request.query)
    if request.method == "POST" and request.body_exists:
        if request.content_type == "multipart/form-data":
            form = await request.post()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        else:
            text = (await request.read()).decode("utf-8", errors="replace")
            params.update(parse_qsl(text, keep_blank_values=True))
    return params


def _token(request: web.Request, params: dict[str, str]) -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return params.get("access_token", "")


async def handle_method(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR]
    state = emulator.state
    name = request.match_info["name"]
    params = await _params(request)
    try:
        result = _call(emulator, name, params, _token(request, params))
    except VkError as error:
        state.calls.append(CallRecord(name, _shown(params), error.code))
        state.changed()
        return web.json_response(error.to_body(name, params))
    state.calls.append(CallRecord(name, _shown(params), None))
    state.changed()
    return web.json_response({"response": result})


def _call(emulator: VkEmulator, name: str, params: dict[str, str], token: str) -> Any:
    state = emulator.state
    spec = emulator.schema.check_exists(name)
    if token != state.token:
        raise VkError(AUTH)
    if not emulator.limiter.allow(token):
        raise VkError(TOO_MANY_RPS)
    injected = state.take_injected_error(name)
    if injected is not None:
        raise VkError(injected)
    emulator.schema.check(spec.name, params)
    if name in UPLOAD_METHODS:
        return UPLOAD_METHODS[name](emulator.uploads, params)
    if name == "messages.send" and params.get("attachment"):
        emulator.uploads.check_attachments(params["attachment"])
    method = IMPLEMENTED.get(name)
    if method is None:
        state.internal_errors.append(f"{name} is not emulated")
        raise not_emulated(name)
    return method(state, params, emulator.base_url)


def _shown(params: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if k != "access_token"}


async def handle_longpoll(request: web.Request) -> web.Response:
    """`a_check`: the events from `ts` on, waiting up to `wait` seconds for the first;
    `failed` 1 (history lost: go on from the new ts), 2 (key expired), 3 (get both anew)."""
    emulator = request.app[EMULATOR]
    state = emulator.state
    query = request.query
    if str(state.group_id) != request.match_info["group_id"] or query.get("act") != "a_check":
        return web.json_response({"failed": 2})
    if state.longpoll_failures:
        failed = state.longpoll_failures.popleft()
        if failed == 1:
            return web.json_response({"failed": 1, "ts": str(state.next_seq)})
        state.rotate_key()
        return web.json_response({"failed": failed})
    if query.get("key") != state.longpoll_key:
        return web.json_response({"failed": 2})
    try:
        ts = int(query.get("ts", ""))
        wait = max(0, min(int(query.get("wait", "25")), MAX_WAIT))
    except ValueError:
        return web.json_response({"failed": 1, "ts": str(state.next_seq)})
    oldest = state.events[0].seq if state.events else state.next_seq
    if ts < oldest or ts > state.next_seq:
        return web.json_response({"failed": 1, "ts": str(state.next_seq)})
    events = await state.changes.wait_until(lambda: state.events_from(ts), float(wait),
                                            closed=lambda: state.closing)
    events = (events or [])[:100]
    next_ts = events[-1].seq + 1 if events else ts
    return web.json_response({"ts": str(next_ts), "updates": [e.body for e in events]})


@web.middleware
async def robustness(request: web.Request, handler: Any) -> web.StreamResponse:
    """Never leak a stack trace; an emulator bug answers VK's error 10 and is recorded."""
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except web.HTTPException:
        raise
    except Exception as exc:
        log.exception("vk emulator failed on %s %s", request.method, request.path)
        request.app[EMULATOR].state.internal_errors.append(
            f"{request.method} {request.path}: {type(exc).__name__}: {exc}")
        return web.json_response(VkError(SERVER).to_body(request.path, {}))


def create_app(emulator: VkEmulator) -> web.Application:
    from .control import add_control_routes

    app = web.Application(middlewares=[robustness])
    app[EMULATOR] = emulator
    app.router.add_route("*", "/method/{name}", handle_method)
    app.router.add_get("/longpoll/{group_id}", handle_longpoll)
    app.router.add_post("/upload/{kind}/{token}", emulator.uploads.receive)
    app.router.add_get("/media/{reference}", emulator.uploads.serve)
    add_control_routes(app)
    return app
