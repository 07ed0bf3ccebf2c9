"""What the channels page shows about a running channel: reachable or not, and how its
updates arrive (webhook or polling). Each adapter registers a probe with the runtime; the
panel asks it with a short timeout so a platform that does not answer cannot hang a page."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

PROBE_TIMEOUT = 3.0  # seconds


@dataclass(frozen=True)
class ChannelStatus:
    reachable: bool | None  # None: not asked, or the answer did not come
    mode: str  # "webhook", "polling", "callback", "longpoll" or "unknown"
    details: dict[str, str] = field(default_factory=dict)
    error: str | None = None


StatusProbe = Callable[[], Awaitable[ChannelStatus]]


async def ask(probe: StatusProbe, seconds: float = PROBE_TIMEOUT) -> ChannelStatus:
    """The probe's answer, or an "unknown" status saying why there is none."""
    try:
        async with asyncio.timeout(seconds):
            return await probe()
    except TimeoutError:
        return ChannelStatus(None, "unknown", error=f"no answer in {seconds:g} s")
    except Exception as exc:  # any failure of the platform's API is a status to show
        return ChannelStatus(None, "unknown", error=f"{type(exc).__name__}: {exc}"[:300])
