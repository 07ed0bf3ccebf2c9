"""A webhook's body is read only up to what a platform ever sends (1 MiB): a larger one is
refused with 413, whether it says its length or comes in chunks, and anything smaller is
read whole."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from bots.webhook_body import LIMIT, webhook_body


async def _serve() -> TestServer:
    async def echo(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await webhook_body(request))))

    app = web.Application(client_max_size=20 * LIMIT)  # the panel's, larger than ours
    app.router.add_post("/hook", echo)
    server = TestServer(app)
    await server.start_server()
    return server


async def _chunks(total: int) -> AsyncIterator[bytes]:
    for _ in range(total // 65536):
        yield b"x" * 65536


async def test_a_body_larger_than_any_event_is_refused_and_a_normal_one_read_whole() -> None:
    server = await _serve()
    url = str(server.make_url("/hook"))
    try:
        async with aiohttp.ClientSession() as http:
            async with http.post(url, data=io.BytesIO(b"x" * 300_000)) as ok:
                assert (ok.status, await ok.text()) == (200, "300000")
            async with http.post(url, data=io.BytesIO(b"x" * (LIMIT + 1))) as sized:
                assert sized.status == 413
            async with http.post(url, data=_chunks(3 * LIMIT)) as chunked:
                assert chunked.status == 413
            async with http.post(url, data=_chunks(LIMIT // 2)) as small_chunked:
                assert (small_chunked.status, await small_chunked.text()) == (
                    200, str(LIMIT // 2))
    finally:
        await server.close()
