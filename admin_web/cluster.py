"""What /healthz and /metrics say of the instances on one database: this instance's role
(leader or standby), who leads, how long ago the lease was renewed, the outbox backlog."""

from __future__ import annotations

from typing import Any

from chatdesk.runtime import Runtime
from storage.delivery import OutboxStore
from storage.leadership import LeaseStore


async def cluster_status(runtime: Runtime) -> dict[str, Any]:
    """The role and the lease (read now: a standby sees a dead leader's lease age), and the
    pending outbox rows per channel. Alone (no leadership), the instance leads."""
    status: dict[str, Any] = {"role": runtime.role}
    try:
        lease = await LeaseStore().current()
        backlog = await OutboxStore().backlog()
    except Exception as exc:  # the database check says it; these stay unknown
        status["cluster_error"] = type(exc).__name__
        return status
    if lease is not None and lease.holder:
        status["leader"] = lease.holder if lease.live else None
        status["lease_age_seconds"] = round(lease.age, 3)
        status["lease_token"] = lease.token
    if runtime.leadership is not None:
        status["instance"] = runtime.leadership.holder
    status["outbox_backlog"] = {channel: n for channel, (n, _) in sorted(backlog.items())}
    return status
