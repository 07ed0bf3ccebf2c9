"""The `chatdesk` command: run the service, migrate, load demo data, manage employees, check
the configuration. Exit codes: 0 done, 1 a refused command or a runtime problem (one line on
stderr, no traceback), 2 wrong usage."""

from __future__ import annotations

import argparse
import asyncio
import errno
import getpass
import logging
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from importlib import import_module
from importlib.util import find_spec
from typing import Any, TypeVar

from chatdesk.settings import Settings, SettingsError, load_settings
from core.errors import DomainError

log = logging.getLogger("chatdesk")
T = TypeVar("T")
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class CliError(Exception):
    """An expected problem: printed as one line, exit code 1."""


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


# --- the database -------------------------------------------------------------------------


async def prepare_database(url: str) -> list[str]:
    """Apply pending migrations and make sure the reference data exists; returns the
    migrations applied."""
    from storage.db import close_database, migrate, open_database
    from storage.seed import ensure_reference_data

    applied = await migrate(url)
    await open_database(url)
    try:
        await ensure_reference_data()
    finally:
        await close_database()
    return applied


def prepare_in_child(settings: Settings) -> None:
    """`prepare_database` in a process of its own, for `run`: tortoise's migration machinery
    costs ~36 MB of memory that the service would otherwise keep for its whole life."""
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    done = subprocess.run([sys.executable, "-m", "chatdesk.cli", "--log-level", "WARNING",
                           "migrate"], env=env, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("applied "):
            log.info("applied migration %s", line.removeprefix("applied "))
    if done.returncode:
        problem = (done.stderr.strip().splitlines() or ["migrations failed"])[-1]
        raise CliError(problem.removeprefix("chatdesk: "))


@asynccontextmanager
async def opened(settings: Settings, *, migrated: bool = True) -> AsyncIterator[None]:
    """The database, open for the duration; with `migrated`, refuse a database that
    `chatdesk migrate` has not brought up to date."""
    from storage.admin import pending_migrations, ping
    from storage.db import close_database, open_database

    await open_database(settings.database_url)
    try:
        await ping()
        if migrated and (pending := await pending_migrations(settings.database_url)):
            raise CliError(f"the database needs {len(pending)} migration(s) "
                           f"({', '.join(pending)}); run `chatdesk migrate` first")
        yield
    finally:
        await close_database()


def _database_errors() -> tuple[type[BaseException], ...]:
    import sqlite3

    from asyncpg import PostgresError
    from tortoise.exceptions import BaseORMException

    return (BaseORMException, PostgresError, sqlite3.Error, OSError)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


# --- commands -------------------------------------------------------------------------------


def sandbox_wanted(settings: Settings) -> bool:
    """`run` with no bot token at all is someone trying ChatDesk out: give them the sandbox.
    With any token it is a real desk, whose employees the sandbox must not touch."""
    return (not (settings.telegram_enabled or settings.vk_enabled or settings.viber_enabled)
            and _has_module("chatdesk.sandbox"))


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    return _serve(settings, sandbox=sandbox_wanted(settings))


def cmd_sandbox(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not _has_module("chatdesk.sandbox"):
        raise CliError("this build has no sandbox yet (chatdesk/sandbox.py, issue 3)")
    return _serve(settings, sandbox=True)


def _serve(settings: Settings, *, sandbox: bool) -> int:
    from chatdesk.app import serve

    ports = [("CHATDESK_HTTP_PORT", settings.http_port)]
    if sandbox:
        ports.append(("CHATDESK_SANDBOX_PORT", settings.sandbox_port))

    async def run() -> None:
        # Checked before anything starts: a start that fails half-way leaves workers behind.
        for variable, port in ports:
            if problem := _port_problem(settings.http_host, port):
                raise CliError(f"cannot listen on {settings.http_host}:{port}: {problem} "
                               f"(set CHATDESK_HTTP_HOST/{variable})")
        await asyncio.to_thread(prepare_in_child, settings)
        try:
            if sandbox:
                from chatdesk.sandbox import SandboxError, serve_sandbox

                try:
                    await serve_sandbox(settings)
                except SandboxError as exc:
                    raise CliError(str(exc)) from None
            else:
                await serve(settings)
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
                raise CliError(f"cannot listen on {settings.http_host}:{settings.http_port}: "
                               f"{exc.strerror} (set CHATDESK_HTTP_HOST/CHATDESK_HTTP_PORT)"
                               ) from None
            raise

    log.info("database: %s", settings.database_url_redacted)
    _run(run())
    log.info("stopped")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    applied = _run(prepare_database(settings.database_url))
    for name in applied:
        print(f"applied {name}")
    print(f"database is up to date ({settings.database_url_redacted})" if not applied
          else f"{len(applied)} migration(s) applied; database is up to date")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    settings = load_settings()
    from chatdesk.demo import load_demo
    from chatdesk.demo_team import ADMIN_LOGIN, ADMIN_PASSWORD

    async def demo() -> Any:
        await prepare_database(settings.database_url)
        async with opened(settings):
            return await load_demo(args.tickets, args.seed, if_empty=args.if_empty)

    result = _run(demo())
    if result.skipped:
        print(f"demo: the database already has {result.existing_tickets} tickets; "
              "nothing to do")
        return 0
    print(f"demo: {result.tickets} tickets from {result.contacts} contacts "
          f"({result.commands} commands, seed {args.seed})")
    if result.failed_steps:
        log.warning("%d demo step(s) were refused and skipped", result.failed_steps)
    if result.admin_created:
        log.warning("the demo administrator signs in as %r with the password %r: change it "
                    "before anyone else can reach the panel", ADMIN_LOGIN, ADMIN_PASSWORD)
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat the password: "):
            raise CliError("the passwords do not match")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_employee_add(args: argparse.Namespace) -> int:
    from admin_web.passwords import hash_password
    from chatdesk.bootstrap import build_desk
    from core.commands import AddEmployee

    settings = load_settings()
    password_hash = None
    if args.password_stdin:
        password = _read_password()
        if not password:
            raise CliError("the password read from stdin is empty")
        password_hash = hash_password(password)

    async def add() -> Any:
        async with opened(settings):
            return await build_desk().handle(AddEmployee(
                args.name, args.login, args.role, args.telegram_id, password_hash))

    employee = _run(add())
    print(f"added employee #{employee.id} {employee.login} ({employee.role.value})"
          + ("" if password_hash else "; no password: the panel sign-in is off for them"))
    return 0


def cmd_employee_list(args: argparse.Namespace) -> int:
    from storage.admin import list_employees

    settings = load_settings()

    async def employees() -> Any:
        async with opened(settings):
            return await list_employees()

    rows = [("id", "login", "name", "role", "active", "telegram id")]
    rows += [(str(e.id), e.login, e.name, e.role.value, "yes" if e.active else "no",
              str(e.telegram_id or "-")) for e in _run(employees())]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())
    if len(rows) == 1:
        print("(no employees yet: `chatdesk employee add --help`)")
    return 0


def _set_active(active: bool) -> Callable[[argparse.Namespace], int]:
    def command(args: argparse.Namespace) -> int:
        from chatdesk.bootstrap import build_desk
        from core.commands import SetEmployeeActive
        from storage.admin import employee_by_login

        settings = load_settings()

        async def change() -> None:
            async with opened(settings):
                employee = await employee_by_login(args.login)
                if employee is None:
                    raise CliError(f"no employee with the login {args.login!r}")
                await build_desk().handle(SetEmployeeActive(employee.id, active))

        _run(change())
        print(f"{args.login} is {'active' if active else 'deactivated'}")
        return 0
    return command


def cmd_check(args: argparse.Namespace) -> int:
    settings = load_settings()
    print("configuration: ok")
    print(f"data directory: {settings.data_dir}")
    print(f"database: {settings.database_url_redacted}")
    problems = _run(_check_database(settings))
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
    return []


def _port_problem(host: str, port: int) -> str | None:
    """Why the web server could not listen there right now, or None if it could."""
    try:
        with socket.create_server((host, port)):
            return None
    except OSError as exc:
        return os.strerror(exc.errno).lower() if exc.errno else _one_line(exc)


def _has_module(name: str) -> bool:
    try:
        return find_spec(name) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False


def _load_problem(name: str) -> str | None:
    """Why the adapter module `name` cannot be loaded, or None when it can."""
    try:
        import_module(name)
    except ImportError as exc:
        return _one_line(exc)
    return None


def _check_parts(settings: Settings) -> list[str]:
    problems: list[str] = []
    busy = _port_problem(settings.http_host, settings.http_port)
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
            busy = _port_problem(settings.http_host, settings.sandbox_port)
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
    ):
        if not enabled:
            print(f"{name}: off (no {variable})")
        elif not _has_module(f"{module}.setup"):
            print(f"{name}: configured ({detail}), but this build has no {name} adapter yet: "
                  "it will not start")
        else:
            print(f"{name}: {detail}")
            if (problem := _load_problem(f"{module}.setup")) is not None:
                problems.append(f"{variable} is set but the {name} adapter cannot be loaded: "
                                f"{problem}")
    return problems


# --- the parser -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatdesk", description="ChatDesk: a help desk for Telegram, VK and Viber "
        "clients, worked from a Telegram team chat and a web panel. Settings come from "
        "environment variables and an optional .env file (see README.md).")
    parser.add_argument("--log-level", default="INFO",
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="how much to log on stderr (default INFO)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run", help="run everything: web server, configured bots, relays, timers",
        description="Apply pending migrations, then run the web server (panel, API, "
        "webhooks, /healthz), the configured bots, the outbox relays and the timers in one "
        "process until SIGINT or SIGTERM. With no bot token at all, Telegram is the sandbox "
        "(see `chatdesk sandbox --help`).")
    run.set_defaults(func=cmd_run)

    sandbox = commands.add_parser(
        "sandbox", help="run with an emulated Telegram and a page to play client and agents",
        description="Run the product against the built-in Telegram emulator, with a web page "
        "where one person plays a client and the agents' group: the whole loop without a "
        "bot token.")
    sandbox.set_defaults(func=cmd_sandbox)

    migrate = commands.add_parser(
        "migrate", help="apply database migrations and reference data",
        description="Apply every pending migration and create the reference data (system "
        "statuses, priorities, ticket types). Safe to run again.")
    migrate.set_defaults(func=cmd_migrate)

    demo = commands.add_parser(
        "demo", help="load a realistic demo data set",
        description="Load a demo team, groups, statuses, canned answers, companies, contacts "
        "and tickets spread over the last 60 days, through the same commands the bots and "
        "the panel use. Refuses a database that already has tickets.")
    demo.add_argument("--if-empty", action="store_true",
                      help="do nothing (and succeed) when the database already has tickets")
    demo.add_argument("--tickets", type=_positive, default=300, metavar="N",
                      help="how many tickets (default 300)")
    demo.add_argument("--seed", type=int, default=1, metavar="S",
                      help="random seed: the same seed gives the same data (default 1)")
    demo.set_defaults(func=cmd_demo)

    employee = commands.add_parser(
        "employee", help="add, list, deactivate or activate employees",
        description="Manage the support team's accounts.")
    actions = employee.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add an employee", description="Add an employee.")
    add.add_argument("--name", required=True, help="full name, as clients and colleagues see it")
    add.add_argument("--login", required=True, help="panel login and @mention handle")
    add.add_argument("--role", required=True, choices=["admin", "lead", "specialist"])
    add.add_argument("--telegram-id", type=int, metavar="ID",
                     help="the employee's numeric Telegram user id (for the team chat)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the panel password from stdin (first line; prompts on a "
                     "terminal); without it the employee cannot sign in to the panel")
    add.set_defaults(func=cmd_employee_add)
    listing = actions.add_parser("list", help="list employees", description="List employees.")
    listing.set_defaults(func=cmd_employee_list)
    for name, active, text in (("deactivate", False, "deactivate an account (its history "
                                "stays; refused while it is responsible for open tickets)"),
                               ("activate", True, "activate an account again")):
        sub = actions.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        sub.add_argument("login", metavar="LOGIN")
        sub.set_defaults(func=_set_active(active))

    check = commands.add_parser(
        "check", help="check the configuration and the database, show what would start",
        description="Validate the settings, connect to the database, report the migration "
        "state and counts, and show which parts `chatdesk run` would start. Exit code 1 on a "
        "problem.")
    check.set_defaults(func=cmd_check)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level, format=LOG_FORMAT, stream=sys.stderr)
    if args.log_level != "DEBUG":  # their INFO lines are connection chatter
        for noisy in ("tortoise", "aiosqlite", "asyncio", "apscheduler"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return int(args.func(args))
    except SettingsError as exc:
        print(f"chatdesk: {_one_line(exc)}", file=sys.stderr)
    except (DomainError, CliError) as exc:
        print(f"chatdesk: {_one_line(exc)}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    except _database_errors() as exc:
        print(f"chatdesk: database error: {_one_line(exc) or type(exc).__name__}",
              file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
