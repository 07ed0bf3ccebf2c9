"""Signing in and out, sessions, CSRF, throttling, roles and security headers."""

from __future__ import annotations

import re
from ipaddress import ip_network

from aiohttp.test_utils import TestServer

from admin_web.app import create_app
from admin_web.config import PanelConfig
from chatdesk.runtime import Runtime
from tests.admin_web.conftest import PASSWORD, Browser, Panel, csrf_of, post, sign_in


async def test_sign_in_shows_the_dashboard_and_sign_out_kills_the_session(
        panel: Panel) -> None:
    client = await panel.client()
    try:
        page = await client.get("/login")
        response = await client.post("/login", allow_redirects=False, data={
            "login": "ada", "password": PASSWORD, "csrf_token": csrf_of(await page.text())})
        set_cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
        old_id = response.cookies["cd_session"].value
        csrf = csrf_of(await (await client.get("/")).text())
        assert (await client.get("/tickets")).status == 200
        response = await post(client, "/logout", csrf)
        assert response.url.path == "/login"
        # the old cookie, replayed, no longer opens anything
        client.session.cookie_jar.update_cookies({"cd_session": old_id})
        response = await client.get("/tickets", allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/login")
    finally:
        await client.close()


async def test_sign_in_gives_a_new_session_id_each_time(panel: Panel) -> None:
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        first = client.session.cookie_jar.filter_cookies(client.make_url("/"))["cd_session"]
        await sign_in(client, "ada")
        second = client.session.cookie_jar.filter_cookies(client.make_url("/"))["cd_session"]
        assert first.value != second.value
    finally:
        await client.close()


async def test_wrong_password_is_refused_and_repeated_failures_are_throttled(
        panel: Panel) -> None:
    client = await panel.client()
    try:
        for _ in range(5):
            await sign_in(client, "sam", "wrong password", expect=401)
        page = await client.get("/login")
        response = await client.post("/login", data={
            "login": "sam", "password": PASSWORD, "csrf_token": csrf_of(await page.text())})
        assert response.status == 429  # even the right password waits now
    finally:
        await client.close()


async def test_behind_a_trusted_proxy_each_client_and_each_account_is_throttled_alone(
        panel: Panel) -> None:
    proxied = TestServer(create_app(Runtime(panel.desk), PanelConfig(
        trusted_proxies=(ip_network("127.0.0.0/8"), ip_network("10.0.0.0/8")))))
    await proxied.start_server()
    try:
        async def attempt(login: str, password: str, forwarded: str,
                          server: TestServer = proxied) -> int:
            """A new visitor's sign-in, through the proxy that says who it is."""
            visitor = Browser(server)
            csrf = csrf_of(await (await visitor.get("/login")).text())
            response = await visitor.post("/login", allow_redirects=False, data={
                "login": login, "password": password, "csrf_token": csrf},
                headers={"X-Forwarded-For": forwarded})
            await visitor.close()
            return response.status

        for n in range(20):  # one client guesses at twenty accounts
            assert await attempt(f"nobody{n}", "guess", "203.0.113.7") == 401
        assert await attempt("ada", PASSWORD, "203.0.113.7") == 429
        assert await attempt("ada", PASSWORD, "198.51.100.9, 203.0.113.7, 10.1.2.3") == 429
        assert await attempt("ada", PASSWORD, "203.0.113.7, 198.51.100.9") == 303
        # from a peer that is no trusted proxy, X-Forwarded-For names no one
        assert await attempt("ada", PASSWORD, "203.0.113.7", panel.server) == 303

        for n in range(5):  # one account guessed at from five addresses
            assert await attempt("sam", "guess", f"192.0.2.{n}") == 401
        assert await attempt("sam", PASSWORD, "192.0.2.50") == 429
        assert await attempt("ada", PASSWORD, "192.0.2.50") == 303
    finally:
        await proxied.close()


async def test_post_without_csrf_token_is_refused(panel: Panel) -> None:
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        response = await client.post("/settings/statuses", data={"name": "Sneaky"})
        assert response.status == 403
        response = await client.post("/settings/statuses",
                                     data={"name": "Sneaky", "csrf_token": "forged"})
        assert response.status == 403
        page = await client.get("/settings/statuses")
        assert "Sneaky" not in await page.text()
        # and the sign-in form itself needs its token
        fresh = await panel.client()
        response = await fresh.post("/login", data={"login": "ada", "password": PASSWORD})
        assert response.status == 403
        await fresh.close()
    finally:
        await client.close()


async def test_settings_are_for_administrators_only(panel: Panel) -> None:
    for login, status in (("sam", 403), ("lea", 403), ("ada", 200)):
        client = await panel.client()
        try:
            await sign_in(client, login)
            assert (await client.get("/settings/statuses")).status == status, login
        finally:
            await client.close()


async def test_reports_are_for_administrators_and_allowed_leads(panel: Panel) -> None:
    for login, status in (("sam", 403), ("lea", 200), ("ada", 200)):
        client = await panel.client()
        try:
            await sign_in(client, login)
            assert (await client.get("/reports")).status == status, login
        finally:
            await client.close()


async def test_pages_need_a_session_and_carry_security_headers(panel: Panel) -> None:
    client = await panel.client()
    try:
        response = await client.get("/tickets", allow_redirects=False)
        assert response.status == 303
        page = await client.get("/login")
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        csp = page.headers["Content-Security-Policy"]
        # scripts only from the panel's own files: nothing inline, nothing evaluated
        assert "script-src 'self';" in csp and "unsafe" not in csp
        assert "default-src 'none'" in csp
        assert re.search(r"<script(?![^>]* src=\"/static/)", await page.text()) is None
    finally:
        await client.close()


# Each leaves the site in a browser (which drops tabs and line breaks, trims control
# characters and spaces, and reads a backslash as a slash), is no path, or is too long.
NASTY_NEXT = [
    "//evil.example/", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example",
    "\t//evil.example", " //evil.example", "\x00//evil.example", "\x1f/\x1f/evil.example",
    "/\\evil.example", "\\/evil.example", "/\t\\evil.example", "https://evil.example/",
    "HTTPS://evil.example", "http:/evil.example", "http:evil.example", "javascript:alert(1)",
    " javascript:alert(1)", "evil.example", "/\u2028/evil.example", "/\x0b/evil.example",
    "/\u200b/evil.example", "///evil.example", "/" + "a" * 3000, "",
]


async def test_next_parameter_cannot_send_the_user_elsewhere(panel: Panel) -> None:
    for target in ("/\t/evil.example", "/\n/evil.example", "\x00//evil.example",
                   "/tickets?status=new&q=%20printer"):
        visitor = await panel.client()
        page = await visitor.get("/login", params={"next": target})
        kept = "/" if "evil" in target else target
        assert f'name="next" value="{kept.replace("&", "&amp;")}"' in await page.text()
        response = await visitor.post("/login", allow_redirects=False, data={
            "login": "ada", "password": PASSWORD, "csrf_token": csrf_of(await page.text()),
            "next": target})
        assert response.headers["Location"] == kept, repr(target)
        await visitor.close()
    client = await panel.client()
    try:
        await sign_in(client, "ada")
        csrf = csrf_of(await (await client.get("/")).text())
        for target in NASTY_NEXT:
            switched = await client.post("/language", allow_redirects=False, data={
                "csrf_token": csrf, "language": "en", "next": target})
            assert switched.headers["Location"] == "/", repr(target)
    finally:
        await client.close()


async def test_every_panel_and_api_route_declares_its_access(panel: Panel) -> None:
    from admin_web.keys import EXEMPT

    app = panel.server.app
    assert app is not None
    for route in app.router.routes():
        if route.resource is None or route.resource.canonical in app[EXEMPT]:
            continue
        assert getattr(route.handler, "access", None) is not None, route.resource.canonical
