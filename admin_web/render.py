"""Templates (jinja2 with autoescape on everything) and small response helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import jinja2
from aiohttp import web
from markupsafe import Markup

from admin_web.i18n import LANGUAGES, Translator
from admin_web.keys import ANON_CSRF, CONFIG, EMPLOYEE, SESSION, TEMPLATES, TRANSLATOR
from admin_web.localize import in_language
from wording.durations import format_duration, weekday_names
from wording.numbers import digits
from wording.terms import channel_name, display_name, role_name

FLASH = "cd_flash"
SHOWN = "%Y-%m-%d %H:%M"  # how a moment is shown on a page


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["duration"] = duration
    env.filters["term"] = _term
    env.filters["channel"] = _channel
    env.filters["role"] = _role
    env.filters["figure"] = _figure
    env.filters["named"] = _named
    env.globals["weekday"] = _weekday
    return env


@jinja2.pass_context
def _term(context: jinja2.runtime.Context, name: str) -> str:
    """`{{ category|term }}`: a seeded name in the page's language, a typed one as typed."""
    return str(context["_"].term(name))


@jinja2.pass_context
def _channel(context: jinja2.runtime.Context, code: str) -> str:
    return channel_name(str(code), context.get("lang", "en"))


@jinja2.pass_context
def _role(context: jinja2.runtime.Context, code: Any) -> str:
    return role_name(str(getattr(code, "value", code)), context.get("lang", "en"))


@jinja2.pass_context
def _figure(context: jinja2.runtime.Context, value: Any) -> str:
    """`{{ counts.open|figure }}`: a count in the page's digits (Persian ۰-۹)."""
    return digits(value, context.get("lang", "en"))


@jinja2.pass_context
def _named(context: jinja2.runtime.Context, name: str, names: Any) -> str:
    """`{{ rule.name|named(rule.names) }}`: on a page that edits the names, the heading
    still names the thing in the viewer's language (wording.terms.display_name)."""
    return display_name(name, names, context.get("lang", "en"))


@jinja2.pass_context
def _weekday(context: jinja2.runtime.Context, day: int) -> str:
    """Monday is 0, as in the calendars."""
    return weekday_names(context.get("lang", "en"), "abbreviated")[day]


@jinja2.pass_context
def duration(context: jinja2.runtime.Context, value: Any) -> str:
    """`{{ span|duration }}`: "1 d 17 h" in the page's language (wording's one formatter)."""
    return format_duration(value, context.get("lang", "en"))


def local_formatter(request: web.Request) -> Callable[..., str]:
    """A moment in the desk's time zone, as `local(value, fmt)`; "—" for none."""
    config = request.app[CONFIG]
    zone = ZoneInfo(config.timezone)
    tr: Translator = request.get(TRANSLATOR) or Translator(config.default_language)

    def local(value: datetime | None, fmt: str = SHOWN) -> str:
        """A moment in the desk's zone. Shown on a right-to-left page it is isolated
        left to right ("2026-05-04 09:07", not "09:07 2026-05-04"); with another format
        (a form field's value) it is the plain text."""
        text = value.astimezone(zone).strftime(fmt) if value else "—"
        return Markup('<bdi dir="ltr">{}</bdi>').format(text) if tr.rtl and fmt == SHOWN \
            else text

    return local


def render(request: web.Request, name: str, status: int = 200, **context: Any) -> web.Response:
    """`editing_names=True`: a page that edits the names keeps the default names as they
    are; every other page shows them in the viewer's language (admin_web/localize.py)."""
    config = request.app[CONFIG]
    tr: Translator = request.get(TRANSLATOR) or Translator(config.default_language)
    if not context.pop("editing_names", False):
        context = {key: in_language(value, tr.language) for key, value in context.items()}
    local = local_formatter(request)
    flash = unquote(request.cookies.get(FLASH, ""))[:500]
    session = request.get(SESSION)
    body = request.app[TEMPLATES].get_template(name).render(
        _=tr, lang=tr.language, rtl=tr.rtl, languages=LANGUAGES, me=request.get(EMPLOYEE),
        csrf=session.csrf_token if session else request.get(ANON_CSRF, ""),
        local=local, flash=flash, path=request.path, forward="←" if tr.rtl else "→",
        backward="→" if tr.rtl else "←", **context)
    response = web.Response(text=body, status=status, content_type="text/html")
    if flash:
        response.del_cookie(FLASH, path="/")
    return response


def redirect(location: str, flash: str | None = None) -> web.HTTPSeeOther:
    response = web.HTTPSeeOther(location)
    if flash:
        response.set_cookie(FLASH, quote(flash[:400]), path="/", httponly=True,
                            samesite="Lax", max_age=60)
    return response
