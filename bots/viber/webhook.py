"""The Viber webhook on our server. Every request's `X-Viber-Content-Signature` (hex
HMAC-SHA256 of the raw body with the auth token) is checked in constant time before the
body is even parsed: a forged or unsigned request gets 403 and changes nothing. A signed
body that is no JSON object we can read (not JSON, nested too deep) is parked as malformed
and acknowledged: sent again it would fail again. 200 is answered only after the event is
committed (or was handled before); a crash answers 500, so Viber sends it again.
conversation_started is answered with the welcome message."""

from __future__ import annotations

import hashlib
import hmac
import logging

from aiohttp import web

from bots.i18n import translator
from bots.messenger.keyboards import main_menu
from bots.viber.config import ViberConfig
from bots.viber.events import CHANNEL, ViberEvents, Welcome
from bots.viber.keyboard import viber_keyboard
from bots.webhook_body import MalformedBody, webhook_body, webhook_json
from core.outbox import InboundRef

log = logging.getLogger(__name__)

PATH = "/viber/webhook"
SIGNATURE = "X-Viber-Content-Signature"


class ViberWebhook:
    def __init__(self, config: ViberConfig, events: ViberEvents) -> None:
        self.config = config
        self.events = events

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post(PATH, self.handle)

    def signed(self, raw: bytes, given: str) -> bool:
        expected = hmac.new(self.config.auth_token.encode(), raw, hashlib.sha256).hexdigest()
        return hmac.compare_digest(given.strip().lower().encode(), expected.encode())

    async def handle(self, request: web.Request) -> web.Response:
        raw = await webhook_body(request)
        if not self.signed(raw, request.headers.get(SIGNATURE, "")):
            log.warning("viber webhook call without a valid signature from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            body = webhook_json(raw)
            if not isinstance(body, dict):
                raise MalformedBody(f"a JSON {type(body).__name__}, not an object")
        except MalformedBody as exc:  # Viber would send it again for an hour: kept, and ok
            await self.events.intake.malformed(
                InboundRef(CHANNEL, "body:" + hashlib.sha256(raw).hexdigest()),
                {"body": raw[:10_000].decode(errors="replace")}, exc)
            return web.Response(text="ok")
        result = await self.events.process(body)
        if isinstance(result, Welcome):
            return web.json_response(self._welcome(result))
        return web.Response(text="ok") if result else web.Response(
            status=500, text="failed; send it again")

    def _welcome(self, welcome: Welcome) -> dict[str, object]:
        menu = main_menu(translator(welcome.language, "messenger"), share_phone=True)
        message: dict[str, object] = {
            "sender": {"name": self.config.bot_name}, "type": "text", "text": welcome.text,
            "keyboard": viber_keyboard(menu), "min_api_version": 3}
        if self.config.bot_avatar:
            message["sender"] = {"name": self.config.bot_name,
                                 "avatar": self.config.bot_avatar}
        return message
