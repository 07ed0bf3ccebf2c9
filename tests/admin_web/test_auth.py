"""Signing in and out, sessions, CSRF, throttling, roles and security headers."""

from __future__ import annotations

import re

from tests.admin_web.conftest import PASSWORD, Panel, csrf_of, post, sign_in


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


async def test_next_parameter_cannot_send_the_user_elsewhere(panel: Panel) -> None:
    client = await panel.client()
    try:
        page = await client.get("/login")
        response = await client.post("/login", allow_redirects=False, data={
            "login": "ada", "password": PASSWORD, "csrf_token": csrf_of(await page.text()),
            "next": "//evil.example/"})
        assert response.headers["Location"] == "/"
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
