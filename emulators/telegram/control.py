"""The control HTTP API under ``/control/`` (JSON), mirroring the Python control methods
of :class:`~.emulator.TelegramEmulator` for tests in other processes and the sandbox page.

Errors answer ``{"ok": false, "error": "..."}`` with status 400 (bad input) or 404
(unknown chat, message or file); successes answer ``{"ok": true, "result": ...}``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .errors import ControlError
from .limits import RateLimits
from .server import EMULATOR_KEY

if TYPE_CHECKING:
    from .emulator import TelegramEmulator

Route = Callable[["TelegramEmulator", dict[str, Any], web.Request], Any]
_ATTACHMENT_KINDS = ("photo", "document", "voice", "video", "sticker")


class _BadInput(ValueError):
    pass


def _route(func: Route, *, body: bool) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        emulator = request.app[EMULATOR_KEY]
        try:
            data: dict[str, Any] = {}
            if body and request.body_exists:
                try:
                    data = await request.json()
                except ValueError:
                    raise _BadInput("request body must be JSON") from None
                if not isinstance(data, dict):
                    raise _BadInput("request body must be a JSON object")
            result = func(emulator, data, request)
        except ControlError as exc:
            status = 404 if "not found" in str(exc) else 400
            return web.json_response({"ok": False, "error": str(exc)}, status=status)
        except (_BadInput, TypeError, ValueError, KeyError) as exc:
            return web.json_response({"ok": False, "error": _describe(exc)}, status=400)
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    return handler


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    return str(exc)


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise _BadInput(f"{name} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _BadInput(f"{name} must be an integer") from None


def _path_int(request: web.Request, name: str) -> int:
    return _int(request.match_info[name], name)


def _files(data: dict[str, Any]) -> dict[str, Any]:
    """``{"attachment": {"kind", "base64", "filename", "mime_type"}}`` as keyword args."""
    spec = data.get("attachment")
    if spec is None:
        return {}
    if not isinstance(spec, dict) or spec.get("kind") not in _ATTACHMENT_KINDS:
        raise _BadInput(f"attachment needs a kind among {_ATTACHMENT_KINDS}")
    try:
        raw = base64.b64decode(spec.get("base64", ""), validate=True)
    except (binascii.Error, ValueError):
        raise _BadInput("attachment.base64 is not valid base64") from None
    return {
        spec["kind"]: raw,
        "filename": spec.get("filename"),
        "mime_type": spec.get("mime_type"),
    }


def _pick(data: dict[str, Any], *names: str) -> dict[str, Any]:
    return {n: data[n] for n in names if n in data}


# -- setup ------------------------------------------------------------------------------


def _state(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    return {
        "bot": emu.bot_user.to_api(),
        "token_bound": emu.token is not None,
        "chats": [c.to_dict() for c in emu.state.chats.values()],
        "pending_updates": len(emu.state.updates),
        "next_update_id": emu.state.updates.next_update_id,
        "rate_limited": emu.rate_limited_count,
        "webhook": emu.webhook_info(),
        "internal_errors": emu.internal_errors,
    }


def _add_user(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    user = emu.add_user(
        _int(data["user_id"], "user_id"),
        data.get("first_name"),
        **_pick(data, "last_name", "username", "language_code"),
    )
    return user.to_dict()


def _block(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    emu.set_blocked(_path_int(request, "user_id"), bool(data.get("blocked", True)))
    return True


def _member_args(data: dict[str, Any]) -> dict[str, Any]:
    args = _pick(data, "first_name", "last_name", "username", "admin", "owner")
    args["user_id"] = _int(data["user_id"], "user_id")
    return args


def _create_supergroup(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    members = data.get("members", [])
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise _BadInput("members must be a list of objects")
    chat = emu.create_supergroup(
        str(data["title"]),
        chat_id=_int(data["chat_id"], "chat_id") if "chat_id" in data else None,
        username=data.get("username"),
        forum=bool(data.get("forum", True)),
        members=[_member_args(m) for m in members],
    )
    return chat.to_dict()


def _add_member(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    return emu.add_member(_path_int(request, "chat_id"), **_member_args(data)).to_dict()


def _create_topic(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    topic = emu.create_topic(
        _path_int(request, "chat_id"),
        str(data["name"]),
        user_id=_int(data["user_id"], "user_id"),
        icon_color=data.get("icon_color"),
    )
    return topic.to_dict()


def _chats(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    return [c.to_dict() for c in emu.state.chats.values()]


def _chat(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    return emu.state.chat_or_control_error(_path_int(request, "chat_id")).to_dict()


# -- injection ---------------------------------------------------------------------------


def _private_message(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    injected = emu.inject_private_message(
        _int(data["user_id"], "user_id"),
        data.get("text"),
        **_files(data),
        **_pick(
            data,
            "caption",
            "contact",
            "entities",
            "first_name",
            "last_name",
            "username",
            "language_code",
            "reply_to_message_id",
        ),
    )
    return injected.to_dict()


def _group_message(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    injected = emu.inject_group_message(
        _int(data["chat_id"], "chat_id"),
        _int(data["user_id"], "user_id"),
        data.get("text"),
        **_files(data),
        **_pick(
            data,
            "caption",
            "entities",
            "first_name",
            "username",
            "message_thread_id",
            "reply_to_message_id",
        ),
    )
    return injected.to_dict()


def _callback_query(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    injected = emu.inject_callback_query(
        _int(data["chat_id"], "chat_id"),
        _int(data["message_id"], "message_id"),
        str(data["data"]),
        user_id=_int(data["user_id"], "user_id") if data.get("user_id") is not None else None,
        forge=bool(data.get("forge", False)),
    )
    return injected.to_dict()


def _edited_message(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    injected = emu.inject_edited_message(
        _int(data["chat_id"], "chat_id"),
        _int(data["message_id"], "message_id"),
        **_pick(data, "text", "caption"),
    )
    return injected.to_dict()


def _raw_update(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    if not isinstance(data.get("payload"), dict):
        raise _BadInput("payload must be an object")
    return emu.inject_update(str(data["kind"]), data["payload"]).to_dict()


# -- reading -------------------------------------------------------------------------------


def _flag(request: web.Request, name: str) -> bool | None:
    value = request.query.get(name)
    if value is None:
        return None
    return value.lower() in ("1", "true", "yes")


def _messages(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    chat_id = _path_int(request, "chat_id")
    emu.state.chat_or_control_error(chat_id)
    thread = request.query.get("thread_id")
    msgs = emu.messages(
        chat_id,
        thread_id=_int(thread, "thread_id") if thread else None,
        from_bot=_flag(request, "from_bot"),
        include_deleted=_flag(request, "include_deleted") is not False,
    )
    return [m.to_dict() for m in msgs]


def _message(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    msg = emu.message(_path_int(request, "chat_id"), _path_int(request, "message_id"))
    if msg is None:
        raise ControlError("message not found")
    return msg.to_dict()


def _topics(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    chat_id = _path_int(request, "chat_id")
    emu.state.chat_or_control_error(chat_id)
    deleted = _flag(request, "include_deleted") is True
    return [t.to_dict() for t in emu.topics(chat_id, include_deleted=deleted)]


def _updates(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    return emu.pending_updates()


def _answers(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    return [a.to_dict() for a in emu.callback_answers]


def _calls(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    return [c.to_dict() for c in emu.calls(request.query.get("method"))]


def _file(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    stored = emu.state.files.get(request.match_info["file_id"])
    if stored is None:
        raise ControlError("file not found")
    return web.Response(body=stored.data, content_type=stored.mime_type or None)


def _rate_limits(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    if request.method == "PUT":
        known = {f.name for f in dataclasses.fields(RateLimits)}
        unknown = set(data) - known
        if unknown:
            raise _BadInput(f"unknown rate limit fields {sorted(unknown)}")
        emu.set_rate_limits(dataclasses.replace(emu.limiter.limits, **data))
    return {**dataclasses.asdict(emu.limiter.limits), "rejected": emu.rate_limited_count}


def _webhook(emu: TelegramEmulator, data: dict[str, Any], request: web.Request) -> Any:
    return emu.webhook_info()


def setup_control_routes(app: web.Application) -> None:
    """Register the ``/control/...`` routes."""
    add = app.router.add_route
    add("GET", "/control/state", _route(_state, body=False))
    add("POST", "/control/users", _route(_add_user, body=True))
    add("POST", "/control/users/{user_id}/blocked", _route(_block, body=True))
    add("POST", "/control/supergroups", _route(_create_supergroup, body=True))
    add("GET", "/control/chats", _route(_chats, body=False))
    add("GET", "/control/chats/{chat_id}", _route(_chat, body=False))
    add("POST", "/control/chats/{chat_id}/members", _route(_add_member, body=True))
    add("GET", "/control/chats/{chat_id}/messages", _route(_messages, body=False))
    add("GET", "/control/chats/{chat_id}/messages/{message_id}", _route(_message, body=False))
    add("GET", "/control/chats/{chat_id}/topics", _route(_topics, body=False))
    add("POST", "/control/chats/{chat_id}/topics", _route(_create_topic, body=True))
    add("POST", "/control/updates/private-message", _route(_private_message, body=True))
    add("POST", "/control/updates/group-message", _route(_group_message, body=True))
    add("POST", "/control/updates/callback-query", _route(_callback_query, body=True))
    add("POST", "/control/updates/edited-message", _route(_edited_message, body=True))
    add("POST", "/control/updates/raw", _route(_raw_update, body=True))
    add("GET", "/control/updates", _route(_updates, body=False))
    add("GET", "/control/callback-answers", _route(_answers, body=False))
    add("GET", "/control/calls", _route(_calls, body=False))
    add("GET", "/control/files/{file_id}", _route(_file, body=False))
    add("GET", "/control/rate-limits", _route(_rate_limits, body=False))
    add("PUT", "/control/rate-limits", _route(_rate_limits, body=True))
    add("GET", "/control/webhook", _route(_webhook, body=False))
