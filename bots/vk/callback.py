"""Callback API mode: VK POSTs events to our server. The `confirmation` request is answered
with the confirmation code; every request must carry our `secret` (compared in constant
time) and our community's id, else 403 and nothing changes. `ok` is answered only after
the event is committed (or was handled before); a crash answers 500, so VK sends it again."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from bots.vk.config import VkConfig
from bots.vk.events import VkEvents
from bots.webhook_body import MalformedBody, webhook_body, webhook_json

log = logging.getLogger(__name__)

PATH = "/vk/callback"


class VkCallback:
    def __init__(self, config: VkConfig, events: VkEvents) -> None:
        self.config = config
        self.events = events

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(PATH, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        try:
            body = webhook_json(await webhook_body(request))
        except MalformedBody as exc:
            log.warning("vk callback body refused with 400: %s", exc)
            return web.Response(status=400, text="body is not JSON")
        if not isinstance(body, dict):
            return web.Response(status=400, text="body is not a JSON object")
        if not self._trusted(body):
            log.warning("vk callback without the right secret or community from %s",
                        request.remote)
            return web.Response(status=403, text="forbidden")
        if body.get("type") == "confirmation":
            if not self.config.confirmation_code:
                log.error("VK asks to confirm the callback server: set VK_CONFIRMATION_CODE")
                return web.Response(status=500, text="no confirmation code configured")
            return web.Response(text=self.config.confirmation_code)
        if await self.events.process(body):
            return web.Response(text="ok")
        return web.Response(status=500, text="failed; send it again")

    def _trusted(self, body: dict[str, object]) -> bool:
        if str(body.get("group_id", "")) != str(self.config.group_id):
            return False
        if self.config.secret is None:
            return True
        given = str(body.get("secret") or "")
        return hmac.compare_digest(given.encode(), self.config.secret.encode())
