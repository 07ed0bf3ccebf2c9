"""The aiohttp application speaking Viber's REST bot API under `/pa/`: set_webhook,
send_message, get_account_info, get_user_details, get_online. The auth token comes in the
`X-Viber-Auth-Token` header or (as viberbot sends it) in the JSON body; every answer is
HTTP 200 with Viber's `status` (0 = ok). The control API is under `/control/`."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .checks import (
    BAD_DATA,
    INVALID_AUTH_TOKEN,
    INVALID_URL,
    MAX_REQUEST,
    MISSING_DATA,
    RECEIVER_NOT_REGISTERED,
    RECEIVER_NOT_SUBSCRIBED,
    TOO_MANY_REQUESTS,
    ViberStatus,
    check_message,
)
from .state import SentMessage, Webhook

if TYPE_CHECKING:
    from .emulator import ViberEmulator

log = logging.getLogger(__name__)

EMULATOR: web.AppKey[ViberEmulator] = web.AppKey("viber_emulator")
DEFAULT_EVENTS = ["delivered", "seen", "failed", "subscribed", "unsubscribed",
                  "conversation_started"]

Endpoint = Callable[["ViberEmulator", dict[str, Any]], Awaitable[dict[str, Any]]]


async def set_webhook(emulator: ViberEmulator, body: dict[str, Any]) -> dict[str, Any]:
    url = str(body.get("url") or "")
    if not url:
        emulator.state.webhook = None
        return {}
    if not url.startswith(("http://", "https://")):
        raise ViberStatus(INVALID_URL)
    events = [e for e in body.get("event_types") or DEFAULT_EVENTS if e in DEFAULT_EVENTS]
    if not await emulator.deliverer.probe(url):
        raise ViberStatus(INVALID_URL, "the webhook did not answer 200")
    emulator.state.webhook = Webhook(url, events)
    return {"event_types": events}


async def send_message(emulator: ViberEmulator, body: dict[str, Any]) -> dict[str, Any]:
    state = emulator.state
    receiver = body.get("receiver")
    if not receiver:
        raise ViberStatus(MISSING_DATA, "receiver is required")
    if not emulator.limiter.allow("send_message"):
        raise ViberStatus(TOO_MANY_REQUESTS)
    if state.injected_statuses and (status := state.injected_statuses.popleft()):
        raise ViberStatus(status)  # an injected 0 lets this send through
    check_message(body)
    user = state.users.get(str(receiver))
    if user is None:
        raise ViberStatus(RECEIVER_NOT_REGISTERED)
    if not user.subscribed:
        raise ViberStatus(RECEIVER_NOT_SUBSCRIBED)
    message = record_message(emulator, str(receiver), body)
    return {"message_token": message.token}


def record_message(emulator: ViberEmulator, receiver: str, body: dict[str, Any],
                   welcome: bool = False) -> SentMessage:
    state = emulator.state
    message = SentMessage(state.next_token(), receiver, body.get("type"), body.get("text"),
                          body.get("keyboard"), str(body.get("sender", {}).get("name", "")),
                          body.get("tracking_data"), body.get("media"),
                          {k: v for k, v in body.items() if k != "auth_token"}, welcome)
    state.sent.append(message)
    user = state.users.get(receiver)
    if user is not None:
        user.last_tracking_data = message.tracking_data
    state.changed()
    return message


async def get_account_info(emulator: ViberEmulator, body: dict[str, Any]) -> dict[str, Any]:
    state = emulator.state
    hook = state.webhook
    return {"id": "pa:emulated", "name": state.account_name, "uri": "chatdesk",
            "icon": None, "category": "Support", "subcategory": "Help desk",
            "country": "GB", "webhook": hook.url if hook else "",
            "event_types": hook.event_types if hook else [],
            "subscribers_count": sum(1 for u in state.users.values() if u.subscribed),
            "members": []}


async def get_user_details(emulator: ViberEmulator, body: dict[str, Any]) -> dict[str, Any]:
    user = emulator.state.users.get(str(body.get("id") or ""))
    if user is None:
        raise ViberStatus(RECEIVER_NOT_REGISTERED)
    details = user.to_api()
    details.update({"primary_device_os": "Android 13", "viber_version": "20.0.0",
                    "device_type": "emulated", "mcc": 1, "mnc": 1})
    return {"user": details}


async def get_online(emulator: ViberEmulator, body: dict[str, Any]) -> dict[str, Any]:
    ids = body.get("ids") or []
    if not isinstance(ids, list) or not ids:
        raise ViberStatus(MISSING_DATA, "ids is required")
    return {"users": [{"id": i, "online_status": 1, "online_status_message": "offline"}
                      for i in ids if i in emulator.state.users]}


ENDPOINTS: dict[str, Endpoint] = {
    "set_webhook": set_webhook,
    "send_message": send_message,
    "get_account_info": get_account_info,
    "get_user_details": get_user_details,
    "get_online": get_online,
}


async def handle_api(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR]
    name = request.match_info["endpoint"]
    try:
        result = await _run(emulator, name, request)
    except ViberStatus as status:
        emulator.state.requests.append((name, status.status))
        emulator.state.changed()
        return web.json_response(status.to_body())
    emulator.state.requests.append((name, 0))
    emulator.state.changed()
    return web.json_response({"status": 0, "status_message": "ok",
                              "chat_hostname": "SN-CHAT-01_", **result})


async def _run(emulator: ViberEmulator, name: str, request: web.Request) -> dict[str, Any]:
    endpoint = ENDPOINTS.get(name)
    if endpoint is None:
        raise web.HTTPNotFound()
    raw = await request.read()
    if len(raw) > MAX_REQUEST:
        raise ViberStatus(BAD_DATA, "the request is over 30 KB")
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise ViberStatus(BAD_DATA, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise ViberStatus(BAD_DATA, "the body is not a JSON object")
    token = request.headers.get("X-Viber-Auth-Token") or body.get("auth_token")
    if token != emulator.state.auth_token:
        raise ViberStatus(INVALID_AUTH_TOKEN)
    return await endpoint(emulator, body)


@web.middleware
async def robustness(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        response: web.StreamResponse = await handler(request)
        return response
    except web.HTTPException:
        raise
    except Exception as exc:
        log.exception("viber emulator failed on %s %s", request.method, request.path)
        request.app[EMULATOR].state.internal_errors.append(
            f"{request.method} {request.path}: {type(exc).__name__}: {exc}")
        return web.json_response({"status": 1000, "status_message": "emulator error"},
                                 status=500)


def create_app(emulator: ViberEmulator) -> web.Application:
    from .control import add_control_routes

    app = web.Application(middlewares=[robustness], client_max_size=1024 * 1024)
    app[EMULATOR] = emulator
    app.router.add_post("/pa/{endpoint}", handle_api)
    add_control_routes(app)
    return app
