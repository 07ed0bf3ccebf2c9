"""The VK API through vk-api: the library is synchronous and posts to a fixed host, so its
requests go through a `requests.Session` that sends them to `VK_API_URL` with a timeout,
and every call runs in a worker thread (never on the event loop), within 20 requests/s."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import requests
import vk_api
from jconfig.memory import MemoryConfig
from vk_api.exceptions import ApiError
from vk_api.vk_api import TOO_MANY_RPS_CODE

from bots.messenger.limits import RequestRate
from bots.vk.config import VkConfig

log = logging.getLogger(__name__)

API_VERSION = "5.199"
# Where vk-api sends its calls (the library's own choice; both hosts serve the API).
LIBRARY_HOSTS = ("https://api.vk.ru/method", "https://api.vk.com/method")


class RedirectingSession(requests.Session):
    """Sends vk-api's calls to the configured API URL, each with a timeout."""

    def __init__(self, api_url: str, timeout: float) -> None:
        super().__init__()
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    def request(self, method: str, url: str | bytes,
                *args: Any, **kwargs: Any) -> requests.Response:
        url = url.decode() if isinstance(url, bytes) else url
        for host in LIBRARY_HOSTS:
            if url.startswith(host):
                url = self.api_url + url[len(host):]
                break
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, *args, **kwargs)


class VkClient:
    """`await client.call("messages.send", peer_id=..., ...)`: the response, or vk-api's
    ApiError (with VK's error code) / a requests exception / TimeoutError."""

    def __init__(self, config: VkConfig, rate: RequestRate | None = None) -> None:
        self.config = config
        self.session = RedirectingSession(config.api_url, config.request_timeout)
        self.vk = vk_api.VkApiGroup(token=config.token, api_version=API_VERSION,
                                    session=self.session, config=MemoryConfig)
        # vk-api answers error 6 by sleeping in the thread and trying again, for ever: the
        # sender decides about retries instead.
        self.vk.error_handlers.pop(TOO_MANY_RPS_CODE, None)
        self.rate = rate or RequestRate(config.requests_per_second)

    async def call(self, method: str, **values: Any) -> Any:
        await self.rate.acquire()
        async with asyncio.timeout(self.config.request_timeout + 5):
            return await asyncio.to_thread(self.vk.method, method, values)

    async def upload(self, url: str, field: str, name: str, data: bytes,
                     mime_type: str) -> dict[str, Any]:
        """POST a file to an upload URL VK gave (multipart, one field); VK's answer."""
        def post() -> dict[str, Any]:
            response = self.session.post(url, files={field: (name, data, mime_type)})
            response.raise_for_status()
            answer: dict[str, Any] = response.json()
            if "error" in answer:
                raise requests.HTTPError(f"upload refused: {answer['error']}")
            return answer

        async with asyncio.timeout(self.config.request_timeout + 5):
            return await asyncio.to_thread(post)

    async def user_name(self, user_id: int) -> str | None:
        """The user's name as VK shows it; None when VK does not say."""
        try:
            users = await self.call("users.get", user_ids=str(user_id))
        except (ApiError, requests.RequestException, TimeoutError) as exc:
            log.warning("users.get for %s failed: %s", user_id, exc)
            return None
        if not users:
            return None
        first, last = users[0].get("first_name", ""), users[0].get("last_name", "")
        return " ".join(p for p in (first, last) if p) or None

    def close(self) -> None:
        self.session.close()


def error_code(exc: BaseException) -> int | None:
    return exc.code if isinstance(exc, ApiError) else None
