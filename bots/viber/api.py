"""Viber's REST API through viberbot: the library is synchronous, posts to a fixed base URL
and sends without a timeout, so its request sender is given `VIBER_API_URL` and a timeout,
and every call runs in a worker thread (never on the event loop) under an overall limit."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import requests
from viberbot.api.api import Api
from viberbot.api.api_request_sender import ApiRequestSender
from viberbot.api.bot_configuration import BotConfiguration
from viberbot.api.messages.message import Message

from bots.messenger.limits import RequestRate
from bots.viber.config import ViberConfig

_STATUS = re.compile(r"failed with status: (\d+), message: (.*)", re.DOTALL)


class ViberApiError(Exception):
    """Viber answered a non-zero status (5 not registered, 6 not subscribed, 12 too many
    requests, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Viber status {status}: {message}")
        self.status = status
        self.message = message


class _TimedRequestSender(ApiRequestSender):  # type: ignore[misc]
    """The library's sender, with a session and a timeout on every request."""

    def __init__(self, sender: ApiRequestSender, api_url: str, timeout: float) -> None:
        super().__init__(sender._logger, api_url.rstrip("/"), sender._bot_configuration,
                         sender._user_agent)
        self.timeout = timeout
        self.session = requests.Session()

    def post_request(self, endpoint: str, payload: str) -> Any:
        headers = requests.utils.default_headers()
        headers.update({"User-Agent": self._user_agent})
        response = self.session.post(f"{self._viber_bot_api_url}/{endpoint}", data=payload,
                                     headers=headers, timeout=self.timeout)
        response.raise_for_status()
        return json.loads(response.text)


class ViberClient:
    def __init__(self, config: ViberConfig, rate: RequestRate | None = None) -> None:
        self.config = config
        self.api = Api(BotConfiguration(config.auth_token, config.bot_name, config.bot_avatar))
        self._sender = _TimedRequestSender(self.api._request_sender, config.api_url,
                                           config.request_timeout)
        # The library keeps the sender in two places (its API calls and its messages).
        self.api._request_sender = self._sender
        self.api._message_sender._request_sender = self._sender
        self.rate = rate or RequestRate(config.requests_per_second)

    async def _run(self, function: Any, *args: Any) -> Any:
        await self.rate.acquire()
        try:
            async with asyncio.timeout(self.config.request_timeout + 5):
                return await asyncio.to_thread(function, *args)
        except Exception as exc:
            found = _STATUS.fullmatch(str(exc)) if type(exc) is Exception else None
            if found:
                raise ViberApiError(int(found.group(1)), found.group(2)) from None
            raise

    async def send(self, receiver: str, message: Message) -> str:
        """Send one message; its message token."""
        tokens = await self._run(self.api.send_messages, receiver, [message])
        return str(tokens[0])

    async def set_webhook(self, url: str) -> list[str]:
        events: list[str] = await self._run(self.api.set_webhook, url)
        return events

    async def account_info(self) -> dict[str, Any]:
        info: dict[str, Any] = await self._run(self.api.get_account_info)
        return info

    async def user_details(self, user_id: str) -> dict[str, Any]:
        details: dict[str, Any] = await self._run(self.api.get_user_details, user_id)
        return details

    def close(self) -> None:
        self._sender.session.close()
