"""The aiohttp application speaking the Telegram Bot API over HTTP.

Routes: ``GET|POST /bot<token>/<method>`` (form-encoded, JSON or multipart parameters,
query string too), ``GET /file/bot<token>/<file_path>`` for downloads, and the control
API under ``/control/`` (see :mod:`.control`).  Malformed requests answer ``400``; an
unexpected failure answers a JSON ``500`` without a stack trace and is recorded in
``state.internal_errors``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web

from .dispatch import execute
from .errors import ApiError, bad_request, entity_too_large, not_found, unauthorized
from .files import MAX_UPLOAD_SIZE, Upload

if TYPE_CHECKING:
    from .emulator import TelegramEmulator

log = logging.getLogger(__name__)

MAX_REQUEST_SIZE = MAX_UPLOAD_SIZE + 1024 * 1024
EMULATOR_KEY: web.AppKey[TelegramEmulator] = web.AppKey("telegram_emulator")


def json_error(error: ApiError) -> web.Response:
    return web.json_response(error.to_body(), status=error.status)


async def parse_request(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Parameters of a Bot API request: query string plus the body in any of Telegram's
    accepted encodings.  Raises ``400`` (or ``413``) on malformed input."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method != "POST" or not request.body_exists:
        return raw, uploads
    ctype = request.content_type
    if ctype == "multipart/form-data":
        await _parse_multipart(request, raw, uploads)
        return raw, uploads
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise entity_too_large() from None
    if not body.strip():
        return raw, uploads
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("request body is not valid UTF-8") from None
    if ctype == "application/json":
        try:
            obj = json.loads(text)
        except ValueError:
            raise bad_request("can't parse JSON request body") from None
        if not isinstance(obj, dict):
            raise bad_request("JSON request body must be an object")
        raw.update(obj)
        return raw, uploads
    try:
        raw.update(parse_qsl(text, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        raise bad_request("can't parse form-encoded request body") from None
    return raw, uploads


async def _parse_multipart(
    request: web.Request, raw: dict[str, Any], uploads: dict[str, Upload]
) -> None:
    total = 0
    try:
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            chunks = []
            while chunk := await part.read_chunk():
                total += len(chunk)
                if total > MAX_REQUEST_SIZE:
                    raise entity_too_large()
                chunks.append(chunk)
            data = b"".join(chunks)
            if part.filename is not None:
                ctype = part.headers.get("Content-Type", "application/octet-stream")
                uploads[part.name] = Upload(part.filename, ctype, data)
            else:
                raw[part.name] = data.decode(part.get_charset(default="utf-8"))
    except ApiError:
        raise
    except Exception:  # aiohttp raises assorted errors on broken multipart bodies
        raise bad_request("can't parse multipart/form-data request body") from None


async def handle_bot_api(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR_KEY]
    token = request.match_info["token"]
    if not emulator.accept_token(token):
        return json_error(unauthorized())
    try:
        raw, uploads = await parse_request(request)
    except ApiError as error:
        emulator.state.record_call(request.match_info["method"], {}, error.status, error)
        return json_error(error)
    status, body = await execute(
        emulator.state,
        emulator.spec,
        emulator.limiter,
        request.match_info["method"],
        raw,
        uploads,
        token,
    )
    return web.json_response(body, status=status)


async def handle_file(request: web.Request) -> web.StreamResponse:
    emulator = request.app[EMULATOR_KEY]
    if not emulator.accept_token(request.match_info["token"]):
        return json_error(unauthorized())
    stored = emulator.state.files.by_path(request.match_info["path"])
    if stored is None:
        return json_error(not_found())
    return web.Response(body=stored.data, content_type=stored.mime_type or None)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def robustness_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer Telegram-shaped JSON for routing errors and never leak a stack trace."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status == 404:
            return json_error(not_found())
        if exc.status == 413:
            return json_error(entity_too_large())
        if exc.status >= 400:
            return json_error(ApiError(exc.status, exc.reason))
        raise
    except Exception as exc:
        log.exception("telegram emulator failed on %s %s", request.method, request.path)
        request.app[EMULATOR_KEY].state.internal_errors.append(
            f"{request.method} {request.path}: {type(exc).__name__}: {exc}"
        )
        return json_error(ApiError(500, "Internal Server Error"))


def create_app(emulator: TelegramEmulator) -> web.Application:
    """The aiohttp application serving ``emulator``."""
    from .control import setup_control_routes

    app = web.Application(middlewares=[robustness_middleware], client_max_size=MAX_REQUEST_SIZE)
    app[EMULATOR_KEY] = emulator
    app.router.add_route("*", "/bot{token}/{method}", handle_bot_api)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
    setup_control_routes(app)
    return app
