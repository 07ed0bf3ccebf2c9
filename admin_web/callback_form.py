"""The public end of the call-back queue (docs/DOMAIN.md §10): `POST /callback` takes a web
form's name, phone and comment (form fields or JSON) without signing in, a few times per
address in a sliding window, and answers with a small thank-you page or JSON."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from aiohttp import web

from admin_web.i18n import Translator, best_language
from admin_web.keys import CONFIG, DESK, TRANSLATOR
from admin_web.render import render
from admin_web.security import client_ip
from core import commands as c
from core.errors import DomainError

routes = web.RouteTableDef()
FIELD_LIMIT = 5000  # longer fields are cut before the core checks and refuses them


class SlidingWindow:
    """At most `limit` hits per key in any `seconds`; memory stays bounded by forgetting
    keys whose hits have all expired."""

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit, self.seconds = limit, seconds
        self._hits: dict[str, deque[float]] = {}

    def allow(self, key: str, at: float | None = None) -> bool:
        at = time.monotonic() if at is None else at
        if len(self._hits) > 10_000:
            self._forget(at)
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= at - self.seconds:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(at)
        return True

    def _forget(self, at: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= at - self.seconds]:
            del self._hits[key]


CALLBACK_LIMITER = web.AppKey("callback_limiter", SlidingWindow)


def wants_json(request: web.Request) -> bool:
    return (request.content_type == "application/json"
            or "application/json" in request.headers.get("Accept", ""))


async def _fields(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = await request.json()
        except (ValueError, RecursionError):  # not JSON, not UTF-8, nested too deep
            data = None
        if not isinstance(data, dict):
            raise ValueError("send a JSON object with name, phone and comment")
        if any(not isinstance(data.get(k), str | None) for k in ("name", "phone", "comment")):
            raise ValueError("name, phone and comment are strings")
        return data
    try:
        return dict(await request.post())
    except LookupError:  # an unknown charset
        raise ValueError("send the form as UTF-8") from None


def _answer(request: web.Request, status: int, message: str) -> web.Response:
    if wants_json(request):
        body = {"ok": True, "message": message} if status < 400 else {
            "error": {400: "invalid_input", 429: "too_many_requests"}.get(status, "error"),
            "message": message}
        return web.json_response(body, status=status)
    return render(request, "callback_thanks.html", status=status, message=message,
                  ok=status < 400)


@routes.post("/callback")
async def callback_form(request: web.Request) -> web.Response:
    request[TRANSLATOR] = tr = Translator(best_language(
        request.headers.get("Accept-Language"), request.app[CONFIG].default_language))
    if not request.app[CALLBACK_LIMITER].allow(client_ip(request)):
        return _answer(request, 429, tr("Too many requests; please try again later."))
    try:
        data = await _fields(request)
        name, phone, comment = (str(data.get(k) or "")[:FIELD_LIMIT]
                                for k in ("name", "phone", "comment"))
        await request.app[DESK].handle(c.RegisterCallback(name, phone, comment))
    except ValueError as exc:
        return _answer(request, 400, tr(str(exc)))
    except DomainError as exc:
        return _answer(request, 400, tr.refusal(exc))
    return _answer(request, 200, tr("Thank you! We will call you back soon."))
