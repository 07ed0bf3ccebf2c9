"""`/metrics` in the Prometheus text format: messages in and out per channel, the outbox
backlog and the age of its oldest row, failures per channel, tickets per status. Counts
only, no personal data, so it is open like /healthz (put it behind the proxy's rules if the
counts themselves are private)."""

from __future__ import annotations

from aiohttp import web

from admin_web.keys import RUNTIME
from admin_web.security import Access, access, now
from storage import report_views
from storage.delivery import OutboxStore
from storage.leadership import LeaseStore

routes = web.RouteTableDef()


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@routes.get("/metrics")
@access(Access.PUBLIC)
async def metrics(request: web.Request) -> web.Response:
    snap = await report_views.metrics_snapshot()
    backlog = await OutboxStore().backlog()
    moment = now()
    lines: list[str] = []

    def family(name: str, kind: str, help_text: str,
               samples: list[tuple[dict[str, str], float]]) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            text = ",".join(f'{k}="{_label(v)}"' for k, v in labels.items())
            lines.append(f"{name}{{{text}}} {value:g}" if text else f"{name} {value:g}")

    family("chatdesk_inbound_updates_total", "counter", "Platform updates received",
           [({"channel": ch, "state": st}, n) for (ch, st), n in sorted(snap.inbound.items())])
    family("chatdesk_outbound_messages_total", "counter", "Outbox messages by final state",
           [({"channel": ch, "state": st}, n) for (ch, st), n in sorted(snap.outbound.items())])
    family("chatdesk_errors_total", "counter", "Failed inbound updates and outbound messages",
           [({"channel": ch, "direction": d}, n) for d, source in
            (("inbound", snap.inbound), ("outbound", snap.outbound))
            for (ch, st), n in sorted(source.items()) if st == "failed"])
    family("chatdesk_outbox_backlog", "gauge", "Pending outbox messages",
           [({"channel": ch}, n) for ch, (n, _) in sorted(backlog.items())])
    family("chatdesk_outbox_oldest_age_seconds", "gauge", "Age of the oldest pending message",
           [({"channel": ch}, max(0.0, (moment - oldest).total_seconds()))
            for ch, (_, oldest) in sorted(backlog.items()) if oldest is not None])
    family("chatdesk_tickets", "gauge", "Tickets by status",
           [({"status": st}, n) for st, n in sorted(snap.tickets_by_status.items())])
    lease = await LeaseStore().current()
    family("chatdesk_leader", "gauge", "1 on the instance that leads (runs the pollers, "
           "relays and timers), 0 on a standby", [({}, 1 if request.app[RUNTIME].leading else 0)])
    family("chatdesk_lease_age_seconds", "gauge", "Seconds since the leader renewed its lease",
           [({}, lease.age)] if lease is not None and lease.holder else [])
    return web.Response(text="\n".join(lines) + "\n",
                        content_type="text/plain", charset="utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})
