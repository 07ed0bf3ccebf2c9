"""The aiohttp application: one server for the panel, the API, the platforms' webhooks and
the health and metrics endpoints. Channel adapters add their webhook routes to it."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from admin_web import (
    api,
    auth_views,
    callback_form,
    callback_views,
    dashboard_views,
    delivery_views,
    metrics,
    settings_attributes,
    settings_automation,
    settings_people,
    settings_rules,
    settings_views,
    ticket_actions,
    ticket_bulk,
    ticket_files,
    ticket_list,
    ticket_views,
)
from admin_web.callback_form import CALLBACK_LIMITER, SlidingWindow
from admin_web.config import PanelConfig
from admin_web.health import routes as health_routes
from admin_web.keys import (
    CONFIG,
    DESK,
    EXEMPT,
    PREFERENCES,
    RUNTIME,
    SESSIONS,
    TEMPLATES,
    THROTTLE,
    TOKENS,
)
from admin_web.render import environment
from admin_web.security import MIDDLEWARES
from admin_web.ticket_files import FILES, FileSource
from chatdesk.runtime import Runtime
from storage.panel_auth import ApiTokenStore, LoginThrottle, PreferenceStore, SessionStore


def create_app(runtime: Runtime, config: PanelConfig | None = None,
               files: FileSource | None = None) -> web.Application:
    """`files` fetches attachments for the ticket page's picture previews (none without)."""
    config = config or PanelConfig()
    app = web.Application(client_max_size=20 * 1024 * 1024, middlewares=MIDDLEWARES)
    app[RUNTIME] = runtime
    app[DESK] = runtime.desk
    app[CONFIG] = config
    if files is not None:
        app[FILES] = files
    app[TEMPLATES] = environment()
    app[SESSIONS] = SessionStore(config.session_ttl)
    app[THROTTLE] = LoginThrottle()
    app[TOKENS] = ApiTokenStore()
    app[PREFERENCES] = PreferenceStore()
    app[CALLBACK_LIMITER] = SlidingWindow(config.callback_form_limit,
                                          config.callback_form_window.total_seconds())
    for module in (auth_views, ticket_list, ticket_bulk, ticket_views, ticket_actions,
                   ticket_files, dashboard_views, settings_views, settings_people,
                   settings_rules, settings_automation, settings_attributes, callback_views, api,
                   metrics, delivery_views):
        app.add_routes(module.routes)
    before = set(app.router.resources())
    app.add_routes(health_routes)
    app.add_routes(callback_form.routes)  # the public web form: no session, no CSRF
    app.router.add_static("/static", Path(__file__).parent / "static", append_version=False)
    for adapter in runtime.web_adapters:
        adapter.add_routes(app)
    # Routes that authenticate in their own way (webhook secrets) or need no one: the
    # panel's session, CSRF and access checks leave them alone.
    app[EXEMPT] = frozenset(r.canonical for r in app.router.resources() if r not in before)
    return app
