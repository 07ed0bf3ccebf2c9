"""DATABASE_URL: normalising a sqlite:// or postgres(ql):// URL to the form tortoise-orm
accepts, creating the SQLite file's directory, and hiding the password for logs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from chatdesk.settings_values import fail

SQLITE_FILE = "chatdesk.sqlite3"


def normalise_database_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ("sqlite", "postgres", "postgresql"):
        shown = url if not sep else f"{scheme}://..."
        raise fail(f"must start with sqlite://, postgres:// or postgresql://, got {shown!r}")
    if scheme == "sqlite":
        path, query_sep, query = rest.partition("?")
        if not path:
            raise fail("needs a file path after sqlite://, such as sqlite://data/chatdesk.sqlite3")
        if path != ":memory:":
            path = str(Path(path).expanduser().resolve())
        return f"sqlite://{path}{query_sep}{query}"
    normalised = f"postgres://{rest}"
    try:
        parts = urlsplit(normalised)
        _ = parts.port
    except ValueError:
        raise fail("is not a valid postgres:// URL (check the port number)") from None
    if not parts.path.strip("/"):
        raise fail("needs a database name, such as postgres://user:password@host:5432/chatdesk")
    return normalised


def prepare_sqlite_dir(url: str) -> None:
    path = url.removeprefix("sqlite://").partition("?")[0]
    if path == ":memory:":
        return
    parent = Path(path).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(
            f"DATABASE_URL: cannot create directory {str(parent)!r} for the SQLite file:"
            f" {exc.strerror or exc}"
        ) from None


def redacted(url: str) -> str:
    """``url`` with any password replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = (parts.username or "") + ":***"
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[-1]}"))
