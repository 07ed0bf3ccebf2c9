"""The `chatdesk` command as an operator uses it: the real console script in a subprocess,
each test with its own data directory (SQLite), a clean environment and no `.env`."""

from __future__ import annotations

import asyncio
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from admin_web.passwords import verify_password
from chatdesk.bootstrap import build_desk
from chatdesk.cli import main
from core.commands import ClientWrites, TakeTicket
from storage.admin import employee_by_login
from storage.db import close_database, open_database

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def fresh_query_cache() -> Iterator[None]:
    """tortoise caches each table's INSERT statement by connection name ("default"), whatever
    the engine, and never forgets it: after a SQLite insert in this process, PostgreSQL
    inserts would go out with SQLite's `?` placeholders. Start and end clean."""
    EXECUTOR_CACHE.clear()
    yield
    EXECUTOR_CACHE.clear()


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Only what a process needs: no TELEGRAM_*, DATABASE_URL or other settings leak in."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "LANG": "C.UTF-8", "PYTHONPATH": str(REPO),
           "CHATDESK_DATA_DIR": str(tmp_path / "data")}
    env.update(extra)
    return env


def chatdesk(tmp_path: Path, *args: str, stdin: str | None = None,
             **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chatdesk.cli", *args], cwd=tmp_path,
        env=clean_env(tmp_path, **env), input=stdin, capture_output=True, text=True,
        timeout=120)


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory `chatdesk migrate` has prepared, made once for this module."""
    home = tmp_path_factory.mktemp("template")
    result = chatdesk(home, "migrate")
    assert result.returncode == 0, result.stderr
    return home / "data"


@pytest.fixture
def migrated(tmp_path: Path, migrated_template: Path) -> Path:
    """This test's own copy of a migrated data directory; returns the test's home."""
    shutil.copytree(migrated_template, tmp_path / "data")
    return tmp_path


@pytest.fixture
def in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
               capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """`main()` in this process, for the cases that need no fresh interpreter: the same
    clean environment, much faster than a subprocess."""
    for name in list(os.environ):
        if name.startswith(("CHATDESK_", "TELEGRAM_", "VK_", "VIBER_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)

    def run(*args: str, stdin: str = "", **env: str) -> tuple[int, str, str]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err
    return run


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("args", [
    [], ["run"], ["sandbox"], ["migrate"], ["demo"], ["check"], ["employee"], ["employee", "add"],
    ["employee", "list"], ["employee", "deactivate"], ["employee", "activate"],
], ids=lambda args: " ".join(args) or "chatdesk")
def test_help_is_there_for_every_command(tmp_path: Path, args: list[str]):
    result = chatdesk(tmp_path, *args, "--help")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: chatdesk {' '.join(args)}".rstrip())


def test_the_installed_console_script_answers(tmp_path: Path):
    script = Path(sys.executable).with_name("chatdesk")
    if not script.exists():
        message = "the console script is not installed in this environment"
        if os.environ.get("CI"):
            pytest.fail(message)  # `make test` installs it: missing in CI is a real failure
        pytest.skip(message)
    result = subprocess.run([str(script), "--help"], cwd=tmp_path, env=clean_env(tmp_path),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "employee" in result.stdout


Runner = Callable[..., tuple[int, str, str]]


def test_wrong_usage_exits_with_2(in_process: Runner):
    code, _, err = in_process("employee", "add", "--name", "Ann")

    assert code == 2
    assert "--login" in err


def test_migrate_applies_everything_then_says_up_to_date(tmp_path: Path):
    first = chatdesk(tmp_path, "migrate")
    second = chatdesk(tmp_path, "migrate")

    assert first.returncode == 0, first.stderr
    assert "applied models.0001_initial" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "database is up to date" in second.stdout
    assert "applied" not in second.stdout


async def test_employee_added_with_a_password_on_stdin_is_listed_and_can_sign_in(
        migrated: Path):
    tmp_path = migrated
    added = chatdesk(tmp_path, "employee", "add", "--name", "Anna Petrova", "--login", "anna",
                     "--role", "lead", "--telegram-id", "123456", "--password-stdin",
                     stdin="s3cret pass\n")
    listed = chatdesk(tmp_path, "employee", "list")

    assert added.returncode == 0, added.stderr
    assert "added employee #1 anna (lead)" in added.stdout
    header, row = listed.stdout.splitlines()
    assert header.split() == ["id", "login", "name", "role", "active", "telegram", "id"]
    assert row.split() == ["1", "anna", "Anna", "Petrova", "lead", "yes", "123456"]
    await open_database(f"sqlite://{tmp_path / 'data' / 'chatdesk.sqlite3'}")
    try:
        employee = await employee_by_login("anna")
    finally:
        await close_database()
    assert employee is not None and employee.password_hash is not None
    assert employee.password_hash.startswith("$argon2id$")
    assert verify_password(employee.password_hash, "s3cret pass")


def test_a_taken_login_is_refused_in_one_line(migrated: Path):
    tmp_path = migrated
    chatdesk(tmp_path, "employee", "add", "--name", "Ann", "--login", "ann", "--role", "admin")
    again = chatdesk(tmp_path, "employee", "add", "--name", "Other Ann", "--login", "ann",
                     "--role", "specialist")

    assert again.returncode == 1
    assert one_error_line(again) == "chatdesk: the login 'ann' is taken"


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_an_empty_password_on_stdin_is_refused(migrated: Path, in_process: Runner):
    code, _, err = in_process("employee", "add", "--name", "Ann", "--login", "ann",
                              "--role", "admin", "--password-stdin", stdin="\n")

    assert code == 1
    assert one_line(err) == "chatdesk: the password read from stdin is empty"


def test_deactivating_and_activating_an_account(migrated: Path, in_process: Runner):
    in_process("employee", "add", "--name", "Ann", "--login", "ann", "--role", "admin")

    off = in_process("employee", "deactivate", "ann")
    listed_off = in_process("employee", "list")[1]
    on = in_process("employee", "activate", "ann")
    unknown = in_process("employee", "deactivate", "nobody")

    assert off[:2] == (0, "ann is deactivated\n")
    assert listed_off.splitlines()[1].split()[4] == "no"
    assert on[:2] == (0, "ann is active\n")
    assert unknown[0] == 1
    assert one_line(unknown[2]) == "chatdesk: no employee with the login 'nobody'"


async def _give_ann_a_ticket(url: str) -> None:
    await open_database(url)
    try:
        desk = build_desk()
        ticket = await desk.handle(ClientWrites("telegram", "5001", "Ivan", "Printer is broken"))
        ann = await employee_by_login("ann")
        assert ann is not None
        await desk.handle(TakeTicket(ticket.ticket_id, ann.id))
    finally:
        await close_database()


def test_an_agent_with_open_tickets_cannot_be_deactivated(migrated: Path, in_process: Runner):
    in_process("employee", "add", "--name", "Ann", "--login", "ann", "--role", "specialist")
    asyncio.run(_give_ann_a_ticket(f"sqlite://{migrated / 'data' / 'chatdesk.sqlite3'}"))

    code, _, err = in_process("employee", "deactivate", "ann")

    assert code == 1
    assert one_line(err) == ("chatdesk: Ann is responsible for open tickets; reassign them "
                             "before deactivating the account")


def test_employee_commands_ask_for_migrations_on_a_new_database(in_process: Runner):
    code, _, err = in_process("employee", "list")

    assert code == 1
    assert "run `chatdesk migrate` first" in one_line(err)


def test_a_bad_setting_stops_the_start_with_one_line_naming_it(tmp_path: Path):
    for command in (["run"], ["check"]):
        result = chatdesk(tmp_path, *command, CHATDESK_HTTP_PORT="abc")

        assert result.returncode == 1
        line = one_error_line(result)
        assert line.startswith("chatdesk: CHATDESK_HTTP_PORT: ")
        assert "'abc'" in line


def test_check_on_a_new_database_lists_the_pending_migrations(in_process: Runner):
    code, out, _ = in_process("check", CHATDESK_HTTP_PORT=str(free_port()))

    assert code == 0
    assert "migrations: " in out and "pending (models.0001_initial" in out
    assert "data: unknown until migrated" in out


def test_check_reports_migrations_counts_and_what_would_start(migrated: Path):
    tmp_path, port = migrated, str(free_port())
    after = chatdesk(tmp_path, "check", CHATDESK_HTTP_PORT=port)

    assert after.returncode == 0, after.stderr
    lines = after.stdout.splitlines()
    assert lines[0] == "configuration: ok"
    assert "migrations: up to date" in lines
    assert "data: 0 tickets, 0 contacts, 0 employees (0 active), 0 groups" in lines
    assert "parked updates: none" in lines
    assert f"web server: http://127.0.0.1:{port} " in after.stdout
    assert "telegram: sandbox (no TELEGRAM_BOT_TOKEN)" in after.stdout
    assert "vk: off (no VK_GROUP_TOKEN)" in lines
    assert "viber: off (no VIBER_AUTH_TOKEN)" in lines
    assert lines[-1] == "ok"


def test_check_fails_when_the_database_cannot_be_reached(in_process: Runner):
    code, _, err = in_process(
        "check", DATABASE_URL=f"postgres://nobody@127.0.0.1:{free_port()}/chatdesk")

    assert code == 1
    assert one_line(err).startswith("chatdesk: database error: ")


def _get(url: str) -> tuple[int, dict[str, object]]:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.status, json.loads(response.read())


def test_run_on_an_empty_data_dir_serves_healthz_and_stops_on_sigterm(tmp_path: Path):
    port, sandbox_port = free_port(), free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "chatdesk.cli", "run"], cwd=tmp_path,
        env=clean_env(tmp_path, CHATDESK_HTTP_PORT=str(port),
                      CHATDESK_SANDBOX_PORT=str(sandbox_port)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, answer = time.monotonic() + 40, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert answer is not None, stderr
    status, body = answer
    assert status == 200 and body["status"] == "ok"
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    # migrations run in a child process (whose memory the service does not keep); what it
    # applied is still in the service's log
    assert "applied migration models.0001" in stderr


def test_run_on_a_busy_port_says_so_in_one_line(tmp_path: Path):
    # A subprocess: a start that fails half-way must not leave threads behind in the tests.
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = chatdesk(tmp_path, "--log-level", "WARNING", "run",
                          CHATDESK_HTTP_PORT=str(port))

    assert result.returncode == 1
    assert one_error_line(result).startswith(f"chatdesk: cannot listen on 127.0.0.1:{port}")


def test_run_says_in_one_line_when_the_database_cannot_be_reached(tmp_path: Path):
    result = chatdesk(tmp_path, "--log-level", "WARNING", "run",
                      CHATDESK_HTTP_PORT=str(free_port()), CHATDESK_SANDBOX_PORT=str(free_port()),
                      DATABASE_URL=f"postgres://nobody@127.0.0.1:{free_port()}/chatdesk")

    assert result.returncode == 1
    assert one_error_line(result).startswith("chatdesk: database error: ")


async def _lead_as(url: str, holder: str) -> None:
    from storage.leadership import LeaseStore

    await open_database(url)
    try:
        store = LeaseStore()
        while not (await store.take(holder, 600)).mine:
            pass  # the first look makes the lease row, the next one takes it
    finally:
        await close_database()


def test_check_says_who_leads(migrated: Path, in_process: Runner):
    code, out, _ = in_process("check", CHATDESK_HTTP_PORT=str(free_port()))
    assert code == 0
    assert "leader: none yet (the first `chatdesk run` takes the lead)" in out

    asyncio.run(_lead_as(f"sqlite://{migrated / 'data' / 'chatdesk.sqlite3'}", "web-1:4242"))
    code, out, _ = in_process("check", CHATDESK_HTTP_PORT=str(free_port()))
    assert code == 0
    assert "leader: web-1:4242 (lease renewed " in out


def test_check_says_which_mailboxes_are_read_without_their_passwords(in_process: Runner):
    code, out, _ = in_process(
        "check", CHATDESK_HTTP_PORT=str(free_port()), CHATDESK_MAIL_FROM="s@desk.test",
        CHATDESK_MAIL_IMAP="imaps://s%40desk.test:imap-pass@imap.desk.test, "
                           "imaps://b%40desk.test:pw2@imap.desk.test")

    assert code == 0
    assert "email: 2 mailboxes as s@desk.test, no SMTP: nothing is sent" in out
    assert "imap-pass" not in out
