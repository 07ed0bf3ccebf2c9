"""SQLite serves one instance: a second `chatdesk run` on the same database file refuses to
start, in one line, instead of sending every client message twice."""

from __future__ import annotations

from pathlib import Path

from chatdesk.database import hold_sqlite_lock
from chatdesk.settings import load_settings
from tests.test_cli import chatdesk, clean_env, free_port, one_error_line


def test_a_second_instance_on_the_same_sqlite_file_refuses_to_start(tmp_path: Path):
    settings = load_settings(clean_env(tmp_path), env_file=None)
    running = hold_sqlite_lock(settings)  # what the first `chatdesk run` holds
    assert running is not None
    try:
        result = chatdesk(tmp_path, "--log-level", "WARNING", "run",
                          CHATDESK_HTTP_PORT=str(free_port()))
    finally:
        running.close()  # the first one stops (or dies: the system lets go the same way)

    assert result.returncode == 1
    database = settings.database_url.removeprefix("sqlite://")
    assert one_error_line(result) == (
        f"chatdesk: another chatdesk is already running on {database}: SQLite serves one "
        "instance (stop the other, or use PostgreSQL to run several)")
    again = hold_sqlite_lock(settings)  # free again: the next start goes ahead
    assert again is not None
    again.close()


def test_postgresql_takes_no_file_lock(tmp_path: Path):
    settings = load_settings(clean_env(
        tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"), env_file=None)
    assert hold_sqlite_lock(settings) is None
