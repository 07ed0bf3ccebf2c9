"""The channels page's live part: each configured channel's reachability and webhook or
polling state, asked of the running adapters in parallel with a short timeout."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from admin_web.config import ChannelInfo
from chatdesk.channel_status import ChannelStatus, ask
from chatdesk.runtime import Runtime
from storage import panel_views as views

# How a channel without a probe receives updates when its settings do not say.
DEFAULT_MODES = {"viber": "webhook", "vk": "callback", "telegram": "polling", "email": "imap"}


@dataclass(frozen=True)
class LiveChannel:
    name: str
    status: ChannelStatus
    last_inbound: datetime | None


def _offline(channel: ChannelInfo) -> ChannelStatus:
    mode = channel.details.get("mode") or DEFAULT_MODES.get(channel.name, "unknown")
    return ChannelStatus(None, mode)


async def live_channels(runtime: Runtime,
                        channels: tuple[ChannelInfo, ...]) -> list[LiveChannel]:
    configured = {c.name: c for c in channels if c.enabled}
    names = sorted(configured.keys() | runtime.status_probes.keys())
    probes = runtime.status_probes

    async def status(name: str) -> ChannelStatus:
        if name in probes:
            return await ask(probes[name])
        return _offline(configured[name])

    statuses = await asyncio.gather(*(status(n) for n in names))
    last = await views.last_inbound_at()
    return [LiveChannel(n, s, last.get(n)) for n, s in zip(names, statuses, strict=True)]
