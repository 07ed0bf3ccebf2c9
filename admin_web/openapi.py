"""The API's OpenAPI 3.1 document, built from the same table the routes are made from, so
the two cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from admin_web.security import Access

Handler = Callable[[web.Request], Awaitable[web.Response]]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    access: Access
    handler: Handler


OPERATIONS: list[Operation] = []


def operation(method: str, path: str, summary: str, level: Access
              ) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        OPERATIONS.append(Operation(method, path, summary, level, handler))
        return handler
    return register


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


DATETIME = {"type": ["string", "null"], "format": "date-time"}
ERROR_PROPERTIES = {"error": {"type": "string"}, "message": {"type": "string"}}
ERROR = {"type": "object", "required": ["error", "message"], "properties": ERROR_PROPERTIES}
TICKET = {"type": "object", "required": ["id", "subject", "status", "priority"], "properties": {
    "id": {"type": "integer"}, "subject": {"type": "string"}, "channel": {"type": "string"},
    "contact_id": {"type": "integer"}, "status": {"type": "string"},
    "priority": {"type": "string"}, "type": _nullable("string"), "line": {"type": "integer"},
    "responsible_id": _nullable("integer"), "group_id": _nullable("integer"),
    "created_at": DATETIME, "resolved_at": DATETIME, "closed_at": DATETIME,
    "on_hold_until": DATETIME, "planned_reaction_at": DATETIME,
    "planned_resolution_at": DATETIME, "rating": _nullable("integer")}}
COMMENT = {"type": "object", "required": ["id", "body", "public"], "properties": {
    "id": {"type": "integer"}, "author_kind": {"type": "string"},
    "author_id": _nullable("integer"), "body": {"type": "string"},
    "public": {"type": "boolean"}, "created_at": DATETIME, "delivery": {"type": "string"}}}
CONTACT = {"type": "object", "required": ["id", "name"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "phone": _nullable("string"),
    "email": _nullable("string"), "company_id": _nullable("integer"),
    "channels": {"type": "array", "items": {"type": "string"}}}}
EMPLOYEE = {"type": "object", "required": ["id", "name", "role"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "login": {"type": "string"},
    "role": {"type": "string", "enum": ["admin", "lead", "specialist"]},
    "active": {"type": "boolean"}, "group_ids": {"type": "array", "items": {"type": "integer"}}}}
ATTRIBUTES = {"type": "object", "additionalProperties": {"type": ["string", "number", "null"]}}
_TICKET: dict[str, Any] = TICKET
TICKET_WITH_ATTRIBUTES: dict[str, Any] = {
    **_TICKET, "required": [*_TICKET["required"], "attributes"],
    "properties": {**_TICKET["properties"], "attributes": ATTRIBUTES}}
COMPANY = {"type": "object", "required": ["id", "name"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "category": {"type": "string"},
    "manager_id": _nullable("integer")}}

CALLBACK = {"type": "object", "required": ["id", "name", "phone", "state"], "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "phone": {"type": "string"},
    "comment": {"type": "string"},
    "state": {"type": "string", "enum": ["new", "processing", "processed", "postponed"]},
    "created_at": DATETIME, "holder_id": _nullable("integer"), "held_since": DATETIME,
    "processed_by": _nullable("integer"), "processed_at": DATETIME,
    "processing_seconds": _nullable("integer"), "postponed_until": DATETIME}}

HELD = {**ERROR, "properties": {  # a call-back request another employee is processing
    **ERROR_PROPERTIES, "holder_id": {"type": "integer"}, "holder_name": {"type": "string"},
    "since": {"type": "string", "format": "date-time"}}}
CALLBACK_ACTIONS = [f"/api/v1/callbacks/{{request_id}}/{a}"
                    for a in ("open", "release", "processed", "postpone")]


def _items(schema: dict[str, Any], paged: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {"items": {"type": "array", "items": schema}}
    if paged:
        props |= {"total": {"type": "integer"}, "page": {"type": "integer"},
                  "pages": {"type": "integer"}}
    elif schema is CONTACT:
        props["total"] = {"type": "integer"}
    return {"type": "object", "required": ["items"], "properties": props}


def _query(*names: str, kind: str = "string") -> list[dict[str, Any]]:
    return [{"name": n, "in": "query", "required": False, "schema": {"type": kind}}
            for n in names]


RESPONSES: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/openapi.json"): {"type": "object"},
    ("GET", "/api/v1/tickets"): _items(TICKET, paged=True),
    ("POST", "/api/v1/tickets"): TICKET_WITH_ATTRIBUTES,
    ("GET", "/api/v1/tickets/{ticket_id}"): {**TICKET_WITH_ATTRIBUTES, "properties": {
        **TICKET_WITH_ATTRIBUTES["properties"],
        "comments": {"type": "array", "items": COMMENT}}},
    ("POST", "/api/v1/tickets/{ticket_id}/attributes"): TICKET_WITH_ATTRIBUTES,
    ("POST", "/api/v1/tickets/{ticket_id}/comments"): COMMENT,
    ("POST", "/api/v1/tickets/{ticket_id}/status"): TICKET,
    ("POST", "/api/v1/tickets/{ticket_id}/responsible"): TICKET,
    ("GET", "/api/v1/contacts"): _items(CONTACT),
    ("GET", "/api/v1/contacts/{contact_id}"): CONTACT,
    ("GET", "/api/v1/companies"): _items(COMPANY),
    ("GET", "/api/v1/employees"): _items(EMPLOYEE),
    ("GET", "/api/v1/callbacks"): _items(CALLBACK),
    ("POST", "/api/v1/callbacks"): CALLBACK,
    **{("POST", path): CALLBACK for path in CALLBACK_ACTIONS},
    ("GET", "/api/v1/reference"): {"type": "object", "required": [
        "statuses", "priorities", "types", "groups", "attributes"], "properties": {
        k: {"type": "array", "items": {"type": "object"}}
        for k in ("statuses", "priorities", "types", "groups", "attributes")}},
    ("GET", "/api/v1/reports/{kind}"): {"type": "object", "required": ["columns", "rows"],
                                        "properties": {
        "report": {"type": "string"}, "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
        "columns": {"type": "array", "items": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "array"}}}},
}

REQUESTS: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/callbacks"): {"type": "object", "required": ["name", "phone"],
                                    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100},
        "phone": {"type": "string", "minLength": 5, "maxLength": 40},
        "comment": {"type": "string", "maxLength": 1000}}},
    ("POST", "/api/v1/callbacks/{request_id}/postpone"): {
        "type": "object", "required": ["until"], "properties": {
            "until": {"type": "string", "format": "date-time"}}},
    ("POST", "/api/v1/tickets"): {"type": "object", "required": ["contact_id", "subject"],
                                  "properties": {
        "contact_id": {"type": "integer"}, "subject": {"type": "string", "minLength": 1},
        "text": {"type": "string"}, "type": {"type": "string"},
        "priority": {"type": "string"}, "attributes": ATTRIBUTES}},
    ("POST", "/api/v1/tickets/{ticket_id}/attributes"): {
        "type": "object", "required": ["attributes"], "properties": {
            "attributes": ATTRIBUTES}},
    ("POST", "/api/v1/tickets/{ticket_id}/comments"): {
        "type": "object", "required": ["text"], "properties": {
            "text": {"type": "string", "minLength": 1}, "public": {"type": "boolean"},
            "resolve": {"type": "boolean"}}},
    ("POST", "/api/v1/tickets/{ticket_id}/status"): {
        "type": "object", "required": ["status"], "properties": {
            "status": {"type": "string"},
            "until": {"type": "string", "format": "date-time"}}},
    ("POST", "/api/v1/tickets/{ticket_id}/responsible"): {
        "type": "object", "properties": {"responsible_id": _nullable("integer"),
                                         "group_id": _nullable("integer")}},
}

ATTRIBUTE_FILTER = [  # as the panel's ticket list filters (§9.5)
    {"name": "attr", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "A custom attribute's code (those the role may see are in GET "
                    "/api/v1/reference); give attr_value with it. An attribute the role may "
                    "not see is refused (422) like one that does not exist."},
    {"name": "attr_value", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "Tickets whose attribute has this value: a list option whole, a part of "
                    "a text, a number, a date as YYYY-MM-DD (anything else for a number or a "
                    "date is refused with 422); letter case does not matter."}]

QUERY: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("GET", "/api/v1/tickets"): _query("status", "responsible", "channel", "priority", "q")
    + _query("line", "group", "contact", "page", "per_page", kind="integer")
    + [{"name": "overdue", "in": "query", "required": False,
        "schema": {"type": "string", "enum": ["1"]}}, *ATTRIBUTE_FILTER],
    ("GET", "/api/v1/contacts"): _query("q") + _query("page", kind="integer"),
    ("GET", "/api/v1/reports/{kind}"): [
        {"name": n, "in": "query", "required": False, "schema": {"type": "string",
                                                                 "format": "date"}}
        for n in ("from", "to")] + _query("company", "contact", "employee", kind="integer"),
}


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        key = (op.method, op.path)
        params = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "string", "enum": ["first_response", "resolution", "sla",
                                                         "satisfaction", "load"]}
                   if name == "kind" else {"type": "integer"}}
                  for name in re.findall(r"{(\w+)}", op.path)] + QUERY.get(key, [])
        ok = "201" if op.method == "POST" and op.path.count("/") <= 3 else "200"
        if op.path.endswith("/comments"):
            ok = "201"
        responses: dict[str, Any] = {ok: {"description": "OK", "content": {
            "application/json": {"schema": RESPONSES[key]}}}}
        for code, text in (("400", "Bad request"), ("401", "No valid token"),
                           ("403", "The role does not allow it"), ("404", "Not found"),
                           ("409", "Refused by the ticket's state"),
                           ("422", "Invalid input")):
            held = code == "409" and op.path in CALLBACK_ACTIONS
            responses[code] = {"description": text, "content": {
                "application/json": {"schema": HELD if held else ERROR}}}
        entry: dict[str, Any] = {"summary": op.summary, "operationId": op.handler.__name__,
                                 "parameters": params, "responses": responses,
                                 "x-access": op.access.value}
        if op.access is Access.PUBLIC:
            entry["security"] = []
        if key in REQUESTS:
            entry["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": REQUESTS[key]}}}
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {"openapi": "3.1.0",
            "info": {"title": "ChatDesk API", "version": "1"},
            "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
            "security": [{"token": []}], "paths": paths}
