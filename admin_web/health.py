"""`/healthz`: the database answers and the background workers are alive."""

from __future__ import annotations

from aiohttp import web
from tortoise import connections

from admin_web.cluster import cluster_status
from admin_web.keys import RUNTIME

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    checks: dict[str, str] = {}
    try:
        await connections.get("default").execute_query("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure means unhealthy; say which
        checks["database"] = f"error: {type(exc).__name__}"
    for name, alive in runtime.workers_alive().items():
        checks[name] = "ok" if alive else "stopped"
    healthy = all(v == "ok" for v in checks.values())
    return web.json_response({"status": "ok" if healthy else "unhealthy", "checks": checks,
                              **await cluster_status(runtime)},
                             status=200 if healthy else 503)
