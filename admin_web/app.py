"""The aiohttp application: one server for the panel, the API, the platforms' webhooks and
the health and metrics endpoints. Channel adapters add their webhook routes to it."""

from __future__ import annotations

from aiohttp import web

from admin_web.health import routes as health_routes
from admin_web.keys import DESK, RUNTIME
from chatdesk.runtime import Runtime


def create_app(runtime: Runtime) -> web.Application:
    app = web.Application(client_max_size=20 * 1024 * 1024)
    app[RUNTIME] = runtime
    app[DESK] = runtime.desk
    app.add_routes(health_routes)
    for adapter in runtime.web_adapters:
        adapter.add_routes(app)
    return app
