"""Typed keys of the aiohttp application state."""

from __future__ import annotations

from aiohttp import web

from chatdesk.runtime import Runtime
from core.services import Desk

RUNTIME = web.AppKey("runtime", Runtime)
DESK = web.AppKey("desk", Desk)
