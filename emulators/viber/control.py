"""The control HTTP API under `/control/` (JSON), mirroring `ViberEmulator`'s Python
methods for tests in other processes, and `/files/<name>` serving what users sent:

    POST /control/users                 {user_id, name, language?, country?, subscribed?}
    POST /control/conversation_started  {user_id, context?}
    POST /control/subscribe             {user_id}
    POST /control/unsubscribe           {user_id}
    POST /control/messages              {user_id, text?, picture_base64?, file_base64?,
                                         filename?, contact?, sticker_id?, tracking_data?}
    POST /control/share_phone           {user_id, phone}
    POST /control/report                {kind: delivered|seen|failed, token, desc?}
    POST /control/status                {status, times?}  the next send_message answers it
    GET  /control/messages/<user_id>    what the bot sent to the user
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
    user = request.app[EMULATOR].add_user(
        str(body["user_id"]), str(body["name"]), language=str(body.get("language", "en")),
        country=str(body.get("country", "GB")), subscribed=bool(body.get("subscribed")))
    return dataclasses.asdict(user)


async def _conversation_started(body: dict[str, Any], request: web.Request) -> Any:
    return request.app[EMULATOR].open_conversation(str(body["user_id"]),
                                                   context=body.get("context"))


async def _subscribe(body: dict[str, Any], request: web.Request) -> Any:
    return request.app[EMULATOR].subscribe(str(body["user_id"]))


async def _unsubscribe(body: dict[str, Any], request: web.Request) -> Any:
    return request.app[EMULATOR].unsubscribe(str(body["user_id"]))


async def _message(body: dict[str, Any], request: web.Request) -> Any:
    sticker = body.get("sticker_id")
    return request.app[EMULATOR].inject_message(
        str(body["user_id"]), body.get("text"), picture=_bytes(body, "picture_base64"),
        file=_bytes(body, "file_base64"), filename=str(body.get("filename", "file.bin")),
        contact=body.get("contact"), sticker_id=int(sticker) if sticker is not None else None,
        tracking_data=body.get("tracking_data"))


async def _share_phone(body: dict[str, Any], request: web.Request) -> Any:
    return request.app[EMULATOR].share_phone(str(body["user_id"]), str(body["phone"]))


async def _report(body: dict[str, Any], request: web.Request) -> Any:
    return request.app[EMULATOR].report(str(body["kind"]), int(body["token"]),
                                        desc=body.get("desc"))


async def _status(body: dict[str, Any], request: web.Request) -> Any:
    request.app[EMULATOR].inject_status(int(body["status"]), int(body.get("times", 1)))
    return True


async def _received(body: dict[str, Any], request: web.Request) -> Any:
    user_id = request.match_info["user_id"]
    return [dataclasses.asdict(m) for m in request.app[EMULATOR].received(user_id)]


async def serve_file(request: web.Request) -> web.Response:
    stored = request.app[EMULATOR].files.get(request.match_info["name"])
    if stored is None:
        raise web.HTTPNotFound()
    return web.Response(body=stored.data, content_type=stored.mime_type)


def add_control_routes(app: web.Application) -> None:
    app.router.add_post("/control/users", control_route(_add_user))
    app.router.add_post("/control/conversation_started", control_route(_conversation_started))
    app.router.add_post("/control/subscribe", control_route(_subscribe))
    app.router.add_post("/control/unsubscribe", control_route(_unsubscribe))
    app.router.add_post("/control/messages", control_route(_message))
    app.router.add_post("/control/share_phone", control_route(_share_phone))
    app.router.add_post("/control/report", control_route(_report))
    app.router.add_post("/control/status", control_route(_status))
    app.router.add_get("/control/messages/{user_id}", control_route(_received))
    app.router.add_get("/files/{name}", serve_file)
