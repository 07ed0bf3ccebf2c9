"""What the JSON API reads and writes: the domain's objects as JSON, the fields of a request
body (refusing a wrong type rather than guessing), and refusals as JSON errors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from admin_web.forms import integer
from admin_web.keys import DESK
from core import commands as c
from core.callbacks import CallbackRequest, CallbackState
from core.errors import DomainError
from core.people import Contact, Employee
from core.tickets import Comment, Ticket

STATUS_BY_ERROR = {"not_found": 404, "not_allowed": 403, "invalid_input": 422,
                   "transition_refused": 409, "already_taken": 409}


def error_response(status: int, kind: str, message: str, code: str | None = None
                   ) -> web.Response:
    """`error` is the family (not_found, invalid_input...), `code` the exact refusal
    ("ticket.not_found") a client may word in its own language, `message` its English."""
    return web.json_response({"error": kind, "code": code or kind, "message": message},
                             status=status)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def ticket_json(t: Ticket) -> dict[str, Any]:
    return {"id": t.id, "subject": t.subject, "channel": t.channel, "contact_id": t.contact_id,
            "status": t.status, "priority": t.priority, "type": t.type_code, "line": t.line,
            "responsible_id": t.responsible_id, "group_id": t.group_id,
            "created_at": iso(t.created_at), "resolved_at": iso(t.resolved_at),
            "closed_at": iso(t.closed_at), "on_hold_until": iso(t.on_hold_until),
            "planned_reaction_at": iso(t.planned_reaction_at),
            "planned_resolution_at": iso(t.planned_resolution_at), "rating": t.rating}


def comment_json(m: Comment) -> dict[str, Any]:
    return {"id": m.id, "author_kind": m.author.kind.value, "author_id": m.author.id,
            "body": m.body, "public": m.public, "created_at": iso(m.created_at),
            "delivery": m.delivery}


def contact_json(ct: Contact) -> dict[str, Any]:
    return {"id": ct.id, "name": ct.name, "phone": ct.phone, "email": ct.email,
            "company_id": ct.company_id,
            "channels": sorted({i.channel for i in ct.identities})}


def employee_json(e: Employee) -> dict[str, Any]:
    return {"id": e.id, "name": e.name, "login": e.login, "role": e.role.value,
            "active": e.active, "group_ids": sorted(e.group_ids)}


class ApiError(Exception):
    def __init__(self, status: int, kind: str, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message
        self.code = code or kind

    @classmethod
    def refused(cls, exc: DomainError, status: int | None = None) -> ApiError:
        """A refusal of the core, with its code."""
        return cls(status or STATUS_BY_ERROR.get(exc.kind, 400), exc.kind, exc.message, exc.code)


async def json_body(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_json", "send a JSON object")
    return data


def text_field(data: dict[str, Any], name: str) -> str:
    """A string field of the body ("" when absent or null); another JSON type is refused
    rather than turned into its printed form."""
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(422, "invalid_input", f"{name} must be a string")
    return value


def flag_field(data: dict[str, Any], name: str, default: bool) -> bool:
    """A boolean field: "false" or 0 is refused, not read as true (a private note sent
    with "public": "false" must not reach the client)."""
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise ApiError(422, "invalid_input", f"{name} must be true or false")
    return value


def id_field(data: dict[str, Any], name: str) -> int | None:
    """An id field (None when absent or null); anything that is not one is refused, so a
    typo never clears the responsible."""
    value = data.get(name)
    if value is None:
        return None
    number = None if isinstance(value, bool | float) else integer(value)
    if number is None:
        raise ApiError(422, "invalid_input", f"{name} must be a whole number (an id)")
    return number


async def run_command(request: web.Request, command: c.Command) -> Any:
    try:
        return await request.app[DESK].handle(command)
    except DomainError as exc:
        raise ApiError.refused(exc) from exc


def json_errors(fn: Callable[[web.Request], Awaitable[web.Response]]
             ) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Turn an ApiError (a refused command, a bad body, a hidden ticket) into JSON."""
    async def wrapped(request: web.Request) -> web.Response:
        try:
            return await fn(request)
        except ApiError as exc:
            return error_response(exc.status, exc.kind, exc.message, exc.code)
    wrapped.__name__ = fn.__name__
    return wrapped


def callback_json(r: CallbackRequest, state: CallbackState) -> dict[str, Any]:
    seconds = r.processing_time.total_seconds() if r.processing_time else None
    return {"id": r.id, "name": r.name, "phone": r.phone, "comment": r.comment,
            "state": state.value, "created_at": iso(r.created_at), "holder_id": r.holder_id,
            "held_since": iso(r.held_since), "processed_by": r.processed_by,
            "processed_at": iso(r.processed_at),
            "processing_seconds": int(seconds) if seconds is not None else None,
            "postponed_until": iso(r.postponed_until)}
