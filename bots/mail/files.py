"""The files that came by mail, kept in the data directory by their SHA-256 (the same file
twice is kept once): a mail's attachment becomes an `Attachment` whose ref is
`mailfile:<digest>`, which the panel, the team chat and the other channels fetch through
`ChannelFiles` like any channel's file."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from bots.mail.parse import MailFile
from core.tickets import Attachment

PREFIX = "mailfile:"
PICTURES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


class MailFiles:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def keep(self, file: MailFile) -> Attachment:
        digest = hashlib.sha256(file.data).hexdigest()
        path = self._path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
                handle.write(file.data)
            os.replace(handle.name, path)  # a crash never leaves half a file under its name
        kind = "photo" if file.mime_type in PICTURES else "document"
        return Attachment(kind, PREFIX + digest, file.name, file.mime_type, len(file.data))

    def read(self, ref: str) -> bytes | None:
        digest = ref.removeprefix(PREFIX)
        if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
            return None
        path = self._path(digest)
        return path.read_bytes() if path.exists() else None

    def _path(self, digest: str) -> Path:
        return self.directory / digest[:2] / digest
