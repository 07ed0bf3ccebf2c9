"""`chatdesk check`: the configuration, the database and the parts that would start, said
before a start; and what `run` asks of the machine first (a free port, the sandbox)."""

from __future__ import annotations

import argparse
import os
import socket
from importlib import import_module
from importlib.util import find_spec

from chatdesk.database import one_line, opened, run_async
from chatdesk.settings import Settings, load_settings


def sandbox_wanted(settings: Settings) -> bool:
    """`run` with no bot token at all is someone trying ChatDesk out: give them the sandbox.
    With any token it is a real desk, whose employees the sandbox must not touch."""
    return (not (settings.telegram_enabled or settings.vk_enabled or settings.viber_enabled)
            and has_module("chatdesk.sandbox"))


def cmd_check(args: argparse.Namespace) -> int:
    settings = load_settings()
    print("configuration: ok")
    print(f"data directory: {settings.data_dir}")
    print(f"database: {settings.database_url_redacted}")
    problems = run_async(_check_database(settings))
    problems += _check_parts(settings)
    for problem in problems:
        print(f"problem: {problem}")
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


async def _check_database(settings: Settings) -> list[str]:
    from storage.admin import database_summary, parked_counts, pending_migrations

    async with opened(settings, migrated=False):
        pending = await pending_migrations(settings.database_url)
        if pending:
            print(f"migrations: {len(pending)} pending ({', '.join(pending)}); "
                  "`chatdesk migrate` or `chatdesk run` applies them")
            print("data: unknown until migrated")
            return []
        print("migrations: up to date")
        s = await database_summary()
        print(f"data: {s.tickets} tickets, {s.contacts} contacts, {s.employees} employees "
              f"({s.active_employees} active), {s.groups} groups")
        parked = await parked_counts()
        print("parked updates: " + (", ".join(f"{n} {channel}" for channel, n in parked.items())
                                    or "none") + (" (their errors are in the log; Telegram's "
                                                  "are retried at each start)" if parked else ""))
        print(await _leader_line(settings))
    return []


async def _leader_line(settings: Settings) -> str:
    """Who runs the pollers, relays and timers now (README "More than one instance")."""
    from storage.leadership import LeaseStore

    lease = await LeaseStore().current()
    if lease is None or not lease.holder:
        return "leader: none yet (the first `chatdesk run` takes the lead)"
    if not lease.live:
        return (f"leader: none now; {lease.holder} led until {lease.now - lease.expires_at:.0f} s"
                " ago (an instance that starts or stands by takes the lead)")
    return (f"leader: {lease.holder} (lease renewed {lease.age:.1f} s ago, every "
            f"{settings.leader_lease_seconds / 3:.1f} s; a standby takes over "
            f"{settings.leader_lease_seconds} s after it stops renewing)")


def port_problem(host: str, port: int) -> str | None:
    """Why the web server could not listen there right now, or None if it could."""
    try:
        with socket.create_server((host, port)):
            return None
    except OSError as exc:
        return os.strerror(exc.errno).lower() if exc.errno else one_line(exc)


def has_module(name: str) -> bool:
    try:
        return find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def _load_problem(name: str) -> str | None:
    """Why the adapter module `name` cannot be loaded, or None when it can."""
    try:
        import_module(name)
    except ImportError as exc:
        return one_line(exc)
    return None


def _check_parts(settings: Settings) -> list[str]:
    problems: list[str] = []
    busy = port_problem(settings.http_host, settings.http_port)
    print(f"web server: http://{settings.http_host}:{settings.http_port} (panel, API, webhooks,"
          f" /healthz); port {f'not available now: {busy}' if busy else 'free'}")
    if settings.telegram_enabled:
        mode = (f"webhook at {settings.telegram_webhook_url}"
                if settings.telegram_mode == "webhook" else "long polling")
        print(f"telegram: {mode}, agents' chat {settings.telegram_agent_chat_id}"
              + (f", second line chat {settings.telegram_line2_chat_id}"
                 if settings.telegram_line2_chat_id else ""))
        if (problem := _load_problem("bots.telegram.setup")) is not None:
            problems.append(f"TELEGRAM_BOT_TOKEN is set but the Telegram adapter cannot be "
                            f"loaded: {problem}")
    else:
        if sandbox_wanted(settings):
            busy = port_problem(settings.http_host, settings.sandbox_port)
            print("telegram: sandbox (no TELEGRAM_BOT_TOKEN): the emulated Telegram and its "
                  f"page on http://{settings.http_host}:{settings.sandbox_port}/; port "
                  + (f"not available now: {busy}" if busy else "free"))
        else:
            print("telegram: off (no TELEGRAM_BOT_TOKEN): agents work in the panel")
    for name, enabled, module, detail, variable in (
        ("vk", settings.vk_enabled, "bots.vk",
         f"group {settings.vk_group_id}, {settings.vk_mode} mode", "VK_GROUP_TOKEN"),
        ("viber", settings.viber_enabled, "bots.viber",
         f"bot {settings.viber_bot_name!r}", "VIBER_AUTH_TOKEN"),
        ("email", settings.mail_enabled, "bots.mail", _mail_detail(settings),
         "CHATDESK_MAIL_IMAP or CHATDESK_MAIL_SMTP"),
    ):
        if not enabled:
            print(f"{name}: off (no {variable})")
        elif not has_module(f"{module}.setup"):
            print(f"{name}: configured ({detail}), but this build has no {name} adapter yet: "
                  "it will not start")
        else:
            print(f"{name}: {detail}")
            if (problem := _load_problem(f"{module}.setup")) is not None:
                problems.append(f"{variable} is set but the {name} adapter cannot be loaded: "
                                f"{problem}")
    return problems


def _mail_detail(settings: Settings) -> str:
    """How many mailboxes are read and whether replies are sent (no passwords)."""
    from chatdesk.settings_mail import mailbox_urls

    count = len(mailbox_urls(settings.mail_imap))
    sends = "replies by SMTP" if settings.mail_sends else "no SMTP: nothing is sent"
    return f"{count} mailbox{'es' if count != 1 else ''} as {settings.mail_from}, {sends}"
