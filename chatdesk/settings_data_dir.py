"""The data directory (created and checked writable at start) and the secret key persisted
in it when CHATDESK_SECRET_KEY is not set."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from chatdesk.settings_values import fail

SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32


def prepare_data_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(
            f"CHATDESK_DATA_DIR: cannot create directory {str(path)!r}: {exc.strerror or exc}"
        ) from None
    if not path.is_dir():
        raise fail(f"CHATDESK_DATA_DIR: {str(path)!r} is not a directory")
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise fail(
            f"CHATDESK_DATA_DIR: directory {str(path)!r} is not writable: {exc.strerror or exc}"
        ) from None


def load_or_create_secret_key(path: Path) -> str:
    """Read the persisted key, or create it (mode 0600) if this is the first start."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise fail(
            f"CHATDESK_SECRET_KEY: not set and cannot create {str(path)!r}: {exc.strerror or exc}"
        ) from None
    else:
        key = secrets.token_urlsafe(48)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key + "\n")
        return key

    try:
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        key = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"CHATDESK_SECRET_KEY: not set and cannot read {str(path)!r}: {exc}") from None
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise fail(
            f"CHATDESK_SECRET_KEY: the stored key in {str(path)!r} is shorter than"
            f" {MIN_SECRET_KEY_LENGTH} characters; delete the file to generate a new one"
        )
    return key
