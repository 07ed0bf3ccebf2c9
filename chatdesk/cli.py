"""The `chatdesk` command: run the service, migrate, load demo data, manage employees, check
the configuration. Exit codes: 0 done, 1 a refused command or a runtime problem (one line on
stderr, no traceback), 2 wrong usage."""

from __future__ import annotations

import argparse
import asyncio
import errno
import getpass
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from chatdesk.check import cmd_check, has_module, port_problem, sandbox_wanted
from chatdesk.database import (
    CliError,
    database_errors,
    hold_sqlite_lock,
    one_line,
    opened,
    prepare_database,
    prepare_in_child,
    run_async,
)
from chatdesk.settings import Settings, SettingsError, load_settings
from core.errors import DomainError

log = logging.getLogger("chatdesk")
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


# --- commands -------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    settings = load_settings()
    return _serve(settings, sandbox=sandbox_wanted(settings))


def cmd_sandbox(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not has_module("chatdesk.sandbox"):
        raise CliError("this build has no sandbox yet (chatdesk/sandbox.py, issue 3)")
    return _serve(settings, sandbox=True)


def _serve(settings: Settings, *, sandbox: bool) -> int:
    from chatdesk.app import serve

    ports = [("CHATDESK_HTTP_PORT", settings.http_port)]
    if sandbox:
        ports.append(("CHATDESK_SANDBOX_PORT", settings.sandbox_port))

    async def run() -> None:
        # Checked before anything starts: a start that fails half-way leaves workers behind.
        lock = hold_sqlite_lock(settings)  # noqa: F841 - held while the service runs
        for variable, port in ports:
            if problem := port_problem(settings.http_host, port):
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
    run_async(run())
    log.info("stopped")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = load_settings()
    applied = run_async(prepare_database(settings.database_url))
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
            if args.bulk:
                return await _load_bulk(args)
            return await load_demo(args.tickets, args.seed, if_empty=args.if_empty)

    result = run_async(demo())
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


async def _load_bulk(args: argparse.Namespace) -> Any:
    import time as clock

    from chatdesk.demo_bulk import load_bulk
    from chatdesk.demo_loader import DemoResult
    from storage.admin import count_tickets

    if args.if_empty and (existing := await count_tickets()):
        return DemoResult(skipped=True, existing_tickets=existing)
    started = clock.monotonic()
    result, plan = await load_bulk(args.tickets, args.seed, args.days)
    rows = sum(plan.counts.values())
    log.warning("bulk demo: %d rows over %d days in %.1f s", rows, args.days,
                clock.monotonic() - started)
    return result


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

    employee = run_async(add())
    print(f"added employee #{employee.id} {employee.login} ({employee.role.value})"
          + ("" if password_hash else "; no password: the panel sign-in is off for them"))
    return 0


def cmd_metrics_rebuild(args: argparse.Namespace) -> int:
    import time as clock

    from storage.ticket_metrics import rebuild

    settings = load_settings()

    async def again() -> int:
        async with opened(settings):
            return await rebuild()

    started = clock.monotonic()
    written = run_async(again())
    print(f"metrics: {written} tickets rebuilt from their history in "
          f"{clock.monotonic() - started:.1f} s")
    return 0


def cmd_employee_list(args: argparse.Namespace) -> int:
    from storage.admin import list_employees

    settings = load_settings()

    async def employees() -> Any:
        async with opened(settings):
            return await list_employees()

    rows = [("id", "login", "name", "role", "active", "telegram id")]
    rows += [(str(e.id), e.login, e.name, e.role.value, "yes" if e.active else "no",
              str(e.telegram_id or "-")) for e in run_async(employees())]
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

        run_async(change())
        print(f"{args.login} is {'active' if active else 'deactivated'}")
        return 0
    return command


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
    demo.add_argument("--bulk", action="store_true",
                      help="write the tickets straight into the tables, thousands of rows at "
                      "a time (for benchmarks: 100,000 tickets in about a minute)")
    demo.add_argument("--days", type=_positive, default=365, metavar="D",
                      help="with --bulk: spread the tickets over the last D days "
                      "(default 365)")
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

    metrics = commands.add_parser(
        "metrics", help="the per-ticket metrics the reports read",
        description="The per-ticket metrics row (first response, resolution time) that the "
        "reports and the dashboard read; the database keeps it as history is written.")
    what = metrics.add_subparsers(dest="action", metavar="ACTION", required=True)
    rebuild = what.add_parser(
        "rebuild", help="compute every ticket's metrics again from its history",
        description="Compute every ticket's metrics again from its history, e.g. after a "
        "status's 'pauses SLA' or state was changed (the rows keep the time counted under "
        "the settings of their day). Reports read partly rebuilt figures meanwhile.")
    rebuild.set_defaults(func=cmd_metrics_rebuild)

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
        print(f"chatdesk: {one_line(exc)}", file=sys.stderr)
    except (DomainError, CliError) as exc:
        print(f"chatdesk: {one_line(exc)}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    except database_errors() as exc:
        print(f"chatdesk: database error: {one_line(exc) or type(exc).__name__}",
              file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
