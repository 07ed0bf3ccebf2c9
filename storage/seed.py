"""Reference data every desk needs: the system statuses, default priorities and types.
Idempotent: rows an administrator already has (renamed, recoloured) are left as they are."""

from __future__ import annotations

from core.catalog import default_priorities, default_types
from core.statuses import default_statuses
from storage import models as m


async def ensure_reference_data() -> None:
    for status in default_statuses():
        await m.StatusRow.get_or_create(code=status.code, defaults={
            "name": status.name, "state": status.state.value, "system": True,
            "pauses_sla": status.pauses_sla, "excluded_from_load": status.excluded_from_load,
            "notify_client": status.notify_client, "color": status.color,
            "position": status.position,
        })
    if not await m.PriorityRow.exists():
        for p in default_priorities():
            await m.PriorityRow.create(code=p.code, name=p.name, color=p.color,
                                       position=p.position)
    if not await m.TicketTypeRow.exists():
        for t in default_types():
            await m.TicketTypeRow.create(code=t.code, name=t.name, internal=t.internal,
                                         position=t.position)
