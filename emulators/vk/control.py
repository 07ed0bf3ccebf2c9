"""The control HTTP API under `/control/` (JSON), mirroring `VkEmulator`'s Python methods
for tests in other processes, and `/files/<name>` serving the files users sent:

    POST /control/users              {user_id, first_name, last_name?, lang_id?}
    POST /control/messages           {user_id, text?, photo_base64?, doc_base64?, filename?,
                                      payload?, reply_to?}
    GET  /control/messages/<user_id> what the community sent to the user
    POST /control/errors             {code, method?, times?}
    POST /control/longpoll/fail      {codes: [1|2|3, ...]}
    POST /control/callback           {url, secret?, confirmation_code} -> {confirmed}
    GET  /control/calls              every API call with its error code
"""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

from aiohttp import web

from emulators.common import ControlInputError, control_route

from .server import EMULATOR


def _bytes(body: dict[str, Any], key: str) -> bytes | None:
    value = body.get(key)
    if value is None:
        return None
    try:
        return base64.b64decode(str(value), validate=True)
    except ValueError:
        raise ControlInputError(f"{key} must be base64") from None


async def _add_user(body: dict[str, Any], request: web.Request) -> Any:
    user = request.app[EMULATOR].add_user(int(body["user_id"]), str(body["first_name"]),
                                          str(body.get("last_name", "")),
                                          lang_id=int(body.get("lang_id", 0)))
    return dataclasses.asdict(user)


async def _inject_message(body: dict[str, Any], request: web.Request) -> Any:
    reply_to = body.get("reply_to")
    event = request.app[EMULATOR].inject_message(
        int(body["user_id"]), str(body.get("text", "")), photo=_bytes(body, "photo_base64"),
        doc=_bytes(body, "doc_base64"), filename=str(body.get("filename", "file.bin")),
        payload=body.get("payload"), reply_to=int(reply_to) if reply_to is not None else None)
    return event.body


async def _received(body: dict[str, Any], request: web.Request) -> Any:
    user_id = int(request.match_info["user_id"])
    return [dataclasses.asdict(m) for m in request.app[EMULATOR].received(user_id)]


async def _inject_error(body: dict[str, Any], request: web.Request) -> Any:
    request.app[EMULATOR].inject_error(int(body["code"]), body.get("method", "messages.send"),
                                       int(body.get("times", 1)))
    return True


async def _fail_longpoll(body: dict[str, Any], request: web.Request) -> Any:
    request.app[EMULATOR].fail_longpoll(*(int(c) for c in body["codes"]))
    return True


async def _callback(body: dict[str, Any], request: web.Request) -> Any:
    confirmed = await request.app[EMULATOR].set_callback_server(
        str(body["url"]), secret=body.get("secret"),
        confirmation_code=str(body["confirmation_code"]))
    return {"confirmed": confirmed}


async def _calls(body: dict[str, Any], request: web.Request) -> Any:
    return [dataclasses.asdict(c) for c in request.app[EMULATOR].state.calls]


async def serve_file(request: web.Request) -> web.Response:
    stored = request.app[EMULATOR].files.get(request.match_info["name"])
    if stored is None:
        raise web.HTTPNotFound()
    return web.Response(body=stored.data, content_type=stored.mime_type)


def add_control_routes(app: web.Application) -> None:
    app.router.add_post("/control/users", control_route(_add_user))
    app.router.add_post("/control/messages", control_route(_inject_message))
    app.router.add_get("/control/messages/{user_id}", control_route(_received))
    app.router.add_post("/control/errors", control_route(_inject_error))
    app.router.add_post("/control/longpoll/fail", control_route(_fail_longpoll))
    app.router.add_post("/control/callback", control_route(_callback))
    app.router.add_get("/control/calls", control_route(_calls))
    app.router.add_get("/files/{name}", serve_file)
