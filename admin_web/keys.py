"""Typed keys of the aiohttp application state."""

from __future__ import annotations

import jinja2
from aiohttp import web

from admin_web.config import PanelConfig
from admin_web.i18n import Translator
from chatdesk.runtime import Runtime
from core.people import Employee
from core.services import Desk
from storage.panel_auth import (
    ApiTokenStore,
    LoginThrottle,
    PanelSession,
    PreferenceStore,
    SessionStore,
)

RUNTIME = web.AppKey("runtime", Runtime)
DESK = web.AppKey("desk", Desk)
CONFIG = web.AppKey("panel_config", PanelConfig)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
SESSIONS = web.AppKey("sessions", SessionStore)
THROTTLE = web.AppKey("login_throttle", LoginThrottle)
TOKENS = web.AppKey("api_tokens", ApiTokenStore)
PREFERENCES = web.AppKey("preferences", PreferenceStore)
EXEMPT = web.AppKey("exempt_resources", frozenset)  # routes with their own authentication

# Per-request state set by the middlewares.
EMPLOYEE = web.RequestKey("employee", Employee)
SESSION = web.RequestKey("session", PanelSession)
TRANSLATOR = web.RequestKey("translator", Translator)
ANON_CSRF = web.RequestKey("anon_csrf", str)
